package metrics_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/ceb/cebtest"
	"github.com/cbec/cbec/pkg/natstest"
	"github.com/cbec/cbec/pkg/svc"
	"github.com/cbec/cbec/pkg/telemetry"
	"github.com/cbec/cbec/services/metrics"
	st "github.com/cbec/cbec/services/servicetest"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
)

// startMetrics runs the metrics service on the harness, with its own
// registry, as a process of its own would.
func startMetrics(t *testing.T, h *st.Harness) *prometheus.Registry {
	t.Helper()
	env := h.EnvOf(metrics.Name)
	env.Registry = telemetry.NewRegistry()
	env.Mux = svc.NewRouter()
	s, err := metrics.New(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Stop(context.Background()) })
	return env.Registry
}

func value(t *testing.T, reg *prometheus.Registry, name string, labels map[string]string) float64 {
	t.Helper()
	m := metric(t, reg, name, labels)
	switch {
	case m.GetCounter() != nil:
		return m.GetCounter().GetValue()
	case m.GetGauge() != nil:
		return m.GetGauge().GetValue()
	}
	return 0
}

// metric is the first metric of family name on reg whose labels include
// labels; nil if there is none.
func metric(t *testing.T, reg *prometheus.Registry, name string, labels map[string]string) *dto.Metric {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	next:
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if want, ok := labels[lp.GetName()]; ok && want != lp.GetValue() {
					continue next
				}
			}
			return m
		}
	}
	return nil
}

// traffic drives one of everything through the services: a released
// import, one held for review, an export released, a return accepted.
func traffic(t *testing.T, h *st.Harness) {
	t.Helper()
	h.Submit(st.NewSet("M-REL"))
	near := st.NewSet("M-REV")
	near.Scale("8.5")
	h.Submit(near)
	if v := h.WaitDecided("M-REL"); v.Status != "800" {
		t.Fatalf("M-REL %s", v.Status)
	}
	h.WaitDecided("M-REV")
	// A return of the released list, received and resaleable.
	rel := st.NewSet("M-REL")
	r := cebtest.Refund(rel.I, h.View("M-REL").InvtNo)
	h.MustSubmit("returns", st.KeyAgent, r)
	h.WaitReceipts(st.KeyAgent, "msgType=CEB626", 2)
	post := func(path string, body any) {
		b, _ := json.Marshal(body)
		if code, out, _ := h.Do("POST", "/v1/returns/"+path, "demo-warehouse", "application/json", b); code != http.StatusOK {
			t.Fatalf("%s: %d %s", path, code, out)
		}
	}
	parcel := map[string]any{"warehouseCode": "CQ-XY-RC01", "logisticsCode": rel.I.InventoryHead.LogisticsCode, "logisticsNo": rel.I.InventoryHead.LogisticsNo}
	post("arrivals", parcel)
	parcel["lines"] = []map[string]any{{"gnum": 1, "resaleable": true}, {"gnum": 2, "resaleable": true}}
	post("sortings", parcel)
	// An export, released on arrival.
	o, rc, l, i := cebtest.ExportSet("M-EXP")
	for _, d := range []struct {
		kind, key string
		doc       any
	}{{"orders", st.KeyEBP, o}, {"receipts", st.KeyPay, rc}, {"waybills", st.KeyLogistics, l}, {"inventories", st.KeyAgent, i}} {
		b, _ := json.Marshal(d.doc)
		if code, out, _ := h.Do("POST", "/v1/export/"+d.kind, d.key, "application/json", b); code != http.StatusAccepted {
			t.Fatalf("export %s: %d %s", d.kind, code, out)
		}
	}
	h.WaitReceipts(st.KeyAgent, "msgType=CEB604", 2)
	b, _ := json.Marshal(cebtest.Arrival([]*ceb.ExportLogistics{l}...))
	h.Do("POST", "/v1/export/arrivals", st.KeyLogistics, "application/json", b)
	h.WaitReceipts(st.KeyAgent, "msgType=CEB604", 3)
}

