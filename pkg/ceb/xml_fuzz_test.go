package ceb_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/ceb/cebtest"
	"github.com/shopspring/decimal"
)

// The fuzz targets of this package (run one with
// go test -run '^$' -fuzz '^FuzzDecodeXML$' -fuzztime 1h ./pkg/ceb):
//
//   - FuzzDecodeXML: DecodeXML then Validate, as the gateway chains them.
//   - FuzzDecodeJSON (json_fuzz_test.go): DecodeJSON then ValidateDocument.
//   - FuzzReceiptXML (receipt_fuzz_test.go): NewReceipt then EncodeXML.
//
// Their seeds are the cebtest documents and hand-written edge cases;
// TestFuzzPropertiesOnSamples runs the same property checks over every
// official sample, found by the package's samples helper. Every input the
// fuzzer finds failing is kept in testdata/fuzz/<FuzzName>/ and so runs in
// every plain go test.

// fieldRules are the rules a FieldError may carry: those FieldError.Rule
// documents, and "invalid", structErrors' fallback.
var fieldRules = map[string]bool{
	"required": true, "required_with": true, "max": true, "min": true, "len": true, "eq": true,
	"oneof": true, "gtefield": true, "amount": true, "datetime14": true, "date8": true,
	"datetime17": true, "type": true, "excluded": true, "xmlchar": true, "invalid": true,
	"utf8": true, "control": true, "duplicate": true,
}

// seedDeclarations are one valid declaration of every inbound type, from
// cebtest.
func seedDeclarations() []ceb.Declaration {
	const orderNo = "ORD-20250310-0001"
	o, p, l, i := cebtest.Set(orderNo)
	invtNo := cebtest.InvtNo(orderNo)
	eo, er, el, ei := cebtest.ExportSet(orderNo)
	eInvtNo := cebtest.ExportInvtNo(orderNo)
	return []ceb.Declaration{o, p, l, i, cebtest.Cancel(i, invtNo), cebtest.Refund(i, invtNo),
		eo, er, el, cebtest.Arrival(el), cebtest.Departure(el), ei, cebtest.ExportCancel(ei, eInvtNo),
		cebtest.SummaryApply(eInvtNo)}
}

// declarationTypes are the inbound message types, in MsgTypes order; a
// fuzzed byte picks one.
var declarationTypes = func() []ceb.MsgType {
	var ts []ceb.MsgType
	for _, t := range ceb.MsgTypes() {
		if t.IsDeclaration() {
			ts = append(ts, t)
		}
	}
	return ts
}()

// typeIndex is the index of t in declarationTypes, for seeds.
func typeIndex(t ceb.MsgType) uint8 {
	for i, d := range declarationTypes {
		if d == t {
			return uint8(i)
		}
	}
	panic("not a declaration type: " + string(t))
}

// fuzzAt is the seeds' receipt time, 2025-03-10 10:00:00.123 in China.
var fuzzAt = time.Date(2025, 3, 10, 2, 0, 0, 123_000_000, time.UTC)

