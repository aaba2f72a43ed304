// Package httpapi holds what every cbec HTTP handler shares: authentication
// by API key, JSON and problem responses with the project's error codes, and
// body limits. Handlers in services use it so that every endpoint answers
// errors the same way.
package httpapi

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"

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
}

// WriteJSON writes v as JSON with the status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// WriteError writes err as application/problem+json with the status of its
// code. results, when not nil, carries per-document outcomes.
func WriteError(w http.ResponseWriter, err error, results any) {
	e := errcode.As(err)
	WriteProblem(w, errcode.HTTPStatus(e.Code), e, results)
}

// WriteProblem writes e with an explicit status.
func WriteProblem(w http.ResponseWriter, status int, e *errcode.Error, results any) {
	p := Problem{
		Type:    "urn:cbec:error:" + string(e.Code),
		Title:   errcode.Describe(e.Code),
		Status:  status,
		Code:    e.Code,
		Detail:  e.Message,
		Errors:  e.Details,
		Results: results,
	}
	if p.Title == "" {
		p.Title = http.StatusText(status)
	}
	w.Header().Set("Content-Type", "application/problem+json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(p)
}

// Auth authenticates requests by `Authorization: Bearer <key>` and limits
// each party's request rate.
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
	h := r.Header.Get("Authorization")
	key, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		return nil, errcode.New(errcode.Unauthenticated, "send the API key as Authorization: Bearer <key>")
	}
	p, ok := a.Parties.Authenticate(strings.TrimSpace(key))
	if !ok {
		return nil, errcode.New(errcode.Unauthenticated, "unknown API key")
	}
	if a.Rate > 0 && !a.limiter(p.Code).Allow() {
		return nil, errcode.New(errcode.TooManyRequests, "party %s exceeds %.0f requests per second", p.Code, a.Rate)
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
func ReadBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, errcode.New(errcode.TooLarge, "body larger than %d bytes", MaxBody)
	}
	if err != nil {
		return nil, errcode.New(errcode.MessageFormat, "body not readable: %v", err)
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
