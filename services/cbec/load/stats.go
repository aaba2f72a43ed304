package load

import (
	"fmt"
	"time"
)

// Stats counts what a run did. Documents are counted by their intake
// result; decisions only for the declarations the generator follows (every
// near-limit, inconsistent and return candidate, and a sample of the
// others).
type Stats struct {
	Imports, Exports              int64
	Accepted, Rejected            int64 // documents, by intake result
	HTTPErrors                    int64 // failed requests: transport errors and answers other than 202 and 400
	Released, Reviewed, Refused   int64 // followed imports decided 800, 300 (or 500), 100
	ExportsClosed, ExportsRefused int64
	ReturnsAccepted               int64
	ReturnsRejected               int64 // refused applications and returns with nothing resaleable
	Skipped                       int64 // follow-ups not started: too many in flight
	Elapsed                       time.Duration
	// Decided are the imports decided (800, 100 or 300) of those whose
	// four documents were accepted, counted at their CEB622 receipts, as
	// `cbec bench` counts them; P50, P95 and P99 are milliseconds from the
	// 202 of a declaration's last document to its decision.
	Decided       int64
	P50, P95, P99 float64
	// Samples holds up to sampleMax order numbers per outcome: "800",
	// "300", "100" (followed imports), "export-closed", "returned".
	Samples map[string][]string
}

// DecidedRate is the imports decided per second.
func (s Stats) DecidedRate() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Decided) / s.Elapsed.Seconds()
}

// Rate is the declarations per second achieved.
func (s Stats) Rate() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Imports+s.Exports) / s.Elapsed.Seconds()
}

// Summary is s on one line, as `cbec load` prints it: prefix says where
// the run is ("running", "draining", "done").
func (s Stats) Summary(prefix string) string {
	return fmt.Sprintf("load %s %s: sent %d declarations (%d import, %d export), documents accepted %d rejected %d, "+
		"HTTP errors %d, %.1f decl/s; imports decided %d (%.1f/s), latency p50 %.0f p95 %.0f p99 %.0f ms; "+
		"followed imports 800 %d, 300 %d, 100 %d; exports closed %d refused %d; returns accepted %d rejected %d",
		prefix, s.Elapsed.Round(time.Second), s.Imports+s.Exports, s.Imports, s.Exports, s.Accepted, s.Rejected,
		s.HTTPErrors, s.Rate(), s.Decided, s.DecidedRate(), s.P50, s.P95, s.P99, s.Released, s.Reviewed, s.Refused,
		s.ExportsClosed, s.ExportsRefused, s.ReturnsAccepted, s.ReturnsRejected)
}

// Stats returns the counts so far.
func (g *Generator) Stats() Stats {
	end := time.Now()
	if ns := g.stopped.Load(); ns != 0 {
		end = time.Unix(0, ns)
	}
	s := Stats{
		Imports: g.imports.Load(), Exports: g.exports.Load(),
		Accepted: g.accepted.Load(), Rejected: g.rejected.Load(), HTTPErrors: g.httpErrors.Load(),
		Released: g.released.Load(), Reviewed: g.reviewed.Load(), Refused: g.refused.Load(),
		ExportsClosed: g.closed.Load(), ExportsRefused: g.exportsRefused.Load(),
		ReturnsAccepted: g.returnsAccepted.Load(), ReturnsRejected: g.returnsRejected.Load(),
		Skipped: g.skipped.Load(), Elapsed: end.Sub(g.start), Samples: map[string][]string{},
	}
	g.mu.Lock()
	for k, v := range g.samples {
		s.Samples[k] = append([]string(nil), v...)
	}
	g.mu.Unlock()
	t := g.book.count(time.Time{}, time.Now())
	s.Decided = int64(t.Decided)
	s.P50, s.P95, s.P99 = t.Latency(0.50), t.Latency(0.95), t.Latency(0.99)
	return s
}
