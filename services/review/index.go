package review

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/inventory"
	"github.com/nats-io/nats.go/jetstream"
)

// The index is the desk's read model in CBEC_REVIEW_INDEX, derived from
// the case records of CBEC_REVIEW, which stay the truth:
//
//	open.<requested>.<list key>  a row per open case (its status, claim,
//	                             platform, rules, officers)
//	dirty.<seq>.<list key>       an action (the case's seq-th) writing the
//	                             case, whose index or outbox may lag (the
//	                             sweep mends it)
//	built                        the index is complete
//
// and, beside the cases in CBEC_REVIEW, whose size they share,
//
//	decided.<officer>.<requested>.<list key>  a case the officer decided,
//	                                          its row (as an open row)
//
// The index bucket holds nothing that grows with the closed cases: with
// the decided keys in it, the watch over open.> slowed with them (10.7 ms
// a page beside 200,000 instead of 0.6 ms beside 1,000, measured with
// BenchmarkQueuePage); beside the cases they cost the queue nothing.
//
// <requested> is the request time in Unix nanoseconds, 19 digits, so that
// keys sort in the queue's order. A case leaving the queue has its open key
// purged, and purge markers expire after a minute (the bucket's
// LimitMarkerTTL): a listing reads the open rows only, whatever the number
// of closed cases.
const (
	openPrefix    = "open."
	decidedPrefix = "decided."
	dirtyPrefix   = "dirty."
	builtKey      = "built"
)

// markerTTL is how long a removed index key's purge marker lives.
const markerTTL = time.Minute

// row is an open case as the index holds it: what the queue filters,
// counts and orders on. Rev is the case record's revision it was taken at.
type row struct {
	Key         string    `json:"key"`
	Status      string    `json:"status"`
	Claim       *Claim    `json:"claim,omitempty"`
	Pending     *Pending  `json:"pending,omitempty"`
	EbpCode     string    `json:"ebpCode"`
	Rules       []string  `json:"rules,omitempty"`
	Officers    []string  `json:"officers,omitempty"`
	RequestedAt time.Time `json:"requestedAt"`
	Rev         uint64    `json:"rev"`
}

func rowOf(c *Case, rev uint64) row {
	return row{Key: c.Key, Status: c.Status, Claim: c.Claim, Pending: c.Pending, EbpCode: c.EbpCode,
		Rules: c.Rules, Officers: c.Officers, RequestedAt: c.RequestedAt, Rev: rev}
}

// asCase is the row as a (partial) case, for the queue's filters.
func (w row) asCase() *Case {
	c := &Case{Rules: w.Rules, Officers: w.Officers, RequestedAt: w.RequestedAt}
	c.Key, c.Status, c.Claim, c.Pending, c.EbpCode = w.Key, w.Status, w.Claim, w.Pending, w.EbpCode
	return c
}

// stamp is a request time as an index token that sorts as the time does.
func stamp(t time.Time) string { return fmt.Sprintf("%019d", max(t.UnixNano(), 0)) }

func openKey(c *Case) string { return openPrefix + stamp(c.RequestedAt) + "." + c.Key }

func decidedKey(officer string, c *Case) string {
	return decidedPrefix + broker.Token(officer) + "." + stamp(c.RequestedAt) + "." + c.Key
}

// listKeyOf is the list key at the end of an index key with skip tokens
// before it ("open.<requested>." has 2, "decided.<officer>.<requested>." 3).
func listKeyOf(k string, skip int) string {
	parts := strings.SplitN(k, ".", skip+1)
	if len(parts) <= skip {
		return ""
	}
	return parts[skip]
}

// indexCase makes the index say what the case record of rev says: its
// open row put or purged, a decided key for each of its officers. A newer
// write of the case may have overtaken rev; then the newest record is
// indexed again, so that the last word is always the latest case.
func (r *Review) indexCase(ctx context.Context, c *Case, rev uint64) error {
	for range broker.MaxCASAttempts {
		if err := r.indexOnce(ctx, c, rev); err != nil {
			return err
		}
		cur, curRev, found, err := r.load(ctx, c.Key)
		if err != nil {
			return err
		}
		if !found || curRev == rev {
			return nil
		}
		c, rev = cur, curRev
	}
	return errors.New("case " + c.Key + ": index kept being overtaken")
}

