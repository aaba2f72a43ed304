package gateway

import "github.com/prometheus/client_golang/prometheus"

// metrics of the intake.
type metrics struct {
	docs *prometheus.CounterVec
	sigs *prometheus.CounterVec
}

func newMetrics(r prometheus.Registerer) *metrics {
	m := &metrics{
		docs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cbec_gateway_documents_total",
			Help: "Documents submitted to the gateway by message type and result (accepted, resubmitted or rejected).",
		}, []string{"msg_type", "result"}),
		sigs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cbec_gateway_signatures_total",
			Help: "Signature checks of submitted messages by result: verified, unsigned (optional policy), unchecked (no certificate registered), refused (unsigned or JSON under the required policy) or failed.",
		}, []string{"result"}),
	}
	for _, r := range []string{sigVerified, sigUnsigned, sigUnchecked, sigRefused, sigFailed} {
		m.sigs.WithLabelValues(r) // every result from the start, at 0
	}
	r.MustRegister(m.docs, m.sigs)
	return m
}

func (m *metrics) signature(result string) { m.sigs.WithLabelValues(result).Inc() }

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
