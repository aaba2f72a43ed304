// Package cebtest builds valid CEB documents for tests: for import, one
// mutually consistent order, payment, waybill and inventory list per order
// number (Set), and the cancellation and return of such a list (Cancel,
// Refund); for export, the same for a 9610 export (ExportSet) with its
// cancellation, arrival, departure, summary application and summary
// result (ExportCancel, Arrival, Departure, SummaryApply, SummaryResult). Every builder is deterministic: the same order number always
// gives the same documents, guids included, so golden files stay stable.
//
// The import set is a 1210 (bonded) import in Chongqing of two lines of infant
// formula, within the single-transaction limit, bought and paid by a buyer
// with a valid GB 11643 ID number.
package cebtest

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/cbec/cbec/pkg/ceb"
)

// The parties of the set: customs registration codes and names.
const (
	EbpCode       = "1500000001" // e-commerce platform
	EbpName       = "重庆示例跨境电商平台有限公司"
	EbcCode       = "1500000002" // e-commerce enterprise
	EbcName       = "示例海外旗舰店贸易有限公司"
	PayCode       = "1500000003" // payment enterprise
	PayName       = "示例支付科技有限公司"
	LogisticsCode = "1500000004" // logistics enterprise
	LogisticsName = "示例国际物流有限公司"
	AgentCode     = "1500000005" // declaring agent (also the tax guarantor)
	AgentName     = "示例报关代理有限公司"
	AreaCode      = "1500000006" // bonded-zone warehouse enterprise
	AreaName      = "示例保税仓储有限公司"
)

// Customs and reference values of the set.
const (
	CustomsCode = "8001"         // declaring customs (JGS/T 18)
	PortCode    = "8001"         // customs of entry
	EmsNo       = "T8001W000001" // bonded warehouse account book
	TradeMode   = "1210"         // bonded import
	Gcode       = "1901101000"   // infant formula, on the positive list
	AppTime     = "20250310093000"
	PayTime     = "20250310092500"
	DeclTime    = "20250310"
)

// The buyer, who is also the payer and the consignee.
const (
	BuyerRegNo       = "buyer-0001"
	BuyerName        = "张三"
	BuyerIDNumber    = "130681196205023335" // valid GB 11643 check digit
	BuyerTelephone   = "13800138000"
	ConsigneeAddress = "重庆市渝北区示例大道100号"
)

// The amounts of the set (decimal text). Tax is the CBEC rate for a VAT
// 13 %, consumption-tax 0 % good: dutiable value × 13 % × 70 %, per line
// after apportioning freight by totalPrice, rounded to the fen.
const (
	GoodsValue  = "564.00" // 2 × 198.00 + 1 × 168.00
	Freight     = "10.00"
	InsuredFee  = "0"
	Discount    = "0"
	TaxTotal    = "52.23" // (396.00+7.02)×0.091 = 36.67 + (168.00+2.98)×0.091 = 15.56
	ActuralPaid = "626.23"
)