func (r *Review) indexOnce(ctx context.Context, c *Case, rev uint64) error {
	k := openKey(c)
	w := rowOf(c, rev)
	if c.Open() {
		if err := putRow(ctx, r.idx, k, w); err != nil {
			return err
		}
	} else if err := r.remove(ctx, k); err != nil {
		return err
	}
	// Each officer's decided key holds the case's row too, so that the
	// cases an officer decided are listed from their rows in one pass,
	// not read record by record.
	for _, o := range c.Officers {
		if err := putRow(ctx, r.kv, decidedKey(o, c), w); err != nil {
			return err
		}
	}
	return nil
}

// putRow writes the row at k in kv unless the row there is of a newer
// record, with compare-and-set, so that of two writers the newer record
// wins. An empty value (a decided key written before decided keys held
// rows) is replaced.
func putRow(ctx context.Context, kv jetstream.KeyValue, k string, w row) error {
	for range broker.MaxCASAttempts {
		var old row
		var orev uint64
		e, err := kv.Get(ctx, k)
		switch {
		case errors.Is(err, jetstream.ErrKeyNotFound):
		case err != nil:
			return err
		default:
			orev = e.Revision()
			if len(e.Value()) > 0 {
				if err := broker.Decode(e.Value(), &old); err != nil {
					return broker.Poison(err)
				}
				if old.Rev >= w.Rev {
					return nil
				}
			}
		}
		err = broker.PutJSON(ctx, kv, k, w, orev)
		if !errors.Is(err, broker.ErrConflict) {
			return err
		}
	}
	return broker.ErrConflict
}

// saveRev writes the case with compare-and-set on rev (0 = create) and
// returns the revision written, which the index records.
func (r *Review) saveRev(ctx context.Context, c *Case, rev uint64) (uint64, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return 0, err
	}
	var nrev uint64
	if rev == 0 {
		nrev, err = r.kv.Create(ctx, caseKey(c.Key), b)
	} else {
		nrev, err = r.kv.Update(ctx, caseKey(c.Key), b, rev)
	}
	if broker.IsConflict(err) {
		return 0, broker.ErrConflict
	}
	return nrev, err
}

// remove purges an index key if it is there, with a marker that expires.
func (r *Review) remove(ctx context.Context, k string) error {
	_, err := r.idx.Get(ctx, k)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return r.idx.Purge(ctx, k, jetstream.PurgeTTL(markerTTL))
}

// dirtyKey is the mark of the action numbered seq on the case of key: one
// per action, so that an action finishing never clears the mark of
// another still on its way.
func dirtyKey(key string, seq int) string { return dirtyPrefix + strconv.Itoa(seq) + "." + key }

// markDirty notes, before an action writes a case, that its index and
// outbox may lag the record until clean is called; the sweep mends what a
// crash in between left.
func (r *Review) markDirty(ctx context.Context, key string, seq int) error {
	_, err := r.idx.Put(ctx, dirtyKey(key, seq), nil)
	return err
}

func (r *Review) clean(ctx context.Context, key string, seq int) error {
	return r.remove(ctx, dirtyKey(key, seq))
}

// mend indexes every case marked dirty again, publishes its outbox and
// removes the mark. A mark of an action that lost its compare-and-set
// (and wrote nothing) is mended the same way, harmlessly.
func (r *Review) mend(ctx context.Context) error {
	marks, err := listKeys(ctx, r.idx, dirtyPrefix+">")
	if err != nil {
		return err
	}
	var errs []error
	for _, k := range marks {
		key := listKeyOf(k, 2)
		c, rev, found, err := r.load(ctx, key)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if found {
			if err := r.indexCase(ctx, c, rev); err != nil {
				errs = append(errs, err)
				continue
			}
			if err := r.flush(ctx, c); err != nil {
				errs = append(errs, err)
				continue
			}
		}
		errs = append(errs, r.remove(ctx, k))
	}
	return errors.Join(errs...)
}

