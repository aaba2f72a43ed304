package gateway_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/ceb/cebtest"
	"github.com/cbec/cbec/pkg/docstore"
	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/natstest"
	"github.com/cbec/cbec/services/clearance"
	"github.com/cbec/cbec/services/gateway"
	"github.com/cbec/cbec/services/servicetest"
	"github.com/nats-io/nats.go/jetstream"
)

// Retries safe for senders: a resubmission of the document a key holds is
// answered as the first submission was, and stores, receipts and counts
// nothing; another document under the key is a duplicate.

// settled waits until the clearance consumer has acknowledged everything
// CEB_IN holds: from then on no receipt, event or state write of what was
// submitted before can still come.
func settled(t *testing.T, h *servicetest.Harness) {
	t.Helper()
	ctx := context.Background()
	c, err := h.JS.Consumer(ctx, broker.StreamIn, clearance.Durable)
	if err != nil {
		t.Fatal(err)
	}
	natstest.Eventually(t, 15*time.Second, func() bool {
		info, err := c.Info(ctx)
		return err == nil && info.NumPending == 0 && info.NumAckPending == 0
	}, "the clearance consumer does not catch up")
}

// streams is the state of every stream: CEB_IN by the messages it holds
// (a resubmission past the duplicate window stores a copy there for a
// moment, and removes it), every other by its last sequence — any write.
func streams(t *testing.T, h *servicetest.Harness) map[string]uint64 {
	t.Helper()
	ctx := context.Background()
	out := map[string]uint64{}
	l := h.JS.ListStreams(ctx)
	for info := range l.Info() {
		if info.Config.Name == broker.StreamIn {
			out[info.Config.Name+" messages"] = info.State.Msgs
			continue
		}
		out[info.Config.Name] = info.State.LastSeq
	}
	if err := l.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// versions counts the messages of a document's subject on CEB_IN: its
// accepted versions.
func versions(t *testing.T, h *servicetest.Harness, key string) uint64 {
	t.Helper()
	st, err := h.JS.Stream(context.Background(), broker.StreamIn)
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(context.Background(), jetstream.WithSubjectFilter(broker.InDocument(key)))
	if err != nil {
		t.Fatal(err)
	}
	var n uint64
	for _, c := range info.State.Subjects {
		n += c
	}
	return n
}

// documentsCounted reads cbec_gateway_documents_total of CEB311 by result.
func documentsCounted(t *testing.T, h *servicetest.Harness) map[string]float64 {
	t.Helper()
	mfs, err := h.Env.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() != "cbec_gateway_documents_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["msg_type"] == "CEB311" {
				out[labels["result"]] = m.GetCounter().GetValue()
			}
		}
	}
	return out
}

