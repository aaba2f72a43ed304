package match

import (
	"slices"
	"strings"
	"testing"

	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/ceb/cebtest"
	"github.com/cbec/cbec/pkg/errcode"
)

// docs returns the consistent cebtest set of order M-1.
func docs() Documents {
	o, p, l, i := cebtest.Set("M-1")
	return Documents{Order: o, Payment: p, Waybill: l, Inventory: i}
}

var am = ceb.MustAmount

// setLine sets qty, price and totalPrice of line gnum on both the order and
// the list, so that a case can exercise X01 without tripping X13.
func setLine(d Documents, gnum int, qty, price, total string) {
	for k := range d.Order.OrderList {
		if l := &d.Order.OrderList[k]; l.Gnum == gnum {
			l.Qty, l.Price, l.TotalPrice = am(qty), am(price), am(total)
		}
	}
	for k := range d.Inventory.InventoryList {
		if l := &d.Inventory.InventoryList[k]; l.Gnum == gnum {
			l.Qty, l.Price, l.TotalPrice = am(qty), am(price), am(total)
		}
	}
}

// rebalance recomputes goodsValue, acturalPaid and amountPaid from the
// order lines, so that a case changing lines isolates the line checks.
func rebalance(d Documents) {
	h := &d.Order.OrderHead
	gv := am("0")
	for _, l := range d.Order.OrderList {
		gv.Decimal = gv.Decimal.Add(l.TotalPrice.Decimal)
	}
	h.GoodsValue = gv
	h.ActuralPaid = ceb.NewAmount(gv.Decimal.Add(h.Freight.Decimal).Add(h.TaxTotal.Decimal).Sub(h.Discount.Decimal))
	d.Payment.PaymentHead.AmountPaid = h.ActuralPaid
}

// direct turns the set's list into a valid 9610 list.
func direct(d Documents) {
	h := &d.Inventory.InventoryHead
	h.TradeMode, h.EmsNo, h.AreaCode, h.AreaName, h.Country = "9610", "", "", "", "502"
	h.TrafNo, h.VoyageNo, h.BillNo = "CA1234", "20250308", "999-12345675"
	for k := range d.Inventory.InventoryList {
		d.Inventory.InventoryList[k].ItemRecordNo = ""
	}
}

func codes(errs []*errcode.Error) []errcode.Code {
	var out []errcode.Code
	for _, e := range errs {
		out = append(out, e.Code)
	}
	return out
}

func TestCheckValidSet(t *testing.T) {
	if errs := Check(docs()); errs != nil {
		t.Fatalf("valid set: got %v", errs)
	}
}

