package export

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/docstore"
	"github.com/cbec/cbec/pkg/errcode"
	exportrule "github.com/cbec/cbec/pkg/export"
	"github.com/cbec/cbec/pkg/inventory"
	"github.com/nats-io/nats.go/jetstream"
)

// declare records the list as declared (2) with its numbers and indexes,
// answers it, and evaluates it at once.
func (x *Export) declare(ctx context.Context, by string, seq uint64, d *ceb.ExportInventory, now time.Time) error {
	h := d.InventoryHead
	key := listKey(h.EbpCode, h.OrderNo)
	var l List
	rev, found, err := broker.GetJSON(ctx, x.kv, key, &l)
	if err != nil {
		return err
	}
	if found {
		return x.evaluate(ctx, key, by)
	}
	l = List{Key: key, GUID: h.Guid, EbpCode: h.EbpCode, OrderNo: h.OrderNo, EbcCode: h.EbcCode, OwnerCode: h.OwnerCode,
		AgentCode: h.AgentCode, LogisticsCode: h.LogisticsCode, LogisticsNo: h.LogisticsNo, CustomsCode: h.CustomsCode,
		PortCode: h.PortCode, TradeMode: h.TradeMode, StatisticsFlag: h.StatisticsFlag, InSeq: seq,
		InvtNo: inventory.InvtNo(h.CustomsCode, 'E', now, seq), PreNo: inventory.PreNo('E', now, seq), CopNo: h.CopNo,
		By: by}
	if l.CopNo == "" {
		l.CopNo = inventory.CopNo("", h.OrderNo)
	}
	l.record(exportrule.StatusDeclared, exportrule.StatusDeclared, "电子口岸申报中 declared", now)
	// Indexes first: documents arriving later find the list through them.
	for _, k := range []string{orderIndexKey(h.EbcCode, h.OrderNo), waybillIndexKey(h.LogisticsCode, h.LogisticsNo), invtNoKey(l.InvtNo)} {
		if _, err := x.kv.Put(ctx, k, []byte(key)); err != nil {
			return err
		}
	}
	if err := broker.PutJSON(ctx, x.kv, key, &l, rev); err != nil {
		if errors.Is(err, broker.ErrConflict) {
			return broker.Retry(err, 20*time.Millisecond)
		}
		return err
	}
	if err := x.publish(ctx, &l, 0); err != nil {
		return err
	}
	return x.evaluate(ctx, key, by)
}

// evaluateIndexed evaluates the list an index key points to, if any.
func (x *Export) evaluateIndexed(ctx context.Context, index, by string) error {
	kve, err := x.kv.Get(ctx, index)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return x.evaluate(ctx, string(kve.Value()), by)
}

// documents loads the list's order, receipt of payment and waybill;
// complete is false while one its trade mode needs (the reference data's
// modes) is missing. An unknown mode waits for nothing more: the check
// rejects it.
func (x *Export) documents(ctx context.Context, l *List) (d exportrule.Documents, complete bool, err error) {
	mode, _ := x.env.ExportRef.Mode(l.TradeMode)
	d.Inventory, d.Order, d.Receipt, d.Waybill = &ceb.ExportInventory{}, &ceb.ExportOrder{}, &ceb.Receipts{}, &ceb.ExportLogistics{}
	orderSender := exportrule.OrderSender(l.EbpCode, l.EbcCode)
	need := []struct {
		key      string
		into     any
		required bool
	}{
		{docstore.KeyOf(ceb.CEB603, l.EbpCode, l.OrderNo), d.Inventory, true},
		{docstore.KeyOf(ceb.CEB303, orderSender, l.OrderNo), d.Order, mode.Needs(exportrule.DocOrder)},
		{docstore.KeyOf(ceb.CEB505, l.LogisticsCode, l.LogisticsNo), d.Waybill, mode.Needs(exportrule.DocWaybill)},
		{docstore.KeyOf(ceb.CEB403, l.EbcCode, l.OrderNo), d.Receipt, mode.Needs(exportrule.DocReceipt)},
	}
	complete = true
	found := map[any]bool{}
	for _, n := range need {
		e, ok, err := x.docs.Get(ctx, n.key)
		if err != nil {
			return d, false, err
		}
		if !ok {
			complete = complete && !n.required
			continue
		}
		if err := broker.Decode(e.Doc, n.into); err != nil {
			return d, false, broker.Poison(err)
		}
		found[n.into] = true
	}
	// An absent document the mode does not need is no document at all for
	// the checks, not an empty one.
	if !found[any(d.Order)] {
		d.Order = nil
	}
	if !found[any(d.Receipt)] {
		d.Receipt = nil
	}
	if !found[any(d.Waybill)] {
		d.Waybill = nil
	}
	return d, complete, nil
}

