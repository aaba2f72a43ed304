// Package match runs the cross-document checks (三单对碰, domain §6) of one
// retail import declaration: the order, the payment, the waybill and the
// inventory list must tell the same story before customs accepts the list.
//
// Every check has its own error code (decision D14) so that a party can
// tell from a receipt alone which document to correct. Check reports every
// violation at once, in the order of the §6 table, rather than stopping at
// the first: a party that fixes one field at a time would otherwise need a
// round trip per field.
//
// Amounts are compared as exact decimals, never as floats: a binary float
// cannot hold 0.1 exactly, so amounts that agree could compare unequal.
// Personal data in messages is masked (package mask): messages end up on
// receipts, in logs and on officer screens.
//
// The checks compare documents with each other only. Element presence,
// lengths and fixed values are structural rules of ceb.Validate, which runs
// first; a computed check (X01–X03) whose inputs are absent is therefore
// skipped here instead of being reported a second time.
package match

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/mask"
)

// Trade modes that decide which head fields X15 requires.
const (
	// tradeModeBonded is 1210, bonded import from a special customs
	// supervision zone.
	tradeModeBonded = "1210"
	// tradeModeDirect is 9610, direct-purchase import.
	tradeModeDirect = "9610"
)

// amountPlaces is the scale of CEB N19,5 amounts: price × qty is rounded
// half-up to it before it is compared with the declared totalPrice.
const amountPlaces = 5

// Documents are the four documents of one declaration. A nil document
// skips the checks that need it, so that a caller may check a partial
// declaration (for example the three documents before the list arrives).
type Documents struct {
	// Order is the CEB311 order, the reference the others are checked against.
	Order *ceb.Order
	// Payment is the CEB411 payment.
	Payment *ceb.Payment
	// Waybill is the CEB511 waybill.
	Waybill *ceb.Logistics
	// Inventory is the CEB621 inventory list.
	Inventory *ceb.Inventory
}

// Check runs every cross-document check (§6 X01–X03, X05–X07, X09–X15;
// X04, X08, X10 and X11 as far as the documents given can contradict each
// other) and returns every violation in table order, or nil when all pass.
//
// Each violation is an *errcode.Error with the check's own code; its
// Message names the check, the elements and both values, e.g.
// "X05: payment amountPaid 620.00 ≠ order acturalPaid 626.23", and its
// Details name the offending element path, e.g. "InventoryList[gnum=2].qty".
// Names, telephone numbers and ID numbers appear masked only.
//
// Check does not modify the documents and is safe for concurrent use.
func Check(d Documents) []*errcode.Error {
	var c checker
	o, p, w, inv := d.Order, d.Payment, d.Waybill, d.Inventory
	if o != nil {
		c.linePrices(o)
		c.goodsValue(o)
		c.acturalPaid(o)
	}
	if o != nil && p != nil {
		c.paymentOrder(o, p)
		c.amountPaid(o, p)
		c.payerBuyer(o, p)
		c.paymentRef(o, p)
	}
	if o != nil && w != nil {
		c.waybillOrder(o, w)
		c.consignee(o, w)
	}
	if o != nil && inv != nil {
		c.inventoryOrder(o, inv)
	}
	if w != nil && inv != nil {
		c.inventoryWaybill(w, inv)
	}
	if o != nil && inv != nil {
		c.gnumSet(o, inv)
		c.lines(o, inv)
		c.inventoryBuyer(o, inv)
	}
	if inv != nil {
		c.modeFields(inv)
	}
	return c.errs
}

// checker collects violations; it allocates only when it records one, so
// that the common all-pass case stays cheap.
type checker struct {
	errs []*errcode.Error
}

// add records a violation of check (e.g. "X05") at path.
func (c *checker) add(code errcode.Code, check, path, format string, args ...any) {
	c.errs = append(c.errs, errcode.Violation(code, check, path, format, args...))
}

