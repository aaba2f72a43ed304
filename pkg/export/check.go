package export

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/errcode"
)

// amountPlaces is the scale of CEB N19,5 amounts: price × qty is rounded
// half-up to it before it is compared with the declared totalPrice.
const amountPlaces = 5

// Documents are the four documents of one export declaration. A nil
// document skips the checks that need it: which documents a list of a
// trade mode must wait for is Mode.Documents (9710 B2B and 9810
// overseas-warehouse lists have no receipt of payment in the default
// reference data: the foreign buyer may pay after shipment, and goods sent
// to an overseas warehouse are not sold yet), and the flow, not Check,
// decides what a missing document means.
type Documents struct {
	// Order is the CEB303 order (for 9810 the overseas-warehouse booking).
	Order *ceb.ExportOrder
	// Receipt is the CEB403 receipt of payment (收款单).
	Receipt *ceb.Receipts
	// Waybill is the CEB505 waybill.
	Waybill *ceb.ExportLogistics
	// Inventory is the CEB603 export inventory list.
	Inventory *ceb.ExportInventory
}

// Check runs every export check of the documents given and returns every
// violation, in the order of the codes (E01–E16), or nil when all pass:
//
//	E01 -904001 list ↔ order: orderNo, ebpCode, ebcCode
//	E02 -904002 list ↔ waybill: logisticsNo, logisticsCode
//	E03 -904003 receipt of payment ↔ order: orderNo, ebpCode, ebcCode
//	E04 -904004 receipt charge = order goodsValue + freight, same currency
//	E05 -904005 list and order lines one-to-one by gnum
//	E06 -904006 per gnum: qty, unit, price, totalPrice, currency equal
//	E07 -904007 every order line in the order's currency
//	E08 -904008 order and list lines: totalPrice = price × qty
//	E09 -904009 Σ order line totalPrice = goodsValue
//	E10 -904010 tradeMode is a mode of the reference data
//	E11 -904011 the elements the mode requires are not blank
//	E12 -904012 the order's orderType is allowed with the mode
//	E13 -904013 statisticsFlag A only if no gcode is under a simplified prefix
//	E14 -904014 no gcode under a prohibited prefix (the message names the reason)
//	E15 -904015 consignor (ebcCode) and producer/seller (ownerCode) present
//	E16 -904016/-904017 every currency known and with a rate on the day of on
//
// E04 follows the XSD: charge is "收款金额-支付企业的订单交易金额", the
// order's transaction amount, and goodsValue is FOB excluding freight, so
// what the buyer pays is goodsValue + freight (the CEB303 has no tax or
// discount elements). E06 with E07 makes the list's currency the order's.
// E06 does not compare the list's gname with the order's itemName: gname
// is the customs commodity name, which may differ from the shop's name.
//
// Each violation is an *errcode.Error whose Message names the check, the
// elements and their values, e.g. "E04: receipt charge 70.00 ≠ order
// goodsValue 65.00 + freight 8.00 = 73.00", and whose Details name the
// offending element path. Element presence, lengths and fixed values are
// the structural rules of ceb.Validate, which runs first; a computed check
// whose inputs are absent is skipped rather than reported twice. The
// reference checks (E10–E14, E16) are skipped when ref is nil.
//
// Check does not modify the documents and is safe for concurrent use.
func Check(d Documents, ref *Reference, on time.Time) []*errcode.Error {
	var c checker
	o, p, w, inv := d.Order, d.Receipt, d.Waybill, d.Inventory
	if o != nil && inv != nil {
		c.inventoryOrder(o, inv)
	}
	if w != nil && inv != nil {
		c.inventoryWaybill(w, inv)
	}
	if o != nil && p != nil {
		c.receiptOrder(o, p)
		c.charge(o, p)
	}
	if o != nil && inv != nil {
		c.gnumSet(o, inv)
		c.lines(o, inv)
	}
	if o != nil {
		c.orderCurrency(o)
	}
	c.linePrices(o, inv)
	if o != nil {
		c.goodsValue(o)
	}
	if ref != nil && inv != nil {
		if m, ok := c.tradeMode(ref, inv); ok {
			c.modeFields(m, inv)
			if o != nil {
				c.orderType(m, o)
			}
		}
		c.simplified(ref, inv)
		c.prohibited(ref, inv)
	}
	if inv != nil {
		c.parties(inv)
	}
	if ref != nil {
		c.currencies(ref, d, on)
	}
	return c.errs
}

