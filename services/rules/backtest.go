// Package rules serves the risk rules to the people who change them: the
// backtest, which replays the stored declarations of a time window through
// a candidate rules file and reports what each rule would have held, and
// what officers in fact did with those lists. It is read-only: it reads
// CEB_IN with ordered consumers and direct gets, never the durable
// consumers, and decides, counts and sends nothing.
package rules

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/clock"
	"github.com/cbec/cbec/pkg/docstore"
	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/identity"
	"github.com/cbec/cbec/pkg/inventory"
	"github.com/cbec/cbec/pkg/match"
	"github.com/cbec/cbec/pkg/quota"
	"github.com/cbec/cbec/pkg/risk"
	ruleset "github.com/cbec/cbec/pkg/rules"
	"github.com/cbec/cbec/pkg/tariff"
	"github.com/nats-io/nats.go/jetstream"
)

// Bounds of one backtest: a replay reads every document of its window, so
// the window and the declarations in it are bounded to keep one request
// from occupying the store for long.
const (
	MaxWindow       = 7 * 24 * time.Hour
	MaxDeclarations = 200_000
	// MaxListed is how many list keys a rule's report names; the counts
	// are always whole.
	MaxListed = 200
)

// RuleReport is what one rule did in the replay.
type RuleReport struct {
	RuleID string      `json:"ruleId"`
	Action risk.Action `json:"action,omitempty"`
	// Hits is how many lists the candidate rule would hold (review) or
	// reject; Lists names the first MaxListed of them (list keys).
	Hits  int      `json:"hits"`
	Lists []string `json:"lists"`
	// Released, Rejected and Inspected count those of Hits that an officer
	// in fact released, rejected or ordered inspected.
	Released  int `json:"released"`
	Rejected  int `json:"rejected"`
	Inspected int `json:"inspected"`
	// InForce is how many lists the rule of this id in force fired on.
	InForce int `json:"inForce"`
	// Added counts lists the candidate rule fires on and the rule in force
	// does not; Removed the reverse.
	Added   int `json:"added"`
	Removed int `json:"removed"`
}

// Report is the answer of a backtest.
type Report struct {
	ID   string    `json:"id"`
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Digest is the hex SHA-256 of the candidate rules file.
	Digest      string    `json:"digest"`
	RequestedBy string    `json:"requestedBy"`
	At          time.Time `json:"at"`
	// Declarations is how many lists declared in the window were replayed;
	// Incomplete how many of them lack a document and were left out.
	Declarations int `json:"declarations"`
	Incomplete   int `json:"incomplete"`
	// Held and HeldInForce count the lists held or rejected by any risk
	// rule, candidate and in force; HeldByNewOnly and HeldByOldOnly the
	// lists only one of them stops.
	Held          int          `json:"held"`
	HeldInForce   int          `json:"heldInForce"`
	HeldByNewOnly int          `json:"heldByNewOnly"`
	HeldByOldOnly int          `json:"heldByOldOnly"`
	Rules         []RuleReport `json:"rules"`
}

// Window checks a backtest window: from before to, at most MaxWindow.
func Window(from, to time.Time) error {
	switch {
	case from.IsZero() || to.IsZero():
		return errcode.New(errcode.BadRequest, "from and to are required (RFC 3339 times)")
	case !from.Before(to):
		return errcode.New(errcode.BadRequest, "from %s is not before to %s", from.Format(time.RFC3339), to.Format(time.RFC3339))
	case to.Sub(from) > MaxWindow:
		return errcode.New(errcode.BadRequest, "the window %s to %s is longer than %s: backtest at most 7 days at a time",
			from.Format(time.RFC3339), to.Format(time.RFC3339), MaxWindow)
	}
	return nil
}

// source is where a replay reads the stored declarations.
type source struct {
	js   jetstream.JetStream
	docs *docstore.Store
	// inv is CBEC_INVENTORY: the payment index and the lists' states.
	inv jetstream.KeyValue
	// byTime starts a replay at the window's start in the stream rather
	// than at its beginning: only when the service clock is the wall clock
	// JetStream stamps messages with (no --dev-clock).
	byTime bool
}

// clockSlack is how far before the window a replay by time starts: the
// acceptance time and the stream's timestamp are taken moments apart,
// on hosts whose clocks may differ a little.
const clockSlack = time.Hour

// declared is one list declared in the window, in declaration order.
type declared struct {
	key  string
	at   time.Time
	list *ceb.Inventory
}