// X01: each order line's totalPrice = price × qty, rounded half-up to 5
// decimals, compared exactly.
func (c *checker) linePrices(o *ceb.Order) {
	for k := range o.OrderList {
		l := &o.OrderList[k]
		if !l.Price.Valid || !l.Qty.Valid || !l.TotalPrice.Valid {
			continue
		}
		want := mulRound(l.Price.Decimal, l.Qty.Decimal)
		if !want.Equal(l.TotalPrice.Decimal) {
			c.add(errcode.LinePrice, "X01", orderLinePath(l.Gnum, "totalPrice"),
				"order OrderList[gnum=%d] totalPrice %s ≠ price %s × qty %s = %s",
				l.Gnum, l.TotalPrice, l.Price, l.Qty, ceb.NewAmount(want))
		}
	}
}

// mulRound returns a × b rounded half-up to amountPlaces. Rounding is
// skipped when the product is already that precise, which is the common
// case (2-decimal prices, integer quantities) and saves an allocation.
func mulRound(a, b decimal.Decimal) decimal.Decimal {
	prod := a.Mul(b)
	if prod.Exponent() >= -amountPlaces {
		return prod
	}
	// Amounts are never negative after validation; for them Round's
	// half-away-from-zero is half-up.
	return prod.Round(amountPlaces)
}

// X02: Σ order line totalPrice = goodsValue.
func (c *checker) goodsValue(o *ceb.Order) {
	h := &o.OrderHead
	if !h.GoodsValue.Valid || len(o.OrderList) == 0 {
		return
	}
	// Start from the first line rather than decimal.Zero: adding to a zero
	// of another scale would rescale, and that allocates.
	sum := o.OrderList[0].TotalPrice.Decimal
	for k := range o.OrderList {
		t := o.OrderList[k].TotalPrice
		if !t.Valid {
			return
		}
		if k > 0 {
			sum = sum.Add(t.Decimal)
		}
	}
	if !sum.Equal(h.GoodsValue.Decimal) {
		c.add(errcode.GoodsValue, "X02", "OrderHead.goodsValue",
			"order goodsValue %s ≠ Σ OrderList totalPrice %s", h.GoodsValue, ceb.NewAmount(sum))
	}
}

// X03: acturalPaid = goodsValue + freight + taxTotal − discount.
func (c *checker) acturalPaid(o *ceb.Order) {
	h := &o.OrderHead
	if !h.ActuralPaid.Valid || !h.GoodsValue.Valid || !h.Freight.Valid || !h.TaxTotal.Valid || !h.Discount.Valid {
		return
	}
	want := h.GoodsValue.Decimal
	// Zero terms (discount and often freight) are skipped: adding them is
	// a no-op that would still allocate.
	if !h.Freight.Decimal.IsZero() {
		want = want.Add(h.Freight.Decimal)
	}
	if !h.TaxTotal.Decimal.IsZero() {
		want = want.Add(h.TaxTotal.Decimal)
	}
	if !h.Discount.Decimal.IsZero() {
		want = want.Sub(h.Discount.Decimal)
	}
	if !want.Equal(h.ActuralPaid.Decimal) {
		c.add(errcode.ActuralPaid, "X03", "OrderHead.acturalPaid",
			"order acturalPaid %s ≠ goodsValue %s + freight %s + taxTotal %s − discount %s = %s",
			h.ActuralPaid, h.GoodsValue, h.Freight, h.TaxTotal, h.Discount, ceb.NewAmount(want))
	}
}

// X04: the payment names the order by (orderNo, ebpCode).
func (c *checker) paymentOrder(o *ceb.Order, p *ceb.Payment) {
	oh, ph := &o.OrderHead, &p.PaymentHead
	c.sameText(errcode.PaymentOrder, "X04", "PaymentHead.orderNo", "payment orderNo", ph.OrderNo, "order orderNo", oh.OrderNo)
	c.sameText(errcode.PaymentOrder, "X04", "PaymentHead.ebpCode", "payment ebpCode", ph.EbpCode, "order ebpCode", oh.EbpCode)
}

