package review

import (
	"context"
	"errors"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/inventory"
	reviewrule "github.com/cbec/cbec/pkg/review"
	"github.com/nats-io/nats.go/jetstream"
)

// eventSubjects are the events that open a case or move it on: the review
// request, and the later steps of lists that were in review, which
// clearance repeats on cbec.evt.review.step. Events of lists never in review
// (nearly all) are not pulled at all.
func eventSubjects() []string {
	return []string{broker.EventSubject("review", "requested"), broker.EventSubject("review", "step")}
}

// handleEvent opens a case on a review request and follows the list
// afterwards. Each event carries the list's key; the case remembers the
// sequence of the last event applied, so a redelivered or overtaken event
// changes nothing, and writes are compare-and-set so replicas and workers
// may handle events of one list at once.
func (r *Review) handleEvent(ctx context.Context, m jetstream.Msg) error {
	var n inventory.Notice
	if err := broker.Decode(m.Data(), &n); err != nil {
		return broker.Poison(err)
	}
	md, err := m.Metadata()
	if err != nil {
		return broker.Poison(err)
	}
	if !validKey(n.Key) {
		return broker.Poison(errors.New("event without a list key"))
	}
	seq := md.Sequence.Stream
	for range broker.MaxCASAttempts {
		c, rev, found, err := r.load(ctx, n.Key)
		if err != nil {
			return err
		}
		if found && seq <= c.EventSeq {
			// Applied already; a crash may have come before the index
			// took it, so the redelivery indexes it (an idempotent write).
			return r.indexCase(ctx, c, rev)
		}
		st, err := r.noticeState(ctx, n)
		if err != nil {
			return err
		}
		if st == nil {
			return nil
		}
		if found && len(st.History) < len(c.State.History) {
			// A copy of an older event published again (a replay after
			// JetStream's duplicate window): the case knows better, and
			// only its index is written again.
			return r.indexCase(ctx, c, rev)
		}
		if !found {
			// Only a list that went through review has a case; an event
			// of another list (most releases and rejections) is ignored.
			requested, ok := reviewrule.RequestedAt(st.History)
			if !ok {
				return nil
			}
			c = newCase(n.Key, requested, st)
		}
		c.apply(st, seq, r.env.Clock.Now())
		nrev, err := r.saveRev(ctx, c, rev)
		if errors.Is(err, broker.ErrConflict) {
			continue
		}
		if err != nil {
			return err
		}
		return r.indexCase(ctx, c, nrev)
	}
	return broker.Retry(broker.ErrConflict, 50*time.Millisecond)
}

// noticeState returns the state an event carries, or the list's current
// state from CBEC_INVENTORY for the events that carry none; nil when the
// list is unknown.
func (r *Review) noticeState(ctx context.Context, n inventory.Notice) (*inventory.State, error) {
	st := &inventory.State{}
	if len(n.State) > 0 {
		if err := broker.Decode(n.State, st); err != nil {
			return nil, broker.Poison(err)
		}
		return st, nil
	}
	_, found, err := broker.GetJSON(ctx, r.inv, n.Key, st)
	if err != nil || !found {
		return nil, err
	}
	return st, nil
}

// newCase opens the case of a list held for review at requested.
func newCase(key string, requested time.Time, st *inventory.State) *Case {
	c := &Case{Case: reviewrule.Case{Key: key}, RequestedAt: requested, Audit: []AuditEntry{}}
	for _, h := range st.Hits {
		c.Rules = append(c.Rules, h.RuleID)
	}
	return c
}

// apply takes the list's state of the event with sequence seq.
func (c *Case) apply(st *inventory.State, seq uint64, now time.Time) {
	c.State = *st
	c.ListID = st.ListID
	c.EventSeq = seq
	c.UpdatedAt = now.UTC()
	c.Follow(st.Status)
}
