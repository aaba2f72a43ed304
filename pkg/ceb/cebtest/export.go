package cebtest

import "github.com/cbec/cbec/pkg/ceb"

// The export parties of ExportSet besides EbpCode, EbcCode (the consignor,
// 收发货人), PayCode, LogisticsCode and AgentCode.
const (
	OwnerCode    = "1500000007" // producer/seller (生产销售单位)
	OwnerName    = "示例电子制造有限公司"
	OperatorCode = "1500000008" // supervised-site operator (CEB507)
	OperatorName = "示例监管作业场所有限公司"
)

// Customs and reference values of the export set: a 9610 B2C export from
// Chongqing by air to the United States, priced in US dollars.
const (
	ExportTradeMode = "9610" // general CBEC export
	ExportPortCode  = "8001" // exit customs
	USD             = "502"  // JGS-20 currency code of the US dollar
	USA             = "502"  // JGS-20 country code of the United States
	// POD is a placeholder port of destination: the XSD wants 3..4
	// characters from the customs port table, which the project loads as
	// configuration.
	POD            = "5020"
	ExportTrafMode = "5" // air
	ExportTrafName = "CA0000"
	ExportVoyageNo = "CA0000"
	ExportBillNo   = "999-00000001" // air waybill (master)
	IeDate         = "20250310"
	AccountingDate = "20250310092500"
	LeaveTime      = "20250311080000"
)

// The amounts of the export set (decimal text, in USD).
const (
	ExportGoodsValue = "65.00" // 2 × 25.00 + 3 × 5.00, FOB
	ExportFreight    = "8.00"
	ExportInsuredFee = "0"
	ExportCharge     = "73.00" // goodsValue + freight, collected from the buyer
)

type exportLine struct {
	itemNo, name, model, barCode, gcode, unit, qty, price, total, unit1, qty1 string
}

// exportLines are the two goods lines of every export set.
var exportLines = []exportLine{
	{"SKU-BT-01", "蓝牙耳机", "品牌:示例|型号:BT-01|无线入耳式", "6901234567892", "8518300000", "007", "2", "25.00", "50.00", "007", "2"},
	{"SKU-PC-02", "塑料手机壳", "品牌:示例|材质:TPU|适用:6.1英寸", "6901234567908", "3926909090", "007", "3", "5.00", "15.00", "035", "0.15"},
}

// ExportInvtNo is a well-formed 18-character export list number for
// orderNo: customs code, year, "E", 9-digit serial.
func ExportInvtNo(orderNo string) string {
	return CustomsCode + "2025" + "E" + digits(9, "export-invt", orderNo)
}

// ExportPreNo is a well-formed 18-character E-Port number for an export
// document keyed by parts: "B", date, 9-digit serial.
func ExportPreNo(parts ...string) string {
	return "B" + IeDate + digits(9, append([]string{"export-pre"}, parts...)...)
}

// ExportLogisticsNo is the export waybill number of the set of orderNo.
func ExportLogisticsNo(orderNo string) string { return "EL" + digits(16, "export-waybill", orderNo) }

