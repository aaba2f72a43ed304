package webhooks_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/natstest"
	"github.com/cbec/cbec/pkg/tooltest"
	"github.com/cbec/cbec/pkg/webhook"
	"github.com/cbec/cbec/services/servicetest"
	"github.com/cbec/cbec/services/webhooks"
	"github.com/nats-io/nats.go/jetstream"
)

// receiver is a real HTTP endpoint that answers as told: ok, fail (500) or
// hang (past the delivery timeout), and keeps what it got.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	mode   string
	got    []delivery
	failed int
}

type delivery struct {
	header http.Header
	body   []byte
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{mode: "ok"}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		mode := r.mode
		if mode == "ok" {
			r.got = append(r.got, delivery{req.Header.Clone(), body})
		} else {
			r.failed++
		}
		r.mu.Unlock()
		switch mode {
		case "fail":
			http.Error(w, "down for maintenance", http.StatusInternalServerError)
		case "hang":
			select {
			case <-req.Context().Done():
			case <-time.After(3 * time.Second):
			}
		}
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) set(mode string) {
	r.mu.Lock()
	r.mode = mode
	r.mu.Unlock()
}

func (r *receiver) deliveries() []delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}

func (r *receiver) failures() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failed
}

func register(t *testing.T, h *servicetest.Harness, key string, req webhook.Request) webhook.Subscription {
	t.Helper()
	b, _ := json.Marshal(req)
	code, out, _ := h.Do("POST", "/v1/webhooks", key, "application/json", b)
	if code != http.StatusCreated {
		t.Fatalf("register: %d %s", code, out)
	}
	var sub webhook.Subscription
	if err := json.Unmarshal(out, &sub); err != nil {
		t.Fatal(err)
	}
	if sub.Secret == "" {
		t.Fatal("the registration's answer carries no secret")
	}
	return sub
}

func view(t *testing.T, h *servicetest.Harness, key, path string) webhooks.View {
	t.Helper()
	code, out, _ := h.Do("GET", path, key, "", nil)
	if code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, code, out)
	}
	var v webhooks.View
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out, []byte(`"secret"`)) {
		t.Fatalf("GET %s shows the secret: %s", path, out)
	}
	return v
}

// decoded checks each delivery's signature and returns the JSON bodies.
func decoded(t *testing.T, h *servicetest.Harness, sub webhook.Subscription, ds []delivery) []webhooks.Delivery {
	t.Helper()
	var out []webhooks.Delivery
	for _, d := range ds {
		if err := webhook.Verify([]byte(sub.Secret), d.header.Get(webhook.SignatureHeader), d.body, h.Clock.Now(), 0); err != nil {
			t.Fatalf("delivery %s: %v", d.header.Get(webhooks.HeaderDelivery), err)
		}
		if d.header.Get(webhooks.HeaderSubscription) != sub.ID {
			t.Fatalf("delivery for %q", d.header.Get(webhooks.HeaderSubscription))
		}
		var v webhooks.Delivery
		if err := json.Unmarshal(d.body, &v); err != nil {
			t.Fatalf("%v: %s", err, d.body)
		}
		out = append(out, v)
	}
	return out
}

// cursors are the cursors of the deliveries, in the order they came.
func cursors(ds []webhooks.Delivery) []uint64 {
	var out []uint64
	for _, d := range ds {
		out = append(out, d.Next)
	}
	return out
}

// perDeclaration are the receipts one released declaration gives a party
// of each type: its order's 120, and the list's 2, 120, 399 and 800.
var perDeclaration = map[string]int{"CEB312": 1, "CEB622": 4}

// pulled are the cursors of key's receipts of type t on the pull queue,
// each message once, once the receipts of n released declarations are
// there: what the webhook must have delivered. (A declaration's state
// says released a moment before its receipts are stored.)
func pulled(h *servicetest.Harness, key, t string, n int) []uint64 {
	var out []uint64
	for _, r := range h.WaitReceipts(key, "msgType="+t, n*perDeclaration[t]) {
		if len(out) == 0 || out[len(out)-1] != r.Cursor {
			out = append(out, r.Cursor)
		}
	}
	return out
}

