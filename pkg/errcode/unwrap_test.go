package errcode_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/natstest"
	"github.com/nats-io/nats.go/jetstream"
)

// TestUnwrapShowsTheCause: errors.Is and errors.As see the failure behind
// an error of Wrap or As, while the code, the message and the JSON form
// stay the outer error's.
func TestUnwrapShowsTheCause(t *testing.T) {
	cause := &fs.PathError{Op: "open", Path: "/data/secret", Err: fs.ErrNotExist}
	wrapped := fmt.Errorf("registry: %w", errcode.Wrap(errcode.Unavailable, cause, "retry later"))
	var pe *fs.PathError
	if !errors.As(wrapped, &pe) || pe != cause || !errors.Is(wrapped, fs.ErrNotExist) {
		t.Fatalf("the cause of Wrap is not visible: %v", wrapped)
	}
	if got := errcode.As(cause); !errors.Is(got, fs.ErrNotExist) || got.Code != errcode.Internal {
		t.Fatalf("As(uncoded) = %+v: want Internal with the cause visible", got)
	}
	if u := errors.Unwrap(errcode.New(errcode.NotFound, "no such list")); u != nil {
		t.Fatalf("New has no cause, Unwrap = %v", u)
	}

	// A coded cause does not take over: the outer code is the error's code
	// (Of, As and HTTPStatus answer it), and the inner message stays out.
	inner := errcode.New(errcode.OrderExists, "order %s exists", "X1")
	outer := errcode.Wrap(errcode.Unavailable, inner, "storage temporarily unavailable; retry later")
	if got := errcode.Of(fmt.Errorf("submit: %w", outer)); got != errcode.Unavailable {
		t.Errorf("Of = %s, want the outer %s", got, errcode.Unavailable)
	}
	if got := errcode.As(outer); got != outer {
		t.Errorf("As = %+v, want the outer error itself", got)
	}
	var e *errcode.Error
	if !errors.As(outer, &e) || e != outer || !errors.Is(outer, inner) {
		t.Errorf("errors.As finds %+v first; errors.Is(inner) = %v", e, errors.Is(outer, inner))
	}
	b, _ := json.Marshal(outer)
	if strings.Contains(outer.Error(), "X1") || strings.Contains(string(b), "X1") {
		t.Errorf("the cause leaks into the message: %s / %s", outer.Error(), b)
	}
}

// records keeps the message and subject of every log line of a consumer.
type records struct {
	mu    sync.Mutex
	lines []string
}

func (r *records) Enabled(context.Context, slog.Level) bool { return true }
func (r *records) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *records) WithGroup(string) slog.Handler            { return r }
func (r *records) Handle(_ context.Context, rec slog.Record) error {
	subject := ""
	rec.Attrs(func(a slog.Attr) bool {
		if a.Key == "subject" {
			subject = a.Value.String()
		}
		return true
	})
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lines = append(r.lines, rec.Message+" "+subject)
	return nil
}

func (r *records) snapshot() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.lines...)
}

// String lists the lines, for a failure message.
func (r *records) String() string { return strings.Join(r.snapshot(), "; ") }

func (r *records) has(line string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, l := range r.lines {
		if l == line {
			return true
		}
	}
	return false
}

// TestConsumerVerdictsSeeThroughErrcode runs a real consumer whose handler
// returns broker's Poison and Retry inside errcode errors: through Unwrap
// the consumer still terminates the poison and redelivers the retry after
// its own delay, and an errcode error with an ordinary cause is neither
// poison nor a retry — it is redelivered after the default delay.
func TestConsumerVerdictsSeeThroughErrcode(t *testing.T) {
	s := natstest.RunServer(t)
	_, js := natstest.Connect(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "UNWRAP", Subjects: []string{"unwrap.>"}}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	deliveries := map[string]int{}
	count := func(subject string) int {
		mu.Lock()
		defer mu.Unlock()
		return deliveries[subject]
	}
	log := &records{}
	c, err := broker.StartConsumer(ctx, js, "UNWRAP", jetstream.ConsumerConfig{Durable: "unwrap"}, slog.New(log), 3,
		func(_ context.Context, m jetstream.Msg) error {
			mu.Lock()
			deliveries[m.Subject()]++
			n := deliveries[m.Subject()]
			mu.Unlock()
			if n > 1 {
				return nil
			}
			switch m.Subject() {
			case "unwrap.poison":
				return errcode.As(broker.Poison(errors.New("undecodable")))
			case "unwrap.retry":
				return errcode.Wrap(errcode.Unavailable, broker.Retry(errors.New("busy"), 10*time.Millisecond), "retry later")
			default:
				return errcode.Wrap(errcode.Unavailable, errors.New("timeout"), "retry later")
			}
		})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Stop(context.Background()) })
	for _, subj := range []string{"unwrap.poison", "unwrap.retry", "unwrap.plain"} {
		if _, err := js.Publish(ctx, subj, []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	natstest.Eventually(t, 5*time.Second, func() bool {
		return log.has("message terminated unwrap.poison") && count("unwrap.retry") == 2 &&
			log.has("message will be redelivered unwrap.plain")
	}, "poison terminated, retry redelivered, plain error redelivered; log %v", log)
	if log.has("message will be redelivered unwrap.retry") || log.has("message terminated unwrap.retry") {
		t.Errorf("the retry was not seen as a retry: %v", log.snapshot())
	}
	if log.has("message terminated unwrap.plain") {
		t.Errorf("an errcode error with an ordinary cause was terminated: %v", log.snapshot())
	}
	// The plain error comes back after the default delay (a second): wait
	// for it, by then a poison redelivered would have come back too.
	natstest.Eventually(t, 5*time.Second, func() bool { return count("unwrap.plain") == 2 }, "plain error redelivered")
	if n := count("unwrap.poison"); n != 1 {
		t.Errorf("the poison was delivered %d times, want 1", n)
	}
}
