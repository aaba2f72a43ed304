package webhooks

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the webhook service's Prometheus metrics (docs/metrics.md).
type metrics struct {
	deliveries *prometheus.CounterVec
	duration   prometheus.Histogram
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cbec_webhook_deliveries_total",
			Help: "Webhook delivery attempts, by result (delivered: the endpoint answered 2xx; failed: anything else).",
		}, []string{"result"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "cbec_webhook_delivery_duration_seconds",
			Help:    "Time of one webhook delivery attempt, from request to answer or failure.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}),
	}
	if reg != nil {
		reg.MustRegister(m.deliveries, m.duration)
	}
	// Both results exist from the start, so that a rate over them is 0,
	// not absent, before the first delivery.
	m.deliveries.WithLabelValues("delivered")
	m.deliveries.WithLabelValues("failed")
	return m
}

var subscriptionsDesc = prometheus.NewDesc("cbec_webhook_subscriptions",
	"Webhook subscriptions by state: active, or blocked (failing for the retry window, until an operator unblocks them).",
	[]string{"state"}, nil)

// subscriptionCollector counts the subscriptions by state at scrape time,
// from the service's view of CBEC_WEBHOOKS.
type subscriptionCollector struct{ s *Service }

// Describe implements prometheus.Collector.
func (c subscriptionCollector) Describe(ch chan<- *prometheus.Desc) { ch <- subscriptionsDesc }

// Collect implements prometheus.Collector.
func (c subscriptionCollector) Collect(ch chan<- prometheus.Metric) {
	a, b := c.s.counts()
	ch <- prometheus.MustNewConstMetric(subscriptionsDesc, prometheus.GaugeValue, float64(a), "active")
	ch <- prometheus.MustNewConstMetric(subscriptionsDesc, prometheus.GaugeValue, float64(b), "blocked")
}

func (m *metrics) observe(d time.Duration, err error) {
	m.duration.Observe(d.Seconds())
	if err != nil {
		m.deliveries.WithLabelValues("failed").Inc()
		return
	}
	m.deliveries.WithLabelValues("delivered").Inc()
}
