package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shopspring/decimal"
	"golang.org/x/time/rate"

	"github.com/cbec/cbec/deploy"
	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/ceb/cebtest"
	"github.com/cbec/cbec/pkg/tariff"
)

// LoadKeys are the API keys the generator submits with, one per role. The
// defaults are the demo keys of deploy/parties.yaml for the Chongqing codes
// 1500000001…5 that pkg/ceb/cebtest uses, and the return-center warehouse of
// their zone.
type LoadKeys struct {
	EBP, Pay, Logistics, Agent, Warehouse string
}

// LoadConfig is the configuration of `cbec load`.
type LoadConfig struct {
	// URL is the base URL of the system under load; nothing else is ever
	// contacted.
	URL string
	// Rate is the declarations (import and export) started per second.
	Rate float64
	// Duration is how long declarations are started; 0 runs until ctx ends.
	Duration time.Duration
	// Seed makes the run reproducible: buyers, goods, shares and orders.
	Seed int64
	// Batch is the most documents per request.
	Batch int
	// Buyers is the size of the buyer population.
	Buyers int
	// Keys are the API keys per role; Warehouse the registry code of the
	// return-center warehouse that receives the returned parcels.
	Keys      LoadKeys
	Warehouse string
	// ExportShare, NearLimitShare and InconsistentShare are fractions of
	// all declarations: exports, imports sized within 5 % under the single
	// limit (risk rule R001: review), and imports with one value wrong on
	// purpose (rejected 100). ReturnShare is the fraction of the other
	// imports that the buyer returns once released.
	ExportShare, NearLimitShare, InconsistentShare, ReturnShare float64
	// Drain is how long the follow-ups (export arrivals and departures,
	// returns, decision polls) may still run once the last declaration has
	// been sent.
	Drain time.Duration
	// Report is the interval of the one-line summaries.
	Report time.Duration
}

// ParseLoadConfig reads the flags of `cbec load`.
func ParseLoadConfig(args []string, stderr io.Writer) (LoadConfig, error) {
	var c LoadConfig
	fs := flag.NewFlagSet("cbec load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.URL, "url", "http://127.0.0.1:8080", "base URL of the cbec HTTP API; the only address contacted")
	fs.Float64Var(&c.Rate, "rate", 20, "declarations (import and export) per second")
	fs.DurationVar(&c.Duration, "duration", 60*time.Second, "how long to send declarations; 0 = until interrupted")
	fs.Int64Var(&c.Seed, "seed", 1, "seed of buyers, goods and shares (the same seed gives the same traffic)")
	fs.IntVar(&c.Batch, "batch", 10, "documents per request (1..100)")
	fs.IntVar(&c.Buyers, "buyers", 100000, "number of distinct buyers")
	fs.StringVar(&c.Keys.EBP, "ebp-key", "demo-ebp", "API key of the platform 1500000001 (orders)")
	fs.StringVar(&c.Keys.Pay, "pay-key", "demo-pay", "API key of the payment company 1500000003 (payments, receipts of payment)")
	fs.StringVar(&c.Keys.Logistics, "logistics-key", "demo-logistics-cq", "API key of the logistics company 1500000004 (waybills, arrivals, departures)")
	fs.StringVar(&c.Keys.Agent, "agent-key", "demo-agent", "API key of the declaring agent 1500000005 (inventory lists, returns)")
	fs.StringVar(&c.Keys.Warehouse, "warehouse-key", "demo-warehouse", "API key of the return-center warehouse operator")
	fs.StringVar(&c.Warehouse, "warehouse", "CQ-XY-RC01", "registry code of the return-center warehouse of the lists' zone")
	fs.Float64Var(&c.ExportShare, "export-share", 0.20, "share of declarations that are 9610 exports")
	fs.Float64Var(&c.NearLimitShare, "near-limit-share", 0.05, "share of declarations near the 5,000 CNY single limit (held for review)")
	fs.Float64Var(&c.InconsistentShare, "inconsistent-share", 0.02, "share of declarations inconsistent on purpose (rejected)")
	fs.Float64Var(&c.ReturnShare, "return-share", 0.03, "share of the other imports returned once released")
	fs.DurationVar(&c.Drain, "drain", 60*time.Second, "how long follow-ups (arrivals, departures, returns) may run after the last declaration")
	c.Report = 10 * time.Second
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	return c, c.Validate()
}

// Validate checks the configuration before anything is sent.
func (c LoadConfig) Validate() error {
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("--url %q: want http(s)://host[:port]", c.URL)
	}
	switch {
	case c.Rate <= 0:
		return errors.New("--rate must be positive")
	case c.Duration < 0:
		return errors.New("--duration must not be negative")
	case c.Batch < 1 || c.Batch > 100:
		return errors.New("--batch must be 1..100")
	case c.Buyers < 1:
		return errors.New("--buyers must be positive")
	case c.Drain < 0:
		return errors.New("--drain must not be negative")
	}
	for name, s := range map[string]float64{"export-share": c.ExportShare, "near-limit-share": c.NearLimitShare,
		"inconsistent-share": c.InconsistentShare, "return-share": c.ReturnShare} {
		if s < 0 || s > 1 {
			return fmt.Errorf("--%s must be within 0..1", name)
		}
	}
	if c.ExportShare+c.NearLimitShare+c.InconsistentShare > 1 {
		return errors.New("--export-share + --near-limit-share + --inconsistent-share must not exceed 1")
	}
	return nil
}

// RunLoad is `cbec load`: it parses args, generates traffic until the
// duration is over or ctx ends, and prints a summary every 10 s and at the
// end.
func RunLoad(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := ParseLoadConfig(args, stderr)
	if err != nil {
		return err
	}
	g, err := NewLoad(cfg, stdout)
	if err != nil {
		return err
	}
	_, err = g.Run(ctx)
	return err
}

// LoadStats counts what a run did. Documents are counted by their intake
// result; decisions only for the declarations the generator follows (every
// near-limit, inconsistent and return candidate, and a sample of the
// others).
type LoadStats struct {
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
func (s LoadStats) DecidedRate() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Decided) / s.Elapsed.Seconds()
}

// Rate is the declarations per second achieved.
func (s LoadStats) Rate() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Imports+s.Exports) / s.Elapsed.Seconds()
}

