// Package natstest is the test harness for code that needs NATS: a real
// nats-server with JetStream on a random port and a store in t.TempDir(),
// shut down when the test ends. There is no mock of NATS in cbec.
package natstest

import (
	"context"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// RunServer starts a JetStream server on port -1 with its store in a
// temporary directory and waits until it is ready.
func RunServer(t testing.TB) *server.Server {
	t.Helper()
	return RunServerAt(t, t.TempDir())
}

// RunServerAt starts a server with its store in dir, so a test can stop it
// and start another on the same data (a restart).
func RunServerAt(t testing.TB, dir string) *server.Server {
	t.Helper()
	return RunServerWith(t, &server.Options{
		Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: dir,
		NoLog: true, NoSigs: true, MaxPayload: 8 << 20,
	})
}

// RunServerWith starts a server with opts (a test's own configuration,
// e.g. read from a file of deploy/nats), waits until it is ready and shuts
// it down when the test ends.
func RunServerWith(t testing.TB, opts *server.Options) *server.Server {
	t.Helper()
	s, err := server.NewServer(opts)
	if err != nil {
		t.Fatalf("nats server: %v", err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats server not ready")
	}
	t.Cleanup(func() {
		s.Shutdown()
		s.WaitForShutdown()
	})
	return s
}

// Connect connects to s in-process, as the all-in-one binary does, and
// returns the connection and its JetStream handle, closed when the test ends.
func Connect(t testing.TB, s *server.Server) (*nats.Conn, jetstream.JetStream) {
	t.Helper()
	nc, err := nats.Connect("", nats.InProcessServer(s))
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(nc.Close)
	js, err := broker.NewJetStream(nc)
	if err != nil {
		t.Fatalf("jetstream: %v", err)
	}
	return nc, js
}

// Setup starts a server, connects and creates every stream and bucket.
func Setup(t testing.TB) (*server.Server, *nats.Conn, jetstream.JetStream) {
	t.Helper()
	s := RunServer(t)
	nc, js := Connect(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := broker.Setup(ctx, js, broker.Options{}); err != nil {
		t.Fatalf("setup: %v", err)
	}
	return s, nc, js
}

// Eventually polls cond every 10ms until it holds or d passes; tests poll,
// they never sleep a fixed time.
func Eventually(t testing.TB, d time.Duration, cond func() bool, msg string, args ...any) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("not within "+d.String()+": "+msg, args...)
}

// SyncEnv names the environment variable that sets RunSecured's sync
// policy (broker.ParseSync: "always" or a duration), so that a benchmark
// can measure what each costs: CBEC_TEST_SYNC=always go test -bench ….
// Unset, cbec's default applies (broker.DefaultSync).
const SyncEnv = "CBEC_TEST_SYNC"

// RunSecured starts the embedded server as cbec runs it — no anonymous
// access, a user per service confined by broker.Grants, the auth callout's
// account — on a random port with its store in a temporary directory, and
// returns it with an admin connection on which every stream and bucket is
// set up. Its sync policy is $CBEC_TEST_SYNC (SyncEnv).
func RunSecured(t testing.TB) (*broker.Embedded, *nats.Conn, jetstream.JetStream) {
	t.Helper()
	sync := os.Getenv(SyncEnv)
	if sync == "" {
		sync = broker.DefaultSync
	}
	e, err := broker.StartEmbedded(broker.EmbeddedConfig{DataDir: t.TempDir(), Listen: "127.0.0.1:-1", Sync: sync})
	if err != nil {
		t.Fatalf("nats server: %v", err)
	}
	t.Cleanup(func() {
		e.Shutdown()
		e.WaitForShutdown()
	})
	nc, js := ConnectAs(t, e, broker.UserAdmin)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := broker.Setup(ctx, js, broker.Options{}); err != nil {
		t.Fatalf("setup: %v", err)
	}
	return e, nc, js
}

// ConnectAs connects in-process to e as user (a service name or
// broker.UserAdmin). A permissions violation on the connection fails the
// test when it ends: it means the service does something its grant does
// not allow.
func ConnectAs(t testing.TB, e *broker.Embedded, user string) (*nats.Conn, jetstream.JetStream) {
	t.Helper()
	cr := e.Credentials(user)
	var mu sync.Mutex
	var violations []string
	nc, err := nats.Connect("", nats.InProcessServer(e.Server), nats.UserInfo(cr.User, cr.Password),
		nats.CustomInboxPrefix(cr.InboxPrefix),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			if errors.Is(err, nats.ErrPermissionViolation) {
				mu.Lock()
				violations = append(violations, err.Error())
				mu.Unlock()
			}
		}))
	if err != nil {
		t.Fatalf("connect as %s: %v", user, err)
	}
	t.Cleanup(func() {
		nc.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, v := range violations {
			t.Errorf("%s: %s (add it to its grant in pkg/broker/access.go, or stop doing it)", user, v)
		}
	})
	js, err := broker.NewJetStream(nc)
	if err != nil {
		t.Fatalf("jetstream: %v", err)
	}
	return nc, js
}