func TestResubmissionOfTheStoredDocumentIsAcceptedOnce(t *testing.T) {
	h := servicetest.New(t)
	o, _, _, _ := cebtest.Set("AGAIN-1")
	code, first, b := h.SubmitJSON("orders", keyEBP, o)
	if code != http.StatusAccepted || first.Accepted != 1 {
		t.Fatalf("first: %d %s", code, b)
	}
	same := func(what string, code int, r gateway.SubmitResponse, b []byte) {
		t.Helper()
		if code != http.StatusAccepted {
			t.Fatalf("%s: %d %s", what, code, b)
		}
		for _, res := range r.Results {
			res.Index = 0
			if res != first.Results[0] {
				t.Fatalf("%s: %+v, want the first answer %+v", what, res, first.Results[0])
			}
		}
	}
	// As JSON, as CEB XML (the same document in another encoding) and
	// twice in one submission.
	code, r, b := h.SubmitJSON("orders", keyEBP, o)
	same("JSON again", code, r, b)
	code, b = h.SubmitXML(keyEBP, cebtest.Message(o))
	var rx gateway.SubmitResponse
	_ = json.Unmarshal(b, &rx)
	same("XML again", code, rx, b)
	code, r, b = h.SubmitJSON("orders", keyEBP, []any{o, o})
	same("twice in one", code, r, b)
	if r.Accepted != 2 {
		t.Fatalf("twice in one: %s", b)
	}
	// Another document under the key: a duplicate, however little differs.
	other := *o
	other.OrderHead.Note = "a different order under the same number"
	code, _, b = h.SubmitJSON("orders", keyEBP, &other)
	if code != http.StatusBadRequest || servicetest.DecodeProblem(t, b).Results[0].Error.Code != errcode.OrderExists {
		t.Fatalf("another document: %d %s", code, b)
	}
	// Another guid under the key: a duplicate too.
	code, _, b = h.SubmitJSON("orders", keyEBP, otherCopy(t, o))
	if code != http.StatusBadRequest || servicetest.DecodeProblem(t, b).Results[0].Error.Code != errcode.OrderExists {
		t.Fatalf("another guid: %d %s", code, b)
	}

	settled(t, h)
	if got := streams(t, h)[broker.StreamIn+" messages"]; got != 1 {
		t.Fatalf("CEB_IN holds %d messages, want the one stored copy", got)
	}
	if got := versions(t, h, docstore.Key(o)); got != 1 {
		t.Fatalf("%d versions of the order stored, want 1", got)
	}
	if recs := h.Receipts(keyEBP, "msgType=CEB312"); len(recs) != 1 || recs[0].Status() != "120" {
		t.Fatalf("order receipts %+v, want one 120", recs)
	}
	// One document accepted, four answers to its resubmissions, two
	// duplicates.
	if got := documentsCounted(t, h); got["accepted"] != 1 || got["resubmitted"] != 4 || got["rejected"] != 2 {
		t.Fatalf("cbec_gateway_documents_total of CEB311: %v", got)
	}
}

func TestResubmissionAfterTheDecisionChangesNothing(t *testing.T) {
	h := servicetest.New(t)
	s := servicetest.NewSet("AGAIN-2")
	h.Submit(s)
	decided := h.WaitDecided("AGAIN-2")
	if decided.Status != "800" {
		t.Fatalf("not released: %+v", decided.View)
	}
	settled(t, h)
	before := streams(t, h)
	docs := []struct {
		kind, key string
		doc       ceb.Declaration
		dup       errcode.Code
	}{
		{"orders", keyEBP, s.O, errcode.OrderExists},
		{"payments", keyPay, s.P, errcode.PaymentExists},
		{"waybills", keyLogistics, s.L, errcode.WaybillExists},
		{"inventories", keyAgent, s.I, errcode.InventoryExists},
	}
	resubmit := func(when string) {
		t.Helper()
		for _, d := range docs {
			if code, r, b := h.SubmitJSON(d.kind, d.key, d.doc); code != http.StatusAccepted || r.Results[0].Key != strings.Join(d.doc.BusinessKey(), "/") {
				t.Fatalf("%s %s: %d %s", d.kind, when, code, b)
			}
			code, _, b := h.SubmitJSON(d.kind, d.key, otherCopy(t, d.doc))
			if code != http.StatusBadRequest || servicetest.DecodeProblem(t, b).Results[0].Error.Code != d.dup {
				t.Fatalf("another %s %s: %d %s", d.kind, when, code, b)
			}
		}
	}
	resubmit("once")
	resubmit("twice")

	settled(t, h)
	after := streams(t, h)
	for name, seq := range before {
		if after[name] != seq {
			t.Errorf("%s: %d, was %d: written again", name, after[name], seq)
		}
	}
	v := h.View("AGAIN-2")
	a, _ := json.Marshal(v)
	d, _ := json.Marshal(decided)
	if !bytes.Equal(a, d) {
		t.Fatalf("declaration changed:\n%s\nwas\n%s", a, d)
	}
}

