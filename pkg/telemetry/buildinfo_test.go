package telemetry_test

import (
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/cbec/cbec/pkg/telemetry"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// The three ways a cbec binary is built, as the toolchain records them.
func TestBuildOf(t *testing.T) {
	platform := " " + runtime.GOOS + "/" + runtime.GOARCH
	for _, c := range []struct {
		name string
		bi   *debug.BuildInfo
		ok   bool
		want telemetry.Build
		line string
	}{{
		name: "go build in a checkout with uncommitted changes",
		bi: &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/cbec/cbec", Version: "v0.0.0-20260102030405-0123456789ab+dirty"},
			Settings: []debug.BuildSetting{{Key: "-buildmode", Value: "exe"}, {Key: "vcs", Value: "git"},
				{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"}, {Key: "vcs.time", Value: "2026-01-02T03:04:05Z"}, {Key: "vcs.modified", Value: "true"}}},
		ok: true,
		want: telemetry.Build{Version: "v0.0.0-20260102030405-0123456789ab+dirty", Revision: "0123456789abcdef0123456789abcdef01234567",
			Time: "2026-01-02T03:04:05Z", Modified: true, GoVersion: "go1.26.8"},
		line: "cbec v0.0.0-20260102030405-0123456789ab+dirty (revision 0123456789abcdef0123456789abcdef01234567, 2026-01-02T03:04:05Z, modified) go1.26.8" + platform,
	}, {
		name: "go install module@version",
		bi:   &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/cbec/cbec", Version: "v1.2.0"}},
		ok:   true,
		want: telemetry.Build{Version: "v1.2.0", GoVersion: "go1.26.8"},
		line: "cbec v1.2.0 (no VCS revision recorded: go run, -buildvcs=false or a module download) go1.26.8" + platform,
	}, {
		name: "go run",
		bi:   &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/cbec/cbec", Version: "(devel)"}},
		ok:   true,
		want: telemetry.Build{Version: telemetry.Devel, GoVersion: "go1.26.8"},
		line: "cbec (devel) (no VCS revision recorded: go run, -buildvcs=false or a module download) go1.26.8" + platform,
	}, {
		name: "no build information",
		want: telemetry.Build{Version: telemetry.Devel, GoVersion: runtime.Version()},
		line: "cbec (devel) (no VCS revision recorded: go run, -buildvcs=false or a module download) " + runtime.Version() + platform,
	}} {
		got := telemetry.BuildOf(c.bi, c.ok)
		if got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
		if got.String() != c.line {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got.String(), c.line)
		}
	}
}

func TestBuildInfoMetric(t *testing.T) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(telemetry.Build{Version: "v1.2.0", Revision: "0123abc", Modified: true, GoVersion: "go1.26.8"}.Collector())
	want := `
# HELP cbec_build_info The build of this process (always 1): module version, VCS revision (-modified when built from uncommitted changes) and Go version.
# TYPE cbec_build_info gauge
cbec_build_info{goversion="go1.26.8",revision="0123abc-modified",version="v1.2.0"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "cbec_build_info"); err != nil {
		t.Fatal(err)
	}
	// Every process's registry carries its own build, unknown revision
	// and all (a test binary records none).
	b := telemetry.ReadBuild()
	if b.GoVersion != runtime.Version() {
		t.Errorf("go version %q, want %q", b.GoVersion, runtime.Version())
	}
	n, err := testutil.GatherAndCount(telemetry.NewRegistry(), "cbec_build_info")
	if err != nil || n != 1 {
		t.Fatalf("NewRegistry has %d cbec_build_info series (%v), want 1", n, err)
	}
	problems, err := testutil.GatherAndLint(reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
}
