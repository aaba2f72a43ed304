package clearance

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/inventory"
	"github.com/nats-io/nats.go/jetstream"
)

// loadState returns the list's state and revision; found is false when the
// list has not been declared.
func (c *Clearance) loadState(ctx context.Context, key string) (*inventory.State, uint64, bool, error) {
	st := &inventory.State{}
	rev, found, err := c.invReads.GetJSON(ctx, key, st)
	if err != nil {
		return nil, 0, false, err
	}
	return st, rev, found, nil
}

// saveState writes with compare-and-set on rev (0 = create); a lost race is
// broker.ErrConflict. It returns the state's encoding, which the events
// publish carries again.
func (c *Clearance) saveState(ctx context.Context, key string, st *inventory.State, rev uint64) (json.RawMessage, error) {
	b, err := json.Marshal(st)
	if err != nil {
		return nil, err
	}
	return b, broker.PutBytes(ctx, c.inv, key, b, rev)
}

// publish sends the receipts and events of the history steps from index
// from on: the steps' CEB622 receipts together in one message to the agent
// and one to the platform, and one event per step on CBEC_EVENTS. Message
// ids are the list key and the step index (the first one's, for the
// receipts), so publishing the same steps again (a redelivered message
// replaying them) stores nothing twice. stateJSON is st encoded, or nil
// to encode it here if an event needs it.
func (c *Clearance) publish(ctx context.Context, key string, st *inventory.State, from int, stateJSON json.RawMessage) error {
	// Everything goes out asynchronously and is awaited once. The state,
	// which some events carry whole, is encoded once for all of them.
	var (
		futures  []jetstream.PubAckFuture
		receipts []ceb.Document
	)
	for i := from; i < len(st.History); i++ {
		ev := st.History[i]
		// A cancellation is answered by its own CEB624 receipts; the list's
		// step is an event only (it has no CEB622 status).
		if ev.Status != inventory.StatusCancelled {
			r := &ceb.InventoryReturn{
				Guid: st.GUID, CustomsCode: st.CustomsCode, EbpCode: st.EbpCode, EbcCode: st.EbcCode,
				AgentCode: st.AgentCode, CopNo: st.CopNo, PreNo: st.PreNo, InvtNo: st.InvtNo,
				ReturnStatus: ev.Status, ReturnTime: ceb.FormatReturnTime(ev.Time),
				ReturnInfo: inventory.Truncate(ev.Info, 1000),
			}
			if ev.Status == inventory.StatusDeclared {
				r.InvtNo = "" // not assigned yet at that step
			}
			receipts = append(receipts, r)
		}
		fs, err := c.event("inv/"+key+"/"+strconv.Itoa(i), key, st, i, &stateJSON)
		futures = append(futures, fs...)
		if err != nil {
			return err
		}
	}
	if len(receipts) > 0 {
		last := st.History[len(st.History)-1].Time
		fs, err := c.outbox.PublishAll("inv/"+key+"/"+strconv.Itoa(from), receipts, last, st.AgentCode, st.EbpCode)
		futures = append(futures, fs...)
		if err != nil {
			return err
		}
	}
	return broker.Wait(ctx, futures...)
}

// reviewed reports whether the list was in review (300) before step i: the
// review desk follows such lists' later steps, and only those.
func reviewed(st *inventory.State, i int) bool {
	for _, e := range st.History[:i] {
		if e.Status == inventory.StatusReview {
			return true
		}
	}
	return false
}

// eventName maps a status to the event published for it.
func eventName(status string) (entity, name string) {
	switch status {
	case inventory.StatusDeclared:
		return "inventory", "declared"
	case inventory.StatusAccepted:
		return "inventory", "accepted"
	case inventory.StatusReview:
		return "review", "requested"
	case inventory.StatusConcluded:
		return "inventory", "concluded"
	case inventory.StatusReleased:
		return "inventory", "released"
	case inventory.StatusRejected:
		return "inventory", "rejected"
	case inventory.StatusCancelled:
		return "inventory", "cancelled"
	case inventory.StatusInspect:
		return "inventory", "inspection"
	}
	if inventory.Detained(status) {
		return "inventory", "detained"
	}
	return "inventory", "status"
}

func (c *Clearance) event(id, key string, st *inventory.State, i int, stateJSON *json.RawMessage) ([]jetstream.PubAckFuture, error) {
	ev := st.History[i]
	e := inventory.Notice{
		Key: key, ListID: st.ListID,
		Status: ev.Status, Info: ev.Info, At: ev.Time,
	}
	if ev.Status == inventory.StatusRejected {
		e.Code = st.Code
	}
	// A review request carries the whole state (tax, rule hits) so the
	// review desk can show the case without asking back.
	if ev.Status == inventory.StatusReview || ev.Status == inventory.StatusReleased || ev.Status == inventory.StatusRejected {
		if *stateJSON == nil {
			b, err := json.Marshal(st)
			if err != nil {
				return nil, err
			}
			*stateJSON = b
		}
		e.State = *stateJSON
	}
	body, err := e.Encode()
	if err != nil {
		return nil, err
	}
	entity, name := eventName(ev.Status)
	f, err := c.env.JS.PublishAsync(broker.EventSubject(entity, name), body, jetstream.WithMsgID(id))
	if err != nil {
		return nil, err
	}
	futures := []jetstream.PubAckFuture{f}
	// A list that went through review tells the desk of each later step on
	// a subject of its own, so the desk need not follow every release.
	if entity == "inventory" && reviewed(st, i) {
		f, err := c.env.JS.PublishAsync(broker.EventSubject("review", "step"), body, jetstream.WithMsgID(id+"/review"))
		if err != nil {
			return futures, err
		}
		futures = append(futures, f)
	}
	return futures, nil
}
