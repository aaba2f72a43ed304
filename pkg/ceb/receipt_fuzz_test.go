package ceb_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/ceb/cebtest"
)

// FuzzReceiptXML builds the receipt of a declaration given as JSON (or,
// for the kind one past the declaration types, a CEB900 format receipt of
// the raw bytes) with a fuzzed status, info and time, and encodes it as
// cbec sends receipts: ceb.EncodeXML of a receipt message.
func FuzzReceiptXML(f *testing.F) {
	ms := fuzzAt.UnixMilli()
	for _, s := range jsonSeeds() {
		f.Add(s.kind, s.data, "120", "海关入库 accepted", ms)
	}
	o, _, _, _ := cebtest.Set("ORD-1")
	order, err := json.Marshal(o)
	if err != nil {
		f.Fatal(err)
	}
	k := typeIndex(ceb.CEB311)
	format := uint8(len(declarationTypes))
	for _, s := range []struct {
		kind         uint8
		data         []byte
		status, info string
		ms           int64
	}{
		{k, order, "-621005", "Order[0].OrderHead.orderNo: <&>\"' \r\n\t]]>", ms},
		{k, order, "100", "\x01\uFFFE", 0},
		{k, order, "120", "x", -62135625600001},        // 0000-12-31 23:59:59.999 in China: year 0
		{k, order, "120", "x", 253402271999999},        // 9999-12-31 23:59:59.999 in China
		{k, order, "120", "x", 253402272000000},        // year 10000 in China
		{k, order, "2", strings.Repeat("长", 1001), ms}, // returnInfo over 1000 characters
		{format, []byte("<CEB999Message/>"), "CEB999Message", "unknown message type", ms},
		{format, []byte("\xff\xfe<\x00>"), "", "not UTF-8", ms},
		{format, []byte(""), "一二三四五六七八九十一二三四五六", "", ms},
	} {
		f.Add(s.kind, s.data, s.status, s.info, s.ms)
	}
	f.Fuzz(checkReceipt)
}

// checkReceipt asserts what holds for every receipt cbec can build: it
// carries the declaration's guid, the status, the info and the time it was
// given (YYYYMMDDhhmmssSSS in China, exactly to the millisecond, whenever
// the year has four digits; and a time that cannot be written so fails
// Validate); Validate's errors name parts of the receipt message; EncodeXML
// never fails on it, and its output always parses back and encodes to the
// same bytes; a receipt message that validates comes back from its XML
// exactly, still valid.
func checkReceipt(t *testing.T, kind uint8, decl []byte, status, info string, ms int64) {
	at := time.UnixMilli(ms)
	var r ceb.Document
	if k := int(kind) % (len(declarationTypes) + 1); k == len(declarationTypes) {
		fr := ceb.NewFormatReceipt(cebtest.GUID("900", status), "MSG-1", status, decl, "-1", info, at)
		if n := utf8.RuneCountInString(fr.OriMessageType); n == 0 || n > 15 {
			t.Fatalf("oriMessageType %q has %d characters, want 1..15", fr.OriMessageType, n)
		}
		r = fr
	} else {
		typ := declarationTypes[k]
		docs, _, err := ceb.DecodeJSON(typ, decl)
		if err != nil {
			return
		}
		d := docs[0]
		r = ceb.NewReceipt(d, status, info, at)
		if r == nil || r.MsgType() != ceb.ReceiptType(typ) || r.GUID() != d.GUID() {
			t.Fatalf("NewReceipt(%s %s) = %#v", typ, d.GUID(), r)
		}
		if ceb.ReceiptStatus(r) != status {
			t.Fatalf("returnStatus %q, want %q", ceb.ReceiptStatus(r), status)
		}
	}
	if !ceb.IsReceipt(r) || ceb.ReceiptInfo(r) != info {
		t.Fatalf("receipt %#v: returnInfo %q, want %q", r, ceb.ReceiptInfo(r), info)
	}

	m := ceb.NewMessage(r.MsgType(), cebtest.GUID("receipt", status), r)
	errs := ceb.Validate(m)
	checkMessageErrors(t, m, errs)
	rt := ceb.ReceiptTime(r)
	switch y := at.In(ceb.Location).Year(); {
	case y >= 1 && y <= 9999:
		p, err := ceb.ParseReturnTime(rt)
		if err != nil || !p.Equal(at.Truncate(time.Millisecond)) {
			t.Fatalf("returnTime %q of %v reads back as %v, %v", rt, at, p, err)
		}
	case y < 0 || y > 9999:
		if !hasError(errs, ".returnTime", "") {
			t.Fatalf("returnTime %q of %v validates", rt, at)
		}
	}

	enc, err := ceb.EncodeXML(m)
	if err != nil {
		t.Fatalf("EncodeXML of a %s: %v", m.Type, err)
	}
	m2, err := ceb.DecodeXML(enc)
	if err != nil {
		t.Fatalf("the encoded %s does not parse back: %v\n%s", m.Type, err, enc)
	}
	if enc2, err := ceb.EncodeXML(m2); err != nil || !bytes.Equal(enc, enc2) {
		t.Fatalf("encoding is not stable (%v)\nfirst:  %s\nsecond: %s", err, enc, enc2)
	}
	if len(errs) > 0 {
		return
	}
	if !reflect.DeepEqual(m, m2) {
		t.Fatalf("a valid %s changed in its XML\nsent: %#v\nread: %#v", m.Type, m.Documents[0], m2.Documents[0])
	}
	if errs := ceb.Validate(m2); len(errs) > 0 {
		t.Fatalf("a valid %s is invalid once read back: %v", m.Type, errs)
	}
}

// hasError reports whether errs has one whose path ends in suffix and, if
// rule is set, with that rule.
func hasError(errs []ceb.FieldError, suffix, rule string) bool {
	for _, fe := range errs {
		if strings.HasSuffix(fe.Path, suffix) && (rule == "" || fe.Rule == rule) {
			return true
		}
	}
	return false
}
