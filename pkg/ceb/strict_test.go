package ceb_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/ceb/cebtest"
)

// strictXML is a valid CEB311 of two orders whose second order carries
// markers to replace: MARK-NO (orderNo), MARK-NOTE (note), MARK-ITEM (the
// itemName of its second line); BaseTransfer's note is MARK-BT.
func strictXML(t *testing.T) string {
	t.Helper()
	o1, _, _, _ := cebtest.Set("STRICT-1")
	o2, _, _, _ := cebtest.Set("MARK-NO")
	o2.OrderHead.Note = "MARK-NOTE"
	o2.OrderList[1].ItemName = "MARK-ITEM"
	m := cebtest.Message(o1, o2)
	m.BaseTransfer.Note = "MARK-BT"
	if errs := ceb.Validate(m); errs != nil {
		t.Fatalf("base message invalid: %v", errs)
	}
	return string(encode(t, m))
}

// TestStrictXML holds DecodeXML and Validate to the strict input rules
// (strict.go): each case edits the base message once and expects either a
// refusal of the whole body (an *InputError) or one validation error, each
// with its path and rule.
func TestStrictXML(t *testing.T) {
	base := strictXML(t)
	const bt = "<BaseTransfer>"
	cases := []struct {
		name     string
		old, new string
		// refused: DecodeXML fails with an *InputError at path with rule;
		// otherwise Validate reports exactly one error at path with rule
		// (none when path is "").
		refused    bool
		path, rule string
	}{
		{"not UTF-8", "MARK-NO", "MARK\xff", true, "Order[1].OrderHead.orderNo", "utf8"},
		{"not UTF-8 in a line", "MARK-ITEM", "\xe6\x88", true, "Order[1].OrderList[1].itemName", "utf8"},
		{"C0 control", "MARK-NOTE", "a\x01b", true, "Order[1].OrderHead.note", "control"},
		{"NUL", "MARK-ITEM", "\x00", true, "Order[1].OrderList[1].itemName", "control"},
		{"C0 control by reference", "MARK-NOTE", "a&#1;b", true, "Order[1].OrderHead.note", "control"},
		{"U+FFFF", "MARK-NOTE", "a\uffffb", true, "Order[1].OrderHead.note", "xmlchar"},
		{"U+FFFE by reference", "MARK-NOTE", "&#xFFFE;", true, "Order[1].OrderHead.note", "xmlchar"},
		{"control in BaseTransfer", "MARK-BT", "\x02", true, "BaseTransfer.note", "control"},
		{"carriage return by reference", "MARK-NOTE", "a&#13;b", false, "Order[1].OrderHead.note", "control"},
		{"DEL", "MARK-NOTE", "a\x7fb", false, "Order[1].OrderHead.note", "control"},
		{"DEL by reference", "MARK-ITEM", "&#127;", false, "Order[1].OrderList[1].itemName", "control"},
		{"C1 control", "MARK-NOTE", "a\u0085b", false, "Order[1].OrderHead.note", "control"},
		{"DEL in BaseTransfer", "MARK-BT", "&#x7F;", false, "BaseTransfer.note", "control"},
		{"line ends and tabs", "MARK-NOTE", "a\r\nb\rc\n\td", false, "", ""},
		{"repeated leaf", "<orderNo>MARK-NO</orderNo>", "<orderNo>MARK-NO</orderNo><orderNo>OTHER</orderNo>", false, "Order[1].OrderHead.orderNo", "duplicate"},
		{"repeated AppHead leaf", "<note>MARK-NOTE</note>", "<note>MARK-NOTE</note><appType>2</appType>", false, "Order[1].OrderHead.appType", "duplicate"},
		{"repeated amount in a line", "<itemName>MARK-ITEM</itemName>", "<itemName>MARK-ITEM</itemName><qty>7</qty>", false, "Order[1].OrderList[1].qty", "duplicate"},
		{"repeated head", "<OrderList>", "<OrderHead><note>x</note></OrderHead><OrderList>", false, "Order[0].OrderHead", "duplicate"},
		{"repeated leaf in BaseTransfer", "<note>MARK-BT</note>", "<note>MARK-BT</note><copCode>1</copCode>", false, "BaseTransfer.copCode", "duplicate"},
		{"second BaseTransfer, different", bt, "<BaseTransfer><copCode>1</copCode><copName>n</copName><dxpMode>DXP</dxpMode><dxpId>1</dxpId></BaseTransfer>" + bt, false, "BaseTransfer", "duplicate"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := strings.Replace(base, c.old, c.new, 1)
			if c.old != "" && data == base {
				t.Fatalf("%q not in the base message", c.old)
			}
			m, err := ceb.DecodeXML([]byte(data))
			if c.refused {
				var in *ceb.InputError
				if !errors.As(err, &in) {
					t.Fatalf("DecodeXML: %v, want an *InputError", err)
				}
				if in.Err.Path != c.path || in.Err.Rule != c.rule {
					t.Fatalf("refused at %q rule %q (%v), want %q rule %q", in.Err.Path, in.Err.Rule, in, c.path, c.rule)
				}
				return
			}
			if err != nil {
				t.Fatalf("DecodeXML: %v", err)
			}
			errs := ceb.Validate(m)
			if c.path == "" {
				if errs != nil {
					t.Fatalf("Validate: %v", errs)
				}
				return
			}
			if len(errs) != 1 || errs[0].Path != c.path || errs[0].Rule != c.rule {
				t.Fatalf("Validate: %+v, want one error at %s rule %s", errs, c.path, c.rule)
			}
		})
	}

	// An XML line end is a line feed once parsed.
	m, err := ceb.DecodeXML([]byte(strings.Replace(base, "MARK-NOTE", "a\r\nb\rc", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Documents[1].(*ceb.Order).OrderHead.Note; got != "a\nb\nc" {
		t.Errorf("note %q, want line feeds", got)
	}
	// A BaseTransfer repeated identically (as the official export samples
	// do) is read once.
	i := strings.Index(base, bt)
	j := strings.Index(base, "</BaseTransfer>") + len("</BaseTransfer>")
	twice := base[:j] + base[i:j] + base[j:]
	if m, err := ceb.DecodeXML([]byte(twice)); err != nil || ceb.Validate(m) != nil {
		t.Errorf("identical BaseTransfer twice: %v", err)
	}
	// A root attribute given twice is not well-formed.
	if _, err := ceb.DecodeXML([]byte(strings.Replace(base, `version="1.0">`, `version="1.0" version="2.0">`, 1))); err == nil {
		t.Error("version twice accepted")
	}
	// ExtendMessage's own elements count too, its free Message does not.
	ext := strings.Replace(base, "</CEB311Message>",
		"<ExtendMessage><name>n</name><version>1</version><name>m</name><Message><a/><a/></Message></ExtendMessage></CEB311Message>", 1)
	m, err = ceb.DecodeXML([]byte(ext))
	if err != nil {
		t.Fatal(err)
	}
	if errs := ceb.Validate(m); len(errs) != 1 || errs[0].Path != "ExtendMessage.name" || errs[0].Rule != "duplicate" {
		t.Errorf("ExtendMessage name twice: %+v", errs)
	}
}

// TestStrictJSON holds DecodeJSON and ValidateDocument to the strict input
// rules (strict.go) for a body of two orders.
func TestStrictJSON(t *testing.T) {
	o1, _, _, _ := cebtest.Set("STRICT-1")
	o2, _, _, _ := cebtest.Set("MARK-NO")
	o2.OrderHead.Note = "MARK-NOTE"
	o2.OrderList[1].ItemName = "MARK-ITEM"
	first, second := string(mustJSON(t, o1)), string(mustJSON(t, o2))
	cases := []struct {
		name     string
		old, new string
		refused  bool
		// path and rule of the one error of the second document (none
		// when path is ""): a repeated key, or ValidateDocument's.
		path, rule string
	}{
		{"not UTF-8", "MARK-NO", "MARK\xff", true, "Order[1].OrderHead.orderNo", "utf8"},
		{"not UTF-8 in a line", "MARK-ITEM", "\xe6\x88", true, "Order[1].OrderList[1].itemName", "utf8"},
		{"not UTF-8 in a key", `"itemName"`, "\"item\xffName\"", true, "Order[1].OrderList[0].item\uFFFDName", "utf8"},
		{"lone surrogate", "MARK-NOTE", `a\ud800`, true, "Order[1].OrderHead.note", "utf8"},
		{"C0 control", "MARK-NOTE", `a\u0001b`, false, "Order[1].OrderHead.note", "control"},
		{"NUL", "MARK-ITEM", `\u0000`, false, "Order[1].OrderList[1].itemName", "control"},
		{"carriage return", "MARK-NOTE", `a\r\nb`, false, "Order[1].OrderHead.note", "control"},
		{"DEL", "MARK-NOTE", "a\x7fb", false, "Order[1].OrderHead.note", "control"},
		{"C1 control", "MARK-NOTE", `a\u0085b`, false, "Order[1].OrderHead.note", "control"},
		{"U+FFFF", "MARK-NOTE", `a\uffff`, false, "Order[1].OrderHead.note", "xmlchar"},
		{"line feed and tab", "MARK-NOTE", `a\nb\tc`, false, "", ""},
		{"repeated key", `"orderNo":"MARK-NO"`, `"orderNo":"MARK-NO","orderNo":"OTHER"`, false, "Order[1].OrderHead.orderNo", "duplicate"},
		{"repeated key in another case", `"orderNo":"MARK-NO"`, `"orderNo":"MARK-NO","ORDERNO":"OTHER"`, false, "Order[1].OrderHead.ORDERNO", "duplicate"},
		{"repeated key escaped", `"orderNo":"MARK-NO"`, `"orderNo":"MARK-NO","order\u004eo":"MARK-NO"`, false, "Order[1].OrderHead.orderNo", "duplicate"},
		{"repeated key in a line", `"itemName":"MARK-ITEM"`, `"itemName":"MARK-ITEM","qty":"9"`, false, "Order[1].OrderList[1].qty", "duplicate"},
		{"repeated object", `"OrderList":[`, `"OrderHead":{},"OrderList":[`, false, "Order[1].OrderHead", "duplicate"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := strings.Replace(second, c.old, c.new, 1)
			if doc == second {
				t.Fatalf("%q not in the second document", c.old)
			}
			data := "[" + first + ",\n" + doc + "]"
			docs, dups, err := ceb.DecodeJSON(ceb.CEB311, []byte(data))
			if c.refused {
				var in *ceb.InputError
				if !errors.As(err, &in) {
					t.Fatalf("DecodeJSON: %v, want an *InputError", err)
				}
				if in.Err.Path != c.path || in.Err.Rule != c.rule {
					t.Fatalf("refused at %q rule %q (%v), want %q rule %q", in.Err.Path, in.Err.Rule, in, c.path, c.rule)
				}
				return
			}
			if err != nil || len(docs) != 2 {
				t.Fatalf("DecodeJSON: %d documents, %v", len(docs), err)
			}
			if errs := ceb.ValidateDocument(docs[0], "Order[0]"); errs != nil || len(dups) > 0 && dups[0] != nil {
				t.Fatalf("first document: %v %v", errs, dups)
			}
			errs := ceb.ValidateDocument(docs[1], "Order[1]")
			if len(dups) > 1 {
				errs = append(errs, dups[1]...)
			}
			if c.path == "" {
				if errs != nil {
					t.Fatalf("errors %v", errs)
				}
				return
			}
			if len(errs) != 1 || errs[0].Path != c.path || errs[0].Rule != c.rule {
				t.Fatalf("errors %+v, want one at %s rule %s", errs, c.path, c.rule)
			}
		})
	}

	// One object alone is document 0; the same key in sibling objects is
	// no repetition.
	one := first
	_, dups, err := ceb.DecodeJSON(ceb.CEB311, []byte(strings.Replace(one, `"orderNo":"STRICT-1"`, `"orderNo":"STRICT-1","orderNo":"X"`, 1)))
	if err != nil || len(dups) != 1 || len(dups[0]) != 1 || dups[0][0].Path != "Order[0].OrderHead.orderNo" {
		t.Errorf("single object: %v %+v", err, dups)
	}
	if _, dups, err := ceb.DecodeJSON(ceb.CEB311, []byte(one)); err != nil || dups != nil {
		t.Errorf("valid single object: %v %+v", err, dups)
	}
}

// TestListFieldsFollowTheXSD: an element the decoders take more than once
// is a list (a Go slice) exactly where the XSD allows more than one, so
// that rule duplicate means maxOccurs=1.
func TestListFieldsFollowTheXSD(t *testing.T) {
	maxOccurs := map[string]map[string]map[string]bool{}
	for _, name := range []string{"import", "export"} {
		maxOccurs[name] = xsdMaxOccurs(t, xsdFile(t, name))
	}
	for _, typ := range ceb.MsgTypes() {
		if typ == ceb.CEB900 {
			continue // CEB900 is not in the official schemas
		}
		checkLists(t, reflect.TypeOf(ceb.NewDocument(typ)).Elem(), typ.NodeName(), maxOccurs[schemaOf(typ)])
	}
}

// checkLists compares the fields of the struct rt, the element at path,
// with maxOccurs.
func checkLists(t *testing.T, rt reflect.Type, path string, maxOccurs map[string]map[string]bool) {
	t.Helper()
	parent := path[strings.LastIndexByte(path, '.')+1:]
	for i := 0; i < rt.NumField(); i++ {
		f := rt.Field(i)
		if f.Anonymous {
			checkLists(t, f.Type, path, maxOccurs)
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("xml"), ",")
		if name == "" || name == "-" {
			continue
		}
		ft := f.Type
		list := ft.Kind() == reflect.Slice && ft.Elem().Kind() != reflect.Uint8
		if list {
			ft = ft.Elem()
		}
		many, ok := maxOccurs[parent][name]
		if !ok {
			t.Errorf("%s.%s: not in the XSD", path, name)
		} else if many != list {
			t.Errorf("%s.%s: a list %v, but maxOccurs > 1 in the XSD %v", path, name, list, many)
		}
		if ft.Kind() == reflect.Struct && ft != reflect.TypeFor[ceb.Amount]() {
			checkLists(t, ft, path+"."+name, maxOccurs)
		}
	}
}

// xsdMaxOccurs reads an XSD: for each element name, whether each child
// element (declared or referenced inside it) may occur more than once
// anywhere it is declared.
func xsdMaxOccurs(t *testing.T, file string) map[string]map[string]bool {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]bool{}
	d := xml.NewDecoder(bytes.NewReader(data))
	var stack []string // the enclosing xs:element names; "" for other elements
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			name := ""
			if tok.Name.Local == "element" {
				var ref, maxOcc string
				for _, a := range tok.Attr {
					switch a.Name.Local {
					case "name":
						name = a.Value
					case "ref":
						_, ref, _ = strings.Cut(a.Value, ":")
					case "maxOccurs":
						maxOcc = a.Value
					}
				}
				child := name
				if child == "" {
					child = ref
				}
				for i := len(stack) - 1; i >= 0; i-- {
					if stack[i] != "" {
						if out[stack[i]] == nil {
							out[stack[i]] = map[string]bool{}
						}
						out[stack[i]][child] = out[stack[i]][child] || maxOcc != "" && maxOcc != "1"
						break
					}
				}
			}
			stack = append(stack, name)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		}
	}
}
