package ceb_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/ceb/cebtest"
)

func set() (*ceb.Order, *ceb.Payment, *ceb.Logistics, *ceb.Inventory) {
	return cebtest.Set("ORD-20250310-0001")
}

// wantError asserts that errs holds exactly one error, at path with rule.
func wantError(t *testing.T, errs []ceb.FieldError, path, rule string) ceb.FieldError {
	t.Helper()
	if len(errs) != 1 || errs[0].Path != path || errs[0].Rule != rule {
		t.Fatalf("want one %s error at %s, got %+v", rule, path, errs)
	}
	if errs[0].Message == "" {
		t.Fatal("empty message")
	}
	return errs[0]
}

func TestValidateDocumentRules(t *testing.T) {
	long := func(n int) string { return strings.Repeat("A", n) }
	cases := []struct {
		name     string
		mutate   func(o *ceb.Order)
		path     string // below "Order[0]."; "" = valid
		rule     string
		param    string
		wantText string
	}{
		{"valid", func(*ceb.Order) {}, "", "", "", ""},
		{"ebpCode 18", func(o *ceb.Order) { o.OrderHead.EbpCode = long(18) }, "", "", "", ""},
		{"ebpCode 19", func(o *ceb.Order) { o.OrderHead.EbpCode = long(19) }, "OrderHead.ebpCode", "max", "18", "ebpCode must be at most 18 characters"},
		{"ebpName counts characters not bytes", func(o *ceb.Order) { o.OrderHead.EbpName = strings.Repeat("电", 100) }, "", "", "", ""},
		{"ebpName 101 characters", func(o *ceb.Order) { o.OrderHead.EbpName = strings.Repeat("电", 101) }, "OrderHead.ebpName", "max", "100", "ebpName must be at most 100 characters"},
		{"orderNo missing", func(o *ceb.Order) { o.OrderHead.OrderNo = "" }, "OrderHead.orderNo", "required", "", "orderNo is required"},
		{"guid 35", func(o *ceb.Order) { o.OrderHead.Guid = long(35) }, "OrderHead.guid", "len", "36", "guid must be exactly 36 characters"},
		{"appType 4", func(o *ceb.Order) { o.OrderHead.AppType = "4" }, "OrderHead.appType", "oneof", "1 2 3", "appType must be one of 1, 2, 3"},
		{"appType 3", func(o *ceb.Order) { o.OrderHead.AppType = "3" }, "", "", "", ""},
		{"appStatus 3", func(o *ceb.Order) { o.OrderHead.AppStatus = "3" }, "OrderHead.appStatus", "oneof", "1 2", ""},
		{"appTime 13 chars", func(o *ceb.Order) { o.OrderHead.AppTime = "2025031009300" }, "OrderHead.appTime", "len", "14", ""},
		{"appTime month 13", func(o *ceb.Order) { o.OrderHead.AppTime = "20251310093000" }, "OrderHead.appTime", "datetime14", "", "appTime must be a valid time in the form YYYYMMDDhhmmss"},
		{"appTime not digits", func(o *ceb.Order) { o.OrderHead.AppTime = "2025-03-10T093" }, "OrderHead.appTime", "datetime14", "", ""},
		{"currency 156", func(o *ceb.Order) { o.OrderHead.Currency = "156" }, "OrderHead.currency", "eq", "142", "currency must be 142"},
		{"buyerIdType 2", func(o *ceb.Order) { o.OrderHead.BuyerIdType = "2" }, "OrderHead.buyerIdType", "eq", "1", ""},
		{"orderType E", func(o *ceb.Order) { o.OrderHead.OrderType = "E" }, "OrderHead.orderType", "eq", "I", ""},
		{"consigneeDistrict 4", func(o *ceb.Order) { o.OrderHead.ConsigneeDistrict = "5001" }, "OrderHead.consigneeDistrict", "len", "6", ""},
		{"optional payCode empty", func(o *ceb.Order) { o.OrderHead.PayCode = "" }, "", "", "", ""},
		{"goodsValue missing", func(o *ceb.Order) { o.OrderHead.GoodsValue = ceb.Amount{} }, "OrderHead.goodsValue", "required", "", "goodsValue is required"},
		{"discount 0", func(o *ceb.Order) { o.OrderHead.Discount = ceb.MustAmount("0") }, "", "", "", ""},
		{"goodsValue negative", func(o *ceb.Order) { o.OrderHead.GoodsValue = ceb.MustAmount("-1") }, "OrderHead.goodsValue", "amount", "", "goodsValue must not be negative"},
		{"goodsValue 14 integer digits 5 decimals", func(o *ceb.Order) { o.OrderHead.GoodsValue = ceb.MustAmount("99999999999999.99999") }, "", "", "", ""},
		{"goodsValue 15 integer digits", func(o *ceb.Order) { o.OrderHead.GoodsValue = ceb.MustAmount("100000000000000") }, "OrderHead.goodsValue", "amount", "", "at most 14 integer digits"},
		{"goodsValue 6 decimals", func(o *ceb.Order) { o.OrderHead.GoodsValue = ceb.MustAmount("1.123456") }, "OrderHead.goodsValue", "amount", "", "at most 5 decimal places"},
		{"goodsValue trailing zeros", func(o *ceb.Order) { o.OrderHead.GoodsValue = ceb.MustAmount("1.1000000") }, "", "", "", ""},
		{"qty missing on line 2", func(o *ceb.Order) { o.OrderList[1].Qty = ceb.Amount{} }, "OrderList[1].qty", "required", "", "qty is required"},
		{"unit 2 chars", func(o *ceb.Order) { o.OrderList[0].Unit = "12" }, "OrderList[0].unit", "len", "3", ""},
		{"gnum 0", func(o *ceb.Order) { o.OrderList[0].Gnum = 0 }, "OrderList[0].gnum", "required", "", ""},
		{"gnum negative", func(o *ceb.Order) { o.OrderList[0].Gnum = -1 }, "OrderList[0].gnum", "min", "1", ""},
		{"no lines", func(o *ceb.Order) { o.OrderList = nil }, "OrderList", "required", "", "OrderList is required"},
		{"empty lines", func(o *ceb.Order) { o.OrderList = []ceb.OrderList{} }, "OrderList", "min", "1", "OrderList must contain at least 1 items"},
		{"99 lines", func(o *ceb.Order) { o.OrderList = lines(o.OrderList[0], 99) }, "", "", "", ""},
		{"100 lines", func(o *ceb.Order) { o.OrderList = lines(o.OrderList[0], 100) }, "OrderList", "max", "99", "OrderList must contain at most 99 items"},
		{"no head", func(o *ceb.Order) { o.OrderHead = ceb.OrderHead{} }, "OrderHead", "required", "", "OrderHead is required"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o, _, _, _ := set()
			c.mutate(o)
			errs := ceb.ValidateDocument(o, "Order[0]")
			if c.path == "" {
				if len(errs) > 0 {
					t.Fatalf("unexpected errors %+v", errs)
				}
				return
			}
			e := wantError(t, errs, "Order[0]."+c.path, c.rule)
			if e.Param != c.param {
				t.Errorf("param = %q, want %q", e.Param, c.param)
			}
			if !strings.Contains(e.Message, c.wantText) {
				t.Errorf("message %q does not contain %q", e.Message, c.wantText)
			}
		})
	}
}

