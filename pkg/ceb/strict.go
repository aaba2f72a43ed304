package ceb

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Strict input: what the decoders refuse that encoding/xml and
// encoding/json would take silently, and the element paths that name it.
//
//   - Bytes that are not UTF-8 (and, in JSON, an escaped lone surrogate)
//     refuse the whole body: it is not text, so not a JSON or XML message.
//     The error is an *InputError with rule utf8 and the element path.
//   - A character XML cannot carry refuses a whole XML body (it is not
//     well-formed): *InputError with rule control (a C0 control) or
//     xmlchar (U+FFFE, U+FFFF). In decoded text — a JSON escape, an XML
//     character reference — ValidateDocument and Validate fail it at the
//     element's path with the same rules: text may hold tab and line feed,
//     no other control character (C0, DEL, C1). A literal carriage return
//     in XML is a line end that XML normalises to a line feed before cbec
//     sees the text, so it passes; one that survives parsing (&#13;,
//     "\r" in JSON) is a control character.
//   - An element the XSD allows once (a field that is no list) given twice
//     in XML, and a JSON key given twice in one object (compared as
//     encoding/json matches keys, ignoring case), fail rule duplicate at the
//     path of the repeated element: encoding/xml and encoding/json would keep
//     the last one (or, for an XML element with children, merge them).

// InputError is a body refused whole because it is not text of its format:
// bytes that are not UTF-8, a character XML cannot carry. Err names the
// rule and the path of the element holding it ("" outside any element, or
// when the body cannot be read up to it).
type InputError struct {
	// Offset is the byte offset of the offending input in the body.
	Offset int
	// Err is the failure as a validation error.
	Err FieldError
}

// Error formats the failure with its path and offset.
func (e *InputError) Error() string {
	if e.Err.Path == "" {
		return fmt.Sprintf("ceb: %s (byte %d)", e.Err.Message, e.Offset)
	}
	return fmt.Sprintf("ceb: %s: %s (byte %d)", e.Err.Path, e.Err.Message, e.Offset)
}

// charRule is the rule text containing r fails: "control" for a control
// character other than tab and line feed, "xmlchar" for another character
// XML cannot carry, "" when r is allowed.
func charRule(r rune) string {
	switch {
	case r == '\t' || r == '\n':
		return ""
	case unicode.Is(unicode.Cc, r):
		return "control"
	case !isXMLChar(r):
		return "xmlchar"
	}
	return ""
}

// xmlField is how an element of a parent decodes: into a struct (elem) or
// a leaf (elem nil), once or as a list.
type xmlField struct {
	name string
	elem reflect.Type
	list bool
}

var (
	xmlFieldsCache sync.Map // reflect.Type → map[string]xmlField
	unmarshalerXML = reflect.TypeFor[xml.Unmarshaler]()
	xmlElementType = reflect.TypeFor[XMLElement]()
)

// xmlFields maps the child element names of the struct type t to how they
// decode; an embedded struct's fields are t's own (AppHead).
func xmlFields(t reflect.Type) map[string]xmlField {
	if m, ok := xmlFieldsCache.Load(t); ok {
		return m.(map[string]xmlField)
	}
	m := map[string]xmlField{}
	addXMLFields(t, m)
	xmlFieldsCache.Store(t, m)
	return m
}

func addXMLFields(t reflect.Type, m map[string]xmlField) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			addXMLFields(f.Type, m)
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("xml"), ",")
		if name == "" || name == "-" || opts != "" && opts != "omitempty" {
			continue // attributes, chardata, innerxml: no child element
		}
		ft, list := f.Type, false
		if ft.Kind() == reflect.Slice && ft.Elem().Kind() != reflect.Uint8 {
			ft, list = ft.Elem(), true
		}
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		var elem reflect.Type
		if ft.Kind() == reflect.Struct && ft != xmlElementType && !reflect.PointerTo(ft).Implements(unmarshalerXML) {
			elem = ft
		}
		m[name] = xmlField{name: name, elem: elem, list: list}
	}
}

