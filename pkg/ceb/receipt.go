package ceb

import "time"

// OrderReturn is the CEB312 receipt for an order.
type OrderReturn struct {
	Guid         string `xml:"guid" json:"guid" validate:"required,len=36"`
	EbpCode      string `xml:"ebpCode" json:"ebpCode" validate:"required,max=18"`
	EbcCode      string `xml:"ebcCode" json:"ebcCode" validate:"required,max=18"`
	OrderNo      string `xml:"orderNo" json:"orderNo" validate:"required,max=60"`
	ReturnStatus string `xml:"returnStatus" json:"returnStatus" validate:"required,max=10"`
	ReturnTime   string `xml:"returnTime" json:"returnTime" validate:"required,len=17,datetime17"`
	ReturnInfo   string `xml:"returnInfo" json:"returnInfo" validate:"required,max=1000"`
}

// PaymentReturn is the CEB412 receipt for a payment.
type PaymentReturn struct {
	Guid             string `xml:"guid" json:"guid" validate:"required,len=36"`
	PayCode          string `xml:"payCode" json:"payCode" validate:"required,max=18"`
	PayTransactionId string `xml:"payTransactionId" json:"payTransactionId" validate:"required,max=60"`
	ReturnStatus     string `xml:"returnStatus" json:"returnStatus" validate:"required,max=10"`
	ReturnTime       string `xml:"returnTime" json:"returnTime" validate:"required,len=17,datetime17"`
	ReturnInfo       string `xml:"returnInfo" json:"returnInfo" validate:"required,max=1000"`
}

// LogisticsReturn is the CEB512 receipt for a waybill.
type LogisticsReturn struct {
	Guid          string `xml:"guid" json:"guid" validate:"required,len=36"`
	LogisticsCode string `xml:"logisticsCode" json:"logisticsCode" validate:"required,max=18"`
	LogisticsNo   string `xml:"logisticsNo" json:"logisticsNo" validate:"required,max=60"`
	ReturnStatus  string `xml:"returnStatus" json:"returnStatus" validate:"required,max=10"`
	ReturnTime    string `xml:"returnTime" json:"returnTime" validate:"required,len=17,datetime17"`
	ReturnInfo    string `xml:"returnInfo" json:"returnInfo" validate:"required,max=1000"`
}

// InventoryReturn is the CEB622 receipt for an inventory list. The XSD
// requires copNo and an 18-character preNo (the E-Port number) and allows
// an 18-character invtNo (the customs list number).
type InventoryReturn struct {
	Guid         string `xml:"guid" json:"guid" validate:"required,len=36"`
	CustomsCode  string `xml:"customsCode,omitempty" json:"customsCode,omitempty" validate:"omitempty,len=4"`
	EbpCode      string `xml:"ebpCode,omitempty" json:"ebpCode,omitempty" validate:"omitempty,max=18"`
	EbcCode      string `xml:"ebcCode,omitempty" json:"ebcCode,omitempty" validate:"omitempty,max=18"`
	AgentCode    string `xml:"agentCode,omitempty" json:"agentCode,omitempty" validate:"omitempty,max=18"`
	CopNo        string `xml:"copNo" json:"copNo" validate:"required,max=20"`
	PreNo        string `xml:"preNo" json:"preNo" validate:"required,len=18"`
	InvtNo       string `xml:"invtNo,omitempty" json:"invtNo,omitempty" validate:"omitempty,len=18"`
	ReturnStatus string `xml:"returnStatus" json:"returnStatus" validate:"required,max=10"`
	ReturnTime   string `xml:"returnTime" json:"returnTime" validate:"required,len=17,datetime17"`
	ReturnInfo   string `xml:"returnInfo" json:"returnInfo" validate:"required,max=1000"`
}

// InvtCancelReturn is the CEB624 receipt for a cancellation; invtNo is the
// cancelled list. Note the XSD order: agentCode comes before ebpCode here.
type InvtCancelReturn struct {
	Guid         string `xml:"guid" json:"guid" validate:"required,len=36"`
	CustomsCode  string `xml:"customsCode,omitempty" json:"customsCode,omitempty" validate:"omitempty,len=4"`
	AgentCode    string `xml:"agentCode,omitempty" json:"agentCode,omitempty" validate:"omitempty,max=18"`
	EbpCode      string `xml:"ebpCode,omitempty" json:"ebpCode,omitempty" validate:"omitempty,max=18"`
	EbcCode      string `xml:"ebcCode,omitempty" json:"ebcCode,omitempty" validate:"omitempty,max=18"`
	CopNo        string `xml:"copNo" json:"copNo" validate:"required,max=20"`
	PreNo        string `xml:"preNo" json:"preNo" validate:"required,len=18"`
	InvtNo       string `xml:"invtNo,omitempty" json:"invtNo,omitempty" validate:"omitempty,len=18"`
	ReturnStatus string `xml:"returnStatus" json:"returnStatus" validate:"required,max=10"`
	ReturnTime   string `xml:"returnTime" json:"returnTime" validate:"required,len=17,datetime17"`
	ReturnInfo   string `xml:"returnInfo" json:"returnInfo" validate:"required,max=1000"`
}