func TestWebhookDeliversSignedReceiptsInOrder(t *testing.T) {
	h := servicetest.New(t)
	rcv := newReceiver(t)
	sub := register(t, h, servicetest.KeyAgent, webhook.Request{URL: rcv.URL + "/cbec?token=abc", MsgTypes: []ceb.MsgType{"CEB622"}})
	for _, no := range []string{"WH-ORDER-1", "WH-ORDER-2"} {
		h.Submit(servicetest.NewSet(no))
		h.WaitDecided(no)
	}
	want := pulled(h, servicetest.KeyAgent, "CEB622", 2)
	natstest.Eventually(t, 10*time.Second, func() bool { return len(rcv.deliveries()) >= len(want) }, "deliveries")
	got := decoded(t, h, sub, rcv.deliveries())
	if !slices.Equal(cursors(got), want) {
		t.Fatalf("delivered cursors %v, pull queue %v", cursors(got), want)
	}
	statuses := map[string]bool{}
	for _, d := range got {
		for _, r := range d.Receipts {
			if r.MsgType != ceb.CEB622 {
				t.Errorf("a %s delivered to a CEB622 webhook", r.MsgType)
			}
			var v struct {
				ReturnStatus string `json:"returnStatus"`
			}
			_ = json.Unmarshal(r.Receipt, &v)
			statuses[v.ReturnStatus] = true
		}
	}
	if !statuses["800"] {
		t.Errorf("no release among the delivered receipts: %v", statuses)
	}
	v := view(t, h, servicetest.KeyAgent, "/v1/webhooks/"+sub.ID)
	if v.State.Failures != 0 || v.State.Blocked || v.Pending != 0 || v.Delivered != want[len(want)-1] {
		t.Errorf("view %+v", v)
	}
}

func TestWebhookRetriesBlocksAndDeliversTheBacklogInOrderWhenUnblocked(t *testing.T) {
	h := servicetest.New(t)
	rcv := newReceiver(t)
	sub := register(t, h, servicetest.KeyEBP, webhook.Request{URL: rcv.URL, MsgTypes: []ceb.MsgType{"CEB312", "CEB622"}})
	path := "/v1/webhooks/" + sub.ID

	// The endpoint fails: the first delivery is retried, with backoff.
	rcv.set("fail")
	h.Submit(servicetest.NewSet("WH-RETRY-1"))
	h.WaitDecided("WH-RETRY-1")
	natstest.Eventually(t, 10*time.Second, func() bool { return rcv.failures() >= 3 }, "retries")
	v := view(t, h, servicetest.KeyEBP, path)
	if v.State.Blocked || v.State.Failures < 3 || v.State.LastError != "status 500" || v.Pending == 0 {
		t.Fatalf("failing: %+v", v)
	}
	// Then it hangs past the delivery timeout.
	rcv.set("hang")
	natstest.Eventually(t, 10*time.Second, func() bool {
		return view(t, h, servicetest.KeyEBP, path).State.LastError == "timeout"
	}, "a timeout recorded")

	// A day of failures blocks it; receipts keep coming and wait.
	h.Clock.Advance(24*time.Hour + time.Minute)
	natstest.Eventually(t, 10*time.Second, func() bool { return view(t, h, servicetest.KeyEBP, path).State.Blocked }, "blocked")
	h.Submit(servicetest.NewSet("WH-RETRY-2"))
	h.WaitDecided("WH-RETRY-2")
	rcv.set("ok")
	time.Sleep(300 * time.Millisecond) // many retry delays of the test schedule
	if n := len(rcv.deliveries()); n != 0 {
		t.Fatalf("%d deliveries to a blocked endpoint", n)
	}
	code, out, _ := h.Do("GET", "/v1/admin/webhooks", servicetest.KeyOperator, "", nil)
	if code != http.StatusOK || !strings.Contains(string(out), `"blocked":true`) || strings.Contains(string(out), sub.Secret) {
		t.Fatalf("operators' list: %d %s", code, out)
	}
	assertMetric(t, h, `cbec_webhook_subscriptions{state="blocked"} 1`)

	// Only an operator unblocks; the party cannot.
	if code, _, _ := h.Do("POST", "/v1/admin/webhooks/"+sub.ID+"/unblock", servicetest.KeyEBP, "", nil); code != http.StatusForbidden {
		t.Fatalf("a party unblocked its webhook: %d", code)
	}
	if code, out, _ := h.Do("POST", "/v1/admin/webhooks/"+sub.ID+"/unblock", servicetest.KeyOperator, "", nil); code != http.StatusOK {
		t.Fatalf("unblock: %d %s", code, out)
	}
	want := append(pulled(h, servicetest.KeyEBP, "CEB312", 2), pulled(h, servicetest.KeyEBP, "CEB622", 2)...)
	slices.Sort(want)
	natstest.Eventually(t, 10*time.Second, func() bool { return len(rcv.deliveries()) >= len(want) }, "backlog delivered")
	if got := cursors(decoded(t, h, sub, rcv.deliveries())); !slices.Equal(got, want) {
		t.Fatalf("backlog delivered as %v, want %v in order", got, want)
	}
	v = view(t, h, servicetest.KeyEBP, path)
	if v.State.Blocked || v.State.Failures != 0 || v.State.UnblockedBy == "" || v.Pending != 0 {
		t.Fatalf("after unblock: %+v", v)
	}
	assertMetric(t, h, `cbec_webhook_subscriptions{state="blocked"} 0`)
	// The unblocking is audited.
	st, err := h.JS.Stream(t.Context(), broker.StreamAudit)
	if err != nil {
		t.Fatal(err)
	}
	m, err := st.GetLastMsgForSubject(t.Context(), "cbec.audit.>")
	if err != nil || !bytes.Contains(m.Data, []byte(`"webhook.unblock"`)) || !bytes.Contains(m.Data, []byte(sub.ID)) {
		t.Fatalf("audit: %v %s", err, m.Data)
	}
}

