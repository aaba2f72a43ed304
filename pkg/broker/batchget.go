package broker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// BatchGetter reads one key-value bucket (or the last message of subjects
// of a stream, NewStreamGetter), coalescing the reads of
// concurrent callers into multi_last direct gets: while one batch is in
// flight the next collects, so under load one request and one reply stream
// serve hundreds of reads. A clearance replica reads some fifteen keys per
// declaration from 256 workers at once; read one by one, each read is a
// request, a reply and a timer on both sides (measured: batching takes
// about 15 % off the CPU of BenchmarkDecide). An idle caller's read goes
// out at once, alone.
//
// It answers as jetstream.KeyValue.Get does, with the value and revision
// of the key's last message, found false for a key never written, deleted
// or purged. Reads only: writes go through the bucket's KeyValue.
//
// A direct get may be answered by any replica of the bucket, a follower a
// few writes behind included. On a cluster (a bucket with more than one
// replica) Setup turns direct gets off, and the getter reads each key from
// the stream's leader instead, unbatched: cbec's protocols write and then
// read what another writer wrote (a list and its order, a quota row), and
// only the leader is sure to hold every acknowledged write.
type BatchGetter struct {
	// leader, when set, is the bucket's stream: reads go to its leader.
	leader jetstream.Stream
	nc     *nats.Conn
	api    string // $JS.API.DIRECT.GET.KV_<bucket>
	prefix string // $KV.<bucket>.
	// anyLast, for a stream, reads the last message of the subjects
	// prefix+key+".*": a key's last token is a wildcard (its sender).
	anyLast bool
	kv      bool // a bucket: delete and purge markers read as absent
	inbox   string
	sub     *nats.Subscription
	seq     atomic.Uint64
	replies sync.Map // reply subject → chan *nats.Msg
	closed  atomic.Bool

	mu      sync.Mutex
	queue   []*batchRead
	running bool
}

// batchRead is one caller's read, answered when done closes.
type batchRead struct {
	subject string
	done    chan struct{}
	msg     Msg
	found   bool
	err     error
}

// Msg is a message a getter read: its data, headers and stream sequence
// (a key's revision).
type Msg struct {
	Data   []byte
	Header nats.Header
	Seq    uint64
}

// Bounds of one batch: the server answers at most 1024 subjects a request.
const (
	maxBatchReads = 500
	batchTimeout  = 10 * time.Second
)

// NewBatchGetter reads bucket over nc; Close releases its subscription.
func NewBatchGetter(nc *nats.Conn, bucket string) (*BatchGetter, error) {
	return newGetter(nc, kvStream(bucket), KVSubject(bucket, ""), true)
}

// NewStreamGetter reads, for a key, the last message of the subjects
// prefix+key+".*" of stream (any last token: CEB_IN's sender), as
// NewBatchGetter reads a bucket's keys. The subjects must be such that at
// most one matches a key, as CEB_IN's guard makes them.
func NewStreamGetter(nc *nats.Conn, stream, prefix string) (*BatchGetter, error) {
	g, err := newGetter(nc, stream, prefix, false)
	if g != nil {
		g.anyLast = true
	}
	return g, err
}

func newGetter(nc *nats.Conn, stream, prefix string, kv bool) (*BatchGetter, error) {
	g := &BatchGetter{
		nc: nc, api: "$JS.API.DIRECT.GET." + stream, prefix: prefix, kv: kv,
		inbox: nc.NewInbox(),
	}
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	defer cancel()
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, err
	}
	st, err := js.Stream(ctx, stream)
	if err != nil {
		return nil, fmt.Errorf("batch reads of %s: %w", stream, err)
	}
	if !st.CachedInfo().Config.AllowDirect {
		g.leader = st
		return g, nil
	}
	sub, err := nc.Subscribe(g.inbox+".*", g.route)
	if err != nil {
		return nil, fmt.Errorf("batch reads of %s: %w", stream, err)
	}
	// A batch's replies are bounded by its channel; the subscription
	// itself must never drop one.
	if err := sub.SetPendingLimits(-1, -1); err != nil {
		_ = sub.Unsubscribe()
		return nil, err
	}
	g.sub = sub
	return g, nil
}

