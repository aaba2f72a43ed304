// Package inventory holds the clearance of a retail import inventory list
// (CEB621): its stored state — status, receipt history, tax, rule hits, what
// was counted in the buyer's quota — and Decide, which applies every customs
// rule to a complete declaration. It is domain: it imports no NATS and no
// HTTP.
package inventory

import (
	"time"

	"github.com/shopspring/decimal"
)

// Status values of CEB622 (domain §7), and the project's own state of a
// withdrawn list.
const (
	StatusDeclared  = "2"   // being declared: accepted at intake, waiting for its documents and the check
	StatusRejected  = "100" // rejected by customs (code in the receipt's returnInfo)
	StatusAccepted  = "120" // logic checks passed; the dutiable value is counted (D6)
	StatusReview    = "300" // manual review by a customs officer
	StatusConcluded = "399" // review concluded
	StatusInspect   = "500" // physical inspection ordered by an officer
	StatusReleased  = "800" // released
	// StatusCancelled is not a CEB622 status: the list was withdrawn by a
	// cancellation (CEB623), whose own receipts (CEB624) carry 120 and 399.
	StatusCancelled = "cancelled"
)

// Event is one step of the list's history.
type Event struct {
	Status string    `json:"status"`
	Info   string    `json:"info,omitempty"`
	Time   time.Time `json:"time"`
}

// Counted records what the list counted in the buyer's quota, so that it is
// given back to the same ledger row (D16).
type Counted struct {
	// Row is the ledger row: buyer key and year.
	Row    string          `json:"row"`
	Amount decimal.Decimal `json:"amount"`
	// GivenBack is set once the amount went back (rejection, cancellation).
	GivenBack bool `json:"givenBack,omitempty"`
}

// State is the stored clearance state of one inventory list, keyed by
// (ebpCode, orderNo): the View its parties read, and clearance's behaviour
// on it (the methods below). A field that must be stored but not shown
// goes here, beside View, not into it.
type State struct {
	View
}

// Modifiable reports whether an appType 2 may still replace the list: only
// before customs has checked it. A list with no state yet may be.
func (s *State) Modifiable() bool {
	return s == nil || s.View.Modifiable()
}

// Cancellable reports whether a cancellation (CEB623) may withdraw the list:
// after the check and before release (-623005 otherwise).
func (s *State) Cancellable() bool {
	switch s.Status {
	case StatusAccepted, StatusReview, StatusConcluded:
		return true
	}
	return false
}

// Detained reports whether status is a detention (501 transferred to
// clearance, 502 anti-smuggling, 503 legal, 599 other), which keeps the
// amount counted (D19).
func Detained(status string) bool {
	switch status {
	case "501", "502", "503", "599":
		return true
	}
	return false
}

// Decidable reports whether an officer's decision d fits the list's status:
// release, reject or inspect a list in review; release, reject or detain a
// list under inspection.
func (s *State) Decidable(d ReviewDecision) bool {
	switch s.Status {
	case StatusReview:
		return d.Decision == DecisionRelease || d.Decision == DecisionReject || d.Decision == DecisionInspect
	case StatusInspect:
		return d.Decision == DecisionRelease || d.Decision == DecisionReject || d.Decision == DecisionDetain && Detained(d.Status)
	}
	return false
}

// Record appends a step to the history and sets the status.
func (s *State) Record(status, info string, at time.Time) {
	s.Status = status
	s.History = append(s.History, Event{Status: status, Info: info, Time: at.UTC()})
}

// Decisions an officer can take on a list in review (300) or under
// inspection (500).
const (
	DecisionRelease = "release" // → 399 → 800
	DecisionReject  = "reject"  // → 100, quota given back
	DecisionInspect = "inspect" // 300 → 500
	DecisionDetain  = "detain"  // 500 → 501, 502, 503 or 599 (Status), quota kept (D19)
)

// ReviewDecision is the payload of cbec.evt.review.decided: the review desk
// publishes it, clearance applies it.
type ReviewDecision struct {
	// Key is the list's state key (docstore.InventoryKey).
	Key      string `json:"key"`
	Decision string `json:"decision"`
	// Status is the detention status of DecisionDetain.
	Status  string `json:"status,omitempty"`
	Reason  string `json:"reason,omitempty"`
	Officer string `json:"officer"`
}
