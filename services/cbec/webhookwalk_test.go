package main

import (
	"regexp"
	"strings"
	"testing"
)

// TestWebhookWalkThrough runs the README's "Webhooks" block as it is
// written: a cbec of its own, the agent's registration, the demo
// declaration while the receiver is down (a failure with its reason), then
// the receiver up and the waiting receipts delivered, verified, in order.
func TestWebhookWalkThrough(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a whole cbec (-short)")
	}
	block := readmeBlock(t, "Webhooks")
	// Free ports instead of the README's, so that a cbec or a receiver the
	// reader runs does not meet these.
	script := strings.ReplaceAll(block, "127.0.0.1:8082", "127.0.0.1:"+freePort(t))
	script = strings.ReplaceAll(script, "127.0.0.1:9092", "127.0.0.1:"+freePort(t))
	out := walkThrough(t, "set -o pipefail\n"+script, "localhost:8080")
	checkClaims(t, block, out, []claim{
		{`"lastError":"connection refused"`, `"lastError":"connection refused"`},
		{"signature verified; CEB622 C17040068576620144 2 …", "signature verified; CEB622 C17040068576620144 2 "},
	})
	// Every step of the release came, in order, in one delivery or
	// several, and nothing was refused.
	var steps []string
	for _, m := range regexp.MustCompile(`signature verified; CEB622 C17040068576620144 ([0-9 ]+)`).FindAllStringSubmatch(out, -1) {
		steps = append(steps, strings.Fields(m[1])...)
	}
	if got := strings.Join(steps, ","); got != "2,120,399,800" {
		t.Fatalf("delivered steps %s, want 2,120,399,800 in order:\n%s", got, out)
	}
	if strings.Contains(out, "signature refused") {
		t.Fatalf("a delivery's signature was refused:\n%s", out)
	}
}
