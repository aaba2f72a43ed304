package export_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/ceb/cebtest"
	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/export"
)

// checkDay is the declaration day of the export set.
var checkDay = sh(2025, 3, 10, 9, 30, 0, 0)

func exportDocs() export.Documents {
	o, r, l, i := cebtest.ExportSet("X-1")
	return export.Documents{Order: o, Receipt: r, Waybill: l, Inventory: i}
}

func TestCheckExportSetPasses(t *testing.T) {
	ref := defaultRef(t)
	if errs := export.Check(exportDocs(), ref, checkDay); len(errs) != 0 {
		t.Fatalf("the export set fails: %v", errs)
	}
	if errs := export.Check(export.Documents{}, ref, checkDay); errs != nil {
		t.Fatalf("no documents: %v", errs)
	}
	d := exportDocs()
	for _, only := range []export.Documents{{Order: d.Order}, {Receipt: d.Receipt}, {Waybill: d.Waybill}, {Inventory: d.Inventory}} {
		if errs := export.Check(only, ref, checkDay); errs != nil {
			t.Errorf("a single document fails: %v", errs)
		}
	}
}

func TestCheck(t *testing.T) {
	ref := defaultRef(t)
	am := ceb.MustAmount
	tests := []struct {
		name   string
		mutate func(d *export.Documents)
		on     time.Time // zero: checkDay
		code   errcode.Code
		n      int      // number of violations, all with code; 0 means 1
		want   []string // substrings of the first message
		path   string   // Details path of the first violation
	}{
		// E01 inventory ↔ order.
		{name: "E01 orderNo", mutate: func(d *export.Documents) { d.Inventory.InventoryHead.OrderNo = "X-2" },
			code: errcode.ExportInventoryOrder, want: []string{"E01", `"X-2"`, `"X-1"`}, path: "InventoryHead.orderNo"},
		{name: "E01 ebpCode", mutate: func(d *export.Documents) { d.Inventory.InventoryHead.EbpCode = "1500000099" },
			code: errcode.ExportInventoryOrder, want: []string{"ebpCode", "1500000099"}, path: "InventoryHead.ebpCode"},
		{name: "E01 ebcCode", mutate: func(d *export.Documents) { d.Inventory.InventoryHead.EbcCode = "1500000099" },
			code: errcode.ExportInventoryOrder, want: []string{"ebcCode", "1500000099"}, path: "InventoryHead.ebcCode"},
		// E02 inventory ↔ waybill.
		{name: "E02 logisticsNo", mutate: func(d *export.Documents) { d.Inventory.InventoryHead.LogisticsNo = "EL0" },
			code: errcode.ExportInventoryWaybill, want: []string{"E02", `"EL0"`}, path: "InventoryHead.logisticsNo"},
		{name: "E02 logisticsCode", mutate: func(d *export.Documents) { d.Waybill.LogisticsCode = "1500000099" },
			code: errcode.ExportInventoryWaybill, want: []string{"logisticsCode", "1500000099"}, path: "InventoryHead.logisticsCode"},
		// E03 receipt ↔ order.
		{name: "E03 orderNo", mutate: func(d *export.Documents) { d.Receipt.OrderNo = "X-9" },
			code: errcode.ExportReceiptOrder, want: []string{"E03", `"X-9"`}, path: "Receipts.orderNo"},
		{name: "E03 ebcCode", mutate: func(d *export.Documents) { d.Receipt.EbcCode = "1500000099" },
			code: errcode.ExportReceiptOrder, want: []string{"receipt ebcCode", "1500000099"}, path: "Receipts.ebcCode"},
		// E04 charge.
		{name: "E04 charge", mutate: func(d *export.Documents) { d.Receipt.Charge = am("70.00") },
			code: errcode.ExportCharge, want: []string{"E04: receipt charge 70.00 ≠ order goodsValue 65.00 + freight 8.00 = 73.00"}, path: "Receipts.charge"},
		{name: "E04 charge without freight", mutate: func(d *export.Documents) { d.Receipt.Charge = am("65.00") },
			code: errcode.ExportCharge, want: []string{"73.00"}},
		{name: "E04 same value other scale passes", mutate: func(d *export.Documents) { d.Receipt.Charge = am("73.0000") }},
		{name: "E04 currency", mutate: func(d *export.Documents) { d.Receipt.Currency = "300" },
			code: errcode.ExportCharge, want: []string{`receipt currency "300" ≠ order currency "502"`}, path: "Receipts.currency"},
		// A missing amount is the schema's error (ceb.Validate), reported
		// there; a check does not add a second one computed from zero.
		{name: "E04 without a charge passes", mutate: func(d *export.Documents) { d.Receipt.Charge = ceb.Amount{} }},
		{name: "E04 and E09 without a goodsValue pass", mutate: func(d *export.Documents) { d.Order.OrderHead.GoodsValue = ceb.Amount{} }},
		{name: "E04 without a freight passes", mutate: func(d *export.Documents) { d.Order.OrderHead.Freight = ceb.Amount{} }},
		// E05 gnum set.
		{name: "E05 gnum on one side", mutate: func(d *export.Documents) { d.Inventory.InventoryList[1].Gnum = 3 },
			code: errcode.ExportGnumSet, n: 2, want: []string{"order OrderList gnum 2 has no InventoryList line"}, path: "OrderList[gnum=2]"},
		{name: "E05 duplicate gnum", mutate: func(d *export.Documents) { d.Inventory.InventoryList[1].Gnum = 1 },
			code: errcode.ExportGnumSet, n: 2, want: []string{"inventory InventoryList gnum 1 appears more than once"}, path: "InventoryList[gnum=1].gnum"},
		// E06 lines.
		{name: "E06 qty", mutate: func(d *export.Documents) {
			d.Inventory.InventoryList[0].Qty, d.Inventory.InventoryList[0].TotalPrice = am("3"), am("75.00")
		}, code: errcode.ExportLineMismatch, n: 2, want: []string{"InventoryList[gnum=1] qty 3 ≠ order qty 2"}, path: "InventoryList[gnum=1].qty"},
		{name: "E06 unit", mutate: func(d *export.Documents) { d.Inventory.InventoryList[1].Unit = "011" },
			code: errcode.ExportLineMismatch, want: []string{`unit "011" ≠ order unit "007"`}, path: "InventoryList[gnum=2].unit"},
		{name: "E06 price and totalPrice", mutate: func(d *export.Documents) {
			d.Inventory.InventoryList[1].Price, d.Inventory.InventoryList[1].TotalPrice = am("6.00"), am("18.00")
		}, code: errcode.ExportLineMismatch, n: 2, want: []string{"price 6.00 ≠ order price 5.00"}, path: "InventoryList[gnum=2].price"},
		{name: "E06 currency", mutate: func(d *export.Documents) { d.Inventory.InventoryList[0].Currency = "300" },
			code: errcode.ExportLineMismatch, want: []string{`currency "300" ≠ order currency "502"`}, path: "InventoryList[gnum=1].currency"},
		// E07 order currency.
		{name: "E07 order line currency", mutate: func(d *export.Documents) {
			d.Order.OrderList[0].Currency, d.Inventory.InventoryList[0].Currency = "300", "300"
		}, code: errcode.ExportOrderCurrency, want: []string{`OrderList[gnum=1] currency "300" ≠ order currency "502"`}, path: "OrderList[gnum=1].currency"},
		// E08 price × qty.
		{name: "E08 inventory line", mutate: func(d *export.Documents) {
			d.Order = nil
			d.Inventory.InventoryList[0].TotalPrice = am("51.00")
		}, code: errcode.ExportLinePrice, want: []string{"inventory InventoryList[gnum=1] totalPrice 51.00 ≠ price 25.00 × qty 2 = 50.00"}, path: "InventoryList[gnum=1].totalPrice"},
		{name: "E08 rounded to 5 decimals", mutate: func(d *export.Documents) {
			d.Order = nil
			l := &d.Inventory.InventoryList[0]
			l.Price, l.Qty, l.TotalPrice = am("0.333333"), am("1"), am("0.33333")
		}},
		{name: "E08 order line", mutate: func(d *export.Documents) {
			d.Inventory, d.Receipt = nil, nil
			d.Order.OrderList[1].TotalPrice, d.Order.OrderList[1].Qty = am("15.00"), am("4")
		}, code: errcode.ExportLinePrice, want: []string{"order OrderList[gnum=2] totalPrice 15.00 ≠ price 5.00 × qty 4 = 20.00"}},
		{name: "E08 without a price passes", mutate: func(d *export.Documents) {
			d.Order = nil
			d.Inventory.InventoryList[0].Price = ceb.Amount{}
		}},
		{name: "E08 without a qty passes", mutate: func(d *export.Documents) {
			d.Order = nil
			d.Inventory.InventoryList[0].Qty = ceb.Amount{}
		}},
		// E09 goodsValue.
		{name: "E09 goodsValue", mutate: func(d *export.Documents) {
			d.Order.OrderHead.GoodsValue, d.Receipt.Charge = am("66.00"), am("74.00")
		}, code: errcode.ExportGoodsValue, want: []string{"order goodsValue 66.00 ≠ Σ OrderList totalPrice 65.00"}, path: "OrderHead.goodsValue"},
		{name: "E09 one order line", mutate: func(d *export.Documents) {
			d.Inventory, d.Receipt = nil, nil
			d.Order.OrderList = d.Order.OrderList[:1]
		}, code: errcode.ExportGoodsValue, want: []string{"order goodsValue 65.00 ≠ Σ OrderList totalPrice 50.00"}},
		{name: "E09 no order lines is not a sum of nothing", mutate: func(d *export.Documents) {
			d.Inventory, d.Receipt = nil, nil
			d.Order.OrderList = nil
		}},
		// E10 trade mode.
		{name: "E10 unknown trade mode", mutate: func(d *export.Documents) { d.Inventory.InventoryHead.TradeMode = "1039" },
			code: errcode.ExportTradeMode, want: []string{`tradeMode "1039"`, "9610"}, path: "InventoryHead.tradeMode"},
		// E11 mode fields.
		{name: "E11 9610 billNo", mutate: func(d *export.Documents) { d.Inventory.InventoryHead.BillNo = " " },
			code: errcode.ExportModeFields, want: []string{"tradeMode 9610 requires InventoryHead billNo"}, path: "InventoryHead.billNo"},
		{name: "E11 1210 without zone fields", mutate: func(d *export.Documents) { d.Inventory.InventoryHead.TradeMode = "1210" },
			code: errcode.ExportModeFields, n: 5, want: []string{"tradeMode 1210 requires InventoryHead emsNo"}, path: "InventoryHead.emsNo"},
		{name: "E11 1210 itemRecordNo", mutate: func(d *export.Documents) {
			h := &d.Inventory.InventoryHead
			h.TradeMode, h.EmsNo, h.IacCode, h.IacName = "1210", "T8001W000001", "5000000001", "示例区内企业"
			d.Inventory.InventoryList[0].ItemRecordNo = "REC-1"
		}, code: errcode.ExportModeFields, want: []string{"InventoryList[gnum=2] itemRecordNo"}, path: "InventoryList[gnum=2].itemRecordNo"},
		{name: "E11 1210 complete passes", mutate: func(d *export.Documents) {
			h := &d.Inventory.InventoryHead
			h.TradeMode, h.EmsNo, h.IacCode, h.IacName = "1210", "T8001W000001", "5000000001", "示例区内企业"
			d.Inventory.InventoryList[0].ItemRecordNo, d.Inventory.InventoryList[1].ItemRecordNo = "REC-1", "REC-2"
		}},
		{name: "E11 9710 B2B without receipt passes", mutate: func(d *export.Documents) {
			d.Inventory.InventoryHead.TradeMode, d.Order.OrderHead.OrderType, d.Receipt = "9710", "B", nil
		}},
		{name: "E11 9810 voyageNo", mutate: func(d *export.Documents) {
			d.Inventory.InventoryHead.TradeMode, d.Order.OrderHead.OrderType, d.Receipt = "9810", "W", nil
			d.Inventory.InventoryHead.VoyageNo = ""
		}, code: errcode.ExportModeFields, want: []string{"tradeMode 9810 requires InventoryHead voyageNo"}},
		// E12 order type.
		{name: "E12 B2B order on a 9610 list", mutate: func(d *export.Documents) { d.Order.OrderHead.OrderType = "B" },
			code: errcode.ExportOrderType, want: []string{`orderType "B" does not fit tradeMode 9610`}, path: "OrderHead.orderType"},
		{name: "E12 B2C order on a 9710 list", mutate: func(d *export.Documents) { d.Inventory.InventoryHead.TradeMode = "9710" },
			code: errcode.ExportOrderType, want: []string{`orderType "E" does not fit tradeMode 9710, which takes B`}},
		// E13 simplified declaration.
		{name: "E13 A with plain goods passes", mutate: func(d *export.Documents) { d.Inventory.InventoryHead.StatisticsFlag = "A" }},
		{name: "E13 A with export-duty goods", mutate: func(d *export.Documents) {
			d.Inventory.InventoryHead.StatisticsFlag = "A"
			d.Inventory.InventoryList[1].Gcode = "7202210000"
		}, code: errcode.ExportSimplified, want: []string{"InventoryList[gnum=2] gcode 7202210000 is under 7202", "ferro-alloys: export duty"}, path: "InventoryList[gnum=2].gcode"},
		{name: "E13 B with export-duty goods passes", mutate: func(d *export.Documents) { d.Inventory.InventoryList[1].Gcode = "7202210000" }},
		// E14 prohibited.
		{name: "E14 prohibited goods", mutate: func(d *export.Documents) { d.Inventory.InventoryList[0].Gcode = "9302000000" },
			code: errcode.ExportProhibited, want: []string{"gcode 9302000000 is under 9302", "arms export control"}, path: "InventoryList[gnum=1].gcode"},
		{name: "E14 most specific prefix", mutate: func(d *export.Documents) { d.Inventory.InventoryList[0].Gcode = "2903140000" },
			code: errcode.ExportProhibited, want: []string{"under 290314", "ozone"}},
		// E15 parties.
		{name: "E15 producer/seller", mutate: func(d *export.Documents) { d.Inventory.InventoryHead.OwnerCode = "" },
			code: errcode.ExportParties, want: []string{"ownerCode (producer/seller"}, path: "InventoryHead.ownerCode"},
		{name: "E15 consignor", mutate: func(d *export.Documents) {
			d.Order, d.Receipt = nil, nil
			d.Inventory.InventoryHead.EbcCode = " "
		}, code: errcode.ExportParties, want: []string{"ebcCode (consignor"}, path: "InventoryHead.ebcCode"},
		// E16 currencies.
		{name: "E16 unknown freight currency", mutate: func(d *export.Documents) { d.Inventory.InventoryHead.FCurrency = "999" },
			code: errcode.CurrencyUnknown, want: []string{"E16", `currency "999" is not in the rate table`}, path: "InventoryHead.fCurrency"},
		{name: "E16 unknown currency reported once", mutate: func(d *export.Documents) {
			d.Order = nil
			for k := range d.Inventory.InventoryList {
				d.Inventory.InventoryList[k].Currency = "999"
			}
		}, code: errcode.CurrencyUnknown, want: []string{"InventoryList[gnum=1].currency"}, path: "InventoryList[gnum=1].currency"},
		{name: "E16 no rate on the day", mutate: func(*export.Documents) {}, on: sh(2024, 12, 31, 12, 0, 0, 0),
			code: errcode.CurrencyNoRate, want: []string{"OrderHead.currency", "no rate on 2024-12-31", "2025-01-01"}, path: "OrderHead.currency"},
		{name: "E16 CNY export passes", mutate: func(d *export.Documents) {
			d.Order.OrderHead.Currency, d.Receipt.Currency, d.Waybill.Currency = "142", "142", "142"
			d.Inventory.InventoryHead.FCurrency, d.Inventory.InventoryHead.ICurrency = "142", "142"
			for k := range d.Order.OrderList {
				d.Order.OrderList[k].Currency, d.Inventory.InventoryList[k].Currency = "142", "142"
			}
		}, on: sh(2024, 12, 31, 12, 0, 0, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := exportDocs()
			tt.mutate(&d)
			on := tt.on
			if on.IsZero() {
				on = checkDay
			}
			errs := export.Check(d, ref, on)
			if tt.code == "" {
				if len(errs) != 0 {
					t.Fatalf("want no violation, got %v", errs)
				}
				return
			}
			n := max(tt.n, 1)
			if len(errs) != n {
				t.Fatalf("got %d violations, want %d of %s: %v", len(errs), n, tt.code, errs)
			}
			for _, e := range errs {
				if e.Code != tt.code {
					t.Errorf("violation %v has code %s, want %s", e, e.Code, tt.code)
				}
			}
			for _, w := range tt.want {
				if !strings.Contains(errs[0].Message, w) {
					t.Errorf("message %q does not contain %q", errs[0].Message, w)
				}
			}
			if tt.path != "" && (len(errs[0].Details) != 1 || errs[0].Details[0].Path != tt.path) {
				t.Errorf("details %v, want path %s", errs[0].Details, tt.path)
			}
		})
	}
}

