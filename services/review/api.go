package review

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/httpapi"
	"github.com/cbec/cbec/pkg/inventory"
	"github.com/cbec/cbec/pkg/party"
	reviewrule "github.com/cbec/cbec/pkg/review"
	"github.com/cbec/cbec/pkg/svc"
)

func (r *Review) apiRoutes(mux *svc.Router) {
	mux.HandleFunc("GET /v1/review/cases", r.handleList)
	mux.HandleFunc("GET /v1/review/cases/{key}", r.handleCase)
	for _, a := range reviewrule.Actions {
		mux.HandleFunc("POST /v1/review/cases/{key}/"+a, r.handleAction(a))
	}
}

// Filter selects cases of the queue; empty fields select everything.
type Filter struct {
	// Status is a CEB622 status, "open" (300 and 500, the default),
	// "closed" or "all".
	Status   string
	Platform string
	Rule     string
	// MinAge keeps cases waiting at least that long since the request.
	MinAge time.Duration
	// ClaimedBy is an officer code, "me" or "none".
	ClaimedBy string
	// Limit bounds the cases of one page (1 to MaxPage, DefaultPage when
	// the query has none).
	Limit int
	// After is the cursor of the last case of the previous page, "" for
	// the first.
	After string
}

// Page sizes of the queue.
const (
	DefaultPage = 100
	MaxPage     = 500
)

// cursor is a case's place in the queue's order (request time, then key),
// opaque to clients: base64url of the time and the key.
func cursor(c CaseView) string {
	return base64.RawURLEncoding.EncodeToString([]byte(c.RequestedAt.UTC().Format(time.RFC3339Nano) + "|" + c.Key))
}

// parseCursor reads a cursor; ok is false for a string that is not one.
func parseCursor(s string) (at time.Time, key string, ok bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return time.Time{}, "", false
	}
	ts, key, found := strings.Cut(string(b), "|")
	if !found {
		return time.Time{}, "", false
	}
	at, err = time.Parse(time.RFC3339Nano, ts)
	return at, key, err == nil
}

// queueOrder orders cases oldest request first, then by key.
func queueOrder(a, b CaseView) int {
	if c := a.RequestedAt.Compare(b.RequestedAt); c != 0 {
		return c
	}
	return strings.Compare(a.Key, b.Key)
}

// ListResponse is one page of the queue: the cases that match, the cursor
// of the next page ("" on the last), and per status the
// number of cases that match every filter but the status.
type ListResponse struct {
	Cases  []CaseView     `json:"cases"`
	Next   string         `json:"next,omitempty"`
	Counts map[string]int `json:"counts"`
}

// parseFilter reads the query; a bad value is a BadRequest.
func parseFilter(q map[string][]string) (Filter, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
		return ""
	}
	f := Filter{Status: get("status"), Platform: get("platform"), Rule: get("rule"), ClaimedBy: get("claimedBy")}
	if f.Status == "" {
		f.Status = "open"
	}
	if m := get("minAgeMinutes"); m != "" {
		n, err := strconv.Atoi(m)
		if err != nil || n < 0 || n > 1_000_000 {
			return f, errcode.New(errcode.BadRequest, "minAgeMinutes must be a whole number of minutes, not %q", m)
		}
		f.MinAge = time.Duration(n) * time.Minute
	}
	f.Limit = DefaultPage
	if l := get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > MaxPage {
			return f, errcode.New(errcode.BadRequest, "limit must be 1..%d, not %q", MaxPage, l)
		}
		f.Limit = n
	}
	if a := get("after"); a != "" {
		if _, _, ok := parseCursor(a); !ok || len(a) > 400 {
			return f, errcode.New(errcode.BadRequest, "after %q is not a cursor of the queue", a)
		}
		f.After = a
	}
	return f, nil
}

// statusMatches reports whether a case status fits the status filter.
func statusMatches(filter, status string) bool {
	switch filter {
	case "all":
		return true
	case "open":
		return status == inventory.StatusReview || status == inventory.StatusInspect
	case "closed":
		return status != inventory.StatusReview && status != inventory.StatusInspect
	}
	return filter == status
}

// visible reports whether p's queue shows c: a supervisor sees every case;
// an officer sees the open cases nobody else holds and the cases they
// decided.
func visible(p *party.Party, c *Case, now time.Time) bool {
	if p.Has(party.RoleSupervisor) {
		return true
	}
	if slices.Contains(c.Officers, p.Code) {
		return true
	}
	holder := c.ClaimedBy(now)
	return c.Open() && (holder == "" || holder == p.Code)
}

