package review

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/httpapi"
	"github.com/cbec/cbec/pkg/inventory"
	"github.com/cbec/cbec/pkg/party"
	reviewrule "github.com/cbec/cbec/pkg/review"
	"github.com/nats-io/nats.go/jetstream"
)

// ActionRequest is the body of an action (reviewrule.Request); each
// action reads its fields.
type ActionRequest = reviewrule.Request

// Snapshot is a case's state before or after an action, as audited.
type Snapshot struct {
	Status     string    `json:"status"`
	ClaimedBy  string    `json:"claimedBy,omitempty"`
	ClaimUntil time.Time `json:"claimUntil,omitzero"`
	Pending    string    `json:"pending,omitempty"`
	Notes      int       `json:"notes"`
}

// AuditEntry is one action on a case: published on CBEC_AUDIT as
// cbec.audit.<officer> and kept on the case.
type AuditEntry struct {
	// Seq numbers the case's actions from 1.
	Seq     int       `json:"seq"`
	Case    string    `json:"case"`
	Action  string    `json:"action"`
	Officer string    `json:"officer"`
	At      time.Time `json:"at"`
	Before  Snapshot  `json:"before"`
	After   Snapshot  `json:"after"`
	// Decision is what was sent to clearance, if anything.
	Decision *inventory.ReviewDecision `json:"decision,omitempty"`
	Reason   string                    `json:"reason,omitempty"`
	Note     string                    `json:"note,omitempty"`
	// Target is the officer a claim was reassigned to.
	Target string `json:"target,omitempty"`
	// RequestedAt is when the case was opened, so that a reader of the
	// audit stream alone (the metrics service) can time claims and
	// decisions from the request.
	RequestedAt time.Time `json:"requestedAt,omitzero"`
}

func snapshot(c *Case, now time.Time) Snapshot {
	s := Snapshot{Status: c.Status, Notes: len(c.Notes)}
	if cl := c.ActiveClaim(now); cl != nil {
		s.ClaimedBy, s.ClaimUntil = cl.Officer, cl.Until
	}
	if c.Pending != nil {
		s.Pending = c.Pending.Decision
	}
	return s
}

// Act performs action on the case of key for officer p: the case is read,
// checked, changed and written with compare-and-set (a lost race re-reads
// and re-checks, so of two officers claiming at once one wins and the other
// is told who holds the case), then the audit entry and any decision are
// published. It returns the case as written.
func (r *Review) Act(ctx context.Context, p *party.Party, key, action string, req ActionRequest) (*Case, error) {
	if !validKey(key) {
		return nil, errcode.New(errcode.NotFound, "no review case %q", key)
	}
	for range broker.MaxCASAttempts {
		c, rev, found, err := r.load(ctx, key)
		if err != nil {
			return nil, err
		}
		if !found {
			return nil, errcode.New(errcode.NotFound, "no review case %q", key)
		}
		now := r.env.Clock.Now().UTC()
		entry := AuditEntry{Seq: len(c.Audit) + 1, Case: key, Action: action, Officer: p.Code, At: now, Before: snapshot(c, now),
			RequestedAt: c.RequestedAt}
		if err := r.change(c, p, action, req, now, &entry); err != nil {
			return nil, err
		}
		entry.After = snapshot(c, now)
		c.UpdatedAt = now
		c.Audit = append(c.Audit, entry)
		if err := c.queue(entry); err != nil {
			return nil, err
		}
		if err := r.markDirty(ctx, key, entry.Seq); err != nil {
			return nil, err
		}
		nrev, err := r.saveRev(ctx, c, rev)
		if errors.Is(err, broker.ErrConflict) {
			continue
		}
		if err != nil {
			return nil, err
		}
		httpapi.Logger(ctx, r.env.Log).Info("review action", "case", key, "action", action, "officer", p.Code,
			"from", entry.Before.Status, "pending", entry.After.Pending)
		// Written; the index and the outbox follow. What fails here stays
		// marked dirty, and the sweep finishes it.
		err = r.indexCase(ctx, c, nrev)
		if err == nil {
			err = r.flush(ctx, c)
		}
		if err == nil {
			err = r.clean(ctx, key, entry.Seq)
		}
		if err != nil {
			httpapi.Logger(ctx, r.env.Log).Warn("review index or outbox lags; the sweep retries", "case", key, "err", err)
		}
		return c, nil
	}
	return nil, errcode.New(errcode.Unavailable, "case %s: too many concurrent changes", key)
}

