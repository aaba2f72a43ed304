package inventory

import (
	"encoding/json"
	"time"
)

// Notice is the payload of every inventory event on CBEC_EVENTS
// (cbec.evt.inventory.<event>, cbec.evt.review.requested): who, which list,
// the status reached and, for a review request, a release and a rejection,
// the whole State (tax, rule hits, history), so that consumers such as the
// review desk need not ask back.
type Notice struct {
	Key         string          `json:"key"`
	EbpCode     string          `json:"ebpCode"`
	OrderNo     string          `json:"orderNo"`
	EbcCode     string          `json:"ebcCode"`
	AgentCode   string          `json:"agentCode"`
	InvtNo      string          `json:"invtNo,omitempty"`
	CustomsCode string          `json:"customsCode,omitempty"`
	TradeMode   string          `json:"tradeMode,omitempty"`
	Status      string          `json:"status"`
	Code        string          `json:"code,omitempty"`
	Info        string          `json:"info,omitempty"`
	At          time.Time       `json:"at"`
	State       json.RawMessage `json:"state,omitempty"`
}

// Encode is json.Marshal of the notice, except that State is spliced in
// as it is instead of being scanned and compacted again (encoding/json
// does that to every RawMessage, and a state is the bulk of a notice).
// State must therefore be json.Marshal output, as the publisher's own
// encoding of the state is.
func (n Notice) Encode() ([]byte, error) {
	state := n.State
	n.State = nil
	b, err := json.Marshal(n)
	if err != nil || len(state) == 0 {
		return b, err
	}
	out := make([]byte, 0, len(b)+len(state)+10)
	out = append(out, b[:len(b)-1]...) // without the closing brace
	out = append(out, `,"state":`...)
	out = append(out, state...)
	return append(out, '}'), nil
}
