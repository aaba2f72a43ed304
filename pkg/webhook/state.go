package webhook

import (
	"time"
)

// State is what cbec knows of a subscription's deliveries. It changes when
// a run of failures starts or ends, when the endpoint is blocked and when
// an operator unblocks it — not at every delivery, which the metrics count.
type State struct {
	// Blocked endpoints get no deliveries until an operator unblocks them;
	// their receipts wait, in order, in the subscription's consumer.
	Blocked bool `json:"blocked"`
	// BlockedAt is when the endpoint was blocked.
	BlockedAt time.Time `json:"blockedAt,omitzero"`
	// Failures counts the failed attempts since the last success.
	Failures int `json:"failures"`
	// FailingSince is the first failed attempt since the last success.
	FailingSince time.Time `json:"failingSince,omitzero"`
	// LastError says why the last attempt failed: a status or a transport
	// error, never the response body.
	LastError string `json:"lastError,omitempty"`
	// RecoveredAt is when the endpoint last answered again after failing.
	RecoveredAt time.Time `json:"recoveredAt,omitzero"`
	// UnblockedBy is the operator who last unblocked the endpoint.
	UnblockedBy string `json:"unblockedBy,omitempty"`
}

// Retry is the delivery schedule of a failing endpoint.
type Retry struct {
	// Base is the delay after the first failure; each further failure
	// doubles it, up to Max.
	Base, Max time.Duration
	// For is how long an endpoint may fail without a success before it is
	// blocked: deliveries are retried for this long.
	For time.Duration
}

// DefaultRetry retries after 1 s, 2 s, 4 s … up to an hour between
// attempts, for 24 hours.
var DefaultRetry = Retry{Base: time.Second, Max: time.Hour, For: 24 * time.Hour}

// Delay is the wait after the n-th failure in a row (n ≥ 1).
func (r Retry) Delay(n int) time.Duration {
	d := r.Base
	for i := 1; i < n && d < r.Max; i++ {
		d *= 2
	}
	return min(d, r.Max)
}

// Failed records a failed attempt at now with its reason, and reports
// whether the endpoint is now blocked: it has failed without a success for
// at least r.For.
func (s *State) Failed(now time.Time, reason string, r Retry) (blocked bool) {
	if s.Failures == 0 || s.FailingSince.IsZero() {
		s.FailingSince = now.UTC()
	}
	s.Failures++
	s.LastError = reason
	if !s.Blocked && now.Sub(s.FailingSince) >= r.For {
		s.Blocked, s.BlockedAt = true, now.UTC()
	}
	return s.Blocked
}

// Succeeded records a delivered message; it reports whether the state
// changed (a run of failures ended), so that a success after a success costs
// no write.
func (s *State) Succeeded(now time.Time) (changed bool) {
	changed = s.Failures > 0
	s.Failures, s.FailingSince, s.LastError = 0, time.Time{}, ""
	if changed {
		s.RecoveredAt = now.UTC()
	}
	return changed
}

// Unblock lets deliveries resume, as operator says; the failure count starts
// again, so that the endpoint gets the whole retry window once more.
func (s *State) Unblock(operator string) {
	s.Blocked, s.BlockedAt = false, time.Time{}
	s.Failures, s.FailingSince = 0, time.Time{}
	s.UnblockedBy = operator
}

// Config is a deployment's webhook settings.
type Config struct {
	// Policy says which callback URLs are admitted.
	Policy Policy
	// Retry is the schedule of a failing endpoint (zero: DefaultRetry).
	Retry Retry
	// Timeout bounds one delivery attempt, connection included (zero:
	// DefaultTimeout).
	Timeout time.Duration
}

// DefaultTimeout bounds one delivery attempt.
const DefaultTimeout = 10 * time.Second

// WithDefaults fills the zero settings of c.
func (c Config) WithDefaults() Config {
	if c.Retry.Base <= 0 {
		c.Retry.Base = DefaultRetry.Base
	}
	if c.Retry.Max <= 0 {
		c.Retry.Max = DefaultRetry.Max
	}
	if c.Retry.For <= 0 {
		c.Retry.For = DefaultRetry.For
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	return c
}