// change applies the action to c as the rules of pkg/review decide, or
// refuses it with their coded error.
func (r *Review) change(c *Case, p *party.Party, action string, req ActionRequest, now time.Time, e *AuditEntry) error {
	o := reviewrule.Officer{Code: p.Code, Supervisor: p.Has(party.RoleSupervisor)}
	switch action {
	case reviewrule.ActionClaim:
		return c.Take(o, now, r.claimTTL())
	case reviewrule.ActionUnclaim:
		return c.Unclaim(o, now)
	case reviewrule.ActionNotes:
		text, err := reviewrule.CheckNote(c.Key, req.Text, len(c.Notes))
		if err != nil {
			return err
		}
		c.Notes = append(c.Notes, Note{Officer: p.Code, At: now, Text: text})
		e.Note = text
		return nil
	case reviewrule.ActionReassign:
		to, err := c.Reassign(o, req.Officer, func(code string) bool {
			to, ok := r.env.Parties.ByCode(code)
			return ok && to.Has(party.RoleOfficer)
		}, now, r.claimTTL())
		if err != nil {
			return err
		}
		e.Target = to
		return nil
	case reviewrule.ActionRelease, reviewrule.ActionReject, reviewrule.ActionInspect, reviewrule.ActionInspectionResult:
		d, err := c.Decide(o, action, req, now)
		if err != nil {
			return err
		}
		c.addOfficer(p.Code)
		e.Decision, e.Reason = &d, d.Reason
		return nil
	}
	return errcode.New(errcode.NotFound, "no review action %q", action)
}

// queue puts the entry's messages in the case's outbox: the audit entry,
// and the decision if it carries one. Message ids derive from the case and
// the entry's number, so a re-publication stores nothing twice.
func (c *Case) queue(e AuditEntry) error {
	a, err := json.Marshal(e)
	if err != nil {
		return err
	}
	id := "review/" + c.Key + "/" + strconv.Itoa(e.Seq)
	c.Outbox = append(c.Outbox, OutMsg{Subject: "cbec.audit." + broker.Token(e.Officer), ID: id, Data: a})
	if e.Decision != nil {
		d, err := json.Marshal(e.Decision)
		if err != nil {
			return err
		}
		c.Outbox = append(c.Outbox, OutMsg{Subject: broker.EventSubject("review", "decided"), ID: id, Data: d})
	}
	return nil
}

// flush publishes the case's outbox and then empties it with
// compare-and-set; a lost race leaves the messages for the sweep, whose
// re-publication the message ids make harmless.
func (r *Review) flush(ctx context.Context, c *Case) error {
	if len(c.Outbox) == 0 {
		return nil
	}
	sent := map[string]bool{}
	for _, m := range c.Outbox {
		if _, err := r.env.JS.Publish(ctx, m.Subject, m.Data, jetstream.WithMsgID(m.ID+"/"+m.Subject)); err != nil {
			return err
		}
		sent[m.ID+"/"+m.Subject] = true
	}
	for range broker.MaxCASAttempts {
		cur, rev, found, err := r.load(ctx, c.Key)
		if err != nil || !found {
			return err
		}
		kept := cur.Outbox[:0]
		for _, m := range cur.Outbox {
			if !sent[m.ID+"/"+m.Subject] {
				kept = append(kept, m)
			}
		}
		if len(kept) == len(cur.Outbox) {
			return nil
		}
		cur.Outbox = kept
		if err := r.save(ctx, cur, rev); !errors.Is(err, broker.ErrConflict) {
			return err
		}
	}
	return nil
}

// MaxBulk bounds the cases of one bulk action.
const MaxBulk = 100

// BulkReleaseRequest is the body of a bulk release: the keys of cases that
// the rule held, and the reason given on each release.
type BulkReleaseRequest struct {
	Keys   []string `json:"keys"`
	Rule   string   `json:"rule"`
	Reason string   `json:"reason,omitempty"`
}

// ReassignQueueRequest is the body of a reassignment of an officer's
// queue: the officer who takes every claim over.
type ReassignQueueRequest struct {
	Officer string `json:"officer"`
}

// BulkResult is what became of one case of a bulk action: done, with the
// case's status and pending decision after it, or refused with the coded
// error of that one case.
type BulkResult struct {
	Key     string       `json:"key"`
	Done    bool         `json:"done"`
	Status  string       `json:"status,omitempty"`
	Pending string       `json:"pending,omitempty"`
	Code    errcode.Code `json:"code,omitempty"`
	Message string       `json:"message,omitempty"`
}

