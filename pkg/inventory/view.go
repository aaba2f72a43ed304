package inventory

import (
	"time"

	"github.com/cbec/cbec/pkg/risk"
	"github.com/cbec/cbec/pkg/tax"
)

// View is a declaration's clearance state as the HTTP API shows it to its
// parties (GET /v1/import/inventories/{ebpCode}/{orderNo}): the read model
// the gateway decodes from CBEC_INVENTORY instead of clearance's storage
// type, State. Its fields are the API's: a field State gains is not shown
// until it is added here, and the JSON of the answer (docs/openapi.yaml,
// InventoryView) changes only then. Today the answer shows every field
// State stores; TestViewShowsTheState holds the two to that.
//
// It has no behaviour of clearance's — no steps, no decisions — only what
// a reader asks of a declaration: who may read it (Readers) and whether it
// may still be replaced (Modifiable).
type View struct {
	EbpCode       string `json:"ebpCode"`
	OrderNo       string `json:"orderNo"`
	EbcCode       string `json:"ebcCode"`
	AgentCode     string `json:"agentCode"`
	GUID          string `json:"guid"`
	CustomsCode   string `json:"customsCode,omitempty"`
	TradeMode     string `json:"tradeMode,omitempty"`
	LogisticsCode string `json:"logisticsCode,omitempty"`
	LogisticsNo   string `json:"logisticsNo,omitempty"`
	// AssureCode is the tax guarantor.
	AssureCode string `json:"assureCode,omitempty"`
	// Buyer is the buyer's quota key, never the ID number itself.
	Buyer string `json:"buyer,omitempty"`
	// PreNo is the E-Port pre-entry number, CopNo the enterprise's own
	// number, InvtNo the customs list number once assigned.
	PreNo  string `json:"preNo,omitempty"`
	CopNo  string `json:"copNo,omitempty"`
	InvtNo string `json:"invtNo,omitempty"`
	// Status is the last CEB622 status; Code the error code of a rejection.
	Status string `json:"status"`
	Code   string `json:"code,omitempty"`
	// InSeq is the CEB_IN sequence of the document version shown.
	InSeq      uint64    `json:"inSeq"`
	DeclaredAt time.Time `json:"declaredAt"`
	DecidedAt  time.Time `json:"decidedAt,omitzero"`
	ReleasedAt time.Time `json:"releasedAt,omitzero"`
	// Tax is the assessment, Hits the risk rules that fired, Counted what
	// the list counted in the buyer's annual quota.
	Tax     *tax.Assessment `json:"tax,omitempty"`
	Hits    []risk.Hit      `json:"hits,omitempty"`
	Counted *Counted        `json:"counted,omitempty"`
	// CancelSeq is the CEB_IN sequence of the cancellation applied.
	CancelSeq uint64  `json:"cancelSeq,omitempty"`
	History   []Event `json:"history"`
	// By and From are clearance's bookkeeping for replays, which the API
	// has always shown.
	By   string `json:"by,omitempty"`
	From int    `json:"from,omitempty"`
}

// Readers returns the party codes that may read the declaration: the same
// as State.Readers.
func (v *View) Readers() []string {
	s := State{EbpCode: v.EbpCode, EbcCode: v.EbcCode, AgentCode: v.AgentCode}
	return s.Readers()
}

// Modifiable reports whether an appType 2 may still replace the list:
// State.Modifiable of its status.
func (v *View) Modifiable() bool {
	s := State{Status: v.Status}
	return s.Modifiable()
}