// kvStream is the stream behind a key-value bucket.
func kvStream(bucket string) string { return "KV_" + bucket }

// ErrGetterClosed is the error of a read after Close.
var ErrGetterClosed = errors.New("batch reads closed")

// Close stops the getter: later reads fail at once, reads in flight when
// their batch times out.
func (g *BatchGetter) Close() error {
	g.closed.Store(true)
	if g.sub == nil {
		return nil
	}
	return g.sub.Unsubscribe()
}

// route hands a reply to its batch. A reply the batch has no room for (a
// server answering more than asked) is dropped: the batch then times out
// and its reads fail, to be retried.
func (g *BatchGetter) route(m *nats.Msg) {
	if ch, ok := g.replies.Load(m.Subject); ok {
		select {
		case ch.(chan *nats.Msg) <- m:
		default:
		}
	}
}

// Get reads key: its value and revision; found is false when the key is
// absent, deleted or purged.
func (g *BatchGetter) Get(ctx context.Context, key string) (value []byte, rev uint64, found bool, err error) {
	m, found, err := g.GetMsg(ctx, key)
	return m.Data, m.Seq, found, err
}

// GetMsg reads the last message of key's subject, headers included; found
// is false when there is none (or, in a bucket, the key was deleted or
// purged).
func (g *BatchGetter) GetMsg(ctx context.Context, key string) (Msg, bool, error) {
	if g.closed.Load() {
		return Msg{}, false, ErrGetterClosed
	}
	// A multi_last subject may hold wildcards: a key must not.
	if !validKey(key) {
		return Msg{}, false, fmt.Errorf("batch read: invalid key %q", key)
	}
	subject := g.prefix + key
	if g.anyLast {
		subject += ".*"
	}
	if g.leader != nil {
		return g.readLeader(ctx, subject)
	}
	r := &batchRead{subject: subject, done: make(chan struct{})}
	g.mu.Lock()
	g.queue = append(g.queue, r)
	if !g.running {
		g.running = true
		go g.run()
	}
	g.mu.Unlock()
	select {
	case <-r.done:
		return r.msg, r.found, r.err
	case <-ctx.Done():
		return Msg{}, false, ctx.Err()
	}
}

// readLeader reads the last message of subject from the stream's leader.
func (g *BatchGetter) readLeader(ctx context.Context, subject string) (Msg, bool, error) {
	m, err := g.leader.GetLastMsgForSubject(ctx, subject)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return Msg{}, false, nil
	}
	if err != nil {
		return Msg{}, false, err
	}
	return Msg{Data: m.Data, Header: m.Header, Seq: m.Sequence}, g.live(m.Header), nil
}

// asked is the subject a read asked for, of the subject a reply names: with
// anyLast its last token is the wildcard.
func (g *BatchGetter) asked(subject string) string {
	if g.anyLast {
		if i := strings.LastIndexByte(subject, '.'); i >= 0 {
			return subject[:i] + ".*"
		}
	}
	return subject
}

// live reports whether a message read holds a value.
func (g *BatchGetter) live(h nats.Header) bool { return !g.kv || liveKV(h) }

// liveKV reports whether a key-value message's headers hold a value: not a
// delete or purge, nor a marker the server left (max age, purge, remove),
// as nats.go's KeyValue.Get.
func liveKV(h nats.Header) bool {
	op := h.Get("KV-Operation")
	return op != "DEL" && op != "PURGE" && h.Get("Nats-Marker-Reason") == ""
}

