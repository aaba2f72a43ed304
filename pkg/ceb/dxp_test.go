package ceb_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/cbec/cbec/pkg/ceb"
)

func TestDxpMsgRoundTripsAndValidatesAgainstTerminalXSD(t *testing.T) {
	inner := []byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<CEB312Message/>\n")
	m := ceb.DxpMsg{CopMsgID: "6F0A8E9C-2C41-4D5A-9E1B-0C6B2B0F5A11", SenderID: "CBEC8001", ReceiverIDs: []string{"1500000001"},
		Created: time.Date(2026, 11, 11, 10, 0, 0, 0, time.UTC), MsgType: ceb.CEB312, Data: inner}
	b, err := ceb.EncodeDxpMsg(m)
	if err != nil {
		t.Fatal(err)
	}
	if !ceb.IsDxpMsg(b) || ceb.IsDxpMsg(inner) {
		t.Fatal("IsDxpMsg")
	}
	got, err := ceb.DecodeDxpMsg(b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Data, inner) || got.MsgType != ceb.CEB312 || got.CopMsgID != m.CopMsgID || !got.Created.Equal(m.Created) || got.ReceiverIDs[0] != "1500000001" {
		t.Fatalf("round trip: %+v", got)
	}
	for _, bad := range []ceb.DxpMsg{
		{SenderID: "x", ReceiverIDs: []string{"y"}},
		{CopMsgID: "x", SenderID: "12345678901234567", ReceiverIDs: []string{"y"}},
		{CopMsgID: "x", SenderID: "x"},
		{CopMsgID: "x", SenderID: "x", ReceiverIDs: []string{"12345678901234567"}},
	} {
		if _, err := ceb.EncodeDxpMsg(bad); err == nil {
			t.Errorf("%+v: want an error", bad)
		}
	}
	if out, err := runXmllint(t, "terminal", "dxp.xml", b); err != nil {
		t.Fatalf("terminal.xsd: %v\n%s", err, out)
	}
}