// X05: payment amountPaid = order acturalPaid.
func (c *checker) amountPaid(o *ceb.Order, p *ceb.Payment) {
	a, b := p.PaymentHead.AmountPaid, o.OrderHead.ActuralPaid
	if !a.Equal(b) {
		c.add(errcode.AmountPaid, "X05", "PaymentHead.amountPaid",
			"payment amountPaid %s ≠ order acturalPaid %s", amountText(a), amountText(b))
	}
}

// X06: the payer is the buyer (D13): same name and same normalized ID
// number. Both values are masked in the message, as they are personal data.
func (c *checker) payerBuyer(o *ceb.Order, p *ceb.Payment) {
	oh, ph := &o.OrderHead, &p.PaymentHead
	if ph.PayerName != oh.BuyerName {
		c.add(errcode.PayerBuyer, "X06", "PaymentHead.payerName",
			"payment payerName %q ≠ order buyerName %q", mask.Name(ph.PayerName), mask.Name(oh.BuyerName))
	}
	if !sameID(ph.PayerIdNumber, oh.BuyerIdNumber) {
		c.add(errcode.PayerBuyer, "X06", "PaymentHead.payerIdNumber",
			"payment payerIdNumber %s", maskedIDs(ph.PayerIdNumber, "order buyerIdNumber", oh.BuyerIdNumber))
	}
}

// X07: a payCode or payTransactionId the order carries (both optional in
// CEB311) must be the payment's.
func (c *checker) paymentRef(o *ceb.Order, p *ceb.Payment) {
	oh, ph := &o.OrderHead, &p.PaymentHead
	if oh.PayCode != "" {
		c.sameText(errcode.PaymentRef, "X07", "OrderHead.payCode", "order payCode", oh.PayCode, "payment payCode", ph.PayCode)
	}
	if oh.PayTransactionId != "" {
		c.sameText(errcode.PaymentRef, "X07", "OrderHead.payTransactionId",
			"order payTransactionId", oh.PayTransactionId, "payment payTransactionId", ph.PayTransactionId)
	}
}

// X08: the waybill names the order.
func (c *checker) waybillOrder(o *ceb.Order, w *ceb.Logistics) {
	c.sameText(errcode.WaybillOrder, "X08", "LogisticsHead.orderNo",
		"waybill orderNo", w.LogisticsHead.OrderNo, "order orderNo", o.OrderHead.OrderNo)
}

// X09: the parcel goes to the consignee the order names. Name and phone are
// masked; the address is shown, as it is what a party must correct.
func (c *checker) consignee(o *ceb.Order, w *ceb.Logistics) {
	oh, wh := &o.OrderHead, &w.LogisticsHead
	if oh.Consignee != wh.Consignee {
		c.add(errcode.Consignee, "X09", "LogisticsHead.consignee",
			"waybill consignee %q ≠ order consignee %q", mask.Name(wh.Consignee), mask.Name(oh.Consignee))
	}
	if oh.ConsigneeTelephone != wh.ConsigneeTelephone {
		c.add(errcode.Consignee, "X09", "LogisticsHead.consigneeTelephone",
			"waybill consigneeTelephone %q ≠ order consigneeTelephone %q",
			mask.Phone(wh.ConsigneeTelephone), mask.Phone(oh.ConsigneeTelephone))
	}
	c.sameText(errcode.Consignee, "X09", "LogisticsHead.consigneeAddress",
		"waybill consigneeAddress", wh.ConsigneeAddress, "order consigneeAddress", oh.ConsigneeAddress)
}

// X10: the list names its order by (orderNo, ebpCode, ebcCode).
func (c *checker) inventoryOrder(o *ceb.Order, inv *ceb.Inventory) {
	oh, ih := &o.OrderHead, &inv.InventoryHead
	c.sameText(errcode.InventoryOrder, "X10", "InventoryHead.orderNo", "inventory orderNo", ih.OrderNo, "order orderNo", oh.OrderNo)
	c.sameText(errcode.InventoryOrder, "X10", "InventoryHead.ebpCode", "inventory ebpCode", ih.EbpCode, "order ebpCode", oh.EbpCode)
	c.sameText(errcode.InventoryOrder, "X10", "InventoryHead.ebcCode", "inventory ebcCode", ih.EbcCode, "order ebcCode", oh.EbcCode)
}

