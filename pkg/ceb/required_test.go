package ceb_test

import (
	"encoding/xml"
	"os"
	"strings"
	"testing"

	"github.com/cbec/cbec/pkg/ceb"
)

// xsdNode is a generic XSD element tree.
type xsdNode struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Children []xsdNode  `xml:",any"`
}

func (n xsdNode) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// requiredPath is an element the XSD requires, by local names below the
// message root; repeated if it may occur more than once; conditional if it
// lies below an optional element (ArrivalList, ExtendMessage …), so that it
// is required only where that element is present.
type requiredPath struct {
	names       []string
	repeated    bool
	conditional bool
}

// xsdRequired reads the XSD sc and returns, for each root element name of
// its modelled types, every element with minOccurs ≠ 0 reachable through
// elements (business nodes, heads, lists, BaseTransfer, and optional
// complex elements such as ArrivalList), and the roots whose XSD requires
// ds:Signature, which is exempt.
func xsdRequired(t *testing.T, sc schema) (req map[string][]requiredPath, signatures map[string]bool) {
	t.Helper()
	data, err := os.ReadFile(xsdFile(t, sc.name))
	if err != nil {
		t.Fatal(err)
	}
	var schema xsdNode
	if err := xml.Unmarshal(data, &schema); err != nil {
		t.Fatal(err)
	}
	top := map[string]xsdNode{}
	for _, c := range schema.Children {
		if c.XMLName.Local == "element" {
			top[c.attr("name")] = c
		}
	}
	// elements returns the xs:element children of n's sequence.
	var elements func(n xsdNode) []xsdNode
	elements = func(n xsdNode) []xsdNode {
		var out []xsdNode
		for _, c := range n.Children {
			switch c.XMLName.Local {
			case "element":
				out = append(out, c)
			case "complexType", "sequence":
				out = append(out, elements(c)...)
			}
		}
		return out
	}
	req = map[string][]requiredPath{}
	signatures = map[string]bool{}
	var walk func(root string, n xsdNode, path []string, conditional bool)
	walk = func(root string, n xsdNode, path []string, conditional bool) {
		for _, c := range elements(n) {
			name, ref := c.attr("name"), c.attr("ref")
			optional := c.attr("minOccurs") == "0"
			if ref == "ds:Signature" {
				if !optional {
					signatures[root] = true
				}
				continue
			}
			body := c
			if ref != "" {
				name = strings.TrimPrefix(ref, "ceb:")
				body = top[name]
			}
			p := append(append([]string{}, path...), name)
			if !optional {
				max := c.attr("maxOccurs")
				req[root] = append(req[root], requiredPath{names: p, repeated: max != "" && max != "1", conditional: conditional})
			}
			walk(root, body, p, conditional || optional)
		}
	}
	for _, typ := range sc.types {
		root, ok := top[typ.RootName()]
		if !ok {
			t.Fatalf("%s.xsd has no %s", sc.name, typ.RootName())
		}
		walk(typ.RootName(), root, nil, false)
	}
	return req, signatures
}

// TestXSDRequiredElements removes, one at a time, every element the XSD
// (import.xsd, export.xsd) requires from a valid encoded message and
// expects Validate to report that element. Elements below an optional
// element are checked where the fixture has that element. The only
// exemption is ds:Signature (required by import.xsd in CEB621/623/625):
// this project does not verify signatures, so Validate does not require
// one.
func TestXSDRequiredElements(t *testing.T) {
	fx := fixtures(t)
	for _, sc := range schemas {
		t.Run(sc.name, func(t *testing.T) {
			req, signatures := xsdRequired(t, sc)
			checkRequired(t, sc, req, fx)
			if sc.name == "export" && len(signatures) > 0 {
				t.Errorf("export.xsd unexpectedly requires ds:Signature in %v", signatures)
			}
			if sc.name != "import" {
				return
			}
			// The exemption, stated as a test: the XSD requires the
			// signature, and Validate accepts its absence.
			for _, typ := range []ceb.MsgType{ceb.CEB621, ceb.CEB623, ceb.CEB625} {
				if !signatures[typ.RootName()] {
					t.Errorf("%s: expected the XSD to require ds:Signature", typ.RootName())
				}
				m := *fx[typ]
				m.Signature = nil
				if errs := ceb.Validate(&m); len(errs) > 0 {
					t.Errorf("%s without signature: %v", typ, errs)
				}
				if out, err := runXmllint(t, sc.name, "unsigned.xml", encode(t, &m)); err == nil {
					t.Errorf("%s: xmllint accepted an unsigned message:\n%s", typ, out)
				}
			}
		})
	}
}

// checkRequired blanks each required path of every type of sc in its
// fixture and expects Validate to name it.
func checkRequired(t *testing.T, sc schema, req map[string][]requiredPath, fx map[ceb.MsgType]*ceb.Message) {
	total, skipped := 0, 0
	for _, typ := range sc.types {
		root := typ.RootName()
		paths := req[root]
		if len(paths) < 4 {
			t.Fatalf("%s: only %d required elements found in the XSD", root, len(paths))
		}
		enc := encode(t, fx[typ])
		for _, rp := range paths {
			p := rp.names
			name := p[len(p)-1]
			cut, ok := cutElement(enc, p)
			if !ok {
				if rp.conditional {
					skipped++ // its optional parent is absent from the fixture
					continue
				}
				t.Errorf("fixture %s has no element %s", root, strings.Join(p, "/"))
				continue
			}
			total++
			t.Run(root+"/"+strings.Join(p, "/"), func(t *testing.T) {
				// A repeated element (OrderList, …) is missing only when
				// every occurrence is gone; fixtures have one node per
				// message, so this empties one node's list.
				for more := rp.repeated; more; {
					var next []byte
					if next, more = cutElement(cut, p); more {
						cut = next
					}
				}
				m, err := ceb.DecodeXML(cut)
				if err != nil {
					t.Fatalf("DecodeXML without %s: %v", name, err)
				}
				errs := ceb.Validate(m)
				for _, e := range errs {
					if leaf(e.Path) == name {
						return
					}
				}
				t.Errorf("no error for missing %s; got %v", strings.Join(p, "/"), errs)
			})
		}
	}
	t.Logf("%s: %d required elements checked, %d below optional elements absent from the fixtures", sc.name, total, skipped)
}
