package ceb

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"unicode/utf8"
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// DecodeXML parses one CEBnnnMessage. It is namespace-aware (the official
// samples use both the ceb: prefix and the default namespace), tolerates a
// UTF-8 byte-order mark, refuses bytes that are not UTF-8 and characters
// XML does not allow (anywhere, comments included; an *InputError naming
// the element path), and rejects a root element that is not a known CEB
// message in Namespace, an attribute given twice, and any unexpected child
// of the root. Children of the root are accepted in any order. An element
// the XSD allows once that occurs twice (a field that is no list) keeps
// the last one and is reported by Validate (rule duplicate): in a business
// node it makes that node invalid. A repeated BaseTransfer or ExtendMessage
// identical to the first is read once (several official export samples
// repeat an identical BaseTransfer); a different one is a duplicate. It
// checks well-formedness and shape only; call Validate for the field rules.
func DecodeXML(data []byte) (*Message, error) {
	data = bytes.TrimPrefix(data, utf8BOM)
	if err := checkChars(data); err != nil {
		return nil, err
	}
	d := xml.NewDecoder(bytes.NewReader(data))
	m, err := decodeXML(d, data)
	if err != nil {
		return nil, illegalCharRef(err, data, d.InputOffset())
	}
	return m, nil
}

func decodeXML(d *xml.Decoder, data []byte) (*Message, error) {

	root, err := rootElement(d)
	if err != nil {
		return nil, err
	}
	t, ok := MsgTypeOf(root.Name.Local)
	if !ok {
		return nil, fmt.Errorf("ceb: unknown root element <%s>", root.Name.Local)
	}
	if root.Name.Space != Namespace {
		return nil, fmt.Errorf("ceb: root element <%s> is in namespace %q, want %q", root.Name.Local, root.Name.Space, Namespace)
	}
	m := &Message{Type: t}
	for i, a := range root.Attr {
		for _, b := range root.Attr[:i] {
			if a.Name == b.Name { // XML well-formedness, which encoding/xml leaves out
				return nil, fmt.Errorf("ceb: attribute %s given twice on <%s>", a.Name.Local, root.Name.Local)
			}
		}
		if a.Name.Space != "" {
			continue // xmlns declarations and foreign attributes
		}
		switch a.Name.Local {
		case "guid":
			m.GUID = a.Value
		case "version":
			m.Version = a.Value
		}
	}

	info := msgInfos[t]
	for {
		// The offset before Token is where the next token starts, which is
		// what slicing out the raw signature needs.
		off := d.InputOffset()
		tok, err := d.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, fmt.Errorf("ceb: <%s> is not closed", root.Name.Local)
			}
			return nil, fmt.Errorf("ceb: %w", err)
		}
		switch tok := tok.(type) {
		case xml.EndElement:
			if err := trailing(d); err != nil {
				return nil, err
			}
			return m, nil
		case xml.CharData:
			if len(bytes.TrimSpace(tok)) > 0 {
				return nil, fmt.Errorf("ceb: unexpected text %q in <%s>", bytes.TrimSpace(tok), root.Name.Local)
			}
		case xml.StartElement:
			if err := decodeChild(d, m, info, tok, data, off); err != nil {
				return nil, err
			}
		}
	}
}

// checkChars refuses data unless it is UTF-8 made of XML characters only
// (an *InputError at the path of the element holding the first offending
// byte). encoding/xml checks text and attribute values but not comments and
// processing instructions, which the signature and ExtendMessage keep raw
// and EncodeXML writes back. A literal carriage return is a line end, which
// XML normalises to a line feed.
func checkChars(data []byte) error {
	for i := 0; i < len(data); {
		if c := data[i]; c < utf8.RuneSelf && (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') {
			i++
			continue
		}
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n == 1 {
			return utf8Error(xmlPathAt(data, i), i, "is not UTF-8 text")
		}
		if !isXMLChar(r) {
			path := xmlPathAt(data, i)
			return &InputError{Offset: i, Err: FieldError{Path: path, Rule: charRule(r),
				Message: fmt.Sprintf("%s must not contain %U", inputName(path), r)}}
		}
		i += n
	}
	return nil
}

// rootElement skips the prolog and returns the first start element.
func rootElement(d *xml.Decoder) (xml.StartElement, error) {
	for {
		tok, err := d.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return xml.StartElement{}, errors.New("ceb: no root element")
			}
			return xml.StartElement{}, fmt.Errorf("ceb: %w", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			return tok, nil
		case xml.CharData:
			if len(bytes.TrimSpace(tok)) > 0 {
				return xml.StartElement{}, errors.New("ceb: text before the root element")
			}
		}
	}
}

