package review_test

import (
	"testing"
	"time"

	"github.com/cbec/cbec/pkg/inventory"
	"github.com/cbec/cbec/pkg/review"
)

func TestOpenAndDecidable(t *testing.T) {
	cases := []struct {
		status          string
		pending         bool
		open, decidable bool
	}{
		{inventory.StatusReview, false, true, true},
		{inventory.StatusInspect, false, true, true},
		{inventory.StatusReview, true, true, false},
		{inventory.StatusInspect, true, true, false},
		{inventory.StatusDeclared, false, false, false},
		{inventory.StatusAccepted, false, false, false},
		{inventory.StatusConcluded, false, false, false},
		{inventory.StatusReleased, false, false, false},
		{inventory.StatusRejected, false, false, false},
		{inventory.StatusCancelled, false, false, false},
		{"501", false, false, false},
	}
	for _, c := range cases {
		cs := review.Case{Status: c.status}
		if c.pending {
			cs.Pending = &review.Pending{}
		}
		if cs.Open() != c.open || cs.Decidable() != c.decidable {
			t.Errorf("%s (pending %v): open %v decidable %v, want %v %v", c.status, c.pending, cs.Open(), cs.Decidable(), c.open, c.decidable)
		}
	}
}

// TestFollow: a case follows its list — the pending decision ends once
// the list leaves the status it was taken on, the claim once the case
// closes.
func TestFollow(t *testing.T) {
	claim := &review.Claim{Officer: me, Until: now.Add(time.Hour)}
	cases := []struct {
		name        string
		from, to    string
		pendingFrom string // "" for no pending decision
		pending     bool
		claimed     bool
	}{
		{"an event of the same status", inventory.StatusReview, inventory.StatusReview, inventory.StatusReview, true, true},
		{"inspection applied", inventory.StatusReview, inventory.StatusInspect, inventory.StatusReview, false, true},
		{"release applied", inventory.StatusReview, inventory.StatusConcluded, inventory.StatusReview, false, false},
		{"released under inspection", inventory.StatusInspect, inventory.StatusReleased, inventory.StatusInspect, false, false},
		{"detained", inventory.StatusInspect, "502", inventory.StatusInspect, false, false},
		{"cancelled with nothing pending", inventory.StatusReview, inventory.StatusCancelled, "", false, false},
	}
	for _, c := range cases {
		cs := review.Case{Status: c.from, Claim: claim}
		if c.pendingFrom != "" {
			cs.Pending = &review.Pending{Decision: inventory.DecisionRelease, From: c.pendingFrom}
		}
		cs.Follow(c.to)
		if cs.Status != c.to || (cs.Pending != nil) != c.pending || (cs.Claim != nil) != c.claimed {
			t.Errorf("%s: status %s pending %v claimed %v, want %s %v %v", c.name, cs.Status, cs.Pending != nil, cs.Claim != nil, c.to, c.pending, c.claimed)
		}
	}
}

func TestRequestedAt(t *testing.T) {
	at := func(m int) time.Time { return now.Add(time.Duration(m) * time.Minute) }
	history := []inventory.Event{{Status: inventory.StatusDeclared, Time: at(0)}, {Status: inventory.StatusAccepted, Time: at(1)},
		{Status: inventory.StatusReview, Time: at(2)}, {Status: inventory.StatusInspect, Time: at(3)}, {Status: inventory.StatusReview, Time: at(4)}}
	if got, ok := review.RequestedAt(history); !ok || !got.Equal(at(2)) {
		t.Errorf("RequestedAt = %v, %v; want the first 300 at %v", got, ok, at(2))
	}
	if _, ok := review.RequestedAt(history[:2]); ok {
		t.Error("a list never in review has a case")
	}
}