// validKey reports a key-value key as nats.go accepts it: dot-separated
// tokens of A-Z a-z 0-9 - _ = /, none empty — so never a wildcard.
func validKey(key string) bool {
	if key == "" || key[0] == '.' || key[len(key)-1] == '.' {
		return false
	}
	for i := 0; i < len(key); i++ {
		switch c := key[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_', c == '=', c == '/':
		case c == '.':
			if key[i-1] == '.' {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// GetJSON is GetJSON for the batched reads: it decodes the value at key
// into v and returns its revision; found is false when the key is absent,
// and a value that does not decode is poison.
func (g *BatchGetter) GetJSON(ctx context.Context, key string, v any) (rev uint64, found bool, err error) {
	b, rev, found, err := g.Get(ctx, key)
	if err != nil || !found {
		return 0, false, err
	}
	if err := Decode(b, v); err != nil {
		return 0, false, Poison(err)
	}
	return rev, true, nil
}

// run sends batches while reads wait, one at a time.
func (g *BatchGetter) run() {
	for {
		g.mu.Lock()
		n := min(len(g.queue), maxBatchReads)
		if n == 0 {
			g.running = false
			g.mu.Unlock()
			return
		}
		batch := g.queue[:n:n]
		g.queue = g.queue[n:]
		g.mu.Unlock()
		// Reads the server did not reach (a reply cut short) go again.
		if again := g.read(batch); len(again) > 0 {
			g.mu.Lock()
			g.queue = append(again, g.queue...)
			g.mu.Unlock()
		}
	}
}

// read asks for the last message of each subject of batch, answers the
// reads it gets replies for and returns those the server left for later.
func (g *BatchGetter) read(batch []*batchRead) (again []*batchRead) {
	waiting := make(map[string][]*batchRead, len(batch))
	subjects := make([]string, 0, len(batch))
	for _, r := range batch {
		if _, dup := waiting[r.subject]; !dup {
			subjects = append(subjects, r.subject)
		}
		waiting[r.subject] = append(waiting[r.subject], r)
	}
	answer := func(subject string, m Msg, found bool, err error) {
		for _, r := range waiting[subject] {
			r.msg, r.found, r.err = m, found, err
			close(r.done)
		}
		delete(waiting, subject)
	}
	failAll := func(err error) {
		for s := range waiting {
			answer(s, Msg{}, false, err)
		}
	}
	req, err := json.Marshal(struct {
		MultiLast []string `json:"multi_last"`
		Batch     int      `json:"batch"`
	}{subjects, len(subjects)})
	if err != nil {
		failAll(err)
		return nil
	}
	reply := g.inbox + "." + strconv.FormatUint(g.seq.Add(1), 10)
	replies := make(chan *nats.Msg, len(subjects)+1)
	g.replies.Store(reply, replies)
	defer g.replies.Delete(reply)
	if err := g.nc.PublishRequest(g.api, reply, req); err != nil {
		failAll(err)
		return nil
	}
	timeout := time.NewTimer(batchTimeout)
	defer timeout.Stop()
	for {
		var m *nats.Msg
		select {
		case m = <-replies:
		case <-timeout.C:
			failAll(fmt.Errorf("batch read: no end of batch within %v", batchTimeout))
			return nil
		}
		switch status := m.Header.Get("Status"); status {
		case "":
			rev, _ := strconv.ParseUint(m.Header.Get("Nats-Sequence"), 10, 64)
			answer(g.asked(m.Header.Get("Nats-Subject")), Msg{Data: m.Data, Header: m.Header, Seq: rev}, g.live(m.Header), nil)
		case "204": // end of batch: what was not sent was not found, unless cut short
			if pending, _ := strconv.ParseUint(m.Header.Get("Nats-Num-Pending"), 10, 64); pending > 0 {
				for _, rs := range waiting {
					again = append(again, rs...)
				}
				return again
			}
			failAll(nil)
			return nil
		case "404":
			if m.Header.Get("Description") == "No Results" {
				failAll(nil) // none of the keys exists
				return nil
			}
			failAll(errors.New("batch read: a message failed to load"))
			return nil
		default:
			failAll(fmt.Errorf("batch read: status %s %s", status, m.Header.Get("Description")))
			return nil
		}
	}
}