// X11: the list names its waybill by (logisticsNo, logisticsCode).
func (c *checker) inventoryWaybill(w *ceb.Logistics, inv *ceb.Inventory) {
	wh, ih := &w.LogisticsHead, &inv.InventoryHead
	c.sameText(errcode.InventoryWaybill, "X11", "InventoryHead.logisticsNo",
		"inventory logisticsNo", ih.LogisticsNo, "waybill logisticsNo", wh.LogisticsNo)
	c.sameText(errcode.InventoryWaybill, "X11", "InventoryHead.logisticsCode",
		"inventory logisticsCode", ih.LogisticsCode, "waybill logisticsCode", wh.LogisticsCode)
}

// X12: list and order lines match one-to-one by gnum. A gnum twice in
// the order body is -301002 and in the list body -621027, the official
// codes of each body; a gnum on one side only is GnumSet. Bodies hold at most 99 lines, so the quadratic
// scans below cost less than building a map would.
func (c *checker) gnumSet(o *ceb.Order, inv *ceb.Inventory) {
	for k := range o.OrderList {
		g := o.OrderList[k].Gnum
		if countOrder(o.OrderList[:k], g) == 1 {
			c.add(errcode.OrderDuplicateGnum, "X12", orderLinePath(g, "gnum"),
				"order OrderList gnum %d appears more than once", g)
		}
	}
	for k := range inv.InventoryList {
		g := inv.InventoryList[k].Gnum
		if countInventory(inv.InventoryList[:k], g) == 1 {
			c.add(errcode.DuplicateGnum, "X12", inventoryLinePath(g, "gnum"),
				"inventory InventoryList gnum %d appears more than once", g)
		}
	}
	for k := range o.OrderList {
		g := o.OrderList[k].Gnum
		if countOrder(o.OrderList[:k], g) == 0 && countInventory(inv.InventoryList, g) == 0 {
			c.add(errcode.GnumSet, "X12", orderLinePath(g, ""),
				"order OrderList gnum %d has no InventoryList line", g)
		}
	}
	for k := range inv.InventoryList {
		g := inv.InventoryList[k].Gnum
		if countInventory(inv.InventoryList[:k], g) == 0 && countOrder(o.OrderList, g) == 0 {
			c.add(errcode.GnumSet, "X12", inventoryLinePath(g, ""),
				"inventory InventoryList gnum %d has no OrderList line", g)
		}
	}
}

// X13: per gnum, the list line declares what the order line sold. Gnums
// duplicated on either side are skipped: X12 already reports them and any
// pairing would be a guess.
func (c *checker) lines(o *ceb.Order, inv *ceb.Inventory) {
	for k := range inv.InventoryList {
		il := &inv.InventoryList[k]
		g := il.Gnum
		if countInventory(inv.InventoryList, g) != 1 {
			continue
		}
		j, n := orderGnum(o.OrderList, g)
		if n != 1 {
			continue
		}
		ol := &o.OrderList[j]
		if il.Gname != ol.ItemName {
			c.add(errcode.LineMismatch, "X13", inventoryLinePath(g, "gname"),
				"inventory InventoryList[gnum=%d] gname %q ≠ order itemName %q", g, il.Gname, ol.ItemName)
		}
		if !il.Qty.Equal(ol.Qty) {
			c.add(errcode.LineMismatch, "X13", inventoryLinePath(g, "qty"),
				"inventory InventoryList[gnum=%d] qty %s ≠ order qty %s", g, amountText(il.Qty), amountText(ol.Qty))
		}
		if il.Unit != ol.Unit {
			c.add(errcode.LineMismatch, "X13", inventoryLinePath(g, "unit"),
				"inventory InventoryList[gnum=%d] unit %q ≠ order unit %q", g, il.Unit, ol.Unit)
		}
		if !il.Price.Equal(ol.Price) {
			c.add(errcode.LineMismatch, "X13", inventoryLinePath(g, "price"),
				"inventory InventoryList[gnum=%d] price %s ≠ order price %s", g, amountText(il.Price), amountText(ol.Price))
		}
		if !il.TotalPrice.Equal(ol.TotalPrice) {
			c.add(errcode.LineMismatch, "X13", inventoryLinePath(g, "totalPrice"),
				"inventory InventoryList[gnum=%d] totalPrice %s ≠ order totalPrice %s",
				g, amountText(il.TotalPrice), amountText(ol.TotalPrice))
		}
	}
}

