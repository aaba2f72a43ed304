package main

import (
	"os/exec"
	"testing"
)

// promtool is Prometheus' own checker, from Debian's prometheus package
// (installed by .ci/run).
func promtool(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("promtool")
	if err != nil {
		t.Fatal("promtool is required (Debian package prometheus; .ci/run installs it)")
	}
	return p
}

// TestPrometheusConfigAndAlertRules runs promtool over the alert rules and
// both scrape configurations.
func TestPrometheusConfigAndAlertRules(t *testing.T) {
	p := promtool(t)
	for _, args := range [][]string{
		{"check", "rules", "../../deploy/prometheus/alerts.yml"},
		{"check", "config", "../../deploy/prometheus/prometheus.yml"},
		{"check", "config", "../../deploy/prometheus/prometheus-compose.yml"},
	} {
		if out, err := exec.Command(p, args...).CombinedOutput(); err != nil {
			t.Errorf("promtool %v: %v\n%s", args, err, out)
		}
	}
}