// checker collects violations.
type checker struct {
	errs []*errcode.Error
}

// add records a violation of check (e.g. "E04") at path.
func (c *checker) add(code errcode.Code, check, path, format string, args ...any) {
	c.errs = append(c.errs, errcode.Violation(code, check, path, format, args...))
}

// sameText records a violation when two identifying texts differ.
func (c *checker) sameText(code errcode.Code, check, path, aName, a, bName, b string) {
	if a != b {
		c.add(code, check, path, "%s %q ≠ %s %q", aName, a, bName, b)
	}
}

// E01: the list names its order by (orderNo, ebpCode, ebcCode).
func (c *checker) inventoryOrder(o *ceb.ExportOrder, inv *ceb.ExportInventory) {
	oh, ih := &o.OrderHead, &inv.InventoryHead
	c.sameText(errcode.ExportInventoryOrder, "E01", "InventoryHead.orderNo", "inventory orderNo", ih.OrderNo, "order orderNo", oh.OrderNo)
	c.sameText(errcode.ExportInventoryOrder, "E01", "InventoryHead.ebpCode", "inventory ebpCode", ih.EbpCode, "order ebpCode", oh.EbpCode)
	c.sameText(errcode.ExportInventoryOrder, "E01", "InventoryHead.ebcCode", "inventory ebcCode", ih.EbcCode, "order ebcCode", oh.EbcCode)
}

// E02: the list names its waybill by (logisticsNo, logisticsCode).
func (c *checker) inventoryWaybill(w *ceb.ExportLogistics, inv *ceb.ExportInventory) {
	ih := &inv.InventoryHead
	c.sameText(errcode.ExportInventoryWaybill, "E02", "InventoryHead.logisticsNo",
		"inventory logisticsNo", ih.LogisticsNo, "waybill logisticsNo", w.LogisticsNo)
	c.sameText(errcode.ExportInventoryWaybill, "E02", "InventoryHead.logisticsCode",
		"inventory logisticsCode", ih.LogisticsCode, "waybill logisticsCode", w.LogisticsCode)
}

// E03: the receipt of payment names the order by (orderNo, ebpCode,
// ebcCode): an order number is unique per platform only, and the money
// is the e-commerce enterprise's.
func (c *checker) receiptOrder(o *ceb.ExportOrder, p *ceb.Receipts) {
	oh := &o.OrderHead
	c.sameText(errcode.ExportReceiptOrder, "E03", "Receipts.orderNo", "receipt orderNo", p.OrderNo, "order orderNo", oh.OrderNo)
	c.sameText(errcode.ExportReceiptOrder, "E03", "Receipts.ebpCode", "receipt ebpCode", p.EbpCode, "order ebpCode", oh.EbpCode)
	c.sameText(errcode.ExportReceiptOrder, "E03", "Receipts.ebcCode", "receipt ebcCode", p.EbcCode, "order ebcCode", oh.EbcCode)
}

// E04: the money collected is the order's transaction amount, goodsValue
// + freight, in the order's currency.
func (c *checker) charge(o *ceb.ExportOrder, p *ceb.Receipts) {
	oh := &o.OrderHead
	if p.Currency != oh.Currency {
		c.add(errcode.ExportCharge, "E04", "Receipts.currency",
			"receipt currency %q ≠ order currency %q", p.Currency, oh.Currency)
		return
	}
	if !p.Charge.Valid || !oh.GoodsValue.Valid || !oh.Freight.Valid {
		return
	}
	want := oh.GoodsValue.Decimal.Add(oh.Freight.Decimal)
	if !p.Charge.Decimal.Equal(want) {
		c.add(errcode.ExportCharge, "E04", "Receipts.charge",
			"receipt charge %s ≠ order goodsValue %s + freight %s = %s",
			p.Charge, oh.GoodsValue, oh.Freight, ceb.NewAmount(want))
	}
}