// InvtRefundReturn is the CEB626 receipt for a return application; invtNo
// is the original list.
type InvtRefundReturn struct {
	Guid         string `xml:"guid" json:"guid" validate:"required,len=36"`
	CustomsCode  string `xml:"customsCode,omitempty" json:"customsCode,omitempty" validate:"omitempty,len=4"`
	AgentCode    string `xml:"agentCode,omitempty" json:"agentCode,omitempty" validate:"omitempty,max=18"`
	EbpCode      string `xml:"ebpCode,omitempty" json:"ebpCode,omitempty" validate:"omitempty,max=18"`
	EbcCode      string `xml:"ebcCode,omitempty" json:"ebcCode,omitempty" validate:"omitempty,max=18"`
	CopNo        string `xml:"copNo" json:"copNo" validate:"required,max=20"`
	PreNo        string `xml:"preNo" json:"preNo" validate:"required,len=18"`
	InvtNo       string `xml:"invtNo,omitempty" json:"invtNo,omitempty" validate:"omitempty,len=18"`
	ReturnStatus string `xml:"returnStatus" json:"returnStatus" validate:"required,max=10"`
	ReturnTime   string `xml:"returnTime" json:"returnTime" validate:"required,len=17,datetime17"`
	ReturnInfo   string `xml:"returnInfo" json:"returnInfo" validate:"required,max=1000"`
}

// MsgType is CEB312.
func (r *OrderReturn) MsgType() MsgType { return CEB312 }

// GUID is the guid of the answered order.
func (r *OrderReturn) GUID() string { return r.Guid }

// MsgType is CEB412.
func (r *PaymentReturn) MsgType() MsgType { return CEB412 }

// GUID is the guid of the answered payment.
func (r *PaymentReturn) GUID() string { return r.Guid }

// MsgType is CEB512.
func (r *LogisticsReturn) MsgType() MsgType { return CEB512 }

// GUID is the guid of the answered waybill.
func (r *LogisticsReturn) GUID() string { return r.Guid }

// MsgType is CEB622.
func (r *InventoryReturn) MsgType() MsgType { return CEB622 }

// GUID is the guid of the answered inventory list.
func (r *InventoryReturn) GUID() string { return r.Guid }

// MsgType is CEB624.
func (r *InvtCancelReturn) MsgType() MsgType { return CEB624 }

// GUID is the guid of the answered cancellation.
func (r *InvtCancelReturn) GUID() string { return r.Guid }

// MsgType is CEB626.
func (r *InvtRefundReturn) MsgType() MsgType { return CEB626 }

// GUID is the guid of the answered return application.
func (r *InvtRefundReturn) GUID() string { return r.Guid }

// NewReceipt builds the receipt answering declaration d (ReceiptType of its
// type: a CEB312 for an import order, 412, 512, 622, 624 or 626; a CEB304
// for an export order, 404, 506, 508, 510, 604, 606 or 702) with d's guid
// and key fields, returnStatus status, returnInfo info and returnTime at in
// China time (YYYYMMDDhhmmssSSS). It returns nil for a type it does not
// know.
//
// For inventory lists, cancellations and returns it copies copNo, preNo and
// invtNo from the declaration. The receipt XSD requires preNo (18
// characters, the E-Port number) and allows invtNo only with 18 characters;
// a declaration usually carries neither, so the caller that assigns them
// sets them on the returned *InventoryReturn, *InvtCancelReturn or
// *InvtRefundReturn before sending it.
//
// The export receipts follow the same rule: every one but CEB304, 404 and
// 506 requires the 18-character preNo, and CEB604/606 the invtNo (CEB508
// also billNo); NewReceipt copies them from the declaration, where they are
// optional, and the caller that assigns them sets them on the returned
// *ArrivalReturn, *DepartureReturn, *ExportInventoryReturn,
// *ExportInvtCancelReturn or *SummaryReturn (and its sumNo) before sending
// it.
func NewReceipt(d Declaration, status string, info string, at time.Time) Document {
	rt := FormatReturnTime(at)
	switch d := d.(type) {
	case *Order:
		h := &d.OrderHead
		return &OrderReturn{Guid: h.Guid, EbpCode: h.EbpCode, EbcCode: h.EbcCode, OrderNo: h.OrderNo,
			ReturnStatus: status, ReturnTime: rt, ReturnInfo: info}
	case *Payment:
		h := &d.PaymentHead
		return &PaymentReturn{Guid: h.Guid, PayCode: h.PayCode, PayTransactionId: h.PayTransactionId,
			ReturnStatus: status, ReturnTime: rt, ReturnInfo: info}
	case *Logistics:
		h := &d.LogisticsHead
		return &LogisticsReturn{Guid: h.Guid, LogisticsCode: h.LogisticsCode, LogisticsNo: h.LogisticsNo,
			ReturnStatus: status, ReturnTime: rt, ReturnInfo: info}
	case *Inventory:
		h := &d.InventoryHead
		return &InventoryReturn{Guid: h.Guid, CustomsCode: h.CustomsCode, EbpCode: h.EbpCode, EbcCode: h.EbcCode,
			AgentCode: h.AgentCode, CopNo: h.CopNo, PreNo: h.PreNo, InvtNo: h.InvtNo,
			ReturnStatus: status, ReturnTime: rt, ReturnInfo: info}
	case *InvtCancel:
		return &InvtCancelReturn{Guid: d.Guid, CustomsCode: d.CustomsCode, AgentCode: d.AgentCode, EbpCode: d.EbpCode,
			EbcCode: d.EbcCode, CopNo: d.CopNo, PreNo: d.PreNo, InvtNo: d.InvtNo,
			ReturnStatus: status, ReturnTime: rt, ReturnInfo: info}
	case *InvtRefund:
		h := &d.InvtRefundHead
		return &InvtRefundReturn{Guid: h.Guid, CustomsCode: h.CustomsCode, AgentCode: h.AgentCode, EbpCode: h.EbpCode,
			EbcCode: h.EbcCode, CopNo: h.CopNo, PreNo: h.PreNo, InvtNo: h.InvtNo,
			ReturnStatus: status, ReturnTime: rt, ReturnInfo: info}
	}
	return newExportReceipt(d, status, info, rt)
}