func lines(l ceb.OrderList, n int) []ceb.OrderList {
	out := make([]ceb.OrderList, n)
	for i := range out {
		out[i] = l
		out[i].Gnum = i + 1
	}
	return out
}

func TestValidateOtherDocuments(t *testing.T) {
	type check struct {
		name   string
		doc    func() ceb.Document
		prefix string
		path   string
		rule   string
	}
	cases := []check{
		{"payment payTime", func() ceb.Document {
			_, p, _, _ := set()
			p.PaymentHead.PayTime = "20250230120000"
			return p
		}, "Payment[0]", "Payment[0].PaymentHead.payTime", "datetime14"},
		{"payment payerIdType", func() ceb.Document {
			_, p, _, _ := set()
			p.PaymentHead.PayerIdType = "2"
			return p
		}, "Payment[0]", "Payment[0].PaymentHead.payerIdType", "eq"},
		{"waybill packNo 2", func() ceb.Document {
			_, _, l, _ := set()
			l.LogisticsHead.PackNo = 2
			return l
		}, "Logistics[4]", "Logistics[4].LogisticsHead.packNo", "eq"},
		{"waybill optional freight negative", func() ceb.Document {
			_, _, l, _ := set()
			l.LogisticsHead.Freight = ceb.MustAmount("-0.01")
			return l
		}, "Logistics[0]", "Logistics[0].LogisticsHead.freight", "amount"},
		{"inventory buyerIdNumber 61", func() ceb.Document {
			_, _, _, i := set()
			i.InventoryHead.BuyerIdNumber = strings.Repeat("1", 61)
			return i
		}, "Inventory[1]", "Inventory[1].InventoryHead.buyerIdNumber", "max"},
		{"inventory declTime", func() ceb.Document {
			_, _, _, i := set()
			i.InventoryHead.DeclTime = "20250230"
			return i
		}, "Inventory[0]", "Inventory[0].InventoryHead.declTime", "date8"},
		{"inventory ieFlag", func() ceb.Document {
			_, _, _, i := set()
			i.InventoryHead.IeFlag = "E"
			return i
		}, "Inventory[0]", "Inventory[0].InventoryHead.ieFlag", "eq"},
		{"inventory gcode", func() ceb.Document {
			_, _, _, i := set()
			i.InventoryList[1].Gcode = "19011010"
			return i
		}, "Inventory[0]", "Inventory[0].InventoryList[1].gcode", "len"},
		{"inventory qty1 missing", func() ceb.Document {
			_, _, _, i := set()
			i.InventoryList[0].Qty1 = ceb.Amount{}
			return i
		}, "Inventory[0]", "Inventory[0].InventoryList[0].qty1", "required"},
		{"cancel appType 2", func() ceb.Document {
			_, _, _, i := set()
			c := cebtest.Cancel(i, cebtest.InvtNo("x"))
			c.AppHead.AppType = "2"
			return c
		}, "InvtCancel[0]", "InvtCancel[0].appType", "eq"},
		{"cancel reason", func() ceb.Document {
			_, _, _, i := set()
			c := cebtest.Cancel(i, cebtest.InvtNo("x"))
			c.Reason = ""
			return c
		}, "InvtCancel[0]", "InvtCancel[0].reason", "required"},
		{"refund qty", func() ceb.Document {
			_, _, _, i := set()
			r := cebtest.Refund(i, cebtest.InvtNo("x"))
			r.InvtRefundList[1].Qty = ceb.MustAmount("1.000001")
			return r
		}, "InvtRefund[0]", "InvtRefund[0].InvtRefundList[1].qty", "amount"},
		{"receipt returnTime", func() ceb.Document {
			o, _, _, _ := set()
			r := ceb.NewReceipt(o, "120", "ok", at).(*ceb.OrderReturn)
			r.ReturnTime = "20250310100000"
			return r
		}, "OrderReturn[0]", "OrderReturn[0].returnTime", "len"},
		{"inventory receipt preNo", func() ceb.Document {
			_, _, _, i := set()
			return ceb.NewReceipt(i, "120", "ok", at)
		}, "InventoryReturn[0]", "InventoryReturn[0].preNo", "required"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantError(t, ceb.ValidateDocument(c.doc(), c.prefix), c.path, c.rule)
		})
	}
	if errs := ceb.ValidateDocument(nil, "Order[0]"); len(errs) != 1 || errs[0].Rule != "required" {
		t.Errorf("nil document: %+v", errs)
	}
	if errs := ceb.ValidateDocument((*ceb.Order)(nil), "Order[0]"); len(errs) != 1 || errs[0].Rule != "required" {
		t.Errorf("nil *Order: %+v", errs)
	}
}