// listKeys lists the keys of kv under filter.
func listKeys(ctx context.Context, kv jetstream.KeyValue, filter string) ([]string, error) {
	l, err := kv.ListKeysFiltered(ctx, filter)
	if errors.Is(err, jetstream.ErrNoKeysFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var keys []string
	for k := range l.Keys() {
		keys = append(keys, k)
	}
	return keys, nil
}

// openRows returns the rows of every open case: one pass of a watch over
// the open keys, which holds no closed case.
func (r *Review) openRows(ctx context.Context) ([]*Case, error) {
	var out []*Case
	err := watchValues(ctx, r.idx, openPrefix+">", func(e jetstream.KeyValueEntry) {
		var w row
		if err := broker.Decode(e.Value(), &w); err != nil {
			r.env.Log.Warn("undecodable review index row", "key", e.Key(), "err", err)
			return
		}
		out = append(out, w.asCase())
	})
	return out, err
}

// decidedCases returns the cases officer decided: the rows their decided
// keys hold, in one pass of a watch. A key without a row (written before
// decided keys held rows, until a rebuild or the case's next event) is
// read from its case record.
func (r *Review) decidedCases(ctx context.Context, officer string) ([]*Case, error) {
	var out []*Case
	var bare []string
	err := watchValues(ctx, r.kv, decidedPrefix+broker.Token(officer)+".>", func(e jetstream.KeyValueEntry) {
		var w row
		if len(e.Value()) == 0 || broker.Decode(e.Value(), &w) != nil {
			bare = append(bare, listKeyOf(e.Key(), 3))
			return
		}
		out = append(out, w.asCase())
	})
	if err != nil {
		return nil, err
	}
	for _, k := range bare {
		c, _, found, err := r.load(ctx, k)
		if err != nil {
			return nil, err
		}
		if found {
			out = append(out, c)
		}
	}
	return out, nil
}

// watchValues calls fn with the current entry of every key under filter:
// a watch delivers them in one pass, cheaper than a get per key.
func watchValues(ctx context.Context, kv jetstream.KeyValue, filter string, fn func(jetstream.KeyValueEntry)) error {
	w, err := kv.Watch(ctx, filter, jetstream.IgnoreDeletes())
	if err != nil {
		return err
	}
	defer func() { _ = w.Stop() }()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case e, ok := <-w.Updates():
			if !ok {
				return errors.New("watch of " + filter + " closed")
			}
			if e == nil {
				// The initial values are all delivered.
				return nil
			}
			fn(e)
		}
	}
}

// Rebuild makes the index anew from the case records: the open rows and
// decided keys of every case, and drops rows of cases that are gone or no
// longer open. It runs at start when the index is not marked built (a new
// or deleted index), and on an operator's request. The cases stream
// through one watch, one at a time, never all held at once.
func (r *Review) Rebuild(ctx context.Context) (int, error) {
	open := map[string]bool{}
	n := 0
	var failed error
	err := watchValues(ctx, r.kv, caseFilter, func(e jetstream.KeyValueEntry) {
		c := &Case{}
		if failed != nil {
			return
		}
		if err := broker.Decode(e.Value(), c); err != nil {
			r.env.Log.Warn("undecodable case", "key", e.Key(), "err", err)
			return
		}
		n++
		if c.Open() {
			open[openKey(c)] = true
		}
		failed = r.indexCase(ctx, c, e.Revision())
	})
	if err = errors.Join(err, failed); err != nil {
		return 0, err
	}
	stale, err := listKeys(ctx, r.idx, openPrefix+">")
	if err != nil {
		return 0, err
	}
	for _, k := range stale {
		if !open[k] {
			if err := r.remove(ctx, k); err != nil {
				return 0, err
			}
		}
	}
	if _, err := r.idx.Put(ctx, builtKey, []byte(r.env.Clock.Now().UTC().Format(time.RFC3339))); err != nil {
		return 0, err
	}
	r.env.Log.Info("review index rebuilt", "cases", n, "open", len(open))
	return n, nil
}

// ensureIndex rebuilds the index if it is not marked built.
func (r *Review) ensureIndex(ctx context.Context) error {
	_, err := r.idx.Get(ctx, builtKey)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		_, err = r.Rebuild(ctx)
	}
	return err
}

// isOpenStatus reports whether a status filter selects open cases only,
// which the open rows answer alone.
func isOpenStatus(filter string) bool {
	return filter == "open" || filter == inventory.StatusReview || filter == inventory.StatusInspect
}
