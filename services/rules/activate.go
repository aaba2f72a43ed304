package rules

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/httpapi"
	"github.com/cbec/cbec/pkg/party"
	ruleset "github.com/cbec/cbec/pkg/rules"
	"github.com/nats-io/nats.go/jetstream"
)

// Routes of the rules in force.
const (
	RouteActivate = "POST /v1/admin/rules"
	RouteActive   = "GET /v1/admin/rules"
)

// Keys of CBEC_RULES.
const (
	// activeKey holds the rules file in force (Active); its revision is
	// the rules version.
	activeKey = "active"
	// backtestPrefix begins the key of a backtest report.
	backtestPrefix = "backtest."
)

// backtestID is the shape of a report id (Report.ID): checked before it
// names a key, so that no request reaches another key or a wildcard.
var backtestID = regexp.MustCompile(`^bt-[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}$`)

// ActivateRequest is the body of POST /v1/admin/rules.
type ActivateRequest struct {
	// Rules is the rules file's text: the very file the backtest ran.
	Rules string `json:"rules"`
	// BacktestID names the backtest the activation is based on.
	BacktestID string `json:"backtestId"`
}

// Active is the rules file in force, as CBEC_RULES keeps it and
// GET /v1/admin/rules shows it.
type Active struct {
	// Version is the rules version: the revision of the file in CBEC_RULES,
	// 0 for the --rules file the process started with.
	Version    uint64    `json:"version"`
	Digest     string    `json:"digest"`
	By         string    `json:"by,omitempty"`
	At         time.Time `json:"at,omitzero"`
	BacktestID string    `json:"backtestId,omitempty"`
	Rules      string    `json:"rules"`
}

// Audit is the CBEC_AUDIT record of an activation (cbec.audit.<operator>).
type Audit struct {
	Actor      string    `json:"actor"`
	Action     string    `json:"action"`
	Version    uint64    `json:"version"`
	BacktestID string    `json:"backtestId"`
	Digest     string    `json:"digest"`
	At         time.Time `json:"at"`
}

// ActionActivate is the audit action of an activation.
const ActionActivate = "rules.activate"

func (a *Admin) handleActivate(w http.ResponseWriter, r *http.Request) {
	p, err := a.auth.Party(r)
	if err == nil && !p.Has(party.RoleOperator) {
		err = errcode.New(errcode.Forbidden, "only an operator may put rules in force")
	}
	var req ActivateRequest
	if err == nil {
		err = httpapi.ReadJSON(w, r, &req, 0)
	}
	var act *Active
	if err == nil {
		act, err = a.activate(r.Context(), p.Code, req)
	}
	if err != nil {
		httpapi.WriteError(w, err, nil)
		return
	}
	httpapi.Logger(r.Context(), a.env.Log).Info("rules activated", "version", act.Version, "backtest", act.BacktestID, "operator", p.Code)
	httpapi.WriteJSON(w, http.StatusOK, act)
}

// activate puts req's file in force as the next rules version, after
// checking that it is the file its backtest ran, and audits the change.
func (a *Admin) activate(ctx context.Context, by string, req ActivateRequest) (*Active, error) {
	if !backtestID.MatchString(req.BacktestID) {
		return nil, errcode.New(errcode.BadRequest, "backtestId %q: name the backtest this activation is based on (POST /v1/admin/rules/backtest answers its id)", req.BacktestID)
	}
	var rep Report
	_, found, err := broker.GetJSON(ctx, a.rules, backtestPrefix+req.BacktestID, &rep)
	if err != nil {
		return nil, httpapi.StorageDown(err)
	}
	if !found {
		return nil, errcode.New(errcode.NotFound, "no backtest %s", req.BacktestID)
	}
	d := digest(req.Rules)
	if d != rep.Digest {
		return nil, errcode.New(errcode.BadRequest, "the rules file is not the one backtest %s ran (digest %s, the backtest's %s): backtest this file first", req.BacktestID, d[:12], rep.Digest[:12])
	}
	set, err := ruleset.Load(strings.NewReader(req.Rules))
	if err != nil {
		return nil, errcode.New(errcode.BadRequest, "%v", err)
	}
	act := &Active{Digest: d, By: by, At: a.env.Clock.Now().UTC(), BacktestID: req.BacktestID, Rules: req.Rules}
	b, err := json.Marshal(act)
	if err != nil {
		return nil, err
	}
	rev, err := a.rules.Put(ctx, activeKey, b)
	if err != nil {
		return nil, httpapi.StorageDown(err)
	}
	act.Version = rev
	// This process need not wait for its watch; the others follow it.
	if a.env.LiveRules != nil {
		a.env.LiveRules.Store(set.Versioned(rev))
	}
	audit, _ := json.Marshal(Audit{Actor: by, Action: ActionActivate, Version: rev, BacktestID: req.BacktestID, Digest: d, At: act.At})
	// The message id makes a retried publish of this version one record.
	if _, err := a.env.JS.Publish(ctx, "cbec.audit."+broker.Token(by), audit, jetstream.WithMsgID("rules-activate-"+strconv.FormatUint(rev, 10))); err != nil {
		return nil, httpapi.StorageDown(err)
	}
	return act, nil
}

