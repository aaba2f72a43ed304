package svc

import (
	"context"
	"sync"
	"time"
)

// DefaultSweep is the interval of timed sweeps when none is configured.
const DefaultSweep = 30 * time.Second

// Sweeper is a timed sweep running in the background (incomplete
// declarations, return deadlines, month ends).
type Sweeper struct {
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
}

// StartSweep runs f every SweepInterval (DefaultSweep when 0) until the
// sweeper is stopped, logging its failures under name. The sweep outlives
// ctx's cancellation on purpose: it ends with Stop, in the service's
// ordered shutdown.
func (e *Env) StartSweep(ctx context.Context, name string, f func(context.Context) error) *Sweeper {
	every := e.SweepInterval
	if every <= 0 {
		every = DefaultSweep
	}
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s := &Sweeper{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-sctx.Done():
				return
			case <-t.C:
				if err := f(sctx); err != nil && sctx.Err() == nil {
					e.Log.Warn("sweep failed", "sweep", name, "err", err)
				}
			}
		}
	}()
	return s
}

// Stop ends the sweep and waits for a pass in progress. It is safe on a nil
// sweeper and safe to call twice.
func (s *Sweeper) Stop() {
	if s == nil {
		return
	}
	s.once.Do(func() {
		s.cancel()
		<-s.done
	})
}
