package export

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/docstore"
	"github.com/cbec/cbec/pkg/errcode"
	exportrule "github.com/cbec/cbec/pkg/export"
	"github.com/cbec/cbec/pkg/inventory"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/shopspring/decimal"
)

// Declaration is the stored summary declaration of one consignor and month.
type Declaration struct {
	Key       string             `json:"key"`
	Consignor string             `json:"consignor"`
	Month     string             `json:"month"`
	Status    string             `json:"status"`
	SumNo     string             `json:"sumNo,omitempty"`
	Due       time.Time          `json:"due"`
	Overdue   bool               `json:"overdue"`
	AgentCode string             `json:"agentCode,omitempty"`
	Summary   exportrule.Summary `json:"summary"`
	Lists     []string           `json:"lists"`
	At        time.Time          `json:"at"`
	By        string             `json:"by,omitempty"`
	Groups    int                `json:"groups"`
}

func summaryKey(consignor, month string) string { return "sum." + broker.Key(consignor, month) }

// month is the Asia/Shanghai month of t, as YYYY-MM.
var month = exportrule.MonthOf

// released loads the released statisticsFlag B lists of a consignor and
// month (all consignors when consignor is empty), keyed by consignor.
func (x *Export) released(ctx context.Context, m, consignor string) (map[string][]exportrule.Released, error) {
	filter := "rel." + broker.Token(m) + ".>"
	if consignor != "" {
		filter = "rel." + broker.Key(m, consignor) + ".>"
	}
	lister, err := x.kv.ListKeysFiltered(ctx, filter)
	if err != nil {
		return nil, err
	}
	out := map[string][]exportrule.Released{}
	for k := range lister.Keys() {
		kve, err := x.kv.Get(ctx, k)
		if err != nil {
			return nil, err
		}
		var l List
		if _, found, err := broker.GetJSON(ctx, x.kv, string(kve.Value()), &l); err != nil || !found {
			if err != nil {
				return nil, err
			}
			continue
		}
		if !exportrule.Summarised(l.StatisticsFlag, l.Status) {
			continue
		}
		e, ok, err := x.docs.Get(ctx, docstore.KeyOf(ceb.CEB603, l.EbpCode, l.OrderNo))
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		var inv ceb.ExportInventory
		if err := broker.Decode(e.Doc, &inv); err != nil {
			return nil, broker.Poison(err)
		}
		out[l.EbcCode] = append(out[l.EbcCode], exportrule.Released{Inventory: &inv, InvtNo: l.InvtNo, ReleasedAt: l.ReleasedAt})
	}
	return out, nil
}

