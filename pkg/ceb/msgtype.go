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

// The import message types this package models.
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

// msgInfo is what the codecs need to know about a message type.
type msgInfo struct {
	node    string  // element name of the business node
	receipt MsgType // receipt type answering a declaration; "" for receipts
	inbound bool    // submitted by a party: carries BaseTransfer and may be signed
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
}

// MsgTypes returns every message type the package models, declarations
// first, in numeric order.
func MsgTypes() []MsgType {
	return []MsgType{CEB311, CEB312, CEB411, CEB412, CEB511, CEB512, CEB621, CEB622, CEB623, CEB624, CEB625, CEB626, CEB900}
}

// Known reports whether the package models message type t.
func (t MsgType) Known() bool {
	_, ok := msgInfos[t]
	return ok
}

// RootName is the XML root element name of the message, e.g. "CEB311Message".
func (t MsgType) RootName() string { return string(t) + "Message" }

// NodeName is the element name of the business node the message repeats,
// e.g. "Order" for CEB311 and "OrderReturn" for CEB312; "" if unknown.
func (t MsgType) NodeName() string { return msgInfos[t].node }

// IsDeclaration reports whether t is one of the six documents parties
// submit (CEB311, 411, 511, 621, 623, 625).
func (t MsgType) IsDeclaration() bool { return msgInfos[t].inbound }

// IsReceipt reports whether t is a message customs sends back (the receipts
// and CEB900).
func (t MsgType) IsReceipt() bool { return t.Known() && !t.IsDeclaration() }

// ReceiptType returns the receipt answering declaration type t (CEB311 →
// CEB312, CEB411 → CEB412, …), or "" if t is not a declaration.
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
// *Order for CEB311, a *OrderReturn for CEB312, …), or nil if t is unknown.
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
	}
	return nil
}