func TestCheck(t *testing.T) {
	const otherID = "440524188001010014" // valid, another person
	cases := []struct {
		name   string
		mutate func(d Documents)
		want   []errcode.Code // exactly these, in this order
	}{
		// X01
		{"X01 line total not price×qty", func(d Documents) { setLine(d, 1, "2", "199.00", "396.00") },
			[]errcode.Code{errcode.LinePrice}},
		{"X01 one error per line", func(d Documents) {
			setLine(d, 1, "2", "199.00", "396.00")
			setLine(d, 2, "1", "169.00", "168.00")
		}, []errcode.Code{errcode.LinePrice, errcode.LinePrice}},
		{"X01 decimal scales differ", func(d Documents) { setLine(d, 1, "2.00000", "198", "396.00000") }, nil},
		{"X01 rounds half-up to 5 decimals", func(d Documents) {
			setLine(d, 2, "1.5", "0.00001", "0.00002") // 0.000015 → 0.00002
			rebalance(d)
		}, nil},
		{"X01 truncation is not rounding", func(d Documents) {
			setLine(d, 2, "1.5", "0.00001", "0.00001")
			rebalance(d)
		}, []errcode.Code{errcode.LinePrice}},
		// X02
		{"X02 goodsValue not Σ totalPrice", func(d Documents) {
			h := &d.Order.OrderHead
			h.GoodsValue, h.ActuralPaid = am("560.00"), am("622.23")
			d.Payment.PaymentHead.AmountPaid = am("622.23")
		}, []errcode.Code{errcode.GoodsValue}},
		{"X02 goodsValue other scale", func(d Documents) { d.Order.OrderHead.GoodsValue = am("564") }, nil},
		// X03
		{"X03 acturalPaid formula", func(d Documents) { d.Order.OrderHead.TaxTotal = am("50.00") },
			[]errcode.Code{errcode.ActuralPaid}},
		{"X03 discount subtracts", func(d Documents) {
			h := &d.Order.OrderHead
			h.Discount, h.ActuralPaid = am("6.23"), am("620")
			d.Payment.PaymentHead.AmountPaid = am("620.00")
		}, nil},
		// X04
		{"X04 payment orderNo", func(d Documents) { d.Payment.PaymentHead.OrderNo = "M-2" },
			[]errcode.Code{errcode.PaymentOrder}},
		{"X04 payment ebpCode", func(d Documents) { d.Payment.PaymentHead.EbpCode = "1500009999" },
			[]errcode.Code{errcode.PaymentOrder}},
		// X05
		{"X05 amountPaid", func(d Documents) { d.Payment.PaymentHead.AmountPaid = am("620.00") },
			[]errcode.Code{errcode.AmountPaid}},
		{"X05 amountPaid other scale", func(d Documents) { d.Payment.PaymentHead.AmountPaid = am("626.23000") }, nil},
		// X06
		{"X06 payer name", func(d Documents) { d.Payment.PaymentHead.PayerName = "李四" },
			[]errcode.Code{errcode.PayerBuyer}},
		{"X06 payer ID number", func(d Documents) { d.Payment.PaymentHead.PayerIdNumber = otherID },
			[]errcode.Code{errcode.PayerBuyer}},
		{"X06 lower-case x payer ID equals upper-case buyer ID", func(d Documents) {
			d.Order.OrderHead.BuyerIdNumber = "11010519491231002X"
			d.Inventory.InventoryHead.BuyerIdNumber = "11010519491231002X"
			d.Payment.PaymentHead.PayerIdNumber = " 11010519491231002x "
		}, nil},
		{"X06 x only normalized as check character", func(d Documents) {
			d.Order.OrderHead.BuyerIdNumber = "X1010519491231002X"
			d.Inventory.InventoryHead.BuyerIdNumber = "X1010519491231002X"
			d.Payment.PaymentHead.PayerIdNumber = "x1010519491231002X"
		}, []errcode.Code{errcode.PayerBuyer}},
		// X07
		{"X07 payTransactionId", func(d Documents) { d.Order.OrderHead.PayTransactionId = "PAY0" },
			[]errcode.Code{errcode.PaymentRef}},
		{"X07 payCode", func(d Documents) { d.Order.OrderHead.PayCode = "1500009999" },
			[]errcode.Code{errcode.PaymentRef}},
		{"X07 order without payment refs", func(d Documents) {
			d.Order.OrderHead.PayCode, d.Order.OrderHead.PayName, d.Order.OrderHead.PayTransactionId = "", "", ""
		}, nil},
		// X08
		{"X08 waybill orderNo", func(d Documents) { d.Waybill.LogisticsHead.OrderNo = "M-2" },
			[]errcode.Code{errcode.WaybillOrder}},
		// X09
		{"X09 consignee", func(d Documents) { d.Waybill.LogisticsHead.Consignee = "李四" },
			[]errcode.Code{errcode.Consignee}},
		{"X09 consignee telephone", func(d Documents) { d.Waybill.LogisticsHead.ConsigneeTelephone = "13900139000" },
			[]errcode.Code{errcode.Consignee}},
		{"X09 consignee address", func(d Documents) { d.Waybill.LogisticsHead.ConsigneeAddress = "重庆市江北区" },
			[]errcode.Code{errcode.Consignee}},
		// X10
		{"X10 inventory orderNo", func(d Documents) { d.Inventory.InventoryHead.OrderNo = "M-2" },
			[]errcode.Code{errcode.InventoryOrder}},
		{"X10 inventory ebpCode", func(d Documents) { d.Inventory.InventoryHead.EbpCode = "1500009999" },
			[]errcode.Code{errcode.InventoryOrder}},
		{"X10 inventory ebcCode", func(d Documents) { d.Inventory.InventoryHead.EbcCode = "1500009999" },
			[]errcode.Code{errcode.InventoryOrder}},
		// X11
		{"X11 inventory logisticsNo", func(d Documents) { d.Inventory.InventoryHead.LogisticsNo = "LP0" },
			[]errcode.Code{errcode.InventoryWaybill}},
		{"X11 inventory logisticsCode", func(d Documents) { d.Inventory.InventoryHead.LogisticsCode = "1500009999" },
			[]errcode.Code{errcode.InventoryWaybill}},
		// X12
		{"X12 missing inventory line", func(d Documents) { d.Inventory.InventoryList = d.Inventory.InventoryList[:1] },
			[]errcode.Code{errcode.GnumSet}},
		{"X12 extra inventory line", func(d Documents) {
			extra := d.Inventory.InventoryList[1]
			extra.Gnum = 3
			d.Inventory.InventoryList = append(d.Inventory.InventoryList, extra)
		}, []errcode.Code{errcode.GnumSet}},
		{"X12 duplicate inventory gnum", func(d Documents) {
			d.Inventory.InventoryList = append(d.Inventory.InventoryList, d.Inventory.InventoryList[1])
		}, []errcode.Code{errcode.DuplicateGnum}},
		{"X12 duplicate gnum replacing a line", func(d Documents) { d.Inventory.InventoryList[1].Gnum = 1 },
			[]errcode.Code{errcode.DuplicateGnum, errcode.GnumSet}},
		{"X12 duplicate order gnum", func(d Documents) {
			d.Order.OrderList = append(d.Order.OrderList, d.Order.OrderList[1])
			rebalance(d)
		}, []errcode.Code{errcode.OrderDuplicateGnum}},
		{"X12 gnum three times reported once", func(d Documents) {
			l := d.Inventory.InventoryList[1]
			d.Inventory.InventoryList = append(d.Inventory.InventoryList, l, l)
		}, []errcode.Code{errcode.DuplicateGnum}},
		{"X12 line order does not matter", func(d Documents) {
			ls := d.Inventory.InventoryList
			ls[0], ls[1] = ls[1], ls[0]
		}, nil},
		// X13
		{"X13 gname", func(d Documents) { d.Inventory.InventoryList[0].Gname = "奶粉" },
			[]errcode.Code{errcode.LineMismatch}},
		{"X13 qty", func(d Documents) { d.Inventory.InventoryList[1].Qty = am("2") },
			[]errcode.Code{errcode.LineMismatch}},
		{"X13 unit", func(d Documents) { d.Inventory.InventoryList[1].Unit = "011" },
			[]errcode.Code{errcode.LineMismatch}},
		{"X13 price", func(d Documents) { d.Inventory.InventoryList[0].Price = am("198.01") },
			[]errcode.Code{errcode.LineMismatch}},
		{"X13 totalPrice", func(d Documents) { d.Inventory.InventoryList[0].TotalPrice = am("395.00") },
			[]errcode.Code{errcode.LineMismatch}},
		{"X13 one error per element", func(d Documents) {
			d.Inventory.InventoryList[0].Qty, d.Inventory.InventoryList[0].TotalPrice = am("3"), am("594.00")
		}, []errcode.Code{errcode.LineMismatch, errcode.LineMismatch}},
		{"X13 amounts compared as decimals", func(d Documents) {
			l := &d.Inventory.InventoryList[0]
			l.Qty, l.Price, l.TotalPrice = am("2.00000"), am("198"), am("396.00000")
		}, nil},
		// X14
		{"X14 buyerIdType", func(d Documents) { d.Inventory.InventoryHead.BuyerIdType = "2" },
			[]errcode.Code{errcode.InventoryBuyer}},
		{"X14 buyerIdNumber", func(d Documents) { d.Inventory.InventoryHead.BuyerIdNumber = otherID },
			[]errcode.Code{errcode.InventoryBuyer}},
		{"X14 buyerName", func(d Documents) { d.Inventory.InventoryHead.BuyerName = "李四" },
			[]errcode.Code{errcode.InventoryBuyer}},
		{"X14 buyerTelephone", func(d Documents) { d.Inventory.InventoryHead.BuyerTelephone = "13900139000" },
			[]errcode.Code{errcode.InventoryBuyer}},
		{"X14 consigneeAddress", func(d Documents) { d.Inventory.InventoryHead.ConsigneeAddress = "重庆市江北区" },
			[]errcode.Code{errcode.InventoryBuyer}},
		// X15
		{"X15 1210 without emsNo", func(d Documents) { d.Inventory.InventoryHead.EmsNo = "" },
			[]errcode.Code{errcode.BondedFields}},
		{"X15 1210 without areaCode and areaName", func(d Documents) {
			d.Inventory.InventoryHead.AreaCode, d.Inventory.InventoryHead.AreaName = "", " "
		}, []errcode.Code{errcode.BondedFields, errcode.BondedFields}},
		{"X15 1210 line without itemRecordNo", func(d Documents) { d.Inventory.InventoryList[1].ItemRecordNo = "" },
			[]errcode.Code{errcode.BondedFields}},
		{"X15 1210 country not 142", func(d Documents) { d.Inventory.InventoryHead.Country = "303" },
			[]errcode.Code{errcode.BondedFields}},
		{"X15 valid 9610", direct, nil},
		{"X15 9610 without billNo", func(d Documents) { direct(d); d.Inventory.InventoryHead.BillNo = "" },
			[]errcode.Code{errcode.DirectFields}},
		{"X15 9610 without trafNo and voyageNo", func(d Documents) {
			direct(d)
			d.Inventory.InventoryHead.TrafNo, d.Inventory.InventoryHead.VoyageNo = "", ""
		}, []errcode.Code{errcode.DirectFields, errcode.DirectFields}},
		{"X15 unknown tradeMode", func(d Documents) { d.Inventory.InventoryHead.TradeMode = "1239" },
			[]errcode.Code{errcode.InventoryValidation}},
		// several checks at once come back in table order
		{"table order", func(d Documents) {
			d.Inventory.InventoryHead.EmsNo = ""
			d.Inventory.InventoryList[0].Gname = "奶粉"
			d.Waybill.LogisticsHead.Consignee = "李四"
			d.Payment.PaymentHead.AmountPaid = am("1")
			d.Order.OrderList[0].TotalPrice = am("1")
		}, []errcode.Code{errcode.LinePrice, errcode.GoodsValue, errcode.AmountPaid,
			errcode.Consignee, errcode.LineMismatch, errcode.LineMismatch, errcode.BondedFields}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := docs()
			tc.mutate(d)
			errs := Check(d)
			if got := codes(errs); !slices.Equal(got, tc.want) {
				t.Fatalf("codes = %v, want %v; errors: %v", got, tc.want, errs)
			}
			for _, e := range errs {
				if !strings.HasPrefix(e.Message, "X") || len(e.Details) == 0 || e.Details[0].Path == "" {
					t.Errorf("error without check id or path: %+v", e)
				}
			}
		})
	}
}

