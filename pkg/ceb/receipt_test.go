package ceb_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/ceb/cebtest"
)

func TestNewReceipt(t *testing.T) {
	o, p, l, i := set()
	i.InventoryHead.InvtNo = cebtest.InvtNo("x")
	i.InventoryHead.PreNo = cebtest.PreNo("x")
	c, r := cebtest.Cancel(i, i.InventoryHead.InvtNo), cebtest.Refund(i, i.InventoryHead.InvtNo)
	want := map[ceb.MsgType]ceb.Document{
		ceb.CEB311: &ceb.OrderReturn{Guid: o.GUID(), EbpCode: cebtest.EbpCode, EbcCode: cebtest.EbcCode, OrderNo: o.OrderHead.OrderNo,
			ReturnStatus: "100", ReturnTime: "20250310100000123", ReturnInfo: "退单"},
		ceb.CEB411: &ceb.PaymentReturn{Guid: p.GUID(), PayCode: cebtest.PayCode, PayTransactionId: p.PaymentHead.PayTransactionId,
			ReturnStatus: "100", ReturnTime: "20250310100000123", ReturnInfo: "退单"},
		ceb.CEB511: &ceb.LogisticsReturn{Guid: l.GUID(), LogisticsCode: cebtest.LogisticsCode, LogisticsNo: l.LogisticsHead.LogisticsNo,
			ReturnStatus: "100", ReturnTime: "20250310100000123", ReturnInfo: "退单"},
		ceb.CEB621: &ceb.InventoryReturn{Guid: i.GUID(), CustomsCode: cebtest.CustomsCode, EbpCode: cebtest.EbpCode, EbcCode: cebtest.EbcCode,
			AgentCode: cebtest.AgentCode, CopNo: i.InventoryHead.CopNo, PreNo: i.InventoryHead.PreNo, InvtNo: i.InventoryHead.InvtNo,
			ReturnStatus: "100", ReturnTime: "20250310100000123", ReturnInfo: "退单"},
		ceb.CEB623: &ceb.InvtCancelReturn{Guid: c.GUID(), CustomsCode: cebtest.CustomsCode, AgentCode: cebtest.AgentCode, EbpCode: cebtest.EbpCode,
			EbcCode: cebtest.EbcCode, CopNo: c.CopNo, PreNo: c.PreNo, InvtNo: c.InvtNo,
			ReturnStatus: "100", ReturnTime: "20250310100000123", ReturnInfo: "退单"},
		ceb.CEB625: &ceb.InvtRefundReturn{Guid: r.GUID(), CustomsCode: cebtest.CustomsCode, AgentCode: cebtest.AgentCode, EbpCode: cebtest.EbpCode,
			EbcCode: cebtest.EbcCode, CopNo: r.InvtRefundHead.CopNo, PreNo: r.InvtRefundHead.PreNo, InvtNo: r.InvtRefundHead.InvtNo,
			ReturnStatus: "100", ReturnTime: "20250310100000123", ReturnInfo: "退单"},
	}
	for _, d := range []ceb.Declaration{o, p, l, i, c, r} {
		got := ceb.NewReceipt(d, "100", "退单", at)
		if got.MsgType() != ceb.ReceiptType(d.MsgType()) {
			t.Errorf("%s: receipt type %s", d.MsgType(), got.MsgType())
		}
		if !reflect.DeepEqual(got, want[d.MsgType()]) {
			t.Errorf("%s: receipt %+v, want %+v", d.MsgType(), got, want[d.MsgType()])
		}
		if got.GUID() != d.GUID() || ceb.ReceiptStatus(got) != "100" || ceb.ReceiptInfo(got) != "退单" ||
			ceb.ReceiptTime(got) != "20250310100000123" || !ceb.IsReceipt(got) {
			t.Errorf("%s: accessors on %+v", d.MsgType(), got)
		}
		if errs := ceb.ValidateDocument(got, "R"); len(errs) > 0 {
			t.Errorf("%s: %v", d.MsgType(), errs)
		}
		if ceb.IsReceipt(d) || ceb.ReceiptStatus(d) != "" {
			t.Errorf("%s is not a receipt", d.MsgType())
		}
	}
	if ceb.NewReceipt(nil, "1", "x", at) != nil {
		t.Error("NewReceipt(nil) != nil")
	}
}