func (a *Admin) handleActive(w http.ResponseWriter, r *http.Request) {
	p, err := a.auth.Party(r)
	if err == nil {
		err = mayChangeRules(p)
	}
	var act *Active
	if err == nil {
		act, err = a.active(r.Context())
	}
	if err != nil {
		httpapi.WriteError(w, err, nil)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, act)
}

// active is the rules file in force: the last activated, or this
// process's --rules file when none was.
func (a *Admin) active(ctx context.Context) (*Active, error) {
	e, err := a.rules.Get(ctx, activeKey)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		text := a.env.Rules.Text
		return &Active{Digest: digest(text), Rules: text}, nil
	}
	if err != nil {
		return nil, httpapi.StorageDown(err)
	}
	act := &Active{}
	if err := json.Unmarshal(e.Value(), act); err != nil {
		return nil, err
	}
	act.Version = e.Revision()
	return act, nil
}

// Follow puts in live every rules version activated in CBEC_RULES: the
// one in force when it starts, before it returns, then each new one, until
// stop. A version that does not load (written by another release, say) is
// logged and skipped: the rules in force stay.
func Follow(ctx context.Context, js jetstream.JetStream, live *ruleset.Live, log *slog.Logger) (stop func(), err error) {
	kv, err := js.KeyValue(ctx, broker.BucketRules)
	if err != nil {
		return nil, err
	}
	// The watch outlives ctx, the start's: stop ends it.
	wctx, cancel := context.WithCancel(context.Background())
	w, err := kv.Watch(wctx, activeKey, jetstream.IgnoreDeletes())
	if err != nil {
		cancel()
		return nil, err
	}
	stop = func() { _ = w.Stop(); cancel() }
	apply := func(e jetstream.KeyValueEntry) {
		var act Active
		if err := json.Unmarshal(e.Value(), &act); err != nil {
			log.Error("rules version not decodable; the rules in force stay", "version", e.Revision(), "err", err)
			return
		}
		set, err := ruleset.Load(strings.NewReader(act.Rules))
		if err != nil {
			log.Error("rules version does not load; the rules in force stay", "version", e.Revision(), "err", err)
			return
		}
		if live.Store(set.Versioned(e.Revision())) {
			log.Info("rules version in force", "version", e.Revision(), "backtest", act.BacktestID)
		}
	}
	// The current version first: a process starts on it.
	for initial := true; initial; {
		select {
		case <-ctx.Done():
			stop()
			return nil, ctx.Err()
		case e, ok := <-w.Updates():
			if !ok {
				stop()
				return nil, errors.New("rules watch closed")
			}
			if e == nil {
				initial = false
				continue
			}
			apply(e)
		}
	}
	go func() {
		for e := range w.Updates() {
			if e != nil {
				apply(e)
			}
		}
	}()
	return stop, nil
}

// keep reports in CBEC_RULES, for the activation that names them.
func (a *Admin) keep(ctx context.Context, rep *Report) error {
	b, err := json.Marshal(rep)
	if err != nil {
		return err
	}
	_, err = a.rules.Put(ctx, backtestPrefix+rep.ID, b)
	return err
}
