package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/ceb/cebtest"
)

// benchCommand makes the command that runs cbec with args in a process of
// its own: this very binary. Tests replace it (their binary is a test
// binary, which runs cbec through CBEC_TEST_CHILD_ARGS).
var benchCommand = func(args []string) (*exec.Cmd, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	return exec.Command(exe, args...), nil
}

// benchChild is the cbec under measurement: the all-in-one binary with its
// embedded NATS, in a process of its own so that its memory is its own.
type benchChild struct {
	cmd        *exec.Cmd
	httpURL    string
	natsURL    string
	exited     chan struct{}
	stderrTail *tailBuffer
}

// startBenchChild runs cbec on a fresh store in dir with the sync policy
// (and extra arguments) and waits until it is running.
func startBenchChild(ctx context.Context, dir, sync string, extra []string) (*benchChild, error) {
	httpAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	natsAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	cmd, err := benchCommand(append([]string{"--data-dir", dir, "--http-addr", httpAddr, "--nats-listen", natsAddr,
		"--sync", sync, "--log-level", "error", "--sweep-interval", "1h"}, extra...))
	if err != nil {
		return nil, err
	}
	c := &benchChild{cmd: cmd, httpURL: "http://" + httpAddr, natsURL: "nats://" + natsAddr,
		exited: make(chan struct{}), stderrTail: &tailBuffer{max: 4096}}
	cmd.Stderr = c.stderrTail
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	running := saysRunning(out)
	go func() { _ = cmd.Wait(); close(c.exited) }()
	select {
	case ok := <-running:
		if !ok {
			<-c.exited
			return nil, fmt.Errorf("cbec exited before running: %s", c.stderrTail.String())
		}
		return c, nil
	case <-c.exited:
		return nil, fmt.Errorf("cbec exited before running: %s", c.stderrTail.String())
	case <-time.After(60 * time.Second):
		c.stop()
		return nil, errors.New("cbec not running after 60 s")
	case <-ctx.Done():
		c.stop()
		return nil, ctx.Err()
	}
}

// saysRunning reads a cbec process's standard output to its end and
// tells, once, whether the process said it is running (true) or ended its
// output without saying so (false).
func saysRunning(out io.Reader) <-chan bool {
	running := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		said := false
		for sc.Scan() {
			if !said && strings.HasPrefix(sc.Text(), "cbec is running") {
				said = true
				running <- true
			}
		}
		if !said {
			running <- false
		}
	}()
	return running
}

// stop ends the child with SIGTERM (its ordered shutdown), then SIGKILL.
func (c *benchChild) stop() {
	if c.cmd.Process == nil {
		return
	}
	_ = c.cmd.Process.Signal(os.Interrupt)
	select {
	case <-c.exited:
	case <-time.After(35 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.exited
	}
}

// rss is the child's resident set in bytes, from /proc; 0 where /proc is
// not there.
func (c *benchChild) rss() int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(c.cmd.Process.Pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// goroutines reads the child's go_goroutines from its /metrics.
func (c *benchChild) goroutines(client *http.Client) int {
	resp, err := client.Get(c.httpURL + "/metrics")
	if err != nil {
		return 0
	}
	defer func() { _ = resp.Body.Close() }()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "go_goroutines "); ok {
			n, _ := strconv.ParseFloat(v, 64)
			return int(n)
		}
	}
	return 0
}

// freeAddr is a loopback address with a port free now.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := ln.Addr().String()
	return addr, ln.Close()
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
	max int
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = t.buf[len(t.buf)-t.max:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

// driver sends import declarations to a cbec and follows their decisions.
type driver struct {
	base   string
	client *http.Client
	keys   LoadKeys
	batch  int

	gen *Load
	seq atomic.Int64
	run string

	book *decisions

	docsAccepted, docsRejected, httpErrors, refused atomic.Int64
}

// newDriver makes a driver for the cbec at base whose receipts it reads
// over NATS at natsURL as the declaring agent.
func newDriver(base string, batch int, seed int64) (*driver, error) {
	cfg, err := ParseLoadConfig([]string{"--url", base, "--seed", strconv.FormatInt(seed, 10)}, io.Discard)
	if err != nil {
		return nil, err
	}
	g, err := NewLoad(cfg, io.Discard)
	if err != nil {
		return nil, err
	}
	return &driver{
		base: base, keys: cfg.Keys, batch: batch, gen: g, run: strconv.FormatInt(time.Now().UnixNano()%1e6, 36),
		client: &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 512}},
		book:   newDecisions(),
	}, nil
}

// follow subscribes to the agent's list receipts and records decisions.
func (d *driver) follow(natsURL string) (*nats.Conn, error) {
	nc, err := nats.Connect(natsURL, nats.Token(d.keys.Agent), nats.CustomInboxPrefix(broker.InboxPrefix(cebtest.AgentCode)),
		nats.Name("cbec-bench"))
	if err != nil {
		return nil, fmt.Errorf("bench: receipts over NATS: %w", err)
	}
	_, err = nc.Subscribe(broker.OutSubject(cebtest.AgentCode, "CEB622"), func(m *nats.Msg) {
		now := time.Now()
		var rs []struct {
			GUID         string `json:"guid"`
			ReturnStatus string `json:"returnStatus"`
		}
		if json.Unmarshal(m.Data, &rs) != nil {
			return
		}
		for _, r := range rs {
			d.book.receipt(r.GUID, r.ReturnStatus, now)
		}
	})
	if err != nil {
		nc.Close()
		return nil, err
	}
	return nc, nc.Flush()
}

