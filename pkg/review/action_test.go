package review_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/inventory"
	"github.com/cbec/cbec/pkg/review"
)

var now = time.Date(2025, 3, 10, 10, 0, 0, 0, time.UTC)

const (
	me    = "OFFICER01"
	other = "OFFICER02"
)

// holders are the claims a case may carry: none, the caller's, another
// officer's, and another's that expired at this very instant.
var holders = map[string]*review.Claim{
	"none":    nil,
	"me":      {Officer: me, At: now.Add(-time.Minute), Until: now.Add(29 * time.Minute)},
	"other":   {Officer: other, At: now.Add(-time.Minute), Until: now.Add(29 * time.Minute)},
	"expired": {Officer: other, At: now.Add(-30 * time.Minute), Until: now},
}

func codeOf(err error) errcode.Code {
	if err == nil {
		return ""
	}
	return errcode.Of(err)
}

// expected states the rules of docs/review.md's table of actions on its
// own, for one case and caller: the code the action is refused with, ""
// when allowed.
func expected(action, status string, pending bool, holder string, supervisor bool) errcode.Code {
	open := status == inventory.StatusReview || status == inventory.StatusInspect
	decidable := open && !pending
	held := holder == "me" || holder == "other" // an expired claim is none
	switch action {
	case review.ActionClaim:
		switch {
		case !decidable:
			return errcode.ReviewDecided
		case holder == "other":
			return errcode.ReviewClaimed
		}
		return ""
	case review.ActionUnclaim:
		switch {
		case !held:
			return errcode.ReviewNotClaimant
		case holder == "other" && !supervisor:
			return errcode.ReviewClaimed
		}
		return ""
	case review.ActionNotes:
		return ""
	case review.ActionReassign:
		switch {
		case !supervisor:
			return errcode.Forbidden
		case !decidable:
			return errcode.ReviewDecided
		}
		return ""
	case review.ActionRelease, review.ActionReject, review.ActionInspect, review.ActionInspectionResult:
		switch {
		case !decidable:
			return errcode.ReviewDecided
		case holder == "other" && !supervisor:
			return errcode.ReviewClaimed
		case !held && !supervisor:
			return errcode.ReviewNotClaimant
		case action == review.ActionInspect && status != inventory.StatusReview:
			return errcode.ReviewStatus
		case action == review.ActionInspectionResult && status != inventory.StatusInspect:
			return errcode.ReviewStatus
		}
		return ""
	}
	return errcode.NotFound
}

// TestAllowedEveryActionEveryState holds Allowed to the table for every
// action, list status, pending decision, claim and role.
func TestAllowedEveryActionEveryState(t *testing.T) {
	statuses := []string{inventory.StatusReview, inventory.StatusInspect, inventory.StatusReleased, inventory.StatusRejected,
		inventory.StatusCancelled, "501"}
	n := 0
	for _, action := range append(review.Actions, "approve") {
		for _, status := range statuses {
			for _, pending := range []bool{false, true} {
				for holder, claim := range holders {
					for _, sup := range []bool{false, true} {
						c := review.Case{Key: "inv.P.O-1", Status: status, Claim: claim}
						if pending {
							c.Pending = &review.Pending{Decision: inventory.DecisionRelease, From: status, Officer: other, At: now}
						}
						got := codeOf(c.Allowed(review.Officer{Code: me, Supervisor: sup}, action, now))
						if want := expected(action, status, pending, holder, sup); got != want {
							t.Errorf("%s on %s (pending %v, claim %s, supervisor %v): %q, want %q", action, status, pending, holder, sup, got, want)
						}
						n++
					}
				}
			}
		}
	}
	if n != 9*6*2*4*2 {
		t.Errorf("%d combinations tried", n)
	}
}