// GUID derives an upper-case, UUID-like 36-character guid from parts, so
// that fixtures are deterministic.
func GUID(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	h := strings.ToUpper(hex.EncodeToString(sum[:16]))
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// digits derives n decimal digits from parts.
func digits(n int, parts ...string) string {
	var b strings.Builder
	for c := 0; b.Len() < n; c++ {
		sum := sha256.Sum256([]byte(fmt.Sprint(c) + "\x00" + strings.Join(parts, "\x00")))
		fmt.Fprintf(&b, "%019d", binary.BigEndian.Uint64(sum[:8])%1e19)
	}
	return b.String()[:n]
}

// PayTransactionID is the payment serial of the set of orderNo.
func PayTransactionID(orderNo string) string { return "PAY" + digits(20, "pay", orderNo) }

// LogisticsNo is the waybill number of the set of orderNo.
func LogisticsNo(orderNo string) string { return "LP" + digits(16, "waybill", orderNo) }

// CopNo is the agent's internal inventory number of the set of orderNo.
func CopNo(orderNo string) string { return "C" + digits(17, "cop", orderNo) }

// InvtNo is a well-formed 18-character import list number for orderNo:
// customs code, year, "I", 9-digit serial.
func InvtNo(orderNo string) string { return CustomsCode + "2025" + "I" + digits(9, "invt", orderNo) }

// PreNo is a well-formed 18-character E-Port number for orderNo, as the
// receipts CEB622/624/626 require: "I", date, 9-digit serial.
func PreNo(orderNo string) string { return "I" + DeclTime + digits(9, "pre", orderNo) }

type line struct {
	itemNo, name, model, unit, qty, price, total, qty1, recordNo string
}

// lines are the two goods lines of every set.
var lines = []line{
	{"SKU-IF-900", "婴儿配方奶粉1段900克", "品名:婴儿配方奶粉|品牌:示例|规格:900克/罐|成分:乳粉、乳清蛋白粉|适用:0-6月龄", "122", "2", "198.00", "396.00", "1.8", "8001W0000001"},
	{"SKU-IF-800", "婴儿配方奶粉2段800克", "品名:婴儿配方奶粉|品牌:示例|规格:800克/罐|成分:乳粉、乳清蛋白粉|适用:6-12月龄", "122", "1", "168.00", "168.00", "0.8", "8001W0000002"},
}

const origin = "303" // country of origin of the goods (JGS-20)

func appHead(kind, orderNo string) ceb.AppHead {
	return ceb.AppHead{Guid: GUID(kind, orderNo), AppType: "1", AppTime: AppTime, AppStatus: "2"}
}

// Set returns a valid, mutually consistent order, payment, waybill and
// 1210 inventory list for orderNo: buyer = payer = consignee; each order
// line's totalPrice = price × qty and their sum = goodsValue; acturalPaid
// = goodsValue + freight + taxTotal − discount = amountPaid; consignee,
// telephone and address equal on order and waybill; inventory lines match
// the order lines by gnum with gname = itemName; the inventory carries
// emsNo, areaCode/areaName, itemRecordNo and country 142. Its dutiable
// value (574.00) is under the single-transaction limit. Every call returns
// new values that the caller may modify.
func Set(orderNo string) (o *ceb.Order, p *ceb.Payment, l *ceb.Logistics, i *ceb.Inventory) {
	am := ceb.MustAmount
	o = &ceb.Order{OrderHead: ceb.OrderHead{
		AppHead:   appHead("order", orderNo),
		OrderType: "I", OrderNo: orderNo,
		EbpCode: EbpCode, EbpName: EbpName, EbcCode: EbcCode, EbcName: EbcName,
		GoodsValue: am(GoodsValue), Freight: am(Freight), Discount: am(Discount), TaxTotal: am(TaxTotal),
		ActuralPaid: am(ActuralPaid), Currency: "142",
		BuyerRegNo: BuyerRegNo, BuyerName: BuyerName, BuyerTelephone: BuyerTelephone,
		BuyerIdType: "1", BuyerIdNumber: BuyerIDNumber,
		PayCode: PayCode, PayName: PayName, PayTransactionId: PayTransactionID(orderNo),
		Consignee: BuyerName, ConsigneeTelephone: BuyerTelephone, ConsigneeAddress: ConsigneeAddress,
		ConsigneeDistrict: "500112",
	}}
	i = &ceb.Inventory{InventoryHead: ceb.InventoryHead{
		AppHead: appHead("inventory", orderNo),
		OrderNo: orderNo, EbpCode: EbpCode, EbpName: EbpName, EbcCode: EbcCode, EbcName: EbcName,
		LogisticsNo: LogisticsNo(orderNo), LogisticsCode: LogisticsCode, LogisticsName: LogisticsName,
		CopNo: CopNo(orderNo), AssureCode: AgentCode, EmsNo: EmsNo,
		IeFlag: "I", DeclTime: DeclTime, CustomsCode: CustomsCode, PortCode: PortCode,
		BuyerIdType: "1", BuyerIdNumber: BuyerIDNumber, BuyerName: BuyerName, BuyerTelephone: BuyerTelephone,
		ConsigneeAddress: ConsigneeAddress, AgentCode: AgentCode, AgentName: AgentName,
		AreaCode: AreaCode, AreaName: AreaName, TradeMode: TradeMode, TrafMode: "4",
		Country: "142", Freight: am(Freight), InsuredFee: am(InsuredFee), Currency: "142",
		PackNo: 1, GrossWeight: am("2.20"), NetWeight: am("1.70"),
	}}
	for n, ln := range lines {
		o.OrderList = append(o.OrderList, ceb.OrderList{
			Gnum: n + 1, ItemNo: ln.itemNo, ItemName: ln.name, Gmodel: ln.model, Unit: ln.unit,
			Qty: am(ln.qty), Price: am(ln.price), TotalPrice: am(ln.total), Currency: "142", Country: origin,
		})
		i.InventoryList = append(i.InventoryList, ceb.InventoryList{
			Gnum: n + 1, ItemRecordNo: ln.recordNo, ItemNo: ln.itemNo, ItemName: ln.name,
			Gcode: Gcode, Gname: ln.name, Gmodel: ln.model, Country: origin, Currency: "142",
			Qty: am(ln.qty), Unit: ln.unit, Qty1: am(ln.qty1), Unit1: "035",
			Price: am(ln.price), TotalPrice: am(ln.total),
		})
	}
	p = &ceb.Payment{PaymentHead: ceb.PaymentHead{
		AppHead: appHead("payment", orderNo),
		PayCode: PayCode, PayName: PayName, PayTransactionId: PayTransactionID(orderNo),
		OrderNo: orderNo, EbpCode: EbpCode, EbpName: EbpName,
		PayerIdType: "1", PayerIdNumber: BuyerIDNumber, PayerName: BuyerName, Telephone: BuyerTelephone,
		AmountPaid: am(ActuralPaid), Currency: "142", PayTime: PayTime,
	}}
	l = &ceb.Logistics{LogisticsHead: ceb.LogisticsHead{
		AppHead:       appHead("logistics", orderNo),
		LogisticsCode: LogisticsCode, LogisticsName: LogisticsName, LogisticsNo: LogisticsNo(orderNo),
		OrderNo: orderNo, Freight: am(Freight), InsuredFee: am(InsuredFee), Currency: "142",
		Weight: am("2.20"), PackNo: 1, GoodsInfo: "婴儿配方奶粉*3",
		Consignee: BuyerName, ConsigneeAddress: ConsigneeAddress, ConsigneeTelephone: BuyerTelephone,
	}}
	return o, p, l, i
}

// Cancel returns a valid cancellation (CEB623) of inventory list i, which
// customs numbered invtNo.
func Cancel(i *ceb.Inventory, invtNo string) *ceb.InvtCancel {
	h := &i.InventoryHead
	return &ceb.InvtCancel{
		AppHead:     ceb.AppHead{Guid: GUID("cancel", h.OrderNo, invtNo), AppType: "1", AppTime: AppTime, AppStatus: "2"},
		CustomsCode: h.CustomsCode, OrderNo: h.OrderNo,
		EbpCode: h.EbpCode, EbpName: h.EbpName, EbcCode: h.EbcCode, EbcName: h.EbcName,
		LogisticsNo: h.LogisticsNo, LogisticsCode: h.LogisticsCode, LogisticsName: h.LogisticsName,
		CopNo: h.CopNo, PreNo: h.PreNo, InvtNo: invtNo,
		BuyerIdType: h.BuyerIdType, BuyerIdNumber: h.BuyerIdNumber, BuyerName: h.BuyerName, BuyerTelephone: h.BuyerTelephone,
		AgentCode: h.AgentCode, AgentName: h.AgentName,
		Reason: "订购人取消订单",
	}
}

// Refund returns a valid return application (CEB625) of inventory list i,
// which customs numbered invtNo, for every line in full; reduce qty or drop
// lines for a partial return.
func Refund(i *ceb.Inventory, invtNo string) *ceb.InvtRefund {
	h := &i.InventoryHead
	r := &ceb.InvtRefund{InvtRefundHead: ceb.InvtRefundHead{
		AppHead:     ceb.AppHead{Guid: GUID("refund", h.OrderNo, invtNo), AppType: "1", AppTime: AppTime, AppStatus: "2"},
		CustomsCode: h.CustomsCode, OrderNo: h.OrderNo,
		EbpCode: h.EbpCode, EbpName: h.EbpName, EbcCode: h.EbcCode, EbcName: h.EbcName,
		LogisticsNo: h.LogisticsNo, LogisticsCode: h.LogisticsCode, LogisticsName: h.LogisticsName,
		CopNo: h.CopNo, PreNo: h.PreNo, InvtNo: invtNo,
		BuyerIdType: h.BuyerIdType, BuyerIdNumber: h.BuyerIdNumber, BuyerName: h.BuyerName, BuyerTelephone: h.BuyerTelephone,
		AgentCode: h.AgentCode, AgentName: h.AgentName,
		Reason: "商品质量问题退货",
	}}
	for _, ln := range i.InventoryList {
		r.InvtRefundList = append(r.InvtRefundList, ceb.InvtRefundList{
			Gnum: ln.Gnum, Gcode: ln.Gcode, Gname: ln.Gname, Qty: ln.Qty, Unit: ln.Unit,
		})
	}
	return r
}

// partyNames maps the set's party codes to names for BaseTransfer.
var partyNames = map[string]string{
	EbpCode: EbpName, EbcCode: EbcName, PayCode: PayName, LogisticsCode: LogisticsName, AgentCode: AgentName,
	OwnerCode: OwnerName, OperatorCode: OperatorName,
}

// Message wraps docs, which must all be of one message type, in a message
// with a deterministic guid. A declaration message gets a BaseTransfer for
// the sender of its first document; a receipt message gets none. It adds
// no Signature: see Signature.
func Message(docs ...ceb.Document) *ceb.Message {
	if len(docs) == 0 {
		panic("cebtest.Message: no documents")
	}
	t := docs[0].MsgType()
	m := ceb.NewMessage(t, GUID("message", string(t), docs[0].GUID()), docs...)
	if d, ok := docs[0].(ceb.Declaration); ok {
		name := partyNames[d.SenderCode()]
		if name == "" {
			name = "示例企业"
		}
		m.BaseTransfer = &ceb.BaseTransfer{CopCode: d.SenderCode(), CopName: name, DxpMode: "DXP", DxpId: "DXPENT" + d.SenderCode()}
	}
	return m
}

// Signature is a structurally valid, unverifiable ds:Signature placeholder.
// The XSD requires a signature in CEB621, 623 and 625; attach it
// (m.Signature = cebtest.Signature) when a test checks encoded messages
// against the XSD. The project does not verify signatures.
var Signature = []byte(`<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">` +
	`<ds:SignedInfo>` +
	`<ds:CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>` +
	`<ds:SignatureMethod Algorithm="http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3"/>` +
	`<ds:Reference URI="">` +
	`<ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/></ds:Transforms>` +
	`<ds:DigestMethod Algorithm="http://www.chinaport.gov.cn/2022/04/xmldsig#sm3"/>` +
	`<ds:DigestValue>AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=</ds:DigestValue>` +
	`</ds:Reference>` +
	`</ds:SignedInfo>` +
	`<ds:SignatureValue>AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=</ds:SignatureValue>` +
	`</ds:Signature>`)
