package review

import (
	"bytes"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/httpapi"
	"github.com/cbec/cbec/pkg/inventory"
	"github.com/cbec/cbec/pkg/party"
	reviewrule "github.com/cbec/cbec/pkg/review"
	"github.com/cbec/cbec/pkg/risk"
	"github.com/cbec/cbec/pkg/svc"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pages are the desk's templates, each parsed with the layout.
var pages = func() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, p := range []string{"login", "queue", "case", "confirm", "error", "bulk"} {
		out[p] = template.Must(template.New("layout.html").ParseFS(templateFS, "templates/layout.html", "templates/"+p+".html"))
	}
	return out
}()

// confirmed are the actions the desk asks to confirm on a page of their
// own before it performs them; claim and notes need no confirmation.
var confirmed = []string{reviewrule.ActionUnclaim, reviewrule.ActionRelease, reviewrule.ActionReject, reviewrule.ActionInspect, reviewrule.ActionInspectionResult, reviewrule.ActionReassign}

// detentions are the statuses an inspection can detain a list in.
var detentions = []string{"501", "502", "503", "599"}

func (r *Review) deskRoutes(mux *svc.Router) {
	mux.HandleFunc("GET /review/{$}", r.deskQueue)
	mux.HandleFunc("GET /review/login", r.deskLoginPage)
	mux.HandleFunc("POST /review/login", r.deskLogin)
	mux.HandleFunc("POST /review/logout", r.deskLogout)
	mux.HandleFunc("GET /review/cases/{key}", r.deskCase)
	mux.HandleFunc("GET /review/cases/{key}/{action}", r.deskConfirm)
	mux.HandleFunc("POST /review/cases/{key}/{action}", r.deskAction)
	mux.HandleFunc("POST /review/bulk/release", r.deskBulkRelease)
	mux.HandleFunc("POST /review/officers/reassign", r.deskReassignQueue)
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /review/static/{file}", http.StripPrefix("/review/static/", http.FileServerFS(static)))
}

// page is what every desk template receives.
type page struct {
	L       Lang
	Title   string
	Officer *party.Party
	CSRF    string
	// LangHref switches the language on the current page.
	LangHref string
	Flash    string
	Error    string
	// Code is the error's code, whose meaning the error page gives in the
	// desk's language above the message.
	Code   errcode.Code
	Status int

	LoginToken string
	Queue      *ListResponse
	Filter     Filter
	MinAge     int
	Tabs       []tab
	// NextHref and PrevHref are the queue's next and previous pages, ""
	// on the last and the first.
	NextHref, PrevHref string
	// Bulk is the outcome of a bulk action, BulkTitle what it was.
	Bulk      *BulkResponse
	BulkTitle string
	// Rules are the risk rules of the queue's filter.
	Rules      []risk.Spec
	Case       *CaseView
	Action     string
	Detentions []string
	Docs       []string
	Can        map[string]bool
}

// tab is one status link of the queue with its count.
type tab struct {
	Status string
	Count  int
	// Counted is false for the closed statuses on a listing of open ones,
	// which does not read closed cases.
	Counted bool
	Href    string
	Current bool
}

