package ceb_test

import (
	"bytes"
	"encoding/xml"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/cbec/cbec/pkg/ceb"
)

// samples returns the official samples by "import/CEB311Message.xml"-style
// names.
func samples(t testing.TB) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, sc := range schemas {
		files, err := filepath.Glob(filepath.Join(sharedDir(t), "ceb", "samples", sc.name, "*.xml"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no %s samples: %v", sc.name, err)
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			out[sc.name+"/"+filepath.Base(f)] = b
		}
	}
	return out
}

// schemaInvalidSamples are the official samples that fail their own XSD,
// and why. The codec still reads them; what it writes back is valid.
var schemaInvalidSamples = map[string]string{
	"export/CEB303Message.xml": "BaseTransfer twice",
	"export/CEB403Message.xml": "BaseTransfer twice",
	"export/CEB505Message.xml": "BaseTransfer twice",
	"export/CEB507Message.xml": "BaseTransfer twice",
	"export/CEB509Message.xml": "BaseTransfer twice",
	"export/CEB603Message.xml": "BaseTransfer twice",
	"export/CEB605Message.xml": "BaseTransfer twice",
	"export/CEB607Message.xml": "BaseTransfer twice (type not modelled)",
	"export/CEB792Message.xml": "SummaryResultList lacks the required gseqno",
	"export/CEB214Message.xml": "root element CEB214, not CEB214Message (type not modelled)",
}

// TestSamplesAgainstXSD pins which official samples are schema-valid, so
// that the exceptions listed in schemaInvalidSamples stay true.
func TestSamplesAgainstXSD(t *testing.T) {
	for name, data := range samples(t) {
		t.Run(name, func(t *testing.T) {
			xsd, _, _ := strings.Cut(name, "/")
			out, err := runXmllint(t, xsd, filepath.Base(name), data)
			if why, bad := schemaInvalidSamples[name]; bad {
				if err == nil {
					t.Errorf("listed as invalid (%s) but validates", why)
				}
				return
			}
			if err != nil {
				t.Errorf("does not validate against %s.xsd: %v\n%s", xsd, err, out)
			}
		})
	}
}

// TestSampleRoundTrip decodes every official sample the package models,
// encodes it, decodes it again and expects the same Message, and the same
// bytes when encoded again; the encoded form must also pass the XSD, even
// where the sample does not (a repeated BaseTransfer is written once,
// CEB792 list elements in XSD order). Samples of types the package does
// not model (CEB513/514/711/712, CEB213-216/607/608) must be refused, not
// half-read.
func TestSampleRoundTrip(t *testing.T) {
	covered := map[ceb.MsgType]bool{}
	for name, data := range samples(t) {
		t.Run(name, func(t *testing.T) {
			root := strings.TrimSpace(strings.SplitN(filepath.Base(name), ".", 2)[0])
			typ, ok := ceb.MsgTypeOf(root)
			m1, err := ceb.DecodeXML(data)
			if !ok {
				if err == nil {
					t.Fatalf("DecodeXML accepted unmodelled %s", root)
				}
				return
			}
			if err != nil {
				t.Fatalf("DecodeXML: %v", err)
			}
			if m1.Type != typ || len(m1.Documents) == 0 || m1.GUID == "" || m1.Version == "" {
				t.Fatalf("decoded %s with %d documents, guid %q, version %q", m1.Type, len(m1.Documents), m1.GUID, m1.Version)
			}
			if typ.IsDeclaration() && (m1.BaseTransfer == nil || len(m1.Signature) == 0) {
				t.Fatalf("BaseTransfer or Signature lost: %+v", m1)
			}
			enc := encode(t, m1)
			m2, err := ceb.DecodeXML(enc)
			if err != nil {
				t.Fatalf("DecodeXML(EncodeXML): %v\n%s", err, enc)
			}
			if !reflect.DeepEqual(m1, m2) {
				t.Fatalf("round trip changed the message\nfirst:  %+v\nsecond: %+v", m1, m2)
			}
			if enc2 := encode(t, m2); !bytes.Equal(enc, enc2) {
				t.Fatal("encoding is not stable")
			}
			got := leafValues(enc)
			for v := range leafValues(bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))) {
				if !got[v] {
					t.Errorf("sample value %s lost in the round trip", v)
				}
			}
			covered[typ] = true // before xmllint, which skips without the tool
			xmllint(t, typ, root+".xml", enc)
		})
	}
	for _, typ := range ceb.MsgTypes() {
		if typ != ceb.CEB900 && !covered[typ] {
			t.Errorf("no official sample exercised %s", typ)
		}
	}
}

