package dsig

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/beevik/etree"
	goxmldsig "github.com/russellhaering/goxmldsig"
)

// parse reads a whole XML document.
func parse(doc []byte) (*etree.Document, error) {
	doc = bytes.TrimPrefix(doc, []byte("\xef\xbb\xbf")) // a UTF-8 byte order mark, which some senders write
	d := etree.NewDocument()
	if err := d.ReadFromBytes(doc); err != nil {
		return nil, err
	}
	if d.Root() == nil {
		return nil, fmt.Errorf("no root element")
	}
	return d, nil
}

// dsChildren returns el's child elements named name in the XML-DSig
// namespace.
func dsChildren(el *etree.Element, name string) []*etree.Element {
	var out []*etree.Element
	for _, c := range el.ChildElements() {
		if c.Tag == name && c.NamespaceURI() == Namespace {
			out = append(out, c)
		}
	}
	return out
}

// dsChild returns el's only child element named name, or an error naming
// what is missing or repeated.
func dsChild(el *etree.Element, name string) (*etree.Element, error) {
	cs := dsChildren(el, name)
	if len(cs) != 1 {
		return nil, fmt.Errorf("%s has %d %s elements, want 1", el.Tag, len(cs), name)
	}
	return cs[0], nil
}

// canonicalizerT is the canonicalisation of one algorithm.
type canonicalizerT = goxmldsig.Canonicalizer

// canonicalizer returns the C14N 1.0 canonicalizer an algorithm URI names.
func canonicalizer(alg string) (canonicalizerT, bool) {
	switch alg {
	case C14N10:
		return goxmldsig.MakeC14N10RecCanonicalizer(), true
	case C14N10Comments:
		return goxmldsig.MakeC14N10WithCommentsCanonicalizer(), true
	}
	return nil, false
}

// withoutSignature canonicalises root without its child sig (the
// enveloped-signature transform). sig is taken out for the time of it and
// put back where it was: cheaper than a copy of the whole message.
func withoutSignature(root, sig *etree.Element, c canonicalizerT) ([]byte, error) {
	for i, tok := range root.Child {
		if tok == sig {
			root.RemoveChildAt(i)
			defer root.InsertChildAt(i, sig)
			break
		}
	}
	return c.Canonicalize(root)
}

// text returns el's text with the whitespace that base64 in XML may carry
// removed.
func text(el *etree.Element) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
			return -1
		}
		return r
	}, el.Text())
}

// isDocumentSigned reports whether doc's root already holds a ds:Signature.
func isDocumentSigned(root *etree.Element) bool { return len(dsChildren(root, "Signature")) > 0 }
