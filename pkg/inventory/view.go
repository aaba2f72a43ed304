package inventory

import (
	"time"

	"github.com/cbec/cbec/pkg/risk"
	"github.com/cbec/cbec/pkg/tax"
)

// View is a declaration's clearance state as the HTTP API shows it to its
// parties (GET /v1/import/inventories/{ebpCode}/{orderNo}): the read model
// the gateway decodes from CBEC_INVENTORY instead of clearance's storage
// type. State embeds it, so the two cannot drift: a field added here is
// stored and shown (docs/openapi.yaml, InventoryView, changes with it); a
// field to store but not show goes into State beside it.
//
// It has no behaviour of clearance's — no steps, no decisions — only what
// a reader asks of a declaration: who may read it (Readers) and whether it
// may still be replaced (Modifiable).
type View struct {
	ListID
	GUID          string `json:"guid"`
	LogisticsCode string `json:"logisticsCode,omitempty"`
	LogisticsNo   string `json:"logisticsNo,omitempty"`
	AssureCode    string `json:"assureCode,omitempty"`
	// Buyer is the buyer's quota key (an HMAC of the ID number, D6), never
	// the ID number itself.
	Buyer string `json:"buyer,omitempty"`
	// PreNo is the E-Port pre-entry number assigned at declaration.
	PreNo string `json:"preNo,omitempty"`
	// CopNo is the enterprise's own number of the list.
	CopNo  string `json:"copNo,omitempty"`
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

// Readers returns the party codes that may read the declaration.
func (v *View) Readers() []string { return []string{v.EbpCode, v.EbcCode, v.AgentCode} }

// Modifiable reports whether an appType 2 may still replace the list: only
// before customs has checked it.
func (v *View) Modifiable() bool {
	return v.Status == "" || v.Status == StatusDeclared
}
