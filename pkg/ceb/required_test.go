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
// message root; repeated if it may occur more than once.
type requiredPath struct {
	names    []string
	repeated bool
}

// xsdRequired reads import.xsd and returns, for each root element name,
// every element with minOccurs ≠ 0 reachable through required elements
// (business nodes, heads, lists, BaseTransfer), and the ds:Signature
// references, which are exempt.
func xsdRequired(t *testing.T) (req map[string][]requiredPath, signatures map[string]bool) {
	t.Helper()
	data, err := os.ReadFile(importXSD(t))
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
	var walk func(root string, n xsdNode, path []string)
	walk = func(root string, n xsdNode, path []string) {
		for _, c := range elements(n) {
			if c.attr("minOccurs") == "0" {
				continue
			}
			name, ref := c.attr("name"), c.attr("ref")
			if ref == "ds:Signature" {
				signatures[root] = true
				continue
			}
			body := c
			if ref != "" {
				name = strings.TrimPrefix(ref, "ceb:")
				body = top[name]
			}
			p := append(append([]string{}, path...), name)
			max := c.attr("maxOccurs")
			req[root] = append(req[root], requiredPath{names: p, repeated: max != "" && max != "1"})
			walk(root, body, p)
		}
	}
	for _, typ := range ceb.MsgTypes() {
		root, ok := top[typ.RootName()]
		if !ok {
			t.Fatalf("import.xsd has no %s", typ.RootName())
		}
		walk(typ.RootName(), root, nil)
	}
	return req, signatures
}

// TestXSDRequiredElements removes, one at a time, every element the XSD
// requires from a valid encoded message and expects Validate to report
// that element. The only exemption is ds:Signature (required by the XSD in
// CEB621/623/625): this project does not verify signatures, so Validate
// does not require one.
func TestXSDRequiredElements(t *testing.T) {
	req, signatures := xsdRequired(t)
	fx := fixtures(t)
	total := 0
	for _, typ := range ceb.MsgTypes() {
		root := typ.RootName()
		paths := req[root]
		if len(paths) < 4 {
			t.Fatalf("%s: only %d required elements found in the XSD", root, len(paths))
		}
		enc := encode(t, fx[typ])
		for _, rp := range paths {
			p := rp.names
			name := p[len(p)-1]
			t.Run(root+"/"+strings.Join(p, "/"), func(t *testing.T) {
				cut, ok := cutElement(enc, p)
				if !ok {
					t.Fatalf("fixture %s has no element %s", root, strings.Join(p, "/"))
				}
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
			total++
		}
	}
	t.Logf("%d required elements checked", total)

	// The exemption, stated as a test: the XSD requires the signature, and
	// Validate accepts its absence.
	for _, typ := range []ceb.MsgType{ceb.CEB621, ceb.CEB623, ceb.CEB625} {
		if !signatures[typ.RootName()] {
			t.Errorf("%s: expected the XSD to require ds:Signature", typ.RootName())
		}
		m := *fx[typ]
		m.Signature = nil
		if errs := ceb.Validate(&m); len(errs) > 0 {
			t.Errorf("%s without signature: %v", typ, errs)
		}
		if out, err := runXmllint(t, "unsigned.xml", encode(t, &m)); err == nil {
			t.Errorf("%s: xmllint accepted an unsigned message:\n%s", typ, out)
		}
	}
}
