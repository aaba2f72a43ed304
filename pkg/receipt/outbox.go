// Package receipt delivers receipts to parties and reads them back.
// Receipts are messages on the CEB_OUT stream under
// ceb.out.<party>.<msgtype>, so a party can subscribe to its subjects over
// NATS or page through them by cursor over HTTP, as often as it likes. A
// message's body is a JSON array of receipts of its one type — usually one;
// the steps a declaration passes at once (120, 399 and 800 of a release)
// travel together, the way one CEB622Message holds several InventoryReturn
// elements, so that a release costs each recipient one stored message.
package receipt

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/ceb"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Headers of a receipt message on CEB_OUT.
const (
	HeaderMsgType = "Cbec-Msg-Type"
	HeaderParty   = "Cbec-Party"
	HeaderTime    = "Cbec-Time"
)

// Outbox publishes receipts to CEB_OUT.
type Outbox struct {
	js jetstream.JetStream
}

// NewOutbox returns an outbox publishing with js.
func NewOutbox(js jetstream.JetStream) *Outbox { return &Outbox{js: js} }

// Send stores the receipt once for each distinct recipient and waits until
// JetStream has. id identifies the event that caused the receipt (for
// example the inbound sequence and the status); with it JetStream drops the
// copy a redelivered message would publish again.
func (o *Outbox) Send(ctx context.Context, id string, r ceb.Document, at time.Time, recipients ...string) error {
	return o.SendAll(ctx, id, []ceb.Document{r}, at, recipients...)
}

// SendAll is Send for several receipts of one type, which each recipient
// gets together in one message (PublishAll).
func (o *Outbox) SendAll(ctx context.Context, id string, rs []ceb.Document, at time.Time, recipients ...string) error {
	futures, err := o.PublishAll(id, rs, at, recipients...)
	if err != nil {
		return err
	}
	return broker.Wait(ctx, futures...)
}

// Publish is Send without the wait: it returns the acknowledgements to come,
// so that a caller publishing several receipts waits once for all
// (broker.Wait).
func (o *Outbox) Publish(id string, r ceb.Document, at time.Time, recipients ...string) ([]jetstream.PubAckFuture, error) {
	return o.PublishAll(id, []ceb.Document{r}, at, recipients...)
}

// PublishAll is Publish for several receipts of one type: each recipient
// gets them in one message, in order.
func (o *Outbox) PublishAll(id string, rs []ceb.Document, at time.Time, recipients ...string) ([]jetstream.PubAckFuture, error) {
	if len(rs) == 0 {
		return nil, nil
	}
	t := rs[0].MsgType()
	for _, r := range rs[1:] {
		if r.MsgType() != t {
			return nil, fmt.Errorf("receipts %s and %s in one message", t, r.MsgType())
		}
	}
	body, err := json.Marshal(rs)
	if err != nil {
		return nil, fmt.Errorf("receipt %s: %w", t, err)
	}
	seen := make([]string, 0, len(recipients))
	futures := make([]jetstream.PubAckFuture, 0, len(recipients))
	for _, p := range recipients {
		if p == "" || slices.Contains(seen, p) {
			continue
		}
		seen = append(seen, p)
		m := &nats.Msg{
			Subject: broker.OutSubject(p, string(t)),
			Data:    body,
			Header:  nats.Header{},
		}
		m.Header.Set(HeaderMsgType, string(t))
		m.Header.Set(HeaderParty, p)
		m.Header.Set(HeaderTime, at.UTC().Format(time.RFC3339Nano))
		m.Header.Set(jetstream.MsgIDHeader, id+"/"+p)
		f, err := o.js.PublishMsgAsync(m)
		if err != nil {
			return futures, fmt.Errorf("receipt %s to %s: %w", t, p, err)
		}
		futures = append(futures, f)
	}
	return futures, nil
}

// Record is one stored receipt as the receipts API returns it.
type Record struct {
	// Cursor is the position of the message that carries the receipt
	// (receipts sent together share it); pass it as `after` to read on.
	Cursor  uint64          `json:"cursor"`
	MsgType ceb.MsgType     `json:"msgType"`
	Time    time.Time       `json:"time"`
	Receipt json.RawMessage `json:"receipt"`
}

// Document decodes the record's receipt into its CEB type.
func (r Record) Document() (ceb.Document, error) {
	if !r.MsgType.IsReceipt() {
		return nil, fmt.Errorf("receipt type %s unknown", r.MsgType)
	}
	d := ceb.NewDocument(r.MsgType)
	if err := broker.Decode(r.Receipt, d); err != nil {
		return nil, fmt.Errorf("receipt %d: %w", r.Cursor, err)
	}
	return d, nil
}

// Reader pages through a party's receipts.
type Reader struct {
	js jetstream.JetStream
}

// NewReader returns a reader using js.
func NewReader(js jetstream.JetStream) *Reader { return &Reader{js: js} }

// MaxPage bounds one page of receipts.
const MaxPage = 500

// Read returns up to limit receipts of party after the cursor, oldest first,
// optionally of one type only. It reads the stream directly, so the same page
// can be read again and nothing is consumed. A page holds whole messages:
// it ends before a message whose receipts would pass limit, unless that
// message is the first (then the page holds all of its receipts).
func (r *Reader) Read(ctx context.Context, party string, msgType ceb.MsgType, after uint64, limit int) ([]Record, error) {
	limit = min(max(limit, 1), MaxPage)
	st, err := r.js.Stream(ctx, broker.StreamOut)
	if err != nil {
		return nil, err
	}
	filter := broker.OutFilter(party, string(msgType))
	out := make([]Record, 0, min(limit, 64))
	seq := after + 1
	for len(out) < limit {
		m, err := st.GetMsg(ctx, seq, jetstream.WithGetMsgSubject(filter))
		if err != nil {
			if isNotFound(err) {
				break
			}
			return nil, err
		}
		recs, err := Records(m.Sequence, m.Data, m.Header, m.Time)
		if err != nil {
			return nil, err
		}
		if len(out) > 0 && len(out)+len(recs) > limit {
			break
		}
		out = append(out, recs...)
		seq = m.Sequence + 1
	}
	return out, nil
}

// Records are the receipts of the CEB_OUT message at seq, with its body,
// headers and the time the stream stored it (used when the message carries
// no HeaderTime): what the receipts API pages through and webhooks deliver.
func Records(seq uint64, body []byte, h nats.Header, stored time.Time) ([]Record, error) {
	bodies, err := splitReceipts(body)
	if err != nil {
		return nil, fmt.Errorf("receipt message %d: %w", seq, err)
	}
	at := stored
	if ts, err := time.Parse(time.RFC3339Nano, h.Get(HeaderTime)); err == nil {
		at = ts
	}
	t := ceb.MsgType(h.Get(HeaderMsgType))
	out := make([]Record, len(bodies))
	for i, b := range bodies {
		out[i] = Record{Cursor: seq, MsgType: t, Receipt: b, Time: at}
	}
	return out, nil
}

// splitReceipts splits a receipt message's body into its receipts: a JSON array
// of them, or — as cbec stored receipts before they travelled together —
// a single receipt object, which a data directory of an earlier version
// still holds.
func splitReceipts(body []byte) ([]json.RawMessage, error) {
	body = bytes.TrimSpace(body)
	if len(body) > 0 && body[0] == '{' {
		return []json.RawMessage{body}, nil
	}
	var rs []json.RawMessage
	if err := broker.Decode(body, &rs); err != nil {
		return nil, err
	}
	return rs, nil
}

func isNotFound(err error) bool { return errors.Is(err, jetstream.ErrMsgNotFound) }
