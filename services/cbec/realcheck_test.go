package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cbec/cbec/deploy/grafana"
	"github.com/cbec/cbec/pkg/natstest"
	"github.com/cbec/cbec/pkg/tooltest"
	"go.yaml.in/yaml/v3"
)

// TestDashboardsAndAlertsAgainstRealPrometheus is the real check of issue 7:
// the whole system under the load generator, scraped by Debian's
// Prometheus; every dashboard query must evaluate without error and return
// series, every alert expression must evaluate, and every rule must load.
func TestDashboardsAndAlertsAgainstRealPrometheus(t *testing.T) {
	if testing.Short() {
		t.Skip("the real check takes about a minute and a half; -short leaves it out")
	}
	prom := tooltest.Need(t, "prometheus")
	m := startMain(t, t.TempDir())
	defer m.Close(context.Background())

	// A webhook whose host never resolves (.invalid, RFC 2606): its
	// deliveries fail and its backlog grows, so the Webhooks panels have
	// series.
	if code, b, _ := (matrixCall{method: "POST", path: "/v1/webhooks", ctype: "application/json",
		body: []byte(`{"url":"https://cbec-webhook.invalid/receipts"}`)}).send(t, m.HTTPURL(), "demo-agent"); code != http.StatusCreated {
		t.Fatalf("webhook: %d %s", code, b)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	loadDone := make(chan error, 1)
	go func() {
		loadDone <- RunLoad(ctx, []string{"--url", m.HTTPURL(), "--rate", "25", "--duration", "50s", "--seed", "7"}, io.Discard, io.Discard)
	}()

	dir := t.TempDir()
	alerts, err := filepath.Abs("../../deploy/prometheus/alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	cfg := fmt.Sprintf(`global:
  scrape_interval: 2s
  evaluation_interval: 2s
rule_files: [%q]
scrape_configs:
  - job_name: cbec
    static_configs:
      - targets: [%q]
`, alerts, strings.TrimPrefix(m.HTTPURL(), "http://"))
	cfgPath := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(prom, "--config.file="+cfgPath, "--storage.tsdb.path="+filepath.Join(dir, "tsdb"),
		"--web.listen-address=127.0.0.1:"+port, "--log.level=warn")
	cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	api := "http://127.0.0.1:" + port
	natstest.Eventually(t, 30*time.Second, func() bool {
		resp, err := http.Get(api + "/-/ready")
		if err != nil {
			return false
		}
		_ = resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, "prometheus ready")

	select {
	case err := <-loadDone:
		if err != nil {
			t.Fatalf("load: %v", err)
		}
	case <-time.After(3 * time.Minute):
		t.Fatal("the load generator did not stop")
	}
	officerDecisions(t, m.HTTPURL())
	query := func(expr string) (int, error) {
		resp, err := http.Get(api + "/api/v1/query?query=" + url.QueryEscape(expr))
		if err != nil {
			return 0, err
		}
		defer func() { _ = resp.Body.Close() }()
		var r struct {
			Status string `json:"status"`
			Error  string `json:"error"`
			Data   struct {
				Result []json.RawMessage `json:"result"`
			} `json:"data"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
			return 0, err
		}
		if r.Status != "success" {
			return 0, fmt.Errorf("%s", r.Error)
		}
		return len(r.Data.Result), nil
	}
	queries, err := grafana.Queries()
	if err != nil {
		t.Fatal(err)
	}
	// Evaluate every panel query; scrapes keep coming every 2 s, so poll
	// until all have series (the last returns and exports may need a scrape
	// or two more), then report what still fails.
	var failures []string
	deadline := time.Now().Add(60 * time.Second)
	for {
		failures = failures[:0]
		for _, q := range queries {
			expr := grafana.Expand(q.Expr, "1m", "10m")
			n, err := query(expr)
			switch {
			case err != nil:
				failures = append(failures, fmt.Sprintf("%s / %s: query error %v: %s", q.Dashboard, q.Panel, err, expr))
			case n == 0:
				failures = append(failures, fmt.Sprintf("%s / %s: no series: %s", q.Dashboard, q.Panel, expr))
			}
		}
		if len(failures) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(2 * time.Second)
	}
	for _, f := range failures {
		t.Error(f)
	}
	var rules struct {
		Groups []struct {
			Rules []struct {
				Alert string `yaml:"alert"`
				Expr  string `yaml:"expr"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	b, err := os.ReadFile(alerts)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &rules); err != nil {
		t.Fatal(err)
	}
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			if _, err := query(r.Expr); err != nil {
				t.Errorf("alert %s: %v", r.Alert, err)
			}
		}
	}
	// Every rule loaded and evaluated without error.
	resp, err := http.Get(api + "/api/v1/rules")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var rs struct {
		Data struct {
			Groups []struct {
				Rules []struct {
					Name   string `json:"name"`
					Health string `json:"health"`
				} `json:"rules"`
			} `json:"groups"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&rs); err != nil {
		t.Fatal(err)
	}
	loaded := 0
	for _, g := range rs.Data.Groups {
		for _, r := range g.Rules {
			loaded++
			if r.Health != "ok" && r.Health != "unknown" {
				t.Errorf("rule %s health %s", r.Name, r.Health)
			}
		}
	}
	if loaded == 0 {
		t.Fatal("no alert rule loaded")
	}
}

// officerDecisions has the demo officer decide some of the cases the load
// held for review (risk rule R001) — two released, one rejected, one sent
// to inspection — so that the Review desk's officer and rule panels have
// series: the load generator itself never decides.
func officerDecisions(t *testing.T, base string) {
	t.Helper()
	var keys []string
	natstest.Eventually(t, 30*time.Second, func() bool {
		code, b, _ := do(t, "GET", base+"/v1/review/cases", "demo-officer", "", nil)
		if code != http.StatusOK {
			return false
		}
		keys = keys[:0]
		seen := map[string]bool{}
		for _, m := range reCaseKey.FindAllStringSubmatch(string(b), -1) {
			if !seen[m[1]] {
				seen[m[1]] = true
				keys = append(keys, m[1])
			}
		}
		return len(keys) >= 4
	}, "four review cases from the load")
	for i, key := range keys[:4] {
		url := base + "/v1/review/cases/" + key
		if code, b, _ := do(t, "POST", url+"/claim", "demo-officer", "", nil); code != http.StatusOK {
			t.Fatalf("claim %s: %d %s", key, code, b)
		}
		action, body := "release", []byte(`{}`)
		switch i {
		case 2:
			action, body = "reject", []byte(`{"reason":"real check: declared value doubtful"}`)
		case 3:
			action = "inspect"
		}
		if code, b, _ := do(t, "POST", url+"/"+action, "demo-officer", "application/json", body); code != http.StatusAccepted {
			t.Fatalf("%s %s: %d %s", action, key, code, b)
		}
	}
}

// reCaseKey finds the case keys in a review queue listing.
var reCaseKey = regexp.MustCompile(`"key":\s*"(inv\.[^"]+)"`)

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = l.Close() }()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port
}
