package ceb

import "time"

// MessageReturn is the CEB900 business node: the format receipt answering a
// message that could not be parsed or failed the schema.
//
// The XSD requires every element but lets returnInfo, oriCopMsgId,
// oriMessageType and oriBizMessage be empty. A Go string cannot tell an
// absent element from an empty one, so EncodeXML always writes these
// elements and Validate requires them non-empty: a format receipt this
// project emits always says what it answers (NewFormatReceipt fills them).
type MessageReturn struct {
	Guid           string `xml:"guid" json:"guid" validate:"required,len=36"`
	ReturnStatus   string `xml:"returnStatus" json:"returnStatus" validate:"required,max=10"`
	ReturnInfo     string `xml:"returnInfo" json:"returnInfo" validate:"required,max=5000"`
	ReturnTime     string `xml:"returnTime" json:"returnTime" validate:"required,len=17,datetime17"`
	OriCopMsgId    string `xml:"oriCopMsgId" json:"oriCopMsgId" validate:"required,max=255"`
	OriMessageType string `xml:"oriMessageType" json:"oriMessageType" validate:"required,max=15"`
	OriBizMessage  string `xml:"oriBizMessage" json:"oriBizMessage" validate:"required"`
}

// MsgType is CEB900.
func (r *MessageReturn) MsgType() MsgType { return CEB900 }

// GUID is the node guid.
func (r *MessageReturn) GUID() string { return r.Guid }

// UnknownMessageType is the oriMessageType the specification prescribes
// when the original message type cannot be determined.
const UnknownMessageType = "Unknown"

// NewFormatReceipt builds a CEB900 node answering an unparseable or invalid
// message: guid is the receipt's own guid, copMsgID the transport message
// id of the original (the caller's best identifier when there is none),
// oriType its root element name (UnknownMessageType when unknown, and
// truncated to the XSD's 15 characters), original its content, status a
// negative code, info the reason, at the time of the check.
func NewFormatReceipt(guid, copMsgID, oriType string, original []byte, status, info string, at time.Time) *MessageReturn {
	if oriType == "" {
		oriType = UnknownMessageType
	}
	if r := []rune(oriType); len(r) > 15 {
		oriType = string(r[:15])
	}
	return &MessageReturn{Guid: guid, ReturnStatus: status, ReturnInfo: info, ReturnTime: FormatReturnTime(at),
		OriCopMsgId: copMsgID, OriMessageType: oriType, OriBizMessage: string(original)}
}
