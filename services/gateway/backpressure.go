package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/svc"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
)

// Deciders are the durable consumers on CEB_IN whose pending documents are
// the decision backlog: clearance (imports), returns (CEB625) and export.
// They are the services' Durable constants (a test holds them together);
// the gateway does not import the services.
var Deciders = []string{"clearance", "returns", "export"}

// SampleEvery is how often the backpressure reads the consumers' and the
// stream's state. A submission only reads the last sample, so the bound
// costs a request nothing; the backlog can overshoot the bound by what
// intake accepts in one period.
const SampleEvery = 250 * time.Millisecond

// Retry-After bounds of a refusal: the estimate of how long the backlog
// needs to fall below the resume level, within these.
const (
	minRetry = 1 * time.Second
	maxRetry = 60 * time.Second
	// retryUnknown is the wait while nothing drains (the deciders stopped).
	retryUnknown = 10 * time.Second
)

// Backpressure decides whether intake accepts: it samples the decision
// backlog and CEB_IN every SampleEvery and refuses from the moment a bound
// is reached until everything is below svc.ResumeShare of its bound.
type Backpressure struct {
	js     jetstream.JetStream
	limits svc.IntakeLimits
	log    *slog.Logger

	// refusal is the current refusal (nil: accepting).
	refusal atomic.Pointer[refusal]
	// refused counts the submissions refused.
	refused prometheus.Counter

	mu       sync.Mutex
	sampled  time.Time
	done     uint64  // documents the deciders have acknowledged (ack floors)
	rate     float64 // documents decided per second, smoothed
	cancel   context.CancelFunc
	finished chan struct{}
}

// refusal is why intake refuses and when to try again.
type refusal struct {
	reason string
	after  time.Duration
}

// Sample is one reading of the work behind intake.
type Sample struct {
	// Backlog is the deciders' pending documents: not delivered yet, or
	// delivered and not acknowledged.
	Backlog int64
	// Done is the sum of the deciders' ack floors (documents decided).
	Done uint64
	// StreamBytes and StreamMsgs are CEB_IN's size.
	StreamBytes, StreamMsgs int64
}

// NewBackpressure returns the backpressure of limits on js; it refuses
// nothing until Start has taken a sample that passes a bound.
func NewBackpressure(js jetstream.JetStream, limits svc.IntakeLimits, log *slog.Logger) *Backpressure {
	return &Backpressure{js: js, limits: limits, log: log,
		refused: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "cbec_gateway_refused_submissions_total",
			Help: "Submissions refused with 503 (-900550) while the decision backlog or the inbound stream passed its bound.",
		}),
	}
}

// Describe implements prometheus.Collector.
func (b *Backpressure) Describe(ch chan<- *prometheus.Desc) { b.refused.Describe(ch) }

// Collect implements prometheus.Collector.
func (b *Backpressure) Collect(ch chan<- prometheus.Metric) { b.refused.Collect(ch) }

// Enabled reports whether any bound is set.
func (b *Backpressure) Enabled() bool {
	l := b.limits
	return l.MaxBacklog > 0 || l.MaxStreamBytes > 0 || l.MaxStreamMsgs > 0
}

// Start samples once, then every SampleEvery until Stop.
func (b *Backpressure) Start(ctx context.Context) {
	if !b.Enabled() {
		return
	}
	b.Refresh(ctx)
	ctx, b.cancel = context.WithCancel(context.WithoutCancel(ctx))
	b.finished = make(chan struct{})
	go func() {
		defer close(b.finished)
		t := time.NewTicker(SampleEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				b.Refresh(ctx)
			}
		}
	}()
}

// Stop ends the sampling.
func (b *Backpressure) Stop() {
	if b.cancel != nil {
		b.cancel()
		<-b.finished
	}
}

// Refresh takes a sample now and updates the refusal. A sample that fails
// (JetStream not answering) changes nothing: the publish of a submission
// fails on its own then, with 503.
func (b *Backpressure) Refresh(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	s, err := b.read(ctx)
	if err != nil {
		if ctx.Err() == nil {
			b.log.Debug("backpressure sample failed", "err", err)
		}
		return
	}
	b.apply(s, time.Now())
}

