package clearance

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/docstore"
	"github.com/cbec/cbec/pkg/identity"
	"github.com/cbec/cbec/pkg/inventory"
	"github.com/cbec/cbec/pkg/match"
	"github.com/cbec/cbec/pkg/quota"
)

// declareInventory records the list as declared (status 2) with its
// pre-entry number and evaluates it at once. Usually its other documents
// are all there already: then the declaration and the decision are one
// state write and one round of receipts and events. Only a list still
// incomplete is stored as declared, indexed for its waybill and marked for
// the incomplete sweep.
func (c *Clearance) declareInventory(ctx context.Context, by string, seq uint64, d *ceb.Inventory, now time.Time) error {
	h := d.InventoryHead
	key := docstore.InventoryKey(h.EbpCode, h.OrderNo)
	st, rev, _, err := c.loadState(ctx, key)
	if err != nil {
		return err
	}
	if st.InSeq >= seq {
		if err := c.replay(ctx, key, st, by); err != nil {
			return err
		}
		_, err := c.evaluate(ctx, key, by)
		return err
	}
	buyer := quota.BuyerKey(c.env.QuotaSecret, identity.Normalize(h.BuyerIdNumber))
	if !st.Modifiable() {
		// appType 2 arrived after the check: the gateway refuses that,
		// so only a copy racing the decision gets here; it changes
		// nothing — but its own attempt to decide may have counted the
		// list in its buyer's row before losing: settle that.
		return c.settleCount(ctx, key, st, quota.RowKey(buyer, quota.Year(now)))
	}
	st.EbpCode, st.OrderNo, st.EbcCode, st.AgentCode, st.GUID = h.EbpCode, h.OrderNo, h.EbcCode, h.AgentCode, h.Guid
	st.CustomsCode, st.TradeMode, st.LogisticsCode, st.LogisticsNo = h.CustomsCode, h.TradeMode, h.LogisticsCode, h.LogisticsNo
	st.AssureCode = h.AssureCode
	st.Buyer = buyer
	if st.PreNo == "" {
		st.PreNo = inventory.PreNo('I', now, seq)
	}
	st.CopNo = inventory.CopNo(h.CopNo, h.OrderNo)
	st.InSeq = seq
	st.DeclaredAt = now.UTC()
	from := len(st.History)
	st.Record(inventory.StatusDeclared, infoDeclared, now)
	st.By, st.From = by, from
	// A change (appType 2) may have replaced this version since: the list
	// is decided now, from this message, only if it carries the current
	// version (its subject's last message); otherwise from the stored one.
	cur, ok, err := c.docs.Get(ctx, docstore.Key(d))
	if err != nil {
		return err
	}
	current := ok && cur.Seq == seq
	var list *ceb.Inventory
	if current {
		list = d
	}
	docs, complete, err := c.documents(ctx, st, list)
	if err != nil {
		return err
	}
	if complete && current {
		err := c.settle(ctx, key, st, rev, docs, by, from, true)
		if !errors.Is(err, errCountedElsewhere) {
			return err
		}
		// Another copy of this list is being decided: declare it first.
	}
	stateJSON, err := c.saveState(ctx, key, st, rev)
	if err != nil {
		return err // a conflict is retried against the new state
	}
	if err := c.publish(ctx, key, st, from, stateJSON); err != nil {
		return err
	}
	if complete {
		// Declared beside another copy's count, or a version already
		// replaced: decide from the stored declaration and the current
		// documents.
		_, err := c.evaluate(ctx, key, by)
		return err
	}
	// Still incomplete: index the list for its waybill (which names no
	// platform) and mark it for the sweep, then look once more — a
	// document that arrived meanwhile found no state or no index, but is
	// now on CEB_IN.
	if _, err := c.inv.Put(ctx, docstore.WaybillIndexKey(h.LogisticsCode, h.LogisticsNo), []byte(key)); err != nil {
		return err
	}
	if _, err := c.inv.Put(ctx, docstore.WaitingKey(key), []byte(st.DeclaredAt.Format(time.RFC3339Nano))); err != nil {
		return err
	}
	_, err = c.evaluate(ctx, key, by)
	return err
}

