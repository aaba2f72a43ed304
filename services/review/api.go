package review

import (
	"context"
	"encoding/base64"
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
	mux.HandleFunc("POST /v1/review/bulk/release", handleBulk(r, func(req *http.Request, p *party.Party, b BulkReleaseRequest) (BulkResponse, error) {
		return r.BulkRelease(req.Context(), p, b)
	}))
	mux.HandleFunc("POST /v1/review/officers/{code}/reassign", handleBulk(r, func(req *http.Request, p *party.Party, b ReassignQueueRequest) (BulkResponse, error) {
		return r.ReassignQueue(req.Context(), p, req.PathValue("code"), b)
	}))
	mux.HandleFunc("POST /v1/review/index/rebuild", r.handleRebuild)
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
	// DecidedBy keeps the cases an officer (a code or "me") decided; an
	// officer's closed cases are always their own.
	DecidedBy string
	// Limit bounds the cases of one page (1 to MaxPage, DefaultPage when
	// the query has none).
	Limit int
	// After is the cursor of the last case of the previous page, "" for
	// the first.
	After string
	// Before is the cursor of the first case of the following page, for
	// the page before it; at most one of After and Before is set.
	Before string
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

// ListResponse is one page of the queue: the cases that match, the cursors
// of the next page ("" on the last) and of the previous one, and per status the number of cases
// that match every filter but the status. A listing of open statuses
// counts the open cases only ("open", "300", "500"); "closed" and "all"
// are counted when the listing reads closed cases.
type ListResponse struct {
	Cases []CaseView `json:"cases"`
	Next  string     `json:"next,omitempty"`
	// Prev is the cursor of the page before (pass it as before); "" on
	// the first.
	Prev   string         `json:"prev,omitempty"`
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
	f := Filter{Status: get("status"), Platform: get("platform"), Rule: get("rule"), ClaimedBy: get("claimedBy"), DecidedBy: get("decidedBy")}
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
	for name, to := range map[string]*string{"after": &f.After, "before": &f.Before} {
		if a := get(name); a != "" {
			if _, _, ok := parseCursor(a); !ok || len(a) > 400 {
				return f, errcode.New(errcode.BadRequest, "%s %q is not a cursor of the queue", name, a)
			}
			*to = a
		}
	}
	if f.After != "" && f.Before != "" {
		return f, errcode.New(errcode.BadRequest, "a page is either after a cursor or before one, not both")
	}
	if len(f.DecidedBy) > 64 || len(f.ClaimedBy) > 64 {
		return f, errcode.New(errcode.BadRequest, "an officer code has at most 64 characters")
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
// Open statuses are answered from the index's open rows alone, so a page
// costs the same however many cases were ever closed; the cases an officer
// decided come from the rows their decided keys hold. Only a supervisor's
// look at closed cases without decidedBy reads every case.
func (r *Review) List(ctx context.Context, p *party.Party, f Filter) (ListResponse, error) {
	cases, err := r.candidates(ctx, p, f)
	if err != nil {
		return ListResponse{}, err
	}
	now := r.env.Clock.Now()
	resp := ListResponse{Cases: []CaseView{}, Counts: map[string]int{"open": 0}}
	if !isOpenStatus(f.Status) {
		resp.Counts["closed"], resp.Counts["all"] = 0, 0
	}
	claimed, decided := me(p, f.ClaimedBy), me(p, f.DecidedBy)
	var match []*Case
	for _, c := range cases {
		if !visible(p, c, now) ||
			(f.Platform != "" && c.EbpCode != f.Platform) ||
			(f.Rule != "" && !slices.Contains(c.Rules, f.Rule)) ||
			(decided != "" && !slices.Contains(c.Officers, decided)) ||
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
		if c.Open() {
			resp.Counts["open"]++
		} else {
			resp.Counts["closed"]++
		}
		if _, ok := resp.Counts["all"]; ok {
			resp.Counts["all"]++
		}
		if statusMatches(f.Status, c.Status) {
			match = append(match, c)
		}
	}
	slices.SortFunc(match, caseOrder)
	// The page: up to the limit after the cursor, or before it.
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultPage
	}
	i, j := 0, min(limit, len(match))
	if at, key, ok := parseCursor(f.After); ok {
		i = pageEdge(match, at, key, true)
		j = min(i+limit, len(match))
	} else if at, key, ok := parseCursor(f.Before); ok {
		j = pageEdge(match, at, key, false)
		i = max(j-limit, 0)
	}
	for _, c := range match[i:j] {
		// An index row carries what the queue filters on; the page shows
		// the case record.
		full, _, found, err := r.load(ctx, c.Key)
		if err != nil {
			return ListResponse{}, err
		}
		if !found {
			full = c
		}
		resp.Cases = append(resp.Cases, r.summary(full, now))
	}
	if j < len(match) && j > i {
		resp.Next = cursor(resp.Cases[len(resp.Cases)-1])
	}
	if i > 0 && j > i {
		resp.Prev = cursor(resp.Cases[0])
	}
	return resp, nil
}

// candidates are the cases the listing looks at: the open rows for an open
// status; for any other, an officer's decided cases (and, for "all", the
// open rows too), or for a supervisor without decidedBy every case.
func (r *Review) candidates(ctx context.Context, p *party.Party, f Filter) ([]*Case, error) {
	if isOpenStatus(f.Status) {
		return r.openRows(ctx)
	}
	officer := me(p, f.DecidedBy)
	if officer == "" && !p.Has(party.RoleSupervisor) {
		officer = p.Code
	}
	if officer == "" {
		return r.all(ctx)
	}
	decided, err := r.decidedCases(ctx, officer)
	if err != nil || f.Status != "all" {
		return decided, err
	}
	open, err := r.openRows(ctx)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, c := range decided {
		seen[c.Key] = true
	}
	for _, c := range open {
		if !seen[c.Key] {
			decided = append(decided, c)
		}
	}
	return decided, nil
}

// pageEdge is the index in sorted cases of the first case after the
// cursor (after) or of the first case not before it (!after).
func pageEdge(cases []*Case, at time.Time, key string, after bool) int {
	mark := &Case{RequestedAt: at}
	mark.Key = key
	i, found := slices.BinarySearchFunc(cases, mark, caseOrder)
	if found && after {
		i++
	}
	return i
}

// me reads "me" in an officer filter as the caller's code.
func me(p *party.Party, officer string) string {
	if officer == "me" {
		return p.Code
	}
	return officer
}

// caseOrder orders cases oldest request first, then by key.
func caseOrder(a, b *Case) int {
	if c := a.RequestedAt.Compare(b.RequestedAt); c != 0 {
		return c
	}
	return strings.Compare(a.Key, b.Key)
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
		if err := httpapi.ReadOptionalJSON(w, req, &body, 0); err != nil {
			httpapi.WriteError(w, err, nil)
			return
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

// handleBulk answers a bulk action: the caller, the JSON body of type T,
// and 200 with a result per case (some may have failed).
func handleBulk[T any](r *Review, run func(*http.Request, *party.Party, T) (BulkResponse, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, req *http.Request) {
		c, err := r.caller(req, req.Header.Get(CSRFHeader))
		if err != nil {
			httpapi.WriteError(w, err, nil)
			return
		}
		var body T
		if err := httpapi.ReadOptionalJSON(w, req, &body, 0); err != nil {
			httpapi.WriteError(w, err, nil)
			return
		}
		resp, err := run(req, c.Party, body)
		if err != nil {
			httpapi.WriteError(w, r.unavailable(err), nil)
			return
		}
		httpapi.WriteJSON(w, http.StatusOK, resp)
	}
}

// RebuildResponse is the answer of an index rebuild: how many cases it
// read.
type RebuildResponse struct {
	Cases int `json:"cases"`
}

// handleRebuild rebuilds the queue's index from the case records, for an
// operator or a supervisor (Bearer key only: not a desk action).
func (r *Review) handleRebuild(w http.ResponseWriter, req *http.Request) {
	p, err := r.auth.Party(req)
	if err != nil {
		httpapi.WriteError(w, err, nil)
		return
	}
	if !p.Has(party.RoleOperator) && !p.Has(party.RoleSupervisor) {
		httpapi.WriteError(w, errcode.New(errcode.Forbidden, "only an operator or a supervisor rebuilds the review index"), nil)
		return
	}
	n, err := r.Rebuild(req.Context())
	if err != nil {
		httpapi.WriteError(w, r.unavailable(err), nil)
		return
	}
	httpapi.Logger(req.Context(), r.env.Log).Info("review index rebuilt on request", "party", p.Code, "cases", n)
	httpapi.WriteJSON(w, http.StatusOK, RebuildResponse{Cases: n})
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
	return httpapi.StorageDown(err)
}