// X14: the list declares the order's buyer and delivery address; the
// quota (D1) is counted against this buyer, so it must be the one who
// bought. Personal values are masked.
func (c *checker) inventoryBuyer(o *ceb.Order, inv *ceb.Inventory) {
	oh, ih := &o.OrderHead, &inv.InventoryHead
	c.sameText(errcode.InventoryBuyer, "X14", "InventoryHead.buyerIdType",
		"inventory buyerIdType", ih.BuyerIdType, "order buyerIdType", oh.BuyerIdType)
	if !sameID(ih.BuyerIdNumber, oh.BuyerIdNumber) {
		c.add(errcode.InventoryBuyer, "X14", "InventoryHead.buyerIdNumber",
			"inventory buyerIdNumber %s", maskedIDs(ih.BuyerIdNumber, "order buyerIdNumber", oh.BuyerIdNumber))
	}
	if ih.BuyerName != oh.BuyerName {
		c.add(errcode.InventoryBuyer, "X14", "InventoryHead.buyerName",
			"inventory buyerName %q ≠ order buyerName %q", mask.Name(ih.BuyerName), mask.Name(oh.BuyerName))
	}
	if ih.BuyerTelephone != oh.BuyerTelephone {
		c.add(errcode.InventoryBuyer, "X14", "InventoryHead.buyerTelephone",
			"inventory buyerTelephone %q ≠ order buyerTelephone %q", mask.Phone(ih.BuyerTelephone), mask.Phone(oh.BuyerTelephone))
	}
	c.sameText(errcode.InventoryBuyer, "X14", "InventoryHead.consigneeAddress",
		"inventory consigneeAddress", ih.ConsigneeAddress, "order consigneeAddress", oh.ConsigneeAddress)
}

// X15: the elements the trade mode requires. CEB621 makes them optional
// for both modes, so only this rule catches a 1210 list without its
// account book or a 9610 list without its bill of lading.
func (c *checker) modeFields(inv *ceb.Inventory) {
	h := &inv.InventoryHead
	switch h.TradeMode {
	case tradeModeBonded:
		c.required(errcode.BondedFields, "InventoryHead.emsNo", "InventoryHead emsNo", h.EmsNo, tradeModeBonded)
		c.required(errcode.BondedFields, "InventoryHead.areaCode", "InventoryHead areaCode", h.AreaCode, tradeModeBonded)
		c.required(errcode.BondedFields, "InventoryHead.areaName", "InventoryHead areaName", h.AreaName, tradeModeBonded)
		for k := range inv.InventoryList {
			l := &inv.InventoryList[k]
			if isBlank(l.ItemRecordNo) {
				c.add(errcode.BondedFields, "X15", inventoryLinePath(l.Gnum, "itemRecordNo"),
					"tradeMode 1210 requires InventoryList[gnum=%d] itemRecordNo; it is empty", l.Gnum)
			}
		}
		if h.Country != "142" {
			c.add(errcode.BondedFields, "X15", "InventoryHead.country",
				"tradeMode 1210 requires InventoryHead country 142 (goods leave a Chinese bonded zone); got %q", h.Country)
		}
	case tradeModeDirect:
		c.required(errcode.DirectFields, "InventoryHead.trafNo", "InventoryHead trafNo", h.TrafNo, tradeModeDirect)
		c.required(errcode.DirectFields, "InventoryHead.voyageNo", "InventoryHead voyageNo", h.VoyageNo, tradeModeDirect)
		c.required(errcode.DirectFields, "InventoryHead.billNo", "InventoryHead billNo", h.BillNo, tradeModeDirect)
	default:
		c.add(errcode.InventoryValidation, "X15", "InventoryHead.tradeMode",
			"inventory tradeMode %q is neither 1210 (bonded) nor 9610 (direct purchase)", h.TradeMode)
	}
}

