package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/cbec/cbec/pkg/broker"
)

// BusResult is the bus ceiling: what JetStream alone stores, on an
// embedded server configured as cbec's.
type BusResult struct {
	// Messages is how many 1 KiB messages were stored in Seconds.
	Messages int     `json:"messages"`
	Seconds  float64 `json:"seconds"`
	// PerSecond is Messages / Seconds.
	PerSecond float64 `json:"perSecond"`
}

// busCeiling measures the bus ceiling: asynchronous publications of 1 KiB
// messages, each with a message id, to a file-stored stream with the
// duplicate window of cbec's streams, on an embedded server with cbec's
// store settings (sync) in dir, for d. It is what the pipeline's documents
// per second are set against: a document costs at least one such write.
func busCeiling(ctx context.Context, dir, sync string, d time.Duration) (BusResult, error) {
	srv, err := broker.StartEmbedded(broker.EmbeddedConfig{DataDir: dir, Sync: sync, Name: "cbec-bench-bus"})
	if err != nil {
		return BusResult{}, fmt.Errorf("bus ceiling: %w", err)
	}
	defer srv.Shutdown()
	nc, err := broker.Connect("cbec-bench-bus", "", srv.Server, srv.Credentials(broker.UserAdmin), slog.New(slog.DiscardHandler))
	if err != nil {
		return BusResult{}, fmt.Errorf("bus ceiling: %w", err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(broker.MaxAsyncPending))
	if err != nil {
		return BusResult{}, err
	}
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{
		Name: "BENCH", Subjects: []string{"bench.>"}, Storage: jetstream.FileStorage, Duplicates: broker.DuplicateWindow,
	}); err != nil {
		return BusResult{}, fmt.Errorf("bus ceiling: %w", err)
	}
	payload := make([]byte, 1024)
	_, _ = rand.Read(payload)
	start := time.Now()
	deadline := start.Add(d)
	n := 0
	for time.Now().Before(deadline) && ctx.Err() == nil {
		m := &nats.Msg{Subject: "bench.msg", Data: payload, Header: nats.Header{}}
		m.Header.Set(jetstream.MsgIDHeader, strconv.Itoa(n))
		if _, err := js.PublishMsgAsync(m); err != nil {
			return BusResult{}, fmt.Errorf("bus ceiling: %w", err)
		}
		n++
	}
	select {
	case <-js.PublishAsyncComplete():
	case <-time.After(30 * time.Second):
		return BusResult{}, fmt.Errorf("bus ceiling: acknowledgements outstanding after 30 s")
	}
	secs := time.Since(start).Seconds()
	return BusResult{Messages: n, Seconds: secs, PerSecond: float64(n) / secs}, nil
}
