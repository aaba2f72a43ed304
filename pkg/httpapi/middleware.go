package httpapi

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/cbec/cbec/pkg/clock"
	"github.com/cbec/cbec/pkg/errcode"
)

// HeaderRequestID carries the request id on every response, and on a request
// the client's own id, which cbec adopts when it is well formed.
const HeaderRequestID = "X-Request-Id"

// MaxRequestIDLen is the longest client request id adopted.
const MaxRequestIDLen = 128

// Middleware is what every HTTP request of the process passes through,
// around the router:
//
//   - a request id: the client's X-Request-Id when well formed (1 to 128
//     letters, digits, '-', '_', '.', ':'), else a random one; it is on the
//     response's X-Request-Id, in the request's context (RequestID, Logger)
//     and in every problem document (requestId);
//   - every error response is a problem document: an error written in
//     plain text or with no body (the router's 404 and 405, the file
//     server's, a handler's http.Error) is replaced by the problem of its
//     status; problem documents and the review desk's HTML pages pass;
//   - every 429 carries Retry-After;
//   - failed authentications are limited per client address (Failures,
//     through AuthFailed);
//   - every response is X-Content-Type-Options: nosniff;
//   - a handler's panic is logged with the request id and answered 500;
//   - every request is logged once it is answered, at info level (Quiet
//     routes at debug): one access line "http request" with its request id,
//     method, route pattern (never the raw path, which carries business
//     keys, nor the query), status, bytes of body sent, latency and — when
//     the request authenticated (SetParty) — the party's code. Nothing the
//     client sent beyond the method is repeated: no key, no document.
type Middleware struct {
	// Log is where the middleware and WriteError log; nil discards.
	Log *slog.Logger
	// Failures limits failed authentications per client address; nil
	// leaves them unlimited.
	Failures *FailureLimiter
	// Quiet are the route patterns whose access lines are logged at debug
	// level: health checks and scrapes, which would flood the log at info.
	Quiet []string
	// Clock times the requests; nil is the wall clock.
	Clock clock.Clock
}

// request is what the middleware keeps of a request, in its context.
type request struct {
	id       string
	addr     string
	log      *slog.Logger
	failures *FailureLimiter
	// party is the code of the party the request authenticated as, ""
	// until it does (SetParty). The handler sets it on the request's own
	// goroutine; the middleware reads it once the handler has returned.
	party string
}

type ctxKey struct{}

func fromContext(ctx context.Context) *request {
	rq, _ := ctx.Value(ctxKey{}).(*request)
	return rq
}

// RequestID returns the id of the request ctx belongs to, or "" outside the
// middleware.
func RequestID(ctx context.Context) string {
	if rq := fromContext(ctx); rq != nil {
		return rq.id
	}
	return ""
}

// Logger returns base with the request's id (attribute request_id) when ctx
// is a request's context, else base. Handlers log through it, so that every
// line about a request can be found by the id its client was given.
func Logger(ctx context.Context, base *slog.Logger) *slog.Logger {
	if id := RequestID(ctx); id != "" {
		return base.With("request_id", id)
	}
	return base
}

// SetParty records code as the party the request of ctx authenticated as,
// for its access line. Auth.Party calls it; a handler that authenticates
// otherwise (a session) calls it itself. Outside the middleware it does
// nothing.
func SetParty(ctx context.Context, code string) {
	if rq := fromContext(ctx); rq != nil {
		rq.party = code
	}
}

// ValidRequestID reports whether a client's X-Request-Id is adopted as is.
func ValidRequestID(id string) bool {
	if id == "" || len(id) > MaxRequestIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.', c == ':':
		default:
			return false
		}
	}
	return true
}

// Wrap returns next behind the middleware.
func (m *Middleware) Wrap(next http.Handler) http.Handler {
	base := m.Log
	if base == nil {
		base = slog.New(slog.DiscardHandler)
	}
	clk := m.Clock
	if clk == nil {
		clk = clock.System{}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := clk.Now()
		id := r.Header.Get(HeaderRequestID)
		if !ValidRequestID(id) {
			id = rand.Text()
		}
		rq := &request{id: id, addr: ClientAddr(r), log: base.With("request_id", id), failures: m.Failures}
		w.Header().Set(HeaderRequestID, id)
		// No response of cbec is meant to be sniffed into another type.
		w.Header().Set("X-Content-Type-Options", "nosniff")
		sent := &counter{ResponseWriter: w}
		rw := &writer{ResponseWriter: sent, req: r, rq: rq}
		// The router sets the route pattern on the request it is given
		// (r.Pattern): this one, read back for the access line.
		routed := r.WithContext(context.WithValue(r.Context(), ctxKey{}, rq))
		defer func() {
			if v := recover(); v != nil {
				if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
					panic(v) // net/http's way to abort a response: let it do so
				}
				rq.log.Error("http handler panicked", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				if rw.status == 0 {
					WriteProblem(rw, http.StatusInternalServerError, errcode.New(errcode.Internal, "internal error"), nil)
				}
			}
			if rw.discarded.Len() > 0 && rw.status >= 500 {
				rq.log.Warn("plain-text error answered as a problem", "method", r.Method, "path", r.URL.Path,
					"status", rw.status, "text", strings.TrimSpace(rw.discarded.String()))
			}
			m.logAccess(routed, rq, rw.status, sent.n, clk.Now().Sub(start))
		}()
		next.ServeHTTP(rw, routed)
	})
}

