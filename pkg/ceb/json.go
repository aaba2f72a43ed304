package ceb

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// DecodeJSON parses the JSON body of a declaration submission of type t
// (CEB311, 411, 511, 621, 623 or 625; CEB303, 403, 505, 507, 509, 603, 605
// or 701): one document object, or an array of them. Field names are the CEB element names ("OrderHead", "orderNo");
// unknown fields are rejected; amounts may be strings or numbers. An empty
// array is an error, and so is a body that is not UTF-8 or escapes a lone
// surrogate: an *InputError naming the element path (rule utf8).
//
// dups is nil, or holds per document the keys given twice in one object
// (rule duplicate, path below NodeName()[i]): encoding/json keeps the last
// one, so the decoded document cannot show them; they make the document
// invalid as a ValidateDocument error would. It does not validate; call
// ValidateDocument.
func DecodeJSON(t MsgType, data []byte) (docs []Declaration, dups [][]FieldError, err error) {
	if !t.IsDeclaration() {
		return nil, nil, fmt.Errorf("ceb: %q is not a declaration message type", t)
	}
	data = bytes.TrimSpace(bytes.TrimPrefix(data, utf8BOM))
	if len(data) == 0 {
		return nil, nil, errors.New("ceb: empty JSON body")
	}
	// encoding/json would store U+FFFD in place of bytes that are not
	// UTF-8, and of an escaped lone surrogate, silently: refuse them, as
	// DecodeXML does, at the path of the value (or key) that holds them
	// when the body is JSON otherwise.
	if off := invalidUTF8(data); off >= 0 {
		return nil, nil, utf8Error(jsonPathAt(t, data, off), off, "is not UTF-8 text")
	}
	if off := loneSurrogate(data); off >= 0 {
		return nil, nil, utf8Error(jsonPathAt(t, data, off), off, `escapes half a surrogate pair ("\ud800"), which is no character`)
	}
	out, err := decodeJSONBody(t, data)
	if err != nil {
		return nil, nil, err
	}
	dups, _ = scanJSON(t, data, -1)
	return out, dups, nil
}

// jsonPathAt is the element path of the value or key of data that holds
// offset off, "" when data is not JSON.
func jsonPathAt(t MsgType, data []byte, off int) string {
	if !json.Valid(data) {
		return ""
	}
	_, p := scanJSON(t, data, off)
	return p
}

func decodeJSONBody(t MsgType, data []byte) ([]Declaration, error) {
	if data[0] != '[' {
		d, err := decodeJSONDocument(t, data)
		if err != nil {
			return nil, err
		}
		return []Declaration{d}, nil
	}
	// One pass over the array: each element is decoded straight into its
	// document, so a batch of 100 is parsed once, not twice.
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if _, err := dec.Token(); err != nil { // the '['
		return nil, fmt.Errorf("ceb: %w", err)
	}
	var out []Declaration
	for i := 0; dec.More(); i++ {
		d := NewDocument(t).(Declaration)
		if err := dec.Decode(d); err != nil {
			return nil, fmt.Errorf("%s[%d]: ceb: %w", t.NodeName(), i, err)
		}
		out = append(out, d)
	}
	if _, err := dec.Token(); err != nil { // the ']'
		return nil, fmt.Errorf("ceb: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("ceb: unexpected data after the JSON array")
	}
	if len(out) == 0 {
		return nil, errors.New("ceb: empty JSON array: no documents")
	}
	return out, nil
}

// loneSurrogate returns the offset of an escape in data, JSON text, of half
// of a UTF-16 surrogate pair without the other half, or -1. A backslash only
// occurs in a valid JSON text as an escape, so data needs no parsing.
func loneSurrogate(data []byte) int {
	for i := 0; i < len(data); i++ {
		if data[i] != '\\' {
			continue
		}
		r, ok := escapedRune(data, i)
		switch {
		case !ok:
			i++ // another escape ("\\" included): skip its character
		case r >= 0xDC00 && r <= 0xDFFF:
			return i
		case r >= 0xD800 && r <= 0xDBFF:
			if lo, ok := escapedRune(data, i+6); !ok || lo < 0xDC00 || lo > 0xDFFF {
				return i
			}
			i += 11
		default:
			i += 5
		}
	}
	return -1
}

// escapedRune reads the escape \uXXXX at data[i:].
func escapedRune(data []byte, i int) (rune, bool) {
	if i+6 > len(data) || data[i] != '\\' || data[i+1] != 'u' {
		return 0, false
	}
	n, err := strconv.ParseUint(string(data[i+2:i+6]), 16, 16)
	return rune(n), err == nil
}

func decodeJSONDocument(t MsgType, data []byte) (Declaration, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '{' {
		return nil, fmt.Errorf("ceb: a %s document must be a JSON object", t)
	}
	d := NewDocument(t).(Declaration)
	if err := strictUnmarshal(data, d); err != nil {
		return nil, fmt.Errorf("ceb: %w", err)
	}
	return d, nil
}

// strictUnmarshal is json.Unmarshal that rejects unknown fields and
// trailing data.
func strictUnmarshal(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("unexpected data after the JSON value")
	}
	return nil
}

// MarshalWith is json.Marshal of the object v followed by one more field,
// name, whose value raw is JSON cbec encoded itself (json.Marshal output):
// appended as it is, where a json.RawMessage field would be scanned and
// compacted again — costly when raw is the bulk of the object (a document
// in its store entry, a state in its event). v must encode as a JSON object
// without a field called name, and name needs no JSON escaping; an empty
// raw adds nothing.
func MarshalWith(v any, name string, raw []byte) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil || len(raw) == 0 {
		return b, err
	}
	if len(b) < 2 || b[len(b)-1] != '}' {
		return nil, fmt.Errorf("ceb: MarshalWith needs an object, got %.20s", b)
	}
	out := make([]byte, 0, len(b)+len(name)+len(raw)+5)
	out = append(out, b[:len(b)-1]...)
	if len(b) > 2 { // not {}
		out = append(out, ',')
	}
	out = append(out, '"')
	out = append(out, name...)
	out = append(out, `":`...)
	out = append(out, raw...)
	return append(out, '}'), nil
}