// render writes the page with status; the template runs into a buffer so
// that a failing template never sends half a page.
func (r *Review) render(w http.ResponseWriter, req *http.Request, name string, status int, p *page) {
	q := req.URL.Query()
	q.Set("lang", string(map[Lang]Lang{English: Chinese, Chinese: English}[p.L]))
	p.LangHref = req.URL.Path + "?" + q.Encode()
	var buf bytes.Buffer
	if err := pages[name].Execute(&buf, p); err != nil {
		httpapi.Logger(req.Context(), r.env.Log).Error("desk template", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	// The desk loads nothing from elsewhere and cannot be framed.
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// deskError answers an error: an HTML page for a browser, a problem
// document for anything else.
func (r *Review) deskError(w http.ResponseWriter, req *http.Request, l Lang, who *Caller, err error) {
	err = r.unavailable(err)
	e := errcode.As(err)
	status := errcode.HTTPStatus(e.Code)
	if !wantsHTML(req) {
		httpapi.WriteError(w, err, nil)
		return
	}
	httpapi.SetRetryAfter(w, err)
	httpapi.LogFailure(w, status, e)
	msg := e.Message
	if status >= 500 {
		// The log has the cause under the id the response carries.
		msg += " (" + httpapi.HeaderRequestID + " " + httpapi.RequestID(req.Context()) + ")"
	}
	p := &page{L: l, Title: l.T("error"), Status: status, Error: msg, Code: e.Code}
	if who != nil {
		p.Officer = who.Party
		if who.Session != nil {
			p.CSRF = who.Session.CSRF
		}
	}
	r.render(w, req, "error", status, p)
}

// wantsHTML reports whether the client is a browser asking for a page;
// anything else gets problem documents like the rest of the API.
func wantsHTML(req *http.Request) bool {
	return strings.Contains(req.Header.Get("Accept"), "text/html")
}

// deskCaller authenticates a desk request. A browser without a session is
// sent to the sign-in page; anything else wrong is an error page.
func (r *Review) deskCaller(w http.ResponseWriter, req *http.Request, l Lang, csrf string) (*Caller, bool) {
	c, err := r.caller(req, csrf)
	if err == nil {
		return c, true
	}
	if errcode.Of(err) == errcode.Unauthenticated && req.Method == http.MethodGet && req.Header.Get("Authorization") == "" {
		http.Redirect(w, req, "/review/login", http.StatusSeeOther)
		return nil, false
	}
	r.deskError(w, req, l, nil, err)
	return nil, false
}

func newPage(l Lang, c *Caller, title string) *page {
	p := &page{L: l, Title: title, Officer: c.Party}
	if c.Session != nil {
		p.CSRF = c.Session.CSRF
	}
	return p
}

func (r *Review) deskLoginPage(w http.ResponseWriter, req *http.Request) {
	l := lang(w, req)
	if s, err := r.session(req); err == nil && s != nil {
		http.Redirect(w, req, "/review/", http.StatusSeeOther)
		return
	}
	r.loginForm(w, req, l, http.StatusOK, "")
}

// loginForm renders the sign-in page with a fresh double-submit token.
func (r *Review) loginForm(w http.ResponseWriter, req *http.Request, l Lang, status int, msg string) {
	tok := randomToken()
	setCookie(w, req, loginCookie, tok, 30*time.Minute)
	r.render(w, req, "login", status, &page{L: l, Title: l.T("signin"), LoginToken: tok, Error: msg})
}

// deskLogin signs an officer in with their API key. Only officers and
// supervisors get a session; every other party is refused with 403.
func (r *Review) deskLogin(w http.ResponseWriter, req *http.Request) {
	l := lang(w, req)
	req.Body = http.MaxBytesReader(w, req.Body, 64<<10)
	if err := req.ParseForm(); err != nil {
		r.deskError(w, req, l, nil, formError(err))
		return
	}
	ck, err := req.Cookie(loginCookie)
	if err != nil || !tokensEqual(req.PostForm.Get("token"), ck.Value) {
		r.deskError(w, req, l, nil, errcode.New(errcode.ReviewCSRF, "the sign-in form expired; reload the page"))
		return
	}
	// An address that failed too often is not heard until Retry-After.
	if err := httpapi.AuthAllowed(req); err != nil {
		if !wantsHTML(req) {
			httpapi.WriteError(w, err, nil)
			return
		}
		r.deskError(w, req, l, nil, err)
		return
	}
	p, ok := r.env.Parties.Authenticate(strings.TrimSpace(req.PostForm.Get("key")))
	if !ok {
		// A wrong key counts against the address like a wrong Bearer key;
		// past the limit the answer is 429, with Retry-After.
		err := httpapi.AuthFailed(req, errcode.New(errcode.Unauthenticated, "unknown API key"))
		if !wantsHTML(req) {
			httpapi.WriteError(w, err, nil)
			return
		}
		if errcode.Of(err) == errcode.TooManyRequests {
			r.deskError(w, req, l, nil, err)
			return
		}
		r.loginForm(w, req, l, http.StatusUnauthorized, l.T("signin.bad"))
		return
	}
	if err := customs(p); err != nil {
		httpapi.Logger(req.Context(), r.env.Log).Info("desk sign-in refused", "party", p.Code)
		if !wantsHTML(req) {
			httpapi.WriteError(w, err, nil)
			return
		}
		r.loginForm(w, req, l, http.StatusForbidden, l.T("signin.forbidden"))
		return
	}
	tok, _, err := r.newSession(req.Context(), p.Code)
	if err != nil {
		r.deskError(w, req, l, nil, err)
		return
	}
	httpapi.Logger(req.Context(), r.env.Log).Info("desk sign-in", "officer", p.Code)
	clearCookie(w, req, loginCookie)
	setCookie(w, req, SessionCookie, tok, SessionTTL)
	http.Redirect(w, req, "/review/", http.StatusSeeOther)
}

func (r *Review) deskLogout(w http.ResponseWriter, req *http.Request) {
	l := lang(w, req)
	req.Body = http.MaxBytesReader(w, req.Body, 64<<10)
	_ = req.ParseForm()
	if _, ok := r.deskCaller(w, req, l, req.PostForm.Get("csrf")); !ok {
		return
	}
	r.endSession(req)
	clearCookie(w, req, SessionCookie)
	http.Redirect(w, req, "/review/login", http.StatusSeeOther)
}

// queueTabs are the status links of the queue, in this order.
var queueTabs = []string{"open", inventory.StatusReview, inventory.StatusInspect, "closed",
	inventory.StatusReleased, inventory.StatusRejected, "501", "502", "503", "599", inventory.StatusCancelled, "all"}

func (r *Review) deskQueue(w http.ResponseWriter, req *http.Request) {
	l := lang(w, req)
	c, ok := r.deskCaller(w, req, l, "")
	if !ok {
		return
	}
	f, err := parseFilter(req.URL.Query())
	if err != nil {
		r.deskError(w, req, l, c, err)
		return
	}
	q, err := r.List(req.Context(), c.Party, f)
	if err != nil {
		r.deskError(w, req, l, c, err)
		return
	}
	p := newPage(l, c, l.T("queue"))
	p.Queue, p.Filter, p.MinAge = &q, f, int(f.MinAge/time.Minute)
	for _, s := range queueTabs {
		n, counted := q.Counts[s]
		if n == 0 && s != "open" && s != "closed" && s != "all" && s != f.Status {
			continue
		}
		v := req.URL.Query()
		v.Set("status", s)
		v.Del("lang")
		v.Del("after")
		p.Tabs = append(p.Tabs, tab{Status: s, Count: n, Counted: counted, Href: "/review/?" + v.Encode(), Current: s == f.Status})
	}
	p.NextHref = pageHref(req, "after", q.Next)
	p.PrevHref = pageHref(req, "before", q.Prev)
	p.Rules = r.env.CurrentRules().Risk.Rules()
	if d := req.URL.Query().Get("done"); slices.Contains(reviewrule.Actions, d) {
		p.Flash = flash(l, d)
	}
	r.render(w, req, "queue", http.StatusOK, p)
}

// pageHref is the queue with the same filters at the page of the cursor
// (after or before it), "" without a cursor.
func pageHref(req *http.Request, dir, cur string) string {
	if cur == "" {
		return ""
	}
	v := req.URL.Query()
	v.Del("after")
	v.Del("before")
	v.Del("lang")
	v.Del("done")
	v.Set(dir, cur)
	return "/review/?" + v.Encode()
}

// deskBulk reads a bulk form, runs the action and shows a result per case.
func (r *Review) deskBulk(w http.ResponseWriter, req *http.Request, title string, run func(*Caller, url.Values) (BulkResponse, error)) {
	l, c, ok := r.deskForm(w, req)
	if !ok {
		return
	}
	res, err := run(c, req.PostForm)
	if err != nil {
		r.deskError(w, req, l, c, err)
		return
	}
	p := newPage(l, c, l.T(title))
	p.Bulk, p.BulkTitle = &res, l.T(title)
	r.render(w, req, "bulk", http.StatusOK, p)
}

// deskBulkRelease releases the cases ticked on the queue of one rule.
func (r *Review) deskBulkRelease(w http.ResponseWriter, req *http.Request) {
	r.deskBulk(w, req, "bulk.release", func(c *Caller, f url.Values) (BulkResponse, error) {
		return r.BulkRelease(req.Context(), c.Party, BulkReleaseRequest{Keys: f["key"], Rule: f.Get("rule"), Reason: f.Get("reason")})
	})
}

// deskReassignQueue moves an officer's claims to another (supervisors).
func (r *Review) deskReassignQueue(w http.ResponseWriter, req *http.Request) {
	r.deskBulk(w, req, "bulk.reassign", func(c *Caller, f url.Values) (BulkResponse, error) {
		return r.ReassignQueue(req.Context(), c.Party, strings.TrimSpace(f.Get("from")), ReassignQueueRequest{Officer: f.Get("officer")})
	})
}

func flash(l Lang, action string) string {
	switch action {
	case reviewrule.ActionRelease, reviewrule.ActionReject, reviewrule.ActionInspect, reviewrule.ActionInspectionResult:
		return strings.Replace(l.T("done.decision"), "%s", l.Action(action), 1)
	}
	return strings.Replace(l.T("done"), "%s", l.Action(action), 1)
}

// casePage fills the page of one case for c.
func (r *Review) casePage(req *http.Request, l Lang, c *Caller, key string) (*page, error) {
	v, err := r.Case(req.Context(), key)
	if err != nil {
		return nil, err
	}
	p := newPage(l, c, l.T("case")+" "+v.OrderNo)
	p.Case, p.Docs, p.Detentions = &v, docNames, detentions
	p.Can = r.can(c.Party, &v)
	return p, nil
}

func (r *Review) deskCase(w http.ResponseWriter, req *http.Request) {
	l := lang(w, req)
	c, ok := r.deskCaller(w, req, l, "")
	if !ok {
		return
	}
	p, err := r.casePage(req, l, c, req.PathValue("key"))
	if err != nil {
		r.deskError(w, req, l, c, err)
		return
	}
	if d := req.URL.Query().Get("done"); slices.Contains(reviewrule.Actions, d) {
		p.Flash = flash(l, d)
	}
	r.render(w, req, "case", http.StatusOK, p)
}

// can tells which actions the case page offers p: those the rules allow
// p now (reviewrule.Case.Allowed), but for a claim p already holds, which
// the page does not offer to renew. The service checks again when the
// action comes.
func (r *Review) can(p *party.Party, v *CaseView) map[string]bool {
	c := reviewrule.Case{Key: v.Key, Status: v.Status, Claim: v.Claim, Pending: v.Pending}
	o := reviewrule.Officer{Code: p.Code, Supervisor: p.Has(party.RoleSupervisor)}
	now := r.env.Clock.Now()
	out := make(map[string]bool, len(reviewrule.Actions))
	for _, a := range reviewrule.Actions {
		out[a] = c.Allowed(o, a, now) == nil
	}
	out[reviewrule.ActionClaim] = out[reviewrule.ActionClaim] && c.ClaimedBy(now) != p.Code
	return out
}

// deskConfirm shows the confirmation of an action; claim and notes go back
// to the case page, where their forms are.
func (r *Review) deskConfirm(w http.ResponseWriter, req *http.Request) {
	l := lang(w, req)
	c, ok := r.deskCaller(w, req, l, "")
	if !ok {
		return
	}
	key, action := req.PathValue("key"), req.PathValue("action")
	if !slices.Contains(reviewrule.Actions, action) {
		r.deskError(w, req, l, c, errcode.New(errcode.NotFound, "no review action %q", action))
		return
	}
	if !slices.Contains(confirmed, action) {
		http.Redirect(w, req, "/review/cases/"+url.PathEscape(key), http.StatusSeeOther)
		return
	}
	p, err := r.casePage(req, l, c, key)
	if err != nil {
		r.deskError(w, req, l, c, err)
		return
	}
	p.Action = action
	p.Title = strings.Replace(l.T("confirm.title"), "%s", l.Action(action), 1)
	r.render(w, req, "confirm", http.StatusOK, p)
}

// deskForm reads a posted desk form (at most 64 KiB) and authenticates
// it with the session's CSRF token; when not ok, the answer is written.
func (r *Review) deskForm(w http.ResponseWriter, req *http.Request) (Lang, *Caller, bool) {
	l := lang(w, req)
	req.Body = http.MaxBytesReader(w, req.Body, 64<<10)
	if err := req.ParseForm(); err != nil {
		r.deskError(w, req, l, nil, formError(err))
		return l, nil, false
	}
	c, ok := r.deskCaller(w, req, l, req.PostForm.Get("csrf"))
	return l, c, ok
}

// deskAction performs a form's action and returns to the case page (to
// the queue after a decision).
func (r *Review) deskAction(w http.ResponseWriter, req *http.Request) {
	l, c, ok := r.deskForm(w, req)
	if !ok {
		return
	}
	key, action := req.PathValue("key"), req.PathValue("action")
	if !slices.Contains(reviewrule.Actions, action) {
		r.deskError(w, req, l, c, errcode.New(errcode.NotFound, "no review action %q", action))
		return
	}
	f := req.PostForm
	body := ActionRequest{Reason: f.Get("reason"), Result: f.Get("result"), Status: f.Get("status"),
		Text: f.Get("text"), Officer: f.Get("officer")}
	if _, err := r.Act(req.Context(), c.Party, key, action, body); err != nil {
		var coded *errcode.Error
		if !errors.As(err, &coded) {
			err = r.unavailable(err)
		}
		r.deskError(w, req, l, c, err)
		return
	}
	switch action {
	case reviewrule.ActionRelease, reviewrule.ActionReject, reviewrule.ActionInspectionResult:
		http.Redirect(w, req, "/review/?done="+action, http.StatusSeeOther)
	default:
		http.Redirect(w, req, "/review/cases/"+url.PathEscape(key)+"?done="+action, http.StatusSeeOther)
	}
}

// formError answers a form that cannot be read: too large, malformed, or a
// connection that failed while sending it. The cause goes to the log, not
// to the page, where a network error's text would name cbec's address.
func formError(err error) *errcode.Error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errcode.New(errcode.TooLarge, "form larger than %d bytes", mbe.Limit)
	}
	return errcode.Wrap(errcode.BadRequest, err, "form not readable; send it again")
}
