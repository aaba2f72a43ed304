package cebtest_test

import (
	"reflect"
	"testing"

	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/ceb/cebtest"
	"github.com/cbec/cbec/pkg/identity"
	"github.com/shopspring/decimal"
)

func TestSetIsValid(t *testing.T) {
	o, p, l, i := cebtest.Set("ORD-1")
	invtNo := cebtest.InvtNo("ORD-1")
	for _, d := range []ceb.Declaration{o, p, l, i, cebtest.Cancel(i, invtNo), cebtest.Refund(i, invtNo)} {
		if errs := ceb.ValidateDocument(d, d.MsgType().NodeName()); len(errs) > 0 {
			t.Errorf("%s: %v", d.MsgType(), errs)
		}
		if errs := ceb.Validate(cebtest.Message(d)); len(errs) > 0 {
			t.Errorf("message %s: %v", d.MsgType(), errs)
		}
	}
	for name, s := range map[string]string{"InvtNo": invtNo, "PreNo": cebtest.PreNo("ORD-1")} {
		if len(s) != 18 {
			t.Errorf("%s %q is not 18 characters", name, s)
		}
	}
}

// TestSetIsConsistent checks the cross-document facts the domain rules
// rely on, so that a failing domain test points at the rule, not at the
// fixture.
func TestSetIsConsistent(t *testing.T) {
	o, p, l, i := cebtest.Set("ORD-1")
	oh, ph, lh, ih := o.OrderHead, p.PaymentHead, l.LogisticsHead, i.InventoryHead
	d := func(a ceb.Amount) decimal.Decimal { return a.Decimal }

	sum := decimal.Zero
	for _, ln := range o.OrderList {
		if !d(ln.Price).Mul(d(ln.Qty)).Equal(d(ln.TotalPrice)) {
			t.Errorf("line %d: price × qty ≠ totalPrice", ln.Gnum)
		}
		sum = sum.Add(d(ln.TotalPrice))
	}
	if !sum.Equal(d(oh.GoodsValue)) {
		t.Errorf("Σ totalPrice %s ≠ goodsValue %s", sum, oh.GoodsValue)
	}
	paid := d(oh.GoodsValue).Add(d(oh.Freight)).Add(d(oh.TaxTotal)).Sub(d(oh.Discount))
	if !paid.Equal(d(oh.ActuralPaid)) || !paid.Equal(d(ph.AmountPaid)) {
		t.Errorf("acturalPaid %s, amountPaid %s, computed %s", oh.ActuralPaid, ph.AmountPaid, paid)
	}
	if ph.PayerName != oh.BuyerName || ph.PayerIdNumber != oh.BuyerIdNumber || oh.BuyerIdNumber != "130681196205023335" {
		t.Error("payer ≠ buyer")
	}
	if oh.PayCode != ph.PayCode || oh.PayTransactionId != ph.PayTransactionId || ph.OrderNo != oh.OrderNo || ph.EbpCode != oh.EbpCode {
		t.Error("payment does not identify the order")
	}
	if lh.Consignee != oh.Consignee || lh.ConsigneeTelephone != oh.ConsigneeTelephone || lh.ConsigneeAddress != oh.ConsigneeAddress || lh.OrderNo != oh.OrderNo {
		t.Error("waybill does not match the order")
	}
	if ih.OrderNo != oh.OrderNo || ih.EbpCode != oh.EbpCode || ih.EbcCode != oh.EbcCode || ih.LogisticsNo != lh.LogisticsNo ||
		ih.LogisticsCode != lh.LogisticsCode || ih.BuyerIdNumber != oh.BuyerIdNumber || ih.BuyerName != oh.BuyerName ||
		ih.ConsigneeAddress != oh.ConsigneeAddress {
		t.Error("inventory does not match order and waybill")
	}
	if ih.TradeMode != "1210" || ih.EmsNo == "" || ih.AreaCode == "" || ih.AreaName == "" || ih.Country != "142" {
		t.Error("inventory lacks 1210 fields")
	}
	if len(i.InventoryList) != len(o.OrderList) || len(o.OrderList) != 2 {
		t.Fatal("line counts")
	}
	for n, il := range i.InventoryList {
		ol := o.OrderList[n]
		if il.Gnum != ol.Gnum || il.Gname != ol.ItemName || !il.Qty.Equal(ol.Qty) || il.Unit != ol.Unit ||
			!il.Price.Equal(ol.Price) || !il.TotalPrice.Equal(ol.TotalPrice) || il.ItemRecordNo == "" || il.Gcode != "1901101000" {
			t.Errorf("inventory line %d does not match the order line", il.Gnum)
		}
	}
	dutiable := sum.Add(d(ih.Freight)).Add(d(ih.InsuredFee))
	if dutiable.GreaterThanOrEqual(decimal.NewFromInt(5000)) {
		t.Errorf("dutiable value %s not under 5000", dutiable)
	}
	if !idValid(oh.BuyerIdNumber) {
		t.Error("buyer ID fails GB 11643")
	}
}

// idValid is the GB 11643 check character as clearance computes it (the
// fixture itself does not depend on the identity package; its test may).
func idValid(id string) bool { return id[17] == identity.CheckCode(id[:17]) }

func TestSetIsDeterministic(t *testing.T) {
	o1, p1, l1, i1 := cebtest.Set("ORD-1")
	o2, p2, l2, i2 := cebtest.Set("ORD-1")
	if !reflect.DeepEqual([]any{o1, p1, l1, i1}, []any{o2, p2, l2, i2}) {
		t.Error("Set is not deterministic")
	}
	o3, _, _, _ := cebtest.Set("ORD-2")
	seen := map[string]bool{}
	for _, g := range []string{o1.GUID(), p1.GUID(), l1.GUID(), i1.GUID(), o3.GUID(), cebtest.Cancel(i1, "I").GUID(), cebtest.Refund(i1, "I").GUID()} {
		if len(g) != 36 || seen[g] {
			t.Errorf("guid %q too short or repeated", g)
		}
		seen[g] = true
	}
}