// xmlSeeds are the encoded cebtest messages (every declaration and its
// receipt, signed where the XSD wants it, a CEB900 and a CEB792) and
// hand-written edge cases of the envelope the official samples also show:
// the ceb: prefix, a BOM, a signature declared on the root, a repeated
// BaseTransfer.
func xmlSeeds() [][]byte {
	var out [][]byte
	add := func(m *ceb.Message) {
		b, err := ceb.EncodeXML(m)
		if err != nil {
			panic(err)
		}
		out = append(out, b)
	}
	for _, d := range seedDeclarations() {
		m := cebtest.Message(d)
		m.Signature = cebtest.Signature
		add(m)
		add(cebtest.Message(ceb.NewReceipt(d, "120", "海关入库 accepted", fuzzAt)))
	}
	add(cebtest.Message(ceb.NewFormatReceipt(cebtest.GUID("900"), "MSG-1", "CEB999Message", []byte("<CEB999Message/>"), "-1", "unknown message type", fuzzAt)))
	_, _, _, ei := cebtest.ExportSet("ORD-1")
	add(cebtest.Message(cebtest.SummaryResult(ei, cebtest.ExportInvtNo("ORD-1"))))

	const ns = `xmlns:ceb="http://www.chinaport.gov.cn/ceb"`
	const bt = `<ceb:BaseTransfer><ceb:copCode>1105910159</ceb:copCode><ceb:copName>测试</ceb:copName><ceb:dxpMode>DXP</ceb:dxpMode><ceb:dxpId>DXPENT0000000001</ceb:dxpId></ceb:BaseTransfer>`
	for _, s := range []string{
		"\uFEFF<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ceb:CEB411Message guid=\"4CDE1CFD-EDED-46B1-946C-B8022E42FC94\" version=\"1.0\" " + ns + ">\n" +
			"\t<ceb:Payment><ceb:PaymentHead><ceb:guid>4CDE1CFD-EDED-46B1-946C-B8022E42FC94</ceb:guid><ceb:amountPaid> 1e3 </ceb:amountPaid><ceb:payerIdNumber>130625021345225322</ceb:payerIdNumber></ceb:PaymentHead></ceb:Payment>\n" +
			bt + bt + "\n</ceb:CEB411Message>\n<!-- trailing comment -->",
		`<ceb:CEB311Message ` + ns + ` xmlns:ds="http://www.w3.org/2000/09/xmldsig#" guid="g" version="1.0"><ceb:Order/>` +
			`<ds:Signature Id="a&gt;b"><ds:SignedInfo><!-- c --></ds:SignedInfo></ds:Signature></ceb:CEB311Message>`,
		`<CEB311Message xmlns="http://www.chinaport.gov.cn/ceb" guid="g" version="1.0"><Order><OrderHead><orderNo> a&#xD;&#xA;b </orderNo><goodsValue>0.50</goodsValue></OrderHead>` +
			`<OrderList><gnum>1</gnum><price>-0</price></OrderList></Order><ExtendMessage><name>n</name><version>1</version><Message><x:y xmlns:x="urn:x">t</x:y></Message></ExtendMessage></CEB311Message>`,
		`<CEB621Message xmlns="http://www.chinaport.gov.cn/ceb" guid="g" version="1.0"><Inventory><![CDATA[]]></Inventory><BaseSubscribe><status>ALL</status></BaseSubscribe></CEB621Message>`,
		`<CEB312Message xmlns="http://www.chinaport.gov.cn/ceb" guid="g" version="1.0"><OrderReturn><returnTime>20250310100000123</returnTime></OrderReturn></CEB312Message>`,
		"<CEB311Message xmlns=\"http://www.chinaport.gov.cn/ceb\" guid=\"g\" version=\"1.0\"><Order/><ExtendMessage><name>n</name><version>1</version>" +
			"<Message><!-- \xff --><?pi \xfe?></Message></ExtendMessage>" +
			"<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"><!-- \xff\x01 --></ds:Signature></CEB311Message>",
		"<CEB311Message xmlns=\"http://www.chinaport.gov.cn/ceb\" guid=\"g\" version=\"1.0\"><Order/><ExtendMessage><name>n</name><version>1</version>" +
			"<Message><!-- \x01 \uFFFE --></Message></ExtendMessage></CEB311Message>",
		`<CEB311Message xmlns="http://www.chinaport.gov.cn/ceb"/>`,
		// Strict input: repeated single elements, in a document and in the
		// envelope, control characters by reference, an attribute twice.
		`<CEB311Message xmlns="http://www.chinaport.gov.cn/ceb" guid="g" version="1.0"><Order><OrderHead><orderNo>a&#13;</orderNo><orderNo>b&#127;</orderNo></OrderHead>` +
			`<OrderHead/><OrderList><qty>1</qty><qty>2</qty></OrderList><OrderList/></Order>` +
			`<BaseTransfer><copCode>1</copCode></BaseTransfer><BaseTransfer><copCode>1</copCode><copCode>2</copCode></BaseTransfer></CEB311Message>`,
		`<CEB311Message xmlns="http://www.chinaport.gov.cn/ceb" guid="g" guid="h" version="1.0"><Order><OrderHead><note>&#1;</note></OrderHead></Order></CEB311Message>`,
		``,
	} {
		out = append(out, []byte(s))
	}
	return out
}

// FuzzDecodeXML decodes any bytes as a CEB message and validates it, as
// the gateway's DecodeMessage does, and checks the result (checkDecodeXML).
func FuzzDecodeXML(f *testing.F) {
	for _, s := range xmlSeeds() {
		f.Add(s)
	}
	for _, b := range samples(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDecodeXML(t, data)
	})
}