const (
	sampleMax    = 20
	maxFollowers = 512
	followShare  = 0.05 // of plain imports, followed to their decision
	pollEvery    = 250 * time.Millisecond
	decideWithin = 60 * time.Second
)

// Load is the traffic generator. Build it with NewLoad; Run it once.
type Load struct {
	cfg    LoadConfig
	out    io.Writer
	base   string
	client *http.Client
	rnd    *rand.Rand // the sending loop's only
	goods  []goods
	expens []int // indexes of goods fit for a near-limit declaration
	runID  string
	seq    int

	imports, exports, accepted, rejected, httpErrors    atomic.Int64
	released, reviewed, refused, closed, exportsRefused atomic.Int64
	returnsAccepted, returnsRejected, skipped           atomic.Int64

	mu      sync.Mutex
	samples map[string][]string

	// book follows every import from its documents' 202s to its decision.
	book      *decisions
	sem       chan struct{}
	followers sync.WaitGroup
	start     time.Time
	stopped   atomic.Int64 // UnixNano when sending ended; 0 while running
}

// NewLoad returns a generator for cfg that prints its summaries to out. The
// goods are the embedded tariff's lines valid for 1210 today.
func NewLoad(cfg LoadConfig, out io.Writer) (*Load, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	tb, err := tariff.Load(bytes.NewReader(deploy.Tariff))
	if err != nil {
		return nil, err
	}
	g := &Load{
		cfg:  cfg,
		out:  out,
		base: strings.TrimSuffix(cfg.URL, "/"),
		client: &http.Client{
			Timeout:   30 * time.Second,
			Transport: &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: 90 * time.Second},
			// Never follow a redirect: the generator talks to cfg.URL only.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		rnd:     rand.New(rand.NewPCG(uint64(cfg.Seed), 0x636265632d6c6f61)),
		samples: map[string][]string{},
		sem:     make(chan struct{}, maxFollowers),
		book:    newDecisions(),
		runID:   strconv.FormatInt(time.Now().Unix(), 36),
	}
	g.goods = catalogue(tb, time.Now())
	if len(g.goods) == 0 {
		return nil, errors.New("load: no tariff line is valid for 1210 today")
	}
	for n, gd := range g.goods {
		if gd.price.GreaterThanOrEqual(decimal.NewFromInt(150)) && !gd.limited {
			g.expens = append(g.expens, n)
		}
	}
	return g, nil
}

// Stats returns the counts so far.
func (g *Load) Stats() LoadStats {
	end := time.Now()
	if ns := g.stopped.Load(); ns != 0 {
		end = time.Unix(0, ns)
	}
	s := LoadStats{
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
	s.Decided = int64(t.decided)
	s.P50, s.P95, s.P99 = percentile(t.latencies, 0.50), percentile(t.latencies, 0.95), percentile(t.latencies, 0.99)
	return s
}

// watchDecisions reads the agent's CEB622 receipts page after page until
// stop closes (and once more then), recording the imports' decisions.
func (g *Load) watchDecisions(ctx context.Context, stop <-chan struct{}) {
	var after uint64
	read := func() {
		for {
			var page struct {
				Receipts []struct {
					// Time is when cbec stored the receipt: the decision's
					// time, not the poll's (on another machine, give or take
					// the clocks' difference).
					Time    time.Time `json:"time"`
					Receipt struct {
						GUID         string `json:"guid"`
						ReturnStatus string `json:"returnStatus"`
					} `json:"receipt"`
				} `json:"receipts"`
				Next uint64 `json:"next"`
			}
			path := "/v1/receipts?msgType=CEB622&limit=500&after=" + strconv.FormatUint(after, 10)
			if !g.getJSON(ctx, path, g.cfg.Keys.Agent, &page) || len(page.Receipts) == 0 {
				return
			}
			for _, r := range page.Receipts {
				at := r.Time
				if at.IsZero() {
					at = time.Now()
				}
				g.book.receipt(r.Receipt.GUID, r.Receipt.ReturnStatus, at)
			}
			after = page.Next
		}
	}
	t := time.NewTicker(pollEvery)
	defer t.Stop()
	for {
		select {
		case <-stop:
			read()
			return
		case <-ctx.Done():
			return
		case <-t.C:
			read()
		}
	}
}

func (g *Load) sample(kind, orderNo string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.samples[kind]) < sampleMax {
		g.samples[kind] = append(g.samples[kind], orderNo)
	}
}

// summary is the one-line report of s.
func summary(prefix string, s LoadStats) string {
	return fmt.Sprintf("load %s %s: sent %d declarations (%d import, %d export), documents accepted %d rejected %d, "+
		"HTTP errors %d, %.1f decl/s; imports decided %d (%.1f/s), latency p50 %.0f p95 %.0f p99 %.0f ms; "+
		"followed imports 800 %d, 300 %d, 100 %d; exports closed %d refused %d; returns accepted %d rejected %d",
		prefix, s.Elapsed.Round(time.Second), s.Imports+s.Exports, s.Imports, s.Exports, s.Accepted, s.Rejected,
		s.HTTPErrors, s.Rate(), s.Decided, s.DecidedRate(), s.P50, s.P95, s.P99, s.Released, s.Reviewed, s.Refused,
		s.ExportsClosed, s.ExportsRefused, s.ReturnsAccepted, s.ReturnsRejected)
}