// window reads the current version of every CEB621 list whose declaration
// (its first acceptance) falls in [from, to), with an ordered consumer
// from the window's start (byTime) or the stream's, to its end: a list's
// current version may be a change accepted after the window.
// A store holding more than MaxDeclarations in the window is refused.
func (s *source) window(ctx context.Context, from, to time.Time) ([]declared, error) {
	cfg := jetstream.OrderedConsumerConfig{FilterSubjects: []string{broker.InFilter(string(ceb.CEB621))}}
	if s.byTime {
		start := from.Add(-clockSlack)
		cfg.DeliverPolicy, cfg.OptStartTime = jetstream.DeliverByStartTimePolicy, &start
	}
	cons, err := s.js.OrderedConsumer(ctx, broker.StreamIn, cfg)
	if err != nil {
		return nil, err
	}
	info, err := cons.Info(ctx)
	if err != nil {
		return nil, err
	}
	byKey := map[string]*declared{}
	var order []*declared
	pending := info.NumPending
	for pending > 0 {
		batch, err := cons.Fetch(500, jetstream.FetchMaxWait(2*time.Second))
		if err != nil {
			return nil, err
		}
		n := 0
		for m := range batch.Messages() {
			n++
			meta, err := m.Metadata()
			if err != nil {
				return nil, err
			}
			pending = meta.NumPending
			e := docstore.EntryOf(broker.Msg{Data: m.Data(), Header: m.Headers(), Seq: meta.Sequence.Stream})
			key := m.Headers().Get(docstore.HeaderKey)
			d, seen := byKey[key]
			if !seen {
				// The first version is the declaration; a change (appType
				// 2) replaces the list but keeps its declaration time.
				if e.AcceptedAt.Before(from) || !e.AcceptedAt.Before(to) {
					byKey[key] = nil
					continue
				}
				if len(order) == MaxDeclarations {
					return nil, errcode.New(errcode.TooLarge, "more than %d declarations in the window: backtest a shorter one", MaxDeclarations)
				}
				d = &declared{at: e.AcceptedAt}
				byKey[key] = d
				order = append(order, d)
			}
			if d == nil {
				continue
			}
			list := &ceb.Inventory{}
			if err := broker.Decode(e.Doc, list); err != nil {
				return nil, fmt.Errorf("%s: %w", key, err)
			}
			d.list = list
			d.key = docstore.InventoryKey(list.InventoryHead.EbpCode, list.InventoryHead.OrderNo)
		}
		if err := batch.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) {
			return nil, err
		}
		if n == 0 {
			break
		}
	}
	out := make([]declared, len(order))
	for i, d := range order {
		out[i] = *d
	}
	slices.SortStableFunc(out, func(a, b declared) int { return a.at.Compare(b.at) })
	return out, nil
}

// documents reads the order, payment and waybill of a list by direct gets;
// complete is false when one is missing.
func (s *source) documents(ctx context.Context, list *ceb.Inventory) (match.Documents, bool, error) {
	h := list.InventoryHead
	d := match.Documents{Order: &ceb.Order{}, Payment: &ceb.Payment{}, Waybill: &ceb.Logistics{}, Inventory: list}
	ok, err := s.docs.GetDoc(ctx, docstore.KeyOf(ceb.CEB311, h.EbpCode, h.OrderNo), d.Order)
	if err != nil || !ok {
		return d, false, err
	}
	if ok, err = s.docs.GetDoc(ctx, docstore.KeyOf(ceb.CEB511, h.LogisticsCode, h.LogisticsNo), d.Waybill); err != nil || !ok {
		return d, false, err
	}
	payKey, err := s.inv.Get(ctx, docstore.PaymentIndexKey(h.EbpCode, h.OrderNo))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return d, false, nil
	} else if err != nil {
		return d, false, err
	}
	ok, err = s.docs.GetDoc(ctx, string(payKey.Value()), d.Payment)
	return d, ok, err
}

// officer says what officers did with the list at key: its state's
// history after it was held (300) tells release (800), rejection (100)
// and inspection (500).
func (s *source) officer(ctx context.Context, key string) (released, rejected, inspected bool, err error) {
	st := &inventory.State{}
	_, found, err := broker.GetJSON(ctx, s.inv, key, st)
	if err != nil || !found {
		return false, false, false, err
	}
	held := false
	for _, e := range st.History {
		switch e.Status {
		case inventory.StatusReview:
			held = true
		case inventory.StatusInspect:
			inspected = inspected || held
		case inventory.StatusReleased:
			released = released || held
		case inventory.StatusRejected:
			rejected = rejected || held
		}
	}
	return released, rejected, inspected, nil
}

// replayer decides the lists of a window under one rules set, as
// clearance would have on their declaration, with a quota ledger and an
// address index of its own that start empty at the window's start.
type replayer struct {
	rules   *ruleset.Set
	tariff  *tariff.Table
	ledgers map[string]*quota.Ledger
}

func newReplayer(rs *ruleset.Set, tt *tariff.Table) *replayer {
	return &replayer{rules: rs, tariff: tt, ledgers: map[string]*quota.Ledger{}}
}

// decide decides one list and returns the ids of the risk rules that
// would stop it (hold or reject).
func (r *replayer) decide(key string, docs match.Documents, buyers int, at time.Time) []string {
	buyer := identity.Normalize(docs.Inventory.InventoryHead.BuyerIdNumber)
	row := buyer + "." + fmt.Sprint(quota.Year(at))
	l := r.ledgers[row]
	if l == nil {
		l = &quota.Ledger{}
		r.ledgers[row] = l
	}
	out := inventory.Decide(inventory.Input{Docs: docs, Tariff: r.tariff, Rules: r.rules, Ledger: l,
		ListKey: key, BuyersAtAddress: buyers, Now: at})
	if out.Count != nil {
		l.Count(key, out.Count.Amount, out.Count.Qty, at)
	}
	ids := make([]string, 0, len(out.Hits))
	for _, h := range out.Hits {
		ids = append(ids, h.RuleID)
	}
	return ids
}

