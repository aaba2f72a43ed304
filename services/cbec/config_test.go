package main

import (
	"context"
	"io"
	"net/http"
	"slices"
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

// TestConfigBadValues: a value refused is named with its flag, the value
// and what the flag takes — and, from the environment, the variable.
func TestConfigBadValues(t *testing.T) {
	none := func(string) string { return "" }
	external := []string{"--nats-url", "nats://127.0.0.1:4222", "--quota-secret", "s"}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--log-level", "bogus"}, `--log-level "bogus": want debug, info, warn, error`},
		{[]string{"--log-level", "info+2"}, `--log-level "info+2": want debug, info, warn, error`},
		{[]string{"--log-format", "xml"}, `--log-format "xml": want text or json`},
		{[]string{"--http-addr", "8080"}, `--http-addr "8080": want host:port`},
		{[]string{"--http-addr", ""}, `--http-addr "": want host:port`},
		{[]string{"--http-addr", "localhost:http"}, `--http-addr "localhost:http": want host:port`},
		{[]string{"--http-addr", "127.0.0.1:65536"}, `--http-addr "127.0.0.1:65536": want host:port`},
		{[]string{"--nats-listen", "4222"}, `--nats-listen "4222": want host:port`},
		{[]string{"--nats-listen", "127.0.0.1:-2"}, `--nats-listen "127.0.0.1:-2": want host:port`},
		{[]string{"--nats-url", "http://nats:4222", "--quota-secret", "s"}, `--nats-url "http://nats:4222": want nats://host:port`},
		{[]string{"--nats-url", "nats://a:4222,", "--quota-secret", "s"}, `--nats-url "": want nats://host:port`},
		{[]string{"--nats-url", "nats://user:hunter2@nats:42x", "--quota-secret", "s"}, `--nats-url "nats://***@nats:42x": want nats://host:port`},
		{[]string{"--sweep-interval", "0s"}, `--sweep-interval "0s": want a positive duration`},
		{[]string{"--sweep-interval", "-5s"}, `--sweep-interval "-5s": want a positive duration`},
		{[]string{"--sweep-interval", "5"}, `invalid value "5" for flag -sweep-interval`},
		{append([]string{"--replicas", "0"}, external...), `--replicas "0": want 1..5`},
		{append([]string{"--replicas", "7"}, external...), `--replicas "7": want 1..5`},
		{[]string{"--sync", "sometimes"}, `--sync "sometimes": want always or a positive duration`},
		{[]string{"--rate", "-1"}, `--rate "-1": want requests per second`},
		{[]string{"--rate", "NaN"}, `--rate "NaN": want requests per second`},
		{[]string{"--auth-fail-rate", "+Inf"}, `--auth-fail-rate "+Inf": want failures per second`},
		{[]string{"--auth-fail-burst", "0"}, `--auth-fail-burst "0": want 1 or more`},
		{[]string{"--trade-target", "0"}, `--trade-target "0": want a positive amount`},
		{[]string{"--intake-max-backlog", "-1"}, `--intake-max-backlog "-1": want 0 (no bound) or more`},
		{[]string{"--intake-max-stream-bytes", "-1"}, `--intake-max-stream-bytes "-1": want 0`},
		{[]string{"--intake-max-stream-msgs", "-1"}, `--intake-max-stream-msgs "-1": want 0`},
		{[]string{"--webhook-timeout", "0s"}, `--webhook-timeout "0s": want a positive duration`},
		{[]string{"--webhook-retry-base", "-1s"}, `--webhook-retry-base "-1s": want a positive duration`},
		{[]string{"--webhook-retry-base", "2h"}, `--webhook-retry-max "1h0m0s": want a duration no shorter than --webhook-retry-base 2h0m0s`},
		{[]string{"--webhook-retry-for", "0s"}, `--webhook-retry-for "0s": want a positive duration`},
		{[]string{"--services", "gateway,teleporter"}, `--services: unknown service "teleporter"`},
		{[]string{"--replicas", "three"}, `invalid value "three" for flag -replicas`},
		{[]string{"--no-such-flag"}, "flag provided but not defined: -no-such-flag (cbec -h lists the flags)"},
	} {
		_, err := ParseConfig(c.args, none, io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.args, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%v: the error repeats the password: %v", c.args, err)
		}
	}
	env := map[string]string{"CBEC_LOG_LEVEL": "verbose"}
	_, err := ParseConfig(nil, func(k string) string { return env[k] }, io.Discard)
	if want := `--log-level "verbose" (from CBEC_LOG_LEVEL): want debug`; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("CBEC_LOG_LEVEL=verbose: %v, want %q", err, want)
	}
	for _, good := range [][]string{
		{"--log-level", "DEBUG", "--log-format", "json"},
		{"--http-addr", ":0", "--nats-listen", "[::1]:4222"},
		{"--nats-listen", "127.0.0.1:-1"}, // a free port, as nats-server reads -1
		{"--nats-url", "nats://a:4222, tls://b:4222,nats-3:4222,ws://c", "--quota-secret", "s"},
	} {
		if _, err := ParseConfig(good, none, io.Discard); err != nil {
			t.Errorf("%v refused: %v", good, err)
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

// TestReadStreamsFollowTheGrants: a process reports only the streams its
// services may read — the gateway never CBEC_AUDIT, which only the metrics
// service reads — and the whole system all four.
func TestReadStreamsFollowTheGrants(t *testing.T) {
	if got := readStreams([]string{"gateway"}); !slices.Equal(got, []string{broker.StreamIn, broker.StreamOut}) {
		t.Errorf("gateway: %v", got)
	}
	if got := readStreams([]string{"webhooks"}); !slices.Equal(got, []string{broker.StreamOut}) {
		t.Errorf("webhooks: %v", got)
	}
	if got := readStreams(ServiceNames()); len(got) != 4 || !slices.Contains(got, broker.StreamAudit) {
		t.Errorf("all: %v", got)
	}
}
