// Package prometheus holds the Prometheus configuration and alert rules;
// its test runs promtool's unit tests of the rules (alerts_test.yml).
package prometheus

import (
	"os/exec"
	"testing"

	"github.com/cbec/cbec/pkg/tooltest"
)

// TestAlertRules runs the alert rules' unit tests: each alert fires on the
// series it is written for and not on those next to it.
func TestAlertRules(t *testing.T) {
	p := tooltest.Need(t, "promtool")
	if out, err := exec.Command(p, "test", "rules", "alerts_test.yml").CombinedOutput(); err != nil {
		t.Fatalf("promtool test rules: %v\n%s", err, out)
	}
}
