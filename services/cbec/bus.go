package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/party"
	"github.com/cbec/cbec/pkg/svc"
	"github.com/cbec/cbec/services/gateway"
	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"
)

// PartySessionTTL is how long a party's NATS connection lives before it
// must authenticate again: the longest a revoked key keeps an open
// connection on an external server (the embedded one closes it at reload).
const PartySessionTTL = 15 * time.Minute

// connect starts the embedded server (locking its data directory) or
// reaches the external one, opens the process's own connection (m.nc:
// stream setup, readiness, the JetStream collector) and starts the auth
// callout that admits parties.
func (m *Main) connect() error {
	c := m.Config
	if c.NATSURL == "" {
		dir, err := filepath.Abs(c.DataDir)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return fmt.Errorf("data dir: %w", err)
		}
		if m.unlock, err = lockDataDir(dir); err != nil {
			return err
		}
		var tls *broker.TLSFiles
		if c.NATSTLSCert != "" {
			tls = &broker.TLSFiles{Cert: c.NATSTLSCert, Key: c.NATSTLSKey}
		}
		sync := c.Sync
		if sync == "" {
			sync = broker.DefaultSync
		}
		m.server, err = broker.StartEmbedded(broker.EmbeddedConfig{DataDir: dir, Listen: c.NATSListen, TLS: tls, Sync: sync})
		if err != nil {
			return err
		}
		if m.nc, err = broker.Connect("cbec", "", m.server.Server, m.server.Credentials(broker.UserAdmin), m.Log); err != nil {
			return err
		}
		authNC, err := broker.Connect("cbec-auth", "", m.server.Server, m.server.Credentials(broker.UserAuth), m.Log)
		if err != nil {
			return err
		}
		m.conns = append(m.conns, authNC)
		if err := m.startCallout(authNC, m.server.Issuer()); err != nil {
			return err
		}
	} else {
		cr := broker.Credentials{File: c.NATSCreds, TLS: m.clientTLS()}
		var err error
		if m.nc, err = broker.Connect("cbec", c.NATSURL, nil, cr, m.Log); err != nil {
			return err
		}
		if c.NATSCalloutCreds != "" {
			issuer, err := readSeed(c.NATSCalloutSeed)
			if err != nil {
				return err
			}
			authNC, err := broker.Connect("cbec-auth", c.NATSURL, nil, broker.Credentials{File: c.NATSCalloutCreds, TLS: m.clientTLS()}, m.Log)
			if err != nil {
				return err
			}
			m.conns = append(m.conns, authNC)
			if err := m.startCallout(authNC, issuer); err != nil {
				return err
			}
		}
	}
	var err error
	m.js, err = broker.NewJetStream(m.nc)
	return err
}

// clientTLS is the TLS of a connection to the external server.
func (m *Main) clientTLS() *broker.TLSFiles {
	c := m.Config
	if c.NATSTLSCA == "" && c.NATSTLSCert == "" {
		return nil
	}
	return &broker.TLSFiles{CA: c.NATSTLSCA, Cert: c.NATSTLSCert, Key: c.NATSTLSKey}
}

// readSeed reads an account nkey seed from a file.
func readSeed(path string) (nkeys.KeyPair, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--nats-callout-seed: %w", err)
	}
	kp, err := nkeys.FromSeed(bytes.TrimSpace(b))
	if err != nil {
		return nil, fmt.Errorf("--nats-callout-seed %s: %w", path, err)
	}
	if pub, _ := kp.PublicKey(); !strings.HasPrefix(pub, "A") {
		return nil, fmt.Errorf("--nats-callout-seed %s: not an account key (SA...)", path)
	}
	return kp, nil
}

// serviceEnv is the environment of one service: on the embedded server,
// the service gets a connection of its own as its own user, confined to
// what it uses (broker.Grants); on an external server the process's
// connection serves all its services, with the user --nats-creds names.
func (m *Main) serviceEnv(env *svc.Env, name string) (*svc.Env, error) {
	if m.server == nil {
		return env, nil
	}
	nc, err := broker.Connect("cbec-"+name, "", m.server.Server, m.server.Credentials(name), m.Log)
	if err != nil {
		return nil, fmt.Errorf("service %s: %w", name, err)
	}
	m.conns = append(m.conns, nc)
	js, err := broker.NewJetStream(nc)
	if err != nil {
		return nil, err
	}
	own := *env
	own.NC, own.JS = nc, js
	return &own, nil
}

// callout tracks the parties the auth callout admitted on the embedded
// server, so that a reload can close the connections of revoked keys.
type callout struct {
	mu      sync.Mutex
	clients map[uint64]string // client id → party code
}

// startCallout answers the server's auth callout on nc with the parties'
// API keys.
func (m *Main) startCallout(nc *nats.Conn, issuer nkeys.KeyPair) error {
	m.callout = &callout{clients: map[uint64]string{}}
	admit := gateway.PartyAuthorizer(m.parties, m.authFailures())
	_, err := broker.StartCallout(nc, broker.CalloutConfig{
		Issuer: issuer, Account: broker.AccountParties, TTL: PartySessionTTL, Now: time.Now, Log: m.Log,
		Authorize: func(req *jwt.AuthorizationRequest) (broker.CalloutUser, error) {
			u, err := admit(req)
			if err == nil {
				m.callout.mu.Lock()
				m.callout.clients[req.ClientInformation.ID] = u.Name
				m.callout.mu.Unlock()
			}
			return u, err
		},
	})
	return err
}

// Reload reads the parties file again (SIGHUP): a key removed from it is
// refused from then on, over HTTP and NATS, and on the embedded server the
// NATS connections it opened are closed at once.
func (m *Main) Reload() error {
	if m.Config.Parties == "" {
		return fmt.Errorf("reload: the embedded demo parties file does not change")
	}
	b, err := os.ReadFile(m.Config.Parties)
	if err != nil {
		return fmt.Errorf("reload: %w", err)
	}
	dir, err := party.Load(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("reload: %w", err)
	}
	m.parties.Replace(dir)
	closed := m.closeRevoked()
	m.Log.Info("parties reloaded", "parties", dir.Len(), "nats_connections_closed", closed)
	return nil
}

// closeRevoked closes the embedded server's party connections whose party
// is gone, and forgets connections that ended.
func (m *Main) closeRevoked() int {
	if m.server == nil || m.callout == nil {
		return 0
	}
	live := map[uint64]bool{}
	if cz, err := m.server.Connz(&server.ConnzOptions{Account: broker.AccountParties, Limit: 1 << 20}); err == nil {
		for _, ci := range cz.Conns {
			live[ci.Cid] = true
		}
	}
	m.callout.mu.Lock()
	defer m.callout.mu.Unlock()
	closed := 0
	for cid, code := range m.callout.clients {
		if !live[cid] {
			delete(m.callout.clients, cid)
			continue
		}
		if _, ok := m.parties.ByCode(code); !ok {
			if m.server.DisconnectClientByID(cid) == nil {
				closed++
			}
			delete(m.callout.clients, cid)
		}
	}
	return closed
}
