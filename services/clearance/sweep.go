package clearance

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/cbec/cbec/pkg/docstore"
	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/inventory"
	"github.com/cbec/cbec/pkg/quota"
)

// Sweep rejects the declared lists whose order, payment or waybill are
// still missing after the rules' incompleteAfter. Every replica sweeps
// (every --sweep-interval); compare-and-set decides each list once.
func (c *Clearance) Sweep(ctx context.Context) error {
	lister, err := c.inv.ListKeysFiltered(ctx, docstore.WaitingFilter)
	if err != nil {
		return err
	}
	var keys []string
	for k := range lister.Keys() {
		keys = append(keys, k)
	}
	now := c.env.Clock.Now()
	var errs []error
	for _, wk := range keys {
		v, _, found, err := c.invReads.Get(ctx, wk)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !found {
			continue
		}
		since, err := time.Parse(time.RFC3339Nano, string(v))
		if err != nil || now.Sub(since) < c.env.CurrentRules().Windows.IncompleteAfter {
			continue
		}
		if err := c.expire(ctx, strings.TrimPrefix(wk, "waiting."), now); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// expire rejects one list still waiting for its documents.
func (c *Clearance) expire(ctx context.Context, key string, now time.Time) error {
	st, rev, found, err := c.loadState(ctx, key)
	if err != nil {
		return err
	}
	if !found || st.Status != inventory.StatusDeclared {
		// Decided already. If a sweep decided it, its publications may have
		// been cut short: complete them (message ids make this harmless).
		if found && strings.HasPrefix(st.By, sweepBy) {
			if err := c.replay(ctx, key, st, st.By); err != nil {
				return err
			}
		}
		return c.inv.Delete(ctx, docstore.WaitingKey(key))
	}
	docs, complete, err := c.documents(ctx, st, nil)
	if err != nil {
		return err
	}
	if complete {
		// Everything arrived after all: decide it now rather than reject.
		_, err := c.evaluate(ctx, key, sweepBy+"complete")
		return err
	}
	var missing []string
	if docs.Order.OrderHead.OrderNo == "" {
		missing = append(missing, "order (CEB311)")
	}
	if docs.Payment.PaymentHead.PayTransactionId == "" {
		missing = append(missing, "payment (CEB411)")
	}
	if docs.Waybill.LogisticsHead.LogisticsNo == "" {
		missing = append(missing, "waybill (CEB511)")
	}
	out := inventory.Outcome{Status: inventory.StatusRejected, Errors: []*errcode.Error{errcode.New(errcode.Incomplete,
		"still missing after %s: %s", c.env.CurrentRules().Windows.IncompleteAfter, strings.Join(missing, ", "))}}
	if err := c.decide(ctx, key, st, rev, out, "", sweepBy+now.UTC().Format(time.RFC3339), now, len(st.History), false); err != nil {
		return err
	}
	// An incomplete list counts nothing — unless an attempt that lost a
	// race to another copy of it left a count behind: give that back.
	return c.ledger.GiveBack(ctx, quota.RowKey(st.Buyer, quota.Year(now)), key)
}

// sweepBy prefixes the By of decisions the sweep made.
const sweepBy = "sweep/"
