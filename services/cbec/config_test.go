package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/natstest"
)

func TestConfigFlagsAndEnvironmentTwins(t *testing.T) {
	env := map[string]string{"CBEC_HTTP_ADDR": "127.0.0.1:9999", "CBEC_SERVICES": "gateway", "CBEC_DATA_DIR": "/tmp/x"}
	getenv := func(k string) string { return env[k] }
	c, err := ParseConfig([]string{"--data-dir", "/tmp/flag"}, getenv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != "127.0.0.1:9999" {
		t.Errorf("env twin ignored: %s", c.HTTPAddr)
	}
	if c.DataDir != "/tmp/flag" {
		t.Errorf("flag must win over its twin: %s", c.DataDir)
	}
	if len(c.Services) != 1 || c.Services[0] != "gateway" {
		t.Errorf("services %v", c.Services)
	}
	c, err = ParseConfig(nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != "127.0.0.1:8080" || c.NATSListen != "127.0.0.1:4222" || c.DataDir != "./data" || len(c.Services) != len(ServiceNames()) {
		t.Errorf("defaults %+v", c)
	}
	if c.Sync != broker.DefaultSync {
		t.Errorf("default --sync %q, want %q", c.Sync, broker.DefaultSync)
	}
	c, err = ParseConfig(nil, func(k string) string { return map[string]string{"CBEC_SYNC": "always"}[k] }, io.Discard)
	if err != nil || c.Sync != "always" {
		t.Errorf("CBEC_SYNC=always: %q, %v", c.Sync, err)
	}
	if EnvName("nats-listen") != "CBEC_NATS_LISTEN" {
		t.Error(EnvName("nats-listen"))
	}
}

func TestConfigRefusals(t *testing.T) {
	none := func(string) string { return "" }
	for name, args := range map[string][]string{
		"dev clock with external NATS":       {"--dev-clock", "--nats-url", "nats://127.0.0.1:4222"},
		"unknown service":                    {"--services", "gateway,teleporter"},
		"missing parties file":               {"--parties", "/nonexistent/parties.yaml"},
		"bad replicas":                       {"--replicas", "0", "--nats-url", "nats://127.0.0.1:4222"},
		"replicas on the embedded node":      {"--replicas", "3"},
		"stray argument":                     {"serve"},
		"negative auth-fail-rate":            {"--auth-fail-rate", "-1"},
		"auth-fail-burst below 1":            {"--auth-fail-burst", "0"},
		"sync neither always nor a duration": {"--sync", "sometimes"},
		"sync as a bare number":              {"--sync", "2"},
		"sync of zero":                       {"--sync", "0s"},
		"negative sync":                      {"--sync", "-1s"},
		"sync as a NATS variable":            {"--sync", "$CBEC_SYNC"},
		"sync with external NATS":            {"--sync", "always", "--nats-url", "nats://127.0.0.1:4222", "--quota-secret", "s"},
	} {
		if _, err := ParseConfig(args, none, io.Discard); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := ParseConfig(nil, func(k string) string {
		if k == "CBEC_DEV_CLOCK" {
			return "maybe"
		}
		return ""
	}, io.Discard); err == nil {
		t.Error("bad boolean in CBEC_DEV_CLOCK accepted")
	}
	if _, err := ParseConfig([]string{"--nats-url", "nats://127.0.0.1:4222", "--quota-secret", "s"}, func(k string) string {
		return map[string]string{"CBEC_SYNC": "always"}[k]
	}, io.Discard); err == nil {
		t.Error("CBEC_SYNC with an external NATS accepted: it would not reach that server")
	}
	good, err := ParseConfig(nil, none, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	for _, sync := range []string{"always", "1s", "250ms", "2m"} {
		c := good
		c.Sync = sync
		if err := c.Validate(); err != nil {
			t.Errorf("Validate refuses --sync %s: %v", sync, err)
		}
	}
	for _, sync := range []string{"Always", "never", "1", "0", "-2m", "1 s"} {
		c := good
		c.Sync = sync
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "--sync") {
			t.Errorf("Validate accepts --sync %q (%v)", sync, err)
		}
	}
}

// TestServicesRunAsSeparateProcesses runs the gateway and clearance as two
// programs against one external NATS server, as docker-compose does.
func TestServicesRunAsSeparateProcesses(t *testing.T) {
	s := natstest.RunServer(t)
	run := func(service string) *Main {
		m := runMain(t, "--http-addr", "127.0.0.1:0", "--nats-url", s.ClientURL(), "--services", service, "--log-level", "warn", "--quota-secret", "s")
		t.Cleanup(func() { _ = m.Close(context.Background()) })
		return m
	}
	gw := run("gateway")
	cl := run("clearance")
	code, b, _ := do(t, "POST", gw.HTTPURL()+"/v1/ceb", "demo-platform", "application/xml", sample(t, "CEB311Message.xml"))
	if code != http.StatusAccepted {
		t.Fatalf("%d %s", code, b)
	}
	natstest.Eventually(t, 10*time.Second, func() bool {
		return len(readReceipts(t, gw.HTTPURL(), "demo-platform").Receipts) == 1
	}, "receipt from the clearance process")
	// The clearance process serves health and metrics but not the intake.
	if code, _, _ := do(t, "GET", cl.HTTPURL()+"/readyz", "", "", nil); code != http.StatusOK {
		t.Fatalf("clearance readyz %d", code)
	}
	if code, _, _ := do(t, "POST", cl.HTTPURL()+"/v1/ceb", "demo-platform", "application/xml", nil); code != http.StatusNotFound {
		t.Fatalf("clearance serves intake: %d", code)
	}
	_, metrics, _ := do(t, "GET", gw.HTTPURL()+"/metrics", "", "", nil)
	if !strings.Contains(string(metrics), `cbec_gateway_documents_total{msg_type="CEB311",result="accepted"} 1`) {
		t.Fatalf("gateway metrics:\n%s", metrics)
	}
}