func TestMsgTypes(t *testing.T) {
	pairs := map[ceb.MsgType]ceb.MsgType{ceb.CEB311: ceb.CEB312, ceb.CEB411: ceb.CEB412, ceb.CEB511: ceb.CEB512,
		ceb.CEB621: ceb.CEB622, ceb.CEB623: ceb.CEB624, ceb.CEB625: ceb.CEB626,
		ceb.CEB303: ceb.CEB304, ceb.CEB403: ceb.CEB404, ceb.CEB505: ceb.CEB506, ceb.CEB507: ceb.CEB508,
		ceb.CEB509: ceb.CEB510, ceb.CEB603: ceb.CEB604, ceb.CEB605: ceb.CEB606, ceb.CEB701: ceb.CEB702}
	nodes := map[ceb.MsgType]string{ceb.CEB303: "Order", ceb.CEB304: "OrderReturn", ceb.CEB403: "Receipts",
		ceb.CEB404: "ReceiptsReturn", ceb.CEB505: "Logistics", ceb.CEB506: "LogisticsReturn", ceb.CEB507: "Arrival",
		ceb.CEB508: "ArrivalReturn", ceb.CEB509: "Departure", ceb.CEB510: "DepartureReturn", ceb.CEB603: "Inventory",
		ceb.CEB604: "InventoryReturn", ceb.CEB605: "InvtCancel", ceb.CEB606: "InvtCancelReturn",
		ceb.CEB701: "SummaryApply", ceb.CEB702: "SummaryReturn", ceb.CEB792: "SummaryResult"}
	if n := len(ceb.ImportMsgTypes()) + len(ceb.ExportMsgTypes()); n != len(ceb.MsgTypes()) || n != 13+17 {
		t.Errorf("%d message types", n)
	}
	for _, typ := range ceb.ExportMsgTypes() {
		if !typ.IsExport() || typ.NodeName() != nodes[typ] {
			t.Errorf("%s: IsExport %v, NodeName %q", typ, typ.IsExport(), typ.NodeName())
		}
	}
	for _, typ := range ceb.ImportMsgTypes() {
		if typ.IsExport() {
			t.Errorf("%s is not an export type", typ)
		}
	}
	if !ceb.CEB792.IsReceipt() || ceb.CEB792.IsDeclaration() || ceb.ReceiptType(ceb.CEB792) != "" {
		t.Error("CEB792 is a customs message answering no single declaration")
	}
	for _, typ := range ceb.MsgTypes() {
		if got, ok := ceb.MsgTypeOf(typ.RootName()); !ok || got != typ {
			t.Errorf("MsgTypeOf(%s) = %s, %v", typ.RootName(), got, ok)
		}
		d := ceb.NewDocument(typ)
		if d == nil || d.MsgType() != typ {
			t.Errorf("NewDocument(%s) = %T", typ, d)
		}
		_, isDecl := d.(ceb.Declaration)
		if isDecl != typ.IsDeclaration() || typ.IsReceipt() == typ.IsDeclaration() {
			t.Errorf("%s: declaration/receipt classification", typ)
		}
		if ceb.ReceiptType(typ) != pairs[typ] {
			t.Errorf("ReceiptType(%s) = %s", typ, ceb.ReceiptType(typ))
		}
	}
	for _, bad := range []string{"CEB513Message", "CEB311", "Order", "", "CEB607Message", "CEB213Message", "CEB214"} {
		if _, ok := ceb.MsgTypeOf(bad); ok {
			t.Errorf("MsgTypeOf(%q) ok", bad)
		}
	}
	if ceb.NewDocument("CEB999") != nil || ceb.MsgType("CEB999").Known() {
		t.Error("unknown type accepted")
	}
}

func TestDeclarationKeys(t *testing.T) {
	o, p, l, i := set()
	c, r := cebtest.Cancel(i, "INV1"), cebtest.Refund(i, "INV1")
	for _, c := range []struct {
		d      ceb.Declaration
		sender string
		key    []string
	}{
		{o, cebtest.EbpCode, []string{cebtest.EbpCode, o.OrderHead.OrderNo}},
		{p, cebtest.PayCode, []string{cebtest.PayCode, p.PaymentHead.PayTransactionId}},
		{l, cebtest.LogisticsCode, []string{cebtest.LogisticsCode, l.LogisticsHead.LogisticsNo}},
		{i, cebtest.AgentCode, []string{cebtest.EbpCode, i.InventoryHead.OrderNo}},
		{c, cebtest.AgentCode, []string{cebtest.AgentCode, "INV1"}},
		{r, cebtest.AgentCode, []string{cebtest.AgentCode, "INV1"}},
	} {
		if c.d.SenderCode() != c.sender || !reflect.DeepEqual(c.d.BusinessKey(), c.key) || c.d.AppType() != "1" || len(c.d.GUID()) != 36 {
			t.Errorf("%s: sender %s key %v appType %s guid %s", c.d.MsgType(), c.d.SenderCode(), c.d.BusinessKey(), c.d.AppType(), c.d.GUID())
		}
	}
}

func TestTimeFormats(t *testing.T) {
	if got := ceb.FormatReturnTime(at); got != "20250310100000123" {
		t.Errorf("FormatReturnTime = %s", got)
	}
	if got := ceb.FormatAppTime(at); got != "20250310100000" {
		t.Errorf("FormatAppTime = %s", got)
	}
	if got := ceb.FormatDate(time.Date(2025, 3, 10, 17, 0, 0, 0, time.UTC)); got != "20250311" {
		t.Errorf("FormatDate = %s (China is UTC+8)", got)
	}
	if got, err := ceb.ParseReturnTime("20250310100000123"); err != nil || !got.Equal(at) {
		t.Errorf("ParseReturnTime = %v, %v", got, err)
	}
	if got, err := ceb.ParseAppTime("20250310100000"); err != nil || !got.Equal(at.Truncate(time.Second)) {
		t.Errorf("ParseAppTime = %v, %v", got, err)
	}
	for _, bad := range []string{"2025031010000", "20250230100000", "2025031010000a", "+0250310100000"} {
		if _, err := ceb.ParseAppTime(bad); err == nil {
			t.Errorf("ParseAppTime(%q) succeeded", bad)
		}
	}
	if _, err := ceb.ParseDate("20250229"); err == nil {
		t.Error("ParseDate accepted 2025-02-29")
	}
}