// Run sends declarations at the configured rate until the duration is over
// or ctx ends, then lets the follow-ups finish (at most Drain, or until ctx
// ends) and returns the counts. It prints a summary every Report interval
// and a final one.
func (g *Load) Run(ctx context.Context) (LoadStats, error) {
	g.start = time.Now()
	sendCtx := ctx
	if g.cfg.Duration > 0 {
		var cancel context.CancelFunc
		sendCtx, cancel = context.WithTimeout(ctx, g.cfg.Duration)
		defer cancel()
	}
	followCtx, stopFollowers := context.WithCancel(ctx)
	defer stopFollowers()
	watchStop, watched := make(chan struct{}), make(chan struct{})
	go func() { defer close(watched); g.watchDecisions(ctx, watchStop) }()

	reportDone := make(chan struct{})
	reporterStopped := make(chan struct{})
	go func() {
		defer close(reporterStopped)
		if g.cfg.Report <= 0 {
			return
		}
		t := time.NewTicker(g.cfg.Report)
		defer t.Stop()
		for {
			select {
			case <-reportDone:
				return
			case <-t.C:
				state := "running"
				if g.stopped.Load() != 0 {
					state = "draining" // sending is over; follow-ups still run
				}
				_, _ = fmt.Fprintln(g.out, summary(state, g.Stats()))
			}
		}
	}()

	// step is the declarations started at once: up to a batch, but at
	// least two steps a second so that slow rates do not hold documents.
	step := min(g.cfg.Batch, max(1, int(g.cfg.Rate/2)))
	lim := rate.NewLimiter(rate.Limit(g.cfg.Rate), step)
	lim.AllowN(g.start, step) // start with an empty bucket: no burst above the rate
	// A step once begun is sent whole, even when interrupted: a declaration
	// never loses a document half-way (each request still times out).
	stepCtx := context.WithoutCancel(ctx)
	var c conveyor
	for sendCtx.Err() == nil {
		if err := lim.WaitN(sendCtx, step); err != nil {
			break // the duration is over (or would be before the tokens come), or ctx ended
		}
		for range step {
			g.declare(followCtx, &c)
		}
		g.send(stepCtx, c.next())
	}
	// Send what is still on the conveyor, even when interrupted, so that no
	// declaration is left waiting for a document that never comes.
	flushCtx, cancelFlush := context.WithTimeout(stepCtx, 30*time.Second)
	for !c.empty() {
		g.send(flushCtx, c.next())
	}
	cancelFlush()
	g.stopped.Store(time.Now().UnixNano())

	done := make(chan struct{})
	go func() { g.followers.Wait(); close(done) }()
	drain := time.NewTimer(g.cfg.Drain)
	select {
	case <-done:
	case <-drain.C:
	case <-ctx.Done():
	}
	drain.Stop()
	stopFollowers()
	<-done
	close(watchStop)
	<-watched
	close(reportDone)
	<-reporterStopped
	s := g.Stats()
	_, _ = fmt.Fprintln(g.out, summary("done", s))
	if s.Imports+s.Exports > 0 && s.Accepted == 0 {
		return s, fmt.Errorf("load: no document accepted (%d HTTP errors); is cbec running at %s with these keys?", s.HTTPErrors, g.cfg.URL)
	}
	return s, nil
}

// submission is one document to send: its path, the key to send it with,
// and what to start once it was sent.
type submission struct {
	path, key string
	doc       any
	after     func()
	// list is the guid of the import list whose declaration the document
	// belongs to ("" for others): its 202 counts toward the declaration.
	list string
}

// conveyor holds the documents of recent declarations by the step they go
// out in: each declaration's documents go out over four consecutive steps
// in an order of their own, while every request still carries up to a
// batch of documents of one kind.
type conveyor struct {
	phases [4][]submission
}

func (c *conveyor) put(phase int, s submission) { c.phases[phase] = append(c.phases[phase], s) }

// next takes the documents due now and moves the rest one step closer.
func (c *conveyor) next() []submission {
	due := c.phases[0]
	copy(c.phases[:], c.phases[1:])
	c.phases[3] = nil
	return due
}

func (c *conveyor) empty() bool {
	for _, p := range c.phases {
		if len(p) > 0 {
			return false
		}
	}
	return true
}

// send posts subs grouped by path and key in requests of at most a batch,
// all at once, and waits for them; then it starts their follow-ups.
func (g *Load) send(ctx context.Context, subs []submission) {
	type group struct{ path, key string }
	groups := map[group][]submission{}
	var order []group
	for _, s := range subs {
		k := group{s.path, s.key}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], s)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var follow []func()
	for _, k := range order {
		all := groups[k]
		for from := 0; from < len(all); from += g.cfg.Batch {
			part := all[from:min(from+g.cfg.Batch, len(all))]
			wg.Add(1)
			go func() {
				defer wg.Done()
				docs := make([]any, len(part))
				for n, s := range part {
					docs[n] = s.doc
				}
				ok := g.submit(ctx, k.path, k.key, docs)
				now := time.Now()
				mu.Lock()
				defer mu.Unlock()
				for n, s := range part {
					if s.list != "" && ok[n] {
						g.book.accepted(s.list, now)
					}
					if s.after != nil && ok[n] {
						follow = append(follow, s.after)
					}
				}
			}()
		}
	}
	wg.Wait()
	// Only documents the system accepted are followed up.
	for _, f := range follow {
		f()
	}
}

// submit posts docs as a JSON array, counts the intake results and reports
// which documents were accepted.
func (g *Load) submit(ctx context.Context, path, key string, docs []any) []bool {
	ok := make([]bool, len(docs))
	body, err := json.Marshal(docs)
	if err != nil {
		g.httpErrors.Add(1)
		return ok
	}
	code, b, err := g.do(ctx, http.MethodPost, path, key, body)
	if err != nil {
		g.httpErrors.Add(1)
		return ok
	}
	accepted, rejected, answered := submitted(code, b, ok)
	if !answered {
		g.httpErrors.Add(1)
	}
	g.accepted.Add(int64(accepted))
	g.rejected.Add(int64(rejected))
	return ok
}

// submitted reads the answer to a submission of len(ok) documents: it
// marks the accepted ones in ok and counts them and the rejected ones;
// answered is false when the answer holds no per-document results (an
// error other than 400, or a body that does not parse).
func submitted(code int, body []byte, ok []bool) (accepted, rejected int, answered bool) {
	if code != http.StatusAccepted && code != http.StatusBadRequest {
		return 0, 0, false
	}
	// 400: nothing accepted; with results, each was rejected on its own.
	var r struct {
		Results []struct {
			Index  int    `json:"index"`
			Status string `json:"status"`
		} `json:"results"`
	}
	if json.Unmarshal(body, &r) != nil || len(r.Results) == 0 {
		return 0, 0, false
	}
	for _, x := range r.Results {
		if x.Status == "accepted" && x.Index >= 0 && x.Index < len(ok) {
			ok[x.Index] = true
			accepted++
		} else {
			rejected++
		}
	}
	return accepted, rejected, true
}