func TestCheckMessages(t *testing.T) {
	cases := []struct {
		name         string
		mutate       func(d Documents)
		message      string
		path         string
		code         errcode.Code
		wantContains []string
	}{
		{"X05", func(d Documents) { d.Payment.PaymentHead.AmountPaid = am("620.00") },
			"X05: payment amountPaid 620.00 ≠ order acturalPaid 626.23", "PaymentHead.amountPaid", errcode.AmountPaid, nil},
		{"X01", func(d Documents) { setLine(d, 1, "2", "199.00", "396.00") },
			"X01: order OrderList[gnum=1] totalPrice 396.00 ≠ price 199.00 × qty 2 = 398.00", "OrderList[gnum=1].totalPrice", errcode.LinePrice, nil},
		{"X13", func(d Documents) { d.Inventory.InventoryList[1].Qty = am("2") },
			"X13: inventory InventoryList[gnum=2] qty 2 ≠ order qty 1", "InventoryList[gnum=2].qty", errcode.LineMismatch, nil},
		{"X06 ID masked", func(d Documents) { d.Payment.PaymentHead.PayerIdNumber = "440524188001010014" },
			"X06: payment payerIdNumber 440*************14 ≠ order buyerIdNumber 130*************35",
			"PaymentHead.payerIdNumber", errcode.PayerBuyer, nil},
		{"X06 name masked", func(d Documents) { d.Payment.PaymentHead.PayerName = "李四" },
			`X06: payment payerName "李*" ≠ order buyerName "张*"`, "PaymentHead.payerName", errcode.PayerBuyer, nil},
		{"X09 phone masked", func(d Documents) { d.Waybill.LogisticsHead.ConsigneeTelephone = "13900139000" },
			`X09: waybill consigneeTelephone "139****9000" ≠ order consigneeTelephone "138****8000"`,
			"LogisticsHead.consigneeTelephone", errcode.Consignee, nil},
		{"X12 missing", func(d Documents) { d.Inventory.InventoryList = d.Inventory.InventoryList[:1] },
			"X12: order OrderList gnum 2 has no InventoryList line", "OrderList[gnum=2]", errcode.GnumSet, nil},
		{"X12 duplicate", func(d Documents) {
			d.Inventory.InventoryList = append(d.Inventory.InventoryList, d.Inventory.InventoryList[1])
		}, "X12: inventory InventoryList gnum 2 appears more than once", "InventoryList[gnum=2].gnum", errcode.DuplicateGnum, nil},
		{"X15 9610 billNo", func(d Documents) { direct(d); d.Inventory.InventoryHead.BillNo = "" },
			"X15: tradeMode 9610 requires InventoryHead billNo; it is empty", "InventoryHead.billNo", errcode.DirectFields, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := docs()
			tc.mutate(d)
			errs := Check(d)
			if len(errs) != 1 {
				t.Fatalf("got %d errors, want 1: %v", len(errs), errs)
			}
			e := errs[0]
			if e.Code != tc.code || e.Message != tc.message {
				t.Errorf("got %s %q, want %s %q", e.Code, e.Message, tc.code, tc.message)
			}
			if len(e.Details) != 1 || e.Details[0].Path != tc.path {
				t.Errorf("details = %+v, want path %q", e.Details, tc.path)
			}
		})
	}
}