// group is a batch of declarations ready to send: their lists' guids and
// the JSON body of each document type, encoded before the clock starts so
// that sending costs the client next to nothing.
type group struct {
	guids  []string
	bodies [4][]byte
}

// benchKinds are the four import documents of a declaration: endpoint,
// the key of the role that sends it, and the document.
func (d *driver) kinds() [4]struct {
	path, key string
	doc       func(*importDecl) any
} {
	return [4]struct {
		path, key string
		doc       func(*importDecl) any
	}{
		{"/v1/import/orders", d.keys.EBP, func(x *importDecl) any { return x.o }},
		{"/v1/import/payments", d.keys.Pay, func(x *importDecl) any { return x.p }},
		{"/v1/import/waybills", d.keys.Logistics, func(x *importDecl) any { return x.l }},
		{"/v1/import/inventories", d.keys.Agent, func(x *importDecl) any { return x.i }},
	}
}

// prepare builds n declarations in groups of a batch, encoded.
func (d *driver) prepare(n int) ([]group, error) {
	kinds := d.kinds()
	var out []group
	now := time.Now()
	for from := 0; from < n; from += d.batch {
		size := min(d.batch, n-from)
		decls := make([]*importDecl, size)
		g := group{guids: make([]string, size)}
		for i := range decls {
			decls[i] = d.gen.plain(fmt.Sprintf("BN%s%08d", d.run, d.seq.Add(1)), now)
			g.guids[i] = decls[i].i.InventoryHead.Guid
		}
		for k, kind := range kinds {
			docs := make([]any, size)
			for i, x := range decls {
				docs[i] = kind.doc(x)
			}
			b, err := json.Marshal(docs)
			if err != nil {
				return nil, err
			}
			g.bodies[k] = b
		}
		out = append(out, g)
	}
	return out, nil
}

// supply prepares n declarations into a channel that holds ahead of them:
// it returns once the channel is full (or all are built), so that the
// first ahead declarations are encoded before the clock starts, and goes
// on building the rest while they are sent. A long soak thus needs the
// memory of ahead declarations, not of all; building the rest costs the
// client some 60 µs of CPU a declaration meanwhile.
func (d *driver) supply(ctx context.Context, n, ahead int) (<-chan group, error) {
	groups := max(1, ahead/d.batch)
	ch := make(chan group, groups)
	first, err := d.prepare(min(n, groups*d.batch))
	if err != nil {
		return nil, err
	}
	for _, g := range first {
		ch <- g
	}
	rest := n - len(first)*d.batch
	go func() {
		defer close(ch)
		for rest > 0 && ctx.Err() == nil {
			gs, err := d.prepare(min(rest, d.batch))
			if err != nil {
				return
			}
			rest -= d.batch
			select {
			case ch <- gs[0]:
			case <-ctx.Done():
				return
			}
		}
	}()
	return ch, nil
}

// send posts a group's four requests at once and records, for each
// declaration, how many of its documents were accepted and when the last
// one was.
func (d *driver) send(ctx context.Context, g group) {
	for _, guid := range g.guids {
		d.book.expect(guid)
	}
	kinds := d.kinds()
	var wg sync.WaitGroup
	for k, kind := range kinds {
		wg.Go(func() {
			ok := d.post(ctx, kind.path, kind.key, g.bodies[k], len(g.guids))
			now := time.Now()
			for i, guid := range g.guids {
				if ok[i] {
					d.book.accepted(guid, now)
				}
			}
		})
	}
	wg.Wait()
}

// post sends docs until answered other than 503, and reports which were
// accepted.
func (d *driver) post(ctx context.Context, path, key string, body []byte, n int) []bool {
	ok := make([]bool, n)
	for ctx.Err() == nil {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.base+path, bytes.NewReader(body))
		if err != nil {
			d.httpErrors.Add(1)
			return ok
		}
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		resp, err := d.client.Do(req)
		if err != nil {
			if ctx.Err() == nil {
				d.httpErrors.Add(1)
			}
			return ok
		}
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
		_ = resp.Body.Close()
		if resp.StatusCode == http.StatusServiceUnavailable {
			d.refused.Add(1)
			wait := time.Second
			if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && time.Duration(s)*time.Second < wait {
				wait = time.Duration(s) * time.Second
			}
			select {
			case <-ctx.Done():
			case <-time.After(wait):
			}
			continue
		}
		accepted, rejected, answered := submitted(resp.StatusCode, b, ok)
		if !answered {
			d.httpErrors.Add(1)
		}
		d.docsAccepted.Add(int64(accepted))
		d.docsRejected.Add(int64(rejected))
		return ok
	}
	return ok
}

// waitDecided waits until every complete declaration is decided, or d.
func (d *driver) waitDecided(ctx context.Context, within time.Duration) {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if d.book.count(time.Time{}, time.Now()).undecided == 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}
