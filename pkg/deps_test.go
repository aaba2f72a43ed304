// Package pkg_test holds the layering rule of the module
// (docs/architecture.md, "Layers"): the customs rules in pkg/ import no
// transport and no plumbing, nothing in pkg/ imports a service or deploy,
// and no service imports the binary. A new package under pkg/ must be
// given its layer here.
package pkg_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/cbec/cbec/"

// domain are the packages of the customs rules and the vocabulary they
// share: pure code that runs, and is tested, without NATS, HTTP or a
// store.
var domain = []string{
	// the rules
	"pkg/identity", "pkg/match", "pkg/tariff", "pkg/tax", "pkg/limit", "pkg/quota", "pkg/risk", "pkg/rules",
	"pkg/inventory", "pkg/refund", "pkg/zone", "pkg/export", "pkg/review",
	// their vocabulary: messages, codes, time, masking, reference files,
	// signatures, parties, webhook subscriptions
	"pkg/ceb", "pkg/errcode", "pkg/clock", "pkg/mask", "pkg/refdata", "pkg/dsig", "pkg/party", "pkg/webhook",
}

// plumbing are the packages that move and keep what the rules decide:
// NATS, JetStream stores, HTTP, metrics, the service frame, the client of
// the HTTP API.
var plumbing = []string{
	"pkg/broker", "pkg/docstore", "pkg/ledger", "pkg/receipt", "pkg/svc", "pkg/httpapi", "pkg/telemetry", "pkg/client",
}

// tooling are the test helpers and generators, which serve the tests and
// go generate, never a service.
var tooling = []string{
	"pkg/natstest", "pkg/tooltest", "pkg/ceb/cebtest", "pkg/ceb/schemagen", "pkg/errcode/internal/gen", "pkg/internal/mutate",
}

// packages returns every package of the patterns with its transitive
// imports (tests excluded), by import path relative to the module.
func packages(t *testing.T, patterns ...string) map[string][]string {
	t.Helper()
	args := append([]string{"list", "-e", "-f", "{{.ImportPath}} {{join .Deps \" \"}}"}, patterns...)
	out, err := exec.Command("go", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := map[string][]string{}
	for line := range strings.Lines(string(out)) {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		deps[strings.TrimPrefix(f[0], module)] = f[1:]
	}
	return deps
}

// TestLayers enforces the layering for every package of pkg/ and
// services/.
func TestLayers(t *testing.T) {
	deps := packages(t, module+"pkg/...", module+"services/...")
	for p := range deps {
		if strings.HasPrefix(p, "pkg/") && !slices.Contains(domain, p) && !slices.Contains(plumbing, p) && !slices.Contains(tooling, p) {
			t.Errorf("%s has no layer: name it in domain, plumbing or tooling (pkg/deps_test.go, docs/architecture.md)", p)
		}
	}
	for _, p := range append(append([]string{}, domain...), plumbing...) {
		if _, ok := deps[p]; !ok {
			t.Errorf("%s is named in a layer but is no package", p)
		}
	}
	for p, ds := range deps {
		for _, d := range ds {
			rel := strings.TrimPrefix(d, module)
			switch {
			case slices.Contains(domain, p) && forbiddenInDomain(rel):
				t.Errorf("domain package %s depends on %s: a rule imports no transport and no plumbing", p, d)
			case strings.HasPrefix(p, "pkg/") && (strings.HasPrefix(rel, "services/") || rel == "deploy" || strings.HasPrefix(rel, "deploy/")):
				t.Errorf("%s depends on %s: nothing in pkg/ imports a service or deploy (the binary passes embedded files in)", p, d)
			case strings.HasPrefix(p, "services/") && !strings.HasPrefix(p, "services/cbec") && strings.HasPrefix(rel, "services/cbec"):
				t.Errorf("service %s depends on the binary's %s", p, d)
			}
		}
	}
}

// forbiddenInDomain reports whether a domain package may not depend on
// the import path rel: transport (net/http, NATS) or plumbing.
func forbiddenInDomain(rel string) bool {
	return rel == "net/http" || strings.HasPrefix(rel, "github.com/nats-io/") || slices.Contains(plumbing, rel)
}

// TestLayersCatchAViolation runs the rule on a dependency it must refuse,
// so that a rule that can never fail does not pass for a kept one.
func TestLayersCatchAViolation(t *testing.T) {
	for _, bad := range []string{"net/http", "github.com/nats-io/nats.go", "pkg/broker", "pkg/ledger", "pkg/svc"} {
		if !forbiddenInDomain(bad) {
			t.Errorf("a domain package may depend on %s", bad)
		}
	}
	for _, ok := range []string{"pkg/errcode", "github.com/shopspring/decimal", "time"} {
		if forbiddenInDomain(ok) {
			t.Errorf("a domain package may not depend on %s", ok)
		}
	}
}
