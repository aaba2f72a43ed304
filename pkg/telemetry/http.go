// Package telemetry is cbec's metrics plumbing: a registry per process (never
// the global default) and the HTTP instrumentation every service shares.
package telemetry

import (
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// NewRegistry returns a fresh registry with the Go runtime and process
// collectors and the binary's cbec_build_info. The Go collector adds to its
// defaults the CPU the garbage collector used and the CPU in all
// (go_cpu_classes_gc_total_cpu_seconds_total, go_cpu_classes_total_cpu_seconds_total):
// their ratio is what the decision latency's tail follows
// (docs/performance.md#what-the-tail-is), on the Clearance dashboard.
func NewRegistry() *prometheus.Registry {
	r := prometheus.NewRegistry()
	goc := collectors.NewGoCollector(collectors.WithGoCollectorRuntimeMetrics(collectors.GoRuntimeMetricsRule{Matcher: gcCPU}))
	r.MustRegister(goc, collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), ReadBuild().Collector())
	return r
}

// gcCPU selects the runtime/metrics of the garbage collector's CPU and of
// the process's whole CPU.
var gcCPU = regexp.MustCompile(`^/cpu/classes/(gc/total|total):cpu-seconds$`)

// Handler serves the registry in the Prometheus exposition format.
func Handler(r *prometheus.Registry) http.Handler {
	return promhttp.HandlerFor(r, promhttp.HandlerOpts{Registry: r, EnableOpenMetrics: true})
}

// HTTPMetrics instruments handlers by route pattern (bounded: the mux's
// patterns, never raw paths) and status code.
type HTTPMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// NewHTTPMetrics registers the HTTP metrics on r.
func NewHTTPMetrics(r prometheus.Registerer) *HTTPMetrics {
	m := &HTTPMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cbec_http_requests_total",
			Help: "HTTP requests by route pattern and status code.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "cbec_http_request_duration_seconds",
			Help:    "HTTP request latency by route pattern.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route"}),
	}
	r.MustRegister(m.requests, m.duration)
	return m
}

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Wrap instruments mux: each request is labelled with the pattern that
// matched it, or "unmatched".
func (m *HTTPMetrics) Wrap(mux *http.ServeMux) http.Handler { return m.WrapHandler(mux, mux) }

// WrapHandler instruments h, a handler around mux (a middleware in front of
// the router): each request is labelled with the pattern mux routes it to,
// or "unmatched", and with the status h answered.
func (m *HTTPMetrics) WrapHandler(mux *http.ServeMux, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		_, pattern := mux.Handler(r)
		if pattern == "" {
			pattern = "unmatched"
		}
		h.ServeHTTP(sw, r)
		if sw.code == 0 {
			sw.code = http.StatusOK
		}
		m.requests.WithLabelValues(pattern, strconv.Itoa(sw.code)).Inc()
		m.duration.WithLabelValues(pattern).Observe(time.Since(start).Seconds())
	})
}