// TestConcurrentResubmissionsStoreOneCopy sends one new document many times
// at once, as a client retrying while its first request is still in flight
// would, and spread over some hundred milliseconds.
func TestConcurrentResubmissionsStoreOneCopy(t *testing.T) {
	h := servicetest.New(t)
	for _, c := range []struct {
		name    string
		orderNo string
		spread  time.Duration
	}{
		{"at once", "AGAIN-3", 0},
		{"spread", "AGAIN-4", 600 * time.Millisecond},
	} {
		o, _, _, _ := cebtest.Set(c.orderNo)
		body, _ := json.Marshal(o)
		const n = 16
		type answer struct {
			code int
			body []byte
			err  error
		}
		answers := make([]answer, n)
		var wg sync.WaitGroup
		for k := range n {
			wg.Go(func() {
				// Spread the requests over several windows: load shaping,
				// not waiting for a condition.
				time.Sleep(c.spread * time.Duration(k) / n)
				req, _ := http.NewRequest("POST", h.URL+"/v1/import/orders", bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+keyEBP)
				req.Header.Set("Content-Type", "application/json")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					answers[k].err = err
					return
				}
				defer func() { _ = resp.Body.Close() }()
				answers[k].code = resp.StatusCode
				answers[k].body, answers[k].err = io.ReadAll(resp.Body)
			})
		}
		wg.Wait()
		for k, a := range answers {
			var r gateway.SubmitResponse
			if a.err != nil || a.code != http.StatusAccepted || json.Unmarshal(a.body, &r) != nil || r.Accepted != 1 {
				t.Fatalf("%s: request %d: %d %v %s", c.name, k, a.code, a.err, a.body)
			}
		}
		settled(t, h)
		if got := versions(t, h, docstore.Key(o)); got != 1 {
			t.Fatalf("%s: %d versions stored, want 1", c.name, got)
		}
		recs := h.Receipts(keyEBP, "limit=500&msgType=CEB312")
		n120 := 0
		for _, r := range recs {
			if strings.Contains(string(r.Receipt), c.orderNo) {
				n120++
			}
		}
		if n120 != 1 {
			t.Fatalf("%s: %d receipts for the order, want 1: %+v", c.name, n120, recs)
		}
	}
	// One stored copy of each order, every other copy gone.
	if got := streams(t, h)[broker.StreamIn+" messages"]; got != 2 {
		t.Fatalf("CEB_IN holds %d messages, want one per order", got)
	}
}

// TestChangeSentAgain: a change (appType 2) that is the current version is
// accepted again without a write; an older change sent again after a newer
// one (JetStream maps it to its old message) is -900103, and writes
// nothing: it does not bring its version back.
func TestChangeSentAgain(t *testing.T) {
	h := servicetest.New(t)
	o, _, _, _ := cebtest.Set("AGAIN-5")
	h.MustSubmit("orders", keyEBP, o)
	v2, v3 := *o, *o
	v2.OrderHead.AppType, v2.OrderHead.Note = "2", "second version"
	v3.OrderHead.AppType, v3.OrderHead.Note = "2", "third version"
	h.MustSubmit("orders", keyEBP, &v2)
	h.MustSubmit("orders", keyEBP, &v2)
	h.MustSubmit("orders", keyEBP, &v3)
	code, _, b := h.SubmitJSON("orders", keyEBP, &v2)
	if code != http.StatusBadRequest || servicetest.DecodeProblem(t, b).Results[0].Error.Code != errcode.DocumentUsed {
		t.Fatalf("older change again: %d %s", code, b)
	}
	h.MustSubmit("orders", keyEBP, &v3)

	settled(t, h)
	if got := streams(t, h)[broker.StreamIn+" messages"]; got != 3 {
		t.Fatalf("CEB_IN holds %d messages, want the three versions", got)
	}
	docs, err := docstore.Open(context.Background(), h.JS)
	if err != nil {
		t.Fatal(err)
	}
	e, ok, err := docs.Get(context.Background(), docstore.Key(o))
	if err != nil || !ok || !e.Holds(cebtest.EbpCode, docstore.Digest(mustJSON(t, &v3))) {
		t.Fatalf("current version %+v (%v): want the third", e, err)
	}
	// A handler that failed under load is redelivered after a delay, which
	// settled cannot see: wait for the three receipts, then none more.
	h.WaitReceipts(keyEBP, "msgType=CEB312", 3)
	settled(t, h)
	if recs := h.Receipts(keyEBP, "msgType=CEB312"); len(recs) != 3 {
		t.Fatalf("%d order receipts, want one per version", len(recs))
	}
}
