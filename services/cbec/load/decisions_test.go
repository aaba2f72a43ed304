package load

import (
	"testing"
	"time"
)

// TestDecisionsTally: a declaration counts as complete with four documents
// accepted, decided at its first decision receipt (a step such as 120 is
// not one), double when a later receipt says otherwise; its latency runs
// from the last 202, and DecidedIn counts only decisions within the window.
func TestDecisionsTally(t *testing.T) {
	b := newDecisions()
	t0 := time.Date(2025, 3, 10, 9, 30, 0, 0, time.UTC)
	for _, g := range []string{"A", "B", "C", "D"} {
		b.expect(g)
	}
	for n := range 4 {
		b.accepted("A", t0.Add(time.Duration(n)*time.Second)) // last 202 at +3 s
		b.accepted("B", t0)
		b.accepted("C", t0)
	}
	b.accepted("D", t0) // one document of four: incomplete
	b.accepted("X", t0) // another run's: ignored
	b.receipt("A", "120", t0.Add(4*time.Second))
	b.receipt("A", "800", t0.Add(5*time.Second)) // 2 s after its last 202
	b.receipt("B", "300", t0.Add(10*time.Second))
	b.receipt("B", "100", t0.Add(11*time.Second)) // a second outcome
	b.receipt("B", "300", t0.Add(12*time.Second))
	b.receipt("X", "800", t0)

	all := b.count(time.Time{}, t0.Add(time.Hour))
	if all.Declarations != 4 || all.Complete != 3 || all.Decided != 2 || all.Undecided != 1 || all.Double != 1 || all.DecidedIn != 2 {
		t.Fatalf("tally %+v", all)
	}
	if all.Latency(0) != 2000 || all.Latency(1) != 10000 || all.Latency(0.5) != 2000 {
		t.Fatalf("latencies p0 %v p50 %v p100 %v ms, want 2000, 2000, 10000", all.Latency(0), all.Latency(0.5), all.Latency(1))
	}
	if w := b.count(t0, t0.Add(5*time.Second)); w.DecidedIn != 1 {
		t.Fatalf("decisions within [t0, t0+5s]: %d, want 1 (A's at the bound)", w.DecidedIn)
	}
	if (Tally{}).Latency(0.99) != 0 {
		t.Fatal("the latency of nothing is not 0")
	}
}

// TestDecisionsTallySlow: the declarations that waited SlowLatency or more
// are listed with their wait; one decided just under it is not.
func TestDecisionsTallySlow(t *testing.T) {
	b := newDecisions()
	t0 := time.Date(2025, 3, 10, 9, 30, 0, 0, time.UTC)
	for g, wait := range map[string]time.Duration{"fast": SlowLatency - time.Millisecond, "at": SlowLatency, "slow": time.Second} {
		b.expect(g)
		for range 4 {
			b.accepted(g, t0)
		}
		b.receipt(g, "800", t0.Add(wait))
	}
	slow := b.count(time.Time{}, t0.Add(time.Hour)).Slow
	if len(slow) != 2 {
		t.Fatalf("slow %+v, want the declarations decided after 100 ms and 1 s", slow)
	}
	for _, s := range slow {
		if !s.From.Equal(t0) || (s.To.Sub(s.From) != SlowLatency && s.To.Sub(s.From) != time.Second) {
			t.Fatalf("slow span %+v", s)
		}
	}
}