// rootFields maps the children of the root of a message of type t.
func rootFields(t MsgType) map[string]xmlField {
	m := map[string]xmlField{}
	info, ok := msgInfos[t]
	if !ok {
		return m
	}
	m[info.node] = xmlField{name: info.node, elem: reflect.TypeOf(NewDocument(t)).Elem(), list: true}
	if info.inbound {
		m["BaseTransfer"] = xmlField{name: "BaseTransfer", elem: reflect.TypeFor[BaseTransfer]()}
		m["BaseSubscribe"] = xmlField{name: "BaseSubscribe", elem: reflect.TypeFor[BaseSubscribe](), list: true}
		m["ExtendMessage"] = xmlField{name: "ExtendMessage", elem: reflect.TypeFor[ExtendMessage]()}
	}
	return m
}

// elemFrame is one open element below the tracker's base: its name, its
// index when it is a list item (else -1), how its children decode (nil: not
// modelled, a leaf or free XML, whose children are not counted), and where
// the counts of its children start in elemTracker.seen.
type elemFrame struct {
	name   string
	index  int
	fields map[string]xmlField
	seen   int
}

// seenName counts the children of one name of an open element.
type seenName struct {
	name string
	n    int
}

// elemTracker follows the elements of an element (the base, at path base)
// by the Go types they decode into, giving each its path in the
// validator's style (lists indexed, single elements not) and recording
// single elements given twice. It allocates only for what it reports.
type elemTracker struct {
	base  string
	stack []elemFrame // stack[0] is the base
	seen  []seenName
	dups  []FieldError
}

func newElemTracker(base string, fields map[string]xmlField) *elemTracker {
	w := &elemTracker{}
	w.reset(base, fields)
	return w
}

// reset makes w a new tracker of an element at base.
func (w *elemTracker) reset(base string, fields map[string]xmlField) {
	w.base = base
	w.stack = append(w.stack[:0], elemFrame{index: -1, fields: fields})
	w.seen = w.seen[:0]
	w.dups = nil
}

// trackers are reused: DecodeXML tracks every document it decodes.
var trackers = sync.Pool{New: func() any { return &elemTracker{} }}

// path is the path of the innermost open element.
func (w *elemTracker) path() string {
	var b strings.Builder
	b.WriteString(w.base)
	for _, f := range w.stack[1:] {
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(f.name)
		if f.index >= 0 {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(f.index))
			b.WriteByte(']')
		}
	}
	return b.String()
}

// push opens a child element, of local name local, of the innermost one.
func (w *elemTracker) push(local []byte) {
	top := &w.stack[len(w.stack)-1]
	f, ok := top.fields[string(local)]
	if !ok {
		w.stack = append(w.stack, elemFrame{name: string(local), index: -1, seen: len(w.seen)})
		return
	}
	n := 0
	for i := top.seen; i < len(w.seen); i++ {
		if w.seen[i].name == f.name {
			n = w.seen[i].n
			w.seen[i].n++
			break
		}
	}
	if n == 0 {
		w.seen = append(w.seen, seenName{name: f.name, n: 1})
	}
	index := -1
	if f.list {
		index = n
	}
	var fields map[string]xmlField
	if f.elem != nil {
		fields = xmlFields(f.elem)
	}
	w.stack = append(w.stack, elemFrame{name: f.name, index: index, fields: fields, seen: len(w.seen)})
	if !f.list && n == 1 { // reported once, at the second occurrence
		w.dups = append(w.dups, FieldError{Path: w.path(), Rule: "duplicate", Param: "1",
			Message: f.name + " occurs more than once; the schema allows it once"})
	}
}

// pop closes the innermost element.
func (w *elemTracker) pop() {
	if len(w.stack) > 1 {
		w.seen = w.seen[:w.stack[len(w.stack)-1].seen]
		w.stack = w.stack[:len(w.stack)-1]
	}
}

