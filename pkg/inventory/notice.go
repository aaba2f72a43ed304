package inventory

import (
	"encoding/json"
	"time"

	"github.com/cbec/cbec/pkg/ceb"
)

// Notice is the payload of every inventory event on CBEC_EVENTS
// (cbec.evt.inventory.<event>, cbec.evt.review.requested): who, which list,
// the status reached and, for a review request, a release and a rejection,
// the whole State (tax, rule hits, history), so that consumers such as the
// review desk need not ask back.
type Notice struct {
	Key string `json:"key"`
	ListID
	Status string          `json:"status"`
	Code   string          `json:"code,omitempty"`
	Info   string          `json:"info,omitempty"`
	At     time.Time       `json:"at"`
	State  json.RawMessage `json:"state,omitempty"`
}

// Encode is json.Marshal of the notice, with State, the publisher's own
// encoding of the state, appended as it is (ceb.MarshalWith).
func (n Notice) Encode() ([]byte, error) {
	state := n.State
	n.State = nil
	return ceb.MarshalWith(n, "state", state)
}