// checkDecodeXML asserts what holds for any input of DecodeXML: it does
// not panic; a decoded message has its own type's documents and only valid
// UTF-8 text (encoding/xml rejects anything else, so nothing is replaced
// silently); Validate's errors each carry a known rule, a message and a
// path that names a part of the message (a document path with the index
// of an existing document); a refusal for its characters (*InputError)
// does too, or names none; and the message survives EncodeXML and
// DecodeXML unchanged, with the same validation errors but for the
// repeated elements (rule duplicate), which it writes once, encoding to
// the same bytes again.
func checkDecodeXML(t *testing.T, data []byte) {
	m, err := ceb.DecodeXML(data)
	if err != nil {
		if m != nil {
			t.Fatalf("DecodeXML returned a message and the error %v", err)
		}
		var in *ceb.InputError
		if errors.As(err, &in) {
			checkInputError(t, in, data)
		} else if !utf8.Valid(bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))) {
			t.Fatalf("a body that is not UTF-8 refused without its path: %v", err)
		}
		return
	}
	if m == nil || !m.Type.Known() {
		t.Fatalf("DecodeXML returned %+v without error", m)
	}
	for i, d := range m.Documents {
		if d == nil || reflect.ValueOf(d).IsNil() || d.MsgType() != m.Type {
			t.Fatalf("document %d of a %s is %#v", i, m.Type, d)
		}
	}
	checkText(t, "message", reflect.ValueOf(m))
	errs := ceb.Validate(m)
	checkMessageErrors(t, m, errs)

	enc, err := ceb.EncodeXML(m)
	if err != nil {
		t.Fatalf("EncodeXML of a decoded %s: %v", m.Type, err)
	}
	m2, err := ceb.DecodeXML(enc)
	if err != nil {
		t.Fatalf("DecodeXML(EncodeXML(m)): %v\n%s", err, enc)
	}
	if j1, j2 := mustJSON(t, m), mustJSON(t, m2); !bytes.Equal(j1, j2) {
		t.Fatalf("the round trip changed the message\nbefore: %s\nafter:  %s", j1, j2)
	}
	if enc2, err := ceb.EncodeXML(m2); err != nil || !bytes.Equal(enc, enc2) {
		t.Fatalf("encoding is not stable (%v)\nfirst:  %s\nsecond: %s", err, enc, enc2)
	}
	if errs2 := ceb.Validate(m2); !reflect.DeepEqual(withoutDuplicates(errs), errs2) {
		t.Fatalf("the round trip changed the validation errors\nbefore: %v\nafter:  %v", errs, errs2)
	}
}

// withoutDuplicates is errs without rule duplicate, or nil.
func withoutDuplicates(errs []ceb.FieldError) []ceb.FieldError {
	var out []ceb.FieldError
	for _, fe := range errs {
		if fe.Rule != "duplicate" {
			out = append(out, fe)
		}
	}
	return out
}

// checkInputError checks a refusal of the body data for its characters: a
// rule of the text, a message, a path that is empty or names an element,
// and an offset in data.
func checkInputError(t *testing.T, in *ceb.InputError, data []byte) {
	t.Helper()
	switch in.Err.Rule {
	case "utf8", "control", "xmlchar":
	default:
		t.Fatalf("input error with rule %q: %v", in.Err.Rule, in)
	}
	if in.Err.Message == "" || !utf8.ValidString(in.Err.Path) || !utf8.ValidString(in.Err.Message) {
		t.Fatalf("input error without a UTF-8 message and path: %q", in.Err)
	}
	if in.Offset < 0 || in.Offset > len(data) {
		t.Fatalf("input error at byte %d of %d", in.Offset, len(data))
	}
}

// checkMessageErrors checks Validate's errors for m: each names a part of
// the message (guid, version, a document or the list of them, an envelope
// part), a document by the index of one m has, and carries a known rule
// and a message.
func checkMessageErrors(t *testing.T, m *ceb.Message, errs []ceb.FieldError) {
	t.Helper()
	node := m.Type.NodeName()
	for _, fe := range errs {
		checkFieldError(t, fe)
		head := fe.Path
		if i := strings.IndexAny(head, ".["); i >= 0 {
			head = head[:i]
		}
		switch head {
		case "guid", "version", "BaseTransfer", "BaseSubscribe", "ExtendMessage", "Signature":
		case node:
			if rest, ok := strings.CutPrefix(fe.Path, node+"["); ok {
				n, _, _ := strings.Cut(rest, "]")
				if i, err := strconv.Atoi(n); err != nil || i < 0 || i >= len(m.Documents) {
					t.Fatalf("error %+v names no document of the %d", fe, len(m.Documents))
				}
			}
		default:
			t.Fatalf("error %+v names no part of a %s", fe, m.Type)
		}
	}
}

