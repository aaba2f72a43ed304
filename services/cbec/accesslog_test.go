package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/cbec/cbec/pkg/httpapi"
	"github.com/cbec/cbec/pkg/telemetry"
)

// TestAccessLogJSON runs the program with --log-format json and submits the
// demo order as its platform: the submission's access line carries the
// request id, the party, the route pattern, the status, the bytes and the
// latency, and neither that line nor any other holds the API key or the
// buyer's ID number. Probes and scrapes add no line at info; /metrics
// carries the build.
func TestAccessLogJSON(t *testing.T) {
	var log syncBuffer
	cfg, err := ParseConfig([]string{"--http-addr", "127.0.0.1:0", "--nats-listen", "", "--data-dir", t.TempDir(),
		"--log-format", "json"}, noEnv, &log)
	if err != nil {
		t.Fatal(err)
	}
	// The banner (stdout) lists the demo keys; the log (stderr) must not.
	m := NewMain(cfg, io.Discard, &log)
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close(context.Background()) })
	base := m.HTTPURL()

	order, err := os.ReadFile("../../deploy/demo/order.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OrderHead struct{ OrderNo, EbpCode, BuyerIdNumber string }
	}
	if err := json.Unmarshal(order, &doc); err != nil || doc.OrderHead.BuyerIdNumber == "" || doc.OrderHead.OrderNo == "" {
		t.Fatalf("demo order: %v %+v", err, doc)
	}
	code, b, hdr := do(t, "POST", base+"/v1/import/orders", "demo-ebp", "application/json", order, httpapi.HeaderRequestID, "walk-1")
	if code != http.StatusAccepted || hdr.Get(httpapi.HeaderRequestID) != "walk-1" {
		t.Fatalf("%d %s, request id %q", code, b, hdr.Get(httpapi.HeaderRequestID))
	}
	// A read by a path holding the order number, with no request id.
	_, _, hdr = do(t, "GET", base+"/v1/import/inventories/"+doc.OrderHead.EbpCode+"/"+doc.OrderHead.OrderNo+"?x="+doc.OrderHead.BuyerIdNumber, "demo-agent", "", nil)
	readID := hdr.Get(httpapi.HeaderRequestID)
	if !httpapi.ValidRequestID(readID) {
		t.Fatalf("generated request id %q", readID)
	}
	for _, probe := range []string{"/healthz", "/readyz", "/metrics"} {
		if code, _, _ := do(t, "GET", base+probe, "", "", nil); code != http.StatusOK {
			t.Fatalf("%s: %d", probe, code)
		}
	}
	_, metrics, _ := do(t, "GET", base+"/metrics", "", "", nil)
	bi := telemetry.ReadBuild()
	if want := fmt.Sprintf("cbec_build_info{goversion=%q,revision=", bi.GoVersion); !strings.Contains(string(metrics), want) ||
		!strings.Contains(string(metrics), fmt.Sprintf("version=%q} 1", bi.Version)) {
		t.Errorf("/metrics lacks %s…version=%q} 1", want, bi.Version)
	}

	lines := map[string]map[string]any{}
	for _, l := range strings.Split(strings.TrimSpace(log.String()), "\n") {
		var v map[string]any
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("a log line is not JSON: %s", l)
		}
		if v["msg"] != "http request" {
			continue
		}
		if route, _ := v["route"].(string); route == routeHealthz || route == routeReadyz || route == routeMetrics {
			t.Errorf("a probe logged at info: %s", l)
		}
		if id, _ := v["request_id"].(string); lines[id] != nil {
			t.Errorf("two access lines for request %s", id)
		} else {
			lines[id] = v
		}
	}
	submit := lines["walk-1"]
	want := map[string]any{"level": "INFO", "method": "POST", "route": "POST /v1/import/{kind}", "status": 202.0, "party": "1500000001"}
	for k, v := range want {
		if submit[k] != v {
			t.Errorf("submission's access line: %s = %v, want %v (%v)", k, submit[k], v, submit)
		}
	}
	if n, _ := submit["bytes"].(float64); n <= 0 {
		t.Errorf("submission's access line: bytes %v", submit["bytes"])
	}
	if ms, ok := submit["latency_ms"].(float64); !ok || ms <= 0 {
		t.Errorf("submission's access line: latency_ms %v", submit["latency_ms"])
	}
	read := lines[readID]
	if read["route"] != "GET /v1/import/inventories/{ebpCode}/{orderNo}" || read["party"] != "1500000005" {
		t.Errorf("read's access line: %v", read)
	}
	if line, _ := json.Marshal(read); strings.Contains(string(line), doc.OrderHead.OrderNo) {
		t.Errorf("the read's access line holds the path's order number: %s", line)
	}
	for _, secret := range []string{"demo-ebp", "demo-agent", doc.OrderHead.BuyerIdNumber} {
		if strings.Contains(log.String(), secret) {
			t.Errorf("the log holds %q", secret)
		}
	}
}
