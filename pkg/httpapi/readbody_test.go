package httpapi_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/httpapi"
)

// TestReadBodyKeepsTheReadFailure: a body whose read fails is 0001 with
// a message that does not quote the failure (a network error names
// addresses), and the failure stays its cause, so
// errors.Is tells a timeout from a reset and the log line carries it.
func TestReadBodyKeepsTheReadFailure(t *testing.T) {
	cause := &os.SyscallError{Syscall: "read", Err: os.ErrDeadlineExceeded}
	req := httptest.NewRequest("POST", "/v1/ceb", io.NopCloser(iotest.ErrReader(cause)))
	rec := httptest.NewRecorder()
	_, err := httpapi.ReadBody(rec, req)
	var e *errcode.Error
	if !errors.As(err, &e) || e.Code != errcode.MessageFormat {
		t.Fatalf("ReadBody = %v, want a %s error", err, errcode.MessageFormat)
	}
	if want := "body not readable: the connection failed while sending it; send it again"; e.Message != want {
		t.Errorf("message %q, want %q", e.Message, want)
	}
	if strings.Contains(e.Message, "deadline") || strings.Contains(e.Message, "read") && strings.Contains(e.Message, "tcp") {
		t.Errorf("the message %q carries the cause: it would name addresses", e.Message)
	}
	if !errors.Is(err, os.ErrDeadlineExceeded) || !errors.Is(e.Cause(), cause) {
		t.Errorf("the read failure is not the cause: %v", e.Cause())
	}
	httpapi.WriteError(rec, err, nil)
	var p httpapi.Problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	if rec.Code != 400 || p.Detail != e.Message {
		t.Errorf("answer %d with detail %q, want 400 with %q", rec.Code, p.Detail, e.Message)
	}

	big := httptest.NewRequest("POST", "/v1/ceb", strings.NewReader(strings.Repeat("x", httpapi.MaxBody+1)))
	if _, err := httpapi.ReadBody(httptest.NewRecorder(), big); errcode.Of(err) != errcode.TooLarge {
		t.Errorf("a body over the limit: %v, want %s", err, errcode.TooLarge)
	}
}

type sample struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// TestReadJSON: one JSON value of the target's fields, sent as
// application/json within the limit, and nothing else.
func TestReadJSON(t *testing.T) {
	cases := []struct {
		name, contentType, body string
		limit                   int64
		want                    errcode.Code // "" when read
	}{
		{"a value", "application/json", `{"name":"a","count":2}`, 0, ""},
		{"with a charset", "application/json; charset=utf-8", ` {"name":"a"} ` + "\n", 0, ""},
		{"no content type", "", `{"name":"a"}`, 0, errcode.UnsupportedMediaType},
		{"xml", "application/xml", `{"name":"a"}`, 0, errcode.UnsupportedMediaType},
		{"empty", "application/json", " \n", 0, errcode.BadRequest},
		{"a misspelt field", "application/json", `{"title":"a"}`, 0, errcode.BadRequest},
		{"a wrong type", "application/json", `{"count":"2"}`, 0, errcode.BadRequest},
		{"not JSON", "application/json", `name=a`, 0, errcode.BadRequest},
		{"two values", "application/json", `{"name":"a"}{"name":"b"}`, 0, errcode.BadRequest},
		{"trailing text", "application/json", `{"name":"a"} x`, 0, errcode.BadRequest},
		{"over the limit", "application/json", `{"name":"` + strings.Repeat("a", 20) + `"}`, 16, errcode.TooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "/v1/x", strings.NewReader(c.body))
			if c.contentType != "" {
				req.Header.Set("Content-Type", c.contentType)
			}
			var v sample
			err := httpapi.ReadJSON(httptest.NewRecorder(), req, &v, c.limit)
			if errcode.Of(err) != c.want || (c.want == "") != (err == nil) {
				t.Fatalf("ReadJSON = %v, want code %q", err, c.want)
			}
			if c.want == "" && v.Name != "a" {
				t.Fatalf("read %+v", v)
			}
		})
	}
}

// TestReadOptionalJSON: an empty body, of any content type, leaves the
// target as it was; one that is not empty is read as ReadJSON reads it.
func TestReadOptionalJSON(t *testing.T) {
	for _, ct := range []string{"", "text/plain", "application/json"} {
		req := httptest.NewRequest("POST", "/v1/x", strings.NewReader(""))
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		v := sample{Name: "kept"}
		if err := httpapi.ReadOptionalJSON(httptest.NewRecorder(), req, &v, 0); err != nil || v.Name != "kept" {
			t.Fatalf("empty body as %q: %v, %+v", ct, err, v)
		}
	}
	req := httptest.NewRequest("POST", "/v1/x", strings.NewReader(`{"name":"a"}`))
	if err := httpapi.ReadOptionalJSON(httptest.NewRecorder(), req, &sample{}, 0); errcode.Of(err) != errcode.UnsupportedMediaType {
		t.Fatalf("a body without its content type: %v", err)
	}
	req = httptest.NewRequest("POST", "/v1/x", strings.NewReader(`{"extra":1}`))
	req.Header.Set("Content-Type", "application/json")
	if err := httpapi.ReadOptionalJSON(httptest.NewRecorder(), req, &sample{}, 0); errcode.Of(err) != errcode.BadRequest {
		t.Fatalf("an unknown field: %v", err)
	}
}

// TestReadJSONKeepsTheReadFailure: a failed read is a 400 whose message
// does not quote the connection's error, which stays its cause.
func TestReadJSONKeepsTheReadFailure(t *testing.T) {
	cause := &os.SyscallError{Syscall: "read", Err: os.ErrDeadlineExceeded}
	req := httptest.NewRequest("POST", "/v1/x", io.NopCloser(iotest.ErrReader(cause)))
	req.Header.Set("Content-Type", "application/json")
	err := httpapi.ReadJSON(httptest.NewRecorder(), req, &sample{}, 0)
	var e *errcode.Error
	if !errors.As(err, &e) || e.Code != errcode.BadRequest || strings.Contains(e.Message, "deadline") || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("ReadJSON = %#v", err)
	}
}
