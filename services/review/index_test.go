package review_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/ceb/cebtest"
	"github.com/cbec/cbec/pkg/docstore"
	"github.com/cbec/cbec/pkg/inventory"
	"github.com/cbec/cbec/pkg/natstest"
	reviewrule "github.com/cbec/cbec/pkg/review"
	"github.com/cbec/cbec/pkg/svc"
	"github.com/cbec/cbec/services/review"
	"github.com/cbec/cbec/services/servicetest"
	"github.com/nats-io/nats.go/jetstream"
)

// indexStream is the stream behind the review index bucket.
const indexStream = "KV_" + broker.BucketReviewIndex

// listKeys is the keys of a listing, in its order, with its next cursor.
func listKeys(t *testing.T, h *servicetest.Harness, apiKey, query string) string {
	t.Helper()
	l := list(t, h, apiKey, query)
	return strings.Join(keysOf(l), ",") + fmt.Sprintf(" next=%v counts=%v", l.Next != "", l.Counts)
}

// indexKeys lists the keys of bucket under filter.
func indexKeys(t *testing.T, h *servicetest.Harness, bucket, filter string) []string {
	t.Helper()
	kv, err := h.JS.KeyValue(context.Background(), bucket)
	if err != nil {
		t.Fatal(err)
	}
	l, err := kv.ListKeysFiltered(context.Background(), filter)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for k := range l.Keys() {
		out = append(out, k)
	}
	return out
}

