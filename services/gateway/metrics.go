package gateway

import "github.com/prometheus/client_golang/prometheus"

// metrics of the intake.
type metrics struct {
	docs *prometheus.CounterVec
}

func newMetrics(r prometheus.Registerer) *metrics {
	m := &metrics{
		docs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cbec_gateway_documents_total",
			Help: "Documents submitted to the gateway by message type and result (accepted, resubmitted or rejected).",
		}, []string{"msg_type", "result"}),
	}
	r.MustRegister(m.docs)
	return m
}

func (m *metrics) documents(results []Result) {
	for _, r := range results {
		result := r.Status
		if r.again {
			// Accepted again, stored once: not a second accepted document.
			result = "resubmitted"
		}
		m.docs.WithLabelValues(string(r.MsgType), result).Inc()
	}
}