// leafValues returns the set of "path=text" of every element of data with
// text content outside ds:Signature, by local names from the root, so that
// a sample and its encoding can be compared: an element the codec does not
// model would be dropped silently by encoding/xml. Empty optional elements
// (<loctNo/>) are not written back and not collected.
func leafValues(data []byte) map[string]bool {
	d := xml.NewDecoder(bytes.NewReader(data))
	out := map[string]bool{}
	var path []string
	var text strings.Builder
	for {
		tok, err := d.Token()
		if err != nil {
			return out
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if tok.Name.Space == ceb.DSigNamespace {
				_ = d.Skip()
				continue
			}
			path = append(path, tok.Name.Local)
			text.Reset()
		case xml.CharData:
			text.Write(tok)
		case xml.EndElement:
			if v := strings.TrimSpace(text.String()); v != "" {
				out[strings.Join(path, "/")+"="+v] = true
			}
			text.Reset()
			path = path[:len(path)-1]
		}
	}
}

// TestFixturesValidateAgainstXSD checks what the encoder emits for valid
// documents: the six declarations from cebtest, the six receipts built by
// NewReceipt, and a CEB900 format receipt.
func TestFixturesValidateAgainstXSD(t *testing.T) {
	for typ, m := range fixtures(t) {
		t.Run(string(typ), func(t *testing.T) {
			enc := encode(t, m)
			xmllint(t, typ, typ.RootName()+".xml", enc)
			back, err := ceb.DecodeXML(enc)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(m, back) {
				t.Fatalf("round trip changed the fixture\nwant %+v\ngot  %+v", m, back)
			}
		})
	}
}

func TestEncodeXMLShape(t *testing.T) {
	m := fixtures(t)[ceb.CEB311]
	enc := string(encode(t, m))
	for _, want := range []string{
		`<?xml version="1.0" encoding="UTF-8"?>`,
		`<CEB311Message xmlns="http://www.chinaport.gov.cn/ceb" guid="` + m.GUID + `" version="1.0">`,
		`<goodsValue>564.00</goodsValue>`,
		`<discount>0</discount>`,
	} {
		if !strings.Contains(enc, want) {
			t.Errorf("encoded message lacks %q", want)
		}
	}
	if strings.Contains(enc, "<note>") || strings.Contains(enc, "<batchNumbers>") {
		t.Error("unset optional elements were emitted")
	}
	if i, j := strings.Index(enc, "</Order>"), strings.Index(enc, "<BaseTransfer>"); i < 0 || j < i {
		t.Error("BaseTransfer must follow the business nodes")
	}
}

func TestEncodeXMLErrors(t *testing.T) {
	fx := fixtures(t)
	for name, m := range map[string]*ceb.Message{
		"nil":          nil,
		"unknown type": {Type: "CEB999", GUID: "x", Version: "1.0"},
		"wrong node":   {Type: ceb.CEB311, GUID: "x", Version: "1.0", Documents: fx[ceb.CEB411].Documents},
		"receipt with BaseTransfer": {Type: ceb.CEB312, GUID: "x", Version: "1.0",
			Documents: fx[ceb.CEB312].Documents, BaseTransfer: fx[ceb.CEB311].BaseTransfer},
	} {
		if _, err := ceb.EncodeXML(m); err == nil {
			t.Errorf("%s: EncodeXML succeeded", name)
		}
	}
}

