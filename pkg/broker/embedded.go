// Package broker is cbec's NATS plumbing: the embedded server, the
// connection, the catalogue of streams, buckets and subjects, and their
// idempotent creation. Services get their JetStream handle from here and
// never hard-code a stream or subject name.
package broker

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nkeys"
)

// EmbeddedConfig configures the in-process NATS server.
type EmbeddedConfig struct {
	// DataDir holds the JetStream store (DataDir/jetstream).
	DataDir string
	// Listen is host:port for outside clients; empty keeps the server
	// in-process only. Port -1 picks a random free port (tests).
	Listen string
	// Name is the server name; default "cbec".
	Name string
	// TLS, when set, makes the client listener TLS only.
	TLS *TLSFiles
	// Sync is when the JetStream store fsyncs (ParseSync): SyncAlways or
	// a duration; empty = the server's default (2m).
	Sync string
}

// Validate checks the configuration before anything starts.
func (c EmbeddedConfig) Validate() error {
	if c.DataDir == "" {
		return errors.New("embedded nats: data directory is required")
	}
	if c.Sync != "" {
		if _, _, err := ParseSync(c.Sync); err != nil {
			return fmt.Errorf("embedded nats: %w", err)
		}
	}
	if c.Listen != "" {
		if _, _, err := splitListen(c.Listen); err != nil {
			return fmt.Errorf("embedded nats: listen address %q: %w", c.Listen, err)
		}
	}
	return nil
}

func splitListen(addr string) (string, int, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, err
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < -1 || p > 65535 {
		return "", 0, fmt.Errorf("bad port %q", port)
	}
	return host, p, nil
}

// Embedded is a running embedded server and the secrets of its users,
// made at start and never written anywhere: cbec's services reach it
// in-process with them, parties through the auth callout.
type Embedded struct {
	*server.Server
	passwords map[string]string
	issuer    nkeys.KeyPair
}

// Credentials are the in-process credentials of a user of Users().
func (e *Embedded) Credentials(user string) Credentials {
	return Credentials{User: user, Password: e.passwords[user], InboxPrefix: InboxPrefix(user)}
}

// Issuer is the account key that signs the auth callout's answers.
func (e *Embedded) Issuer() nkeys.KeyPair { return e.issuer }

// randomSecret is 32 random bytes, hex.
func randomSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// StartEmbedded starts a nats-server with JetStream on cfg.DataDir and waits
// until it accepts connections. No client connects without credentials:
// cbec's users get random passwords, parties go through the auth callout.
func StartEmbedded(cfg EmbeddedConfig) (*Embedded, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	name := cfg.Name
	if name == "" {
		name = "cbec"
	}
	e := &Embedded{passwords: map[string]string{}}
	for _, u := range Users() {
		pw, err := randomSecret()
		if err != nil {
			return nil, err
		}
		e.passwords[u] = pw
	}
	var err error
	if e.issuer, err = nkeys.CreateAccount(); err != nil {
		return nil, err
	}
	issuer, err := e.issuer.PublicKey()
	if err != nil {
		return nil, err
	}
	sc := ServerConfig{
		Name: name, Listen: cfg.Listen, StoreDir: filepath.Join(cfg.DataDir, "jetstream"),
		Passwords: e.passwords, CalloutIssuer: issuer, TLS: cfg.TLS, SyncInterval: cfg.Sync,
	}
	text, err := sc.Render()
	if err != nil {
		return nil, err
	}
	opts := &server.Options{}
	if err := opts.ProcessConfigString(text); err != nil {
		return nil, fmt.Errorf("embedded nats: %w", err)
	}
	opts.NoSigs = true // the cbec process owns signal handling and shuts the server down in order
	if cfg.Listen == "" {
		opts.DontListen = true
	}
	s, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("embedded nats: %w", err)
	}
	go s.Start()
	if !s.ReadyForConnections(30 * time.Second) {
		s.Shutdown()
		return nil, errors.New("embedded nats: not ready for connections after 30s")
	}
	e.Server = s
	return e, nil
}
