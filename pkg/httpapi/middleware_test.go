package httpapi_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cbec/cbec/pkg/clock"
	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/httpapi"
	"github.com/cbec/cbec/pkg/party"
)

const secret = "nats: no responders available for request on $JS.API.STREAM.INFO.CEB_IN"

// testParties holds one party with key "good-key".
func testParties(t *testing.T) *party.Directory {
	t.Helper()
	d, err := party.Load(strings.NewReader(`parties:
  - {code: "P1", name: "one", roles: [ebp], keySha256: "` + party.HashKey("good-key") + `"}
`))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// server is a router behind the middleware, logging into log.
func server(t *testing.T, log *bytes.Buffer, failures *httpapi.FailureLimiter) http.Handler {
	t.Helper()
	auth := &httpapi.Auth{Parties: testParties(t)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /id", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, httpapi.RequestID(r.Context()))
	})
	mux.HandleFunc("GET /auth", func(w http.ResponseWriter, r *http.Request) {
		if _, err := auth.Party(r); err != nil {
			httpapi.WriteError(w, err, nil)
			return
		}
		_, _ = io.WriteString(w, "ok")
	})
	mux.HandleFunc("GET /plain", func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, secret, http.StatusServiceUnavailable)
	})
	mux.HandleFunc("GET /wrapped", func(w http.ResponseWriter, _ *http.Request) {
		httpapi.WriteError(w, errcode.Wrap(errcode.Unavailable, errors.New(secret), "storage temporarily unavailable; retry later"), nil)
	})
	mux.HandleFunc("GET /uncoded", func(w http.ResponseWriter, _ *http.Request) {
		httpapi.WriteError(w, fmt.Errorf("decode state: %w", errors.New(secret)), nil)
	})
	mux.HandleFunc("GET /page", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusForbidden)
		_, _ = io.WriteString(w, "<p>forbidden</p>")
	})
	mux.HandleFunc("GET /busy", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusTooManyRequests)
	})
	mux.HandleFunc("GET /panic", func(http.ResponseWriter, *http.Request) { panic(secret) })
	mux.HandleFunc("POST /only-post", func(http.ResponseWriter, *http.Request) {})
	mw := &httpapi.Middleware{Log: slog.New(slog.NewJSONHandler(log, nil)), Failures: failures}
	return mw.Wrap(mux)
}

type answer struct {
	code int
	hdr  http.Header
	body string
	p    httpapi.Problem
}

func call(t *testing.T, h http.Handler, method, target string, hdr ...string) answer {
	t.Helper()
	r := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	if ra := r.Header.Get("Remote-Addr"); ra != "" {
		r.RemoteAddr = ra
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	a := answer{code: w.Code, hdr: w.Header(), body: w.Body.String()}
	if w.Code >= 400 {
		if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") && !strings.HasPrefix(ct, "text/html") {
			t.Fatalf("%s %s: %d with Content-Type %q", method, target, w.Code, ct)
		}
		if strings.HasPrefix(w.Header().Get("Content-Type"), "application/problem+json") {
			if err := json.Unmarshal(w.Body.Bytes(), &a.p); err != nil {
				t.Fatalf("%s %s: not a problem: %s", method, target, a.body)
			}
			if a.p.RequestID == "" || a.p.RequestID != w.Header().Get(httpapi.HeaderRequestID) {
				t.Fatalf("%s %s: requestId %q, header %q", method, target, a.p.RequestID, w.Header().Get(httpapi.HeaderRequestID))
			}
		}
	}
	return a
}

func TestRequestID(t *testing.T) {
	var log bytes.Buffer
	h := server(t, &log, nil)
	a := call(t, h, "GET", "/id")
	id := a.hdr.Get(httpapi.HeaderRequestID)
	if id == "" || a.body != id {
		t.Fatalf("generated id: header %q, context %q", id, a.body)
	}
	if a.hdr.Get("X-Content-Type-Options") != "nosniff" {
		t.Error("responses are nosniff")
	}
	if b := call(t, h, "GET", "/id"); b.body == id {
		t.Fatal("two requests share an id")
	}
	a = call(t, h, "GET", "/id", "X-Request-Id", "client-1.abc:2_x")
	if a.hdr.Get(httpapi.HeaderRequestID) != "client-1.abc:2_x" || a.body != "client-1.abc:2_x" {
		t.Fatalf("a well-formed client id is adopted: %q %q", a.hdr.Get(httpapi.HeaderRequestID), a.body)
	}
	for _, bad := range []string{"has space", "quote\"", "<script>", strings.Repeat("a", httpapi.MaxRequestIDLen+1), "ünicode"} {
		a = call(t, h, "GET", "/id", "X-Request-Id", bad)
		if got := a.hdr.Get(httpapi.HeaderRequestID); got == bad || got == "" || a.body != got {
			t.Errorf("client id %q: answered %q, context %q", bad, got, a.body)
		}
	}
}

