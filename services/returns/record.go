package returns

import (
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/refund"
	"github.com/shopspring/decimal"
)

// Step is one step of a return's history. Receipt steps carry a CEB626
// returnStatus (2, 120, 399, 100); the others record warehouse events.
type Step struct {
	Status  refund.Status `json:"status"`
	Receipt string        `json:"receipt,omitempty"`
	// Event names the step's event when it is not a change of status (an
	// out-of-zone shipment): cbec.evt.return.<Event> instead of <Status>,
	// so that consumers counting outcomes never count one twice.
	Event string    `json:"event,omitempty"`
	Info  string    `json:"info,omitempty"`
	Time  time.Time `json:"time"`
}

// Record is the stored state of one return application (CEB625).
type Record struct {
	Key           string `json:"key"`
	GUID          string `json:"guid"`
	AgentCode     string `json:"agentCode"`
	EbpCode       string `json:"ebpCode"`
	EbcCode       string `json:"ebcCode"`
	OrderNo       string `json:"orderNo"`
	InvtNo        string `json:"invtNo"`
	LogisticsCode string `json:"logisticsCode"`
	LogisticsNo   string `json:"logisticsNo"`
	CustomsCode   string `json:"customsCode"`
	// ListKey is the original list's state key.
	ListKey   string `json:"listKey"`
	TradeMode string `json:"tradeMode"`
	// Zone is the original list's special customs supervision zone (1210).
	Zone       string        `json:"zone,omitempty"`
	PreNo      string        `json:"preNo"`
	CopNo      string        `json:"copNo"`
	Status     refund.Status `json:"status"`
	Code       string        `json:"code,omitempty"`
	Lines      []refund.Line `json:"lines"`
	ReleasedAt time.Time     `json:"releasedAt"`
	// Deadlines of D7: the first instants past the windows.
	ApplyBy   time.Time         `json:"applyBy"`
	ArriveBy  time.Time         `json:"arriveBy"`
	Warehouse string            `json:"warehouse,omitempty"`
	ArrivedAt time.Time         `json:"arrivedAt,omitzero"`
	Sorted    []refund.SortLine `json:"sorted,omitempty"`
	Credits   []refund.Credit   `json:"credits,omitempty"`
	OutOfZone []refund.Shipment `json:"outOfZone,omitempty"`
	// Restored is what the accepted return gave back: quota and tax.
	Restored *refund.Amounts `json:"restored,omitempty"`
	// Row is the ledger row the original list counted in.
	Row     string `json:"row,omitempty"`
	History []Step `json:"history"`
	// By and From name the change last made and its first step, so that a
	// redelivery can complete its publications (as in clearance).
	By   string `json:"by,omitempty"`
	From int    `json:"from,omitempty"`
}

// record appends a step; receipt is the CEB626 status it answers with, or "".
func (r *Record) record(status refund.Status, receipt, info string, at time.Time) {
	r.Status = status
	r.History = append(r.History, Step{Status: status, Receipt: receipt, Info: info, Time: at.UTC()})
}

// refuse records the refusal a rule decided: the code, and receipt 100
// quoting it.
func (r *Record) refuse(out refund.Outcome, at time.Time) {
	r.Code = string(out.Code)
	r.record(out.Status, "100", out.Info(), at)
}

// progress is where the return stands, for the rules of pkg/refund.
func (r *Record) progress() refund.Progress {
	p := refund.Progress{Key: r.Key, Status: r.Status, Warehouse: r.Warehouse, ArriveBy: r.ArriveBy}
	if len(r.History) > 0 {
		p.AppliedAt = r.History[0].Time
	}
	return p
}

// Returned tracks, per original list, the quantity of each line taken by
// returns that are accepted or still in progress (Qty: no return may take
// more than is left), the quantity accepted (Accepted: what later partial
// returns restore against, so a line returned in parts restores exactly its
// whole amount), and the return in progress (one at a time per list).
type Returned struct {
	Qty      map[int]decimal.Decimal `json:"qty"`
	Accepted map[int]decimal.Decimal `json:"accepted,omitempty"`
	Active   string                  `json:"active,omitempty"`
}

// Keys of the CBEC_RETURNS bucket.
func recordKey(returnKey string) string { return "ret." + returnKey }
func returnedKey(listKey string) string { return "orig." + listKey }
func parcelKey(logisticsCode, logisticsNo string) string {
	return "parcel." + broker.Key(logisticsCode, logisticsNo)
}
func pendingKey(returnKey string) string { return "pending." + returnKey }

const pendingFilter = "pending.>"

// registryKey holds the zone and warehouse registry.
const registryKey = "registry"

// load and save are the JSON key-value reads and compare-and-set writes of
// the bucket.
var (
	load = broker.GetJSON
	save = broker.PutJSON
)
