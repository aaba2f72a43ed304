package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/cbec/cbec/pkg/errcode"
)

// ReadJSON reads a request's JSON body into v: the one way every JSON
// endpoint takes its body, except the gateway's CEB documents (which
// answer in CEB codes, gateway.DecodeJSON). It refuses
//   - a body not sent as application/json: 415 (errcode.UnsupportedMediaType);
//   - a body over limit bytes (MaxBody when limit is 0): 413 (errcode.TooLarge);
//   - an empty body, a body that is not one JSON value, and a field v does
//     not have (a misspelt field would otherwise be silently ignored): 400
//     (errcode.BadRequest), quoting the decoder, which only ever quotes the
//     caller's own JSON.
//
// A failed read is the connection's: its cause stays in the error for the
// log line, out of the answer (as ReadBody).
func ReadJSON(w http.ResponseWriter, r *http.Request, v any, limit int64) error {
	return readJSON(w, r, v, limit, false)
}

// ReadOptionalJSON is ReadJSON for an endpoint whose body may be left
// out: an empty body leaves v as it is, whatever its content type.
func ReadOptionalJSON(w http.ResponseWriter, r *http.Request, v any, limit int64) error {
	return readJSON(w, r, v, limit, true)
}

func readJSON(w http.ResponseWriter, r *http.Request, v any, limit int64, optional bool) error {
	if limit <= 0 {
		limit = MaxBody
	}
	// The content type is checked after reading when an empty body is
	// allowed: a client that sends nothing need not say what it is.
	if !optional {
		if err := RequireContentType(r, "application/json"); err != nil {
			return err
		}
	}
	body, err := readLimited(w, r, limit, errcode.BadRequest)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		if optional {
			return nil
		}
		return errcode.New(errcode.BadRequest, "body: empty; send a JSON object")
	}
	if optional {
		if err := RequireContentType(r, "application/json"); err != nil {
			return err
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errcode.New(errcode.BadRequest, "body: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errcode.New(errcode.BadRequest, "body: more than one JSON value")
	}
	return nil
}