func TestAggregatesCountOnceAndSurviveARestart(t *testing.T) {
	h := st.New(t)
	reg := startMetrics(t, h)
	traffic(t, h)
	imp := map[string]string{"direction": "import", "status": "released"}
	natstest.Eventually(t, 10*time.Second, func() bool {
		return value(t, reg, "cbec_declarations_total", imp) == 1 &&
			value(t, reg, "cbec_returns_total", map[string]string{"outcome": "accepted"}) == 1 &&
			value(t, reg, "cbec_declarations_total", map[string]string{"direction": "export", "status": "released"}) == 1
	}, "aggregates")
	if got := value(t, reg, "cbec_declaration_value_cny_total", map[string]string{"direction": "import"}); got != 574 {
		t.Fatalf("import value %v", got)
	}
	if got := value(t, reg, "cbec_tax_assessed_cny_total", map[string]string{"kind": "vat"}); got != 52.23 {
		t.Fatalf("VAT %v", got)
	}
	if got := value(t, reg, "cbec_quota_restored_cny_total", nil); got != 574 {
		t.Fatalf("quota restored %v", got)
	}
	if got := value(t, reg, "cbec_review_queue_cases", nil); got != 1 {
		t.Fatalf("review queue %v", got)
	}
	if got := value(t, reg, "cbec_returns_total", map[string]string{"outcome": "requested"}); got != 1 {
		t.Fatalf("returns requested %v (counted twice?)", got)
	}
	// A second instance rebuilds the same numbers from the stream.
	again := startMetrics(t, h)
	natstest.Eventually(t, 10*time.Second, func() bool {
		return value(t, again, "cbec_declarations_total", imp) == 1 && value(t, again, "cbec_quota_restored_cny_total", nil) == 574
	}, "rebuilt aggregates")
	problems, err := testutil.GatherAndLint(reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint %s: %s", p.Metric, p.Text)
	}
}

