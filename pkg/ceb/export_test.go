package ceb_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/ceb/cebtest"
)

func exportSet() (*ceb.ExportOrder, *ceb.Receipts, *ceb.ExportLogistics, *ceb.ExportInventory) {
	return cebtest.ExportSet("EXP-20250310-0001")
}

// exportDeclarations returns one valid document of every export
// declaration type.
func exportDeclarations() []ceb.Declaration {
	o, r, l, i := exportSet()
	invtNo := cebtest.ExportInvtNo(o.OrderHead.OrderNo)
	return []ceb.Declaration{o, r, l, cebtest.Arrival(l), cebtest.Departure(l), i,
		cebtest.ExportCancel(i, invtNo), cebtest.SummaryApply(invtNo)}
}

// TestValidateExportRules checks the export code lists and limits the
// XSD-derived test cannot see: enumerations, fixed values, any-currency,
// list sizes, and the startTime/endTime pair of CEB701.
func TestValidateExportRules(t *testing.T) {
	long := func(n int) string { return strings.Repeat("1", n) }
	cases := []struct {
		name       string
		doc        func() ceb.Document
		path, rule string // below the node; "" = valid
	}{
		{"order valid", func() ceb.Document { o, _, _, _ := exportSet(); return o }, "", ""},
		{"orderType B", func() ceb.Document { o, _, _, _ := exportSet(); o.OrderHead.OrderType = "B"; return o }, "", ""},
		{"orderType W", func() ceb.Document { o, _, _, _ := exportSet(); o.OrderHead.OrderType = "W"; return o }, "", ""},
		{"orderType I", func() ceb.Document { o, _, _, _ := exportSet(); o.OrderHead.OrderType = "I"; return o }, "OrderHead.orderType", "oneof"},
		{"order currency EUR", func() ceb.Document { o, _, _, _ := exportSet(); o.OrderHead.Currency = "300"; return o }, "", ""},
		{"order currency 4", func() ceb.Document { o, _, _, _ := exportSet(); o.OrderHead.Currency = "5020"; return o }, "OrderHead.currency", "len"},
		{"order line itemNo missing", func() ceb.Document { o, _, _, _ := exportSet(); o.OrderList[1].ItemNo = ""; return o }, "OrderList[1].itemNo", "required"},
		{"order 100 lines", func() ceb.Document {
			o, _, _, _ := exportSet()
			o.OrderList = exportLines(o.OrderList[0], ceb.MaxExportListItems)
			return o
		}, "", ""},
		{"order 101 lines", func() ceb.Document {
			o, _, _, _ := exportSet()
			o.OrderList = exportLines(o.OrderList[0], ceb.MaxExportListItems+1)
			return o
		}, "OrderList", "max"},
		{"gnum 6 digits", func() ceb.Document { o, _, _, _ := exportSet(); o.OrderList[0].Gnum = 100000; return o }, "OrderList[0].gnum", "max"},
		{"receipts accountingDate", func() ceb.Document { _, r, _, _ := exportSet(); r.AccountingDate = "20250230120000"; return r }, "accountingDate", "datetime14"},
		{"receipts without payCode", func() ceb.Document { _, r, _, _ := exportSet(); r.PayCode = ""; return r }, "", ""},
		{"waybill logisticsNo 33", func() ceb.Document { _, _, l, _ := exportSet(); l.LogisticsNo = long(33); return l }, "logisticsNo", "max"},
		{"waybill packNo 0", func() ceb.Document { _, _, l, _ := exportSet(); l.PackNo = 0; return l }, "packNo", "required"},
		{"statisticsFlag A", func() ceb.Document { _, _, _, i := exportSet(); i.InventoryHead.StatisticsFlag = "A"; return i }, "", ""},
		{"statisticsFlag 1", func() ceb.Document { _, _, _, i := exportSet(); i.InventoryHead.StatisticsFlag = "1"; return i }, "InventoryHead.statisticsFlag", "oneof"},
		{"ieFlag I", func() ceb.Document { _, _, _, i := exportSet(); i.InventoryHead.IeFlag = "I"; return i }, "InventoryHead.ieFlag", "eq"},
		{"fFlag 1", func() ceb.Document { _, _, _, i := exportSet(); i.InventoryHead.FFlag = "1"; return i }, "InventoryHead.fFlag", "eq"},
		{"iFlag 2", func() ceb.Document { _, _, _, i := exportSet(); i.InventoryHead.IFlag = "2"; return i }, "InventoryHead.iFlag", "eq"},
		{"POD 2", func() ceb.Document { _, _, _, i := exportSet(); i.InventoryHead.POD = "50"; return i }, "InventoryHead.POD", "min"},
		{"invtNo 20", func() ceb.Document { _, _, _, i := exportSet(); i.InventoryHead.InvtNo = long(20); return i }, "", ""},
		{"invtNo 21", func() ceb.Document { _, _, _, i := exportSet(); i.InventoryHead.InvtNo = long(21); return i }, "InventoryHead.invtNo", "max"},
		{"preNo 17", func() ceb.Document { _, _, _, i := exportSet(); i.InventoryHead.PreNo = long(17); return i }, "InventoryHead.preNo", "len"},
		{"ieDate", func() ceb.Document { _, _, _, i := exportSet(); i.InventoryHead.IeDate = "20250230"; return i }, "InventoryHead.ieDate", "date8"},
		{"inventory line qty2 bad", func() ceb.Document {
			_, _, _, i := exportSet()
			i.InventoryList[1].Qty2 = ceb.MustAmount("0.000001")
			return i
		}, "InventoryList[1].qty2", "amount"},
		{"inventory line barCode missing", func() ceb.Document { _, _, _, i := exportSet(); i.InventoryList[0].BarCode = ""; return i }, "InventoryList[0].barCode", "required"},
		{"arrival ieFlag I", func() ceb.Document {
			_, _, l, _ := exportSet()
			a := cebtest.Arrival(l)
			a.ArrivalHead.IeFlag = "I"
			return a
		}, "ArrivalHead.ieFlag", "eq"},
		{"arrival without lines", func() ceb.Document {
			_, _, l, _ := exportSet()
			a := cebtest.Arrival(l)
			a.ArrivalList = nil
			return a
		}, "", ""},
		{"departure leaveTime", func() ceb.Document {
			_, _, l, _ := exportSet()
			d := cebtest.Departure(l)
			d.DepartureHead.LeaveTime = "2025031108000"
			return d
		}, "DepartureHead.leaveTime", "len"},
		{"summaryFlag 2", func() ceb.Document {
			s := cebtest.SummaryApply("I1")
			s.SummaryApplyHead.SummaryFlag = "2"
			return s
		}, "", ""},
		{"summaryFlag 3", func() ceb.Document {
			s := cebtest.SummaryApply("I1")
			s.SummaryApplyHead.SummaryFlag = "3"
			return s
		}, "SummaryApplyHead.summaryFlag", "oneof"},
		{"summary period", func() ceb.Document {
			s := cebtest.SummaryApply()
			s.SummaryApplyHead.StartTime, s.SummaryApplyHead.EndTime = "20250301000000", "20250331235959"
			return s
		}, "", ""},
		{"summary startTime alone", func() ceb.Document {
			s := cebtest.SummaryApply("I1")
			s.SummaryApplyHead.StartTime = "20250301000000"
			return s
		}, "SummaryApplyHead.endTime", "required_with"},
		{"summary endTime before startTime", func() ceb.Document {
			s := cebtest.SummaryApply("I1")
			s.SummaryApplyHead.StartTime, s.SummaryApplyHead.EndTime = "20250301000000", "20250228235959"
			return s
		}, "SummaryApplyHead.endTime", "gtefield"},
		{"summary result opDate", func() ceb.Document {
			_, _, _, i := exportSet()
			s := cebtest.SummaryResult(i, "I1")
			s.SummaryResultHead.OpDate = "20250401100000"
			return s
		}, "SummaryResultHead.opDate", "len"},
		{"summary result gcode", func() ceb.Document {
			_, _, _, i := exportSet()
			s := cebtest.SummaryResult(i, "I1")
			s.SummaryResultList[0].Gcode = "85183000"
			return s
		}, "SummaryResultList[0].gcode", "len"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := c.doc()
			node := d.MsgType().NodeName() + "[0]"
			errs := ceb.ValidateDocument(d, node)
			if c.path == "" {
				if len(errs) > 0 {
					t.Fatalf("unexpected errors %+v", errs)
				}
				return
			}
			wantError(t, errs, node+"."+c.path, c.rule)
		})
	}
}

