package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Result is what the package's tests made of a mutant.
type Result string

// The results. A mutant that times out counts as killed: the tests noticed
// that something is wrong (an endless loop), as gremlins and PIT count it.
const (
	Killed     Result = "KILLED"
	TimedOut   Result = "TIMED OUT"
	Survived   Result = "SURVIVED"
	NotCovered Result = "NOT COVERED"
	NotViable  Result = "NOT VIABLE"
	Equivalent Result = "EQUIVALENT"
)

// Runner runs one package's tests against its mutants. Each mutant reaches
// the compiler through the go command's -overlay, so the files in the work
// tree are never written: other people's builds in the same checkout, and
// an interrupted run, are never left with a mutant in place.
type Runner struct {
	// Dir is where the go command runs (the module root or below).
	Dir string
	// Pkg is the package's import path.
	Pkg string
	// Timeout bounds one mutant's `go test`, build included.
	Timeout time.Duration
	// Tmp holds the mutated files and overlay descriptions.
	Tmp string
}

// Baseline runs the unmutated tests once with a coverage profile. It fails
// when they fail (a mutation score of a red package means nothing) and
// returns how long they took and which source positions they executed.
func (r *Runner) Baseline(ctx context.Context) (time.Duration, *Coverage, error) {
	prof := filepath.Join(r.Tmp, "cover.out")
	start := time.Now()
	out, err := r.goTest(ctx, "-covermode=set", "-coverprofile="+prof)
	took := time.Since(start)
	if err != nil {
		return 0, nil, fmt.Errorf("the tests of %s fail without any mutant: %w\n%s", r.Pkg, err, out)
	}
	cov, err := ReadCoverage(prof)
	return took, cov, err
}

// Run tests one mutant; worker names the mutant's files, so that parallel
// workers never share one.
func (r *Runner) Run(ctx context.Context, m Mutant, src []byte, worker int) (Result, error) {
	mutated := filepath.Join(r.Tmp, fmt.Sprintf("mutant%d_%s", worker, filepath.Base(m.File)))
	if err := os.WriteFile(mutated, m.Apply(src), 0o600); err != nil {
		return "", err
	}
	overlay := filepath.Join(r.Tmp, fmt.Sprintf("overlay%d.json", worker))
	b, err := json.Marshal(map[string]map[string]string{"Replace": {m.File: mutated}})
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(overlay, b, 0o600); err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, r.Timeout)
	defer cancel()
	out, err := r.goTest(ctx, "-failfast", "-overlay="+overlay, "-timeout="+r.Timeout.String())
	switch {
	case err == nil:
		return Survived, nil
	case ctx.Err() != nil || bytes.Contains(out, []byte("panic: test timed out")):
		if errors.Is(ctx.Err(), context.Canceled) {
			return "", ctx.Err()
		}
		return TimedOut, nil
	case bytes.Contains(out, []byte("[build failed]")) || bytes.Contains(out, []byte("[setup failed]")):
		return NotViable, nil
	}
	return Killed, nil
}

// goTest runs the package's tests once, without vet (the tests judge, not
// the linters), in a process group of its own so that a timeout ends the
// test binary too.
func (r *Runner) goTest(ctx context.Context, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "go", append([]string{"test", "-count=1", "-vet=off"}, append(args, r.Pkg)...)...)
	cmd.Dir = r.Dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	return cmd.CombinedOutput()
}

// Coverage is the set of statement blocks a test run executed, per file
// name (the base name: one package's files share a directory).
type Coverage struct {
	blocks map[string][]block
}

type block struct {
	startLine, startCol, endLine, endCol int
	hit                                  bool
}

// ReadCoverage parses a profile written by go test -coverprofile.
func ReadCoverage(path string) (*Coverage, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }() // read only: nothing to flush
	c := &Coverage{blocks: map[string][]block{}}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "mode:") || line == "" {
			continue
		}
		// name.go:12.34,15.2 3 1
		colon := strings.LastIndex(line, ":")
		fields := strings.Fields(line[colon+1:])
		if colon < 0 || len(fields) != 3 {
			return nil, fmt.Errorf("coverage profile: bad line %q", line)
		}
		var b block
		if _, err := fmt.Sscanf(fields[0], "%d.%d,%d.%d", &b.startLine, &b.startCol, &b.endLine, &b.endCol); err != nil {
			return nil, fmt.Errorf("coverage profile: bad line %q: %w", line, err)
		}
		n, err := strconv.Atoi(fields[2])
		if err != nil {
			return nil, fmt.Errorf("coverage profile: bad line %q: %w", line, err)
		}
		b.hit = n > 0
		name := filepath.Base(line[:colon])
		c.blocks[name] = append(c.blocks[name], b)
	}
	return c, sc.Err()
}

// Covered reports whether the tests executed the statement at line:col of
// file. A position in no block (a package-level declaration) counts as
// covered: only running the tests can tell.
func (c *Coverage) Covered(file string, line, col int) bool {
	in := false
	for _, b := range c.blocks[filepath.Base(file)] {
		after := line > b.startLine || line == b.startLine && col >= b.startCol
		before := line < b.endLine || line == b.endLine && col <= b.endCol
		if after && before {
			if b.hit {
				return true
			}
			in = true
		}
	}
	return !in
}