// E05: list and order lines match one-to-one by gnum: no gnum twice in a
// body, none on one side only.
func (c *checker) gnumSet(o *ceb.ExportOrder, inv *ceb.ExportInventory) {
	og, ig := orderGnums(o), inventoryGnums(inv)
	for _, g := range duplicates(og) {
		c.add(errcode.ExportGnumSet, "E05", linePath("OrderList", g, "gnum"),
			"order OrderList gnum %d appears more than once", g)
	}
	for _, g := range duplicates(ig) {
		c.add(errcode.ExportGnumSet, "E05", linePath("InventoryList", g, "gnum"),
			"inventory InventoryList gnum %d appears more than once", g)
	}
	for _, g := range unique(og) {
		if !slices.Contains(ig, g) {
			c.add(errcode.ExportGnumSet, "E05", linePath("OrderList", g, ""),
				"order OrderList gnum %d has no InventoryList line", g)
		}
	}
	for _, g := range unique(ig) {
		if !slices.Contains(og, g) {
			c.add(errcode.ExportGnumSet, "E05", linePath("InventoryList", g, ""),
				"inventory InventoryList gnum %d has no OrderList line", g)
		}
	}
}

// E06: per gnum, the list line declares what the order line sold, in the
// same currency. Gnums duplicated on either side are left to E05.
func (c *checker) lines(o *ceb.ExportOrder, inv *ceb.ExportInventory) {
	og, ig := orderGnums(o), inventoryGnums(inv)
	for k := range inv.InventoryList {
		il := &inv.InventoryList[k]
		g := il.Gnum
		if count(ig, g) != 1 || count(og, g) != 1 {
			continue
		}
		ol := &o.OrderList[slices.Index(og, g)]
		const code = errcode.ExportLineMismatch
		if !il.Qty.Equal(ol.Qty) {
			c.add(code, "E06", linePath("InventoryList", g, "qty"),
				"inventory InventoryList[gnum=%d] qty %s ≠ order qty %s", g, amountText(il.Qty), amountText(ol.Qty))
		}
		if il.Unit != ol.Unit {
			c.add(code, "E06", linePath("InventoryList", g, "unit"),
				"inventory InventoryList[gnum=%d] unit %q ≠ order unit %q", g, il.Unit, ol.Unit)
		}
		if !il.Price.Equal(ol.Price) {
			c.add(code, "E06", linePath("InventoryList", g, "price"),
				"inventory InventoryList[gnum=%d] price %s ≠ order price %s", g, amountText(il.Price), amountText(ol.Price))
		}
		if !il.TotalPrice.Equal(ol.TotalPrice) {
			c.add(code, "E06", linePath("InventoryList", g, "totalPrice"),
				"inventory InventoryList[gnum=%d] totalPrice %s ≠ order totalPrice %s",
				g, amountText(il.TotalPrice), amountText(ol.TotalPrice))
		}
		if il.Currency != ol.Currency {
			c.add(code, "E06", linePath("InventoryList", g, "currency"),
				"inventory InventoryList[gnum=%d] currency %q ≠ order currency %q", g, il.Currency, ol.Currency)
		}
	}
}

// E07: an order is priced in one currency, its head's.
func (c *checker) orderCurrency(o *ceb.ExportOrder) {
	for k := range o.OrderList {
		l := &o.OrderList[k]
		if l.Currency != o.OrderHead.Currency {
			c.add(errcode.ExportOrderCurrency, "E07", linePath("OrderList", l.Gnum, "currency"),
				"order OrderList[gnum=%d] currency %q ≠ order currency %q", l.Gnum, l.Currency, o.OrderHead.Currency)
		}
	}
}

// E08: each order and list line's totalPrice = price × qty, rounded
// half-up to 5 decimals, compared exactly.
func (c *checker) linePrices(o *ceb.ExportOrder, inv *ceb.ExportInventory) {
	check := func(doc, body string, gnum int, price, qty, total ceb.Amount) {
		if !price.Valid || !qty.Valid || !total.Valid {
			return
		}
		want := price.Decimal.Mul(qty.Decimal).Round(amountPlaces)
		if !want.Equal(total.Decimal) {
			c.add(errcode.ExportLinePrice, "E08", linePath(body, gnum, "totalPrice"),
				"%s %s[gnum=%d] totalPrice %s ≠ price %s × qty %s = %s",
				doc, body, gnum, total, price, qty, ceb.NewAmount(want))
		}
	}
	if o != nil {
		for k := range o.OrderList {
			l := &o.OrderList[k]
			check("order", "OrderList", l.Gnum, l.Price, l.Qty, l.TotalPrice)
		}
	}
	if inv != nil {
		for k := range inv.InventoryList {
			l := &inv.InventoryList[k]
			check("inventory", "InventoryList", l.Gnum, l.Price, l.Qty, l.TotalPrice)
		}
	}
}

