package returns

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/refund"
	"github.com/nats-io/nats.go/jetstream"
)

// Event is the payload of a return event on CBEC_EVENTS
// (cbec.evt.return.<status>).
type Event struct {
	Key     string          `json:"key"`
	Status  refund.Status   `json:"status"`
	Code    string          `json:"code,omitempty"`
	Info    string          `json:"info,omitempty"`
	At      time.Time       `json:"at"`
	Zone    string          `json:"zone,omitempty"`
	Record  json.RawMessage `json:"record"`
	Receipt string          `json:"receipt,omitempty"`
}

// publish sends the CEB626 receipts (to the agent and the platform) and the
// events of the history steps from index from on, awaited together; message
// ids are the return key and the step index, so replaying them stores
// nothing twice.
func (r *Returns) publish(ctx context.Context, rec *Record, from int) error {
	body, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	var futures []jetstream.PubAckFuture
	for i := from; i < len(rec.History); i++ {
		s := rec.History[i]
		id := "ret/" + rec.Key + "/" + strconv.Itoa(i)
		if s.Receipt != "" {
			rc := &ceb.InvtRefundReturn{
				Guid: rec.GUID, CustomsCode: rec.CustomsCode, AgentCode: rec.AgentCode, EbpCode: rec.EbpCode,
				EbcCode: rec.EbcCode, CopNo: rec.CopNo, PreNo: rec.PreNo, ReturnStatus: s.Receipt,
				ReturnTime: ceb.FormatReturnTime(s.Time), ReturnInfo: s.Info,
			}
			if len(rec.InvtNo) == 18 {
				rc.InvtNo = rec.InvtNo
			}
			fs, err := r.outbox.Publish(id, rc, s.Time, rec.AgentCode, rec.EbpCode)
			futures = append(futures, fs...)
			if err != nil {
				return err
			}
		}
		ev, _ := json.Marshal(Event{Key: rec.Key, Status: s.Status, Code: rec.Code, Info: s.Info, At: s.Time, Zone: rec.Zone, Record: body, Receipt: s.Receipt})
		name := s.Event
		if name == "" {
			name = string(s.Status)
		}
		f, err := r.env.JS.PublishAsync(broker.EventSubject("return", name), ev, jetstream.WithMsgID(id))
		if err != nil {
			return err
		}
		futures = append(futures, f)
	}
	return broker.Wait(ctx, futures...)
}

// replay re-publishes the steps the change named by recorded.
func (r *Returns) replay(ctx context.Context, rec *Record, by string) error {
	if by == "" || rec.By != by {
		return nil
	}
	return r.publish(ctx, rec, rec.From)
}