// documents loads the four documents of a declared list, concurrently;
// complete is false while any is missing. A non-nil list is the list's
// current version, already in hand.
func (c *Clearance) documents(ctx context.Context, st *inventory.State, list *ceb.Inventory) (d match.Documents, complete bool, err error) {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
		miss bool
	)
	load := func(key string, into ceb.Declaration) {
		defer wg.Done()
		ok, err := c.docs.GetDoc(ctx, key, into)
		mu.Lock()
		defer mu.Unlock()
		switch {
		case err != nil:
			errs = append(errs, err)
		case !ok:
			miss = true
		}
	}
	d = match.Documents{Order: &ceb.Order{}, Payment: &ceb.Payment{}, Waybill: &ceb.Logistics{}, Inventory: list}
	if list == nil {
		d.Inventory = &ceb.Inventory{}
		wg.Add(1)
		go load(docstore.KeyOf(ceb.CEB621, st.EbpCode, st.OrderNo), d.Inventory)
	}
	wg.Add(2)
	go load(docstore.KeyOf(ceb.CEB311, st.EbpCode, st.OrderNo), d.Order)
	go load(docstore.KeyOf(ceb.CEB511, st.LogisticsCode, st.LogisticsNo), d.Waybill)
	// The payment is found through its index, read while the others load.
	payKey, _, pfound, perr := c.invReads.Get(ctx, docstore.PaymentIndexKey(st.EbpCode, st.OrderNo))
	switch {
	case perr == nil && !pfound:
		mu.Lock()
		miss = true
		mu.Unlock()
	case perr != nil:
		mu.Lock()
		errs = append(errs, perr)
		mu.Unlock()
	default:
		wg.Add(1)
		load(string(payKey), d.Payment)
	}
	wg.Wait()
	if len(errs) > 0 {
		return d, false, errors.Join(errs...)
	}
	return d, !miss, nil
}

// evaluate decides the list at key if it is declared and complete; waiting
// reports a declared list still missing documents. It is safe to run any
// number of times, concurrently: the ledger counts a list once, and the
// state moves out of 2 by compare-and-set exactly once.
func (c *Clearance) evaluate(ctx context.Context, key, by string) (waiting bool, err error) {
	st, rev, found, err := c.loadState(ctx, key)
	if err != nil || !found {
		return false, err
	}
	if st.Status != inventory.StatusDeclared {
		return false, c.replay(ctx, key, st, by)
	}
	docs, complete, err := c.documents(ctx, st, nil)
	if err != nil || !complete {
		return err == nil, err
	}
	return false, c.settle(ctx, key, st, rev, docs, by, len(st.History), false)
}

// errCountedElsewhere stops a list's declaration from deciding it at once
// when the ledger counts it already.
var errCountedElsewhere = errors.New("the list is counted by another attempt")

// settle decides a complete list whose state, at revision rev, is st,
// counting it in its buyer's ledger; the steps from index from on are
// published. declaring is set when st is the list's declaration, not yet
// stored: if the ledger counts the list already, another copy of it (a
// redelivery, a second version) is being decided, and a rejection here
// must not give that count back — settle returns errCountedElsewhere and
// the caller declares the list the ordinary way instead.
func (c *Clearance) settle(ctx context.Context, key string, st *inventory.State, rev uint64, docs match.Documents, by string, from int, declaring bool) error {
	now := c.env.Clock.Now()
	buyer := st.Buyer
	row := quota.RowKey(buyer, quota.Year(now))
	buyers, err := c.addressSeen(ctx, docs.Inventory.InventoryHead.ConsigneeAddress, buyer, now)
	if err != nil {
		return err
	}
	for range broker.MaxCASAttempts {
		ledger, lrev, err := c.ledger.Load(ctx, row)
		if err != nil {
			return err
		}
		if declaring && ledger.Counted(key) {
			return errCountedElsewhere
		}
		out := inventory.Decide(inventory.Input{
			Docs: docs, Tariff: c.env.Tariff, Rules: c.env.CurrentRules(), Ledger: ledger,
			ListKey: key, BuyersAtAddress: buyers, Now: now,
		})
		changed := false
		switch {
		case out.Count != nil:
			changed = ledger.Count(key, out.Count.Amount, out.Count.Qty, now)
		case ledger.Counted(key):
			// An earlier attempt counted the list and died before writing
			// the state; this attempt rejects it, so nothing may stay counted.
			changed = !ledger.GiveBack(key).IsZero()
		}
		if changed {
			if err := c.ledger.Save(ctx, row, ledger, lrev); errors.Is(err, broker.ErrConflict) {
				continue // another list of this buyer was counted: decide again
			} else if err != nil {
				return err
			}
		}
		return c.decide(ctx, key, st, rev, out, row, by, now, from, declaring)
	}
	return broker.ErrConflict
}

