package ceb

// Document is one business node of a message: an import Order, Payment,
// Logistics, Inventory, InvtCancel or InvtRefund, an export ExportOrder,
// Receipts, ExportLogistics, Arrival, Departure, ExportInventory,
// ExportInvtCancel or SummaryApply, one of their receipts, the CEB792
// SummaryResult, or the CEB900 MessageReturn. Implementations are the
// pointer types of this package.
type Document interface {
	// MsgType is the message type that carries this node.
	MsgType() MsgType
	// GUID is the node's own guid (the head guid for nodes with a head).
	GUID() string
}

// Declaration is a document a party submits: one of the six import
// declarations (*Order, *Payment, *Logistics, *Inventory, *InvtCancel,
// *InvtRefund) or the eight export ones (*ExportOrder, *Receipts,
// *ExportLogistics, *Arrival, *Departure, *ExportInventory,
// *ExportInvtCancel, *SummaryApply).
type Declaration interface {
	Document
	// AppType is the submission type: "1" new, "2" change, "3" delete.
	AppType() string
	// SenderCode is the customs code of the party that must have sent the
	// document: ebpCode for an order, payCode for a payment or receipt of
	// payment, logisticsCode for a waybill, arrival or departure, agentCode
	// for an inventory list, cancellation, return or summary application.
	// (Export orders without a platform code and receipts of payment
	// without a payCode fall back to ebcCode; see their methods.)
	SenderCode() string
	// BusinessKey identifies the document for duplicate detection:
	// order [ebpCode, orderNo]; payment [payCode, payTransactionId];
	// receipt of payment [ebcCode, orderNo]; waybill [logisticsCode,
	// logisticsNo]; arrival and departure [logisticsCode, copNo, msgSeqNo];
	// inventory [ebpCode, orderNo]; cancellation and return [agentCode,
	// invtNo]; summary application [agentCode, copNo, msgSeqNo].
	BusinessKey() []string
}

// Message is a whole CEBnnnMessage: the root attributes, its business nodes
// and, for the declarations, the transfer envelope.
type Message struct {
	// Type is the message type, given by the root element name.
	Type MsgType
	// GUID is the root attribute guid (36 characters).
	GUID string
	// Version is the root attribute version, "1.0" by default.
	Version string
	// Documents are the business nodes (1..100; exactly 1 for CEB900), all
	// of the concrete pointer type that Type carries (see NewDocument).
	Documents []Document
	// BaseTransfer identifies the transmitting client; required in the
	// declarations, absent from receipts (and CEB792).
	BaseTransfer *BaseTransfer
	// BaseSubscribe lists receipt subscriptions of third parties (0..5).
	BaseSubscribe []BaseSubscribe
	// ExtendMessage is the optional custom extension.
	ExtendMessage *ExtendMessage
	// Signature is the ds:Signature element exactly as received (raw XML,
	// with its namespace declaration added if the sender declared it on an
	// ancestor), re-emitted unchanged by EncodeXML. Nil when unsigned. The
	// project does not verify signatures, so Validate neither checks nor
	// requires it.
	Signature []byte

	// dups are the elements the schema allows once that DecodeXML found
	// repeated (rule duplicate); Validate reports them.
	dups []FieldError
}

// NewMessage returns a message of type t with the given root guid, version
// DefaultVersion, and documents.
func NewMessage(t MsgType, guid string, docs ...Document) *Message {
	return &Message{Type: t, GUID: guid, Version: DefaultVersion, Documents: docs}
}

// AppHead holds the four elements that open every declaration head (and the
// flat InvtCancel node). It is embedded so that the rules for them are
// written once; in InvtCancel the appType field is reached as
// c.AppHead.AppType because the AppType method shadows it.
type AppHead struct {
	Guid      string `xml:"guid" json:"guid" validate:"required,len=36"`
	AppType   string `xml:"appType" json:"appType" validate:"required,oneof=1 2 3"`
	AppTime   string `xml:"appTime" json:"appTime" validate:"required,len=14,datetime14"`
	AppStatus string `xml:"appStatus" json:"appStatus" validate:"required,oneof=1 2"`
}

// BaseTransfer identifies the client that transmits a declaration message;
// it must match the transmitting party's identity.
type BaseTransfer struct {
	CopCode string `xml:"copCode" json:"copCode" validate:"required,max=18"`
	CopName string `xml:"copName" json:"copName" validate:"required,max=100"`
	DxpMode string `xml:"dxpMode" json:"dxpMode" validate:"required,len=3"`
	DxpId   string `xml:"dxpId" json:"dxpId" validate:"required,max=30"`
	Note    string `xml:"note,omitempty" json:"note,omitempty" validate:"omitempty,max=1000"`
}

// BaseSubscribe subscribes a third party to the data and/or receipts of a
// message (status ALL, DATA or RET).
type BaseSubscribe struct {
	Status     string `xml:"status" json:"status" validate:"required,max=100,oneof=ALL DATA RET"`
	DxpMode    string `xml:"dxpMode" json:"dxpMode" validate:"required,len=3"`
	DxpAddress string `xml:"dxpAddress" json:"dxpAddress" validate:"required,max=100"`
	Note       string `xml:"note,omitempty" json:"note,omitempty" validate:"omitempty,max=1000"`
}

// ExtendMessage is the optional custom extension of a declaration message.
type ExtendMessage struct {
	Name    string     `xml:"name" json:"name" validate:"required,max=30"`
	Version string     `xml:"version" json:"version" validate:"required,max=30"`
	Message XMLElement `xml:"Message" json:"Message"`
}

// XMLElement is free XML content (XSD xs:any, processContents skip), kept
// as the raw inner XML of its element.
type XMLElement struct {
	InnerXML string `xml:",innerxml" json:"innerXML,omitempty"`
}
