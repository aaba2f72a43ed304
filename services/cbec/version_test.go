package main

import (
	"runtime"
	"strings"
	"testing"

	"github.com/cbec/cbec/pkg/telemetry"
)

// TestVersion: --version, -version and version print the build line (the
// build information of this binary) and succeed.
func TestVersion(t *testing.T) {
	want := telemetry.ReadBuild().String() + "\n"
	if !strings.HasPrefix(want, "cbec ") || !strings.Contains(want, runtime.Version()) {
		t.Fatalf("version line %q", want)
	}
	for _, args := range [][]string{{"--version"}, {"-version"}, {"version"}} {
		out, errOut, err := runCmd(args...)
		if err != nil || out != want || errOut != "" {
			t.Errorf("%v: %v, printed %q and %q, want %q", args, err, out, errOut, want)
		}
	}
	if _, _, err := runCmd("version", "extra"); err == nil {
		t.Error("version with an argument accepted")
	}
}
