// Package clearance is the retail import service. It consumes every accepted
// import document from CEB_IN and answers it with its receipt: orders,
// payments and waybills are stored (120); inventory lists, cancellations and
// returns are declared (2) and given their E-Port pre-entry number. The
// customs rules that decide a declaration live in pkg/, not here.
package clearance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/clock"
	"github.com/cbec/cbec/pkg/docstore"
	"github.com/cbec/cbec/pkg/inventory"
	"github.com/cbec/cbec/pkg/receipt"
	"github.com/cbec/cbec/pkg/svc"
	"github.com/nats-io/nats.go/jetstream"
)

// Name is the service's name for --services.
const Name = "clearance"

// Durable is the name of the clearance consumer on CEB_IN, shared by all
// replicas.
const Durable = "clearance"

// orphanAfter is how long a message on CEB_IN may wait for the CBEC_DOCS
// entry that makes it an accepted version. The gateway writes that entry
// microseconds after the message. If the gateway died in between, the
// sender's retry inside JetStream's duplicate window maps to this very
// message and writes the entry then; past the window no retry can, and the
// copy, never acknowledged to anyone, is dropped.
const orphanAfter = broker.DuplicateWindow + time.Minute

// Clearance is the retail import service.
type Clearance struct {
	env    *svc.Env
	docs   *docstore.Store
	inv    jetstream.KeyValue
	outbox *receipt.Outbox
	cons   *broker.Consumer
}

// New builds the clearance service.
func New(ctx context.Context, env *svc.Env) (svc.Service, error) {
	docs, err := docstore.Open(ctx, env.JS)
	if err != nil {
		return nil, err
	}
	inv, err := env.JS.KeyValue(ctx, broker.BucketInventory)
	if err != nil {
		return nil, err
	}
	return &Clearance{env: env, docs: docs, inv: inv, outbox: receipt.NewOutbox(env.JS)}, nil
}

// Name implements svc.Service.
func (c *Clearance) Name() string { return Name }

// Start begins consuming the import documents.
func (c *Clearance) Start(ctx context.Context) error {
	var subjects []string
	for _, t := range []ceb.MsgType{ceb.CEB311, ceb.CEB411, ceb.CEB511, ceb.CEB621, ceb.CEB623, ceb.CEB625} {
		subjects = append(subjects, broker.InFilter(string(t)))
	}
	cons, err := broker.StartConsumer(ctx, c.env.JS, broker.StreamIn, jetstream.ConsumerConfig{
		Durable: Durable, FilterSubjects: subjects, DeliverPolicy: jetstream.DeliverAllPolicy,
	}, c.env.Log, c.handle)
	if err != nil {
		return err
	}
	c.cons = cons
	return nil
}

// Stop drains the consumer.
func (c *Clearance) Stop(ctx context.Context) error {
	if c.cons == nil {
		return nil
	}
	return c.cons.Stop(ctx)
}

func (c *Clearance) handle(ctx context.Context, m jetstream.Msg) error {
	md, err := m.Metadata()
	if err != nil {
		return broker.Poison(err)
	}
	seq := md.Sequence.Stream
	key := m.Headers().Get(docstore.HeaderKey)
	t := ceb.MsgType(m.Headers().Get(docstore.HeaderMsgType))
	e, _, ok, err := c.docs.Get(ctx, key)
	if err != nil {
		return err
	}
	// A message is processed once its CBEC_DOCS entry names it as an
	// accepted version: the current one, or one appType 2 replaced (it was
	// acknowledged and still gets its receipt; the inventory state keeps the
	// latest).
	if !ok || !e.Accepted(seq) {
		age := time.Since(md.Timestamp)
		if (!ok || seq > e.Seq) && age < orphanAfter {
			delay := 50 * time.Millisecond
			if age > time.Second {
				delay = 5 * time.Second
			}
			return broker.Retry(errors.New("document entry not written yet"), delay)
		}
		c.env.Log.Warn("dropping a copy never acknowledged to its sender", "msgType", t, "seq", seq)
		return nil
	}
	docs, err := ceb.DecodeJSON(t, m.Data())
	if err != nil || len(docs) != 1 {
		return broker.Poison(fmt.Errorf("%s seq %d: undecodable (%d documents): %w", t, seq, len(docs), err))
	}
	now := c.env.Clock.Now()
	id := "in/" + strconv.FormatUint(seq, 10)
	switch d := docs[0].(type) {
	case *ceb.Order:
		return c.send(ctx, id, d, inventory.StatusAccepted, "海关入库 accepted", now, d.OrderHead.EbpCode, d.OrderHead.EbcCode)
	case *ceb.Payment:
		return c.send(ctx, id, d, inventory.StatusAccepted, "海关入库 accepted", now, d.PaymentHead.PayCode)
	case *ceb.Logistics:
		return c.send(ctx, id, d, inventory.StatusAccepted, "海关入库 accepted", now, d.LogisticsHead.LogisticsCode)
	case *ceb.Inventory:
		return c.declareInventory(ctx, id, seq, d, now)
	case *ceb.InvtCancel:
		return c.send(ctx, id, d, inventory.StatusDeclared, "电子口岸申报中 declared", now, d.AgentCode, d.EbpCode)
	case *ceb.InvtRefund:
		return c.send(ctx, id, d, inventory.StatusDeclared, "电子口岸申报中 declared", now, d.InvtRefundHead.AgentCode, d.InvtRefundHead.EbpCode)
	}
	return broker.Poison(fmt.Errorf("%s is not an import declaration", t))
}