// evaluate checks a declared list once its documents are all there:
// rejected (100) or accepted (120), waiting for its goods at the site.
func (x *Export) evaluate(ctx context.Context, key, by string) error {
	var l List
	rev, found, err := broker.GetJSON(ctx, x.kv, key, &l)
	if err != nil || !found {
		return err
	}
	if !exportrule.Can(l.Status, exportrule.StatusAccepted) {
		return x.replay(ctx, &l, by) // decided, or withdrawn
	}
	docs, complete, err := x.documents(ctx, &l)
	if err != nil || !complete {
		return err
	}
	now := x.env.Clock.Now()
	from := len(l.History)
	if errs := exportrule.Check(docs, x.env.ExportRef, now); len(errs) > 0 {
		code, info := exportrule.Refusal(errs)
		l.Code = string(code)
		l.record(exportrule.StatusRejected, exportrule.StatusRejected, inventory.Truncate(info, 1000), now)
	} else {
		l.ValueCNY = x.env.ExportRef.ValueCNY(docs.Inventory, now)
		l.record(exportrule.StatusAccepted, exportrule.StatusAccepted, "海关入库 accepted; waiting for the goods at the supervised site", now)
	}
	l.By, l.From = by, from
	if err := broker.PutJSON(ctx, x.kv, key, &l, rev); err != nil {
		if errors.Is(err, broker.ErrConflict) {
			return nil // another evaluation decided first and publishes
		}
		return err
	}
	return x.publish(ctx, &l, from)
}

// listsOf returns the state keys of the lists the waybills name.
func (x *Export) listsOf(ctx context.Context, logisticsCode string, nos []string) ([]string, error) {
	var keys []string
	for _, no := range nos {
		kve, err := x.kv.Get(ctx, waybillIndexKey(logisticsCode, no))
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		keys = append(keys, string(kve.Value()))
	}
	return keys, nil
}

// transition moves the list at key from one of the statuses in from by
// applying f under compare-and-set, then publishes what f recorded. A list
// in another status is left as it is; moved reports whether it moved.
func (x *Export) transition(ctx context.Context, key, by string, fits func(*List) bool, f func(*List)) (moved bool, err error) {
	for range broker.MaxCASAttempts {
		var l List
		rev, found, err := broker.GetJSON(ctx, x.kv, key, &l)
		if err != nil || !found {
			return false, err
		}
		if !fits(&l) {
			return false, x.replay(ctx, &l, by)
		}
		start := len(l.History)
		f(&l)
		l.By, l.From = by, start
		err = broker.PutJSON(ctx, x.kv, key, &l, rev)
		if errors.Is(err, broker.ErrConflict) {
			continue
		}
		if err != nil {
			return false, err
		}
		return true, x.publish(ctx, &l, start)
	}
	return false, broker.ErrConflict
}

// arrival (CEB507) releases the accepted lists whose goods arrived at the
// supervised site: → arrived → 800. The arrival gets its CEB508.
func (x *Export) arrival(ctx context.Context, by string, seq uint64, d *ceb.Arrival, now time.Time) error {
	h := d.ArrivalHead
	var nos []string
	for _, l := range d.ArrivalList {
		nos = append(nos, l.LogisticsNo)
	}
	keys, err := x.listsOf(ctx, h.LogisticsCode, nos)
	if err != nil {
		return err
	}
	for _, key := range keys {
		// File the list under this month first: once its state says 800,
		// a summary application must find it. An entry for a list that does
		// not move (not accepted) is harmless: summaries read the state.
		if err := x.indexReleased(ctx, key, now); err != nil {
			return err
		}
		if _, err := x.transition(ctx, key, by, func(l *List) bool { return exportrule.Can(l.Status, exportrule.StatusArrived) }, func(l *List) {
			l.record(exportrule.StatusArrived, "", strings.TrimSpace("运抵 arrived at the supervised site "+h.LoctNo), now)
			l.ReleasedAt = now.UTC()
			l.record(exportrule.StatusReleased, exportrule.StatusReleased, "放行 released", now)
		}); err != nil {
			return err
		}
	}
	r := ceb.NewReceipt(d, exportrule.StatusAccepted, fmt.Sprintf("海关入库 arrival of %d waybill(s) recorded", len(nos)), now).(*ceb.ArrivalReturn)
	r.PreNo = inventory.PreNo('A', now, seq)
	return x.outbox.Send(ctx, by+"/120", r, now, h.LogisticsCode)
}

// indexReleased files a list about to be released at now under that month
// and its consignor, for the summary declaration.
func (x *Export) indexReleased(ctx context.Context, key string, now time.Time) error {
	var l List
	if _, found, err := broker.GetJSON(ctx, x.kv, key, &l); err != nil || !found {
		return err
	}
	if !exportrule.Can(l.Status, exportrule.StatusArrived) {
		return nil
	}
	_, err := x.kv.Put(ctx, releasedKey(month(now), l.EbcCode, key), []byte(key))
	return err
}

