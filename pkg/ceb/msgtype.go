package ceb

import "strings"

// Namespace is the XML namespace of every CEB message element.
const Namespace = "http://www.chinaport.gov.cn/ceb"

// DSigNamespace is the XML namespace of the W3C XML-DSig ds:Signature element.
const DSigNamespace = "http://www.w3.org/2000/09/xmldsig#"

// DefaultVersion is the message version the specification prescribes as default.
const DefaultVersion = "1.0"

// MsgType names a CEB message type, e.g. "CEB311"; the XML root element is
// the type followed by "Message" (CEB311Message).
type MsgType string

// The import message types this package models (import.xsd).
const (
	CEB311 MsgType = "CEB311" // order
	CEB312 MsgType = "CEB312" // order receipt
	CEB411 MsgType = "CEB411" // payment
	CEB412 MsgType = "CEB412" // payment receipt
	CEB511 MsgType = "CEB511" // waybill
	CEB512 MsgType = "CEB512" // waybill receipt
	CEB621 MsgType = "CEB621" // inventory list
	CEB622 MsgType = "CEB622" // inventory list receipt
	CEB623 MsgType = "CEB623" // cancellation of an inventory list
	CEB624 MsgType = "CEB624" // cancellation receipt
	CEB625 MsgType = "CEB625" // return (refund) application
	CEB626 MsgType = "CEB626" // return receipt
	CEB900 MsgType = "CEB900" // message format receipt
)

// The export message types this package models (export.xsd). CEB213/214,
// 215/216 (returns) and 607/608 (master/house bills) are not modelled.
const (
	CEB303 MsgType = "CEB303" // export order
	CEB304 MsgType = "CEB304" // export order receipt
	CEB403 MsgType = "CEB403" // receipt of payment (收款单)
	CEB404 MsgType = "CEB404" // receipt of payment receipt
	CEB505 MsgType = "CEB505" // export waybill
	CEB506 MsgType = "CEB506" // export waybill receipt
	CEB507 MsgType = "CEB507" // arrival at the supervised site (运抵单)
	CEB508 MsgType = "CEB508" // arrival receipt
	CEB509 MsgType = "CEB509" // departure (离境单)
	CEB510 MsgType = "CEB510" // departure receipt
	CEB603 MsgType = "CEB603" // export inventory list
	CEB604 MsgType = "CEB604" // export inventory list receipt
	CEB605 MsgType = "CEB605" // cancellation of an export inventory list
	CEB606 MsgType = "CEB606" // cancellation receipt
	CEB701 MsgType = "CEB701" // summary application (汇总申请单)
	CEB702 MsgType = "CEB702" // summary application receipt
	CEB792 MsgType = "CEB792" // summary result (汇总结果单), customs to enterprise
)

// msgInfo is what the codecs need to know about a message type.
type msgInfo struct {
	node    string  // element name of the business node
	receipt MsgType // receipt type answering a declaration; "" for receipts
	inbound bool    // submitted by a party: carries BaseTransfer and may be signed
	export  bool    // defined by export.xsd, where ds:Signature precedes ExtendMessage
}

var msgInfos = map[MsgType]msgInfo{
	CEB311: {node: "Order", receipt: CEB312, inbound: true},
	CEB312: {node: "OrderReturn"},
	CEB411: {node: "Payment", receipt: CEB412, inbound: true},
	CEB412: {node: "PaymentReturn"},
	CEB511: {node: "Logistics", receipt: CEB512, inbound: true},
	CEB512: {node: "LogisticsReturn"},
	CEB621: {node: "Inventory", receipt: CEB622, inbound: true},
	CEB622: {node: "InventoryReturn"},
	CEB623: {node: "InvtCancel", receipt: CEB624, inbound: true},
	CEB624: {node: "InvtCancelReturn"},
	CEB625: {node: "InvtRefund", receipt: CEB626, inbound: true},
	CEB626: {node: "InvtRefundReturn"},
	CEB900: {node: "MessageReturn"},

	CEB303: {node: "Order", receipt: CEB304, inbound: true, export: true},
	CEB304: {node: "OrderReturn", export: true},
	CEB403: {node: "Receipts", receipt: CEB404, inbound: true, export: true},
	CEB404: {node: "ReceiptsReturn", export: true},
	CEB505: {node: "Logistics", receipt: CEB506, inbound: true, export: true},
	CEB506: {node: "LogisticsReturn", export: true},
	CEB507: {node: "Arrival", receipt: CEB508, inbound: true, export: true},
	CEB508: {node: "ArrivalReturn", export: true},
	CEB509: {node: "Departure", receipt: CEB510, inbound: true, export: true},
	CEB510: {node: "DepartureReturn", export: true},
	CEB603: {node: "Inventory", receipt: CEB604, inbound: true, export: true},
	CEB604: {node: "InventoryReturn", export: true},
	CEB605: {node: "InvtCancel", receipt: CEB606, inbound: true, export: true},
	CEB606: {node: "InvtCancelReturn", export: true},
	CEB701: {node: "SummaryApply", receipt: CEB702, inbound: true, export: true},
	CEB702: {node: "SummaryReturn", export: true},
	CEB792: {node: "SummaryResult", export: true},
}