// List returns a page of p's queue under the filter, oldest request first.
func (r *Review) List(ctx context.Context, p *party.Party, f Filter) (ListResponse, error) {
	cases, err := r.all(ctx)
	if err != nil {
		return ListResponse{}, err
	}
	now := r.env.Clock.Now()
	resp := ListResponse{Cases: []CaseView{}, Counts: map[string]int{"open": 0, "closed": 0, "all": 0}}
	claimed := f.ClaimedBy
	if claimed == "me" {
		claimed = p.Code
	}
	for _, c := range cases {
		if !visible(p, c, now) ||
			(f.Platform != "" && c.EbpCode != f.Platform) ||
			(f.Rule != "" && !slices.Contains(c.Rules, f.Rule)) ||
			(f.MinAge > 0 && now.Sub(c.RequestedAt) < f.MinAge) {
			continue
		}
		switch holder := c.ClaimedBy(now); claimed {
		case "":
		case "none":
			if holder != "" {
				continue
			}
		default:
			if holder != claimed {
				continue
			}
		}
		resp.Counts[c.Status]++
		resp.Counts["all"]++
		if c.Open() {
			resp.Counts["open"]++
		} else {
			resp.Counts["closed"]++
		}
		if statusMatches(f.Status, c.Status) {
			resp.Cases = append(resp.Cases, r.summary(c, now))
		}
	}
	slices.SortFunc(resp.Cases, queueOrder)
	// The page: the cases after the cursor, up to the limit.
	if at, key, ok := parseCursor(f.After); ok {
		mark := CaseView{RequestedAt: at, Key: key}
		i, _ := slices.BinarySearchFunc(resp.Cases, mark, queueOrder)
		for i < len(resp.Cases) && queueOrder(resp.Cases[i], mark) <= 0 {
			i++
		}
		resp.Cases = resp.Cases[i:]
	}
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultPage
	}
	if len(resp.Cases) > limit {
		resp.Cases = resp.Cases[:limit]
		resp.Next = cursor(resp.Cases[limit-1])
	}
	return resp, nil
}

func (r *Review) handleList(w http.ResponseWriter, req *http.Request) {
	c, err := r.caller(req, "")
	if err != nil {
		httpapi.WriteError(w, err, nil)
		return
	}
	f, err := parseFilter(req.URL.Query())
	if err != nil {
		httpapi.WriteError(w, err, nil)
		return
	}
	resp, err := r.List(req.Context(), c.Party, f)
	if err != nil {
		httpapi.WriteError(w, r.unavailable(err), nil)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, resp)
}

// Case returns the detail of the case of key.
func (r *Review) Case(ctx context.Context, key string) (CaseView, error) {
	if !validKey(key) {
		return CaseView{}, errcode.New(errcode.NotFound, "no review case %q", key)
	}
	c, _, found, err := r.load(ctx, key)
	if err != nil {
		return CaseView{}, r.unavailable(err)
	}
	if !found {
		return CaseView{}, errcode.New(errcode.NotFound, "no review case %q", key)
	}
	v, err := r.detail(ctx, c)
	if err != nil {
		return v, r.unavailable(err)
	}
	return v, nil
}

func (r *Review) handleCase(w http.ResponseWriter, req *http.Request) {
	if _, err := r.caller(req, ""); err != nil {
		httpapi.WriteError(w, err, nil)
		return
	}
	v, err := r.Case(req.Context(), req.PathValue("key"))
	if err != nil {
		httpapi.WriteError(w, err, nil)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, v)
}

// handleAction performs an action; decisions answer 202 (clearance applies
// them asynchronously), the other actions 200, each with the case.
func (r *Review) handleAction(action string) http.HandlerFunc {
	return func(w http.ResponseWriter, req *http.Request) {
		c, err := r.caller(req, req.Header.Get(CSRFHeader))
		if err != nil {
			httpapi.WriteError(w, err, nil)
			return
		}
		var body ActionRequest
		raw, err := httpapi.ReadBody(w, req)
		if err != nil {
			httpapi.WriteError(w, err, nil)
			return
		}
		if len(bytes.TrimSpace(raw)) > 0 {
			if err := httpapi.RequireContentType(req, "application/json"); err != nil {
				httpapi.WriteError(w, err, nil)
				return
			}
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&body); err != nil {
				httpapi.WriteError(w, errcode.New(errcode.MessageFormat, "body: %v", err), nil)
				return
			}
		}
		cs, err := r.Act(req.Context(), c.Party, req.PathValue("key"), action, body)
		if err != nil {
			httpapi.WriteError(w, r.unavailable(err), nil)
			return
		}
		status := http.StatusOK
		if cs.Pending != nil && len(cs.Audit) > 0 && cs.Audit[len(cs.Audit)-1].Decision != nil {
			status = http.StatusAccepted
		}
		httpapi.WriteJSON(w, status, r.summary(cs, r.env.Clock.Now()))
	}
}

// unavailable maps an uncoded (storage) error to 503, keeping it as the
// cause that the answer logs with the request id; coded errors pass
// through.
func (r *Review) unavailable(err error) error {
	if e := errcode.Of(err); e != errcode.Internal {
		return err
	}
	var coded *errcode.Error
	if errors.As(err, &coded) {
		return err // errcode.As already made it Internal, with its cause
	}
	return errcode.Wrap(errcode.Unavailable, err, "storage temporarily unavailable; retry later")
}