func exportLines(l ceb.ExportOrderList, n int) []ceb.ExportOrderList {
	out := make([]ceb.ExportOrderList, n)
	for i := range out {
		out[i] = l
		out[i].Gnum = i + 1
	}
	return out
}

func TestExportNewReceipt(t *testing.T) {
	o, r, l, i := exportSet()
	i.InventoryHead.PreNo = cebtest.ExportPreNo("x")
	i.InventoryHead.InvtNo = cebtest.ExportInvtNo("x")
	a, d := cebtest.Arrival(l), cebtest.Departure(l)
	c, s := cebtest.ExportCancel(i, i.InventoryHead.InvtNo), cebtest.SummaryApply(i.InventoryHead.InvtNo)
	const rt = "20250310100000123"
	want := map[ceb.MsgType]ceb.Document{
		ceb.CEB303: &ceb.ExportOrderReturn{Guid: o.GUID(), EbpCode: cebtest.EbpCode, EbcCode: cebtest.EbcCode,
			OrderNo: o.OrderHead.OrderNo, ReturnStatus: "100", ReturnTime: rt, ReturnInfo: "退单"},
		ceb.CEB403: &ceb.ReceiptsReturn{Guid: r.GUID(), EbcCode: cebtest.EbcCode, OrderNo: r.OrderNo, PayNo: r.PayNo,
			ReturnStatus: "100", ReturnTime: rt, ReturnInfo: "退单"},
		ceb.CEB505: &ceb.ExportLogisticsReturn{Guid: l.GUID(), LogisticsCode: cebtest.LogisticsCode, LogisticsNo: l.LogisticsNo,
			ReturnStatus: "100", ReturnTime: rt, ReturnInfo: "退单"},
		ceb.CEB507: &ceb.ArrivalReturn{Guid: a.GUID(), OperatorCode: cebtest.OperatorCode, LogisticsCode: cebtest.LogisticsCode,
			CopNo: a.ArrivalHead.CopNo, BillNo: cebtest.ExportBillNo, MsgSeqNo: 1,
			ReturnStatus: "100", ReturnTime: rt, ReturnInfo: "退单"},
		ceb.CEB509: &ceb.DepartureReturn{Guid: d.GUID(), LogisticsCode: cebtest.LogisticsCode, CopNo: d.DepartureHead.CopNo,
			MsgSeqNo: 1, ReturnStatus: "100", ReturnTime: rt, ReturnInfo: "退单"},
		ceb.CEB603: &ceb.ExportInventoryReturn{Guid: i.GUID(), AgentCode: cebtest.AgentCode, CopNo: i.InventoryHead.CopNo,
			PreNo: i.InventoryHead.PreNo, InvtNo: i.InventoryHead.InvtNo, EbcCode: cebtest.EbcCode, EbpCode: cebtest.EbpCode,
			OrderNo: i.InventoryHead.OrderNo, StatisticsFlag: "B", ReturnStatus: "100", ReturnTime: rt, ReturnInfo: "退单"},
		ceb.CEB605: &ceb.ExportInvtCancelReturn{Guid: c.GUID(), AgentCode: cebtest.AgentCode, CopNo: c.CopNo, PreNo: c.PreNo,
			InvtNo: c.InvtNo, ReturnStatus: "100", ReturnTime: rt, ReturnInfo: "退单"},
		ceb.CEB701: &ceb.SummaryReturn{Guid: s.GUID(), AgentCode: cebtest.AgentCode, EbcCode: cebtest.EbcCode,
			CopNo: s.SummaryApplyHead.CopNo, MsgSeqNo: 1, ReturnStatus: "100", ReturnTime: rt, ReturnInfo: "退单"},
	}
	for _, decl := range []ceb.Declaration{o, r, l, a, d, i, c, s} {
		got := ceb.NewReceipt(decl, "100", "退单", at)
		if got == nil {
			t.Fatalf("%s: no receipt", decl.MsgType())
		}
		if got.MsgType() != ceb.ReceiptType(decl.MsgType()) {
			t.Errorf("%s: receipt type %s", decl.MsgType(), got.MsgType())
		}
		if !reflect.DeepEqual(got, want[decl.MsgType()]) {
			t.Errorf("%s: receipt %+v, want %+v", decl.MsgType(), got, want[decl.MsgType()])
		}
		if got.GUID() != decl.GUID() || ceb.ReceiptStatus(got) != "100" || ceb.ReceiptInfo(got) != "退单" ||
			ceb.ReceiptTime(got) != rt || !ceb.IsReceipt(got) || ceb.IsReceipt(decl) {
			t.Errorf("%s: accessors on %+v", decl.MsgType(), got)
		}
	}
	if ceb.IsReceipt(cebtest.SummaryResult(i, "I1")) {
		t.Error("a summary result is not a receipt node")
	}
}

