package svc

import (
	"context"
	"time"
)

// DefaultSweep is the interval of timed sweeps when none is configured.
const DefaultSweep = 30 * time.Second

// Every runs f every interval (DefaultSweep when 0) until ctx ends, logging
// its failures under name, and closes done when it returns. Services run
// their timed sweeps (incomplete declarations, return deadlines) with it.
func (e *Env) Every(ctx context.Context, name string, done chan<- struct{}, f func(context.Context) error) {
	defer close(done)
	every := e.SweepInterval
	if every <= 0 {
		every = DefaultSweep
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := f(ctx); err != nil && ctx.Err() == nil {
				e.Log.Warn("sweep failed", "sweep", name, "err", err)
			}
		}
	}
}