// do sends one request to the configured URL and reads the answer.
func (g *Load) do(ctx context.Context, method, path, key string, body []byte) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, g.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := g.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if cerr := resp.Body.Close(); err == nil {
		err = cerr
	}
	return resp.StatusCode, b, err
}

// postJSON posts v and decodes a 200 answer into out; it returns the HTTP
// status (0 on a transport error).
func (g *Load) postJSON(ctx context.Context, path, key string, v, out any) int {
	body, err := json.Marshal(v)
	if err != nil {
		return 0
	}
	code, b, err := g.do(ctx, http.MethodPost, path, key, body)
	if err != nil {
		if ctx.Err() == nil {
			g.httpErrors.Add(1)
		}
		return 0
	}
	if code == http.StatusOK && out != nil {
		_ = json.Unmarshal(b, out)
	}
	return code
}

// getJSON reads path into out; false when it is not (yet) there.
func (g *Load) getJSON(ctx context.Context, path, key string, out any) bool {
	code, b, err := g.do(ctx, http.MethodGet, path, key, nil)
	if err != nil {
		if ctx.Err() == nil {
			g.httpErrors.Add(1)
		}
		return false
	}
	if code != http.StatusOK {
		if code != http.StatusNotFound {
			g.httpErrors.Add(1)
		}
		return false
	}
	return json.Unmarshal(b, out) == nil
}

// poll calls get every pollEvery until it reports done or within passes;
// it reports whether it was done.
func poll(ctx context.Context, within time.Duration, get func() bool) bool {
	ctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	for {
		if get() {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(pollEvery):
		}
	}
}