// ExportSet returns a valid, mutually consistent 9610 export order (CEB303),
// receipt of payment (CEB403), waybill (CEB505) and inventory list
// (CEB603) for orderNo: USD amounts (currency 502), each order line's
// totalPrice = price × qty and their sum = goodsValue; charge = goodsValue
// + freight; the waybill's freight, currency and consignor equal the
// order's; the inventory names the same platform, order, waybill and
// consignor (ebcCode) with producer/seller OwnerCode, statisticsFlag B,
// exit customs 8001, country of arrival and final destination the United
// States, and lines matching the order lines by gnum with gname = itemName.
// Every call returns new values that the caller may modify.
func ExportSet(orderNo string) (o *ceb.ExportOrder, r *ceb.Receipts, l *ceb.ExportLogistics, i *ceb.ExportInventory) {
	am := ceb.MustAmount
	o = &ceb.ExportOrder{OrderHead: ceb.ExportOrderHead{
		AppHead:   appHead("export-order", orderNo),
		OrderType: "E", OrderNo: orderNo,
		EbpCode: EbpCode, EbpName: EbpName, EbcCode: EbcCode, EbcName: EbcName,
		GoodsValue: am(ExportGoodsValue), Freight: am(ExportFreight), Currency: USD,
	}}
	r = &ceb.Receipts{
		AppHead: appHead("export-receipts", orderNo),
		EbpCode: EbpCode, EbpName: EbpName, EbcCode: EbcCode, EbcName: EbcName, OrderNo: orderNo,
		PayCode: PayCode, PayName: PayName, PayNo: PayTransactionID(orderNo),
		Charge: am(ExportCharge), Currency: USD, AccountingDate: AccountingDate,
	}
	l = &ceb.ExportLogistics{
		AppHead:       appHead("export-logistics", orderNo),
		LogisticsCode: LogisticsCode, LogisticsName: LogisticsName, LogisticsNo: ExportLogisticsNo(orderNo),
		Freight: am(ExportFreight), InsuredFee: am(ExportInsuredFee), Currency: USD,
		GrossWeight: am("0.65"), PackNo: 1, GoodsInfo: "蓝牙耳机*2,塑料手机壳*3",
		EbcCode: EbcCode, EbcName: EbcName, EbcTelephone: "023-60000000",
	}
	i = &ceb.ExportInventory{InventoryHead: ceb.ExportInventoryHead{
		AppHead:     appHead("export-inventory", orderNo),
		CustomsCode: CustomsCode, EbpCode: EbpCode, EbpName: EbpName, OrderNo: orderNo,
		LogisticsCode: LogisticsCode, LogisticsName: LogisticsName, LogisticsNo: ExportLogisticsNo(orderNo),
		CopNo: CopNo("export-" + orderNo), IeFlag: "E", PortCode: ExportPortCode, IeDate: IeDate,
		StatisticsFlag: "B", AgentCode: AgentCode, AgentName: AgentName,
		EbcCode: EbcCode, EbcName: EbcName, OwnerCode: OwnerCode, OwnerName: OwnerName,
		TradeMode: ExportTradeMode, TrafMode: ExportTrafMode, TrafName: ExportTrafName,
		VoyageNo: ExportVoyageNo, BillNo: ExportBillNo,
		Country: USA, POD: POD,
		Freight: am(ExportFreight), FCurrency: USD, FFlag: "3",
		InsuredFee: am(ExportInsuredFee), ICurrency: USD, IFlag: "3",
		WrapType: "2", PackNo: 1, GrossWeight: am("0.65"), NetWeight: am("0.50"),
	}}
	for n, ln := range exportLines {
		o.OrderList = append(o.OrderList, ceb.ExportOrderList{
			Gnum: n + 1, ItemNo: ln.itemNo, ItemName: ln.name, BarCode: ln.barCode, Unit: ln.unit, Currency: USD,
			Qty: am(ln.qty), Price: am(ln.price), TotalPrice: am(ln.total),
		})
		i.InventoryList = append(i.InventoryList, ceb.ExportInventoryList{
			Gnum: n + 1, ItemNo: ln.itemNo, ItemName: ln.name, Gcode: ln.gcode, Gname: ln.name, Gmodel: ln.model,
			BarCode: ln.barCode, Country: USA, Currency: USD,
			Qty: am(ln.qty), Qty1: am(ln.qty1), Unit: ln.unit, Unit1: ln.unit1,
			Price: am(ln.price), TotalPrice: am(ln.total),
		})
	}
	return o, r, l, i
}

// ExportCancel returns a valid cancellation (CEB605) of export inventory
// list i, which customs numbered invtNo.
func ExportCancel(i *ceb.ExportInventory, invtNo string) *ceb.ExportInvtCancel {
	h := &i.InventoryHead
	return &ceb.ExportInvtCancel{
		AppHead:     ceb.AppHead{Guid: GUID("export-cancel", h.OrderNo, invtNo), AppType: "1", AppTime: AppTime, AppStatus: "2"},
		CustomsCode: h.CustomsCode, CopNo: h.CopNo, PreNo: h.PreNo, InvtNo: invtNo,
		Reason:    "订单取消",
		AgentCode: h.AgentCode, AgentName: h.AgentName, EbcCode: h.EbcCode, EbcName: h.EbcName,
	}
}

