package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/services/cbec/load"
)

// BenchConfig is the configuration of `cbec bench`.
type BenchConfig struct {
	// Out is the JSON report's path.
	Out string
	// Sync is the store's sync policy, of the bus ceiling and of cbec.
	Sync string
	// Bus is how long the bus ceiling is measured.
	Bus time.Duration
	// Max is how long the pipeline runs at its maximum rate; Senders are
	// the concurrent senders then.
	Max     time.Duration
	Senders int
	// Rates are the fixed rates (declarations per second), each run for
	// RateFor on a fresh store.
	Rates   []float64
	RateFor time.Duration
	// Soak, when positive, runs the soak for that long at SoakRate.
	Soak     time.Duration
	SoakRate float64
	// Every is the soak's sampling interval.
	Every time.Duration
	// Batch is the most documents per request.
	Batch int
	Seed  int64
	// Extra are more arguments for the cbec under measurement.
	Extra []string
}

// ParseBenchConfig reads the flags of `cbec bench`.
func ParseBenchConfig(args []string, stderr io.Writer) (BenchConfig, error) {
	c := BenchConfig{}
	fs := flag.NewFlagSet("cbec bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var rates string
	fs.StringVar(&c.Out, "out", "bench.json", "file the JSON report is written to")
	fs.StringVar(&c.Sync, "sync", broker.DefaultSync, "sync policy of the stores measured (as cbec --sync)")
	fs.DurationVar(&c.Bus, "bus", 5*time.Second, "how long the bus ceiling is measured")
	fs.DurationVar(&c.Max, "max", 30*time.Second, "how long the pipeline runs at its maximum rate; 0 skips it")
	fs.IntVar(&c.Senders, "senders", 16, "concurrent senders at the maximum rate")
	fs.StringVar(&rates, "rates", "500,1000,1400", "fixed rates in declarations per second, comma-separated; empty skips them")
	fs.DurationVar(&c.RateFor, "rate-for", 60*time.Second, "how long each fixed rate runs")
	fs.DurationVar(&c.Soak, "duration", 0, "soak: run this long at --soak-rate, reporting memory every --sample-every, then check nothing was lost or decided twice; 0 = no soak")
	fs.Float64Var(&c.SoakRate, "soak-rate", 1400, "rate of the soak, declarations per second")
	fs.DurationVar(&c.Every, "sample-every", 30*time.Second, "how often the soak reports cbec's memory and goroutines")
	fs.IntVar(&c.Batch, "batch", 50, "documents per request, as a platform batches them (1..100)")
	fs.Int64Var(&c.Seed, "seed", 1, "seed of buyers and goods")
	var extra string
	fs.StringVar(&extra, "cbec-args", "", "more arguments for the cbec measured, space-separated (e.g. \"--services gateway,clearance\")")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	c.Extra = strings.Fields(extra)
	for _, r := range strings.Split(rates, ",") {
		if r = strings.TrimSpace(r); r == "" {
			continue
		}
		v, err := strconv.ParseFloat(r, 64)
		if err != nil || v <= 0 {
			return c, fmt.Errorf("--rates: %q is not a positive rate", r)
		}
		c.Rates = append(c.Rates, v)
	}
	switch {
	case c.Batch < 1 || c.Batch > 100:
		return c, errors.New("--batch must be 1..100")
	case c.Senders < 1:
		return c, errors.New("--senders must be positive")
	case c.Bus <= 0:
		return c, errors.New("--bus must be positive")
	case c.Soak > 0 && (c.SoakRate <= 0 || c.Every <= 0):
		return c, errors.New("--soak-rate and --sample-every must be positive")
	}
	if _, _, err := broker.ParseSync(c.Sync); err != nil {
		return c, fmt.Errorf("--%w", err)
	}
	return c, nil
}

// BenchReport is what `cbec bench` measured, as written to --out.
type BenchReport struct {
	Started  time.Time      `json:"started"`
	Machine  string         `json:"machine"`
	Sync     string         `json:"sync"`
	Bus      BusResult      `json:"bus"`
	Max      *PhaseResult   `json:"max,omitempty"`
	Rates    []*PhaseResult `json:"rates,omitempty"`
	Soak     *PhaseResult   `json:"soak,omitempty"`
	Problems []string       `json:"problems,omitempty"`
}

// PhaseResult is one run of the pipeline on a fresh store.
type PhaseResult struct {
	Name string `json:"name"`
	// Rate is the fixed rate asked for; 0 for the maximum.
	Rate    float64 `json:"rate,omitempty"`
	Seconds float64 `json:"seconds"`
	// Declarations were started; Complete had all four documents
	// accepted; Decided got their decision receipt (800, 100 or 300).
	Declarations int `json:"declarations"`
	Complete     int `json:"complete"`
	Decided      int `json:"decided"`
	// DecidedPerSecond counts the decisions that came while sending.
	DecidedPerSecond float64 `json:"decidedPerSecond"`
	// DocumentsPerSecond are the documents accepted while sending, and
	// BusRatio their share of the bus ceiling.
	DocumentsPerSecond float64 `json:"documentsPerSecond"`
	BusRatio           float64 `json:"busRatio"`
	// Latency from the 202 of a declaration's last document to its
	// decision receipt, in milliseconds.
	P50 float64 `json:"p50ms"`
	P95 float64 `json:"p95ms"`
	P99 float64 `json:"p99ms"`
	Max float64 `json:"maxms"`
	// Errors: documents rejected, requests failed; Refused: 503s waited out.
	Rejected   int64 `json:"rejected"`
	HTTPErrors int64 `json:"httpErrors"`
	Refused    int64 `json:"refused"`
	// Undecided complete declarations and declarations with two outcomes
	// when the phase ended: both must be 0.
	Undecided int `json:"undecided"`
	Double    int `json:"double"`
	// PeakRSS is cbec's largest resident set, bytes.
	PeakRSS int64 `json:"peakRss"`
	// GC sets the slow declarations beside cbec's garbage collections.
	GC *GCResult `json:"gc,omitempty"`
	// Samples are the soak's 30-second samples.
	Samples []Sample `json:"samples,omitempty"`
}

// Sample is one look at cbec during the soak.
type Sample struct {
	At         float64 `json:"atSeconds"`
	RSS        int64   `json:"rss"`
	Goroutines int     `json:"goroutines"`
	Decided    int     `json:"decided"`
}

// RunBench is `cbec bench`: the bus ceiling, the pipeline at its maximum
// rate and at fixed rates, and optionally a soak, each on a fresh store in
// a cbec process of its own, on this machine; one report as text on stdout
// and as JSON in --out.
func RunBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := ParseBenchConfig(args, stderr)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "cbec-bench-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(dir) }()
	rep := &BenchReport{Started: time.Now().UTC(), Sync: cfg.Sync,
		Machine: fmt.Sprintf("%s/%s, %d CPUs, %s", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())}
	say := func(format string, a ...any) { _, _ = fmt.Fprintf(stdout, format+"\n", a...) }
	say("cbec bench: %s, sync %s", rep.Machine, cfg.Sync)

	if rep.Bus, err = busCeiling(ctx, filepath.Join(dir, "bus"), cfg.Sync, cfg.Bus); err != nil {
		return err
	}
	say("bus ceiling: %.0f messages/s (1 KiB, async, message ids, file store)", rep.Bus.PerSecond)

	run := func(name string, rate float64, d time.Duration) (*PhaseResult, error) {
		p, err := runPhase(ctx, cfg, filepath.Join(dir, name), name, rate, d, rep.Bus.PerSecond, stdout)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		say("%s", p.line())
		if p.Undecided > 0 || p.Double > 0 {
			rep.Problems = append(rep.Problems, fmt.Sprintf("%s: %d complete declarations undecided, %d with two outcomes", name, p.Undecided, p.Double))
		}
		return p, nil
	}
	if cfg.Max > 0 {
		if rep.Max, err = run("max", 0, cfg.Max); err != nil {
			return err
		}
	}
	for _, r := range cfg.Rates {
		p, err := run(fmt.Sprintf("rate-%g", r), r, cfg.RateFor)
		if err != nil {
			return err
		}
		rep.Rates = append(rep.Rates, p)
	}
	if cfg.Soak > 0 {
		if rep.Soak, err = run("soak", cfg.SoakRate, cfg.Soak); err != nil {
			return err
		}
	}
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(cfg.Out, append(b, '\n'), 0o644); err != nil {
		return err
	}
	say("report: %s", cfg.Out)
	if len(rep.Problems) > 0 {
		return fmt.Errorf("bench: %s", strings.Join(rep.Problems, "; "))
	}
	return nil
}