func TestExportDeclarationKeys(t *testing.T) {
	o, r, l, i := exportSet()
	a, d := cebtest.Arrival(l), cebtest.Departure(l)
	c, s := cebtest.ExportCancel(i, "INV1"), cebtest.SummaryApply("INV1")
	foreign := *o
	foreign.OrderHead.EbpCode = ceb.NoEbpCode
	cash := *r
	cash.PayCode, cash.PayName = "", "现金支付"
	orderNo := o.OrderHead.OrderNo
	for _, c := range []struct {
		d      ceb.Declaration
		sender string
		key    []string
	}{
		{o, cebtest.EbpCode, []string{cebtest.EbpCode, orderNo}},
		{&foreign, cebtest.EbcCode, []string{cebtest.EbcCode, orderNo}},
		{r, cebtest.PayCode, []string{cebtest.EbcCode, orderNo}},
		{&cash, cebtest.EbcCode, []string{cebtest.EbcCode, orderNo}},
		{l, cebtest.LogisticsCode, []string{cebtest.LogisticsCode, l.LogisticsNo}},
		{a, cebtest.LogisticsCode, []string{cebtest.LogisticsCode, a.ArrivalHead.CopNo, "1"}},
		{d, cebtest.LogisticsCode, []string{cebtest.LogisticsCode, d.DepartureHead.CopNo, "1"}},
		{i, cebtest.AgentCode, []string{cebtest.EbpCode, orderNo}},
		{c, cebtest.AgentCode, []string{cebtest.AgentCode, "INV1"}},
		{s, cebtest.AgentCode, []string{cebtest.AgentCode, s.SummaryApplyHead.CopNo, "1"}},
	} {
		if c.d.SenderCode() != c.sender || !reflect.DeepEqual(c.d.BusinessKey(), c.key) || c.d.AppType() != "1" || len(c.d.GUID()) != 36 {
			t.Errorf("%s: sender %s key %v appType %s guid %s", c.d.MsgType(), c.d.SenderCode(), c.d.BusinessKey(), c.d.AppType(), c.d.GUID())
		}
	}
}