func TestDecodeXMLNamespaces(t *testing.T) {
	const body = `<Order><OrderHead><guid>G</guid></OrderHead></Order>`
	ok := map[string]string{
		"default namespace": `<CEB311Message xmlns="http://www.chinaport.gov.cn/ceb" guid="g" version="1.0">` + body + `</CEB311Message>`,
		"ceb prefix": `<ceb:CEB311Message xmlns:ceb="http://www.chinaport.gov.cn/ceb" guid="g" version="1.0">` +
			`<ceb:Order><ceb:OrderHead><ceb:guid>G</ceb:guid></ceb:OrderHead></ceb:Order></ceb:CEB311Message>`,
		"BOM and declaration": "\uFEFF<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" +
			`<CEB311Message xmlns="http://www.chinaport.gov.cn/ceb" guid="g" version="1.0">` + body + `</CEB311Message>`,
	}
	for name, doc := range ok {
		m, err := ceb.DecodeXML([]byte(doc))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if m.Type != ceb.CEB311 || m.GUID != "g" || len(m.Documents) != 1 || m.Documents[0].GUID() != "G" {
			t.Errorf("%s: decoded %+v", name, m)
		}
	}

	bad := map[string]struct{ doc, want string }{
		"no namespace":    {`<CEB311Message guid="g" version="1.0">` + body + `</CEB311Message>`, "namespace"},
		"wrong namespace": {`<CEB311Message xmlns="urn:other" guid="g" version="1.0">` + body + `</CEB311Message>`, "namespace"},
		"unknown root":    {`<CEB513Message xmlns="http://www.chinaport.gov.cn/ceb"/>`, "unknown root"},
		"not CEB":         {`<html/>`, "unknown root"},
		"unknown child":   {`<CEB311Message xmlns="http://www.chinaport.gov.cn/ceb" guid="g" version="1.0"><Payment/></CEB311Message>`, "unexpected element"},
		"receipt with BaseTransfer": {`<CEB312Message xmlns="http://www.chinaport.gov.cn/ceb" guid="g" version="1.0">` +
			`<OrderReturn/><BaseTransfer/></CEB312Message>`, "unexpected element"},
		"bad amount":      {`<CEB311Message xmlns="http://www.chinaport.gov.cn/ceb" guid="g" version="1.0"><Order><OrderHead><goodsValue>1,5</goodsValue></OrderHead></Order></CEB311Message>`, "goodsValue"},
		"not closed":      {`<CEB311Message xmlns="http://www.chinaport.gov.cn/ceb" guid="g" version="1.0">` + body, ""},
		"two roots":       {`<CEB311Message xmlns="http://www.chinaport.gov.cn/ceb" guid="g" version="1.0"/><CEB311Message xmlns="http://www.chinaport.gov.cn/ceb"/>`, "second root"},
		"empty":           {``, "no root"},
		"text in root":    {`<CEB311Message xmlns="http://www.chinaport.gov.cn/ceb" guid="g" version="1.0">hello</CEB311Message>`, "text"},
		"not well-formed": {`<CEB311Message xmlns="http://www.chinaport.gov.cn/ceb"><Order></CEB311Message>`, ""},
	}
	for name, c := range bad {
		_, err := ceb.DecodeXML([]byte(c.doc))
		if err == nil {
			t.Errorf("%s: DecodeXML succeeded", name)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q does not mention %q", name, err, c.want)
		}
	}
}

// TestSignatureKeptRaw checks that ds:Signature survives byte for byte,
// and that a signature whose prefix is declared on the root is made
// self-contained so the re-encoded message stays namespace-correct.
func TestSignatureKeptRaw(t *testing.T) {
	m := fixtures(t)[ceb.CEB621]
	enc := encode(t, m)
	if !bytes.Contains(enc, m.Signature) {
		t.Fatal("signature not emitted verbatim")
	}

	sig := `<ds:Signature><ds:SignedInfo/></ds:Signature>`
	doc := `<ceb:CEB311Message xmlns:ceb="http://www.chinaport.gov.cn/ceb" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" guid="g" version="1.0">` +
		`<ceb:Order/>` + sig + `</ceb:CEB311Message>`
	got, err := ceb.DecodeXML([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	want := `<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo/></ds:Signature>`
	if string(got.Signature) != want {
		t.Fatalf("signature = %s, want %s", got.Signature, want)
	}
	again, err := ceb.DecodeXML(encode(t, got))
	if err != nil || string(again.Signature) != want {
		t.Fatalf("re-decoded signature = %s, %v", again.Signature, err)
	}
}
