package telemetry_test

import (
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/cbec/cbec/pkg/telemetry"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
)

func TestHTTPMetricsLabelByPatternAndPassLint(t *testing.T) {
	reg := telemetry.NewRegistry()
	m := telemetry.NewHTTPMetrics(reg)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/things/{id}", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) })
	h := m.Wrap(mux)
	for _, p := range []string{"/v1/things/1", "/v1/things/2", "/nowhere"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", p, nil))
	}
	want := `
# HELP cbec_http_requests_total HTTP requests by route pattern and status code.
# TYPE cbec_http_requests_total counter
cbec_http_requests_total{code="404",route="unmatched"} 1
cbec_http_requests_total{code="418",route="GET /v1/things/{id}"} 2
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "cbec_http_requests_total"); err != nil {
		t.Fatal(err)
	}
	problems, err := testutil.GatherAndLint(reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		if strings.HasPrefix(p.Metric, "cbec_") {
			t.Errorf("lint: %s: %s", p.Metric, p.Text)
		}
	}
}

// TestRegistryExportsTheCollectorsCPU: every registry carries the garbage
// collector's CPU and the CPU in all, whose ratio the Clearance dashboard
// shows beside the decision latency; after a collection the first is
// above zero and below the second.
func TestRegistryExportsTheCollectorsCPU(t *testing.T) {
	reg := telemetry.NewRegistry()
	runtime.GC()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetType() == dto.MetricType_COUNTER && len(mf.GetMetric()) == 1 {
			got[mf.GetName()] = mf.GetMetric()[0].GetCounter().GetValue()
		}
	}
	gc, all := got["go_cpu_classes_gc_total_cpu_seconds_total"], got["go_cpu_classes_total_cpu_seconds_total"]
	if gc <= 0 || all <= gc {
		t.Fatalf("gc CPU %v s of %v s (%v)", gc, all, got)
	}
}