// deleteIndex empties the index bucket, as an operator deleting it would.
func deleteIndex(t *testing.T, h *servicetest.Harness) {
	t.Helper()
	s, err := h.JS.Stream(context.Background(), indexStream)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Purge(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestIndexFollowsTheCases: an open case has its row, a decided one
// leaves the open rows and stays in its officer's decided cases.
func TestIndexFollowsTheCases(t *testing.T) {
	h := newHarness(t)
	a := flagged(t, h, "RV-IDX-1")
	b := flagged(t, h, "RV-IDX-2")
	if got := indexKeys(t, h, broker.BucketReviewIndex, "open.>"); len(got) != 2 {
		t.Fatalf("open rows %v", got)
	}
	mustAct(t, h, servicetest.KeyOfficer, b, reviewrule.ActionClaim, nil, http.StatusOK)
	mustAct(t, h, servicetest.KeyOfficer, b, reviewrule.ActionRelease, nil, http.StatusAccepted)
	waitStatus(t, h, b, inventory.StatusReleased)
	natstest.Eventually(t, 5*time.Second, func() bool {
		got := indexKeys(t, h, broker.BucketReviewIndex, "open.>")
		return len(got) == 1 && strings.HasSuffix(got[0], "."+a)
	}, "the released case keeps its open row: %v", indexKeys(t, h, broker.BucketReviewIndex, "open.>"))
	got := indexKeys(t, h, broker.BucketReview, "decided.OFFICER01.>")
	if len(got) != 1 || !strings.HasSuffix(got[0], "."+b) {
		t.Fatalf("decided keys of OFFICER01: %v", got)
	}
	// The decided key holds the case's row, as it is now: released.
	rv, err := h.JS.KeyValue(context.Background(), broker.BucketReview)
	if err != nil {
		t.Fatal(err)
	}
	natstest.Eventually(t, 5*time.Second, func() bool {
		var w struct {
			Key, Status string
			Officers    []string
		}
		e, err := rv.Get(context.Background(), got[0])
		return err == nil && json.Unmarshal(e.Value(), &w) == nil &&
			w.Key == b && w.Status == inventory.StatusReleased && slices.Equal(w.Officers, []string{"OFFICER01"})
	}, "the decided key's row of %s", b)
	if got := indexKeys(t, h, broker.BucketReviewIndex, "dirty.>"); len(got) != 0 {
		t.Errorf("dirty marks left after actions that went through: %v", got)
	}
	// An officer's decided cases, open or closed, paged by the cursor.
	if got := listKeys(t, h, servicetest.KeyOfficer, "status=closed"); !strings.HasPrefix(got, b+" ") {
		t.Errorf("OFFICER01's closed cases: %s", got)
	}
	if got := listKeys(t, h, servicetest.KeySuper, "status=closed&decidedBy=OFFICER01"); !strings.HasPrefix(got, b+" ") {
		t.Errorf("supervisor's look at OFFICER01's decided cases: %s", got)
	}
	if got := listKeys(t, h, KeyOfficer2, "status=closed"); !strings.HasPrefix(got, " ") {
		t.Errorf("OFFICER02 decided nothing, yet lists %s", got)
	}
	// The desk's filter: a supervisor's look at what OFFICER01 decided.
	d := signIn(t, h, servicetest.KeySuper)
	resp, err := d.client.Get(h.URL + "/review/?status=all&decidedBy=OFFICER01")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if !strings.Contains(string(page), `data-key="`+b+`"`) || strings.Contains(string(page), `data-key="`+a+`"`) ||
		!strings.Contains(string(page), `id="f-decided" value="OFFICER01"`) {
		t.Errorf("desk queue decided by OFFICER01:\n%s", page)
	}
}

// TestIndexRebuild deletes the index and rebuilds it from the case
// records: every listing is what it was.
func TestIndexRebuild(t *testing.T) {
	h := newHarness(t)
	a, _, _ := mixedQueue(t, h, "RV-REB", 10*time.Minute)

	queries := []struct{ key, query string }{
		{servicetest.KeySuper, ""},
		{servicetest.KeySuper, "limit=1"},
		{servicetest.KeySuper, "claimedBy=OFFICER01"},
		{servicetest.KeySuper, "claimedBy=none&minAgeMinutes=5"},
		{servicetest.KeySuper, "status=all"},
		{servicetest.KeyOfficer, ""},
		{servicetest.KeyOfficer, "status=all"},
		{servicetest.KeyOfficer, "status=closed"},
		{KeyOfficer2, ""},
	}
	before := map[int]string{}
	for i, q := range queries {
		before[i] = listKeys(t, h, q.key, q.query)
	}
	if !strings.HasPrefix(before[0], a+",") {
		t.Fatalf("queue before: %s", before[0])
	}

	deleteIndex(t, h)
	// The queue is read from the index: gone with it.
	if got := list(t, h, servicetest.KeySuper, ""); len(got.Cases) != 0 {
		t.Fatalf("queue without an index: %d cases", len(got.Cases))
	}
	for _, key := range []string{servicetest.KeyOfficer, servicetest.KeyAgent} {
		if code, _, _ := h.Do("POST", "/v1/review/index/rebuild", key, "", nil); code != http.StatusForbidden {
			t.Errorf("rebuild by %s: %d, want 403", key, code)
		}
	}
	code, body, _ := h.Do("POST", "/v1/review/index/rebuild", servicetest.KeyOperator, "", nil)
	var rb review.RebuildResponse
	if code != http.StatusOK || json.Unmarshal(body, &rb) != nil || rb.Cases != 3 {
		t.Fatalf("rebuild: %d %s", code, body)
	}
	for i, q := range queries {
		if got := listKeys(t, h, q.key, q.query); got != before[i] {
			t.Errorf("%s %q after the rebuild: %s, before %s", q.key, q.query, got, before[i])
		}
	}
	if got := indexKeys(t, h, broker.BucketReviewIndex, "built"); len(got) != 1 {
		t.Errorf("rebuilt index not marked built: %v", got)
	}
}

// TestIndexRebuiltAtStart: a service starting on an index without its
// built mark rebuilds it before it serves.
func TestIndexRebuiltAtStart(t *testing.T) {
	h := newHarness(t)
	a := flagged(t, h, "RV-START-1")
	ctx := context.Background()
	deleteIndex(t, h)
	// A second replica, on a router of its own, starts after the index is
	// gone.
	env := h.EnvOf(review.Name)
	env.Mux = svc.NewRouter()
	second, err := review.New(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	if err := second.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = second.Stop(context.Background()) })
	super, _ := h.Env.Parties.ByCode("SUPER01")
	l, err := second.(*review.Review).List(ctx, super, review.Filter{Status: "open"})
	if err != nil || len(l.Cases) != 1 || l.Cases[0].Key != a {
		t.Errorf("queue after a start on an empty index: %v %v", l.Cases, err)
	}
}

// seedCases writes n cases straight into the buckets, as the service
// would have left them: closed ones decided by OFFICER02 with their
// decided key beside them (a season of promotions without replaying it),
// or open ones with their index row.
func seedCases(tb testing.TB, js jetstream.JetStream, n int, open bool) {
	tb.Helper()
	at := servicetest.Start.Add(-24 * time.Hour).UTC()
	prefix := "SEED-CLOSED"
	if open {
		prefix = "SEED-OPEN"
	}
	put := func(bucket, key string, v any) {
		b, err := json.Marshal(v)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := js.PublishAsync(broker.KVSubject(bucket, key), b); err != nil {
			tb.Fatal(err)
		}
	}
	for i := range n {
		orderNo := fmt.Sprintf("%s-%07d", prefix, i)
		key := docstore.InventoryKey(cebtest.EbpCode, orderNo)
		c := review.Case{RequestedAt: at.Add(time.Duration(i) * time.Second), Rules: []string{"R001"}, Audit: []review.AuditEntry{}}
		c.Key, c.EbpCode, c.OrderNo = key, cebtest.EbpCode, orderNo
		stamp := fmt.Sprintf("%019d", c.RequestedAt.UnixNano())
		if open {
			c.Status = inventory.StatusReview
			put(broker.BucketReviewIndex, "open."+stamp+"."+key, map[string]any{
				"key": key, "status": c.Status, "ebpCode": c.EbpCode, "rules": c.Rules, "requestedAt": c.RequestedAt, "rev": 1})
		} else {
			c.Status, c.Officers = inventory.StatusReleased, []string{"OFFICER02"}
			put(broker.BucketReview, "decided.OFFICER02."+stamp+"."+key, map[string]any{
				"key": key, "status": c.Status, "ebpCode": c.EbpCode, "rules": c.Rules, "officers": c.Officers, "requestedAt": c.RequestedAt, "rev": 1})
		}
		put(broker.BucketReview, "case."+key, c)
		if i%5000 == 4999 {
			select {
			case <-js.PublishAsyncComplete():
			case <-time.After(30 * time.Second):
				tb.Fatal("seeding stalled")
			}
		}
	}
	<-js.PublishAsyncComplete()
}

// heldOpen is the open cases held through the real flow: the demo buyer's
// annual quota takes five held declarations.
const heldOpen = 5

// BenchmarkQueuePage lists the first page (50) of the open queue — the 5
// cases held through the real flow, alone or with 500 more written
// straight into the buckets — beside 1,000 and 200,000 closed cases: the
// time stays flat in the closed cases, since the page reads the open rows
// only.
func BenchmarkQueuePage(b *testing.B) {
	for _, seeded := range []int{0, 500} {
		for _, closed := range []int{1_000, 200_000} {
			b.Run(fmt.Sprintf("open=%d/closed=%d", heldOpen+seeded, closed), func(b *testing.B) {
				benchQueuePage(b, seeded, closed)
			})
		}
	}
}

func benchQueuePage(b *testing.B, seeded, closed int) {
	h := servicetest.New(b, withSecondOfficer)
	for i := range heldOpen {
		s := servicetest.NewSet(fmt.Sprintf("RV-BENCH-%02d", i))
		s.Scale("8.5")
		h.Submit(s)
	}
	seedCases(b, h.JS, closed, false)
	seedCases(b, h.JS, seeded, true)
	rv := h.Review.(*review.Review)
	super, _ := h.Env.Parties.ByCode("SUPER01")
	ctx := context.Background()
	f := review.Filter{Status: "open", Limit: 50}
	open, page := heldOpen+seeded, min(heldOpen+seeded, 50)
	var l review.ListResponse
	var err error
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		l, err = rv.List(ctx, super, f)
		if err == nil && l.Counts["open"] == open {
			break
		}
	}
	if err != nil || l.Counts["open"] != open || len(l.Cases) != page {
		b.Fatalf("the open cases do not reach the queue: %d on the page, counts %v, %v", len(l.Cases), l.Counts, err)
	}
	b.ResetTimer()
	for b.Loop() {
		l, err := rv.List(ctx, super, f)
		if err != nil || len(l.Cases) != page {
			b.Fatalf("page: %d cases, %v", len(l.Cases), err)
		}
	}
}

