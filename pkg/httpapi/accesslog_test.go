package httpapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cbec/cbec/pkg/clock"
	"github.com/cbec/cbec/pkg/httpapi"
)

// accessLines are the access lines in a JSON log.
func accessLines(t *testing.T, log *bytes.Buffer) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(log.String()), "\n") {
		if l == "" {
			continue
		}
		var v map[string]any
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("not JSON: %s", l)
		}
		if v["msg"] == "http request" {
			lines = append(lines, v)
		}
	}
	return lines
}

// accessLine is the one access line of the request with id.
func accessLine(t *testing.T, log *bytes.Buffer, id string) map[string]any {
	t.Helper()
	var found []map[string]any
	for _, l := range accessLines(t, log) {
		if l["request_id"] == id {
			found = append(found, l)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d access lines for request %s in:\n%s", len(found), id, log.String())
	}
	return found[0]
}

func TestAccessLog(t *testing.T) {
	clk := clock.NewFixed(time.Date(2025, 3, 10, 10, 0, 0, 0, time.UTC))
	auth := &httpapi.Auth{Parties: testParties(t)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /things/{id}", func(w http.ResponseWriter, r *http.Request) {
		if _, err := auth.Party(r); err != nil {
			httpapi.WriteError(w, err, nil)
			return
		}
		clk.Advance(1500 * time.Microsecond)
		_, _ = io.WriteString(w, "thing")
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	mux.HandleFunc("GET /panic", func(http.ResponseWriter, *http.Request) { panic("boom") })
	var log bytes.Buffer
	level := new(slog.LevelVar)
	mw := &httpapi.Middleware{Log: slog.New(slog.NewJSONHandler(&log, &slog.HandlerOptions{Level: level})),
		Quiet: []string{"GET /healthz"}, Clock: clk}
	h := mw.Wrap(mux)

	// An authenticated request: its route is the pattern, never the path
	// with its key, and nothing of the query or the API key appears.
	a := call(t, h, "GET", "/things/ORDER-0001?buyerIdNumber=110101199001011237", "Authorization", "Bearer good-key", "X-Request-Id", "req-1")
	if a.code != 200 || a.hdr.Get(httpapi.HeaderRequestID) != "req-1" {
		t.Fatalf("%d %s, id %q", a.code, a.body, a.hdr.Get(httpapi.HeaderRequestID))
	}
	l := accessLine(t, &log, "req-1")
	want := map[string]any{"level": "INFO", "method": "GET", "route": "GET /things/{id}", "status": 200.0,
		"bytes": 5.0, "latency_ms": 1.5, "party": "P1"}
	for k, v := range want {
		if l[k] != v {
			t.Errorf("%s = %v, want %v in %v", k, l[k], v, l)
		}
	}
	for _, leak := range []string{"ORDER-0001", "110101199001011237", "good-key", "buyerIdNumber"} {
		if strings.Contains(log.String(), leak) {
			t.Errorf("the log holds %q: %s", leak, log.String())
		}
	}

	// Without X-Request-Id the line has the id the response was given; a
	// failed authentication has no party, and the problem's bytes count.
	log.Reset()
	a = call(t, h, "GET", "/things/2", "Authorization", "Bearer wrong-key")
	l = accessLine(t, &log, a.hdr.Get(httpapi.HeaderRequestID))
	if _, ok := l["party"]; ok || l["status"] != 401.0 || l["bytes"] != float64(len(a.body)) {
		t.Errorf("unauthenticated: %v (body %d bytes)", l, len(a.body))
	}
	if strings.Contains(log.String(), "wrong-key") {
		t.Errorf("the log holds the key sent: %s", log.String())
	}

	log.Reset()
	a = call(t, h, "DELETE", "/nowhere/3")
	if l = accessLine(t, &log, a.hdr.Get(httpapi.HeaderRequestID)); l["route"] != "unmatched" || l["status"] != 404.0 {
		t.Errorf("unmatched: %v", l)
	}
	log.Reset()
	a = call(t, h, "GET", "/panic")
	if l = accessLine(t, &log, a.hdr.Get(httpapi.HeaderRequestID)); l["route"] != "GET /panic" || l["status"] != 500.0 {
		t.Errorf("panic: %v", l)
	}

	// Probes are logged at debug level only.
	log.Reset()
	call(t, h, "GET", "/healthz")
	if n := len(accessLines(t, &log)); n != 0 {
		t.Errorf("a quiet route logged at info: %s", log.String())
	}
	level.Set(slog.LevelDebug)
	a = call(t, h, "GET", "/healthz")
	if l = accessLine(t, &log, a.hdr.Get(httpapi.HeaderRequestID)); l["level"] != "DEBUG" || l["route"] != "GET /healthz" {
		t.Errorf("quiet route at debug: %v", l)
	}
}
