package main

import (
	"regexp"
	"testing"
)

// TestBacktestWalkThrough runs the README's "Risk-rule backtests and
// changes" as written, after "A declaration from order to release": the
// candidate rule R900 would have held the demo declaration, the rules in
// force did not.
func TestBacktestWalkThrough(t *testing.T) {
	addr := startWalkThrough(t)
	walkThrough(t, readmeBlock(t, "A declaration from order to release"), addr)
	block := readmeBlock(t, "Risk-rule backtests and changes")
	out := walkThrough(t, block, addr)
	checkClaims(t, block, out, []claim{{"R900  review  1", "R900"}})
	if !regexp.MustCompile(`(?m)^R900\s+review\s+1\s+0\s+0\s+0\s+0\s+1\s+0\s*$`).MatchString(out) {
		t.Fatalf("R900 would not have held the demo declaration alone:\n%s", out)
	}
	if !regexp.MustCompile(`held or rejected: 1 by the candidate, 0 by the rules in force`).MatchString(out) {
		t.Fatalf("the totals:\n%s", out)
	}
}