// TestQueuePagesBothWays walks the queue forward by next and back by
// prev, a page of one case at a time.
func TestQueuePagesBothWays(t *testing.T) {
	h := newHarness(t)
	var want []string
	for i := range 4 {
		want = append(want, flagged(t, h, fmt.Sprintf("RV-PAGE-%d", i)))
		h.Clock.Advance(time.Minute)
	}
	var fwd []string
	l := list(t, h, servicetest.KeySuper, "limit=1")
	for page := 0; ; page++ {
		fwd = append(fwd, keysOf(l)...)
		if (page == 0) != (l.Prev == "") {
			t.Errorf("page %d: prev %q", page, l.Prev)
		}
		if l.Next == "" || page > 4 {
			break
		}
		l = list(t, h, servicetest.KeySuper, "limit=1&after="+l.Next)
	}
	if strings.Join(fwd, ",") != strings.Join(want, ",") {
		t.Fatalf("forward: %v, want %v", fwd, want)
	}
	var back []string
	for page := 0; ; page++ {
		back = append([]string{keysOf(l)[0]}, back...)
		if l.Prev == "" || page > 4 {
			break
		}
		l = list(t, h, servicetest.KeySuper, "limit=1&before="+l.Prev)
		if l.Next == "" {
			t.Errorf("a page before others without next")
		}
	}
	if strings.Join(back, ",") != strings.Join(want, ",") {
		t.Errorf("backward: %v, want %v", back, want)
	}
	if l := list(t, h, servicetest.KeySuper, "limit=3&before="+list(t, h, servicetest.KeySuper, "limit=3").Next); len(l.Cases) != 2 || l.Cases[0].Key != want[0] {
		t.Errorf("page before the 3rd case: %v", keysOf(l))
	}
	if code, _, _ := h.Do("GET", "/v1/review/cases?after="+l.Next+"&before="+l.Next, servicetest.KeySuper, "", nil); code != http.StatusBadRequest {
		t.Errorf("after and before: %d", code)
	}
}

