package svc_test

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/natstest"
	"github.com/cbec/cbec/pkg/svc"
	"github.com/nats-io/nats.go/jetstream"
)

func TestLifecycleStartsAndStopsConsumersAndSweep(t *testing.T) {
	_, nc, js := natstest.Setup(t)
	ctx := context.Background()
	env := &svc.Env{NC: nc, JS: js, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), SweepInterval: 10 * time.Millisecond}

	var zero svc.Lifecycle
	if err := zero.Stop(ctx); err != nil {
		t.Fatalf("Stop of a lifecycle never started: %v", err)
	}

	var l svc.Lifecycle
	var handled, swept atomic.Int64
	if err := l.Consume(ctx, env, broker.StreamEvents, jetstream.ConsumerConfig{
		Durable: "life-test", FilterSubjects: []string{"cbec.evt.test.>"},
	}, 2, func(context.Context, jetstream.Msg) error { handled.Add(1); return nil }); err != nil {
		t.Fatal(err)
	}
	l.Every(ctx, env, "test", func(context.Context) error { swept.Add(1); return nil })
	if _, err := js.Publish(ctx, "cbec.evt.test.one", []byte("{}")); err != nil {
		t.Fatal(err)
	}
	natstest.Eventually(t, 5*time.Second, func() bool { return handled.Load() == 1 && swept.Load() > 0 }, "consumed and swept")

	// A consumer that cannot start stops the ones before it.
	err := l.Consume(ctx, env, "NO_SUCH_STREAM", jetstream.ConsumerConfig{Durable: "x"}, 1,
		func(context.Context, jetstream.Msg) error { return nil })
	if err == nil {
		t.Fatal("a consumer on a missing stream started")
	}
	after := swept.Load()
	time.Sleep(50 * time.Millisecond)
	if swept.Load() != after {
		t.Error("the sweep runs on after a failed start")
	}
	if _, err := js.Publish(ctx, "cbec.evt.test.two", []byte("{}")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	if handled.Load() != 1 {
		t.Error("the consumer started first still consumes after a failed start")
	}
	if err := l.Stop(ctx); err != nil {
		t.Errorf("second Stop: %v", err)
	}
}
