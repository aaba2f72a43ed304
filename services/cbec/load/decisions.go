package load

import (
	"slices"
	"sync"
	"time"
)

// decision is what a load knows of one import declaration.
type decision struct {
	parts    int       // documents accepted, of four
	accepted time.Time // when the last of them was answered 202
	decided  time.Time // when its decision receipt came
	status   string    // the decision: 800, 100 or 300
	double   bool      // a second decision receipt with another outcome came
}

// decisions follows import declarations from their documents' 202s to
// their decision receipts, by the list's guid (which its CEB622 receipts
// carry): what `cbec bench` and `cbec load` count decided declarations and
// their latency by. Safe for concurrent use.
type decisions struct {
	mu    sync.Mutex
	decls map[string]*decision
}

func newDecisions() *decisions { return &decisions{decls: map[string]*decision{}} }

// expect registers a declaration about to be sent.
func (b *decisions) expect(guid string) {
	b.mu.Lock()
	b.decls[guid] = &decision{}
	b.mu.Unlock()
}

// accepted records one of the declaration's documents answered 202 at.
func (b *decisions) accepted(guid string, at time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if x := b.decls[guid]; x != nil {
		x.parts++
		if at.After(x.accepted) {
			x.accepted = at
		}
	}
}

// receipt records a CEB622 receipt of the list: 800, 100 and 300 are
// decisions (300 holds it for an officer); other statuses are steps.
func (b *decisions) receipt(guid, status string, at time.Time) {
	switch status {
	case "800", "100", "300":
	default:
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	x := b.decls[guid]
	switch {
	case x == nil: // another run's
	case x.decided.IsZero():
		x.decided, x.status = at, status
	case x.status != status:
		x.double = true
	}
}

// Tally is an account of the declarations a Generator or Driver followed.
type Tally struct {
	// Declarations were started; Complete had all four documents
	// accepted; Decided got a decision receipt; Undecided are complete
	// without one; Double got two decisions with different outcomes.
	Declarations, Complete, Decided, Undecided, Double int
	// DecidedIn is the decisions that came within the tally's [from, to].
	DecidedIn int
	// Slow are the complete declarations that waited SlowLatency or more
	// for their decision: when each waited, for `cbec bench` to set
	// beside what cbec was doing then (its garbage collector's marks).
	Slow []Span
	// latencies, sorted, from each complete declaration's last 202 to its
	// decision.
	latencies []time.Duration
}

// SlowLatency is the wait from a declaration's last 202 to its decision
// from which a Tally lists it among the Slow: the p99 target of the
// performance issue (docs/performance.md).
const SlowLatency = 100 * time.Millisecond

// Span is one declaration's wait: from the 202 of its last document to
// its decision receipt.
type Span struct{ From, To time.Time }

// Latency is the p-quantile (0…1) of the latencies, in milliseconds: from
// the 202 of a complete declaration's last document to its decision.
func (t Tally) Latency(p float64) float64 { return percentile(t.latencies, p) }

// count tallies the declarations: complete ones (four documents accepted),
// decided ones, and their latency from the last 202 to the decision.
func (b *decisions) count(from, to time.Time) Tally {
	b.mu.Lock()
	defer b.mu.Unlock()
	var t Tally
	for _, x := range b.decls {
		t.Declarations++
		if x.parts == 4 {
			t.Complete++
		}
		if x.double {
			t.Double++
		}
		if x.decided.IsZero() {
			if x.parts == 4 {
				t.Undecided++
			}
			continue
		}
		t.Decided++
		if !x.decided.Before(from) && !x.decided.After(to) {
			t.DecidedIn++
		}
		if x.parts == 4 {
			// A decision may come before the last 202 is read: 0 then.
			l := max(0, x.decided.Sub(x.accepted))
			t.latencies = append(t.latencies, l)
			if l >= SlowLatency {
				t.Slow = append(t.Slow, Span{From: x.accepted, To: x.decided})
			}
		}
	}
	slices.Sort(t.latencies)
	return t
}

// percentile of sorted durations, in milliseconds.
func percentile(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)-1) * p)
	return float64(sorted[i]) / float64(time.Millisecond)
}