func TestEveryErrorIsAProblem(t *testing.T) {
	var log bytes.Buffer
	h := server(t, &log, nil)
	cases := []struct {
		method, path string
		status       int
		code         errcode.Code
	}{
		{"GET", "/nowhere", 404, errcode.NotFound},
		{"GET", "/only-post", 405, errcode.MethodNotAllowed},
		{"GET", "/plain", 503, errcode.Unavailable},
		{"GET", "/wrapped", 503, errcode.Unavailable},
		{"GET", "/uncoded", 500, errcode.Internal},
		{"GET", "/busy", 429, errcode.TooManyRequests},
		{"GET", "/panic", 500, errcode.Internal},
		{"GET", "/auth", 401, errcode.Unauthenticated},
	}
	for _, c := range cases {
		log.Reset()
		a := call(t, h, c.method, c.path)
		if a.code != c.status || a.p.Code != c.code || a.p.Status != c.status {
			t.Errorf("%s %s: %d %s, want %d %s: %s", c.method, c.path, a.code, a.p.Code, c.status, c.code, a.body)
			continue
		}
		if strings.Contains(a.body, "nats") || strings.Contains(a.body, "$JS") {
			t.Errorf("%s %s: internal text reaches the client: %s", c.method, c.path, a.body)
		}
		if c.status >= 500 {
			// The cause is in the log, under the request id.
			line := log.String()
			if !strings.Contains(line, `"request_id":"`+a.p.RequestID+`"`) || !strings.Contains(line, "no responders") {
				t.Errorf("%s %s: the log lacks the cause or the request id: %s", c.method, c.path, line)
			}
		}
	}
	if a := call(t, h, "GET", "/only-post"); a.hdr.Get("Allow") != "POST" || !strings.Contains(a.p.Detail, "POST") {
		t.Errorf("405 keeps Allow: %q %q", a.hdr.Get("Allow"), a.p.Detail)
	}
	if a := call(t, h, "GET", "/uncoded"); !strings.Contains(a.p.Detail, a.p.RequestID) {
		t.Errorf("an internal error's detail names the request id: %q", a.p.Detail)
	}
	if a := call(t, h, "GET", "/busy"); a.hdr.Get("Retry-After") == "" {
		t.Error("a 429 without Retry-After")
	}
	if a := call(t, h, "GET", "/page"); a.code != 403 || a.body != "<p>forbidden</p>" {
		t.Errorf("an HTML error page passes: %d %s", a.code, a.body)
	}
}

