package rules

import "sync/atomic"

// Live holds the rules in force while an operator may replace them at run
// time (docs/rules.md): the set is swapped whole, so a reader sees one
// version or the next, never a mix, and reading costs one atomic load.
type Live struct {
	p atomic.Pointer[Set]
}

// NewLive holds s until a new version is stored.
func NewLive(s *Set) *Live {
	l := &Live{}
	l.p.Store(s)
	return l
}

// Load returns the rules in force.
func (l *Live) Load() *Set { return l.p.Load() }

// Store puts s in force, unless it is older than the version in force: a
// watch that delivers an old revision late must not roll the rules back.
func (l *Live) Store(s *Set) bool {
	for {
		cur := l.p.Load()
		if cur != nil && cur.Version > s.Version {
			return false
		}
		if l.p.CompareAndSwap(cur, s) {
			return true
		}
	}
}