func TestClaimExpiresAtItsEnd(t *testing.T) {
	c := review.Case{Key: "k", Status: inventory.StatusReview, Claim: &review.Claim{Officer: other, Until: now}}
	if got := c.ClaimedBy(now.Add(-time.Nanosecond)); got != other {
		t.Errorf("a nanosecond before its end the claim is %q's, want %q", got, other)
	}
	if got := c.ClaimedBy(now); got != "" {
		t.Errorf("at its end the claim is still %q's", got)
	}
}

func TestTakeUnclaimReassign(t *testing.T) {
	officer := review.Officer{Code: me}
	super := review.Officer{Code: "SUPER01", Supervisor: true}
	c := review.Case{Key: "k", Status: inventory.StatusReview}
	if err := c.Take(officer, now, 30*time.Minute); err != nil || c.Claim == nil || c.Claim.Officer != me || !c.Claim.Until.Equal(now.Add(30*time.Minute)) {
		t.Fatalf("claim: %v, %+v", err, c.Claim)
	}
	// Claiming one's own case renews it.
	if err := c.Take(officer, now.Add(time.Minute), 30*time.Minute); err != nil || !c.Claim.Until.Equal(now.Add(31*time.Minute)) {
		t.Errorf("renewal: %v, %+v", err, c.Claim)
	}
	if err := c.Take(super, now, time.Minute); codeOf(err) != errcode.ReviewClaimed || c.Claim.Officer != me {
		t.Errorf("a supervisor claiming a held case: %v, claim %+v", err, c.Claim)
	}
	isOfficer := func(code string) bool { return code == other }
	if _, err := c.Reassign(super, " NOBODY ", isOfficer, now, time.Hour); codeOf(err) != errcode.BadRequest || !strings.Contains(err.Error(), `" NOBODY "`) {
		t.Errorf("reassignment to a non-officer: %v", err)
	}
	to, err := c.Reassign(super, " "+other+" ", isOfficer, now, time.Hour)
	if err != nil || to != other || c.Claim.Officer != other || c.Claim.By != super.Code || !c.Claim.Until.Equal(now.Add(time.Hour)) {
		t.Errorf("reassignment: %q, %v, %+v", to, err, c.Claim)
	}
	if err := c.Unclaim(officer, now); codeOf(err) != errcode.ReviewClaimed {
		t.Errorf("unclaiming another's claim: %v", err)
	}
	if err := c.Unclaim(super, now); err != nil || c.Claim != nil {
		t.Errorf("a supervisor unclaiming: %v, %+v", err, c.Claim)
	}
}