// TestSweepMendsADirtyCase plays a crash between an action's write and
// its index and outbox: the case changed and marked dirty, nothing else.
// The sweep indexes it, publishes its outbox and clears the mark.
func TestSweepMendsADirtyCase(t *testing.T) {
	h := newHarness(t)
	a := flagged(t, h, "RV-DIRTY-1")
	mustAct(t, h, servicetest.KeyOfficer, a, reviewrule.ActionClaim, nil, http.StatusOK)
	ctx := context.Background()
	cases, err := h.JS.KeyValue(ctx, broker.BucketReview)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := h.JS.KeyValue(ctx, broker.BucketReviewIndex)
	if err != nil {
		t.Fatal(err)
	}
	e, err := cases.Get(ctx, "case."+a)
	if err != nil {
		t.Fatal(err)
	}
	var c review.Case
	if err := json.Unmarshal(e.Value(), &c); err != nil {
		t.Fatal(err)
	}
	entry, _ := json.Marshal(review.AuditEntry{Seq: 99, Case: a, Action: reviewrule.ActionUnclaim, Officer: "OFFICER01"})
	c.Claim = nil
	c.Outbox = []review.OutMsg{{Subject: "cbec.audit.OFFICER01", ID: "review/" + a + "/99", Data: entry}}
	b, _ := json.Marshal(c)
	if _, err := idx.Put(ctx, "dirty.99."+a, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := cases.Update(ctx, "case."+a, b, e.Revision()); err != nil {
		t.Fatal(err)
	}
	if got := keysOf(list(t, h, servicetest.KeySuper, "claimedBy=none")); len(got) != 0 {
		t.Fatalf("the index saw the write it missed: %v", got)
	}
	if err := h.Review.(*review.Review).Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if got := keysOf(list(t, h, servicetest.KeySuper, "claimedBy=none")); len(got) != 1 || got[0] != a {
		t.Errorf("after the sweep, unclaimed: %v", got)
	}
	published := false
	for _, m := range auditMessages(t, h, "OFFICER01") {
		published = published || m.Seq == 99
	}
	if !published {
		t.Error("the sweep did not publish the outbox")
	}
	if v := getCase(t, h, a); v.Claim != nil {
		t.Errorf("case claim %+v", v.Claim)
	}
	if got := indexKeys(t, h, broker.BucketReviewIndex, "dirty.>"); len(got) != 0 {
		t.Errorf("dirty marks after the sweep: %v", got)
	}
}

// TestDecidedKeyWithoutRow: a decided key written before decided keys
// held rows (an empty value) still lists its case, read from the record,
// beside the officer's keys that hold rows.
func TestDecidedKeyWithoutRow(t *testing.T) {
	h := newHarness(t)
	seedCases(t, h.JS, 3, false) // OFFICER02's, with rows
	ctx := context.Background()
	kv, err := h.JS.KeyValue(ctx, broker.BucketReview)
	if err != nil {
		t.Fatal(err)
	}
	key := docstore.InventoryKey(cebtest.EbpCode, "RV-LEGACY")
	c := review.Case{RequestedAt: servicetest.Start.Add(-time.Hour).UTC(), Audit: []review.AuditEntry{}}
	c.Key, c.EbpCode, c.OrderNo, c.Status, c.Officers = key, cebtest.EbpCode, "RV-LEGACY", inventory.StatusRejected, []string{"OFFICER02"}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Put(ctx, "case."+key, b); err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Create(ctx, fmt.Sprintf("decided.OFFICER02.%019d.%s", c.RequestedAt.UnixNano(), key), nil); err != nil {
		t.Fatal(err)
	}
	l := list(t, h, KeyOfficer2, "status=closed")
	if len(l.Cases) != 4 || l.Counts["closed"] != 4 || l.Counts[inventory.StatusRejected] != 1 || l.Counts[inventory.StatusReleased] != 3 {
		t.Fatalf("OFFICER02's closed cases: %v, counts %v", keysOf(l), l.Counts)
	}
	if !slices.Contains(keysOf(l), key) {
		t.Fatalf("the case of the bare decided key is missing: %v", keysOf(l))
	}
}

// TestEventAgainMendsTheIndex loses an open case's row, as a crash
// between the case and its index would, and publishes the case's review
// request again: the consumer writes the row back, once.
func TestEventAgainMendsTheIndex(t *testing.T) {
	h := newHarness(t)
	a := flagged(t, h, "RV-AGAIN-1")
	b := flagged(t, h, "RV-AGAIN-2")
	mustAct(t, h, servicetest.KeyOfficer, b, reviewrule.ActionClaim, nil, http.StatusOK)
	mustAct(t, h, servicetest.KeyOfficer, b, reviewrule.ActionRelease, nil, http.StatusAccepted)
	waitStatus(t, h, b, inventory.StatusReleased)
	ctx := context.Background()
	idx, err := h.JS.KeyValue(ctx, broker.BucketReviewIndex)
	if err != nil {
		t.Fatal(err)
	}
	// b's row goes when the review service reads the release's event,
	// which may come after the list's state says released.
	var rows []string
	natstest.Eventually(t, 10*time.Second, func() bool {
		rows = indexKeys(t, h, broker.BucketReviewIndex, "open.>")
		return len(rows) == 1
	}, "open rows of a and b: want a's only")
	if !strings.HasSuffix(rows[0], "."+a) {
		t.Fatalf("open rows %v", rows)
	}
	if err := idx.Purge(ctx, rows[0]); err != nil {
		t.Fatal(err)
	}
	if got := keysOf(list(t, h, servicetest.KeySuper, "")); len(got) != 0 {
		t.Fatalf("queue without the row: %v", got)
	}
	s, err := h.JS.Stream(ctx, broker.StreamEvents)
	if err != nil {
		t.Fatal(err)
	}
	// Both review requests again: a's (still open) and b's (decided since).
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var again []*jetstream.RawStreamMsg
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq; seq++ {
		if m, err := s.GetMsg(ctx, seq); err == nil && m.Subject == broker.EventSubject("review", "requested") {
			again = append(again, m)
		}
	}
	if len(again) != 2 {
		t.Fatalf("%d review requests on %s", len(again), broker.StreamEvents)
	}
	for _, m := range again {
		if _, err := h.JS.Publish(ctx, m.Subject, m.Data); err != nil {
			t.Fatal(err)
		}
	}
	natstest.Eventually(t, 10*time.Second, func() bool {
		got := keysOf(list(t, h, servicetest.KeySuper, ""))
		return len(got) == 1 && got[0] == a
	}, "the queue does not get a back")
	waitConsumerIdle(t, h)
	if got := keysOf(list(t, h, servicetest.KeySuper, "")); len(got) != 1 || got[0] != a {
		t.Errorf("queue after both requests again: %v (the decided case must stay out)", got)
	}
}

// waitConsumerIdle waits until the review consumer has handled every
// event on CBEC_EVENTS.
func waitConsumerIdle(t *testing.T, h *servicetest.Harness) {
	t.Helper()
	ctx := context.Background()
	natstest.Eventually(t, 10*time.Second, func() bool {
		ci, err := h.JS.Consumer(ctx, broker.StreamEvents, review.Durable)
		if err != nil {
			return false
		}
		info, err := ci.Info(ctx)
		return err == nil && info.NumPending == 0 && info.NumAckPending == 0
	}, "review consumer does not catch up")
}

// BenchmarkDecidedPage lists an officer's decided cases (two) beside
// 1,000 and 200,000 cases another officer decided.
func BenchmarkDecidedPage(b *testing.B) {
	for _, closed := range []int{1_000, 200_000} {
		b.Run(fmt.Sprintf("closed=%d", closed), func(b *testing.B) {
			h := servicetest.New(b, withSecondOfficer)
			rv := h.Review.(*review.Review)
			officer, _ := h.Env.Parties.ByCode("OFFICER01")
			ctx := context.Background()
			for i := range 2 {
				s := servicetest.NewSet(fmt.Sprintf("RV-BENCHD-%02d", i))
				s.Scale("8.5")
				h.Submit(s)
			}
			seedCases(b, h.JS, closed, false)
			var l review.ListResponse
			for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline) && len(l.Cases) < 2; time.Sleep(20 * time.Millisecond) {
				l, _ = rv.List(ctx, officer, review.Filter{Status: "open"})
			}
			for _, v := range l.Cases {
				for _, a := range []string{reviewrule.ActionClaim, reviewrule.ActionRelease} {
					if _, err := rv.Act(ctx, officer, v.Key, a, review.ActionRequest{}); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ResetTimer()
			for b.Loop() {
				l, err := rv.List(ctx, officer, review.Filter{Status: "all", Limit: 50})
				if err != nil || len(l.Cases) != 2 {
					b.Fatalf("page: %d cases, %v", len(l.Cases), err)
				}
			}
		})
	}
}

// BenchmarkClosedPage lists the first page (50) of closed cases: an
// officer's own, from the rows of their decided keys, and a supervisor's,
// from every case record, beside 1,000 and 20,000 cases that officer
// decided (written straight into the buckets, as the index writes them).
//
//	go test ./services/review -run '^$' -bench ClosedPage -benchtime 5x
func BenchmarkClosedPage(b *testing.B) {
	for _, closed := range []int{1_000, 20_000} {
		for _, who := range []string{"OFFICER02", "SUPER01"} {
			b.Run(fmt.Sprintf("%s/closed=%d", who, closed), func(b *testing.B) {
				h := servicetest.New(b, withSecondOfficer)
				rv := h.Review.(*review.Review)
				p, _ := h.Env.Parties.ByCode(who)
				seedCases(b, h.JS, closed, false)
				ctx := context.Background()
				b.ResetTimer()
				for b.Loop() {
					l, err := rv.List(ctx, p, review.Filter{Status: "closed", Limit: 50})
					if err != nil || len(l.Cases) != 50 || l.Counts["closed"] != closed {
						b.Fatalf("page: %d cases, counts %v, %v", len(l.Cases), l.Counts, err)
					}
				}
			})
		}
	}
}