// MsgTypes returns every message type the package models: the import
// types (ImportMsgTypes), then the export types (ExportMsgTypes).
func MsgTypes() []MsgType {
	return append(ImportMsgTypes(), ExportMsgTypes()...)
}

// ImportMsgTypes returns the import message types (import.xsd), each
// declaration followed by its receipt, then CEB900.
func ImportMsgTypes() []MsgType {
	return []MsgType{CEB311, CEB312, CEB411, CEB412, CEB511, CEB512, CEB621, CEB622, CEB623, CEB624, CEB625, CEB626, CEB900}
}

// ExportMsgTypes returns the export message types (export.xsd), each
// declaration followed by its receipt, then CEB792.
func ExportMsgTypes() []MsgType {
	return []MsgType{CEB303, CEB304, CEB403, CEB404, CEB505, CEB506, CEB507, CEB508, CEB509, CEB510,
		CEB603, CEB604, CEB605, CEB606, CEB701, CEB702, CEB792}
}

// Known reports whether the package models message type t.
func (t MsgType) Known() bool {
	_, ok := msgInfos[t]
	return ok
}

// RootName is the XML root element name of the message, e.g. "CEB311Message".
func (t MsgType) RootName() string { return string(t) + "Message" }

// NodeName is the element name of the business node the message repeats,
// e.g. "Order" for CEB311 and CEB303, "OrderReturn" for CEB312 and CEB304,
// "Receipts" for CEB403; "" if unknown. Import and export share some names
// (Order, Logistics, Inventory, InvtCancel and their receipts) for
// different content: the message type decides which.
func (t MsgType) NodeName() string { return msgInfos[t].node }

// IsDeclaration reports whether t is a document parties submit: the six
// import declarations (CEB311, 411, 511, 621, 623, 625) and the eight
// export ones (CEB303, 403, 505, 507, 509, 603, 605, 701).
func (t MsgType) IsDeclaration() bool { return msgInfos[t].inbound }

// IsReceipt reports whether t is a message customs sends back: the
// receipts, CEB900 and the CEB792 summary result.
func (t MsgType) IsReceipt() bool { return t.Known() && !t.IsDeclaration() }

// IsExport reports whether t is an export message type (export.xsd).
func (t MsgType) IsExport() bool { return msgInfos[t].export }

// ReceiptType returns the receipt answering declaration type t (CEB311 →
// CEB312, CEB411 → CEB412, …, CEB303 → CEB304, …, CEB701 → CEB702), or ""
// if t is not a declaration.
func ReceiptType(t MsgType) MsgType { return msgInfos[t].receipt }

// MsgTypeOf maps an XML root element name ("CEB311Message") to its message
// type; ok is false for names the package does not model.
func MsgTypeOf(root string) (t MsgType, ok bool) {
	name, found := strings.CutSuffix(root, "Message")
	if !found {
		return "", false
	}
	t = MsgType(name)
	return t, t.Known()
}

// NewDocument returns a new, empty business node of message type t (a
// *Order for CEB311, a *OrderReturn for CEB312, an *ExportOrder for CEB303,
// a *Receipts for CEB403, …), or nil if t is unknown.
func NewDocument(t MsgType) Document {
	switch t {
	case CEB311:
		return &Order{}
	case CEB312:
		return &OrderReturn{}
	case CEB411:
		return &Payment{}
	case CEB412:
		return &PaymentReturn{}
	case CEB511:
		return &Logistics{}
	case CEB512:
		return &LogisticsReturn{}
	case CEB621:
		return &Inventory{}
	case CEB622:
		return &InventoryReturn{}
	case CEB623:
		return &InvtCancel{}
	case CEB624:
		return &InvtCancelReturn{}
	case CEB625:
		return &InvtRefund{}
	case CEB626:
		return &InvtRefundReturn{}
	case CEB900:
		return &MessageReturn{}
	case CEB303:
		return &ExportOrder{}
	case CEB304:
		return &ExportOrderReturn{}
	case CEB403:
		return &Receipts{}
	case CEB404:
		return &ReceiptsReturn{}
	case CEB505:
		return &ExportLogistics{}
	case CEB506:
		return &ExportLogisticsReturn{}
	case CEB507:
		return &Arrival{}
	case CEB508:
		return &ArrivalReturn{}
	case CEB509:
		return &Departure{}
	case CEB510:
		return &DepartureReturn{}
	case CEB603:
		return &ExportInventory{}
	case CEB604:
		return &ExportInventoryReturn{}
	case CEB605:
		return &ExportInvtCancel{}
	case CEB606:
		return &ExportInvtCancelReturn{}
	case CEB701:
		return &SummaryApply{}
	case CEB702:
		return &SummaryReturn{}
	case CEB792:
		return &SummaryResult{}
	}
	return nil
}
