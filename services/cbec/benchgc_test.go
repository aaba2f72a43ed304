package main

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/cbec/cbec/services/cbec/load"
)

// TestParseGCTrace reads the lines Go 1.26 writes with GODEBUG=gctrace=1
// and refuses what is not one.
func TestParseGCTrace(t *testing.T) {
	cases := []struct {
		line  string
		at, d time.Duration
		ok    bool
	}{
		{"gc 36 @19.318s 2%: 0.28+157+0.055 ms clock, 0.56+45/79/9.1+0.11 ms cpu, 814->859->322 MB, 872 MB goal, 0 MB stacks, 0 MB globals, 2 P\n",
			19318 * time.Millisecond, 157335 * time.Microsecond, true},
		{"gc 1 @0.004s 3%: 0.010+1.2+0.003 ms clock, 0.020+0.1/0.5/0+0.006 ms cpu, 3->4->1 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P (forced)",
			4 * time.Millisecond, 1213 * time.Microsecond, true},
		{"scvg: 0 MB released", 0, 0, false},
		{"gc 2 @x.5s 1%: 1+2+3 ms clock,", 0, 0, false},
		{"gc 2 @1.5s 1%: 1+2 ms clock,", 0, 0, false},
		{"gc 2 @1.5s 1%: 1+-2+3 ms clock,", 0, 0, false},
		{"gc 2 1.5s 1%: 1+2+3 ms clock,", 0, 0, false},
		{`{"level":"ERROR","msg":"gc 1 @1s"}`, 0, 0, false},
		{"", 0, 0, false},
	}
	for _, c := range cases {
		at, d, ok := parseGCTrace(c.line)
		if ok != c.ok || at != c.at || d.Round(time.Microsecond) != c.d {
			t.Errorf("%q: %v %v %v, want %v %v %v", c.line, at, d, ok, c.at, c.d, c.ok)
		}
	}
}

// TestGCTraceWriterSplitsLines: gctrace lines are kept, whatever the
// writes cut them into; every other line reaches the rest unchanged, and
// a line without an end does not grow without bound.
func TestGCTraceWriterSplitsLines(t *testing.T) {
	var rest bytes.Buffer
	t0 := time.Date(2026, 12, 7, 15, 0, 0, 0, time.UTC)
	g := &gcTrace{start: t0, rest: &rest}
	in := "cbec: starting\ngc 1 @1.000s 1%: 0+100+0 ms clock, 0 ms cpu\ngc 2 @2.500s 1%: 1+50+1 ms clock, x\nlast words\n"
	for i := 0; i < len(in); i += 7 {
		if _, err := g.Write([]byte(in[i:min(i+7, len(in))])); err != nil {
			t.Fatal(err)
		}
	}
	if rest.String() != "cbec: starting\nlast words\n" {
		t.Fatalf("rest %q", rest.String())
	}
	want := []load.Span{
		{From: t0.Add(time.Second), To: t0.Add(1100 * time.Millisecond)},
		{From: t0.Add(2500 * time.Millisecond), To: t0.Add(2552 * time.Millisecond)},
	}
	if !slices.Equal(g.cycles, want) {
		t.Fatalf("cycles %v, want %v", g.cycles, want)
	}
	if _, err := g.Write(bytes.Repeat([]byte("x"), maxTraceLine+1)); err != nil {
		t.Fatal(err)
	}
	if len(g.line) != 0 || rest.Len() != len("cbec: starting\nlast words\n")+maxTraceLine+1 {
		t.Fatalf("an endless line: %d kept, %d passed on", len(g.line), rest.Len())
	}
}

// TestGCResult counts the cycles that began in the window, the share of
// the window a collection ran, and the slow declarations whose wait one
// overlapped.
func TestGCResult(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 15, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	g := &gcTrace{cycles: []load.Span{
		{From: at(-50), To: at(50)},    // began before the window: runs 50 ms inside
		{From: at(400), To: at(500)},   // 100 ms
		{From: at(950), To: at(1100)},  // 50 ms inside
		{From: at(1500), To: at(1600)}, // after the window
	}}
	slow := []load.Span{
		{From: at(300), To: at(420)},   // overlaps the second
		{From: at(600), To: at(900)},   // none
		{From: at(1550), To: at(1700)}, // the fourth, after sending ended
		{From: at(500), To: at(700)},   // touches the second's end
	}
	r := g.result(at(0), at(1000), slow)
	if r.Cycles != 2 || r.Slow != 4 || r.SlowInGC != 0.75 {
		t.Fatalf("%+v, want 2 cycles begun, 3 of 4 slow in a collection", r)
	}
	if r.Running < 0.1999 || r.Running > 0.2001 {
		t.Fatalf("running %v, want 0.2 (200 ms of 1 s)", r.Running)
	}
	if r := g.result(at(0), at(1000), nil); r.Slow != 0 || r.SlowInGC != 0 {
		t.Fatalf("no slow declarations: %+v", r)
	}
}

// TestWithGCTrace adds gctrace to the GODEBUG the child would have seen,
// the last one of several, and to none.
func TestWithGCTrace(t *testing.T) {
	got := withGCTrace([]string{"A=1", "GODEBUG=x=1", "B=2", "GODEBUG=y=2"})
	if !slices.Equal(got, []string{"A=1", "B=2", "GODEBUG=y=2,gctrace=1"}) {
		t.Fatalf("%q", got)
	}
	if got := withGCTrace([]string{"A=1"}); !slices.Equal(got, []string{"A=1", "GODEBUG=gctrace=1"}) {
		t.Fatalf("%q", got)
	}
}
