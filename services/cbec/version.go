package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/cbec/cbec/pkg/telemetry"
)

// RunVersion is `cbec version` (and `cbec --version`): one line with the
// module version, the VCS revision, its time and whether the checkout had
// uncommitted changes, and the Go version — what the toolchain recorded
// in the binary (telemetry.ReadBuild), the same as the cbec_build_info
// metric on /metrics.
func RunVersion(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("cbec version", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		_, _ = fmt.Fprint(fs.Output(), `usage: cbec version (or cbec --version)

Prints the module version, the VCS revision and time (", modified" when the
checkout had uncommitted changes) and the Go version the binary was built
with. A binary from "go run" or built with -buildvcs=false records no
revision and shows version (devel).
`)
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("version: unexpected arguments %v", fs.Args())
	}
	_, err := fmt.Fprintln(stdout, telemetry.ReadBuild())
	return err
}
