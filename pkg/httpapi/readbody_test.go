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