// send publishes the declaration's receipt with the status to recipients.
func (c *Clearance) send(ctx context.Context, id string, d ceb.Declaration, status, info string, at time.Time, recipients ...string) error {
	r := ceb.NewReceipt(d, status, info, at)
	return c.outbox.Send(ctx, id+"/"+status, r, at, recipients...)
}

// declareInventory records the list as declared (status 2) with its pre-entry
// number and sends the receipt. A redelivered message finds its sequence
// already applied and only re-sends the same receipt, which JetStream drops
// as a duplicate.
func (c *Clearance) declareInventory(ctx context.Context, id string, seq uint64, d *ceb.Inventory, now time.Time) error {
	h := d.InventoryHead
	key := broker.Key(h.EbpCode, h.OrderNo)
	st, rev, err := c.loadState(ctx, key)
	if err != nil {
		return err
	}
	if st.InSeq < seq {
		st.EbpCode, st.OrderNo, st.EbcCode, st.AgentCode, st.GUID = h.EbpCode, h.OrderNo, h.EbcCode, h.AgentCode, h.Guid
		if st.PreNo == "" {
			st.PreNo = PreNo(now, seq)
		}
		st.CopNo = CopNo(h.CopNo, h.OrderNo)
		st.InSeq = seq
		st.Record(inventory.StatusDeclared, "电子口岸申报中 declared", now)
		if err := c.saveState(ctx, key, st, rev); err != nil {
			return err
		}
	}
	r := ceb.NewReceipt(d, inventory.StatusDeclared, "电子口岸申报中 declared", now).(*ceb.InventoryReturn)
	r.PreNo, r.CopNo, r.InvtNo = st.PreNo, st.CopNo, st.InvtNo
	return c.outbox.Send(ctx, id+"/"+inventory.StatusDeclared, r, now, h.AgentCode, h.EbpCode)
}

func (c *Clearance) loadState(ctx context.Context, key string) (*inventory.State, uint64, error) {
	kve, err := c.inv.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return &inventory.State{}, 0, nil
	}
	if err != nil {
		return nil, 0, err
	}
	var st inventory.State
	if err := json.Unmarshal(kve.Value(), &st); err != nil {
		return nil, 0, broker.Poison(err)
	}
	return &st, kve.Revision(), nil
}

// saveState writes with compare-and-set: a concurrent writer makes this
// attempt fail and the message is redelivered against the new state.
func (c *Clearance) saveState(ctx context.Context, key string, st *inventory.State, rev uint64) error {
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	if rev == 0 {
		_, err = c.inv.Create(ctx, key, b)
	} else {
		_, err = c.inv.Update(ctx, key, b, rev)
	}
	if err != nil {
		return broker.Retry(err, 20*time.Millisecond)
	}
	return nil
}

// PreNo is the 18-character E-Port pre-entry number cbec assigns to a
// declared list: 'I', the declaration date (Asia/Shanghai) and a 9-digit
// serial from the CEB_IN sequence, unique per list.
func PreNo(at time.Time, seq uint64) string {
	return "I" + at.In(clock.Shanghai).Format("20060102") + fmt.Sprintf("%09d", seq%1_000_000_000)
}

// CopNo is the enterprise number carried on receipts: the list's copNo, or
// when it has none the last 20 characters of the order number.
func CopNo(copNo, orderNo string) string {
	if copNo != "" {
		return copNo
	}
	r := []rune(orderNo)
	if len(r) > 20 {
		r = r[len(r)-20:]
	}
	return string(r)
}
