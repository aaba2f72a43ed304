package load

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shopspring/decimal"
	"golang.org/x/time/rate"

	"github.com/cbec/cbec/pkg/ceb"
)

const (
	sampleMax    = 20
	maxFollowers = 512
	followShare  = 0.05 // of plain imports, followed to their decision
	pollEvery    = 250 * time.Millisecond
	decideWithin = 60 * time.Second
)

// Generator is the paced traffic of `cbec load`. Build it with New; Run
// it once.
type Generator struct {
	cfg    Config
	refs   Refs
	out    io.Writer
	base   string
	client *http.Client
	rnd    *rand.Rand // the sending loop's only
	goods  []goods
	expens []int           // indexes of goods fit for a near-limit declaration
	single decimal.Decimal // the single-transaction limit in force, CNY
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

// New returns a generator for cfg that prints its summaries to out. Its
// goods are the tariff lines of refs valid for 1210 today, its limits the
// rules' in force today.
func New(cfg Config, refs Refs, out io.Writer) (*Generator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	now := time.Now()
	row, err := refs.Rules.Limits.At(now)
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	g := &Generator{
		cfg:  cfg,
		refs: refs,
		out:  out,
		base: strings.TrimSuffix(cfg.URL, "/"),
		client: &http.Client{
			Timeout:   30 * time.Second,
			Transport: &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: 90 * time.Second},
			// Never follow a redirect: the generator talks to cfg.URL only.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		rnd:     rand.New(rand.NewPCG(uint64(cfg.Seed), 0x636265632d6c6f61)),
		single:  row.Single,
		samples: map[string][]string{},
		sem:     make(chan struct{}, maxFollowers),
		book:    newDecisions(),
		runID:   strconv.FormatInt(now.Unix(), 36),
	}
	g.goods = catalogue(refs.Tariff, now)
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

// Client is the HTTP client the generator sends with. A test may wrap its
// Transport before Run, to see what goes out.
func (g *Generator) Client() *http.Client { return g.client }

// watchDecisions reads the agent's CEB622 receipts page after page until
// stop closes (and once more then), recording the imports' decisions.
func (g *Generator) watchDecisions(ctx context.Context, stop <-chan struct{}) {
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

func (g *Generator) sample(kind, orderNo string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.samples[kind]) < sampleMax {
		g.samples[kind] = append(g.samples[kind], orderNo)
	}
}

// Run sends declarations at the configured rate until the duration is over
// or ctx ends, then lets the follow-ups finish (at most Drain, or until ctx
// ends) and returns the counts. It prints a summary every Report interval
// and a final one.
func (g *Generator) Run(ctx context.Context) (Stats, error) {
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
				_, _ = fmt.Fprintln(g.out, g.Stats().Summary(state))
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
	_, _ = fmt.Fprintln(g.out, s.Summary("done"))
	if s.Imports+s.Exports > 0 && s.Accepted == 0 {
		return s, fmt.Errorf("load: no document accepted (%d HTTP errors); is cbec running at %s with these keys?", s.HTTPErrors, g.cfg.URL)
	}
	return s, nil
}

// follow runs f in its own goroutine with a random source of its own,
// unless too many follow-ups are in flight.
func (g *Generator) follow(ctx context.Context, f func(ctx context.Context, rnd *rand.Rand)) func() {
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
func (g *Generator) declare(followCtx context.Context, c *conveyor) {
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
	var d *Import
	var followup func(ctx context.Context, rnd *rand.Rand)
	switch {
	case r < cfg.ExportShare+cfg.NearLimitShare:
		d = g.NearLimit(orderNo, now)
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
	list := d.Inventory.InventoryHead.Guid
	g.book.expect(list)
	subs := []submission{
		{path: "/v1/import/orders", key: k.EBP, doc: d.Order, list: list},
		{path: "/v1/import/payments", key: k.Pay, doc: d.Payment, list: list},
		{path: "/v1/import/waybills", key: k.Logistics, doc: d.Waybill, list: list},
		{path: "/v1/import/inventories", key: k.Agent, doc: d.Inventory, list: list},
	}
	perm := g.rnd.Perm(len(subs))
	for n, s := range subs {
		if perm[n] == len(subs)-1 && followup != nil {
			s.after = g.follow(followCtx, followup)
		}
		c.put(perm[n], s)
	}
}