// pause waits d or until ctx ends; false when ctx ended.
func pause(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// follow runs f in its own goroutine with a random source of its own,
// unless too many follow-ups are in flight.
func (g *Load) follow(ctx context.Context, f func(ctx context.Context, rnd *rand.Rand)) func() {
	seed := g.rnd.Uint64()
	return func() {
		select {
		case g.sem <- struct{}{}:
		default:
			g.skipped.Add(1)
			return
		}
		g.followers.Add(1)
		go func() {
			defer g.followers.Done()
			defer func() { <-g.sem }()
			f(ctx, rand.New(rand.NewPCG(seed, 0x666f6c6c6f77)))
		}()
	}
}

// declare puts one declaration on the conveyor: an export, or an import
// that is plain, near the single limit or inconsistent.
func (g *Load) declare(followCtx context.Context, c *conveyor) {
	g.seq++
	now := time.Now()
	r := g.rnd.Float64()
	cfg := g.cfg
	if r < cfg.ExportShare {
		g.exports.Add(1)
		orderNo := fmt.Sprintf("LE%s%07d", g.runID, g.seq)
		subs := g.exportDocs(orderNo, now)
		waybill := subs[2].doc.(*ceb.ExportLogistics)
		perm := g.rnd.Perm(len(subs))
		for n, s := range subs {
			if perm[n] == len(subs)-1 {
				s.after = g.follow(followCtx, func(ctx context.Context, rnd *rand.Rand) { g.followExport(ctx, rnd, orderNo, waybill) })
			}
			c.put(perm[n], s)
		}
		return
	}
	g.imports.Add(1)
	orderNo := fmt.Sprintf("LD%s%07d", g.runID, g.seq)
	var d *importDecl
	var followup func(ctx context.Context, rnd *rand.Rand)
	switch {
	case r < cfg.ExportShare+cfg.NearLimitShare:
		d = g.nearLimit(orderNo, now)
		followup = func(ctx context.Context, _ *rand.Rand) { g.followDecision(ctx, d) }
	case r < cfg.ExportShare+cfg.NearLimitShare+cfg.InconsistentShare:
		d = g.plain(orderNo, now)
		g.spoil(d)
		followup = func(ctx context.Context, _ *rand.Rand) { g.followDecision(ctx, d) }
	default:
		d = g.plain(orderNo, now)
		switch x := g.rnd.Float64(); {
		case x < cfg.ReturnShare:
			followup = func(ctx context.Context, rnd *rand.Rand) {
				if g.followDecision(ctx, d) == "800" {
					g.returnGoods(ctx, rnd, d)
				}
			}
		case x < cfg.ReturnShare+followShare:
			followup = func(ctx context.Context, _ *rand.Rand) { g.followDecision(ctx, d) }
		}
	}
	k := cfg.Keys
	list := d.i.InventoryHead.Guid
	g.book.expect(list)
	subs := []submission{
		{path: "/v1/import/orders", key: k.EBP, doc: d.o, list: list},
		{path: "/v1/import/payments", key: k.Pay, doc: d.p, list: list},
		{path: "/v1/import/waybills", key: k.Logistics, doc: d.l, list: list},
		{path: "/v1/import/inventories", key: k.Agent, doc: d.i, list: list},
	}
	perm := g.rnd.Perm(len(subs))
	for n, s := range subs {
		if perm[n] == len(subs)-1 && followup != nil {
			s.after = g.follow(followCtx, followup)
		}
		c.put(perm[n], s)
	}
}

// importDecl is one import declaration's four documents.
type importDecl struct {
	o *ceb.Order
	p *ceb.Payment
	l *ceb.Logistics
	i *ceb.Inventory
}

// followDecision polls the list until it is decided and counts the
// decision; it returns the status ("" when undecided in time).
func (g *Load) followDecision(ctx context.Context, d *importDecl) string {
	var v struct {
		Status string `json:"status"`
		InvtNo string `json:"invtNo"`
	}
	path := "/v1/import/inventories/" + d.i.InventoryHead.EbpCode + "/" + d.i.InventoryHead.OrderNo
	if !poll(ctx, decideWithin, func() bool {
		v.Status = ""
		if !g.getJSON(ctx, path, g.cfg.Keys.Agent, &v) {
			return false
		}
		switch v.Status {
		case "", "2", "120", "399":
			return false
		}
		return true
	}) {
		return ""
	}
	switch v.Status {
	case "800":
		g.released.Add(1)
	case "100":
		g.refused.Add(1)
	default: // 300 review, 500 inspection
		g.reviewed.Add(1)
	}
	g.sample(v.Status, d.i.InventoryHead.OrderNo)
	d.i.InventoryHead.InvtNo = v.InvtNo
	return v.Status
}

// returnGoods files a return of one unit of one line of the released list
// d, then reports the parcel's arrival at the warehouse and its sorting.
func (g *Load) returnGoods(ctx context.Context, rnd *rand.Rand, d *importDecl) {
	invtNo := d.i.InventoryHead.InvtNo
	if invtNo == "" || !pause(ctx, time.Duration(500+rnd.IntN(1500))*time.Millisecond) {
		return
	}
	r := cebtest.Refund(d.i, invtNo)
	r.InvtRefundHead.AppTime = ceb.FormatAppTime(time.Now())
	line := r.InvtRefundList[rnd.IntN(len(r.InvtRefundList))]
	line.Qty = ceb.MustAmount("1")
	r.InvtRefundList = []ceb.InvtRefundList{line}
	k := g.cfg.Keys
	if !g.submit(ctx, "/v1/import/returns", k.Agent, []any{r})[0] {
		return
	}

	var rec struct {
		GUID    string            `json:"guid"`
		Status  string            `json:"status"`
		History []json.RawMessage `json:"history"`
	}
	path := "/v1/returns/lists/" + r.InvtRefundHead.AgentCode + "/" + invtNo
	if !poll(ctx, decideWithin, func() bool {
		var l struct {
			Returns []json.RawMessage `json:"returns"`
		}
		if !g.getJSON(ctx, path, k.Agent, &l) {
			return false
		}
		for _, raw := range l.Returns {
			if json.Unmarshal(raw, &rec) == nil && rec.GUID == r.InvtRefundHead.Guid {
				return rec.Status != "requested" || len(rec.History) >= 2
			}
		}
		return false
	}) {
		return
	}
	if rec.Status != "requested" {
		g.returnsRejected.Add(1)
		return
	}
	// The parcel travels to the warehouse of the list's zone.
	if !pause(ctx, time.Duration(1000+rnd.IntN(2000))*time.Millisecond) {
		return
	}
	parcel := map[string]any{
		"warehouseCode": g.cfg.Warehouse,
		"logisticsCode": r.InvtRefundHead.LogisticsCode,
		"logisticsNo":   r.InvtRefundHead.LogisticsNo,
	}
	if code := g.postJSON(ctx, "/v1/returns/arrivals", k.Warehouse, parcel, nil); code != http.StatusOK {
		if code != 0 {
			g.httpErrors.Add(1)
		}
		return
	}
	parcel["lines"] = []map[string]any{{"gnum": line.Gnum, "resaleable": rnd.Float64() < 0.9}}
	var sorted struct {
		Status string `json:"status"`
	}
	if code := g.postJSON(ctx, "/v1/returns/sortings", k.Warehouse, parcel, &sorted); code != http.StatusOK {
		if code != 0 {
			g.httpErrors.Add(1)
		}
		return
	}
	if sorted.Status == "accepted" {
		g.returnsAccepted.Add(1)
		g.sample("returned", d.i.InventoryHead.OrderNo)
	} else {
		g.returnsRejected.Add(1)
	}
}

// followExport waits for the export list's acceptance, then sends the
// arrival at the supervised site and, a little later, the departure.
func (g *Load) followExport(ctx context.Context, rnd *rand.Rand, orderNo string, l *ceb.ExportLogistics) {
	k := g.cfg.Keys
	path := "/v1/export/lists/" + cebtest.EbpCode + "/" + orderNo
	wait := func(want string) bool {
		var v struct {
			Status string `json:"status"`
		}
		ok := poll(ctx, decideWithin, func() bool {
			v.Status = ""
			return g.getJSON(ctx, path, k.Agent, &v) && (v.Status == want || v.Status == "100" || v.Status == "cancelled")
		})
		if ok && v.Status != want {
			g.exportsRefused.Add(1)
			return false
		}
		return ok
	}
	if !wait("120") || !pause(ctx, time.Duration(1000+rnd.IntN(2000))*time.Millisecond) {
		return
	}
	a := cebtest.Arrival(l)
	a.ArrivalHead.AppTime = ceb.FormatAppTime(time.Now())
	if !g.submit(ctx, "/v1/export/arrivals", k.Logistics, []any{a})[0] {
		return
	}
	if !wait("800") || !pause(ctx, time.Duration(1000+rnd.IntN(2000))*time.Millisecond) {
		return
	}
	dep := cebtest.Departure(l)
	now := time.Now()
	dep.DepartureHead.AppTime, dep.DepartureHead.LeaveTime = ceb.FormatAppTime(now), ceb.FormatAppTime(now)
	if g.submit(ctx, "/v1/export/departures", k.Logistics, []any{dep})[0] && wait("899") {
		g.closed.Add(1)
		g.sample("export-closed", orderNo)
	}
}

// exportDocs builds a 9610 export of the cebtest goods in quantities of its
// own, dated now: order, receipt of payment, waybill and list.
func (g *Load) exportDocs(orderNo string, now time.Time) []submission {
	o, r, l, i := cebtest.ExportSet(orderNo)
	appTime, day := ceb.FormatAppTime(now), ceb.FormatDate(now)
	o.OrderHead.AppTime, r.AppTime, l.AppTime, i.InventoryHead.AppTime = appTime, appTime, appTime, appTime
	r.AccountingDate, i.InventoryHead.IeDate = appTime, day
	goodsValue := decimal.Zero
	net := decimal.Zero
	var info []string
	for n := range o.OrderList {
		qty := decimal.NewFromInt(int64(1 + g.rnd.IntN(4)))
		ol, il := &o.OrderList[n], &i.InventoryList[n]
		total := ol.Price.Decimal.Mul(qty)
		ol.Qty, ol.TotalPrice = ceb.NewAmount(qty), ceb.NewAmount(total)
		il.Qty, il.TotalPrice = ceb.NewAmount(qty), ceb.NewAmount(total)
		if il.Unit1 == "035" {
			il.Qty1 = ceb.NewAmount(qty.Mul(decimal.RequireFromString("0.05")))
		} else {
			il.Qty1 = ceb.NewAmount(qty)
		}
		goodsValue = goodsValue.Add(total)
		net = net.Add(qty.Mul(decimal.RequireFromString("0.1")))
		info = append(info, ol.ItemName+"*"+qty.String())
	}
	gross := net.Add(decimal.RequireFromString("0.15"))
	o.OrderHead.GoodsValue = ceb.NewAmount(goodsValue)
	r.Charge = ceb.NewAmount(goodsValue.Add(o.OrderHead.Freight.Decimal))
	l.GrossWeight, l.GoodsInfo = ceb.NewAmount(gross), strings.Join(info, ",")
	i.InventoryHead.GrossWeight, i.InventoryHead.NetWeight = ceb.NewAmount(gross), ceb.NewAmount(net)
	k := g.cfg.Keys
	return []submission{
		{path: "/v1/export/orders", key: k.EBP, doc: o},
		{path: "/v1/export/receipts", key: k.Pay, doc: r},
		{path: "/v1/export/waybills", key: k.Logistics, doc: l},
		{path: "/v1/export/inventories", key: k.Agent, doc: i},
	}
}

// goods is a tariff line as a product: how it is sold and priced.
type goods struct {
	line    tariff.Line
	gcode   string          // 10 digits
	price   decimal.Decimal // typical unit price, CNY
	unit    string          // declared unit (JGS-20)
	unit1   string          // legal unit
	q1      decimal.Decimal // quantity in unit1 per unit
	kg      decimal.Decimal // net weight per unit
	spec    string
	limited bool // an annual quantity limit applies
}

// profile is how goods of an HS prefix are sold.
type profile struct {
	prefix, unit, unit1, q1, kg, price, spec string
}

// profiles by HS prefix, longest first where they overlap; the default is
// the last. Units are JGS-20: 122 罐, 142 瓶, 136 袋, 140 盒, 011 件, 025
// 双, 008 只, 007 个, 001 台; legal units 035 千克, 095 升.
var profiles = []profile{
	{"1901", "122", "035", "0.9", "0.9", "220", "900克/罐"},
	{"0402", "136", "035", "1", "1", "150", "1千克/袋"},
	{"0409", "142", "035", "0.5", "0.5", "80", "500克/瓶"},
	{"0306", "140", "035", "1", "1", "160", "1千克/盒"},
	{"08", "136", "035", "0.5", "0.5", "70", "500克/袋"},
	{"0901", "136", "035", "0.25", "0.25", "60", "250克/袋"},
	{"1006", "136", "035", "5", "5", "60", "5千克/袋"},
	{"1701", "136", "035", "1", "1", "20", "1千克/袋"},
	{"15", "142", "035", "0.5", "0.5", "90", "500毫升/瓶"},
	{"18", "140", "035", "0.3", "0.3", "60", "300克/盒"},
	{"21", "142", "035", "0.2", "0.2", "150", "200克/瓶"},
	{"2204", "142", "095", "0.75", "1.2", "120", "750毫升/瓶"},
	{"29", "142", "035", "0.2", "0.2", "130", "120粒/瓶"},
	{"3303", "142", "035", "0.1", "0.1", "400", "100毫升/瓶"},
	{"3305", "142", "035", "0.5", "0.5", "80", "500毫升/瓶"},
	{"33", "140", "035", "0.05", "0.05", "180", "50毫升/盒"},
	{"61", "011", "011", "1", "0.3", "150", "M码"},
	{"62", "011", "011", "1", "0.4", "260", "M码"},
	{"64", "025", "025", "1", "0.9", "500", "42码"},
	{"71", "007", "007", "1", "0.05", "1500", "925银"},
	{"91", "008", "008", "1", "0.15", "2000", "表径40毫米"},
	{"8471", "001", "001", "1", "1.5", "6000", "13英寸"},
	{"8517", "001", "001", "1", "0.2", "2000", "智能手表"},
	{"8518", "007", "007", "1", "0.3", "800", "无线"},
	{"85", "001", "001", "1", "1", "600", "220V"},
	{"", "007", "035", "0.5", "0.5", "100", "标准装"},
}

// catalogue turns the tariff lines valid for 1210 on the day of now into
// goods, priced at their reference price where they have one.
func catalogue(tb *tariff.Table, now time.Time) []goods {
	var out []goods
	for _, l := range tb.Lines() {
		if !l.Allows("1210") || !l.ValidOn(now) {
			continue
		}
		var p profile
		for _, p = range profiles {
			if strings.HasPrefix(l.HSCode, p.prefix) {
				break
			}
		}
		gd := goods{
			line: l, gcode: (l.HSCode + "0000000000")[:10], unit: p.unit, unit1: p.unit1,
			q1: decimal.RequireFromString(p.q1), kg: decimal.RequireFromString(p.kg),
			price: decimal.RequireFromString(p.price), spec: p.spec,
		}
		if l.ReferencePrice.Valid {
			gd.price = l.ReferencePrice.Decimal
		}
		if l.AnnualQtyLimit.Valid {
			gd.limited = true
			gd.unit1 = l.QtyUnit
		}
		out = append(out, gd)
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].gcode < out[b].gcode })
	return out
}

