package review

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/httpapi"
	"github.com/cbec/cbec/pkg/inventory"
	"github.com/cbec/cbec/pkg/party"
	"github.com/nats-io/nats.go/jetstream"
)

// Actions on a case, as named in the API paths and the audit trail.
const (
	ActionClaim            = "claim"
	ActionUnclaim          = "unclaim"
	ActionRelease          = "release"
	ActionReject           = "reject"
	ActionInspect          = "inspect"
	ActionInspectionResult = "inspection-result"
	ActionNotes            = "notes"
	ActionReassign         = "reassign"
)

// Actions lists every action in the order the desk offers them.
var Actions = []string{ActionClaim, ActionUnclaim, ActionRelease, ActionReject, ActionInspect,
	ActionInspectionResult, ActionNotes, ActionReassign}

// Inspection results.
const (
	ResultRelease = "release"
	ResultDetain  = "detain"
)

// Limits of free text, so that a case stays well inside a KV value.
const (
	maxReason = 500
	maxNote   = 2000
	maxNotes  = 200
)

// ActionRequest is the body of an action; each action reads its fields.
type ActionRequest struct {
	// Reason is required for reject, optional for inspect and the
	// inspection result; it reaches the platform in the receipt.
	Reason string `json:"reason,omitempty"`
	// Result of an inspection: release or detain.
	Result string `json:"result,omitempty"`
	// Status is the detention status of a detain result: 501, 502, 503, 599.
	Status string `json:"status,omitempty"`
	// Text is a note's text.
	Text string `json:"text,omitempty"`
	// Officer is the officer a supervisor reassigns the claim to.
	Officer string `json:"officer,omitempty"`
}

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
		entry := AuditEntry{Seq: len(c.Audit) + 1, Case: key, Action: action, Officer: p.Code, At: now, Before: snapshot(c, now)}
		if err := r.change(c, p, action, req, now, &entry); err != nil {
			return nil, err
		}
		entry.After = snapshot(c, now)
		c.UpdatedAt = now
		c.Audit = append(c.Audit, entry)
		if err := c.queue(entry); err != nil {
			return nil, err
		}
		err = r.save(ctx, c, rev)
		if errors.Is(err, broker.ErrConflict) {
			continue
		}
		if err != nil {
			return nil, err
		}
		httpapi.Logger(ctx, r.env.Log).Info("review action", "case", key, "action", action, "officer", p.Code,
			"from", entry.Before.Status, "pending", entry.After.Pending)
		if err := r.flush(ctx, c); err != nil {
			// Written but not yet published: the sweep sends it.
			httpapi.Logger(ctx, r.env.Log).Warn("review outbox not sent; the sweep retries", "case", key, "err", err)
		}
		return c, nil
	}
	return nil, errcode.New(errcode.Unavailable, "case %s: too many concurrent changes", key)
}

// change applies the action to c, or refuses it with a coded error.
func (r *Review) change(c *Case, p *party.Party, action string, req ActionRequest, now time.Time, e *AuditEntry) error {
	supervisor := p.Has(party.RoleSupervisor)
	holder := c.ClaimedBy(now)
	switch action {
	case ActionClaim:
		if !c.Decidable() {
			return decided(c)
		}
		if holder != "" && holder != p.Code {
			return claimedBy(c, now)
		}
		c.Claim = &Claim{Officer: p.Code, At: now, Until: now.Add(r.claimTTL())}
		return nil
	case ActionUnclaim:
		if holder == "" {
			return errcode.New(errcode.ReviewNotClaimant, "case %s is not claimed", c.Key)
		}
		if holder != p.Code && !supervisor {
			return claimedBy(c, now)
		}
		c.Claim = nil
		return nil
	case ActionNotes:
		text := strings.TrimSpace(req.Text)
		if text == "" {
			return errcode.New(errcode.BadRequest, "a note needs text")
		}
		if utf8.RuneCountInString(text) > maxNote {
			return errcode.New(errcode.BadRequest, "a note holds at most %d characters", maxNote)
		}
		if len(c.Notes) >= maxNotes {
			return errcode.New(errcode.BadRequest, "case %s holds %d notes already", c.Key, maxNotes)
		}
		c.Notes = append(c.Notes, Note{Officer: p.Code, At: now, Text: text})
		e.Note = text
		return nil
	case ActionReassign:
		if !supervisor {
			return errcode.New(errcode.Forbidden, "only a supervisor may reassign a case")
		}
		if !c.Decidable() {
			return decided(c)
		}
		to, ok := r.env.Parties.ByCode(strings.TrimSpace(req.Officer))
		if !ok || !to.Has(party.RoleOfficer) {
			return errcode.New(errcode.BadRequest, "officer %q is not a customs officer", req.Officer)
		}
		c.Claim = &Claim{Officer: to.Code, At: now, Until: now.Add(r.claimTTL()), By: p.Code}
		e.Target = to.Code
		return nil
	case ActionRelease, ActionReject, ActionInspect, ActionInspectionResult:
		return r.decide(c, p, action, req, now, e)
	}
	return errcode.New(errcode.NotFound, "no review action %q", action)
}

