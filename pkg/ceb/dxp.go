package ceb

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"time"
)

// DxpNamespace is the XML namespace of the DXP transport envelopes
// (terminal.xsd: DxpMsg).
const DxpNamespace = "http://www.chinaport.gov.cn/dxp"

// DxpMsg is the DXP client transport envelope (terminal.xsd): one CEB
// message, base64 in Data, addressed by TransInfo. It is how customs hands
// a receipt to an enterprise, and the place for customs' signature: the
// receipt messages' own schemas (CEB312 …) have no ds:Signature, the
// envelope has one.
type DxpMsg struct {
	// CopMsgID identifies the carried message (its guid), 1..255 characters.
	CopMsgID string
	// SenderID is the sending node, 1..16 characters.
	SenderID string
	// ReceiverIDs are the receiving nodes, 1..5 of 1..16 characters.
	ReceiverIDs []string
	// Created is when the envelope was made (CreatTime).
	Created time.Time
	// MsgType is the carried message's type, e.g. CEB312.
	MsgType MsgType
	// Data is the carried CEB message.
	Data []byte
}

// dxpTransInfo is TransInfoType in XSD order.
type dxpTransInfo struct {
	CopMsgID    string   `xml:"dxp:CopMsgId"`
	SenderID    string   `xml:"dxp:SenderId"`
	ReceiverIDs []string `xml:"dxp:ReceiverIds>dxp:ReceiverId"`
	CreatTime   string   `xml:"dxp:CreatTime"`
	MsgType     string   `xml:"dxp:MsgType"`
}

type dxpMsgXML struct {
	XMLName   xml.Name     `xml:"dxp:DxpMsg"`
	Namespace string       `xml:"xmlns:dxp,attr"`
	Ver       string       `xml:"ver,attr"`
	TransInfo dxpTransInfo `xml:"dxp:TransInfo"`
	Data      string       `xml:"dxp:Data"`
}

// EncodeDxpMsg writes the envelope, unsigned (sign it whole: the signature
// goes last, after Data).
func EncodeDxpMsg(m DxpMsg) ([]byte, error) {
	switch {
	case m.CopMsgID == "" || len(m.CopMsgID) > 255:
		return nil, errors.New("ceb: DxpMsg CopMsgId must be 1..255 characters")
	case m.SenderID == "" || len(m.SenderID) > 16:
		return nil, errors.New("ceb: DxpMsg SenderId must be 1..16 characters")
	case len(m.ReceiverIDs) == 0 || len(m.ReceiverIDs) > 5:
		return nil, errors.New("ceb: DxpMsg needs 1..5 ReceiverId")
	case len(m.MsgType) > 30:
		return nil, errors.New("ceb: DxpMsg MsgType must be at most 30 characters")
	}
	for _, r := range m.ReceiverIDs {
		if r == "" || len(r) > 16 {
			return nil, fmt.Errorf("ceb: DxpMsg ReceiverId %q must be 1..16 characters", r)
		}
	}
	v := dxpMsgXML{
		Namespace: DxpNamespace,
		Ver:       "1.0",
		TransInfo: dxpTransInfo{
			CopMsgID: m.CopMsgID, SenderID: m.SenderID, ReceiverIDs: m.ReceiverIDs,
			CreatTime: m.Created.Format("2006-01-02T15:04:05"), MsgType: string(m.MsgType),
		},
		Data: base64.StdEncoding.EncodeToString(m.Data),
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	e := xml.NewEncoder(&buf)
	e.Indent("", "  ")
	if err := e.Encode(v); err != nil {
		return nil, fmt.Errorf("ceb: %w", err)
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// IsDxpMsg reports whether doc's root element is a DXP DxpMsg envelope.
func IsDxpMsg(doc []byte) bool {
	d := xml.NewDecoder(bytes.NewReader(doc))
	for {
		tok, err := d.Token()
		if err != nil {
			return false
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se.Name.Space == DxpNamespace && se.Name.Local == "DxpMsg"
		}
	}
}

// DecodeDxpMsg reads an envelope and the message it carries.
func DecodeDxpMsg(doc []byte) (DxpMsg, error) {
	var v struct {
		XMLName   xml.Name `xml:"http://www.chinaport.gov.cn/dxp DxpMsg"`
		TransInfo struct {
			CopMsgID    string   `xml:"CopMsgId"`
			SenderID    string   `xml:"SenderId"`
			ReceiverIDs []string `xml:"ReceiverIds>ReceiverId"`
			CreatTime   string   `xml:"CreatTime"`
			MsgType     string   `xml:"MsgType"`
		} `xml:"TransInfo"`
		Data string `xml:"Data"`
	}
	if err := xml.Unmarshal(doc, &v); err != nil {
		return DxpMsg{}, fmt.Errorf("ceb: DxpMsg: %w", err)
	}
	data, err := base64.StdEncoding.DecodeString(string(bytes.Join(bytes.Fields([]byte(v.Data)), nil)))
	if err != nil {
		return DxpMsg{}, fmt.Errorf("ceb: DxpMsg Data is not base64: %w", err)
	}
	created, _ := time.Parse("2006-01-02T15:04:05", v.TransInfo.CreatTime)
	return DxpMsg{
		CopMsgID: v.TransInfo.CopMsgID, SenderID: v.TransInfo.SenderID, ReceiverIDs: v.TransInfo.ReceiverIDs,
		Created: created, MsgType: MsgType(v.TransInfo.MsgType), Data: data,
	}, nil
}