// TestCheckMasksPersonalData makes every check that handles personal data
// fail and looks for the raw values anywhere in the errors.
func TestCheckMasksPersonalData(t *testing.T) {
	d := docs()
	d.Payment.PaymentHead.PayerIdNumber = "440524188001010014"
	d.Payment.PaymentHead.PayerName = "李四"
	d.Inventory.InventoryHead.BuyerIdNumber = "130000000000000035"
	d.Inventory.InventoryHead.BuyerName = "王五"
	d.Inventory.InventoryHead.BuyerTelephone = "13900139000"
	d.Waybill.LogisticsHead.Consignee = "赵六"
	d.Waybill.LogisticsHead.ConsigneeTelephone = "13700137000"
	errs := Check(d)
	if len(errs) != 7 {
		t.Fatalf("got %d errors, want 7: %v", len(errs), errs)
	}
	secret := []string{cebtest.BuyerIDNumber, "440524188001010014", "130000000000000035",
		cebtest.BuyerTelephone, "13900139000", "13700137000", cebtest.BuyerName, "李四", "王五", "赵六"}
	for _, e := range errs {
		text := e.Error()
		for _, dt := range e.Details {
			text += " " + dt.Path + " " + dt.Message
		}
		for _, s := range secret {
			if strings.Contains(text, s) {
				t.Errorf("%q leaks %q", text, s)
			}
		}
	}
	// Numbers differing only in the masked middle get a note instead of
	// reading as equal.
	if !strings.Contains(errs[len(errs)-3].Message, "differ in the masked digits") {
		t.Errorf("X14 ID message lacks the note: %q", errs[len(errs)-3].Message)
	}
}