// checkDocumentErrors checks ValidateDocument's errors for the document at
// path: each lies below path and carries a known rule and a message.
func checkDocumentErrors(t *testing.T, path string, errs []ceb.FieldError) {
	t.Helper()
	for _, fe := range errs {
		checkFieldError(t, fe)
		if fe.Path != path && !strings.HasPrefix(fe.Path, path+".") {
			t.Fatalf("error %+v is not below %s", fe, path)
		}
	}
}

func checkFieldError(t *testing.T, fe ceb.FieldError) {
	t.Helper()
	if fe.Path == "" || !fieldRules[fe.Rule] || fe.Message == "" {
		t.Fatalf("error without a path, a known rule or a message: %+v", fe)
	}
	if !utf8.ValidString(fe.Path) || !utf8.ValidString(fe.Message) {
		t.Fatalf("error text is not UTF-8: %q", fe)
	}
}

var decimalType = reflect.TypeFor[decimal.Decimal]()

// checkText fails the test when any string or byte slice reachable from v
// is not valid UTF-8, or any string holds a character XML 1.0 cannot carry
// (which EncodeXML would write as U+FFFD).
func checkText(t *testing.T, path string, v reflect.Value) {
	t.Helper()
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			checkText(t, path, v.Elem())
		}
	case reflect.Struct:
		if v.Type() == decimalType {
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				checkText(t, path+"."+v.Type().Field(i).Name, v.Field(i))
			}
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			if !utf8.Valid(v.Bytes()) {
				t.Fatalf("%s is not UTF-8: %q", path, v.Bytes())
			}
			return
		}
		for i := 0; i < v.Len(); i++ {
			checkText(t, fmt.Sprintf("%s[%d]", path, i), v.Index(i))
		}
	case reflect.String:
		s := v.String()
		if !utf8.ValidString(s) {
			t.Fatalf("%s is not UTF-8: %q", path, s)
		}
		for _, r := range s {
			if !xmlChar(r) {
				t.Fatalf("%s holds %U, which XML cannot carry: %q", path, r, s)
			}
		}
	}
}

// xmlChar reports whether XML 1.0 allows r in text (the Char production).
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("json.Marshal: %v", err)
	}
	return b
}

// TestFuzzPropertiesOnSamples runs the fuzz targets' checks over every
// official sample: the XML checks on each file, and the JSON and receipt
// checks on each declaration a sample holds.
func TestFuzzPropertiesOnSamples(t *testing.T) {
	for name, data := range samples(t) {
		t.Run(name, func(t *testing.T) {
			checkDecodeXML(t, data)
			m, err := ceb.DecodeXML(data)
			if err != nil || !m.Type.IsDeclaration() {
				return
			}
			for _, d := range m.Documents {
				b := mustJSON(t, d)
				checkDecodeJSON(t, m.Type, b)
				checkReceipt(t, typeIndex(m.Type), b, "120", "海关入库 accepted", fuzzAt.UnixMilli())
			}
		})
	}
}

// TestDecodeXMLRefusesWhatXMLCannotCarry pins the fix of what
// FuzzDecodeXML's seeds found: encoding/xml does not check comments and
// processing instructions, which the signature and ExtendMessage keep raw,
// so DecodeXML checks every character itself.
func TestDecodeXMLRefusesWhatXMLCannotCarry(t *testing.T) {
	const head = `<CEB311Message xmlns="http://www.chinaport.gov.cn/ceb" guid="g" version="1.0"><Order/>`
	const ext = `<ExtendMessage><name>n</name><version>1</version><Message>%s</Message></ExtendMessage>`
	const sig = `<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">%s</ds:Signature>`
	for _, doc := range []string{
		head + fmt.Sprintf(ext, "<!-- \xff -->") + `</CEB311Message>`,
		head + fmt.Sprintf(ext, "<?pi \x01?>") + `</CEB311Message>`,
		head + fmt.Sprintf(sig, "<!-- \uFFFF -->") + `</CEB311Message>`,
		head + `</CEB311Message><!-- ` + "\x00" + ` -->`,
	} {
		if _, err := ceb.DecodeXML([]byte(doc)); err == nil {
			t.Errorf("DecodeXML(%q) succeeded", doc)
		}
	}
	m, err := ceb.DecodeXML([]byte(head + fmt.Sprintf(ext, "<!-- 注\t\r\n -->") + `</CEB311Message>`))
	if err != nil || m.ExtendMessage == nil {
		t.Fatalf("DecodeXML: %v", err)
	}
}
