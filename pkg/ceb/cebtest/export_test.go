package cebtest_test

import (
	"reflect"
	"testing"

	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/ceb/cebtest"
	"github.com/shopspring/decimal"
)

func TestExportSetIsValid(t *testing.T) {
	o, r, l, i := cebtest.ExportSet("EXP-1")
	invtNo := cebtest.ExportInvtNo("EXP-1")
	for _, d := range []ceb.Declaration{o, r, l, i, cebtest.ExportCancel(i, invtNo), cebtest.Arrival(l),
		cebtest.Departure(l), cebtest.SummaryApply(invtNo)} {
		if !d.MsgType().IsExport() {
			t.Errorf("%s is not an export type", d.MsgType())
		}
		if errs := ceb.Validate(cebtest.Message(d)); len(errs) > 0 {
			t.Errorf("%s: %v", d.MsgType(), errs)
		}
	}
	if errs := ceb.Validate(cebtest.Message(cebtest.SummaryResult(i, invtNo))); len(errs) > 0 {
		t.Errorf("CEB792: %v", errs)
	}
	for name, s := range map[string]string{"ExportInvtNo": invtNo, "ExportPreNo": cebtest.ExportPreNo("EXP-1"), "SumNo": cebtest.SumNo("x")} {
		if len(s) != 18 {
			t.Errorf("%s %q is not 18 characters", name, s)
		}
	}
}

// TestExportSetIsConsistent checks the cross-document facts the export
// checks rely on.
func TestExportSetIsConsistent(t *testing.T) {
	o, r, l, i := cebtest.ExportSet("EXP-1")
	oh, ih := o.OrderHead, i.InventoryHead
	d := func(a ceb.Amount) decimal.Decimal { return a.Decimal }
	sum := decimal.Zero
	for _, ln := range o.OrderList {
		if !d(ln.Price).Mul(d(ln.Qty)).Equal(d(ln.TotalPrice)) || ln.Currency != cebtest.USD {
			t.Errorf("line %d: price × qty ≠ totalPrice or not USD", ln.Gnum)
		}
		sum = sum.Add(d(ln.TotalPrice))
	}
	if !sum.Equal(d(oh.GoodsValue)) || !sum.Add(d(oh.Freight)).Equal(d(r.Charge)) {
		t.Errorf("goodsValue %s, charge %s, Σ lines %s", oh.GoodsValue, r.Charge, sum)
	}
	if oh.OrderType != "E" || oh.Currency != "502" || r.Currency != "502" || l.Currency != "502" || ih.FCurrency != "502" {
		t.Error("set is not a USD B2C export")
	}
	if r.OrderNo != oh.OrderNo || r.EbpCode != oh.EbpCode || r.EbcCode != oh.EbcCode || r.PayCode != "1500000003" {
		t.Error("receipt of payment does not identify the order")
	}
	if l.EbcCode != oh.EbcCode || !l.Freight.Equal(oh.Freight) || l.LogisticsCode != "1500000004" {
		t.Error("waybill does not match the order")
	}
	if ih.OrderNo != oh.OrderNo || ih.EbpCode != "1500000001" || ih.EbcCode != "1500000002" || ih.OwnerCode != "1500000007" ||
		ih.AgentCode != "1500000005" || ih.LogisticsNo != l.LogisticsNo || ih.LogisticsCode != l.LogisticsCode {
		t.Error("inventory does not match order and waybill")
	}
	if ih.TradeMode != "9610" || ih.StatisticsFlag != "B" || ih.PortCode != "8001" || ih.CustomsCode != "8001" || ih.IeFlag != "E" {
		t.Error("inventory is not a 9610 B export at 8001")
	}
	if len(i.InventoryList) != len(o.OrderList) {
		t.Fatal("line counts")
	}
	for n, il := range i.InventoryList {
		ol := o.OrderList[n]
		if il.Gnum != ol.Gnum || il.Gname != ol.ItemName || il.ItemNo != ol.ItemNo || !il.Qty.Equal(ol.Qty) ||
			il.Unit != ol.Unit || !il.TotalPrice.Equal(ol.TotalPrice) || il.Currency != ol.Currency || len(il.Gcode) != 10 {
			t.Errorf("inventory line %d does not match the order line", il.Gnum)
		}
	}
	o2, r2, l2, i2 := cebtest.ExportSet("EXP-1")
	if !reflect.DeepEqual([]any{o, r, l, i}, []any{o2, r2, l2, i2}) {
		t.Error("ExportSet is not deterministic")
	}
	seen := map[string]bool{}
	o3, _, _, _ := cebtest.ExportSet("EXP-2")
	for _, g := range []string{o.GUID(), r.GUID(), l.GUID(), i.GUID(), o3.GUID()} {
		if len(g) != 36 || seen[g] {
			t.Errorf("guid %q too short or repeated", g)
		}
		seen[g] = true
	}
}