func TestCheckNilDocuments(t *testing.T) {
	d := docs()
	d.Payment.PaymentHead.AmountPaid = am("1")
	d.Waybill.LogisticsHead.Consignee = "李四"
	d.Inventory.InventoryHead.EmsNo = ""

	if got := codes(Check(Documents{})); got != nil {
		t.Errorf("no documents: %v", got)
	}
	if got := codes(Check(Documents{Order: d.Order, Waybill: d.Waybill, Inventory: d.Inventory})); !slices.Equal(got,
		[]errcode.Code{errcode.Consignee, errcode.BondedFields}) {
		t.Errorf("without payment: %v", got)
	}
	if got := codes(Check(Documents{Payment: d.Payment, Waybill: d.Waybill, Inventory: d.Inventory})); !slices.Equal(got,
		[]errcode.Code{errcode.BondedFields}) {
		t.Errorf("without order: %v", got)
	}
	if got := codes(Check(Documents{Order: d.Order, Payment: d.Payment})); !slices.Equal(got,
		[]errcode.Code{errcode.AmountPaid}) {
		t.Errorf("order and payment only: %v", got)
	}
	// The waybill's link to the list is checked even without the order.
	d.Inventory.InventoryHead.LogisticsNo = "LP0"
	if got := codes(Check(Documents{Waybill: d.Waybill, Inventory: d.Inventory})); !slices.Equal(got,
		[]errcode.Code{errcode.InventoryWaybill, errcode.BondedFields}) {
		t.Errorf("waybill and list only: %v", got)
	}
}

// TestCheckSkipsAbsentAmounts: an absent required amount is ceb.Validate's
// to report; the computed checks must not panic or report it again.
func TestCheckSkipsAbsentAmounts(t *testing.T) {
	d := docs()
	d.Order.OrderList[0].Price = ceb.Amount{}
	d.Inventory.InventoryList[0].Price = ceb.Amount{}
	d.Order.OrderHead.TaxTotal = ceb.Amount{}
	if errs := Check(d); errs != nil {
		t.Fatalf("got %v", errs)
	}
	d.Payment.PaymentHead.AmountPaid = ceb.Amount{}
	errs := Check(d)
	if len(errs) != 1 || errs[0].Message != "X05: payment amountPaid (absent) ≠ order acturalPaid 626.23" {
		t.Fatalf("got %v", errs)
	}
}

func BenchmarkCheck(b *testing.B) {
	d := docs()
	b.ReportAllocs()
	for b.Loop() {
		if errs := Check(d); errs != nil {
			b.Fatal(errs)
		}
	}
}
