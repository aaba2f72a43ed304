// Package review holds the rules of the customs officers' review desk
// (domain §7, the statuses 300 and 500; D19): when a list gets a case, which officer may take which
// action on a case in which state, what a decision sends to clearance, and
// how a case follows its list. It is pure: the review service reads a
// case, asks these rules and writes what they decide; clearance has the
// last word on a decision through inventory.State.Decidable, which the
// rules here apply first.
//
// A case is open while its list is in review (300) or under inspection
// (500). One officer at a time holds it (a claim, which expires); the
// holder or a supervisor decides: release, reject, inspect (300 → 500),
// and on a list under inspection release, reject or detain. Until
// clearance applies a decision the case holds it as pending and takes no
// other.
package review

import (
	"time"

	"github.com/cbec/cbec/pkg/inventory"
)

// Case is what the rules know of a review case: the list it is about, its
// status, the claim and the decision on its way.
type Case struct {
	// Key is the list's state key (docstore.InventoryKey), the case's id.
	Key string `json:"key"`
	// Status is the list's CEB622 status as last seen: 300 and 500 are
	// open, anything else is closed.
	Status string `json:"status"`
	Claim  *Claim `json:"claim,omitempty"`
	// Pending is a decision sent to clearance and not yet applied; the
	// case takes no other decision meanwhile.
	Pending *Pending `json:"pending,omitempty"`
}

// Claim is an officer's hold on a case.
type Claim struct {
	Officer string    `json:"officer"`
	At      time.Time `json:"at"`
	Until   time.Time `json:"until"`
	// By is who made the claim when it is not the officer (a supervisor's
	// reassignment).
	By string `json:"by,omitempty"`
}

// Pending is a decision published and not yet applied by clearance.
type Pending struct {
	Decision string `json:"decision"`
	// Status is the detention status of a detain decision.
	Status string `json:"status,omitempty"`
	// From is the list's status the decision was taken on: once the list
	// leaves it, clearance has applied the decision (or the list moved on
	// by itself).
	From    string    `json:"from"`
	Officer string    `json:"officer"`
	At      time.Time `json:"at"`
}

// Open reports whether the case waits for a decision: the list is in
// review (300) or under inspection (500).
func (c *Case) Open() bool {
	return c.Status == inventory.StatusReview || c.Status == inventory.StatusInspect
}

// Decidable reports whether a decision may be taken now: open, and no
// decision on its way to clearance.
func (c *Case) Decidable() bool { return c.Open() && c.Pending == nil }

// ActiveClaim returns the claim unless it has expired at now: a claim
// ends at the first instant of Until.
func (c *Case) ActiveClaim(now time.Time) *Claim {
	if c.Claim == nil || !now.Before(c.Claim.Until) {
		return nil
	}
	return c.Claim
}

// ClaimedBy returns the officer holding an unexpired claim, or "".
func (c *Case) ClaimedBy(now time.Time) string {
	if cl := c.ActiveClaim(now); cl != nil {
		return cl.Officer
	}
	return ""
}

// Follow takes the list's new status: a decision pending since another
// status has been applied by clearance (or the list moved on by itself, a
// cancellation), and a closed case is held by nobody.
func (c *Case) Follow(status string) {
	c.Status = status
	if c.Pending != nil && c.Status != c.Pending.From {
		c.Pending = nil
	}
	if !c.Open() {
		c.Claim = nil
	}
}

// RequestedAt returns when the list was held for review — the time of
// the first 300 step of its history — and whether it ever was: only such
// a list has a case.
func RequestedAt(history []inventory.Event) (time.Time, bool) {
	for _, e := range history {
		if e.Status == inventory.StatusReview {
			return e.Time, true
		}
	}
	return time.Time{}, false
}