// item is one goods line of a declaration.
type item struct {
	g     goods
	qty   int64
	price decimal.Decimal
	brand string
}

func (it item) total() decimal.Decimal { return it.price.Mul(decimal.NewFromInt(it.qty)) }

var (
	brands    = []string{"北岸", "Alpenhof", "Kiwi Farm", "Maple Lane", "Sakura", "Nordvik", "Aussie Gold", "Seoul Glow", "Bella Terra", "Swiss Peak"}
	origins   = []string{"303", "304", "305", "307", "116", "133", "502", "601", "609", "501"}
	freights  = []string{"0", "0", "5.00", "8.00", "10.00", "12.00", "15.00", "20.00"}
	limitFen  = decimal.NewFromInt(5000) // single-transaction limit, CNY
	plainCap  = decimal.NewFromInt(4500) // plain declarations stay well under R001's 95 %
	seventy   = decimal.RequireFromString("0.7")
	districts = []struct{ code, name string }{
		{"500103", "重庆市渝中区"}, {"500105", "重庆市江北区"}, {"500106", "重庆市沙坪坝区"},
		{"500107", "重庆市九龙坡区"}, {"500108", "重庆市南岸区"}, {"500112", "重庆市渝北区"},
	}
	streets  = []string{"解放碑大道", "观音桥步行街", "三峡广场路", "杨家坪正街", "南坪东路", "新牌坊二路", "金开大道", "星光大道"}
	surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾")
	given    = []rune("伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华玉萍红娥玲")
)