// trackElements follows the elements inside raw, one well-formed element
// (as encoding/xml has just decoded it), with w, reading the bytes alone:
// tags, comments, processing instructions and CDATA sections.
func trackElements(raw []byte, w *elemTracker) {
	depth := 0
	for i := 0; i < len(raw); {
		j := bytes.IndexByte(raw[i:], '<')
		if j < 0 {
			return
		}
		i += j
		rest := raw[i:]
		skip := func(end string) int {
			k := bytes.Index(rest, []byte(end))
			if k < 0 {
				return len(rest)
			}
			return k + len(end)
		}
		switch {
		case bytes.HasPrefix(rest, []byte("<!--")):
			i += skip("-->")
		case bytes.HasPrefix(rest, []byte("<![CDATA[")):
			i += skip("]]>")
		case bytes.HasPrefix(rest, []byte("<?")):
			i += skip("?>")
		case bytes.HasPrefix(rest, []byte("<!")):
			i += skip(">")
		case bytes.HasPrefix(rest, []byte("</")):
			i += skip(">")
			if depth--; depth > 0 {
				w.pop()
			}
		default: // a start tag: its name, then attributes up to > or />
			n := 1
			for n < len(rest) && !strings.ContainsRune(" \t\r\n/>", rune(rest[n])) {
				n++
			}
			name := rest[1:n]
			if k := bytes.LastIndexByte(name, ':'); k >= 0 {
				name = name[k+1:]
			}
			k := n
			for k < len(rest) && rest[k] != '>' {
				if q := rest[k]; q == '"' || q == '\'' {
					if e := bytes.IndexByte(rest[k+1:], q); e >= 0 {
						k += e + 1
					}
				}
				k++
			}
			i += k + 1
			if depth > 0 {
				w.push(name)
			}
			depth++
			if k < len(rest) && rest[k-1] == '/' { // <empty/>
				if depth--; depth > 0 {
					w.pop()
				}
			}
		}
	}
}

// xmlPathAt returns the path of the element of the XML data that holds
// byte offset off, read from data[:off] (which need not be well-formed
// beyond it); "" when off is outside the root's children.
func xmlPathAt(data []byte, off int) string {
	if off > len(data) {
		off = len(data)
	}
	d := xml.NewDecoder(bytes.NewReader(data[:off]))
	var w *elemTracker
	for {
		tok, err := d.RawToken()
		if err != nil {
			break
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if w == nil {
				t, _ := MsgTypeOf(tok.Name.Local)
				w = newElemTracker("", rootFields(t))
				continue
			}
			w.push([]byte(tok.Name.Local))
		case xml.EndElement:
			if w != nil {
				if len(w.stack) == 1 {
					return "" // after the root
				}
				w.pop()
			}
		}
	}
	if w == nil {
		return ""
	}
	return w.path()
}

// illegalCharRef turns encoding/xml's error for a character reference XML
// does not allow (&#1;) into an *InputError at the path of its element.
func illegalCharRef(err error, data []byte, off int64) error {
	var se *xml.SyntaxError
	if !errors.As(err, &se) {
		return err
	}
	hex, ok := strings.CutPrefix(se.Msg, "illegal character code U+")
	if !ok {
		return err
	}
	n, perr := strconv.ParseUint(hex, 16, 32)
	if perr != nil {
		return err
	}
	rule := charRule(rune(n))
	if rule == "" {
		rule = "xmlchar"
	}
	path := xmlPathAt(data, int(off))
	return &InputError{Offset: int(off), Err: FieldError{Path: path, Rule: rule,
		Message: fmt.Sprintf("%s must not contain %U", inputName(path), rune(n))}}
}

// jsonScan walks a JSON text that json.Valid accepts, following the
// element path of each value, and records the keys given twice in one
// object, per document, and the path of the value or key that holds byte
// offset at. It builds a path string only for what it reports.
type jsonScan struct {
	data []byte
	i    int
	path []byte   // the element path of the current value
	keys [][]byte // the keys of the open objects, innermost last
	dups [][]FieldError
	doc  int
	at   int
	// atPath is the path at offset at, once found.
	atPath  string
	atFound bool
}

// scanJSON walks the body data of a submission of type t (json.Valid must
// hold): dups is nil, or has one entry per document (of those up to the
// last with a repeated key), nil for a document without one.
func scanJSON(t MsgType, data []byte, at int) (dups [][]FieldError, atPath string) {
	s := &jsonScan{data: data, at: at}
	node := t.NodeName()
	s.ws()
	if s.i < len(data) && data[s.i] == '[' {
		s.i++
		for k := 0; ; k++ {
			s.ws()
			if s.i >= len(data) || data[s.i] == ']' {
				break
			}
			s.doc = k
			s.path = append(strconv.AppendInt(append(append(s.path[:0], node...), '['), int64(k), 10), ']')
			s.value()
			s.ws()
			if s.i < len(data) && data[s.i] == ',' {
				s.i++
			}
		}
	} else {
		s.path = append(s.path[:0], node+"[0]"...)
		s.value()
	}
	return s.dups, s.atPath
}