func TestDecide(t *testing.T) {
	long := strings.Repeat("理", 501) // a reason holds 500 characters
	cases := []struct {
		name   string
		status string
		action string
		req    review.Request
		want   inventory.ReviewDecision
		code   errcode.Code
		keeps  bool // the claim stays with the officer
	}{
		{"release in review", inventory.StatusReview, review.ActionRelease, review.Request{}, inventory.ReviewDecision{Decision: inventory.DecisionRelease}, "", false},
		{"reject with reason", inventory.StatusReview, review.ActionReject, review.Request{Reason: "  price differs "},
			inventory.ReviewDecision{Decision: inventory.DecisionReject, Reason: "price differs"}, "", false},
		{"reject without reason", inventory.StatusReview, review.ActionReject, review.Request{Reason: "   "}, inventory.ReviewDecision{}, errcode.BadRequest, true},
		{"reason of the longest length", inventory.StatusReview, review.ActionReject, review.Request{Reason: long[:len(long)-len("理")]},
			inventory.ReviewDecision{Decision: inventory.DecisionReject, Reason: long[:len(long)-len("理")]}, "", false},
		{"reason too long", inventory.StatusReview, review.ActionRelease, review.Request{Reason: long}, inventory.ReviewDecision{}, errcode.BadRequest, true},
		{"reason too long before the status", inventory.StatusInspect, review.ActionInspect, review.Request{Reason: long}, inventory.ReviewDecision{}, errcode.BadRequest, true},
		{"inspect in review", inventory.StatusReview, review.ActionInspect, review.Request{Reason: "weigh it"},
			inventory.ReviewDecision{Decision: inventory.DecisionInspect, Reason: "weigh it"}, "", true},
		{"inspect under inspection", inventory.StatusInspect, review.ActionInspect, review.Request{}, inventory.ReviewDecision{}, errcode.ReviewStatus, true},
		{"result in review", inventory.StatusReview, review.ActionInspectionResult, review.Request{Result: review.ResultRelease}, inventory.ReviewDecision{}, errcode.ReviewStatus, true},
		{"result release", inventory.StatusInspect, review.ActionInspectionResult, review.Request{Result: review.ResultRelease},
			inventory.ReviewDecision{Decision: inventory.DecisionRelease}, "", false},
		{"result detain 502", inventory.StatusInspect, review.ActionInspectionResult, review.Request{Result: review.ResultDetain, Status: "502"},
			inventory.ReviewDecision{Decision: inventory.DecisionDetain, Status: "502"}, "", false},
		{"result detain 504", inventory.StatusInspect, review.ActionInspectionResult, review.Request{Result: review.ResultDetain, Status: "504"}, inventory.ReviewDecision{}, errcode.BadRequest, true},
		{"result of no kind", inventory.StatusInspect, review.ActionInspectionResult, review.Request{Result: "keep"}, inventory.ReviewDecision{}, errcode.BadRequest, true},
		{"reject under inspection", inventory.StatusInspect, review.ActionReject, review.Request{Reason: "fake"},
			inventory.ReviewDecision{Decision: inventory.DecisionReject, Reason: "fake"}, "", false},
		{"claim is no decision", inventory.StatusReview, review.ActionClaim, review.Request{}, inventory.ReviewDecision{}, errcode.NotFound, true},
	}
	for _, c := range cases {
		cs := review.Case{Key: "inv.P.O-1", Status: c.status, Claim: &review.Claim{Officer: me, Until: now.Add(time.Minute)}}
		d, err := cs.Decide(review.Officer{Code: me}, c.action, c.req, now)
		if codeOf(err) != c.code {
			t.Errorf("%s: %v, want %q", c.name, err, c.code)
			continue
		}
		if (cs.Claim != nil) != c.keeps {
			t.Errorf("%s: claim %+v, kept should be %v", c.name, cs.Claim, c.keeps)
		}
		if err != nil {
			if cs.Pending != nil {
				t.Errorf("%s: refused, yet pending %+v", c.name, cs.Pending)
			}
			continue
		}
		c.want.Key, c.want.Officer = "inv.P.O-1", me
		if d != c.want {
			t.Errorf("%s: decision %+v, want %+v", c.name, d, c.want)
		}
		want := review.Pending{Decision: d.Decision, Status: d.Status, From: c.status, Officer: me, At: now}
		if cs.Pending == nil || *cs.Pending != want {
			t.Errorf("%s: pending %+v, want %+v", c.name, cs.Pending, want)
		}
		// A decision on its way takes no other.
		if _, err := cs.Decide(review.Officer{Code: me, Supervisor: true}, review.ActionRelease, review.Request{}, now); codeOf(err) != errcode.ReviewDecided {
			t.Errorf("%s: a second decision: %v", c.name, err)
		}
	}
}

func TestCheckNote(t *testing.T) {
	cases := []struct {
		name  string
		text  string
		notes int
		want  errcode.Code
	}{
		{"a note", "  weigh it  ", 0, ""},
		{"the last note a case holds", "x", 199, ""}, // 200 notes a case
		{"one note too many", "x", 200, errcode.BadRequest},
		{"empty", " \t ", 0, errcode.BadRequest},
		{"the longest", strings.Repeat("注", 2000), 0, ""}, // docs/review.md: up to 2000 characters
		{"too long", strings.Repeat("注", 2001), 0, errcode.BadRequest},
	}
	for _, c := range cases {
		text, err := review.CheckNote("k", c.text, c.notes)
		if codeOf(err) != c.want {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
		if err == nil && text != strings.TrimSpace(c.text) {
			t.Errorf("%s: text %q", c.name, text)
		}
	}
}
