package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/ceb/cebtest"
	"github.com/cbec/cbec/pkg/natstest"
	"github.com/cbec/cbec/services/cbec/load"
)

// personalKeys are the JSON keys of the CEB documents that hold a person's
// ID number, name, telephone or address (design §6: never in a log line).
var personalKeys = map[string]string{
	"buyerIdNumber": "ID number", "payerIdNumber": "ID number",
	"buyerName": "name", "payerName": "name", "consignee": "name",
	"buyerTelephone": "phone", "consigneeTelephone": "phone", "telephone": "phone",
	"consigneeAddress": "address",
}

// syncBuffer is a bytes.Buffer that the program, its HTTP server and the
// load generator may write to at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// sentValues collects every personal value submitted, by kind, from the
// JSON bodies of the requests.
type sentValues struct {
	mu     sync.Mutex
	values map[string]string // value → kind
}

func (s *sentValues) add(body []byte) {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.values == nil {
		s.values = map[string]string{}
	}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if kind, ok := personalKeys[k]; ok {
					if str, ok := x.(string); ok && str != "" {
						s.values[str] = kind
					}
					continue
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(v)
}

// count is how many distinct values of kind were sent.
func (s *sentValues) count(kind string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, k := range s.values {
		if k == kind {
			n++
		}
	}
	return n
}

// leaks returns one line per sent value that text holds in full, as sent
// or escaped to ASCII (\u5f20), with the line it is on.
func (s *sentValues) leaks(text string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for v, kind := range s.values {
		for _, form := range []string{v, strings.Trim(strconv.QuoteToASCII(v), `"`)} {
			n := strings.Index(text, form)
			if n < 0 {
				continue
			}
			start := strings.LastIndexByte(text[:n], '\n') + 1
			end := strings.IndexByte(text[n:], '\n')
			if end < 0 {
				end = len(text) - n
			}
			out = append(out, fmt.Sprintf("%s %q in full: %s", kind, v, text[start:n+end]))
			break
		}
	}
	sort.Strings(out)
	return out
}

// recorder is an http.RoundTripper that hands every request body to sent
// before sending it: the load generator's traffic, as it leaves.
type recorder struct {
	next http.RoundTripper
	sent *sentValues
}

func (r recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
		r.sent.add(b)
		req = req.Clone(req.Context()) // a RoundTripper leaves its request alone
		req.Body = io.NopCloser(bytes.NewReader(b))
	}
	return r.next.RoundTrip(req)
}

