// Package inventory holds the clearance of a retail import inventory list
// (CEB621): its stored state — status, receipt history, tax, rule hits, what
// was counted in the buyer's quota — and Decide, which applies every customs
// rule to a complete declaration. It is domain: it imports no NATS and no
// HTTP.
package inventory

import (
	"time"

	"github.com/cbec/cbec/pkg/risk"
	"github.com/cbec/cbec/pkg/tax"
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
// (ebpCode, orderNo).
type State struct {
	EbpCode       string `json:"ebpCode"`
	OrderNo       string `json:"orderNo"`
	EbcCode       string `json:"ebcCode"`
	AgentCode     string `json:"agentCode"`
	GUID          string `json:"guid"`
	CustomsCode   string `json:"customsCode,omitempty"`
	TradeMode     string `json:"tradeMode,omitempty"`
	LogisticsCode string `json:"logisticsCode,omitempty"`
	LogisticsNo   string `json:"logisticsNo,omitempty"`
	AssureCode    string `json:"assureCode,omitempty"`
	// Buyer is the buyer's quota key (an HMAC of the ID number, D6), never
	// the ID number itself.
	Buyer string `json:"buyer,omitempty"`
	// PreNo is the E-Port pre-entry number assigned at declaration.
	PreNo string `json:"preNo,omitempty"`
	// CopNo is the enterprise's own number of the list.
	CopNo string `json:"copNo,omitempty"`
	// InvtNo is the customs list number assigned when the checks pass.
	InvtNo string `json:"invtNo,omitempty"`
	Status string `json:"status"`
	// Code is the error code of a rejection.
	Code string `json:"code,omitempty"`
	// InSeq is the CEB_IN sequence of the document version this state
	// describes; a redelivered message with a sequence already applied
	// changes nothing.
	InSeq uint64 `json:"inSeq"`
	// DeclaredAt starts the wait for the other three documents.
	DeclaredAt time.Time `json:"declaredAt"`
	// DecidedAt is when customs decided (100, 120).
	DecidedAt time.Time `json:"decidedAt,omitzero"`
	// ReleasedAt starts the return windows (D7).
	ReleasedAt time.Time `json:"releasedAt,omitzero"`
	// Tax is the assessed tax, per line and in total.
	Tax *tax.Assessment `json:"tax,omitempty"`
	// Hits are the risk rules that fired, so an officer sees why.
	Hits    []risk.Hit `json:"hits,omitempty"`
	Counted *Counted   `json:"counted,omitempty"`
	// CancelSeq is the CEB_IN sequence of the cancellation applied.
	CancelSeq uint64  `json:"cancelSeq,omitempty"`
	History   []Event `json:"history"`
	// By names the message that made the last change and From the first
	// history step it added, so that a redelivery of that message can
	// re-publish exactly those steps.
	By   string `json:"by,omitempty"`
	From int    `json:"from,omitempty"`
}

// Modifiable reports whether an appType 2 may still replace the list: only
// before customs has checked it.
func (s *State) Modifiable() bool {
	return s == nil || s.Status == "" || s.Status == StatusDeclared
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

// Readers returns the party codes that may read the declaration.
func (s *State) Readers() []string { return []string{s.EbpCode, s.EbcCode, s.AgentCode} }

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