// E09: Σ order line totalPrice = goodsValue.
func (c *checker) goodsValue(o *ceb.ExportOrder) {
	h := &o.OrderHead
	if !h.GoodsValue.Valid || len(o.OrderList) == 0 {
		return
	}
	sum := decimal.Zero
	for k := range o.OrderList {
		t := o.OrderList[k].TotalPrice
		if !t.Valid {
			return
		}
		sum = sum.Add(t.Decimal)
	}
	if !sum.Equal(h.GoodsValue.Decimal) {
		c.add(errcode.ExportGoodsValue, "E09", "OrderHead.goodsValue",
			"order goodsValue %s ≠ Σ OrderList totalPrice %s", h.GoodsValue, ceb.NewAmount(sum))
	}
}

// E10: the list's trade mode is an export mode of the reference data.
func (c *checker) tradeMode(ref *Reference, inv *ceb.ExportInventory) (Mode, bool) {
	tm := inv.InventoryHead.TradeMode
	m, ok := ref.Mode(tm)
	if !ok {
		c.add(errcode.ExportTradeMode, "E10", "InventoryHead.tradeMode",
			"inventory tradeMode %q is not an export trade mode (%s)", tm, keys(ref.modes))
	}
	return m, ok
}

// E11: the elements the trade mode requires, on the head and every line.
func (c *checker) modeFields(m Mode, inv *ceb.ExportInventory) {
	h := &inv.InventoryHead
	for _, name := range m.Head {
		if isBlank(headFields[name](h)) {
			c.add(errcode.ExportModeFields, "E11", "InventoryHead."+name,
				"tradeMode %s requires InventoryHead %s; it is empty", m.Code, name)
		}
	}
	for k := range inv.InventoryList {
		l := &inv.InventoryList[k]
		for _, name := range m.Lines {
			if isBlank(lineFields[name](l)) {
				c.add(errcode.ExportModeFields, "E11", linePath("InventoryList", l.Gnum, name),
					"tradeMode %s requires InventoryList[gnum=%d] %s; it is empty", m.Code, l.Gnum, name)
			}
		}
	}
}

// E12: the order type fits the trade mode (e.g. B2B orders go with 9710).
func (c *checker) orderType(m Mode, o *ceb.ExportOrder) {
	t := o.OrderHead.OrderType
	if !slices.Contains(m.OrderTypes, t) {
		c.add(errcode.ExportOrderType, "E12", "OrderHead.orderType",
			"order orderType %q does not fit tradeMode %s, which takes %s", t, m.Code, strings.Join(m.OrderTypes, ", "))
	}
}

// E13: statisticsFlag A (simplified declaration, no summary) only for goods
// with no licence, no export duty and no export refund.
func (c *checker) simplified(ref *Reference, inv *ceb.ExportInventory) {
	if inv.InventoryHead.StatisticsFlag != "A" {
		return
	}
	for k := range inv.InventoryList {
		l := &inv.InventoryList[k]
		if p, ok := ref.Simplified(l.Gcode); ok {
			c.add(errcode.ExportSimplified, "E13", linePath("InventoryList", l.Gnum, "gcode"),
				"statisticsFlag A not allowed: InventoryList[gnum=%d] gcode %s is under %s (%s); declare statisticsFlag B",
				l.Gnum, l.Gcode, p.Prefix, p.Reason)
		}
	}
}