func TestFailedAuthenticationIsLimitedPerAddress(t *testing.T) {
	var log bytes.Buffer
	clk := clock.NewFixed(time.Date(2025, 3, 10, 10, 0, 0, 0, time.UTC))
	h := server(t, &log, httpapi.NewFailureLimiter(1, 3, clk))
	const a1, a2 = "192.0.2.1:1000", "198.51.100.7:2000"
	bad := func(addr string) answer {
		return call(t, h, "GET", "/auth", "Authorization", "Bearer wrong", "Remote-Addr", addr)
	}
	for i := range 3 {
		if a := bad(a1); a.code != 401 {
			t.Fatalf("failure %d within the burst: %d %s", i+1, a.code, a.body)
		}
	}
	a := bad(a1)
	if a.code != 429 || a.p.Code != errcode.TooManyRequests || a.hdr.Get("Retry-After") != "1" {
		t.Fatalf("failure over the burst: %d %s Retry-After %q", a.code, a.body, a.hdr.Get("Retry-After"))
	}
	if !strings.Contains(log.String(), "failed authentications limited") {
		t.Errorf("the limit is not logged: %s", log.String())
	}
	// No key at all counts the same.
	if a := call(t, h, "GET", "/auth", "Remote-Addr", a1); a.code != 429 {
		t.Fatalf("missing key over the limit: %d", a.code)
	}
	// While limited, no key from the address is looked at, a right one
	// included: the guesser learns nothing until Retry-After.
	if a := call(t, h, "GET", "/auth", "Authorization", "Bearer good-key", "Remote-Addr", a1); a.code != 429 || a.hdr.Get("Retry-After") != "1" {
		t.Fatalf("good key from a limited address: %d %s", a.code, a.body)
	}
	// A right key from an address within its limit is never slowed.
	for range 10 {
		if a := call(t, h, "GET", "/auth", "Authorization", "Bearer good-key", "Remote-Addr", a2); a.code != 200 {
			t.Fatalf("good key from a clean address: %d %s", a.code, a.body)
		}
	}
	// Another address has its own bucket; the port does not matter.
	if a := bad(a2); a.code != 401 {
		t.Fatalf("other address: %d", a.code)
	}
	if a := bad("192.0.2.1:1001"); a.code != 429 {
		t.Fatalf("same host, other port: %d", a.code)
	}
	clk.Advance(time.Second)
	if a := call(t, h, "GET", "/auth", "Authorization", "Bearer good-key", "Remote-Addr", a1); a.code != 200 {
		t.Fatalf("good key once Retry-After has passed: %d %s", a.code, a.body)
	}
	if a := bad(a1); a.code != 401 {
		t.Fatalf("a token back after a second: %d", a.code)
	}
	if a := bad(a1); a.code != 429 {
		t.Fatalf("and only one: %d", a.code)
	}
	// IPv6 addresses of one /64 share a bucket.
	for i := range 3 {
		bad(fmt.Sprintf("[2001:db8:1:2::%x]:443", i+1))
	}
	if a := bad("[2001:db8:1:2:ffff::1]:443"); a.code != 429 {
		t.Fatalf("same /64: %d", a.code)
	}
	if a := bad("[2001:db8:1:3::1]:443"); a.code != 401 {
		t.Fatalf("other /64: %d", a.code)
	}
}

func TestFailureLimiterIsBounded(t *testing.T) {
	clk := clock.NewFixed(time.Date(2025, 3, 10, 10, 0, 0, 0, time.UTC))
	l := httpapi.NewFailureLimiter(2, 4, clk)
	l.MaxAddresses = 100
	for i := range 100 {
		if wait, _ := l.Fail(fmt.Sprintf("10.0.%d.%d", i/256, i%256)); wait != 0 {
			t.Fatalf("address %d refused", i)
		}
	}
	// Full: a new address's failure is refused until buckets refill.
	if wait, _ := l.Fail("10.1.0.1"); wait == 0 {
		t.Fatal("a failure beyond MaxAddresses passed while every bucket is in use")
	}
	if n := l.Tracked(); n != 100 {
		t.Fatalf("tracked %d, want 100", n)
	}
	// After burst/rate seconds every bucket is full again: they are
	// dropped, and the newcomer gets one.
	clk.Advance(2 * time.Second)
	if wait, _ := l.Fail("10.1.0.1"); wait != 0 {
		t.Fatal("refused after the buckets refilled")
	}
	if n := l.Tracked(); n != 1 {
		t.Fatalf("tracked %d after the sweep, want 1", n)
	}
	// Idle buckets go at the periodic sweep too.
	clk.Advance(2 * time.Minute)
	l.Fail("10.1.0.2")
	if n := l.Tracked(); n != 1 {
		t.Fatalf("tracked %d after an idle minute, want 1", n)
	}
	if httpapi.NewFailureLimiter(0, 10, nil) != nil {
		t.Fatal("rate 0 is no limit")
	}
}

func TestPartyRateAnswersRetryAfter(t *testing.T) {
	auth := &httpapi.Auth{Parties: testParties(t), Rate: 1}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /auth", func(w http.ResponseWriter, r *http.Request) {
		if _, err := auth.Party(r); err != nil {
			httpapi.WriteError(w, err, nil)
			return
		}
		_, _ = io.WriteString(w, "ok")
	})
	h := (&httpapi.Middleware{}).Wrap(mux)
	var last answer
	for range 4 { // burst 2×1+1 = 3
		last = call(t, h, "GET", "/auth", "Authorization", "Bearer good-key")
	}
	if last.code != 429 || last.p.Code != errcode.TooManyRequests || last.hdr.Get("Retry-After") != "1" {
		t.Fatalf("over the party's rate: %d %s Retry-After %q", last.code, last.body, last.hdr.Get("Retry-After"))
	}
}