// pickItem draws one goods line, priced within ±30 % of its typical price.
func (g *Load) pickItem() item {
	gd := g.goods[g.rnd.IntN(len(g.goods))]
	f := decimal.NewFromFloat(0.7 + 0.6*g.rnd.Float64())
	price := gd.price.Mul(f).Round(2)
	qty := int64(1 + g.rnd.IntN(3))
	if price.LessThan(decimal.NewFromInt(50)) {
		qty = int64(1 + g.rnd.IntN(6))
	}
	if gd.limited {
		qty = 1 // a bag a time keeps buyers under the annual quantity
	}
	return item{g: gd, qty: qty, price: price, brand: brands[g.rnd.IntN(len(brands))]}
}

// plain builds a consistent declaration of 1 to 3 lines for a random buyer,
// its dutiable value at most 4,500 CNY unless a single expensive item.
func (g *Load) plain(orderNo string, now time.Time) *importDecl {
	n := 1
	if x := g.rnd.Float64(); x > 0.5 {
		n = 2
		if x > 0.85 {
			n = 3
		}
	}
	var items []item
	seen := map[string]bool{}
	for len(items) < n {
		it := g.pickItem()
		if seen[it.g.gcode] {
			continue
		}
		seen[it.g.gcode] = true
		if it.price.GreaterThan(decimal.NewFromInt(2500)) {
			// Expensive goods come alone, one at a time.
			it.qty, items = 1, []item{it}
			break
		}
		items = append(items, it)
	}
	freight := decimal.RequireFromString(freights[g.rnd.IntN(len(freights))])
	value := func() decimal.Decimal {
		v := freight
		for _, it := range items {
			v = v.Add(it.total())
		}
		return v
	}
	for len(items) > 1 && value().GreaterThan(plainCap) {
		items = items[:len(items)-1]
	}
	for items[0].qty > 1 && value().GreaterThan(plainCap) {
		items[0].qty--
	}
	return g.build(orderNo, now, items, freight)
}

// nearLimit builds a declaration whose dutiable value is 95–100 % of the
// single-transaction limit, so that risk rule R001 holds it for review.
func (g *Load) nearLimit(orderNo string, now time.Time) *importDecl {
	gd := g.goods[g.expens[g.rnd.IntN(len(g.expens))]]
	freight := decimal.RequireFromString(freights[g.rnd.IntN(len(freights))])
	target := decimal.NewFromInt(4760 + int64(g.rnd.IntN(230))).Sub(freight)
	qty := target.Div(gd.price).Floor().IntPart()
	qty = min(max(qty, 1), 30)
	price := target.Div(decimal.NewFromInt(qty)).Round(2)
	return g.build(orderNo, now, []item{{g: gd, qty: qty, price: price, brand: brands[g.rnd.IntN(len(brands))]}}, freight)
}

// spoil makes one value of d inconsistent, so that customs rejects it (100).
func (g *Load) spoil(d *importDecl) {
	switch g.rnd.IntN(3) {
	case 0: // X05: the payment is not what the order says was paid
		off := decimal.New(int64(1+g.rnd.IntN(999)), -2) // 0.01 … 9.99
		d.p.PaymentHead.AmountPaid = ceb.NewAmount(d.p.PaymentHead.AmountPaid.Decimal.Add(off))
	case 1: // X13: the list declares another quantity than the order
		l := &d.i.InventoryList[0]
		qty := l.Qty.Decimal.Add(decimal.NewFromInt(1))
		l.Qty, l.TotalPrice = ceb.NewAmount(qty), ceb.NewAmount(l.Price.Decimal.Mul(qty))
	default: // X09: the waybill's consignee telephone differs from the order's
		d.l.LogisticsHead.ConsigneeTelephone = "139" + d.l.LogisticsHead.ConsigneeTelephone[3:]
		if d.l.LogisticsHead.ConsigneeTelephone == d.o.OrderHead.ConsigneeTelephone {
			d.l.LogisticsHead.ConsigneeTelephone = "137" + d.l.LogisticsHead.ConsigneeTelephone[3:]
		}
	}
}

// buyer is a deterministic person of the population: a valid GB 11643 ID
// number, a name, a telephone and an address of their own.
type buyer struct {
	n                          int
	id, name, phone, regNo     string
	district, districtName, at string
}

// buyerOf returns buyer n of the seed's population.
func (g *Load) buyerOf(n int) buyer {
	x := fnvOf(strconv.FormatInt(g.cfg.Seed, 10) + "/" + strconv.Itoa(n))
	d := districts[x%uint64(len(districts))]
	x /= uint64(len(districts))
	year, month, day := 1960+int(x%45), 1+int(x/45%12), 1+int(x/540%28)
	base := fmt.Sprintf("%s%04d%02d%02d%03d", d.code, year, month, day, n%1000)
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(base[i]-'0') * w
	}
	name := string(surnames[x%uint64(len(surnames))]) + string(given[x/31%uint64(len(given))])
	if x%3 == 0 {
		name += string(given[x/997%uint64(len(given))])
	}
	return buyer{
		n: n, id: base + string("10X98765432"[sum%11]), name: name,
		phone:    fmt.Sprintf("13%09d", x%1_000_000_000),
		regNo:    fmt.Sprintf("u%08d", n),
		district: d.code, districtName: d.name,
		at: fmt.Sprintf("%s%s%d号%d栋%d室", d.name, streets[x/7%uint64(len(streets))], 1+n%500, 1+n/500, 101+int(x/13%20)),
	}
}

