package broker

import (
	jsonv2 "github.com/go-json-experiment/json"
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
