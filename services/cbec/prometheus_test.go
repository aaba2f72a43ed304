package main

import (
	"os/exec"
	"testing"

	"github.com/cbec/cbec/pkg/tooltest"
)

// TestPrometheusConfigAndAlertRules runs promtool over the alert rules and
// both scrape configurations.
func TestPrometheusConfigAndAlertRules(t *testing.T) {
	p := tooltest.Need(t, "promtool") // Prometheus' own checker
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
