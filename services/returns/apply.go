package returns

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/docstore"
	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/identity"
	"github.com/cbec/cbec/pkg/inventory"
	"github.com/cbec/cbec/pkg/quota"
	"github.com/cbec/cbec/pkg/refund"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/shopspring/decimal"
)

// handle takes one return application from CEB_IN.
func (r *Returns) handle(ctx context.Context, m jetstream.Msg) error {
	seq, err := broker.StreamSeq(m)
	if err != nil {
		return err
	}
	var d ceb.InvtRefund
	if err := broker.Decode(m.Data(), &d); err != nil {
		return broker.Poison(err)
	}
	// The 30-day window is judged at the gateway's acceptance, not when a
	// backlog lets this consumer reach the message.
	at := r.env.Clock.Now()
	if t, err := time.Parse(time.RFC3339Nano, m.Headers().Get(docstore.HeaderAcceptedAt)); err == nil {
		at = t
	}
	return r.apply(ctx, "in/"+strconv.FormatUint(seq, 10), seq, &d, at)
}

// apply checks an application and records it as requested (CEB626 2, 120)
// or rejected (2, 100 with the code).
func (r *Returns) apply(ctx context.Context, by string, seq uint64, d *ceb.InvtRefund, accepted time.Time) error {
	key := recordKey(docstore.Key(d))
	var rec Record
	rev, found, err := load(ctx, r.kv, key, &rec)
	if err != nil {
		return err
	}
	if found {
		// Decided by an earlier delivery: complete its publications.
		return r.replay(ctx, &rec, by)
	}
	now := r.env.Clock.Now()
	h := d.InvtRefundHead
	rec = Record{
		Key: docstore.Key(d), GUID: h.Guid, AgentCode: h.AgentCode, EbpCode: h.EbpCode, EbcCode: h.EbcCode,
		OrderNo: h.OrderNo, InvtNo: h.InvtNo, LogisticsCode: h.LogisticsCode, LogisticsNo: h.LogisticsNo,
		CustomsCode: h.CustomsCode, PreNo: inventory.PreNo('R', now, seq), CopNo: inventory.CopNo(h.CopNo, h.OrderNo),
	}
	for _, l := range d.InvtRefundList {
		rec.Lines = append(rec.Lines, refund.Line{Gnum: l.Gnum, Gcode: l.Gcode, Qty: l.Qty.Decimal})
	}
	rec.record(refund.Requested, "2", "电子口岸申报中 declared", now)
	rec.By = by
	reserved, cerr := r.check(ctx, &rec, d, accepted)
	switch {
	case cerr != nil && errcode.Of(cerr) == errcode.Internal:
		return cerr
	case cerr != nil:
		e := errcode.As(cerr)
		rec.Code = string(e.Code)
		rec.record(refund.Rejected, "100", inventory.Truncate(string(e.Code)+": "+e.Message, 1000), now)
	default:
		rec.record(refund.Requested, "120", "海关入库 return accepted for processing; send the goods by "+refund.LastDay(rec.ArriveBy), now)
	}
	// The indexes go first: should the process die before the record is
	// saved, they point at nothing (the sweep and the warehouse events
	// treat that as no return), and the redelivery writes them again.
	if reserved {
		if _, err := r.kv.Put(ctx, pendingKey(rec.Key), []byte(rec.ArriveBy.Format(time.RFC3339Nano))); err != nil {
			return err
		}
		if _, err := r.kv.Put(ctx, parcelKey(rec.LogisticsCode, rec.LogisticsNo), []byte(rec.Key)); err != nil {
			return err
		}
	}
	if err := save(ctx, r.kv, key, &rec, rev); err != nil {
		if errors.Is(err, broker.ErrConflict) {
			return broker.Retry(err, 20*time.Millisecond)
		}
		return err
	}
	return r.publish(ctx, &rec, 0)
}