func TestWebhookResumesAfterRestartWithoutLoss(t *testing.T) {
	h := servicetest.New(t)
	rcv := newReceiver(t)
	sub := register(t, h, servicetest.KeyAgent, webhook.Request{URL: rcv.URL, MsgTypes: []ceb.MsgType{"CEB622"}})
	h.Submit(servicetest.NewSet("WH-RESTART-1"))
	h.WaitDecided("WH-RESTART-1")
	natstest.Eventually(t, 10*time.Second, func() bool { return len(rcv.deliveries()) >= len(pulled(h, servicetest.KeyAgent, "CEB622", 1)) }, "first deliveries")
	if err := h.Webhooks.Stop(t.Context()); err != nil {
		t.Fatal(err)
	}
	// Receipts produced while no webhook service runs wait in its consumer.
	h.Submit(servicetest.NewSet("WH-RESTART-2"))
	h.WaitDecided("WH-RESTART-2")
	h.RestartWebhooks()
	want := pulled(h, servicetest.KeyAgent, "CEB622", 2)
	natstest.Eventually(t, 10*time.Second, func() bool { return len(rcv.deliveries()) >= len(want) }, "deliveries after the restart")
	time.Sleep(100 * time.Millisecond)
	if got := cursors(decoded(t, h, sub, rcv.deliveries())); !slices.Equal(got, want) {
		t.Fatalf("delivered %v, want %v (each once, in order)", got, want)
	}
}

func TestWebhookXMLDeliveryIsAValidCEBMessage(t *testing.T) {
	h := servicetest.New(t)
	rcv := newReceiver(t)
	sub := register(t, h, servicetest.KeyLogistics, webhook.Request{URL: rcv.URL, Format: webhook.FormatXML})
	h.Submit(servicetest.NewSet("WH-XML-1"))
	h.WaitDecided("WH-XML-1")
	natstest.Eventually(t, 10*time.Second, func() bool { return len(rcv.deliveries()) > 0 }, "an XML delivery")
	d := rcv.deliveries()[0]
	if err := webhook.Verify([]byte(sub.Secret), d.header.Get(webhook.SignatureHeader), d.body, h.Clock.Now(), 0); err != nil {
		t.Fatal(err)
	}
	if ct := d.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/xml") {
		t.Fatalf("content type %q", ct)
	}
	m, err := ceb.DecodeXML(d.body)
	if err != nil || m.Type != ceb.CEB512 || len(m.Documents) == 0 {
		t.Fatalf("%v: %s", err, d.body)
	}
	xmllint := tooltest.Need(t, "xmllint")
	xsd := "../../../shared/ceb/xsd/import.xsd"
	if dir := os.Getenv("CBEC_SHARED"); dir != "" {
		xsd = dir + "/ceb/xsd/import.xsd"
	}
	f := filepath.Join(t.TempDir(), "delivery.xml")
	if err := os.WriteFile(f, d.body, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(xmllint, "--noout", "--schema", xsd, f).CombinedOutput(); err != nil {
		t.Fatalf("delivery against import.xsd: %v\n%s", err, out)
	}
}

