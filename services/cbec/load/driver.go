package load

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/ceb/cebtest"
)

// Driver sends a Generator's plain import declarations to a cbec as fast as
// it takes them or at a fixed rate, and follows their decisions: what
// `cbec bench` measures with. Unlike the Generator it encodes declarations
// ahead, sends only imports, follows every decision (pushed over NATS, not
// polled) and waits out 503s.
type Driver struct {
	base   string
	client *http.Client
	keys   Keys
	batch  int

	gen *Generator
	seq atomic.Int64
	run string

	book *decisions

	docsAccepted, docsRejected, httpErrors, refused atomic.Int64
}

// NewDriver makes a driver that sends gen's declarations to gen's URL with
// its keys, batch documents per request.
func NewDriver(gen *Generator, batch int) *Driver {
	return &Driver{
		base: gen.base, keys: gen.cfg.Keys, batch: batch, gen: gen, run: strconv.FormatInt(time.Now().UnixNano()%1e6, 36),
		client: &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 512}},
		book:   newDecisions(),
	}
}

// Follow subscribes at natsURL, as the declaring agent, to the agent's
// list receipts and records the decisions they carry, until the
// connection it returns is closed.
func (d *Driver) Follow(natsURL string) (*nats.Conn, error) {
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

// Group is a batch of declarations ready to send: their lists' guids and
// the JSON body of each document type, encoded before the clock starts so
// that sending costs the client next to nothing.
type Group struct {
	guids  []string
	bodies [4][]byte
}

// kind is one of the four import documents of a declaration: endpoint,
// the key of the role that sends it, and the document.
type kind struct {
	path, key string
	doc       func(*Import) any
}

func (d *Driver) kinds() [4]kind {
	return [4]kind{
		{"/v1/import/orders", d.keys.EBP, func(x *Import) any { return x.Order }},
		{"/v1/import/payments", d.keys.Pay, func(x *Import) any { return x.Payment }},
		{"/v1/import/waybills", d.keys.Logistics, func(x *Import) any { return x.Waybill }},
		{"/v1/import/inventories", d.keys.Agent, func(x *Import) any { return x.Inventory }},
	}
}

// prepare builds n declarations in groups of a batch, encoded.
func (d *Driver) prepare(n int) ([]Group, error) {
	kinds := d.kinds()
	var out []Group
	now := time.Now()
	for from := 0; from < n; from += d.batch {
		size := min(d.batch, n-from)
		decls := make([]*Import, size)
		g := Group{guids: make([]string, size)}
		for i := range decls {
			decls[i] = d.gen.plain(fmt.Sprintf("BN%s%08d", d.run, d.seq.Add(1)), now)
			g.guids[i] = decls[i].Inventory.InventoryHead.Guid
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

// Supply prepares n declarations into a channel that holds ahead of them:
// it returns once the channel is full (or all are built), so that the
// first ahead declarations are encoded before the clock starts, and goes
// on building the rest while they are sent, until ctx ends. A long soak
// thus needs the memory of ahead declarations, not of all.
func (d *Driver) Supply(ctx context.Context, n, ahead int) (<-chan Group, error) {
	groups := max(1, ahead/d.batch)
	ch := make(chan Group, groups)
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

// AtMax sends the groups from senders concurrent senders, each a group at
// a time, until ctx ends or the groups run out; a group begun is sent
// within flight.
func (d *Driver) AtMax(ctx, flight context.Context, senders int, groups <-chan Group) {
	var wg sync.WaitGroup
	for range senders {
		wg.Go(func() {
			for ctx.Err() == nil {
				g, ok := <-groups
				if !ok {
					return
				}
				// A group once begun is sent whole: its answers count.
				d.send(flight, g)
			}
		})
	}
	wg.Wait()
}

// AtRate sends the groups at rate declarations a second until ctx ends or
// they run out: each group when it is due, whatever the ones before are
// still waiting for, as independent platforms send. A group begun is sent
// within flight.
func (d *Driver) AtRate(ctx, flight context.Context, rate float64, groups <-chan Group) {
	every := time.Duration(float64(d.batch) / rate * float64(time.Second))
	t := time.NewTicker(every)
	defer t.Stop()
	var wg sync.WaitGroup
	defer wg.Wait()
	for g := range groups {
		wg.Go(func() { d.send(flight, g) })
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// send posts a group's four requests at once and records, for each
// declaration, how many of its documents were accepted and when the last
// one was.
func (d *Driver) send(ctx context.Context, g Group) {
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
func (d *Driver) post(ctx context.Context, path, key string, body []byte, n int) []bool {
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

// WaitDecided waits until every complete declaration is decided, for at
// most within, or until ctx ends.
func (d *Driver) WaitDecided(ctx context.Context, within time.Duration) {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if d.book.count(time.Time{}, time.Now()).Undecided == 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Tally accounts for the declarations sent so far, DecidedIn counting the
// decisions that came within [from, to].
func (d *Driver) Tally(from, to time.Time) Tally { return d.book.count(from, to) }

// Sent counts what the sending did: documents accepted and rejected,
// requests failed, and 503s waited out.
type Sent struct {
	Accepted, Rejected, HTTPErrors, Refused int64
}

// Sent returns the counts so far.
func (d *Driver) Sent() Sent {
	return Sent{Accepted: d.docsAccepted.Load(), Rejected: d.docsRejected.Load(), HTTPErrors: d.httpErrors.Load(), Refused: d.refused.Load()}
}
