// Package inventory holds the clearance state of a retail import inventory
// list (CEB621): its status, its receipt history and the facts customs
// decided on. It is domain: it imports no NATS and no HTTP.
package inventory

import "time"

// Status values of CEB622 (domain §7).
const (
	StatusDeclared = "2"   // being declared: accepted at intake, waiting for the check
	StatusAccepted = "120" // logic checks passed
	StatusRejected = "100" // rejected by customs
	StatusReview   = "300" // manual review
	StatusReleased = "800" // released
)

// Event is one step of the inventory's receipt history.
type Event struct {
	Status string    `json:"status"`
	Info   string    `json:"info,omitempty"`
	Time   time.Time `json:"time"`
}

// State is the stored clearance state of one inventory list, keyed by
// (ebpCode, orderNo).
type State struct {
	EbpCode   string `json:"ebpCode"`
	OrderNo   string `json:"orderNo"`
	EbcCode   string `json:"ebcCode"`
	AgentCode string `json:"agentCode"`
	GUID      string `json:"guid"`
	// PreNo is the E-Port pre-entry number assigned at declaration.
	PreNo string `json:"preNo,omitempty"`
	// CopNo is the enterprise's own number of the list.
	CopNo  string `json:"copNo,omitempty"`
	InvtNo string `json:"invtNo,omitempty"`
	Status string `json:"status"`
	// InSeq is the CEB_IN sequence of the document version this state
	// describes; a redelivered message with a sequence already applied
	// changes nothing.
	InSeq   uint64  `json:"inSeq"`
	History []Event `json:"history"`
}

// Modifiable reports whether an appType 2 may still replace the list: only
// before customs has checked it.
func (s *State) Modifiable() bool {
	return s == nil || s.Status == "" || s.Status == StatusDeclared
}

// Record appends a step to the history and sets the status.
func (s *State) Record(status, info string, at time.Time) {
	s.Status = status
	s.History = append(s.History, Event{Status: status, Info: info, Time: at.UTC()})
}

// Readers returns the party codes that may read the declaration.
func (s *State) Readers() []string { return []string{s.EbpCode, s.EbcCode, s.AgentCode} }
