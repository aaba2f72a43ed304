package rules

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strings"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/docstore"
	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/httpapi"
	"github.com/cbec/cbec/pkg/party"
	ruleset "github.com/cbec/cbec/pkg/rules"
	"github.com/cbec/cbec/pkg/svc"
	"github.com/nats-io/nats.go/jetstream"
)

// Routes of the rules administration.
const (
	RouteBacktest = "POST /v1/admin/rules/backtest"
	// RouteDesk is the backtest page of the review desk.
	RouteDesk     = "GET /review/rules/backtest"
	RouteDeskPost = "POST /review/rules/backtest"
)

// Admin serves the rules administration routes. It runs beside the review
// service, with its NATS permissions: it reads CEB_IN, CBEC_INVENTORY and
// CBEC_REVIEW's desk sessions, writes CBEC_RULES and audits on CBEC_AUDIT.
type Admin struct {
	env    *svc.Env
	src    *source
	review jetstream.KeyValue
	// rules is CBEC_RULES: the file in force and the backtest reports.
	rules jetstream.KeyValue
	auth  *httpapi.Auth
}

// Mount builds the rules administration and adds its routes to env.Mux.
func Mount(ctx context.Context, env *svc.Env) (*Admin, error) {
	docs, err := docstore.Open(ctx, env.JS)
	if err != nil {
		return nil, err
	}
	inv, err := env.JS.KeyValue(ctx, broker.BucketInventory)
	if err != nil {
		return nil, err
	}
	review, err := env.JS.KeyValue(ctx, broker.BucketReview)
	if err != nil {
		return nil, err
	}
	kept, err := env.JS.KeyValue(ctx, broker.BucketRules)
	if err != nil {
		return nil, err
	}
	a := &Admin{env: env, src: &source{js: env.JS, docs: docs, inv: inv, byTime: env.DevClock == nil}, review: review, rules: kept,
		auth: &httpapi.Auth{Parties: env.Parties, Rate: env.Rate}}
	env.Mux.HandleFunc(RouteBacktest, a.handleBacktest)
	env.Mux.HandleFunc(RouteActivate, a.handleActivate)
	env.Mux.HandleFunc(RouteActive, a.handleActive)
	env.Mux.HandleFunc(RouteDesk, a.deskPage)
	env.Mux.HandleFunc(RouteDeskPost, a.deskBacktest)
	return a, nil
}

// BacktestRequest is the body of POST /v1/admin/rules/backtest.
type BacktestRequest struct {
	// Rules is the candidate rules file's text (the --rules format).
	Rules string    `json:"rules"`
	From  time.Time `json:"from"`
	To    time.Time `json:"to"`
}

// mayChangeRules refuses a party that is neither operator nor supervisor.
func mayChangeRules(p *party.Party) error {
	if p.Has(party.RoleOperator) || p.Has(party.RoleSupervisor) {
		return nil
	}
	return errcode.New(errcode.Forbidden, "only an operator or a customs supervisor may backtest rules")
}

func (a *Admin) handleBacktest(w http.ResponseWriter, r *http.Request) {
	p, err := a.auth.Party(r)
	if err == nil {
		err = mayChangeRules(p)
	}
	if err != nil {
		httpapi.WriteError(w, err, nil)
		return
	}
	var req BacktestRequest
	if err := httpapi.ReadJSON(w, r, &req, 0); err != nil {
		httpapi.WriteError(w, err, nil)
		return
	}
	rep, err := a.backtest(r.Context(), p.Code, req)
	if err != nil {
		httpapi.WriteError(w, err, nil)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, rep)
}

// backtest checks and runs one backtest request of by.
func (a *Admin) backtest(ctx context.Context, by string, req BacktestRequest) (*Report, error) {
	if err := Window(req.From, req.To); err != nil {
		return nil, err
	}
	candidate, err := ruleset.Load(strings.NewReader(req.Rules))
	if err != nil {
		// The load error names the field or the rule and its line.
		return nil, errcode.New(errcode.BadRequest, "%v", err)
	}
	rep, err := a.src.Backtest(ctx, candidate, a.env.CurrentRules(), a.env.Tariff, req.From, req.To)
	if err != nil {
		if errcode.Of(err) != errcode.Internal {
			return nil, err
		}
		return nil, httpapi.StorageDown(err)
	}
	now := a.env.Clock.Now().UTC()
	rep.Digest = digest(req.Rules)
	rep.RequestedBy, rep.At = by, now
	rep.ID = "bt-" + now.Format("20060102T150405Z") + "-" + rep.Digest[:8]
	if err := a.keep(ctx, rep); err != nil {
		return nil, httpapi.StorageDown(err)
	}
	return rep, nil
}

// digest is the hex SHA-256 of a rules file's text.
func digest(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}

// deskSession is the part of the review desk's session the backtest page
// reads (review.Session): the desk signs officers in, this page only
// recognises them.
type deskSession struct {
	Officer string    `json:"officer"`
	CSRF    string    `json:"csrf"`
	Expires time.Time `json:"expires"`
}

// deskCaller is the supervisor or operator signed in at the desk, with the
// session's CSRF token, which a POST must carry (csrf); or the party of a
// Bearer key.
func (a *Admin) deskCaller(r *http.Request, csrf string) (*party.Party, *deskSession, error) {
	if r.Header.Get("Authorization") != "" {
		// A Bearer key, as on the desk's other pages: no browser sends
		// that header on its own, so no CSRF token is needed.
		p, err := a.auth.Party(r)
		if err == nil {
			err = mayChangeRules(p)
		}
		if err != nil {
			return nil, nil, err
		}
		return p, &deskSession{Officer: p.Code}, nil
	}
	ck, err := r.Cookie("cbec_review_session")
	if err != nil || ck.Value == "" || len(ck.Value) > 100 {
		return nil, nil, errcode.New(errcode.Unauthenticated, "sign in at /review/login")
	}
	sum := sha256.Sum256([]byte(ck.Value))
	s := &deskSession{}
	_, found, err := broker.GetJSON(r.Context(), a.review, "session."+hex.EncodeToString(sum[:]), s)
	if err != nil {
		return nil, nil, httpapi.StorageDown(err)
	}
	if !found || !a.env.Clock.Now().Before(s.Expires) {
		return nil, nil, errcode.New(errcode.Unauthenticated, "sign in at /review/login")
	}
	p, ok := a.env.Parties.ByCode(s.Officer)
	if !ok {
		return nil, nil, errcode.New(errcode.Unauthenticated, "the session's officer is no longer known")
	}
	if err := mayChangeRules(p); err != nil {
		return nil, nil, err
	}
	if r.Method == http.MethodPost && (csrf == "" || subtle.ConstantTimeCompare([]byte(csrf), []byte(s.CSRF)) != 1) {
		return nil, nil, errcode.New(errcode.ReviewCSRF, "missing or wrong CSRF token; reload the page")
	}
	httpapi.SetParty(r.Context(), p.Code)
	return p, s, nil
}