// Sweep computes, once the month is over, the summary declaration due for
// each consignor that had released B lists in the previous month.
func (x *Export) Sweep(ctx context.Context) error {
	now := x.env.Clock.Now()
	prev := exportrule.PreviousMonth(now)
	byConsignor, err := x.released(ctx, prev, "")
	if err != nil {
		return err
	}
	var errs []error
	for consignor, lists := range byConsignor {
		key := summaryKey(consignor, prev)
		var d Declaration
		if _, found, err := broker.GetJSON(ctx, x.kv, key, &d); err != nil || found {
			errs = append(errs, err)
			continue
		}
		sums, err := exportrule.Summarize(lists, prev, "1", "", x.env.ExportRef)
		if err != nil || len(sums) == 0 {
			errs = append(errs, err)
			continue
		}
		d = Declaration{Key: key, Consignor: consignor, Month: prev, Status: exportrule.SummaryDue, Due: exportrule.Due(prev),
			Summary: sums[0], Lists: invtNos(lists), At: now.UTC(), Groups: len(sums[0].Groups)}
		if err := broker.PutJSON(ctx, x.kv, key, &d, 0); err != nil && !errors.Is(err, broker.ErrConflict) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func invtNos(lists []exportrule.Released) []string {
	out := make([]string, 0, len(lists))
	for _, l := range lists {
		out = append(out, l.InvtNo)
	}
	sort.Strings(out)
	return out
}

// apply declares a summary (CEB701): the released B lists of the consignor
// in [startTime, endTime] when given, else those the application lists; the
// summary is grouped per D10 with the application's summaryFlag and
// itemNameFlag, answered with a CEB702 and a CEB792 summary result.
func (x *Export) apply(ctx context.Context, by string, seq uint64, d *ceb.SummaryApply, now time.Time) error {
	h := d.SummaryApplyHead
	preNo := inventory.PreNo('S', now, seq)
	answer := func(status, info string) error {
		r := ceb.NewReceipt(d, status, info, now).(*ceb.SummaryReturn)
		r.PreNo = preNo
		if status == exportrule.StatusAccepted {
			r.SumNo = sumNo(h.CustomsCode, now, seq)
		}
		return x.outbox.Send(ctx, by+"/"+status, r, now, h.AgentCode)
	}
	var lists []exportrule.Released
	var m string
	if h.StartTime != "" {
		start, err1 := ceb.ParseAppTime(h.StartTime)
		end, err2 := ceb.ParseAppTime(h.EndTime)
		if err1 != nil || err2 != nil {
			return answer(exportrule.StatusRejected, string(errcode.BadRequest)+": startTime/endTime are not YYYYMMDDhhmmss")
		}
		m = month(start)
		for mm := start; month(mm) <= month(end); mm = mm.AddDate(0, 1, 0) {
			byC, err := x.released(ctx, month(mm), h.EbcCode)
			if err != nil {
				return err
			}
			lists = append(lists, byC[h.EbcCode]...)
		}
		lists = exportrule.Window(start, end, lists)
	} else {
		for _, item := range d.SummaryApplyList {
			kve, err := x.kv.Get(ctx, invtNoKey(item.InvtNo))
			if errors.Is(err, jetstream.ErrKeyNotFound) {
				return answer(exportrule.StatusRejected, fmt.Sprintf("%s: export list %s unknown", errcode.NotFound, item.InvtNo))
			}
			if err != nil {
				return err
			}
			var l List
			if _, _, err := broker.GetJSON(ctx, x.kv, string(kve.Value()), &l); err != nil {
				return err
			}
			if l.EbcCode != h.EbcCode || !exportrule.Summarised(l.StatisticsFlag, l.Status) {
				return answer(exportrule.StatusRejected, fmt.Sprintf("%s: export list %s is not a released B list of consignor %s", errcode.BadRequest, item.InvtNo, h.EbcCode))
			}
			byC, err := x.released(ctx, month(l.ReleasedAt), h.EbcCode)
			if err != nil {
				return err
			}
			for _, r := range byC[h.EbcCode] {
				if r.InvtNo == l.InvtNo {
					lists = append(lists, r)
					m = month(l.ReleasedAt)
				}
			}
		}
	}
	if len(lists) == 0 {
		return answer(exportrule.StatusRejected, string(errcode.NotFound)+": no released B list of consignor "+h.EbcCode+" to summarise")
	}
	sums, err := exportrule.Summarize(lists, m, h.SummaryFlag, h.ItemNameFlag, x.env.ExportRef)
	if err != nil {
		return answer(exportrule.StatusRejected, string(errcode.BadRequest)+": "+err.Error())
	}
	key := summaryKey(h.EbcCode, m)
	for range broker.MaxCASAttempts {
		var decl Declaration
		rev, _, err := broker.GetJSON(ctx, x.kv, key, &decl)
		if err != nil {
			return err
		}
		if decl.By == by {
			break // applied by an earlier delivery
		}
		decl = Declaration{Key: key, Consignor: h.EbcCode, Month: m, Status: exportrule.SummaryDeclared, SumNo: sumNo(h.CustomsCode, now, seq),
			Due: exportrule.Due(m), AgentCode: h.AgentCode, Summary: sums[0], Lists: invtNos(lists), At: now.UTC(), By: by, Groups: len(sums[0].Groups)}
		err = broker.PutJSON(ctx, x.kv, key, &decl, rev)
		if errors.Is(err, broker.ErrConflict) {
			continue
		}
		if err != nil {
			return err
		}
		break
	}
	if err := answer(exportrule.StatusAccepted, fmt.Sprintf("海关入库 summary of %d list(s) in %d group(s)", len(lists), len(sums[0].Groups))); err != nil {
		return err
	}
	return x.result(ctx, by, d, sums[0], lists, now, seq)
}

// result sends the CEB792 summary result to the agent and the consignor.
func (x *Export) result(ctx context.Context, by string, d *ceb.SummaryApply, s exportrule.Summary, lists []exportrule.Released, now time.Time, seq uint64) error {
	h := d.SummaryApplyHead
	gw, nw := decimal.Zero, decimal.Zero
	for _, l := range lists {
		gw = gw.Add(l.Inventory.InventoryHead.GrossWeight.Decimal)
		nw = nw.Add(l.Inventory.InventoryHead.NetWeight.Decimal)
	}
	gross, net := ceb.NewAmount(gw), ceb.NewAmount(nw)
	r := &ceb.SummaryResult{SummaryResultHead: ceb.SummaryResultHead{
		Guid: h.Guid, CustomsCode: h.CustomsCode, SumNo: sumNo(h.CustomsCode, now, seq), OpDate: ceb.FormatReturnTime(now),
		DeclSeqNo: sumNo(h.CustomsCode, now, seq), DecState: "1", AgentCode: h.AgentCode, AgentName: h.AgentName,
		EbcCode: h.EbcCode, EbcName: h.EbcName, DeclAgentCode: h.DeclAgentCode, DeclAgentName: h.DeclAgentName,
		GrossWeight: gross, NetWeight: net, MsgCount: 1, MsgSeqNo: 1,
	}}
	for i := range s.Groups {
		r.SummaryResultList = append(r.SummaryResultList, s.Groups[i].ResultList()...)
	}
	return x.outbox.Send(ctx, by+"/792", r, now, h.AgentCode, h.EbcCode)
}

// sumNo is the 18-character summary number: customs code, year, 'S' and a
// 9-digit serial from the application's CEB_IN sequence.
func sumNo(customsCode string, at time.Time, seq uint64) string {
	return inventory.InvtNo(customsCode, 'S', at, seq)
}