// TestExportJSON round-trips every export declaration through JSON with
// the CEB element names as keys.
func TestExportJSON(t *testing.T) {
	for _, d := range exportDeclarations() {
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := ceb.DecodeJSON(d.MsgType(), b)
		if err != nil {
			t.Fatalf("%s: %v\n%s", d.MsgType(), err, b)
		}
		if len(got) != 1 || !reflect.DeepEqual(got[0], d) {
			t.Fatalf("%s: decoded %+v, want %+v", d.MsgType(), got[0], d)
		}
	}
	o, r, _, i := exportSet()
	for d, keys := range map[ceb.Document][]string{
		o: {`{"OrderHead":{"guid":"`, `"orderType":"E"`, `"goodsValue":"65.00"`, `"currency":"502"`, `"OrderList":[{"gnum":1,`},
		r: {`{"guid":"`, `"charge":"73.00"`, `"accountingDate":"20250310092500"`},
		i: {`"statisticsFlag":"B"`, `"ownerCode":"1500000007"`, `"POD":"5020"`, `"fFlag":"3"`, `"InventoryList":[{`},
	} {
		b, _ := json.Marshal(d)
		for _, k := range keys {
			if !strings.Contains(string(b), k) {
				t.Errorf("%s JSON lacks %s:\n%s", d.MsgType(), k, b)
			}
		}
	}
	if _, _, err := ceb.DecodeJSON(ceb.CEB604, []byte(`{}`)); err == nil {
		t.Error("DecodeJSON accepted a receipt type")
	}
	if _, _, err := ceb.DecodeJSON(ceb.CEB303, []byte(`{"OrderHead":{"orderTyp":"E"}}`)); err == nil {
		t.Error("DecodeJSON accepted an unknown field")
	}
}

// TestExportEnvelopeOrder checks that export messages put ds:Signature
// before ExtendMessage, as export.xsd has it, and import messages after.
func TestExportEnvelopeOrder(t *testing.T) {
	fx := fixtures(t)
	for _, typ := range []ceb.MsgType{ceb.CEB311, ceb.CEB603} {
		m := *fx[typ]
		m.Signature = cebtest.Signature
		m.ExtendMessage = &ceb.ExtendMessage{Name: "x", Version: "1", Message: ceb.XMLElement{InnerXML: "<a/>"}}
		m.BaseSubscribe = []ceb.BaseSubscribe{{Status: "RET", DxpMode: "DXP", DxpAddress: "DXPENT0001"}}
		enc := encode(t, &m)
		sig, ext := strings.Index(string(enc), "<ds:Signature"), strings.Index(string(enc), "<ExtendMessage>")
		if sig < 0 || ext < 0 || (sig < ext) != typ.IsExport() {
			t.Errorf("%s: Signature at %d, ExtendMessage at %d", typ, sig, ext)
		}
		xmllint(t, typ, typ.RootName()+".xml", enc)
		back, err := ceb.DecodeXML(enc)
		if err != nil || !reflect.DeepEqual(back, &m) {
			t.Errorf("%s: round trip: %v", typ, err)
		}
	}
	// CEB792 comes from customs: no envelope.
	m := *fx[ceb.CEB792]
	m.BaseTransfer = fx[ceb.CEB303].BaseTransfer
	if _, err := ceb.EncodeXML(&m); err == nil {
		t.Error("EncodeXML wrote a CEB792 with BaseTransfer")
	}
}