// departure (CEB509) closes the released lists whose goods left: → 899.
func (x *Export) departure(ctx context.Context, by string, seq uint64, d *ceb.Departure, now time.Time) error {
	h := d.DepartureHead
	var nos []string
	for _, l := range d.DepartureList {
		nos = append(nos, l.LogisticsNo)
	}
	keys, err := x.listsOf(ctx, h.LogisticsCode, nos)
	if err != nil {
		return err
	}
	for _, key := range keys {
		if _, err := x.transition(ctx, key, by, func(l *List) bool { return exportrule.Can(l.Status, exportrule.StatusClosed) }, func(l *List) {
			l.DepartedAt = now.UTC()
			l.record(exportrule.StatusClosed, exportrule.StatusClosed, "结关 departed "+h.VoyageNo+", closed", now)
		}); err != nil {
			return err
		}
	}
	r := ceb.NewReceipt(d, exportrule.StatusAccepted, fmt.Sprintf("海关入库 departure of %d waybill(s) recorded", len(nos)), now).(*ceb.DepartureReturn)
	r.PreNo = inventory.PreNo('D', now, seq)
	return x.outbox.Send(ctx, by+"/120", r, now, h.LogisticsCode)
}

// cancel (CEB605) withdraws a list not yet departed; the CEB606 carries 120
// and 399, or 100 with the code.
func (x *Export) cancel(ctx context.Context, by string, seq uint64, d *ceb.ExportInvtCancel, now time.Time) error {
	answer := func(statuses []string, info string) error {
		for _, s := range statuses {
			r := ceb.NewReceipt(d, s, info, now).(*ceb.ExportInvtCancelReturn)
			r.PreNo = inventory.PreNo('C', now, seq)
			if err := x.outbox.Send(ctx, by+"/"+s, r, now, d.AgentCode); err != nil {
				return err
			}
		}
		return nil
	}
	kve, err := x.kv.Get(ctx, invtNoKey(d.InvtNo))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return answer([]string{exportrule.StatusRejected}, string(errcode.CancelUnknown)+": no export list "+d.InvtNo)
	}
	if err != nil {
		return err
	}
	key := string(kve.Value())
	moved, err := x.transition(ctx, key, by, func(l *List) bool {
		return exportrule.Cancellable(l.Status, l.AgentCode, d.AgentCode)
	}, func(l *List) {
		l.record(exportrule.StatusCancelled, "", "撤销 cancelled: "+inventory.Truncate(d.Reason, 200), now)
	})
	if err != nil {
		return err
	}
	if !moved {
		var l List
		if _, _, err := broker.GetJSON(ctx, x.kv, key, &l); err != nil {
			return err
		}
		if l.Status == exportrule.StatusCancelled && l.By == by {
			return answer([]string{exportrule.StatusAccepted, "399"}, "cancellation in effect")
		}
		return answer([]string{exportrule.StatusRejected}, string(errcode.CancelForbidden)+": export list "+d.InvtNo+" is "+l.Status+" and cannot be cancelled")
	}
	return answer([]string{exportrule.StatusAccepted, "399"}, "cancellation in effect")
}

// publish sends the CEB604 receipts (to the agent and the platform) and the
// events of the steps from index from on, awaited together.
func (x *Export) publish(ctx context.Context, l *List, from int) error {
	var futures []jetstream.PubAckFuture
	for i := from; i < len(l.History); i++ {
		s := l.History[i]
		id := "exp/" + l.Key + "/" + strconv.Itoa(i)
		if s.Receipt != "" {
			r := &ceb.ExportInventoryReturn{Guid: l.GUID, AgentCode: l.AgentCode, CopNo: l.CopNo, PreNo: l.PreNo, InvtNo: l.InvtNo,
				EbcCode: l.EbcCode, EbpCode: l.EbpCode, OrderNo: l.OrderNo, StatisticsFlag: l.StatisticsFlag,
				ReturnStatus: s.Receipt, ReturnTime: ceb.FormatReturnTime(s.Time), ReturnInfo: s.Info}
			fs, err := x.outbox.Publish(id, r, s.Time, l.AgentCode, l.EbpCode)
			futures = append(futures, fs...)
			if err != nil {
				return err
			}
		}
		body, _ := json.Marshal(map[string]any{"key": l.Key, "status": s.Status, "code": l.Code, "info": s.Info, "at": s.Time, "list": l})
		f, err := x.env.JS.PublishAsync(broker.EventSubject("export", eventName(s.Status)), body, jetstream.WithMsgID(id))
		if err != nil {
			return err
		}
		futures = append(futures, f)
	}
	return broker.Wait(ctx, futures...)
}

func eventName(status string) string {
	switch status {
	case exportrule.StatusDeclared:
		return "declared"
	case exportrule.StatusRejected:
		return "rejected"
	case exportrule.StatusAccepted:
		return "accepted"
	case exportrule.StatusArrived:
		return "arrived"
	case exportrule.StatusReleased:
		return "released"
	case exportrule.StatusClosed:
		return "closed"
	case exportrule.StatusCancelled:
		return "cancelled"
	}
	return "status"
}

// replay re-publishes the steps the change named by recorded.
func (x *Export) replay(ctx context.Context, l *List, by string) error {
	if by == "" || l.By != by {
		return nil
	}
	return x.publish(ctx, l, l.From)
}
