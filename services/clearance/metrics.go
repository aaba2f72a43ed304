package clearance

import "github.com/prometheus/client_golang/prometheus"

// metrics of the clearance service.
type metrics struct {
	decisions *prometheus.CounterVec
	latency   prometheus.Histogram
}

func newMetrics(r prometheus.Registerer) *metrics {
	m := &metrics{
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cbec_clearance_decisions_total",
			Help: "Inventory list decisions by resulting status (100 rejected, 300 review, 800 released) and trade mode.",
		}, []string{"status", "trade_mode"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "cbec_clearance_decision_seconds",
			Help:    "Time from the inventory list's declaration (status 2) to customs' decision.",
			Buckets: prometheus.ExponentialBuckets(0.001, 4, 12),
		}),
	}
	r.MustRegister(m.decisions, m.latency)
	return m
}