// BulkResponse is the answer of a bulk action: a result per case, in the
// order asked, and how many were done and refused.
type BulkResponse struct {
	Results []BulkResult `json:"results"`
	Done    int          `json:"done"`
	Failed  int          `json:"failed"`
}

func (b *BulkResponse) add(key string, c *Case, err error) {
	res := BulkResult{Key: key, Done: err == nil}
	if err != nil {
		e := errcode.As(err)
		res.Code, res.Message = e.Code, e.Message
		b.Failed++
	} else {
		res.Status = c.Status
		if c.Pending != nil {
			res.Pending = c.Pending.Decision
		}
		b.Done++
	}
	b.Results = append(b.Results, res)
}

// checkBulkKeys refuses an empty, oversized or repeating list of keys.
func checkBulkKeys(keys []string) error {
	if len(keys) == 0 || len(keys) > MaxBulk {
		return errcode.New(errcode.BadRequest, "a bulk action takes 1 to %d cases, not %d", MaxBulk, len(keys))
	}
	seen := make(map[string]bool, len(keys))
	for _, k := range keys {
		if seen[k] {
			return errcode.New(errcode.BadRequest, "case %q is named twice", k)
		}
		seen[k] = true
	}
	return nil
}

// BulkRelease releases, one by one, the cases of keys that rule held: each
// is claimed for p unless p holds it already, then released with the
// reason, every step audited on its own as when done by hand. A case that
// fails (held by another officer, already decided, not held by the rule)
// is reported and the others go on.
func (r *Review) BulkRelease(ctx context.Context, p *party.Party, req BulkReleaseRequest) (BulkResponse, error) {
	req.Rule = strings.TrimSpace(req.Rule)
	if req.Rule == "" {
		return BulkResponse{}, errcode.New(errcode.BadRequest, "a bulk release names the rule that held the cases")
	}
	if err := checkBulkKeys(req.Keys); err != nil {
		return BulkResponse{}, err
	}
	resp := BulkResponse{Results: []BulkResult{}}
	for _, key := range req.Keys {
		c, err := r.releaseOne(ctx, p, key, req)
		resp.add(key, c, err)
	}
	return resp, nil
}

func (r *Review) releaseOne(ctx context.Context, p *party.Party, key string, req BulkReleaseRequest) (*Case, error) {
	if !validKey(key) {
		return nil, errcode.New(errcode.NotFound, "no review case %q", key)
	}
	c, _, found, err := r.load(ctx, key)
	if err != nil {
		return nil, r.unavailable(err)
	}
	if !found {
		return nil, errcode.New(errcode.NotFound, "no review case %q", key)
	}
	if !slices.Contains(c.Rules, req.Rule) {
		return nil, errcode.New(errcode.BadRequest, "case %s was not held by rule %s", key, req.Rule)
	}
	if c.ClaimedBy(r.env.Clock.Now()) != p.Code {
		if _, err := r.Act(ctx, p, key, reviewrule.ActionClaim, ActionRequest{}); err != nil {
			return nil, err
		}
	}
	return r.Act(ctx, p, key, reviewrule.ActionRelease, ActionRequest{Reason: req.Reason})
}

// ReassignQueue moves every claim officer holds on an open case to the
// officer of req, one audited reassignment per case; only a supervisor
// may. A claim that changed in the meantime is reported and the others go
// on.
func (r *Review) ReassignQueue(ctx context.Context, p *party.Party, officer string, req ReassignQueueRequest) (BulkResponse, error) {
	if !p.Has(party.RoleSupervisor) {
		return BulkResponse{}, errcode.New(errcode.Forbidden, "only a supervisor reassigns an officer's queue")
	}
	to := strings.TrimSpace(req.Officer)
	if tp, ok := r.env.Parties.ByCode(to); !ok || !tp.Has(party.RoleOfficer) {
		return BulkResponse{}, errcode.New(errcode.BadRequest, "officer %q is not a customs officer", req.Officer)
	}
	if to == officer {
		return BulkResponse{}, errcode.New(errcode.BadRequest, "the queue of %s cannot go to %s", officer, to)
	}
	rows, err := r.openRows(ctx)
	if err != nil {
		return BulkResponse{}, r.unavailable(err)
	}
	now := r.env.Clock.Now()
	slices.SortFunc(rows, caseOrder)
	resp := BulkResponse{Results: []BulkResult{}}
	for _, row := range rows {
		if row.ClaimedBy(now) != officer {
			continue
		}
		c, err := r.Act(ctx, p, row.Key, reviewrule.ActionReassign, ActionRequest{Officer: to})
		resp.add(row.Key, c, err)
	}
	return resp, nil
}