// line is a phase's result on one line.
func (p *PhaseResult) line() string {
	what := "max rate"
	if p.Rate > 0 {
		what = fmt.Sprintf("%g/s", p.Rate)
	}
	if p.Name == "soak" {
		what = fmt.Sprintf("soak %g/s", p.Rate)
	}
	line := fmt.Sprintf("%-14s %6.0f decided/s, %6.0f documents/s (%.2f of the bus), latency p50 %.0f p95 %.0f p99 %.0f max %.0f ms; "+
		"%d declarations, %d decided, %d undecided, %d double; %d rejected, %d HTTP errors, %d 503; peak RSS %d MB",
		what, p.DecidedPerSecond, p.DocumentsPerSecond, p.BusRatio, p.P50, p.P95, p.P99, p.Max,
		p.Declarations, p.Decided, p.Undecided, p.Double, p.Rejected, p.HTTPErrors, p.Refused, p.PeakRSS>>20)
	if g := p.GC; g != nil {
		line += fmt.Sprintf("; GC %d cycles, running %.0f%% of the time", g.Cycles, 100*g.Running)
		if g.Slow > 0 {
			line += fmt.Sprintf(", during the wait of %.0f%% of the %d declarations ≥ %d ms", 100*g.SlowInGC, g.Slow, load.SlowLatency.Milliseconds())
		}
	}
	return line
}