// Arrival returns a valid arrival (CEB507) of waybills ls at the
// supervised site, declared by their logistics enterprise (that of ls[0]).
func Arrival(ls ...*ceb.ExportLogistics) *ceb.Arrival {
	key := "arrival"
	for _, l := range ls {
		key += "\x00" + l.LogisticsNo
	}
	a := &ceb.Arrival{ArrivalHead: ceb.ArrivalHead{
		AppHead:     ceb.AppHead{Guid: GUID(key), AppType: "1", AppTime: AppTime, AppStatus: "2"},
		CustomsCode: CustomsCode, CopNo: "A" + digits(17, key),
		OperatorCode: OperatorCode, OperatorName: OperatorName,
		IeFlag: "E", TrafMode: ExportTrafMode, BillNo: ExportBillNo, DomesticTrafNo: "渝A12345",
		LogisticsCode: ls[0].LogisticsCode, LogisticsName: ls[0].LogisticsName,
		MsgCount: 1, MsgSeqNo: 1,
	}}
	for n, l := range ls {
		a.ArrivalList = append(a.ArrivalList, ceb.ArrivalList{Gnum: n + 1, LogisticsNo: l.LogisticsNo})
	}
	return a
}

// Departure returns a valid departure (CEB509) of waybills ls, declared by
// their logistics enterprise (that of ls[0]).
func Departure(ls ...*ceb.ExportLogistics) *ceb.Departure {
	key := "departure"
	for _, l := range ls {
		key += "\x00" + l.LogisticsNo
	}
	d := &ceb.Departure{DepartureHead: ceb.DepartureHead{
		AppHead:     ceb.AppHead{Guid: GUID(key), AppType: "1", AppTime: AppTime, AppStatus: "2"},
		CustomsCode: CustomsCode, CopNo: "D" + digits(17, key),
		LogisticsCode: ls[0].LogisticsCode, LogisticsName: ls[0].LogisticsName,
		TrafMode: ExportTrafMode, TrafName: ExportTrafName, VoyageNo: ExportVoyageNo, BillNo: ExportBillNo,
		LeaveTime: LeaveTime, MsgCount: 1, MsgSeqNo: 1,
	}}
	for n, l := range ls {
		d.DepartureList = append(d.DepartureList, ceb.DepartureList{Gnum: n + 1, LogisticsNo: l.LogisticsNo})
	}
	return d
}

// SummaryApply returns a valid summary application (CEB701) by AgentCode
// for consignor EbcCode of the lists invtNos, summarised by consignor
// (summaryFlag 1) and original item name (itemNameFlag 1).
func SummaryApply(invtNos ...string) *ceb.SummaryApply {
	key := "summary-apply"
	for _, n := range invtNos {
		key += "\x00" + n
	}
	s := &ceb.SummaryApply{SummaryApplyHead: ceb.SummaryApplyHead{
		AppHead:     ceb.AppHead{Guid: GUID(key), AppType: "1", AppTime: AppTime, AppStatus: "2"},
		CustomsCode: CustomsCode, CopNo: "S" + digits(17, key),
		AgentCode: AgentCode, AgentName: AgentName, EbcCode: EbcCode, EbcName: EbcName,
		DeclAgentCode: AgentCode, DeclAgentName: AgentName,
		SummaryFlag: "1", ItemNameFlag: "1", MsgCount: 1, MsgSeqNo: 1,
	}}
	for _, n := range invtNos {
		s.SummaryApplyList = append(s.SummaryApplyList, ceb.SummaryApplyList{InvtNo: n})
	}
	return s
}

// SumNo is a well-formed 18-character summary application number for key.
func SumNo(key string) string { return "S" + IeDate + digits(9, "sum", key) }

// SummaryResult returns a valid summary result (CEB792) putting every line
// of export inventory list i, numbered invtNo, on its own summary line.
func SummaryResult(i *ceb.ExportInventory, invtNo string) *ceb.SummaryResult {
	h := &i.InventoryHead
	s := &ceb.SummaryResult{SummaryResultHead: ceb.SummaryResultHead{
		Guid: GUID("summary-result", invtNo), CustomsCode: h.CustomsCode, SumNo: SumNo(invtNo),
		OpDate: "20250401100000000", DeclSeqNo: "D" + IeDate + digits(9, "decl", invtNo), DecState: "1",
		AgentCode: h.AgentCode, AgentName: h.AgentName, EbcCode: h.EbcCode, EbcName: h.EbcName,
		DeclAgentCode: h.AgentCode, DeclAgentName: h.AgentName,
		GrossWeight: h.GrossWeight, NetWeight: h.NetWeight, MsgCount: 1, MsgSeqNo: 1,
	}}
	for n, ln := range i.InventoryList {
		s.SummaryResultList = append(s.SummaryResultList, ceb.SummaryResultList{
			InvtNo: invtNo, LogisticsNo: h.LogisticsNo, Gseqno: n + 1, Gnum: ln.Gnum, Gcode: ln.Gcode,
		})
	}
	return s
}
