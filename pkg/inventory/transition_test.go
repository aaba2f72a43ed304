package inventory_test

import (
	"slices"
	"testing"

	"github.com/cbec/cbec/pkg/inventory"
)

// statuses are every status a list can be in, so that each table below
// says what happens in all of them, not only in the ones that allow it.
var statuses = []string{"", inventory.StatusDeclared, inventory.StatusRejected, inventory.StatusAccepted,
	inventory.StatusReview, inventory.StatusConcluded, inventory.StatusInspect, inventory.StatusReleased,
	"501", "502", "503", "599", "700", inventory.StatusCancelled}

// TestCancellable: a cancellation (CEB623) withdraws a list after the
// check (120) and before release: in 120, 300 and 399 only.
func TestCancellable(t *testing.T) {
	want := []string{inventory.StatusAccepted, inventory.StatusReview, inventory.StatusConcluded}
	for _, s := range statuses {
		st := &inventory.State{View: inventory.View{Status: s}}
		if got := st.Cancellable(); got != slices.Contains(want, s) {
			t.Errorf("status %q: Cancellable = %v", s, got)
		}
	}
}

// TestDetained: 501, 502, 503 and 599 are detentions (D19); 500
// (inspection) and 700 (returned abroad) are not.
func TestDetained(t *testing.T) {
	want := []string{"501", "502", "503", "599"}
	for _, s := range append(statuses, "500", "504", "598", "600") {
		if got := inventory.Detained(s); got != slices.Contains(want, s) {
			t.Errorf("Detained(%q) = %v", s, got)
		}
	}
}

// TestDecidable is the officer's table: in review (300) release, reject or
// inspect; under inspection (500) release, reject or detain with a
// detention status; in any other status nothing.
func TestDecidable(t *testing.T) {
	decisions := []inventory.ReviewDecision{
		{Decision: inventory.DecisionRelease}, {Decision: inventory.DecisionReject},
		{Decision: inventory.DecisionInspect}, {Decision: inventory.DecisionDetain, Status: "502"},
		{Decision: inventory.DecisionDetain, Status: "500"}, {Decision: inventory.DecisionDetain},
		{Decision: "approve"},
	}
	allowed := map[string][]string{
		inventory.StatusReview:  {"release ", "reject ", "inspect "},
		inventory.StatusInspect: {"release ", "reject ", "detain 502"},
	}
	for _, s := range statuses {
		for _, d := range decisions {
			st := &inventory.State{View: inventory.View{Status: s}}
			want := slices.Contains(allowed[s], d.Decision+" "+d.Status)
			if got := st.Decidable(d); got != want {
				t.Errorf("status %q, decision %s %s: Decidable = %v, want %v", s, d.Decision, d.Status, got, want)
			}
		}
	}
}

func TestReaders(t *testing.T) {
	st := &inventory.State{View: inventory.View{ListID: inventory.ListID{EbpCode: "P", EbcCode: "E", AgentCode: "A"}}}
	if got := st.Readers(); !slices.Equal(got, []string{"P", "E", "A"}) {
		t.Fatalf("Readers() = %v", got)
	}
}
