package broker

import (
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// connectWait bounds how long Connect waits for an external server.
const connectWait = 30 * time.Second

// Credentials authenticate a connection and confine its replies.
type Credentials struct {
	// User and Password, when User is set.
	User, Password string
	// File is a credentials file (--nats-creds): a .creds file (user JWT
	// and nkey seed), an nkey seed alone, or one line "user:password".
	File string
	// InboxPrefix replaces _INBOX for the connection's reply subjects, so
	// that a user's permissions can name its own replies only.
	InboxPrefix string
	// TLS: CA verifies the server; Cert and Key are a client certificate.
	TLS *TLSFiles
}

// PasswordFile is the content of a credentials file of user and password
// (--nats-creds), as Credentials.File reads it: one line user:password.
func PasswordFile(user, password string) []byte {
	return []byte(user + ":" + password + "\n")
}

// options turns the credentials into connection options.
func (cr Credentials) options() ([]nats.Option, error) {
	var opts []nats.Option
	switch {
	case cr.File != "":
		b, err := os.ReadFile(cr.File)
		if err != nil {
			return nil, fmt.Errorf("nats credentials: %w", err)
		}
		text := strings.TrimSpace(string(b))
		switch {
		case strings.Contains(text, "BEGIN NATS USER JWT"):
			opts = append(opts, nats.UserCredentials(cr.File))
		case strings.HasPrefix(text, "SU"):
			o, err := nats.NkeyOptionFromSeed(cr.File)
			if err != nil {
				return nil, fmt.Errorf("nats credentials %s: %w", cr.File, err)
			}
			opts = append(opts, o)
		default:
			user, pw, ok := strings.Cut(text, ":")
			if !ok || user == "" || pw == "" || strings.ContainsAny(text, "\n\r") {
				return nil, fmt.Errorf("nats credentials %s: neither a .creds file, an nkey seed nor one line user:password", cr.File)
			}
			opts = append(opts, nats.UserInfo(user, pw))
			if cr.InboxPrefix == "" {
				cr.InboxPrefix = InboxPrefix(user)
			}
		}
	case cr.User != "":
		opts = append(opts, nats.UserInfo(cr.User, cr.Password))
	}
	if cr.InboxPrefix != "" {
		opts = append(opts, nats.CustomInboxPrefix(cr.InboxPrefix))
	}
	if t := cr.TLS; t != nil {
		if t.CA != "" {
			opts = append(opts, nats.RootCAs(t.CA))
		}
		if t.Cert != "" {
			opts = append(opts, nats.ClientCert(t.Cert, t.Key))
		}
	}
	return opts, nil
}

// Connect opens a client connection named name, either in-process to the
// embedded server s (url ignored) or to url, authenticated by cr. It
// reconnects forever: a service outliving a NATS restart is the normal case
// in a cluster. Asynchronous errors — a permissions violation above all —
// are logged as errors: they mean the access table (access.go) and the code
// disagree.
func Connect(name, url string, s *server.Server, cr Credentials, log *slog.Logger) (*nats.Conn, error) {
	opts := []nats.Option{
		nats.Name(name),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(250 * time.Millisecond),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				log.Warn("nats disconnected", "conn", name, "err", err)
			}
		}),
		nats.ReconnectHandler(func(c *nats.Conn) { log.Info("nats reconnected", "conn", name, "url", c.ConnectedUrl()) }),
		nats.ErrorHandler(func(_ *nats.Conn, sub *nats.Subscription, err error) {
			subject := ""
			if sub != nil {
				subject = sub.Subject
			}
			log.Error("nats error", "conn", name, "subject", subject, "err", err)
		}),
	}
	credOpts, err := cr.options()
	if err != nil {
		return nil, err
	}
	opts = append(opts, credOpts...)
	if s != nil {
		opts = append(opts, nats.InProcessServer(s))
		url = ""
	} else {
		// In a cluster a service may start before NATS answers: keep trying
		// for a while rather than dying at once.
		opts = append(opts, nats.RetryOnFailedConnect(true))
	}
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		return nil, fmt.Errorf("connect nats %q: %w", url, err)
	}
	deadline := time.Now().Add(connectWait)
	for !nc.IsConnected() {
		if time.Now().After(deadline) {
			lastErr := nc.LastError()
			nc.Close()
			return nil, fmt.Errorf("connect nats %q: not connected after %v: %w", url, connectWait, lastErr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return nc, nil
}

// MaxAsyncPending bounds a process's asynchronous publications awaiting
// their acknowledgement; past it, publishers wait (then fail, to be retried).
// nats.go's default of 4,000 is reached by 256 clearance workers publishing
// a decision's receipts and events while the gateway stores a few full
// submissions — three writes per document — at once.
const MaxAsyncPending = 16384

// NewJetStream is the JetStream handle of a cbec process on nc.
func NewJetStream(nc *nats.Conn) (jetstream.JetStream, error) {
	return jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(MaxAsyncPending))
}
