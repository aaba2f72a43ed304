package inventory_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDomainImportsNoTransport keeps the domain free of NATS and HTTP: the
// rules must run, and be tested, without either.
func TestDomainImportsNoTransport(t *testing.T) {
	domain := []string{"inventory", "match", "identity", "tariff", "tax", "limit", "risk", "rules", "quota", "ceb", "errcode", "mask"}
	for _, p := range domain {
		out, err := exec.Command("go", "list", "-deps", "github.com/cbec/cbec/pkg/"+p).CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", p, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			if dep == "net/http" || strings.HasPrefix(dep, "github.com/nats-io/") {
				t.Errorf("pkg/%s depends on %s", p, dep)
			}
		}
	}
}