// runPhase starts cbec on a fresh store in dir and sends declarations for
// d: at rate per second, or as fast as cfg.Senders can (rate 0). Then it
// waits for the decisions still due and tallies.
func runPhase(ctx context.Context, cfg BenchConfig, dir, name string, rate float64, d time.Duration, bus float64, stdout io.Writer) (*PhaseResult, error) {
	child, err := startBenchChild(ctx, dir, cfg.Sync, cfg.Extra)
	if err != nil {
		return nil, err
	}
	defer child.stop()
	drv, err := newDriver(child.httpURL, cfg.Batch, cfg.Seed)
	if err != nil {
		return nil, err
	}
	nc, err := drv.Follow(child.natsURL)
	if err != nil {
		return nil, err
	}
	defer nc.Close()

	// The declarations are built and encoded ahead, the first minute's
	// before the clock starts: the client's own cost stays (mostly) out of
	// what is measured. At the maximum rate, as many as 5,000 a second
	// could take.
	perSecond := rate
	if rate == 0 {
		perSecond = 5000
	}
	supplyCtx, stopSupply := context.WithCancel(ctx)
	defer stopSupply()
	groups, err := drv.Supply(supplyCtx, int(perSecond*d.Seconds()), int(perSecond*60))
	if err != nil {
		return nil, err
	}
	res := &PhaseResult{Name: name, Rate: rate}
	var peak peakRSS
	sampling, stopSampling := context.WithCancel(ctx)
	defer stopSampling()
	var samplers sync.WaitGroup
	samplers.Go(func() { peak.watch(sampling, child) })
	start := time.Now()
	if name == "soak" {
		samplers.Go(func() {
			t := time.NewTicker(cfg.Every)
			defer t.Stop()
			for {
				select {
				case <-sampling.Done():
					return
				case <-t.C:
					s := Sample{At: time.Since(start).Seconds(), RSS: child.rss(), Goroutines: child.goroutines(),
						Decided: drv.Tally(time.Time{}, time.Now()).Decided}
					res.Samples = append(res.Samples, s)
					_, _ = fmt.Fprintf(stdout, "  soak %4.0fs: RSS %d MB, %d goroutines, %d decided\n", s.At, s.RSS>>20, s.Goroutines, s.Decided)
				}
			}
		})
	}
	// Sending stops after d; what is in flight then may still wait out
	// 503s for a minute, and is abandoned after.
	sendCtx, stop := context.WithTimeout(ctx, d)
	flightCtx, land := context.WithTimeout(context.WithoutCancel(ctx), d+time.Minute)
	if rate > 0 {
		drv.AtRate(sendCtx, flightCtx, rate, groups)
	} else {
		drv.AtMax(sendCtx, flightCtx, cfg.Senders, groups)
	}
	stop()
	land()
	end := time.Now()
	drv.WaitDecided(ctx, 60*time.Second)
	stopSampling()
	samplers.Wait()

	t := drv.Tally(start, end)
	sent := drv.Sent()
	secs := end.Sub(start).Seconds()
	res.Seconds = secs
	res.Declarations, res.Complete, res.Decided, res.Undecided, res.Double = t.Declarations, t.Complete, t.Decided, t.Undecided, t.Double
	res.DecidedPerSecond = float64(t.DecidedIn) / secs
	res.DocumentsPerSecond = float64(sent.Accepted) / secs
	if bus > 0 {
		res.BusRatio = res.DocumentsPerSecond / bus
	}
	res.P50, res.P95, res.P99, res.Max = t.Latency(0.50), t.Latency(0.95), t.Latency(0.99), t.Latency(1)
	res.Rejected, res.HTTPErrors, res.Refused = sent.Rejected, sent.HTTPErrors, sent.Refused
	res.PeakRSS = peak.max()
	res.GC = child.gc.result(start, end, t.Slow)
	return res, nil
}

// newDriver makes the load of a phase: the generator's plain imports,
// from the buyers of seed, sent to the cbec at base with the demo keys in
// requests of batch documents.
func newDriver(base string, batch int, seed int64) (*load.Driver, error) {
	cfg := load.Defaults()
	cfg.URL, cfg.Seed = base, seed
	refs, err := loadRefs()
	if err != nil {
		return nil, err
	}
	g, err := load.New(cfg, refs, io.Discard)
	if err != nil {
		return nil, err
	}
	return load.NewDriver(g, batch), nil
}

// peakRSS follows a child's largest resident set.
type peakRSS struct {
	mu   sync.Mutex
	peak int64
}

func (p *peakRSS) watch(ctx context.Context, c *benchChild) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		if r := c.rss(); r > 0 {
			p.mu.Lock()
			p.peak = max(p.peak, r)
			p.mu.Unlock()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (p *peakRSS) max() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.peak
}
