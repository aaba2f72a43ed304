package svc

import (
	"context"
	"errors"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/nats-io/nats.go/jetstream"
)

// Lifecycle is the start and stop every consuming service shares: its
// durable consumers and its timed sweep, started one by one in Start and
// stopped in Stop — the sweep first, so that it starts no work, then the
// consumers, each draining what it holds. A service keeps one as a field
// and returns Stop's result from its own Stop.
type Lifecycle struct {
	consumers []*broker.Consumer
	sweep     *Sweeper
}

// Consume starts the durable consumer cfg on stream with h on workers
// goroutines (broker.StartConsumer) and keeps it for Stop. If it fails, the
// consumers started before it are stopped, so that a failed Start leaves
// nothing running.
func (l *Lifecycle) Consume(ctx context.Context, env *Env, stream string, cfg jetstream.ConsumerConfig, workers int, h broker.Handler) error {
	c, err := broker.StartConsumer(ctx, env.JS, stream, cfg, env.Log, workers, h)
	if err != nil {
		_ = l.Stop(ctx)
		return err
	}
	l.consumers = append(l.consumers, c)
	return nil
}

// Every runs f every SweepInterval (Env.StartSweep) until Stop.
func (l *Lifecycle) Every(ctx context.Context, env *Env, name string, f func(context.Context) error) {
	l.sweep = env.StartSweep(ctx, name, f)
}

// Stop ends the sweep and drains the consumers, in the order they started.
// It is safe to call on a lifecycle never started, and twice.
func (l *Lifecycle) Stop(ctx context.Context) error {
	l.sweep.Stop()
	var errs []error
	for _, c := range l.consumers {
		errs = append(errs, c.Stop(ctx))
	}
	return errors.Join(errs...)
}
