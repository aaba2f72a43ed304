// Package broker is cbec's NATS plumbing: the embedded server, the
// connection, the catalogue of streams, buckets and subjects, and their
// idempotent creation. Services get their JetStream handle from here and
// never hard-code a stream or subject name.
package broker

import (
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
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
}

// Validate checks the configuration before anything starts.
func (c EmbeddedConfig) Validate() error {
	if c.DataDir == "" {
		return errors.New("embedded nats: data directory is required")
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

// StartEmbedded starts a nats-server with JetStream on cfg.DataDir and waits
// until it accepts connections.
func StartEmbedded(cfg EmbeddedConfig) (*server.Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	name := cfg.Name
	if name == "" {
		name = "cbec"
	}
	opts := &server.Options{
		ServerName: name,
		JetStream:  true,
		StoreDir:   filepath.Join(cfg.DataDir, "jetstream"),
		NoSigs:     true, // the cbec process owns signal handling and shuts the server down in order
		// Intake publishes up to 100 documents of up to 10 MiB in total;
		// a single document stays far below this.
		MaxPayload: 8 << 20,
	}
	if cfg.Listen == "" {
		opts.DontListen = true
	} else {
		host, port, _ := splitListen(cfg.Listen)
		opts.Host, opts.Port = host, port
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
	return s, nil
}