// trailing rejects anything but white space, comments and processing
// instructions after the root element.
func trailing(d *xml.Decoder) error {
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("ceb: %w", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			return fmt.Errorf("ceb: second root element <%s>", tok.Name.Local)
		case xml.CharData:
			if len(bytes.TrimSpace(tok)) > 0 {
				return errors.New("ceb: text after the root element")
			}
		}
	}
}

func decodeChild(d *xml.Decoder, m *Message, info msgInfo, start xml.StartElement, data []byte, off int64) error {
	root := m.Type.RootName()
	if start.Name.Space == DSigNamespace && start.Name.Local == "Signature" {
		if !info.inbound {
			return fmt.Errorf("ceb: <%s> has no Signature", root)
		}
		if err := d.Skip(); err != nil {
			return fmt.Errorf("ceb: Signature: %w", err)
		}
		sig := withNamespaceDecl(bytes.Clone(data[off:d.InputOffset()]))
		if m.Signature != nil && !bytes.Equal(m.Signature, sig) {
			m.dups = append(m.dups, duplicateRoot("Signature"))
		}
		m.Signature = sig
		return nil
	}
	if start.Name.Space != Namespace {
		return fmt.Errorf("ceb: unexpected element <%s> (namespace %q) in <%s>", start.Name.Local, start.Name.Space, root)
	}
	name := start.Name.Local
	switch {
	case name == info.node:
		doc := NewDocument(m.Type)
		path := info.node + "[" + strconv.Itoa(len(m.Documents)) + "]"
		m.Documents = append(m.Documents, doc)
		return decodeTracked(d, m, start, doc, path, data, off)
	case info.inbound && name == "BaseTransfer":
		bt := &BaseTransfer{}
		if err := decodeTracked(d, m, start, bt, name, data, off); err != nil {
			return err
		}
		if m.BaseTransfer != nil && *m.BaseTransfer != *bt {
			m.dups = append(m.dups, duplicateRoot(name))
		}
		m.BaseTransfer = bt
		return nil
	case info.inbound && name == "BaseSubscribe":
		m.BaseSubscribe = append(m.BaseSubscribe, BaseSubscribe{})
		i := len(m.BaseSubscribe) - 1
		return decodeTracked(d, m, start, &m.BaseSubscribe[i], name+"["+strconv.Itoa(i)+"]", data, off)
	case info.inbound && name == "ExtendMessage":
		em := &ExtendMessage{}
		if err := decodeTracked(d, m, start, em, name, data, off); err != nil {
			return err
		}
		if m.ExtendMessage != nil && *m.ExtendMessage != *em {
			m.dups = append(m.dups, duplicateRoot(name))
		}
		m.ExtendMessage = em
		return nil
	}
	return fmt.Errorf("ceb: unexpected element <%s> in <%s>", name, root)
}

// decodeTracked decodes the element start opened, which began at byte off
// of data, into v, and records in m the elements the schema allows once that
// it repeats, under path.
func decodeTracked(d *xml.Decoder, m *Message, start xml.StartElement, v any, path string, data []byte, off int64) error {
	if err := d.DecodeElement(v, &start); err != nil {
		return fmt.Errorf("ceb: %s: %w", start.Name.Local, err)
	}
	w := trackers.Get().(*elemTracker)
	defer trackers.Put(w)
	w.reset(path, xmlFields(reflect.TypeOf(v).Elem()))
	trackElements(data[off:d.InputOffset()], w)
	m.dups = append(m.dups, w.dups...)
	return nil
}

// duplicateRoot is the error of a child of the root that the schema allows
// once and that was given twice, differently.
func duplicateRoot(name string) FieldError {
	return FieldError{Path: name, Rule: "duplicate", Param: "1",
		Message: name + " occurs more than once, differently; the schema allows it once"}
}

// withNamespaceDecl makes a raw element self-contained when its prefix was
// declared on an ancestor (e.g. xmlns:ds on the root), so that re-emitting
// it inside our own root keeps it in the XML-DSig namespace.
func withNamespaceDecl(raw []byte) []byte {
	end := bytes.IndexByte(raw, '>')
	if len(raw) < 2 || raw[0] != '<' || end < 0 {
		return raw
	}
	nameEnd := bytes.IndexAny(raw[1:end+1], " \t\r\n/>") + 1
	qname := raw[1:nameEnd]
	decl := []byte("xmlns")
	if prefix, _, ok := bytes.Cut(qname, []byte(":")); ok {
		decl = append(append(decl, ':'), prefix...)
	}
	for _, sep := range []string{"=", " =", "\t="} {
		if bytes.Contains(raw[:end], append(bytes.Clone(decl), sep...)) {
			return raw
		}
	}
	out := make([]byte, 0, len(raw)+len(decl)+len(DSigNamespace)+4)
	out = append(out, raw[:nameEnd]...)
	out = append(out, ' ')
	out = append(out, decl...)
	out = append(out, `="`+DSigNamespace+`"`...)
	return append(out, raw[nameEnd:]...)
}

