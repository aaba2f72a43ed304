package rules

import (
	"html/template"
	"net/http"
	"time"

	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/httpapi"
)

// deskForm is what the backtest page shows: the form, as last submitted,
// and the report or the error of its run.
type deskForm struct {
	CSRF   string
	Rules  string
	From   string
	To     string
	Error  string
	Report *Report
}

// formTime is the form's time format (an HTML datetime-local, read in UTC).
const formTime = "2006-01-02T15:04"

var deskTemplate = template.Must(template.New("backtest").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Risk-rule backtest · 风险规则回测</title>
<link rel="stylesheet" href="/review/static/desk.css"></head>
<body><main>
<p><a href="/review/">← queue</a></p>
<h1>Risk-rule backtest · 风险规则回测</h1>
<form method="post" action="/review/rules/backtest">
<input type="hidden" name="csrf" value="{{.CSRF}}">
<p><label>From (UTC) <input type="datetime-local" id="from" name="from" value="{{.From}}" required></label>
<label>To (UTC) <input type="datetime-local" id="to" name="to" value="{{.To}}" required></label></p>
<p><label>Candidate rules file (the --rules format)<br>
<textarea id="rules" name="rules" rows="20" cols="100" required>{{.Rules}}</textarea></label></p>
<p><button type="submit" id="run">Backtest</button></p>
</form>
{{with .Error}}<p class="error" id="error" role="alert">{{.}}</p>{{end}}
{{with .Report}}
<h2 id="report-id">{{.ID}}</h2>
<p>{{.Declarations}} declarations replayed ({{.Incomplete}} incomplete left out); held or rejected by the candidate: {{.Held}},
by the rules in force: {{.HeldInForce}}; by the candidate only: {{.HeldByNewOnly}}, by the rules in force only: {{.HeldByOldOnly}}.</p>
<table id="report">
<thead><tr><th>Rule</th><th>Action</th><th>Would stop</th><th>Released</th><th>Rejected</th><th>Inspected</th>
<th>In force</th><th>Added</th><th>Removed</th><th>Lists</th></tr></thead>
<tbody>{{range .Rules}}<tr class="rule-row" data-rule="{{.RuleID}}"><td>{{.RuleID}}</td><td>{{.Action}}</td><td>{{.Hits}}</td><td>{{.Released}}</td><td>{{.Rejected}}</td>
<td>{{.Inspected}}</td><td>{{.InForce}}</td><td>{{.Added}}</td><td>{{.Removed}}</td>
<td>{{range $i, $l := .Lists}}{{if $i}}, {{end}}<a href="/review/cases/{{$l}}">{{$l}}</a>{{end}}</td></tr>
{{end}}</tbody></table>
{{end}}
</main></body></html>
`))

// deskPage shows the backtest form, its window the last seven days.
func (a *Admin) deskPage(w http.ResponseWriter, r *http.Request) {
	_, s, err := a.deskCaller(r, "")
	if err != nil {
		a.deskError(w, r, err)
		return
	}
	now := a.env.Clock.Now().UTC()
	a.render(w, http.StatusOK, deskForm{CSRF: s.CSRF, From: now.Add(-MaxWindow).Format(formTime), To: now.Format(formTime)})
}

// deskBacktest runs the form's backtest and shows its report as a table.
func (a *Admin) deskBacktest(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, httpapi.MaxBody)
	if err := r.ParseForm(); err != nil {
		a.deskError(w, r, errcode.New(errcode.BadRequest, "form: %v", err))
		return
	}
	p, s, err := a.deskCaller(r, r.PostFormValue("csrf"))
	if err != nil {
		a.deskError(w, r, err)
		return
	}
	f := deskForm{CSRF: s.CSRF, Rules: r.PostFormValue("rules"), From: r.PostFormValue("from"), To: r.PostFormValue("to")}
	from, ferr := time.Parse(formTime, f.From)
	to, terr := time.Parse(formTime, f.To)
	if ferr != nil || terr != nil {
		f.Error = "from and to must be dates and times (YYYY-MM-DDTHH:MM, UTC)"
		a.render(w, http.StatusBadRequest, f)
		return
	}
	rep, err := a.backtest(r.Context(), p.Code, BacktestRequest{Rules: f.Rules, From: from, To: to})
	if err != nil {
		e := errcode.As(err)
		f.Error = e.Message
		a.render(w, errcode.HTTPStatus(e.Code), f)
		return
	}
	f.Report = rep
	a.render(w, http.StatusOK, f)
}

// deskError sends a browser without a session (and without a key) to the
// desk's sign-in, and answers any other refusal as a problem.
func (a *Admin) deskError(w http.ResponseWriter, r *http.Request, err error) {
	if errcode.Of(err) == errcode.Unauthenticated && r.Header.Get("Authorization") == "" {
		http.Redirect(w, r, "/review/login", http.StatusSeeOther)
		return
	}
	httpapi.WriteError(w, err, nil)
}

func (a *Admin) render(w http.ResponseWriter, status int, f deskForm) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := deskTemplate.Execute(w, f); err != nil {
		a.env.Log.Warn("backtest page", "err", err)
	}
}