// TestNoPersonalDataInLogs is issue 12's end-to-end check of design §6: the
// whole program at log level debug runs the demo declaration (released),
// three variants rejected for a buyer mismatch between the documents, one
// held for review and released by an officer, and a short run of the load
// generator (imports, rejections, reviews, exports, returns). Every byte
// the program and the generator write (logs, the banner, the summaries,
// and anything sent to the log package or slog's default logger) must
// hold no ID number, name, telephone or address that was submitted, except
// masked (pkg/mask).
func TestNoPersonalDataInLogs(t *testing.T) {
	var out syncBuffer
	// Anything logged outside the program's logger lands here too.
	defer func(l *slog.Logger, w io.Writer, flags int) {
		slog.SetDefault(l)
		log.SetOutput(w)
		log.SetFlags(flags)
	}(slog.Default(), log.Writer(), log.Flags())
	slog.SetDefault(slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelDebug})))

	cfg, err := ParseConfig([]string{"--http-addr", "127.0.0.1:0", "--nats-listen", "", "--data-dir", t.TempDir(),
		"--log-level", "debug"}, func(string) string { return "" }, &out)
	if err != nil {
		t.Fatal(err)
	}
	m := NewMain(cfg, &out, &out)
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	closed := false
	defer func() {
		if !closed {
			_ = m.Close(context.Background())
		}
	}()
	base := m.HTTPURL()
	sent := &sentValues{}
	submit := func(kind, key string, doc any) {
		t.Helper()
		b, ok := doc.([]byte)
		if !ok {
			if b, err = json.Marshal(doc); err != nil {
				t.Fatal(err)
			}
		}
		sent.add(b)
		if code, resp, _ := do(t, "POST", base+"/v1/import/"+kind, key, "application/json", b); code != http.StatusAccepted {
			t.Fatalf("%s: %d %s", kind, code, resp)
		}
	}
	waitStatus := func(orderNo, want string) {
		t.Helper()
		natstest.Eventually(t, 30*time.Second, func() bool { return listStatus(t, base, orderNo) == want },
			"%s: status %s, want %s", orderNo, listStatus(t, base, orderNo), want)
	}

	// The README's demo declaration, as the walk-through posts it.
	for _, d := range []struct{ kind, key, file string }{
		{"orders", "demo-ebp", "order.json"}, {"payments", "demo-pay", "payment.json"},
		{"waybills", "demo-logistics-cq", "waybill.json"}, {"inventories", "demo-agent", "inventory.json"},
	} {
		b, err := os.ReadFile(filepath.Join("../../deploy/demo", d.file))
		if err != nil {
			t.Fatal(err)
		}
		submit(d.kind, d.key, b)
	}

	lc, err := ParseLoadConfig([]string{"--url", base, "--rate", "10", "--duration", "4s", "--seed", "12",
		"--near-limit-share", "0.15", "--inconsistent-share", "0.15", "--return-share", "0.3", "--drain", "40s"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	g, err := NewLoad(lc, &out)
	if err != nil {
		t.Fatal(err)
	}
	g.Client().Transport = recorder{next: g.Client().Transport, sent: sent}

	// Three lists rejected because one document names another person: the
	// checks' messages name both people (masked).
	other := []load.Buyer{g.Buyer(1), g.Buyer(2), g.Buyer(3)}
	for n, spoil := range []func(b load.Buyer, p *ceb.Payment, l *ceb.Logistics, i *ceb.Inventory){
		func(b load.Buyer, p *ceb.Payment, _ *ceb.Logistics, _ *ceb.Inventory) { // the payer
			ph := &p.PaymentHead
			ph.PayerIdNumber, ph.PayerName, ph.Telephone = b.ID, b.Name, b.Phone
		},
		func(b load.Buyer, _ *ceb.Payment, l *ceb.Logistics, _ *ceb.Inventory) { // the waybill's consignee
			lh := &l.LogisticsHead
			lh.Consignee, lh.ConsigneeTelephone, lh.ConsigneeAddress = b.Name, b.Phone, b.Address
		},
		func(b load.Buyer, _ *ceb.Payment, _ *ceb.Logistics, i *ceb.Inventory) { // the list's buyer
			ih := &i.InventoryHead
			ih.BuyerIdNumber, ih.BuyerName, ih.BuyerTelephone = b.ID, b.Name, b.Phone
		},
	} {
		orderNo := fmt.Sprintf("PII-REJ-%d", n+1)
		o, p, l, i := cebtest.Set(orderNo)
		spoil(other[n], p, l, i)
		submit("orders", "demo-ebp", o)
		submit("payments", "demo-pay", p)
		submit("waybills", "demo-logistics-cq", l)
		submit("inventories", "demo-agent", i)
	}
	// One held for review: near the single limit (risk rule R001).
	held := g.NearLimit("PII-HOLD-1", time.Now())
	submit("orders", "demo-ebp", held.Order)
	submit("payments", "demo-pay", held.Payment)
	submit("waybills", "demo-logistics-cq", held.Waybill)
	submit("inventories", "demo-agent", held.Inventory)

	waitStatus("DEMO-0001", "800")
	for n := range 3 {
		waitStatus(fmt.Sprintf("PII-REJ-%d", n+1), "100")
	}
	waitStatus("PII-HOLD-1", "300")
	caseURL := base + "/v1/review/cases/inv." + cebtest.EbpCode + ".PII-HOLD-1"
	natstest.Eventually(t, 30*time.Second, func() bool {
		code, _, _ := do(t, "GET", caseURL, "demo-officer", "", nil)
		return code == http.StatusOK
	}, "review case of PII-HOLD-1")
	if code, b, _ := do(t, "POST", caseURL+"/claim", "demo-officer", "", nil); code != http.StatusOK {
		t.Fatalf("claim: %d %s", code, b)
	}
	if code, b, _ := do(t, "POST", caseURL+"/release", "demo-officer", "", nil); code != http.StatusAccepted {
		t.Fatalf("release: %d %s", code, b)
	}
	waitStatus("PII-HOLD-1", "800")

	// A short load run: plain imports, rejections, reviews, exports and
	// returns of buyers of the seed's population.
	s, err := g.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if s.Imports == 0 || s.Exports == 0 || s.Accepted == 0 || s.HTTPErrors != 0 {
		t.Fatalf("load: %+v", s)
	}
	if err := m.Close(context.Background()); err != nil {
		t.Fatalf("close: %v", err)
	}
	closed = true

	// The test sees what it must: the submissions' personal data, and the
	// program's own log lines.
	for kind, least := range map[string]int{"ID number": 10, "name": 10, "phone": 10, "address": 10} {
		if n := sent.count(kind); n < least {
			t.Fatalf("only %d %s values were sent, want at least %d", n, kind, least)
		}
	}
	text := out.String()
	if !strings.Contains(text, `msg="review action"`) {
		t.Fatalf("the program's log lines were not captured:\n%s", text)
	}
	if len(sent.leaks("level=DEBUG msg=x buyer="+cebtest.BuyerIDNumber)) == 0 {
		t.Fatal("the search misses an ID number in a log line")
	}
	t.Logf("%d values sent (ID numbers %d, names %d, phones %d, addresses %d); %d bytes of output searched; load %s",
		len(sent.values), sent.count("ID number"), sent.count("name"), sent.count("phone"), sent.count("address"),
		len(text), s.Summary("done"))
	leaks := sent.leaks(text)
	for n, l := range leaks {
		if n == 20 {
			t.Errorf("… and %d more", len(leaks)-n)
			break
		}
		t.Errorf("personal data in the output: %s", l)
	}
}
