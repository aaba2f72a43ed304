package telemetry

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
)

// Devel is the version of a binary nothing stamped a version into: `go run`
// or `go build` with -buildvcs=false or outside a checkout.
const Devel = "(devel)"

// Build is what a binary knows of its own build, from the build information
// the Go toolchain writes into it (runtime/debug.ReadBuildInfo). It is the
// same for `cbec --version` and the cbec_build_info metric.
type Build struct {
	// Version is the main module's version: the tag for `go install
	// module@v1.2.3`, a pseudo-version for `go build` in a git checkout
	// (with "+dirty" when it had uncommitted changes), else Devel.
	Version string
	// Revision, Time and Modified are the commit the binary was built
	// from, its time (RFC 3339) and whether the checkout had uncommitted
	// changes; empty when the build recorded no VCS information (`go run`,
	// -buildvcs=false, `go install module@version`).
	Revision string
	Time     string
	Modified bool
	// GoVersion is the toolchain that built the binary (go1.26.8).
	GoVersion string
}

// ReadBuild returns the running binary's build information.
func ReadBuild() Build {
	bi, ok := debug.ReadBuildInfo()
	return BuildOf(bi, ok)
}

// BuildOf reads bi, which debug.ReadBuildInfo returned with ok. A binary
// built without module support (ok false) still knows its Go version.
func BuildOf(bi *debug.BuildInfo, ok bool) Build {
	b := Build{Version: Devel, GoVersion: runtime.Version()}
	if !ok || bi == nil {
		return b
	}
	if bi.GoVersion != "" {
		b.GoVersion = bi.GoVersion
	}
	if v := bi.Main.Version; v != "" {
		b.Version = v
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Revision = s.Value
		case "vcs.time":
			b.Time = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
}

// String is the version line of `cbec --version`:
//
//	cbec v0.0.0-20260102030405-0123456789ab+dirty (revision 0123456789abcdef…, 2026-01-02T03:04:05Z, modified) go1.26.8 linux/amd64
//	cbec (devel) (no VCS revision recorded) go1.26.8 linux/amd64
func (b Build) String() string {
	var s strings.Builder
	fmt.Fprintf(&s, "cbec %s ", b.Version)
	if b.Revision == "" {
		// Say why, so that whoever reads a bug report knows to ask for a
		// build from a checkout rather than guess the commit.
		s.WriteString("(no VCS revision recorded: go run, -buildvcs=false or a module download)")
	} else {
		fmt.Fprintf(&s, "(revision %s", b.Revision)
		if b.Time != "" {
			fmt.Fprintf(&s, ", %s", b.Time)
		}
		if b.Modified {
			s.WriteString(", modified")
		}
		s.WriteString(")")
	}
	fmt.Fprintf(&s, " %s %s/%s", b.GoVersion, runtime.GOOS, runtime.GOARCH)
	return s.String()
}

// Collector is the cbec_build_info gauge of b: always 1, the build in its
// labels, so that a dashboard or alert can tell which build each process
// runs (and join it to other series by instance).
func (b Build) Collector() prometheus.Collector {
	revision := b.Revision
	if revision == "" {
		revision = "unknown"
	}
	if b.Modified {
		revision += "-modified"
	}
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "cbec_build_info",
		Help:        "The build of this process (always 1): module version, VCS revision (-modified when built from uncommitted changes) and Go version.",
		ConstLabels: prometheus.Labels{"version": b.Version, "revision": revision, "goversion": b.GoVersion},
	})
	g.Set(1)
	return g
}
