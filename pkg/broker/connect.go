package broker

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// connectWait bounds how long Connect waits for an external server.
const connectWait = 30 * time.Second

// Connect opens a client connection named name, either in-process to the
// embedded server s (url ignored) or to url. It reconnects forever: a
// service outliving a NATS restart is the normal case in a cluster.
func Connect(name, url string, s *server.Server, log *slog.Logger) (*nats.Conn, error) {
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
	}
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
			nc.Close()
			return nil, fmt.Errorf("connect nats %q: not connected after %v", url, connectWait)
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