// EncodeXML writes m as a CEB message: an XML declaration, the root in the
// default namespace Namespace with attributes guid and version, and the
// children in XSD order (business nodes, BaseTransfer, BaseSubscribe,
// then ExtendMessage and ds:Signature for import types, ds:Signature and
// ExtendMessage for export types). Optional elements are written only when
// set. It does not validate; it fails only when m cannot be written as
// its type (unknown type, a document of another type, an envelope part
// the type does not have).
func EncodeXML(m *Message) ([]byte, error) {
	if m == nil {
		return nil, errors.New("ceb: nil message")
	}
	info, ok := msgInfos[m.Type]
	if !ok {
		return nil, fmt.Errorf("ceb: unknown message type %q", m.Type)
	}
	root := m.Type.RootName()
	if !info.inbound && (m.BaseTransfer != nil || len(m.BaseSubscribe) > 0 || m.ExtendMessage != nil || len(m.Signature) > 0) {
		return nil, fmt.Errorf("ceb: <%s> has no BaseTransfer, BaseSubscribe, ExtendMessage or Signature", root)
	}

	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	e := xml.NewEncoder(&buf)
	e.Indent("", "  ")
	start := xml.StartElement{
		Name: xml.Name{Space: Namespace, Local: root},
		Attr: []xml.Attr{{Name: xml.Name{Local: "guid"}, Value: m.GUID}, {Name: xml.Name{Local: "version"}, Value: m.Version}},
	}
	if err := e.EncodeToken(start); err != nil {
		return nil, fmt.Errorf("ceb: %w", err)
	}
	for i, doc := range m.Documents {
		if doc == nil {
			return nil, fmt.Errorf("ceb: %s[%d] is nil", info.node, i)
		}
		if doc.MsgType() != m.Type {
			return nil, fmt.Errorf("ceb: %s[%d] is a %s document, not %s", info.node, i, doc.MsgType(), m.Type)
		}
		if err := e.EncodeElement(doc, xml.StartElement{Name: xml.Name{Local: info.node}}); err != nil {
			return nil, fmt.Errorf("ceb: %s[%d]: %w", info.node, i, err)
		}
	}
	if m.BaseTransfer != nil {
		if err := e.EncodeElement(m.BaseTransfer, xml.StartElement{Name: xml.Name{Local: "BaseTransfer"}}); err != nil {
			return nil, fmt.Errorf("ceb: BaseTransfer: %w", err)
		}
	}
	for i := range m.BaseSubscribe {
		if err := e.EncodeElement(&m.BaseSubscribe[i], xml.StartElement{Name: xml.Name{Local: "BaseSubscribe"}}); err != nil {
			return nil, fmt.Errorf("ceb: BaseSubscribe[%d]: %w", i, err)
		}
	}
	// import.xsd puts ExtendMessage before ds:Signature, export.xsd after.
	if info.export {
		if err := writeSignature(e, &buf, m.Signature); err != nil {
			return nil, err
		}
	}
	if m.ExtendMessage != nil {
		if err := e.EncodeElement(m.ExtendMessage, xml.StartElement{Name: xml.Name{Local: "ExtendMessage"}}); err != nil {
			return nil, fmt.Errorf("ceb: ExtendMessage: %w", err)
		}
	}
	if !info.export {
		if err := writeSignature(e, &buf, m.Signature); err != nil {
			return nil, err
		}
	}
	if err := e.EncodeToken(start.End()); err != nil {
		return nil, fmt.Errorf("ceb: %w", err)
	}
	if err := e.Flush(); err != nil {
		return nil, fmt.Errorf("ceb: %w", err)
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// writeSignature appends the raw signature, if any, to buf. encoding/xml
// cannot write raw markup between tokens, so it flushes e and appends the
// signature bytes untouched: their content must stay as signed.
func writeSignature(e *xml.Encoder, buf *bytes.Buffer, sig []byte) error {
	if len(sig) == 0 {
		return nil
	}
	if err := e.Flush(); err != nil {
		return fmt.Errorf("ceb: %w", err)
	}
	buf.WriteString("\n  ")
	buf.Write(sig)
	return nil
}