// required records an X15 violation when a mode-dependent element is blank.
func (c *checker) required(code errcode.Code, path, what, value, mode string) {
	if isBlank(value) {
		c.add(code, "X15", path, "tradeMode %s requires %s; it is empty", mode, what)
	}
}

// sameText records a violation when two identifying texts differ. Only
// non-personal values (numbers, codes, addresses) go through here: the
// values appear unmasked.
func (c *checker) sameText(code errcode.Code, check, path, aName, a, bName, b string) {
	if a != b {
		c.add(code, check, path, "%s %q ≠ %s %q", aName, a, bName, b)
	}
}

// sameID compares two ID numbers after D12 normalization: surrounding
// space trimmed, a trailing check character x read as X. It compares in
// place instead of building normalized copies, to stay allocation-free.
func sameID(a, b string) bool {
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	if len(a) != len(b) {
		return false
	}
	if a == b {
		return true
	}
	n := len(a)
	return a[:n-1] == b[:n-1] && upperX(a[n-1]) == upperX(b[n-1])
}

func upperX(c byte) byte {
	if c == 'x' {
		return 'X'
	}
	return c
}

// normID is the D12 normal form of an ID number, used only for messages.
func normID(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasSuffix(s, "x") {
		s = s[:len(s)-1] + "X"
	}
	return s
}

// maskedIDs formats "A ≠ other B" with both ID numbers masked. Masks keep
// only the ends, so two numbers differing in the middle look alike; the
// note says so rather than leaving a reader puzzled by "equal" values.
func maskedIDs(a, otherName, b string) string {
	ma, mb := mask.ID(normID(a)), mask.ID(normID(b))
	s := fmt.Sprintf("%s ≠ %s %s", ma, otherName, mb)
	if ma == mb {
		s += " (they differ in the masked digits)"
	}
	return s
}

func isBlank(s string) bool { return strings.TrimSpace(s) == "" }

// amountText shows an amount as declared, or "(absent)".
func amountText(a ceb.Amount) string {
	if !a.Valid {
		return "(absent)"
	}
	return a.String()
}

func orderLinePath(gnum int, elem string) string {
	return linePath("OrderList", gnum, elem)
}

func inventoryLinePath(gnum int, elem string) string {
	return linePath("InventoryList", gnum, elem)
}

// linePath names a body line by gnum rather than by index: gnum is what
// the party declared and what customs receipts refer to.
func linePath(body string, gnum int, elem string) string {
	p := fmt.Sprintf("%s[gnum=%d]", body, gnum)
	if elem != "" {
		p += "." + elem
	}
	return p
}

// orderGnum returns the index of the first order line with gnum (-1 if
// none) and how many lines carry it.
func orderGnum(ls []ceb.OrderList, gnum int) (first, count int) {
	first = -1
	for k := range ls {
		if ls[k].Gnum == gnum {
			if first < 0 {
				first = k
			}
			count++
		}
	}
	return first, count
}

func countOrder(ls []ceb.OrderList, gnum int) int {
	_, n := orderGnum(ls, gnum)
	return n
}

func countInventory(ls []ceb.InventoryList, gnum int) int {
	n := 0
	for k := range ls {
		if ls[k].Gnum == gnum {
			n++
		}
	}
	return n
}
