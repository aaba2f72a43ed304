package ceb

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// DecodeJSON parses the JSON body of a declaration submission of type t
// (CEB311, 411, 511, 621, 623 or 625; CEB303, 403, 505, 507, 509, 603, 605
// or 701): one document object, or an array of them. Field names are the CEB element names ("OrderHead", "orderNo");
// unknown fields are rejected; amounts may be strings or numbers. An empty
// array is an error. It does not validate; call ValidateDocument.
func DecodeJSON(t MsgType, data []byte) ([]Declaration, error) {
	if !t.IsDeclaration() {
		return nil, fmt.Errorf("ceb: %q is not a declaration message type", t)
	}
	data = bytes.TrimSpace(bytes.TrimPrefix(data, utf8BOM))
	if len(data) == 0 {
		return nil, errors.New("ceb: empty JSON body")
	}
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