// E14: goods prohibited or restricted for export.
func (c *checker) prohibited(ref *Reference, inv *ceb.ExportInventory) {
	for k := range inv.InventoryList {
		l := &inv.InventoryList[k]
		if p, ok := ref.Prohibited(l.Gcode); ok {
			c.add(errcode.ExportProhibited, "E14", linePath("InventoryList", l.Gnum, "gcode"),
				"InventoryList[gnum=%d] gcode %s is under %s: %s", l.Gnum, l.Gcode, p.Prefix, p.Reason)
		}
	}
}

// E15: the consignor (收发货人) and the producer/seller (生产销售单位) are
// named: the summary declaration is made per consignor and, with
// summaryFlag 2, per producer/seller.
func (c *checker) parties(inv *ceb.ExportInventory) {
	h := &inv.InventoryHead
	if isBlank(h.EbcCode) {
		c.add(errcode.ExportParties, "E15", "InventoryHead.ebcCode", "inventory ebcCode (consignor, 收发货人) is empty")
	}
	if isBlank(h.OwnerCode) {
		c.add(errcode.ExportParties, "E15", "InventoryHead.ownerCode", "inventory ownerCode (producer/seller, 生产销售单位) is empty")
	}
}

// E16: every currency is in the rate table with a rate on the day of on
// (D11). A bad currency is reported once, at the first element carrying
// it, so that a list of 100 lines in one unknown currency gives one error.
func (c *checker) currencies(ref *Reference, d Documents, on time.Time) {
	type use struct{ path, code string }
	var uses []use
	if o := d.Order; o != nil {
		uses = append(uses, use{"OrderHead.currency", o.OrderHead.Currency})
		for k := range o.OrderList {
			uses = append(uses, use{linePath("OrderList", o.OrderList[k].Gnum, "currency"), o.OrderList[k].Currency})
		}
	}
	if p := d.Receipt; p != nil {
		uses = append(uses, use{"Receipts.currency", p.Currency})
	}
	if w := d.Waybill; w != nil {
		uses = append(uses, use{"ExportLogistics.currency", w.Currency})
	}
	if inv := d.Inventory; inv != nil {
		h := &inv.InventoryHead
		uses = append(uses, use{"InventoryHead.fCurrency", h.FCurrency}, use{"InventoryHead.iCurrency", h.ICurrency})
		for k := range inv.InventoryList {
			uses = append(uses, use{linePath("InventoryList", inv.InventoryList[k].Gnum, "currency"), inv.InventoryList[k].Currency})
		}
	}
	seen := map[string]bool{}
	for _, u := range uses {
		if u.code == "" || seen[u.code] {
			continue
		}
		seen[u.code] = true
		if _, err := ref.Rate(u.code, on); err != nil {
			e := errcode.As(err)
			c.add(e.Code, "E16", u.path, "%s: %s", u.path, e.Message)
		}
	}
}

func orderGnums(o *ceb.ExportOrder) []int {
	gs := make([]int, len(o.OrderList))
	for k := range o.OrderList {
		gs[k] = o.OrderList[k].Gnum
	}
	return gs
}

func inventoryGnums(inv *ceb.ExportInventory) []int {
	gs := make([]int, len(inv.InventoryList))
	for k := range inv.InventoryList {
		gs[k] = inv.InventoryList[k].Gnum
	}
	return gs
}

func count(gs []int, g int) int {
	n := 0
	for _, x := range gs {
		if x == g {
			n++
		}
	}
	return n
}

// duplicates returns the gnums appearing more than once, in order of their
// second appearance, each once.
func duplicates(gs []int) []int {
	var out []int
	for k, g := range gs {
		if count(gs[:k], g) == 1 {
			out = append(out, g)
		}
	}
	return out
}

// unique returns the gnums in order of first appearance, each once.
func unique(gs []int) []int {
	var out []int
	for k, g := range gs {
		if count(gs[:k], g) == 0 {
			out = append(out, g)
		}
	}
	return out
}

func isBlank(s string) bool { return strings.TrimSpace(s) == "" }

// amountText shows an amount as declared, or "(absent)".
func amountText(a ceb.Amount) string {
	if !a.Valid {
		return "(absent)"
	}
	return a.String()
}

// linePath names a body line by gnum, as the party declared it.
func linePath(body string, gnum int, elem string) string {
	p := fmt.Sprintf("%s[gnum=%d]", body, gnum)
	if elem != "" {
		p += "." + elem
	}
	return p
}