// decide writes the outcome into the state and publishes its steps from
// index from on.
func (c *Clearance) decide(ctx context.Context, key string, st *inventory.State, rev uint64, out inventory.Outcome, row, by string, now time.Time, from int, declaring bool) error {
	st.DecidedAt = now.UTC()
	st.Tax, st.Hits = out.Tax, out.Hits
	switch out.Status {
	case inventory.StatusRejected:
		st.Code = string(out.Code())
		st.Record(inventory.StatusRejected, out.Info(), now)
	default:
		st.InvtNo = inventory.InvtNo(st.CustomsCode, 'I', now, st.InSeq)
		st.Counted = &inventory.Counted{Row: row, Amount: out.Count.Amount}
		st.Record(inventory.StatusAccepted, "海关入库 logic checks passed", now)
		if out.Status == inventory.StatusReview {
			st.Record(inventory.StatusReview, "人工审核 manual review: "+hitIDs(out), now)
		} else {
			st.Record(inventory.StatusConcluded, "海关审结 concluded", now)
			st.ReleasedAt = now.UTC()
			st.Record(inventory.StatusReleased, "放行 released", now)
		}
	}
	st.By, st.From = by, from
	stateJSON, err := c.saveState(ctx, key, st, rev)
	if err != nil {
		if errors.Is(err, broker.ErrConflict) {
			// Another evaluation decided first; it counted the same list
			// under the same key, so the ledger holds it once. If it did
			// not count it (it rejected), take ours back.
			if declaring {
				// Another copy of the list was stored first. Its count,
				// if it made one, is ours too (same key); this message
				// comes back, finds the list counted and declares it the
				// ordinary way, or finds it decided and settles the
				// ledger with that decision.
				return broker.Retry(err, 20*time.Millisecond)
			}
			return c.afterLostDecision(ctx, key, row, rev)
		}
		return err
	}
	c.metrics.decisions.WithLabelValues(st.Status, st.TradeMode).Inc()
	c.metrics.latency.Observe(now.Sub(st.DeclaredAt).Seconds())
	// A waiting mark the list may have is left for the sweep to remove
	// (expire): most lists never had one, and a blind delete would cost
	// every decision a write.
	return c.publish(ctx, key, st, from, stateJSON)
}

func hitIDs(out inventory.Outcome) string {
	s := ""
	for i, h := range out.Hits {
		if i > 0 {
			s += ", "
		}
		s += h.RuleID
	}
	return s
}

// afterLostDecision reconciles the ledger with the decision that won: what
// this attempt counted in row stays only if that decision holds it there.
// lost is the revision this attempt's state write expected: the winner's is
// newer. A read that shows no newer revision comes from a replica behind
// the leader; giving back on its view would take the count of the decision
// that won (a released list left uncounted), so the message is retried
// until the read shows the winner.
func (c *Clearance) afterLostDecision(ctx context.Context, key, row string, lost uint64) error {
	st, cur, _, err := c.loadState(ctx, key)
	if err != nil {
		return err
	}
	if cur <= lost {
		return broker.Retry(errStaleState, 20*time.Millisecond)
	}
	return c.settleCount(ctx, key, st, row)
}

// errStaleState is a state read older than a write known to have happened.
var errStaleState = errors.New("the list's state read is older than the decision that won")

// settleCount gives back what row counts for the list at key unless its
// state st holds that very count (a decided list that counted it in row
// and did not give it back). A count nobody claims is left by an attempt
// that lost the race to another copy of the list.
func (c *Clearance) settleCount(ctx context.Context, key string, st *inventory.State, row string) error {
	if row == "" || st.Counted != nil && st.Counted.Row == row && !st.Counted.GivenBack {
		return nil
	}
	return c.ledger.GiveBack(ctx, row, key)
}

// replay re-publishes the steps the message by recorded, if it recorded
// the last change: a redelivery after a crash between the state write and
// the publications completes them (their message ids make it harmless).
func (c *Clearance) replay(ctx context.Context, key string, st *inventory.State, by string) error {
	if st.By != by || by == "" {
		return nil
	}
	return c.publish(ctx, key, st, st.From, nil)
}