func (s *jsonScan) ws() {
	for s.i < len(s.data) {
		switch s.data[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// locate records the current path when the token data[from:s.i] holds
// offset at.
func (s *jsonScan) locate(from int) {
	if !s.atFound && s.at >= from && s.at < s.i {
		s.atPath, s.atFound = strings.ToValidUTF8(string(s.path), "\uFFFD"), true
	}
}

// str reads a string token and returns its raw content, escapes included.
func (s *jsonScan) str() []byte {
	start := s.i
	s.i++ // the opening quote
	for s.i < len(s.data) {
		switch s.data[s.i] {
		case '\\':
			s.i += 2
			continue
		case '"':
			s.i++
			return s.data[start+1 : s.i-1]
		}
		s.i++
	}
	return s.data[start+1:]
}

func (s *jsonScan) value() {
	if s.i >= len(s.data) {
		return
	}
	start := s.i
	switch s.data[s.i] {
	case '{':
		s.object()
	case '[':
		s.i++
		n := len(s.path)
		for k := 0; ; k++ {
			s.ws()
			if s.i >= len(s.data) || s.data[s.i] == ']' {
				s.i++
				return
			}
			s.path = append(strconv.AppendInt(append(s.path[:n], '['), int64(k), 10), ']')
			s.value()
			s.path = s.path[:n]
			s.ws()
			if s.i < len(s.data) && s.data[s.i] == ',' {
				s.i++
			}
		}
	case '"':
		s.str()
		s.locate(start)
	default: // number, true, false, null
		for s.i < len(s.data) && !strings.ContainsRune(",}] \t\r\n", rune(s.data[s.i])) {
			s.i++
		}
	}
}

func (s *jsonScan) object() {
	s.i++ // {
	n := len(s.path)
	keys := len(s.keys) // this object's keys are s.keys[keys:]
	defer func() { s.keys = s.keys[:keys] }()
	for {
		s.ws()
		if s.i >= len(s.data) || s.data[s.i] != '"' {
			s.i++ // }
			return
		}
		start := s.i
		name := s.str()
		if bytes.IndexByte(name, '\\') >= 0 {
			var unq string
			if json.Unmarshal(s.data[start:s.i], &unq) == nil {
				name = []byte(unq)
			}
		}
		s.path = append(append(s.path[:n], '.'), name...)
		s.locate(start)
		// encoding/json matches a key to a field with bytes.EqualFold.
		for _, k := range s.keys[keys:] {
			if bytes.EqualFold(k, name) {
				s.duplicate(string(name))
				break
			}
		}
		s.keys = append(s.keys, name)
		s.ws()
		s.i++ // :
		s.ws()
		s.value()
		s.path = s.path[:n]
		s.ws()
		if s.i < len(s.data) && s.data[s.i] == ',' {
			s.i++
		}
	}
}

func (s *jsonScan) duplicate(name string) {
	for len(s.dups) <= s.doc {
		s.dups = append(s.dups, nil)
	}
	s.dups[s.doc] = append(s.dups[s.doc], FieldError{Path: strings.ToValidUTF8(string(s.path), "\uFFFD"), Rule: "duplicate", Param: "1",
		Message: strings.ToValidUTF8(name, "\uFFFD") + " is given more than once in one object"})
}

// utf8Error is the *InputError for bytes that are not UTF-8 at offset off.
func utf8Error(path string, off int, what string) *InputError {
	return &InputError{Offset: off, Err: FieldError{Path: path, Rule: "utf8", Message: inputName(path) + " " + what}}
}

// inputName names the element at path in a message, "the body" outside
// any element.
func inputName(path string) string {
	if path == "" {
		return "the body"
	}
	return nodeName(path)
}

// invalidUTF8 returns the offset of the first byte of data that is not
// UTF-8, or -1.
func invalidUTF8(data []byte) int {
	for i := 0; i < len(data); {
		if data[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return -1
}