func TestWebhookRegistrationIsConfinedToItsParty(t *testing.T) {
	h := servicetest.New(t, servicetest.WithWebhooks(webhook.Config{}))
	// The production policy: https only, no private addresses.
	for _, url := range []string{"http://erp.example.com/hook", "https://127.0.0.1/hook", "https://169.254.169.254/"} {
		b, _ := json.Marshal(webhook.Request{URL: url})
		code, out, _ := h.Do("POST", "/v1/webhooks", servicetest.KeyEBP, "application/json", b)
		if code != http.StatusBadRequest || !strings.Contains(string(out), "-900400") {
			t.Errorf("%s: %d %s", url, code, out)
		}
	}
	for _, body := range []string{`{"url":"https://erp.example.com/","msgTypes":["CEB311"]}`, `{"url":"https://erp.example.com/","extra":1}`, `{`} {
		if code, out, _ := h.Do("POST", "/v1/webhooks", servicetest.KeyEBP, "application/json", []byte(body)); code != http.StatusBadRequest {
			t.Errorf("%s: %d %s", body, code, out)
		}
	}
	if code, _, _ := h.Do("POST", "/v1/webhooks", "", "application/json", []byte(`{"url":"https://erp.example.com/"}`)); code != http.StatusUnauthorized {
		t.Errorf("anonymous registration: %d", code)
	}
	sub := register(t, h, servicetest.KeyEBP, webhook.Request{URL: "https://erp.example.com/hook"})
	// Another party neither sees nor deletes it.
	for _, m := range []string{"GET", "DELETE"} {
		if code, _, _ := h.Do(m, "/v1/webhooks/"+sub.ID, servicetest.KeyOtherEBP, "", nil); code != http.StatusNotFound {
			t.Errorf("%s another party's webhook: %d", m, code)
		}
	}
	code, out, _ := h.Do("GET", "/v1/webhooks", servicetest.KeyOtherEBP, "", nil)
	if code != http.StatusOK || strings.Contains(string(out), sub.ID) {
		t.Errorf("another party's list: %d %s", code, out)
	}
	if code, _, _ := h.Do("GET", "/v1/admin/webhooks", servicetest.KeyEBP, "", nil); code != http.StatusForbidden {
		t.Errorf("a party read the operators' list: %d", code)
	}
	// A party holds at most MaxPerParty.
	for range webhook.MaxPerParty - 1 {
		register(t, h, servicetest.KeyEBP, webhook.Request{URL: "https://erp.example.com/hook"})
	}
	if code, _, _ := h.Do("POST", "/v1/webhooks", servicetest.KeyEBP, "application/json", []byte(`{"url":"https://erp.example.com/"}`)); code != http.StatusBadRequest {
		t.Errorf("registration past the limit: %d", code)
	}
	// Deleting removes the subscription and its consumer.
	if code, _, _ := h.Do("DELETE", "/v1/webhooks/"+sub.ID, servicetest.KeyEBP, "", nil); code != http.StatusNoContent {
		t.Fatalf("delete: %d", code)
	}
	if code, _, _ := h.Do("GET", "/v1/webhooks/"+sub.ID, servicetest.KeyEBP, "", nil); code != http.StatusNotFound {
		t.Errorf("deleted webhook still found: %d", code)
	}
	if _, err := h.JS.Consumer(t.Context(), broker.StreamOut, "webhook-"+sub.ID); err == nil || !strings.Contains(err.Error(), jetstream.ErrConsumerNotFound.Error()) {
		t.Errorf("consumer after delete: %v", err)
	}
}

func assertMetric(t *testing.T, h *servicetest.Harness, line string) {
	t.Helper()
	natstest.Eventually(t, 5*time.Second, func() bool {
		mfs, err := h.Env.Registry.Gather()
		if err != nil {
			return false
		}
		var b strings.Builder
		for _, mf := range mfs {
			for _, m := range mf.GetMetric() {
				if mf.GetName() != "cbec_webhook_subscriptions" {
					continue
				}
				for _, l := range m.GetLabel() {
					b.WriteString(mf.GetName() + `{` + l.GetName() + `="` + l.GetValue() + `"} `)
				}
				b.WriteString(strings.TrimSuffix(strings.TrimSuffix(jsonNumber(m.GetGauge().GetValue()), ".0"), "") + "\n")
			}
		}
		return strings.Contains(b.String(), line)
	}, "metric %s", line)
}

func jsonNumber(f float64) string {
	b, _ := json.Marshal(f)
	return string(b)
}