// receiptFields gives uniform access to the returnStatus/Info/Time triple
// every receipt node carries.
func receiptFields(d Document) (status, info, at *string) {
	switch r := d.(type) {
	case *OrderReturn:
		return &r.ReturnStatus, &r.ReturnInfo, &r.ReturnTime
	case *PaymentReturn:
		return &r.ReturnStatus, &r.ReturnInfo, &r.ReturnTime
	case *LogisticsReturn:
		return &r.ReturnStatus, &r.ReturnInfo, &r.ReturnTime
	case *InventoryReturn:
		return &r.ReturnStatus, &r.ReturnInfo, &r.ReturnTime
	case *InvtCancelReturn:
		return &r.ReturnStatus, &r.ReturnInfo, &r.ReturnTime
	case *InvtRefundReturn:
		return &r.ReturnStatus, &r.ReturnInfo, &r.ReturnTime
	case *MessageReturn:
		return &r.ReturnStatus, &r.ReturnInfo, &r.ReturnTime
	case *ExportOrderReturn:
		return &r.ReturnStatus, &r.ReturnInfo, &r.ReturnTime
	case *ReceiptsReturn:
		return &r.ReturnStatus, &r.ReturnInfo, &r.ReturnTime
	case *ExportLogisticsReturn:
		return &r.ReturnStatus, &r.ReturnInfo, &r.ReturnTime
	case *ArrivalReturn:
		return &r.ReturnStatus, &r.ReturnInfo, &r.ReturnTime
	case *DepartureReturn:
		return &r.ReturnStatus, &r.ReturnInfo, &r.ReturnTime
	case *ExportInventoryReturn:
		return &r.ReturnStatus, &r.ReturnInfo, &r.ReturnTime
	case *ExportInvtCancelReturn:
		return &r.ReturnStatus, &r.ReturnInfo, &r.ReturnTime
	case *SummaryReturn:
		return &r.ReturnStatus, &r.ReturnInfo, &r.ReturnTime
	}
	return nil, nil, nil
}

// IsReceipt reports whether d is a receipt node, one with returnStatus,
// returnInfo and returnTime (including the CEB900 MessageReturn). The CEB792
// SummaryResult is a customs message but not a receipt node: it reports
// decState instead.
func IsReceipt(d Document) bool {
	s, _, _ := receiptFields(d)
	return s != nil
}

// ReceiptStatus returns the returnStatus of receipt d ("120", "-621005" …),
// or "" if d is not a receipt.
func ReceiptStatus(d Document) string {
	if s, _, _ := receiptFields(d); s != nil {
		return *s
	}
	return ""
}

// ReceiptInfo returns the returnInfo of receipt d, or "" if d is not a
// receipt.
func ReceiptInfo(d Document) string {
	if _, i, _ := receiptFields(d); i != nil {
		return *i
	}
	return ""
}

// ReceiptTime returns the returnTime text (YYYYMMDDhhmmssSSS) of receipt d,
// or "" if d is not a receipt.
func ReceiptTime(d Document) string {
	if _, _, t := receiptFields(d); t != nil {
		return *t
	}
	return ""
}