// read samples the deciders and the stream. A decider whose consumer does
// not exist (its service never started) has nothing pending.
func (b *Backpressure) read(ctx context.Context) (Sample, error) {
	var s Sample
	for _, name := range Deciders {
		c, err := b.js.Consumer(ctx, broker.StreamIn, name)
		if errors.Is(err, jetstream.ErrConsumerNotFound) {
			continue
		}
		if err != nil {
			return s, err
		}
		ci := c.CachedInfo()
		s.Backlog += int64(ci.NumPending) + int64(ci.NumAckPending)
		s.Done += ci.AckFloor.Consumer
	}
	if b.limits.MaxStreamBytes > 0 || b.limits.MaxStreamMsgs > 0 {
		st, err := b.js.Stream(ctx, broker.StreamIn)
		if err != nil {
			return s, err
		}
		state := st.CachedInfo().State
		s.StreamBytes, s.StreamMsgs = int64(min(state.Bytes, math.MaxInt64)), int64(min(state.Msgs, math.MaxInt64))
	}
	return s, nil
}

// apply updates the drain rate and the refusal from a sample taken at now.
func (b *Backpressure) apply(s Sample, now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.sampled.IsZero() && s.Done >= b.done {
		if dt := now.Sub(b.sampled).Seconds(); dt > 0 {
			r := float64(s.Done-b.done) / dt
			if b.rate == 0 {
				b.rate = r
			} else {
				b.rate = 0.7*b.rate + 0.3*r
			}
		}
	}
	b.sampled, b.done = now, s.Done
	l := b.limits
	cur := b.refusal.Load()
	over := func(v, bound int64, share float64) bool {
		return bound > 0 && float64(v) >= share*float64(bound)
	}
	share := 1.0
	if cur != nil {
		share = svc.ResumeShare // refusing: go on until below the resume level
	}
	reason := ""
	switch {
	case over(s.Backlog, l.MaxBacklog, share):
		reason = fmt.Sprintf("%d documents wait for a decision (bound %d)", s.Backlog, l.MaxBacklog)
	case over(s.StreamBytes, l.MaxStreamBytes, share):
		reason = fmt.Sprintf("the inbound stream holds %d bytes (bound %d)", s.StreamBytes, l.MaxStreamBytes)
	case over(s.StreamMsgs, l.MaxStreamMsgs, share):
		reason = fmt.Sprintf("the inbound stream holds %d documents (bound %d)", s.StreamMsgs, l.MaxStreamMsgs)
	}
	if reason == "" {
		if cur != nil {
			b.log.Info("intake accepting again", "backlog", s.Backlog, "stream_bytes", s.StreamBytes, "stream_msgs", s.StreamMsgs)
			b.refusal.Store(nil)
		}
		return
	}
	after := retryUnknown
	if excess := float64(s.Backlog) - svc.ResumeShare*float64(l.MaxBacklog); l.MaxBacklog > 0 && excess > 0 && b.rate > 0 {
		after = time.Duration(excess / b.rate * float64(time.Second))
	}
	after = min(max(after, minRetry), maxRetry)
	if cur == nil {
		b.log.Warn("intake refusing", "reason", reason, "retry_after", after.Round(time.Second))
	}
	b.refusal.Store(&refusal{reason: reason, after: after})
}

// Refusing returns why intake refuses now, and for how long a sender
// should wait, or "" while intake accepts.
func (b *Backpressure) Refusing() (string, time.Duration) {
	if r := b.refusal.Load(); r != nil {
		return r.reason, r.after
	}
	return "", 0
}

// refuseError is the refusal as a coded error, and its Retry-After in
// whole seconds; nil while intake accepts. It counts the refusal.
func (b *Backpressure) refuseError() (*errcode.Error, string) {
	reason, after := b.Refusing()
	if reason == "" {
		return nil, ""
	}
	b.refused.Inc()
	secs := strconv.Itoa(int(math.Ceil(after.Seconds())))
	return errcode.New(errcode.Overloaded, "intake is refusing documents: %s; nothing was stored, retry after %s s", reason, secs), secs
}
