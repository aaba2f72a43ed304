package telemetry

import (
	"context"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
)

// JetStreamCollector reports, at each scrape, the NATS connection state, the
// size of the system's streams and the backlog of their durable consumers.
// It asks the server at scrape time rather than caching, so the numbers are
// as fresh as the scrape; a scrape that cannot reach the server reports the
// connection as down and the rest as absent.
type JetStreamCollector struct {
	nc      *nats.Conn
	js      jetstream.JetStream
	streams []string
	timeout time.Duration

	connected, msgs, bytes, pending, ackPending, redelivered *prometheus.Desc
}

// NewJetStreamCollector returns a collector for the named streams.
func NewJetStreamCollector(nc *nats.Conn, js jetstream.JetStream, streams ...string) *JetStreamCollector {
	return &JetStreamCollector{
		nc: nc, js: js, streams: streams, timeout: 2 * time.Second,
		connected:   prometheus.NewDesc("cbec_nats_connected", "1 when the process is connected to NATS, else 0.", nil, nil),
		msgs:        prometheus.NewDesc("cbec_stream_messages", "Messages stored in a JetStream stream.", []string{"stream"}, nil),
		bytes:       prometheus.NewDesc("cbec_stream_bytes", "Bytes stored in a JetStream stream.", []string{"stream"}, nil),
		pending:     prometheus.NewDesc("cbec_consumer_pending_messages", "Messages of a stream not yet delivered to a durable consumer.", []string{"stream", "consumer"}, nil),
		ackPending:  prometheus.NewDesc("cbec_consumer_ack_pending_messages", "Messages delivered to a durable consumer and not yet acknowledged.", []string{"stream", "consumer"}, nil),
		redelivered: prometheus.NewDesc("cbec_consumer_redelivered_messages", "Messages a durable consumer has had redelivered and not yet acknowledged.", []string{"stream", "consumer"}, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *JetStreamCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.connected, c.msgs, c.bytes, c.pending, c.ackPending, c.redelivered} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *JetStreamCollector) Collect(ch chan<- prometheus.Metric) {
	up := 0.0
	if c.nc.IsConnected() {
		up = 1
	}
	ch <- prometheus.MustNewConstMetric(c.connected, prometheus.GaugeValue, up)
	if up == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	for _, name := range c.streams {
		s, err := c.js.Stream(ctx, name)
		if err != nil {
			continue
		}
		info, err := s.Info(ctx)
		if err != nil {
			continue
		}
		ch <- prometheus.MustNewConstMetric(c.msgs, prometheus.GaugeValue, float64(info.State.Msgs), name)
		ch <- prometheus.MustNewConstMetric(c.bytes, prometheus.GaugeValue, float64(info.State.Bytes), name)
		lister := s.ListConsumers(ctx)
		for ci := range lister.Info() {
			if ci.Config.Durable == "" {
				continue // ordered and other ephemeral consumers come and go
			}
			ch <- prometheus.MustNewConstMetric(c.pending, prometheus.GaugeValue, float64(ci.NumPending), name, ci.Name)
			ch <- prometheus.MustNewConstMetric(c.ackPending, prometheus.GaugeValue, float64(ci.NumAckPending), name, ci.Name)
			ch <- prometheus.MustNewConstMetric(c.redelivered, prometheus.GaugeValue, float64(ci.NumRedelivered), name, ci.Name)
		}
	}
}