// decide turns a decision action into an inventory.ReviewDecision pending
// on the case.
func (r *Review) decide(c *Case, p *party.Party, action string, req ActionRequest, now time.Time, e *AuditEntry) error {
	if !c.Decidable() {
		return decided(c)
	}
	if holder := c.ClaimedBy(now); holder != p.Code && !p.Has(party.RoleSupervisor) {
		if holder != "" {
			return claimedBy(c, now)
		}
		return errcode.New(errcode.ReviewNotClaimant, "claim case %s before deciding it", c.Key)
	}
	reason := strings.TrimSpace(req.Reason)
	if utf8.RuneCountInString(reason) > maxReason {
		return errcode.New(errcode.BadRequest, "a reason holds at most %d characters", maxReason)
	}
	d := inventory.ReviewDecision{Key: c.Key, Reason: reason, Officer: p.Code}
	switch action {
	case ActionRelease:
		d.Decision = inventory.DecisionRelease
	case ActionReject:
		if reason == "" {
			return errcode.New(errcode.BadRequest, "a rejection needs a reason; the platform reads it in the receipt")
		}
		d.Decision = inventory.DecisionReject
	case ActionInspect:
		if c.Status != inventory.StatusReview {
			return errcode.New(errcode.ReviewStatus, "an inspection is ordered on a list in review (300); case %s is %s", c.Key, c.Status)
		}
		d.Decision = inventory.DecisionInspect
	case ActionInspectionResult:
		if c.Status != inventory.StatusInspect {
			return errcode.New(errcode.ReviewStatus, "an inspection result is recorded on a list under inspection (500); case %s is %s", c.Key, c.Status)
		}
		switch req.Result {
		case ResultRelease:
			d.Decision = inventory.DecisionRelease
		case ResultDetain:
			if !inventory.Detained(req.Status) {
				return errcode.New(errcode.BadRequest, "a detention status is 501, 502, 503 or 599, not %q", req.Status)
			}
			d.Decision, d.Status = inventory.DecisionDetain, req.Status
		default:
			return errcode.New(errcode.BadRequest, "an inspection result is %q or %q, not %q", ResultRelease, ResultDetain, req.Result)
		}
	}
	// The domain's own rule has the last word on what fits the status.
	st := inventory.State{Status: c.Status}
	if !st.Decidable(d) {
		return errcode.New(errcode.ReviewStatus, "%s does not fit case %s in status %s", action, c.Key, c.Status)
	}
	c.Pending = &Pending{Decision: d.Decision, Status: d.Status, From: c.Status, Officer: p.Code, At: now}
	if d.Decision != inventory.DecisionInspect {
		// A final decision ends the claim; after an inspection order the
		// officer keeps it to record the result.
		c.Claim = nil
	}
	c.addOfficer(p.Code)
	e.Decision, e.Reason = &d, reason
	return nil
}

func decided(c *Case) error {
	if c.Pending != nil {
		return errcode.New(errcode.ReviewDecided, "case %s: decision %s by %s is on its way to clearance", c.Key, c.Pending.Decision, c.Pending.Officer)
	}
	return errcode.New(errcode.ReviewDecided, "case %s is already decided (status %s)", c.Key, c.Status)
}

func claimedBy(c *Case, now time.Time) error {
	cl := c.ActiveClaim(now)
	return errcode.New(errcode.ReviewClaimed, "case %s is claimed by %s until %s", c.Key, cl.Officer, cl.Until.Format(time.RFC3339))
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
