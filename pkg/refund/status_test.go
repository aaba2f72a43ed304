package refund_test

import (
	"testing"

	"github.com/cbec/cbec/pkg/refund"
)

func TestStatusTransitions(t *testing.T) {
	all := []refund.Status{refund.Requested, refund.Arrived, refund.Sorted, refund.Accepted, refund.Rejected, refund.Expired}
	allowed := map[[2]refund.Status]bool{
		{refund.Requested, refund.Arrived}:  true,
		{refund.Requested, refund.Rejected}: true,
		{refund.Requested, refund.Expired}:  true,
		{refund.Arrived, refund.Sorted}:     true,
		{refund.Arrived, refund.Rejected}:   true,
		{refund.Sorted, refund.Accepted}:    true,
		{refund.Sorted, refund.Rejected}:    true,
	}
	// Every pair of states, the unknown state and the empty one: exactly
	// the listed transitions are allowed.
	states := append(all, "", "declared")
	for _, from := range states {
		for _, to := range states {
			if got := from.Can(to); got != allowed[[2]refund.Status{from, to}] {
				t.Errorf("%q → %q: Can = %v", from, to, got)
			}
		}
	}
}

func TestStatusFinal(t *testing.T) {
	final := map[refund.Status]bool{refund.Accepted: true, refund.Rejected: true, refund.Expired: true}
	for _, s := range []refund.Status{refund.Requested, refund.Arrived, refund.Sorted, refund.Accepted, refund.Rejected, refund.Expired} {
		if !s.Valid() {
			t.Errorf("%s not valid", s)
		}
		if s.Final() != final[s] {
			t.Errorf("%s: Final = %v", s, s.Final())
		}
		if s.Final() {
			for _, n := range []refund.Status{refund.Requested, refund.Arrived, refund.Sorted, refund.Accepted, refund.Rejected, refund.Expired} {
				if s.Can(n) {
					t.Errorf("final %s may move to %s", s, n)
				}
			}
		}
	}
	if refund.Status("declared").Valid() || refund.Status("").Valid() {
		t.Error("unknown state valid")
	}
}
