package review

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/inventory"
	reviewrule "github.com/cbec/cbec/pkg/review"
	"github.com/nats-io/nats.go/jetstream"
)

// Case is an inventory list routed to manual review, as stored in
// CBEC_REVIEW under "case.<list key>". Its key, status, claim and pending
// decision are the rules' own (reviewrule.Case: who may do what, and
// when); the rest is what the desk shows and keeps.
type Case struct {
	reviewrule.Case
	inventory.ListID
	// Rules are the ids of the rules that fired, for the queue's filter.
	Rules []string `json:"rules"`
	// State is the list's clearance state as last seen: tax, rule hits,
	// receipt history. It holds the buyer's quota key, never an ID number.
	State       inventory.State `json:"state"`
	RequestedAt time.Time       `json:"requestedAt"`
	UpdatedAt   time.Time       `json:"updatedAt"`
	// Officers are the officers who decided on the case; an officer's
	// queue keeps showing them the cases they decided.
	Officers []string `json:"officers,omitempty"`
	Notes    []Note   `json:"notes,omitempty"`
	// Audit is the case's own trail: every action taken on it, also
	// published on CBEC_AUDIT.
	Audit []AuditEntry `json:"audit"`
	// EventSeq is the CBEC_EVENTS sequence of the last event applied; an
	// older or redelivered event changes nothing.
	EventSeq uint64 `json:"eventSeq"`
	// Outbox holds the messages of the last action until they are
	// published: written with the action, so that a crash between the write
	// and the publish loses neither the audit entry nor the decision.
	Outbox []OutMsg `json:"outbox,omitempty"`
}

// Claim is an officer's hold on a case (reviewrule.Claim).
type Claim = reviewrule.Claim

// Pending is a decision published and not yet applied by clearance
// (reviewrule.Pending).
type Pending = reviewrule.Pending

// Note is an officer's note on a case.
type Note struct {
	Officer string    `json:"officer"`
	At      time.Time `json:"at"`
	Text    string    `json:"text"`
}

// OutMsg is a message waiting in a case's outbox.
type OutMsg struct {
	Subject string `json:"subject"`
	ID      string `json:"id"`
	Data    []byte `json:"data"`
}

// caseKey is the bucket key of the case of list key.
func caseKey(key string) string { return "case." + key }

// caseFilter matches every case key.
const caseFilter = "case.>"

// validKey refuses what cannot be a list key before it reaches the bucket:
// an "inv." key made of subject tokens.
func validKey(key string) bool {
	if !strings.HasPrefix(key, "inv.") || len(key) > 400 {
		return false
	}
	for _, tok := range strings.Split(key, ".") {
		if tok == "" || strings.ContainsAny(tok, " *>\t\r\n/") {
			return false
		}
	}
	return true
}

// load returns the case and its revision; found is false when absent.
func (r *Review) load(ctx context.Context, key string) (*Case, uint64, bool, error) {
	c := &Case{}
	rev, found, err := broker.GetJSON(ctx, r.kv, caseKey(key), c)
	if err != nil || !found {
		return nil, 0, found, err
	}
	return c, rev, true, nil
}

// save writes with compare-and-set on rev (0 = create).
func (r *Review) save(ctx context.Context, c *Case, rev uint64) error {
	return broker.PutJSON(ctx, r.kv, caseKey(c.Key), c, rev)
}

// all returns every case. A watch delivers the current value of every key
// in one pass, which is cheaper than a get per key.
func (r *Review) all(ctx context.Context) ([]*Case, error) {
	w, err := r.kv.Watch(ctx, caseFilter, jetstream.IgnoreDeletes())
	if err != nil {
		return nil, err
	}
	defer func() { _ = w.Stop() }()
	var out []*Case
	for {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case e, ok := <-w.Updates():
			if !ok {
				return nil, errors.New("case watch closed")
			}
			if e == nil {
				// The initial values are all delivered.
				return out, nil
			}
			c := &Case{}
			if err := broker.Decode(e.Value(), c); err != nil {
				r.env.Log.Warn("undecodable case", "key", e.Key(), "err", err)
				continue
			}
			out = append(out, c)
		}
	}
}

// addOfficer records that officer decided on the case.
func (c *Case) addOfficer(officer string) {
	if !slices.Contains(c.Officers, officer) {
		c.Officers = append(c.Officers, officer)
	}
}