func TestValidateMessage(t *testing.T) {
	fx := fixtures(t)
	valid := func(typ ceb.MsgType) *ceb.Message {
		m := *fx[typ]
		return &m
	}
	_, p, _, _ := set()
	cases := []struct {
		name       string
		msg        func() *ceb.Message
		path, rule string
	}{
		{"no documents", func() *ceb.Message { m := valid(ceb.CEB311); m.Documents = nil; return m }, "Order", "required"},
		{"100 documents", func() *ceb.Message {
			m := valid(ceb.CEB311)
			m.Documents = docs(m.Documents[0], 100)
			return m
		}, "", ""},
		{"101 documents", func() *ceb.Message {
			m := valid(ceb.CEB311)
			m.Documents = docs(m.Documents[0], 101)
			return m
		}, "Order", "max"},
		{"CEB900 two nodes", func() *ceb.Message {
			m := valid(ceb.CEB900)
			m.Documents = docs(m.Documents[0], 2)
			return m
		}, "MessageReturn", "max"},
		{"wrong document type", func() *ceb.Message { m := valid(ceb.CEB311); m.Documents = []ceb.Document{p}; return m }, "Order[0]", "type"},
		{"nil document", func() *ceb.Message { m := valid(ceb.CEB311); m.Documents = []ceb.Document{nil}; return m }, "Order[0]", "required"},
		{"no BaseTransfer", func() *ceb.Message { m := valid(ceb.CEB411); m.BaseTransfer = nil; return m }, "BaseTransfer", "required"},
		{"BaseTransfer copCode", func() *ceb.Message {
			m := valid(ceb.CEB411)
			bt := *m.BaseTransfer
			bt.CopCode = strings.Repeat("1", 19)
			m.BaseTransfer = &bt
			return m
		}, "BaseTransfer.copCode", "max"},
		{"BaseSubscribe status", func() *ceb.Message {
			m := valid(ceb.CEB511)
			m.BaseSubscribe = []ceb.BaseSubscribe{{Status: "ALL", DxpMode: "DXP", DxpAddress: "a"}, {Status: "SOME", DxpMode: "DXP", DxpAddress: "a"}}
			return m
		}, "BaseSubscribe[1].status", "oneof"},
		{"six BaseSubscribe", func() *ceb.Message {
			m := valid(ceb.CEB511)
			for range 6 {
				m.BaseSubscribe = append(m.BaseSubscribe, ceb.BaseSubscribe{Status: "RET", DxpMode: "DXP", DxpAddress: "a"})
			}
			return m
		}, "BaseSubscribe", "max"},
		{"ExtendMessage name", func() *ceb.Message {
			m := valid(ceb.CEB511)
			m.ExtendMessage = &ceb.ExtendMessage{Version: "1"}
			return m
		}, "ExtendMessage.name", "required"},
		{"receipt with BaseTransfer", func() *ceb.Message {
			m := valid(ceb.CEB312)
			m.BaseTransfer = fx[ceb.CEB311].BaseTransfer
			return m
		}, "BaseTransfer", "excluded"},
		{"guid 35", func() *ceb.Message { m := valid(ceb.CEB312); m.GUID = m.GUID[1:]; return m }, "guid", "len"},
		{"no version", func() *ceb.Message { m := valid(ceb.CEB312); m.Version = ""; return m }, "version", "required"},
		{"version 11", func() *ceb.Message { m := valid(ceb.CEB312); m.Version = "1.000000000"; return m }, "version", "max"},
		{"document error path", func() *ceb.Message {
			m := valid(ceb.CEB311)
			o2, _, _, _ := cebtest.Set("ORD-2")
			o2.OrderList[1].Qty = ceb.Amount{}
			m.Documents = []ceb.Document{m.Documents[0], o2}
			return m
		}, "Order[1].OrderList[1].qty", "required"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			errs := ceb.Validate(c.msg())
			if c.path == "" {
				if len(errs) > 0 {
					t.Fatalf("unexpected errors %+v", errs)
				}
				return
			}
			wantError(t, errs, c.path, c.rule)
		})
	}
	if errs := ceb.Validate(nil); len(errs) != 1 {
		t.Errorf("nil message: %+v", errs)
	}
	if errs := ceb.Validate(&ceb.Message{Type: "CEB999"}); len(errs) != 1 {
		t.Errorf("unknown type: %+v", errs)
	}
}

func docs(d ceb.Document, n int) []ceb.Document {
	out := make([]ceb.Document, n)
	for i := range out {
		out[i] = d
	}
	return out
}

// TestValidateConcurrent exercises the shared validator from many
// goroutines; run with -race.
func TestValidateConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o, p, l, i := cebtest.Set(fmt.Sprint("ORD-", g))
			o.OrderList[0].Qty = ceb.Amount{}
			for _, d := range []ceb.Document{p, l, i} {
				if errs := ceb.ValidateDocument(d, "X"); len(errs) > 0 {
					t.Errorf("%v", errs)
				}
			}
			if errs := ceb.ValidateDocument(o, "Order[0]"); len(errs) != 1 {
				t.Errorf("%v", errs)
			}
		}()
	}
	wg.Wait()
}
