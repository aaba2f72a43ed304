package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBenchRunsEveryPhase runs `cbec bench` briefly, every phase on a cbec
// process of its own (this test binary as cbec): the bus ceiling, the
// maximum rate, a fixed rate and a soak, and checks the report says what
// happened — every complete declaration decided once, latencies measured.
func TestBenchRunsEveryPhase(t *testing.T) {
	if testing.Short() {
		t.Skip("starts four cbec processes (-short)")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	defer func(prev func([]string) (*exec.Cmd, error)) { benchCommand = prev }(benchCommand)
	benchCommand = func(args []string) (*exec.Cmd, error) {
		cmd := exec.Command(exe)
		// GOGC 25: the child collects often enough for every phase, brief
		// as it is here, to see its collections in the report.
		cmd.Env = append(os.Environ(), childArgs+"="+strings.Join(args, "\x1f"), "GOGC=25")
		return cmd, nil
	}
	out := filepath.Join(t.TempDir(), "bench.json")
	var stdout bytes.Buffer
	err = RunBench(context.Background(), []string{"--out", out, "--bus", "300ms", "--max", "2s", "--senders", "4", "--batch", "20",
		"--rates", "100", "--rate-for", "2s", "--duration", "3s", "--soak-rate", "100", "--sample-every", "1s"}, &stdout, os.Stderr)
	if err != nil {
		t.Fatalf("%v\n%s", err, stdout.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var rep BenchReport
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Bus.PerSecond <= 0 || rep.Max == nil || rep.Max.Decided == 0 || rep.Max.DocumentsPerSecond <= 0 || rep.Max.BusRatio <= 0 {
		t.Fatalf("bus %+v, max %+v", rep.Bus, rep.Max)
	}
	phases := append([]*PhaseResult{rep.Max, rep.Soak}, rep.Rates...)
	for _, p := range phases {
		if p == nil {
			t.Fatalf("a phase is missing: %s", b)
		}
		if p.Complete == 0 || p.Decided != p.Complete || p.Undecided != 0 || p.Double != 0 || p.P99 <= 0 || p.P50 > p.P99 || p.PeakRSS <= 0 {
			t.Fatalf("%s: %+v", p.Name, p)
		}
		// The child's gctrace lines were read, not left in its stderr.
		if g := p.GC; g == nil || g.Cycles == 0 || g.Running <= 0 || g.Running >= 1 || g.SlowInGC < 0 || g.SlowInGC > 1 {
			t.Fatalf("%s: GC %+v", p.Name, p.GC)
		}
	}
	if r := rep.Rates[0]; r.Rate != 100 || r.Declarations != 200 {
		t.Fatalf("rate phase: %+v, want 200 declarations at 100/s", r)
	}
	if len(rep.Soak.Samples) < 2 || rep.Soak.Samples[0].RSS <= 0 || rep.Soak.Samples[0].Goroutines <= 0 {
		t.Fatalf("soak samples %+v", rep.Soak.Samples)
	}
	for _, want := range []string{"bus ceiling:", "max rate", "100/s", "soak 100/s", "GC ", "report: " + out} {
		if !strings.Contains(stdout.String(), want) {
			t.Fatalf("the text report lacks %q:\n%s", want, stdout.String())
		}
	}
}