// check applies the application rules; on success the returned quantities
// are reserved against the original list (reserved reports it).
func (r *Returns) check(ctx context.Context, rec *Record, d *ceb.InvtRefund, now time.Time) (reserved bool, err error) {
	h := d.InvtRefundHead
	app := refund.Application{InvtNo: h.InvtNo, OrderNo: h.OrderNo, LogisticsNo: h.LogisticsNo,
		Buyer: quota.BuyerKey(r.env.QuotaSecret, identity.Normalize(h.BuyerIdNumber)), AgentCode: h.AgentCode}
	// The return names its list's order: the list is found by it and must
	// carry the customs number the return gives.
	rec.ListKey = docstore.InventoryKey(h.EbpCode, h.OrderNo)
	var st inventory.State
	_, found, err := load(ctx, r.inv, rec.ListKey, &st)
	if err != nil {
		return false, err
	}
	var listed *refund.Listed
	if found {
		listed = &refund.Listed{InvtNo: st.InvtNo, LogisticsNo: st.LogisticsNo, Buyer: st.Buyer, AgentCode: st.AgentCode,
			Status: st.Status, ReleasedAt: st.ReleasedAt}
	}
	if err := refund.Match(listed, app); err != nil {
		return false, err
	}
	rec.TradeMode, rec.EbcCode = st.TradeMode, st.EbcCode
	if st.Counted != nil {
		rec.Row = st.Counted.Row
	}
	windows := r.env.CurrentRules().Windows
	w, err := refund.Admit(*listed, now, windows.ReturnApplyDays, windows.ReturnArriveDays)
	rec.ReleasedAt, rec.ApplyBy, rec.ArriveBy = w.Released, w.ApplyBy, w.ArriveBy
	if err != nil {
		return false, err
	}
	var list ceb.Inventory
	e, ok, err := r.docs.Get(ctx, docstore.KeyOf(ceb.CEB621, st.EbpCode, st.OrderNo))
	if err != nil {
		return false, err
	}
	if !ok || broker.Decode(e.Doc, &list) != nil {
		return false, refund.UnknownList(app)
	}
	reg, _, err := r.registry(ctx)
	if err != nil {
		return false, err
	}
	if rec.Zone, err = refund.Destination(reg, st.TradeMode, list.InventoryHead.AreaCode, st.CustomsCode); err != nil {
		return false, err
	}
	// Reserve the quantities against the list, one return at a time.
	for range broker.MaxCASAttempts {
		var ret Returned
		rev, _, err := load(ctx, r.kv, returnedKey(rec.ListKey), &ret)
		if err != nil {
			return false, err
		}
		if ret.Active == rec.Key {
			return true, nil // reserved by an attempt that died before saving the record
		}
		if err := refund.CheckReturn(original(&list, &st, ret.Qty), rec.Lines, h.InvtNo, ret.Active); err != nil {
			return false, err
		}
		if ret.Qty == nil {
			ret.Qty = map[int]decimal.Decimal{}
		}
		for _, l := range rec.Lines {
			ret.Qty[l.Gnum] = ret.Qty[l.Gnum].Add(l.Qty)
		}
		ret.Active = rec.Key
		err = save(ctx, r.kv, returnedKey(rec.ListKey), &ret, rev)
		if err == nil {
			return true, nil
		}
		if !errors.Is(err, broker.ErrConflict) {
			return false, err
		}
	}
	return false, broker.ErrConflict
}

// original describes the released list for the return rules: its lines,
// their dutiable values and taxes, and what was already returned.
func original(list *ceb.Inventory, st *inventory.State, returned map[int]decimal.Decimal) refund.Original {
	var o refund.Original
	for _, l := range list.InventoryList {
		ol := refund.OriginalLine{Gnum: l.Gnum, Gcode: l.Gcode, Gname: l.Gname, Qty: l.Qty.Decimal, Returned: returned[l.Gnum]}
		if st.Tax != nil {
			for _, t := range st.Tax.Lines {
				if t.Gnum == l.Gnum {
					ol.DutiableValue, ol.Duty, ol.VAT, ol.Consumption = t.DutiableValue, t.Duty, t.VAT, t.Consumption
				}
			}
		}
		o.Lines = append(o.Lines, ol)
	}
	return o
}

// release ends the list's active return: a rejected or expired return gives
// its reserved quantities back (keep false); a sorted one keeps them taken,
// its goods having come back, and adds its accepted lines to Accepted.
func (r *Returns) release(ctx context.Context, rec *Record, keep bool) error {
	for range broker.MaxCASAttempts {
		var ret Returned
		rev, found, err := load(ctx, r.kv, returnedKey(rec.ListKey), &ret)
		if err != nil || !found || ret.Active != rec.Key {
			return err // released already, or never reserved
		}
		if !keep {
			for _, l := range rec.Lines {
				ret.Qty[l.Gnum] = decimal.Max(decimal.Zero, ret.Qty[l.Gnum].Sub(l.Qty))
			}
		}
		if rec.Restored != nil {
			if ret.Accepted == nil {
				ret.Accepted = map[int]decimal.Decimal{}
			}
			for _, l := range rec.Restored.Lines {
				ret.Accepted[l.Gnum] = ret.Accepted[l.Gnum].Add(l.Qty)
			}
		}
		ret.Active = ""
		err = save(ctx, r.kv, returnedKey(rec.ListKey), &ret, rev)
		if !errors.Is(err, broker.ErrConflict) {
			return err
		}
	}
	return broker.ErrConflict
}