// addresses counts the distinct buyers of each consignee address per
// Shanghai day, as clearance's daily address index does.
type addresses map[string]map[string]bool

func (a addresses) see(addr, buyer string, at time.Time) int {
	day := at.In(clock.Shanghai).Format(time.DateOnly) + "|" + addr
	if a[day] == nil {
		a[day] = map[string]bool{}
	}
	a[day][buyer] = true
	return len(a[day])
}

// chunk is how many lists have their documents read at once.
const chunk = 256

// Backtest replays the lists declared in [from, to) through candidate and
// through inForce and reports per rule. It writes nothing.
func (s *source) Backtest(ctx context.Context, candidate, inForce *ruleset.Set, tt *tariff.Table, from, to time.Time) (*Report, error) {
	if err := Window(from, to); err != nil {
		return nil, err
	}
	lists, err := s.window(ctx, from, to)
	if err != nil {
		return nil, err
	}
	rep := &Report{From: from.UTC(), To: to.UTC(), Declarations: len(lists)}
	byRule := map[string]*RuleReport{}
	ruleOf := func(id string, a risk.Action) *RuleReport {
		r := byRule[id]
		if r == nil {
			r = &RuleReport{RuleID: id, Action: a, Lists: []string{}}
			byRule[id] = r
		}
		return r
	}
	for _, sp := range candidate.Risk.Rules() {
		ruleOf(sp.ID, sp.Action)
	}
	for _, sp := range inForce.Risk.Rules() {
		ruleOf(sp.ID, "")
	}
	newR, oldR := newReplayer(candidate, tt), newReplayer(inForce, tt)
	seen := addresses{}
	for start := 0; start < len(lists); start += chunk {
		part := lists[start:min(start+chunk, len(lists))]
		docs, complete, err := s.readAll(ctx, part)
		if err != nil {
			return nil, err
		}
		for i, d := range part {
			if !complete[i] {
				rep.Incomplete++
				continue
			}
			h := d.list.InventoryHead
			n := seen.see(h.ConsigneeAddress, identity.Normalize(h.BuyerIdNumber), d.at)
			got, was := newR.decide(d.key, docs[i], n, d.at), oldR.decide(d.key, docs[i], n, d.at)
			if err := s.tally(ctx, rep, ruleOf, d.key, got, was); err != nil {
				return nil, err
			}
		}
	}
	for _, r := range byRule {
		rep.Rules = append(rep.Rules, *r)
	}
	order := map[string]int{}
	for i, sp := range append(candidate.Risk.Rules(), inForce.Risk.Rules()...) {
		if _, ok := order[sp.ID]; !ok {
			order[sp.ID] = i
		}
	}
	slices.SortFunc(rep.Rules, func(a, b RuleReport) int {
		ia, oka := order[a.RuleID]
		ib, okb := order[b.RuleID]
		if oka != okb { // rules of neither file (EVAL) last
			if oka {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(ia, ib), cmp.Compare(a.RuleID, b.RuleID))
	})
	return rep, nil
}

// tally adds one list's hits under the candidate (got) and the rules in
// force (was) to the report.
func (s *source) tally(ctx context.Context, rep *Report, ruleOf func(string, risk.Action) *RuleReport, key string, got, was []string) error {
	if len(got) > 0 {
		rep.Held++
	}
	if len(was) > 0 {
		rep.HeldInForce++
	}
	switch {
	case len(got) > 0 && len(was) == 0:
		rep.HeldByNewOnly++
	case len(got) == 0 && len(was) > 0:
		rep.HeldByOldOnly++
	}
	var released, rejected, inspected bool
	if len(got) > 0 {
		var err error
		if released, rejected, inspected, err = s.officer(ctx, key); err != nil {
			return err
		}
	}
	for _, id := range got {
		r := ruleOf(id, risk.Review)
		r.Hits++
		if len(r.Lists) < MaxListed {
			r.Lists = append(r.Lists, key)
		}
		r.Released += b2i(released)
		r.Rejected += b2i(rejected)
		r.Inspected += b2i(inspected)
		if !slices.Contains(was, id) {
			r.Added++
		}
	}
	for _, id := range was {
		r := ruleOf(id, risk.Review)
		r.InForce++
		if !slices.Contains(got, id) {
			r.Removed++
		}
	}
	return nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// readAll reads the documents of part concurrently: the direct gets are
// batched across callers, so a chunk costs a few round trips.
func (s *source) readAll(ctx context.Context, part []declared) ([]match.Documents, []bool, error) {
	docs := make([]match.Documents, len(part))
	complete := make([]bool, len(part))
	errs := make([]error, len(part))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 32)
	for i, d := range part {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			docs[i], complete[i], errs[i] = s.documents(ctx, d.list)
		}()
	}
	wg.Wait()
	return docs, complete, errors.Join(errs...)
}
