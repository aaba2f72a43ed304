package ceb_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"unicode/utf8"

	"github.com/cbec/cbec/pkg/ceb"
)

// jsonSeed is a JSON body and the index in declarationTypes of its type.
type jsonSeed struct {
	kind uint8
	data []byte
}

// jsonSeeds are every cebtest declaration as a JSON object and as an
// array, and hand-written edge cases: amounts as numbers and exponents,
// escapes, a key in another case, null, invalid UTF-8 and characters XML
// cannot carry.
func jsonSeeds() []jsonSeed {
	type seed = jsonSeed
	var out []seed
	for _, d := range seedDeclarations() {
		b, err := json.Marshal(d)
		if err != nil {
			panic(err)
		}
		k := typeIndex(d.MsgType())
		out = append(out, seed{k, b}, seed{k, []byte("[" + string(b) + ",\n" + string(b) + "]")})
	}
	pay := typeIndex(ceb.CEB411)
	order := typeIndex(ceb.CEB311)
	out = append(out, []seed{
		{pay, []byte(`{"PaymentHead":{"guid":"AAAAAAAA-AAAA-AAAA-AAAA-AAAAAAAAAAAA","appType":"1","appTime":"20250310093000","appStatus":"2",` +
			`"payCode":"1500000003","payName":"p","payTransactionId":"T1","orderNo":"O1","ebpCode":"1500000001","ebpName":"e",` +
			`"payerIdType":"1","payerIdNumber":"130625021345225322","payerName":"张三","amountPaid":6.2623e2,"currency":"142","payTime":"20250310092500"}}`)},
		{pay, []byte(`{"PaymentHead":{"guid":"AAAAAAAA-AAAA-AAAA-AAAA-AAAAAAAAAAAA","appType":"1","appTime":"20250310093000","appStatus":"2",` +
			`"payCode":"1500000003","payName":"p\u0001\uffff","payTransactionId":"T1","orderNo":"O\ud83d\ude00","ebpCode":"1500000001","ebpName":"e",` +
			`"payerIdType":"1","payerIdNumber":"130681196205023335","payerName":"张三","amountPaid":"626.23","currency":"142","payTime":"20250310092500"}}`)},
		{pay, []byte(`{"paymenthead":{"orderNo":"O\u00e9\u0001\ud800","amountPaid":" 1e-5 "}}`)},
		{pay, []byte("{\"PaymentHead\":{\"orderNo\":\"O\xff1\",\"amountPaid\":null}}")},
		{order, []byte(`[{"OrderHead":{"goodsValue":"0.50","freight":0},"OrderList":[{"gnum":1,"price":"-0"},{"gnum":-1}]}]`)},
		{order, []byte(`{"OrderHead":{"orderNo":"a\r\nb\t"},"OrderHead":{"orderNo":"c"}}`)},
		{order, []byte(`[]`)},
		{order, []byte(`null`)},
	}...)
	return out
}

// FuzzDecodeJSON decodes any bytes as the JSON body of a submission of a
// declaration type picked by kind and validates each document, as the
// gateway's DecodeJSON does, and checks the result (checkDecodeJSON).
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range jsonSeeds() {
		f.Add(s.kind, s.data)
	}
	// Every declaration of the official samples, as the JSON a platform
	// would send for it.
	for _, b := range samples(f) {
		m, err := ceb.DecodeXML(b)
		if err != nil {
			continue
		}
		for _, d := range m.Documents {
			decl, ok := d.(ceb.Declaration)
			if !ok {
				continue
			}
			j, err := json.Marshal(decl)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(typeIndex(decl.MsgType()), j)
		}
	}
	f.Fuzz(func(t *testing.T, kind uint8, data []byte) {
		checkDecodeJSON(t, declarationTypes[int(kind)%len(declarationTypes)], data)
	})
}

