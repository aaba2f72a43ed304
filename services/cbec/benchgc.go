package main

import (
	"bytes"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cbec/cbec/services/cbec/load"
)

// GCResult sets a phase's slow declarations beside the garbage collections
// of the cbec measured. The fifth session's profile left the latency tail
// at 1,400 declarations/s unexplained; the seventh found it here: nearly
// every declaration that waited 100 ms or more waited while a collection
// ran (docs/performance.md#what-the-tail-is).
type GCResult struct {
	// Cycles are the collections that began while the phase was sending.
	Cycles int `json:"cycles"`
	// Running is the share of the sending time during which a collection
	// ran, from its start to the end of its mark.
	Running float64 `json:"running"`
	// Slow counts the complete declarations that waited load.SlowLatency or
	// more for their decision; SlowInGC is the share of them during whose
	// wait a collection ran.
	Slow     int     `json:"slow"`
	SlowInGC float64 `json:"slowInGc"`
}

// gcTrace reads what a cbec under measurement writes to its standard
// error, run with GODEBUG=gctrace=1: it keeps when each garbage collection
// ran and passes every other line on to rest.
type gcTrace struct {
	// start is when the process was started; gctrace counts its times
	// from the runtime's start, a few milliseconds later, which is well
	// within the marks of tens of milliseconds it is used to place.
	start time.Time
	rest  io.Writer

	mu     sync.Mutex
	line   []byte      // the part of a line not yet ended
	cycles []load.Span // each collection, from its start to its mark's end
}

// maxTraceLine bounds the part of a line kept while waiting for its end.
const maxTraceLine = 64 << 10

func (g *gcTrace) Write(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.line = append(g.line, p...)
	for {
		i := bytes.IndexByte(g.line, '\n')
		if i < 0 {
			break
		}
		g.take(g.line[:i+1])
		g.line = g.line[i+1:]
	}
	if len(g.line) > maxTraceLine {
		g.take(g.line)
		g.line = nil
	}
	// Keep what is left in a buffer of its own, not in the tail of a
	// large one.
	g.line = append([]byte(nil), g.line...)
	return len(p), nil
}

// take keeps a gctrace line and passes any other on. The caller holds mu.
func (g *gcTrace) take(line []byte) {
	if at, d, ok := parseGCTrace(string(line)); ok {
		from := g.start.Add(at)
		g.cycles = append(g.cycles, load.Span{From: from, To: from.Add(d)})
		return
	}
	_, _ = g.rest.Write(line)
}

// parseGCTrace reads one line of GODEBUG=gctrace=1, such as
//
//	gc 36 @19.318s 2%: 0.28+157+0.055 ms clock, 0.56+45/79/9.1+0.11 ms cpu, 814->859->322 MB, 872 MB goal, 0 MB stacks, 0 MB globals, 2 P
//
// into when the collection began (since the runtime's start) and how long
// it ran to the end of its mark termination: the three wall-clock phases,
// of which the middle one is the concurrent mark.
func parseGCTrace(line string) (at, d time.Duration, ok bool) {
	f := strings.Fields(line)
	if len(f) < 7 || f[0] != "gc" || f[5] != "ms" || f[6] != "clock," {
		return 0, 0, false
	}
	secs, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimPrefix(f[2], "@"), "s"), 64)
	if err != nil || !strings.HasPrefix(f[2], "@") {
		return 0, 0, false
	}
	var ms float64
	phases := strings.Split(f[4], "+")
	if len(phases) != 3 {
		return 0, 0, false
	}
	for _, p := range phases {
		v, err := strconv.ParseFloat(p, 64)
		if err != nil || v < 0 {
			return 0, 0, false
		}
		ms += v
	}
	return time.Duration(secs * float64(time.Second)), time.Duration(ms * float64(time.Millisecond)), true
}

// result relates the collections to a phase that sent from from to to and
// to its slow declarations.
func (g *gcTrace) result(from, to time.Time, slow []load.Span) *GCResult {
	g.mu.Lock()
	cycles := append([]load.Span(nil), g.cycles...)
	g.mu.Unlock()
	r := &GCResult{Slow: len(slow)}
	var running time.Duration
	for _, c := range cycles {
		if !c.From.Before(from) && c.From.Before(to) {
			r.Cycles++
		}
		running += overlap(c, load.Span{From: from, To: to})
	}
	if d := to.Sub(from); d > 0 {
		r.Running = float64(running) / float64(d)
	}
	in := 0
	for _, s := range slow {
		for _, c := range cycles {
			if !c.From.After(s.To) && !c.To.Before(s.From) {
				in++
				break
			}
		}
	}
	if len(slow) > 0 {
		r.SlowInGC = float64(in) / float64(len(slow))
	}
	return r
}

// overlap is how long two spans share.
func overlap(a, b load.Span) time.Duration {
	from, to := a.From, a.To
	if b.From.After(from) {
		from = b.From
	}
	if b.To.Before(to) {
		to = b.To
	}
	return max(0, to.Sub(from))
}

// withGCTrace is env with gctrace=1 added to GODEBUG (after any setting
// env already has, the last of which the process would see).
func withGCTrace(env []string) []string {
	debug := ""
	out := make([]string, 0, len(env)+1)
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "GODEBUG="); ok {
			debug = v
			continue
		}
		out = append(out, kv)
	}
	if debug != "" {
		debug += ","
	}
	return append(out, "GODEBUG="+debug+"gctrace=1")
}

// childEnv is the environment of a cbec under measurement: the bench's, or
// what its command set, with the collector traced.
func childEnv(cmdEnv []string) []string {
	if cmdEnv == nil {
		cmdEnv = os.Environ()
	}
	return withGCTrace(cmdEnv)
}
