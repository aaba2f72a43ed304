package receipt

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"sync"
	"time"

	"github.com/cbec/cbec/pkg/ceb"
)

// MaxGathered is the most receipts one gathered message carries: a CEB
// receipt message holds at most 100, and the XML receipts page keeps a
// message whole.
const MaxGathered = 100

// gatherTimeout bounds one gathered publication; its waiters get the error.
const gatherTimeout = 10 * time.Second

// Gatherer sends the receipts that concurrent handlers address to the same
// party, of the same type, together in one CEB_OUT message — the 120s of a
// platform's orders, say, which arrive in batches of a hundred. A receipt
// with nobody to share with goes out at once, alone; the receipts that
// arrive while a message to their party is on its way follow in the next
// one. Send returns once JetStream has stored the message holding the
// receipt, so a handler acknowledges its own message only after its
// receipt is durable: at least once, as with Outbox.Send.
//
// The message id is a digest of its receipts' ids, so the same receipts
// gathered again (a publication retried) are stored once. A redelivered
// message whose receipt goes out in other company gets it a second time,
// with the same status: the price of sharing a message.
type Gatherer struct {
	outbox *Outbox
	mu     sync.Mutex
	// queues holds the receipts waiting, by party and receipt type; a key
	// is present while its queue's sender runs.
	queues map[string][]*gathered
}

type gathered struct {
	id   string
	r    ceb.Document
	at   time.Time
	done chan error
}

// NewGatherer gathers receipts for o.
func NewGatherer(o *Outbox) *Gatherer {
	return &Gatherer{outbox: o, queues: map[string][]*gathered{}}
}

// Send stores r for the party to, in a message shared with the receipts of
// the same type that other callers send it meanwhile, and waits until it
// is stored. id identifies the receipt (its message and status).
func (g *Gatherer) Send(ctx context.Context, id string, r ceb.Document, at time.Time, to string) error {
	item := &gathered{id: id, r: r, at: at, done: make(chan error, 1)}
	k := to + "/" + string(r.MsgType())
	g.mu.Lock()
	waiting, running := g.queues[k]
	g.queues[k] = append(waiting, item)
	g.mu.Unlock()
	if !running {
		go g.run(k, to)
	}
	select {
	case err := <-item.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// run sends the queue's receipts, a message at a time, until none wait.
func (g *Gatherer) run(k, to string) {
	for {
		g.mu.Lock()
		waiting := g.queues[k]
		n := min(len(waiting), MaxGathered)
		if n == 0 {
			delete(g.queues, k)
			g.mu.Unlock()
			return
		}
		batch := waiting[:n:n]
		g.queues[k] = waiting[n:]
		g.mu.Unlock()
		err := g.send(batch, to)
		for _, it := range batch {
			it.done <- err
		}
	}
}

func (g *Gatherer) send(batch []*gathered, to string) error {
	ids := make([]string, len(batch))
	rs := make([]ceb.Document, len(batch))
	last := batch[0].at
	for i, it := range batch {
		ids[i], rs[i] = it.id, it.r
		if it.at.After(last) {
			last = it.at
		}
	}
	slices.Sort(ids)
	sum := sha256.New()
	for _, id := range ids {
		sum.Write([]byte(id))
		sum.Write([]byte{0})
	}
	id := "gathered/" + hex.EncodeToString(sum.Sum(nil)[:16])
	ctx, cancel := context.WithTimeout(context.Background(), gatherTimeout)
	defer cancel()
	return g.outbox.SendAll(ctx, id, rs, last, to)
}

// Stored answers a document customs only stores — an order, a payment or
// receipt of payment, a waybill — with its 120 (海关入库 accepted) to to,
// its sender, gathered; by names the message that carried it.
func (g *Gatherer) Stored(ctx context.Context, by string, d ceb.Declaration, at time.Time, to string) error {
	return g.Send(ctx, by+"/120", ceb.NewReceipt(d, "120", "海关入库 accepted", at), at, to)
}