// TestCheckEveryCode makes sure the table above covers every check code.
func TestCheckEveryCode(t *testing.T) {
	ref := defaultRef(t)
	seen := map[errcode.Code]bool{}
	d := exportDocs()
	d.Inventory.InventoryHead.TradeMode = "1039"
	d.Inventory.InventoryHead.StatisticsFlag = "A"
	d.Inventory.InventoryHead.OwnerCode = ""
	d.Inventory.InventoryHead.FCurrency = "999"
	d.Inventory.InventoryList[0].Gcode = "9302000000"
	for _, e := range export.Check(d, ref, checkDay) {
		seen[e.Code] = true
	}
	for _, c := range []errcode.Code{errcode.ExportTradeMode, errcode.ExportProhibited, errcode.ExportParties, errcode.CurrencyUnknown} {
		if !seen[c] {
			t.Errorf("code %s not reported", c)
		}
	}
	for _, c := range []errcode.Code{
		errcode.ExportInventoryOrder, errcode.ExportInventoryWaybill, errcode.ExportReceiptOrder, errcode.ExportCharge,
		errcode.ExportGnumSet, errcode.ExportLineMismatch, errcode.ExportOrderCurrency, errcode.ExportLinePrice,
		errcode.ExportGoodsValue, errcode.ExportTradeMode, errcode.ExportModeFields, errcode.ExportOrderType,
		errcode.ExportSimplified, errcode.ExportProhibited, errcode.ExportParties, errcode.CurrencyUnknown,
		errcode.CurrencyNoRate, errcode.SummaryRequest,
	} {
		if errcode.Describe(c) == "" {
			t.Errorf("code %s is not in the catalogue", c)
		}
	}
}

func TestCheckWithoutReference(t *testing.T) {
	d := exportDocs()
	d.Inventory.InventoryHead.TradeMode = "1039"
	d.Inventory.InventoryList[0].Gcode = "9302000000"
	d.Inventory.InventoryHead.FCurrency = "999"
	if errs := export.Check(d, nil, checkDay); errs != nil {
		t.Fatalf("reference checks ran without reference data: %v", errs)
	}
}

func TestCheckDoesNotModify(t *testing.T) {
	d := exportDocs()
	d.Inventory.InventoryList[0].Qty = ceb.MustAmount("9")
	before := *d.Inventory
	beforeLines := append([]ceb.ExportInventoryList(nil), d.Inventory.InventoryList...)
	export.Check(d, defaultRef(t), checkDay)
	if d.Inventory.InventoryHead != before.InventoryHead {
		t.Error("Check modified the inventory head")
	}
	for k := range beforeLines {
		if !d.Inventory.InventoryList[k].Qty.Equal(beforeLines[k].Qty) || d.Inventory.InventoryList[k].Gnum != beforeLines[k].Gnum {
			t.Error("Check modified an inventory line")
		}
	}
}
