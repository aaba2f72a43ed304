package clearance

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/inventory"
	"github.com/nats-io/nats.go/jetstream"
)

// handleReviewDecision applies an officer's decision (cbec.evt.review.decided)
// on a list in review or under inspection: release (399 → 800), reject (100,
// quota given back), inspect (300 → 500) or detain (500 → 501..599, quota
// kept, D19). A decision that no longer fits the list's status changes
// nothing.
func (c *Clearance) handleReviewDecision(ctx context.Context, m jetstream.Msg) error {
	var d inventory.ReviewDecision
	if err := broker.Decode(m.Data(), &d); err != nil {
		return broker.Poison(err)
	}
	md, err := m.Metadata()
	if err != nil {
		return broker.Poison(err)
	}
	by := "review/" + strconv.FormatUint(md.Sequence.Stream, 10)
	st, rev, found, err := c.loadState(ctx, d.Key)
	if err != nil {
		return err
	}
	if !found {
		return broker.Poison(fmt.Errorf("review decision for unknown list %s", d.Key))
	}
	if !st.Decidable(d) {
		if st.Status == inventory.StatusRejected && st.Counted != nil {
			// Completes a give-back interrupted after the state write.
			if err := c.ledger.GiveBack(ctx, st.Counted.Row, d.Key); err != nil {
				return err
			}
		}
		return c.replay(ctx, d.Key, st, by)
	}
	now := c.env.Clock.Now()
	from := len(st.History)
	switch d.Decision {
	case inventory.DecisionRelease:
		st.Record(inventory.StatusConcluded, "海关审结 concluded by officer "+d.Officer, now)
		st.ReleasedAt = now.UTC()
		st.Record(inventory.StatusReleased, "放行 released", now)
	case inventory.DecisionReject:
		st.Code = string(errcode.OfficerRejected)
		st.Record(inventory.StatusRejected, inventory.Truncate(string(errcode.OfficerRejected)+": officer "+d.Officer+": "+d.Reason, 1000), now)
		if st.Counted != nil {
			st.Counted.GivenBack = true
		}
	case inventory.DecisionInspect:
		st.Record(inventory.StatusInspect, inventory.Truncate("查验 inspection ordered by officer "+d.Officer+": "+d.Reason, 1000), now)
	case inventory.DecisionDetain:
		st.Record(d.Status, inventory.Truncate("扣留 detained by officer "+d.Officer+": "+d.Reason, 1000), now)
	default:
		return broker.Poison(fmt.Errorf("review decision %q", d.Decision))
	}
	st.By, st.From = by, from
	stateJSON, err := c.saveState(ctx, d.Key, st, rev)
	if err != nil {
		if errors.Is(err, broker.ErrConflict) {
			return broker.Retry(err, 20*time.Millisecond)
		}
		return err
	}
	if d.Decision == inventory.DecisionReject && st.Counted != nil {
		if err := c.ledger.GiveBack(ctx, st.Counted.Row, d.Key); err != nil {
			return err
		}
	}
	c.metrics.decisions.WithLabelValues(st.Status, st.TradeMode).Inc()
	return c.publish(ctx, d.Key, st, from, stateJSON)
}