// checkDecodeJSON asserts what holds for any body DecodeJSON takes: it does
// not panic; a body that is not UTF-8 is refused (an *InputError), not
// stored with U+FFFD in place of its bytes; every decoded document is of
// type typ; ValidateDocument's errors, and the repeated keys, lie below the
// document's path and carry a known rule and a message; a document
// survives json.Marshal and DecodeJSON unchanged, with the same errors but
// the repeated keys, which json.Marshal writes once; and a valid document
// means the same in CEB XML: EncodeXML then DecodeXML gives it back, still
// valid.
func checkDecodeJSON(t *testing.T, typ ceb.MsgType, data []byte) {
	docs, dups, err := ceb.DecodeJSON(typ, data)
	if err != nil {
		if docs != nil || dups != nil {
			t.Fatalf("DecodeJSON returned documents and the error %v", err)
		}
		var in *ceb.InputError
		if errors.As(err, &in) {
			checkInputError(t, in, data)
		} else if !utf8.Valid(data) {
			t.Fatalf("a body that is not UTF-8 refused without its path: %v", err)
		}
		return
	}
	if !utf8.Valid(data) {
		t.Fatalf("DecodeJSON accepted a body that is not UTF-8: %q", data)
	}
	if len(docs) == 0 {
		t.Fatal("DecodeJSON returned no documents and no error")
	}
	if len(dups) > len(docs) {
		t.Fatalf("repeated keys of %d documents, %d decoded", len(dups), len(docs))
	}
	for i, d := range dups {
		path := fmt.Sprintf("%s[%d]", typ.NodeName(), i)
		checkDocumentErrors(t, path, d)
		for _, fe := range d {
			if fe.Rule != "duplicate" {
				t.Fatalf("repeated key with rule %q: %+v", fe.Rule, fe)
			}
		}
	}
	// encoding/json writes U+FFFD for a lone surrogate escape ("\ud800"):
	// a U+FFFD in a document must have been sent as one.
	sent := bytes.Contains(data, []byte("\uFFFD")) || bytes.Contains(bytes.ToLower(data), []byte(`\ufffd`))
	for i, d := range docs {
		if d == nil || reflect.ValueOf(d).IsNil() || d.MsgType() != typ {
			t.Fatalf("document %d of a %s body is %#v", i, typ, d)
		}
		path := fmt.Sprintf("%s[%d]", typ.NodeName(), i)
		errs := ceb.ValidateDocument(d, path)
		checkDocumentErrors(t, path, errs)

		b := mustJSON(t, d)
		if !sent && (bytes.Contains(b, []byte("\uFFFD")) || bytes.Contains(b, []byte(`\ufffd`))) {
			t.Fatalf("DecodeJSON stored U+FFFD that the body did not hold: %q", data)
		}
		back, dups, err := ceb.DecodeJSON(typ, b)
		if err != nil || len(back) != 1 || dups != nil {
			t.Fatalf("DecodeJSON(json.Marshal(d)): %d documents, repeated keys %v, %v\n%s", len(back), dups, err, b)
		}
		if b2 := mustJSON(t, back[0]); !bytes.Equal(b, b2) {
			t.Fatalf("the JSON round trip changed the document\nbefore: %s\nafter:  %s", b, b2)
		}
		if errs2 := ceb.ValidateDocument(back[0], path); !reflect.DeepEqual(errs, errs2) {
			t.Fatalf("the JSON round trip changed the validation errors\nbefore: %v\nafter:  %v", errs, errs2)
		}
		if len(errs) > 0 {
			continue
		}
		checkText(t, path, reflect.ValueOf(d))
		enc, err := ceb.EncodeXML(ceb.NewMessage(typ, "G", d))
		if err != nil {
			t.Fatalf("EncodeXML of a valid %s: %v", typ, err)
		}
		m, err := ceb.DecodeXML(enc)
		if err != nil || len(m.Documents) != 1 {
			t.Fatalf("DecodeXML(EncodeXML(valid %s)): %v\n%s", typ, err, enc)
		}
		if x := mustJSON(t, m.Documents[0]); !bytes.Equal(b, x) {
			t.Fatalf("a valid document changed in CEB XML\nJSON: %s\nXML:  %s", b, x)
		}
		if errs := ceb.ValidateDocument(m.Documents[0], path); len(errs) > 0 {
			t.Fatalf("a valid document is invalid in CEB XML: %v", errs)
		}
	}
}

// TestJSONTextXMLCannotCarry pins the fixes of what the fuzz targets
// found: DecodeJSON refuses a body that is not UTF-8 or escapes a lone
// surrogate (encoding/json would store U+FFFD), and ValidateDocument fails
// text XML cannot carry at the element's path: rule utf8, control or
// xmlchar.
func TestJSONTextXMLCannotCarry(t *testing.T) {
	for _, body := range []string{
		"{\"PaymentHead\":{\"orderNo\":\"O\xff1\"}}",
		`{"PaymentHead":{"orderNo":"O\ud800"}}`,
		`{"PaymentHead":{"orderNo":"O\udc00\ud800"}}`,
		`[{"PaymentHead":{}}, {"PaymentHead":{"orderNo":"\ud83d\u0041"}}]`,
	} {
		if _, _, err := ceb.DecodeJSON(ceb.CEB411, []byte(body)); err == nil {
			t.Errorf("DecodeJSON(%q) succeeded", body)
		}
	}
	for _, body := range []string{`{"PaymentHead":{"orderNo":"\\ud800 \ud83d\ude00"}}`, `{"PaymentHead":{"orderNo":"\uFFFD"}}`} {
		if _, _, err := ceb.DecodeJSON(ceb.CEB411, []byte(body)); err != nil {
			t.Errorf("DecodeJSON(%q): %v", body, err)
		}
	}

	_, p, _, _ := set()
	for text, want := range map[string][2]string{
		"\x01":     {"control", "payerName must not contain U+0001"},
		"张\uFFFE":  {"xmlchar", "payerName must not contain U+FFFE"},
		"张\xe6":    {"utf8", "payerName is not UTF-8 text"},
		"a\r\n\tb": {"control", "payerName must not contain U+000D"},
		"a\u0085":  {"control", "payerName must not contain U+0085"},
		"a\x7f":    {"control", "payerName must not contain U+007F"},
		"a\n\tb":   {},
	} {
		p.PaymentHead.PayerName = text
		errs := ceb.ValidateDocument(p, "Payment[0]")
		if want[0] == "" {
			if len(errs) > 0 {
				t.Errorf("payerName %q: %v", text, errs)
			}
			continue
		}
		if e := wantError(t, errs, "Payment[0].PaymentHead.payerName", want[0]); e.Message != want[1] {
			t.Errorf("payerName %q: message %q, want %q", text, e.Message, want[1])
		}
	}
	o, _, _, _ := set()
	o.OrderList[1].ItemName = "\x00"
	wantError(t, ceb.ValidateDocument(o, "Order[3]"), "Order[3].OrderList[1].itemName", "control")
}
