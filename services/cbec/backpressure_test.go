package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/ceb/cebtest"
	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/natstest"
	"github.com/cbec/cbec/services/clearance"
	"github.com/cbec/cbec/services/servicetest"
)

// The whole program under backpressure: with clearance held, submissions
// pass --intake-max-backlog, intake answers 503 with Retry-After and
// /readyz is not ready; once clearance runs again and the backlog drains,
// intake accepts and /readyz is ready again.
func TestBackpressureWholeProgram(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for a paused consumer to resume")
	}
	m := startMain(t, t.TempDir(), "--intake-max-backlog", "30")
	t.Cleanup(func() { _ = m.Close(context.Background()) })
	ctx := context.Background()
	base := m.HTTPURL()
	if _, err := m.js.PauseConsumer(ctx, broker.StreamIn, clearance.Durable, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	submit := func(prefix string, n int) (int, http.Header, []byte) {
		var docs []any
		for i := range n {
			o, _, _, _ := cebtest.Set(prefix + strconv.Itoa(i))
			docs = append(docs, o)
		}
		body, _ := json.Marshal(docs)
		code, b, hdr := do(t, "POST", base+"/v1/import/orders", servicetest.KeyEBP, "application/json", body)
		return code, hdr, b
	}
	if code, _, b := submit("WP-A", 40); code != http.StatusAccepted {
		t.Fatalf("under the bound: %d %s", code, b)
	}
	var hdr http.Header
	var body []byte
	natstest.Eventually(t, 10*time.Second, func() bool {
		var code int
		code, hdr, body = submit("WP-B"+strconv.FormatInt(time.Now().UnixNano(), 36), 1)
		return code == http.StatusServiceUnavailable
	}, "intake never refused")
	var p struct {
		Code string `json:"code"`
	}
	if err := json.Unmarshal(body, &p); err != nil || p.Code != string(errcode.Overloaded) || hdr.Get("Retry-After") == "" {
		t.Fatalf("refusal: Retry-After %q %s", hdr.Get("Retry-After"), body)
	}
	if code, b, _ := do(t, "GET", base+"/readyz", "", "", nil); code != http.StatusServiceUnavailable {
		t.Fatalf("readyz while refusing: %d %s", code, b)
	}
	if code, b, _ := do(t, "GET", base+"/healthz", "", "", nil); code != http.StatusOK {
		t.Fatalf("healthz while refusing: %d %s", code, b)
	}
	if _, err := m.js.ResumeConsumer(ctx, broker.StreamIn, clearance.Durable); err != nil {
		t.Fatal(err)
	}
	natstest.Eventually(t, 60*time.Second, func() bool {
		code, _, _ := do(t, "GET", base+"/readyz", "", "", nil)
		return code == http.StatusOK
	}, "never ready again after clearance resumed")
	if code, _, b := submit("WP-C", 1); code != http.StatusAccepted {
		t.Fatalf("after the drain: %d %s", code, b)
	}
}
