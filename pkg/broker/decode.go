package broker

import (
	"bytes"
	"fmt"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Decode reads into v a JSON value this system wrote itself: a stream
// message body or a bucket value (states, ledger rows, documents, notices,
// receipts). It is the one decoder of stored data.
//
// It is encoding/json/v2 (github.com/go-json-experiment/json mirrors the
// standard library's encoding/json/v2), which decodes a list's state or an
// order in about half the time of encoding/json; every decision reads
// several. Its stricter rules — names matched in their exact case, valid
// UTF-8, no duplicate names — hold for everything encoding/json writes from
// the same types. Input from outside (request bodies) is decoded with
// encoding/json instead, whose rules and error messages the API documents.
func Decode(b []byte, v any) error { return jsonv2.Unmarshal(b, v) }

// DecodeField decodes the member name of the JSON object b into v, skipping
// the members before it without decoding them; found is false when b has no
// such member.
func DecodeField(b []byte, name string, v any) (found bool, err error) {
	// A bytes.Buffer is parsed in place; any other reader is copied.
	dec := jsontext.NewDecoder(bytes.NewBuffer(b))
	if tok, err := dec.ReadToken(); err != nil {
		return false, err
	} else if tok.Kind() != '{' {
		return false, fmt.Errorf("decode %q: %v, not an object", name, tok.Kind())
	}
	for dec.PeekKind() == '"' {
		tok, err := dec.ReadToken()
		if err != nil {
			return false, err
		}
		if tok.String() == name {
			return true, jsonv2.UnmarshalDecode(dec, v)
		}
		if err := dec.SkipValue(); err != nil {
			return false, err
		}
	}
	// The end of the object, or the error that ended the loop early.
	if _, err := dec.ReadToken(); err != nil {
		return false, err
	}
	return false, nil
}
