// Package httpapi holds what every cbec HTTP handler shares: the middleware
// every request passes (request ids, problem documents for every error,
// Retry-After, the limit of failed authentications per client address),
// authentication by API key, JSON and problem responses with the project's
// error codes, and body limits. Handlers in services use it so that every
// endpoint answers errors the same way.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/party"
	"golang.org/x/time/rate"
)

// MaxBody is the largest request body accepted: 10 MiB.
const MaxBody = 10 << 20

// Problem is an RFC 9457 problem document carrying a cbec error code.
type Problem struct {
	Type    string           `json:"type"`
	Title   string           `json:"title"`
	Status  int              `json:"status"`
	Code    errcode.Code     `json:"code"`
	Detail  string           `json:"detail,omitempty"`
	Errors  []errcode.Detail `json:"errors,omitempty"`
	Results any              `json:"results,omitempty"`
	// RequestID is the request's id (X-Request-Id), under which the log
	// holds what the detail leaves out.
	RequestID string `json:"requestId,omitempty"`
}

// WriteJSON writes v as JSON with the status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// StorageDown is the answer to a read or write JetStream failed: 503, to be
// retried; WriteError logs the cause with the request id.
func StorageDown(err error) *errcode.Error {
	return errcode.Wrap(errcode.Unavailable, err, "storage temporarily unavailable; retry later")
}

// WriteError writes err as application/problem+json with the status of its
// code. results, when not nil, carries per-document outcomes.
func WriteError(w http.ResponseWriter, err error, results any) {
	SetRetryAfter(w, err)
	e := errcode.As(err)
	WriteProblem(w, errcode.HTTPStatus(e.Code), e, results)
}

// SetRetryAfter sets the Retry-After header when err says when to retry
// (a 429 of the rate limits). WriteError calls it; a handler answering
// err in another form (the desk's HTML pages) calls it itself.
func SetRetryAfter(w http.ResponseWriter, err error) {
	var re *retryError
	if errors.As(err, &re) {
		w.Header().Set("Retry-After", retrySeconds(re.after))
	}
}

// WriteProblem writes e with an explicit status. The cause of an error
// made by errcode.Wrap or errcode.As (a NATS or storage failure) is
// logged with the request id and never sent; an internal error's detail
// is generic. The problem carries the request id (requestId).
func WriteProblem(w http.ResponseWriter, status int, e *errcode.Error, results any) {
	LogFailure(w, status, e)
	writeProblem(w, status, problem(status, e, w.Header().Get(HeaderRequestID), results))
}

// LogFailure logs an error answered with status when the log has more to
// say than the answer: its cause (errcode.Wrap, errcode.As), or a 5xx. The
// line carries the request id, method and path when w is the middleware's.
// WriteProblem calls it; a handler answering e in another form (the desk's
// HTML pages) calls it itself.
func LogFailure(w http.ResponseWriter, status int, e *errcode.Error) {
	cause := e.Cause()
	if cause == nil && status < 500 {
		return
	}
	log, attrs := slog.Default(), []any{"status", status, "code", e.Code, "detail", e.Message}
	if mw := middlewareOf(w); mw != nil {
		log = mw.rq.log
		attrs = append(attrs, "method", mw.req.Method, "path", mw.req.URL.Path)
	}
	if cause != nil {
		attrs = append(attrs, "err", cause)
	}
	level := slog.LevelWarn
	if e.Code == errcode.Internal {
		level = slog.LevelError
	}
	log.Log(context.Background(), level, "request failed", attrs...)
}

// problem builds the problem document of e.
func problem(status int, e *errcode.Error, id string, results any) Problem {
	p := Problem{
		Type:      "urn:cbec:error:" + string(e.Code),
		Title:     errcode.Describe(e.Code),
		Status:    status,
		Code:      e.Code,
		Detail:    e.Message,
		Errors:    e.Details,
		Results:   results,
		RequestID: id,
	}
	if p.Title == "" {
		p.Title = http.StatusText(status)
	}
	if e.Code == errcode.Internal {
		// Whatever the message, an internal error tells the client nothing
		// but where the log has it.
		p.Detail = "internal error"
		if id != "" {
			p.Detail += "; quote request id " + id
		}
	}
	return p
}

func writeProblem(w http.ResponseWriter, status int, p Problem) {
	w.Header().Set("Content-Type", "application/problem+json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(p)
}

// Auth authenticates requests by `Authorization: Bearer <key>` and limits
// each party's request rate. A missing or unknown key counts against the
// client address's failed authentications (AuthFailed).
type Auth struct {
	Parties *party.Directory
	// Rate is the requests per second allowed to one party (0 = unlimited),
	// with a burst of twice that.
	Rate float64

	mu       sync.Mutex
	limiters map[string]*rate.Limiter
}

// Party returns the authenticated party of r, or a coded error (401, 429).
func (a *Auth) Party(r *http.Request) (*party.Party, error) {
	if err := AuthAllowed(r); err != nil {
		return nil, err
	}
	h := r.Header.Get("Authorization")
	key, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		return nil, AuthFailed(r, errcode.New(errcode.Unauthenticated, "send the API key as Authorization: Bearer <key>"))
	}
	p, ok := a.Parties.Authenticate(strings.TrimSpace(key))
	if !ok {
		return nil, AuthFailed(r, errcode.New(errcode.Unauthenticated, "unknown API key"))
	}
	SetParty(r.Context(), p.Code)
	if a.Rate > 0 {
		now := time.Now()
		res := a.limiter(p.Code).ReserveN(now, 1)
		if wait := res.DelayFrom(now); wait > 0 {
			res.CancelAt(now)
			return nil, &retryError{
				err:   errcode.New(errcode.TooManyRequests, "party %s exceeds %g requests per second", p.Code, a.Rate),
				after: wait,
			}
		}
	}
	return p, nil
}

func (a *Auth) limiter(code string) *rate.Limiter {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.limiters == nil {
		a.limiters = map[string]*rate.Limiter{}
	}
	l, ok := a.limiters[code]
	if !ok {
		l = rate.NewLimiter(rate.Limit(a.Rate), int(2*a.Rate)+1)
		a.limiters[code] = l
	}
	return l
}

// ReadBody reads at most MaxBody bytes of r's body, answering 413 beyond.
// A failed read is a CEB message format error (0001): ReadBody serves the
// CEB documents' endpoints; other JSON endpoints use ReadJSON.
func ReadBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	return readLimited(w, r, MaxBody, errcode.MessageFormat)
}

// readLimited reads at most limit bytes of r's body, answering 413
// beyond; a failed read is an error of code unreadable.
func readLimited(w http.ResponseWriter, r *http.Request, limit int64, unreadable errcode.Code) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, errcode.New(errcode.TooLarge, "body larger than %d bytes", limit)
	}
	if err != nil {
		// A failed read is the connection's (a timeout, a reset): the
		// cause is kept for errors.Is and the log line of the answer, and
		// kept out of the answer, whose text would name cbec's address.
		return nil, errcode.Wrap(unreadable, err, "body not readable: the connection failed while sending it; send it again")
	}
	return b, nil
}

// RequireContentType answers 415 unless r's media type is one of types.
func RequireContentType(r *http.Request, types ...string) error {
	ct := r.Header.Get("Content-Type")
	mt, _, _ := strings.Cut(ct, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	for _, t := range types {
		if mt == t {
			return nil
		}
	}
	return errcode.New(errcode.UnsupportedMediaType, "content type %q; send %s", ct, strings.Join(types, " or "))
}