// TestDocsListEveryMetric holds docs/metrics.md to the registries: with
// every service running and traffic through all of them, the cbec_ metrics
// exported are exactly those the page lists.
func TestDocsListEveryMetric(t *testing.T) {
	h := st.New(t)
	reg := startMetrics(t, h)
	// The process-wide collectors Main registers.
	telemetry.NewHTTPMetrics(reg).Wrap(h.Env.Mux.ServeMux).ServeHTTP(nopWriter{}, mustRequest(t))
	reg.MustRegister(telemetry.NewJetStreamCollector(h.NC, h.JS, broker.StreamIn, broker.StreamEvents, broker.StreamOut, broker.StreamAudit))
	traffic(t, h)
	// An officer claims and releases the held list: the desk's numbers.
	caseURL := "/v1/review/cases/inv." + cebtest.EbpCode + ".M-REV"
	natstest.Eventually(t, 10*time.Second, func() bool {
		code, _, _ := h.Do("GET", caseURL, st.KeyOfficer, "", nil)
		return code == http.StatusOK
	}, "review case of M-REV")
	if code, out, _ := h.Do("POST", caseURL+"/claim", st.KeyOfficer, "", nil); code != http.StatusOK {
		t.Fatalf("claim: %d %s", code, out)
	}
	if code, out, _ := h.Do("POST", caseURL+"/release", st.KeyOfficer, "", nil); code != http.StatusAccepted {
		t.Fatalf("release: %d %s", code, out)
	}
	natstest.Eventually(t, 10*time.Second, func() bool {
		return value(t, reg, "cbec_declarations_total", map[string]string{"direction": "export", "status": "released"}) == 1 &&
			value(t, reg, "cbec_review_decisions_total", map[string]string{"officer": "OFFICER01", "decision": "release"}) == 1 &&
			value(t, reg, "cbec_review_rule_outcomes_total", map[string]string{"outcome": "released"}) == 1
	}, "traffic counted")
	exported := map[string]bool{}
	for _, g := range []prometheus.Gatherer{reg, h.Env.Registry} {
		problems, err := testutil.GatherAndLint(g)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range problems {
			t.Errorf("lint %s: %s", p.Metric, p.Text)
		}
		mfs, err := g.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, mf := range mfs {
			if strings.HasPrefix(mf.GetName(), "cbec_") {
				exported[mf.GetName()] = true
			}
		}
	}
	doc, err := os.ReadFile("../../docs/metrics.md")
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, m := range regexp.MustCompile("(?m)^\\| `(cbec_[a-z0-9_]+)` \\|").FindAllStringSubmatch(string(doc), -1) {
		listed[m[1]] = true
	}
	var missing, stale []string
	for n := range exported {
		if !listed[n] {
			missing = append(missing, n)
		}
	}
	for n := range listed {
		if !exported[n] {
			stale = append(stale, n)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	if len(missing) > 0 || len(stale) > 0 {
		t.Fatalf("docs/metrics.md out of step: not listed %v; listed but not exported %v", missing, stale)
	}
}

type nopWriter struct{}

func (nopWriter) Header() http.Header         { return http.Header{} }
func (nopWriter) Write(b []byte) (int, error) { return len(b), nil }
func (nopWriter) WriteHeader(int)             {}

func mustRequest(t *testing.T) *http.Request {
	t.Helper()
	r, err := http.NewRequest("GET", "/healthz", nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// A restart restores the snapshot written at Stop and replays only the
// events after it: with every event before it purged from the stream, the
// new instance still shows the aggregates, and counts a new event once.
func TestRestartFromSnapshot(t *testing.T) {
	h := st.New(t)
	ctx := context.Background()
	start := func() (svc.Service, *prometheus.Registry) {
		env := h.EnvOf(metrics.Name)
		env.Registry = telemetry.NewRegistry()
		env.Mux = svc.NewRouter()
		s, err := metrics.New(ctx, env)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Stop(ctx) })
		return s, env.Registry
	}
	first, reg := start()
	traffic(t, h)
	imp := map[string]string{"direction": "import", "status": "released"}
	natstest.Eventually(t, 10*time.Second, func() bool {
		return value(t, reg, "cbec_declarations_total", imp) == 1 &&
			value(t, reg, "cbec_declarations_total", map[string]string{"direction": "export", "status": "released"}) == 1
	}, "aggregates")
	natstest.Eventually(t, 10*time.Second, func() bool {
		return value(t, reg, "cbec_quota_restored_cny_total", nil) == 574
	}, "quota restored")
	if err := first.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	stream, err := h.JS.Stream(ctx, broker.StreamEvents)
	if err != nil {
		t.Fatal(err)
	}
	last := stream.CachedInfo().State.LastSeq
	kv, err := h.JS.KeyValue(ctx, broker.BucketMetrics)
	if err != nil {
		t.Fatal(err)
	}
	e, err := kv.Get(ctx, "aggregates")
	if err != nil {
		t.Fatal(err)
	}
	var snap struct {
		Seq uint64 `json:"seq"`
	}
	if err := json.Unmarshal(e.Value(), &snap); err != nil || snap.Seq != last {
		t.Fatalf("snapshot at %d (%v), stream at %d", snap.Seq, err, last)
	}
	if err := stream.Purge(ctx); err != nil {
		t.Fatal(err)
	}
	_, again := start()
	for name, labels := range map[string]map[string]string{
		"cbec_declarations_total":          imp,
		"cbec_declaration_value_cny_total": {"direction": "import"},
		"cbec_tax_assessed_cny_total":      {"kind": "vat"},
		"cbec_quota_restored_cny_total":    nil,
		"cbec_review_queue_cases":          nil,
		"cbec_returns_total":               {"outcome": "requested"},
	} {
		if got, want := value(t, again, name, labels), value(t, reg, name, labels); got != want {
			t.Errorf("%s %v after the restart, %v before", name, got, want)
		}
	}
	// An event after the snapshot is counted, once.
	h.Submit(st.NewSet("M-REL2"))
	h.WaitDecided("M-REL2")
	natstest.Eventually(t, 10*time.Second, func() bool {
		return value(t, again, "cbec_declarations_total", imp) == 2
	}, "the new release counted")
}