// logAccess writes the access line of r, answered with status (0: nothing
// written, which net/http answers 200) and n bytes of body.
func (m *Middleware) logAccess(r *http.Request, rq *request, status int, n int64, latency time.Duration) {
	route := r.Pattern
	if route == "" {
		route = "unmatched" // as the HTTP metrics label it
	}
	level := slog.LevelInfo
	if slices.Contains(m.Quiet, route) {
		level = slog.LevelDebug
	}
	ctx := context.Background()
	if !rq.log.Enabled(ctx, level) {
		return
	}
	if status == 0 {
		status = http.StatusOK
	}
	attrs := []slog.Attr{
		slog.String("method", r.Method), slog.String("route", route), slog.Int("status", status),
		slog.Int64("bytes", n), slog.Float64("latency_ms", float64(latency.Microseconds())/1000),
	}
	if rq.party != "" {
		attrs = append(attrs, slog.String("party", rq.party))
	}
	rq.log.LogAttrs(ctx, level, "http request", attrs...)
}

// counter counts the bytes of body sent to the client, problem documents
// that replaced a handler's error included.
type counter struct {
	http.ResponseWriter
	n int64
}

func (c *counter) Write(b []byte) (int, error) {
	n, err := c.ResponseWriter.Write(b)
	c.n += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (c *counter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// writer turns error responses that are not problem documents into
// problem documents and gives every 429 a Retry-After.
type writer struct {
	http.ResponseWriter
	req    *http.Request
	rq     *request
	status int
	// discard is set once the handler's own error body is replaced: what
	// it writes then is dropped (the first bytes are kept for the log).
	discard   bool
	discarded strings.Builder
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *writer) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *writer) WriteHeader(code int) {
	if w.status != 0 {
		return // a second WriteHeader; net/http would only log it
	}
	if code < 200 {
		w.ResponseWriter.WriteHeader(code) // informational, not final
		return
	}
	w.status = code
	h := w.Header()
	if code == http.StatusTooManyRequests && h.Get("Retry-After") == "" {
		h.Set("Retry-After", "1")
	}
	if code >= 400 && !isProblemOrPage(h.Get("Content-Type")) {
		w.discard = true
		w.writeStatusProblem(code)
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *writer) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if w.discard {
		if room := 512 - w.discarded.Len(); room > 0 {
			w.discarded.Write(b[:min(room, len(b))])
		}
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

// isProblemOrPage reports whether an error response already has the form
// cbec answers errors in: a problem document, or an HTML page of the desk
// (for a browser that asked for one).
func isProblemOrPage(ctype string) bool {
	mt, _, _ := strings.Cut(ctype, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	return mt == "application/problem+json" || mt == "text/html"
}

// statusCodes name the problem of an error status written without one.
var statusCodes = map[int]errcode.Code{
	http.StatusBadRequest:            errcode.BadRequest,
	http.StatusUnauthorized:          errcode.Unauthenticated,
	http.StatusForbidden:             errcode.Forbidden,
	http.StatusNotFound:              errcode.NotFound,
	http.StatusMethodNotAllowed:      errcode.MethodNotAllowed,
	http.StatusRequestEntityTooLarge: errcode.TooLarge,
	http.StatusUnsupportedMediaType:  errcode.UnsupportedMediaType,
	http.StatusTooManyRequests:       errcode.TooManyRequests,
	http.StatusServiceUnavailable:    errcode.Unavailable,
}

// writeStatusProblem answers the problem of status in place of the
// handler's own error. The detail says only what the status and the
// request say: the handler's text may carry internal detail.
func (w *writer) writeStatusProblem(status int) {
	code, ok := statusCodes[status]
	if !ok {
		code = errcode.BadRequest
		if status >= 500 {
			code = errcode.Internal
		}
	}
	var e *errcode.Error
	switch status {
	case http.StatusNotFound:
		e = errcode.New(code, "nothing at %s %s", w.req.Method, w.req.URL.Path)
	case http.StatusMethodNotAllowed:
		e = errcode.New(code, "%s is not allowed on %s; allowed: %s", w.req.Method, w.req.URL.Path, w.Header().Get("Allow"))
	default:
		e = errcode.New(code, "%s", strings.ToLower(http.StatusText(status)))
	}
	w.Header().Del("Content-Length")
	writeProblem(w.ResponseWriter, status, problem(status, e, w.rq.id, nil))
}

// middlewareOf finds the middleware's writer under w, if any.
func middlewareOf(w http.ResponseWriter) *writer {
	for w != nil {
		if mw, ok := w.(*writer); ok {
			return mw
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return nil
		}
		w = u.Unwrap()
	}
	return nil
}
