// Package clock is the time source every cbec service is given instead of
// calling time.Now, so that day-based customs windows (30 and 45 days after
// release, the quota year) can be tested and, with --dev-clock, exercised end
// to end.
package clock

import (
	"sync"
	"time"
)

// Shanghai is the zone of every day-based rule (domain decision D15).
var Shanghai = mustZone("Asia/Shanghai")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		// China has kept UTC+8 without daylight saving since 1991; a fixed
		// zone is exact for every date the system handles.
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}

// Clock tells the current time.
type Clock interface {
	Now() time.Time
}

// System is the real wall clock.
type System struct{}

// Now returns time.Now().
func (System) Now() time.Time { return time.Now() }

// Settable is a clock that runs with the wall clock from an offset that can
// be moved. It backs --dev-clock and tests: setting it to a date makes every
// service sharing it see that date, and time keeps moving from there.
type Settable struct {
	mu     sync.RWMutex
	offset time.Duration
	frozen *time.Time
	base   func() time.Time
}

// NewSettable returns a settable clock that starts at the wall clock.
func NewSettable() *Settable { return &Settable{base: time.Now} }

// NewFixed returns a settable clock frozen at t: it only moves when Set or
// Advance is called. Tests use it for exact boundaries.
func NewFixed(t time.Time) *Settable {
	return &Settable{base: time.Now, frozen: &t}
}

// Now returns the clock's current time.
func (c *Settable) Now() time.Time {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.frozen != nil {
		return *c.frozen
	}
	return c.base().Add(c.offset)
}

// Set moves the clock so that Now returns t at this instant.
func (c *Settable) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen != nil {
		c.frozen = &t
		return
	}
	c.offset = t.Sub(c.base())
}

// Advance moves the clock forward by d.
func (c *Settable) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen != nil {
		t := c.frozen.Add(d)
		c.frozen = &t
		return
	}
	c.offset += d
}