// build assembles the four consistent documents of a declaration of items
// for a random buyer, dated now: amounts add up (price × qty, goodsValue,
// acturalPaid = goodsValue + freight + taxTotal − discount = amountPaid),
// the tax is the CBEC rate's (or the general rate's for a single item over
// the limit), weights are plausible.
func (g *Load) build(orderNo string, now time.Time, items []item, freight decimal.Decimal) *importDecl {
	o, p, l, i := cebtest.Set(orderNo)
	b := g.buyerOf(g.rnd.IntN(g.cfg.Buyers))
	appTime := ceb.FormatAppTime(now)
	o.OrderHead.AppTime, p.PaymentHead.AppTime, l.LogisticsHead.AppTime, i.InventoryHead.AppTime = appTime, appTime, appTime, appTime
	p.PaymentHead.PayTime = ceb.FormatAppTime(now.Add(-time.Duration(1+g.rnd.IntN(30)) * time.Minute))
	i.InventoryHead.DeclTime = ceb.FormatDate(now)

	oh := &o.OrderHead
	oh.BuyerRegNo, oh.BuyerName, oh.BuyerTelephone, oh.BuyerIdNumber = b.regNo, b.name, b.phone, b.id
	oh.Consignee, oh.ConsigneeTelephone, oh.ConsigneeAddress, oh.ConsigneeDistrict = b.name, b.phone, b.at, b.district
	ph := &p.PaymentHead
	ph.PayerIdNumber, ph.PayerName, ph.Telephone = b.id, b.name, b.phone
	lh := &l.LogisticsHead
	lh.Consignee, lh.ConsigneeTelephone, lh.ConsigneeAddress = b.name, b.phone, b.at
	ih := &i.InventoryHead
	ih.BuyerIdNumber, ih.BuyerName, ih.BuyerTelephone, ih.ConsigneeAddress = b.id, b.name, b.phone, b.at

	o.OrderList, i.InventoryList = nil, nil
	goodsValue, net := decimal.Zero, decimal.Zero
	var info []string
	for n, it := range items {
		qty := decimal.NewFromInt(it.qty)
		sku := fmt.Sprintf("SKU-%s-%02d", it.g.line.HSCode, 1+brandIndex(it.brand))
		name := it.brand + " " + shortName(it.g.line.Name) + " " + it.g.spec
		model := "品名:" + shortName(it.g.line.Name) + "|品牌:" + it.brand + "|规格:" + it.g.spec
		country := origins[fnvOf(it.brand)%uint64(len(origins))]
		o.OrderList = append(o.OrderList, ceb.OrderList{
			Gnum: n + 1, ItemNo: sku, ItemName: name, Gmodel: model, Unit: it.g.unit,
			Qty: ceb.NewAmount(qty), Price: ceb.NewAmount(it.price), TotalPrice: ceb.NewAmount(it.total()),
			Currency: "142", Country: country,
		})
		i.InventoryList = append(i.InventoryList, ceb.InventoryList{
			Gnum: n + 1, ItemRecordNo: fmt.Sprintf("8001W%07d", fnvOf(sku)%10_000_000), ItemNo: sku, ItemName: name,
			Gcode: it.g.gcode, Gname: name, Gmodel: model, Country: country, Currency: "142",
			Qty: ceb.NewAmount(qty), Unit: it.g.unit, Qty1: ceb.NewAmount(it.g.q1.Mul(qty)), Unit1: it.g.unit1,
			Price: ceb.NewAmount(it.price), TotalPrice: ceb.NewAmount(it.total()),
		})
		goodsValue = goodsValue.Add(it.total())
		net = net.Add(it.g.kg.Mul(qty))
		info = append(info, shortName(it.g.line.Name)+"*"+qty.String())
	}
	gross := net.Mul(decimal.RequireFromString("1.15")).Add(decimal.RequireFromString("0.10")).Round(2)
	net = net.Round(3)

	tax := assessTax(items, freight)
	discount := decimal.Zero
	if g.rnd.Float64() < 0.2 {
		discount = goodsValue.Mul(decimal.NewFromFloat(0.02 + 0.08*g.rnd.Float64())).Round(2)
	}
	paid := goodsValue.Add(freight).Add(tax).Sub(discount)
	oh.GoodsValue, oh.Freight, oh.Discount, oh.TaxTotal, oh.ActuralPaid =
		ceb.NewAmount(goodsValue), ceb.NewAmount(freight), ceb.NewAmount(discount), ceb.NewAmount(tax), ceb.NewAmount(paid)
	ph.AmountPaid = ceb.NewAmount(paid)
	lh.Freight, lh.Weight = ceb.NewAmount(freight), ceb.NewAmount(gross)
	lh.GoodsInfo = truncate(strings.Join(info, ","), 60)
	ih.Freight, ih.GrossWeight, ih.NetWeight = ceb.NewAmount(freight), ceb.NewAmount(gross), ceb.NewAmount(net)
	return &importDecl{o, p, l, i}
}

// assessTax estimates the tax customs will assess: freight apportioned by
// line value, then CBEC rates (VAT and consumption tax at 70 %, no duty), or
// for a single item over the single limit the general rates.
func assessTax(items []item, freight decimal.Decimal) decimal.Decimal {
	goodsValue := decimal.Zero
	for _, it := range items {
		goodsValue = goodsValue.Add(it.total())
	}
	one := decimal.NewFromInt(1)
	general := len(items) == 1 && items[0].qty == 1 && goodsValue.Add(freight).GreaterThan(limitFen)
	tax := decimal.Zero
	for _, it := range items {
		pv := it.total()
		if goodsValue.IsPositive() {
			pv = pv.Add(freight.Mul(it.total()).Div(goodsValue))
		}
		v, c, d := it.g.line.VAT, it.g.line.Consumption, it.g.line.Duty
		var t decimal.Decimal
		if general {
			duty := pv.Mul(d)
			ct := pv.Add(duty).Div(one.Sub(c)).Mul(c)
			t = duty.Add(ct).Add(pv.Add(duty).Add(ct).Mul(v))
		} else {
			t = pv.Mul(v).Mul(seventy).Div(one.Sub(c)).Add(pv.Div(one.Sub(c)).Mul(c).Mul(seventy))
		}
		tax = tax.Add(t.Round(2))
	}
	return tax
}

// shortName is a tariff line's name without its parenthesised remarks.
func shortName(s string) string {
	if n := strings.IndexAny(s, "(（"); n > 0 {
		s = s[:n]
	}
	return truncate(s, 20)
}

// truncate cuts s to at most n characters.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

func brandIndex(b string) int {
	for n, x := range brands {
		if x == b {
			return n
		}
	}
	return 0
}

func fnvOf(s string) uint64 {
	h := fnv.New64a()
	_, _ = io.WriteString(h, s)
	return h.Sum64()
}
