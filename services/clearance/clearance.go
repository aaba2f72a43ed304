// Package clearance is the retail import service. It consumes every accepted
// import document from CEB_IN, answers it with its receipt and decides each
// inventory list once its order, payment and waybill are all present:
// rejected (100), released (120 → 399 → 800) or handed to an officer (120 →
// 300). It keeps the buyers' annual quota, handles cancellations and applies
// officers' review decisions. The customs rules themselves live in pkg/
// (inventory.Decide and the packages it calls), not here.
package clearance

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/docstore"
	"github.com/cbec/cbec/pkg/ledger"
	"github.com/cbec/cbec/pkg/receipt"
	"github.com/cbec/cbec/pkg/svc"
	"github.com/nats-io/nats.go/jetstream"
)

// Name is the service's name for --services.
const Name = "clearance"

// Durable names of the clearance consumers, shared by all replicas.
const (
	Durable       = "clearance"
	DurableReview = "clearance-review"
)

// workers is how many messages one replica handles at once. A message
// spends most of its time waiting for JetStream, so many in flight keep the
// cores busy: 256 decided 8 % faster than 128 in BenchmarkDecide, 48 slower.
const workers = 256

// Clearance is the retail import service.
type Clearance struct {
	env  *svc.Env
	docs *docstore.Store
	inv  jetstream.KeyValue
	// invReads batches the reads of CBEC_INVENTORY (states and indexes).
	invReads *broker.BatchGetter
	ledger   *ledger.Store
	outbox   *receipt.Outbox
	// gather sends the 120s of orders, payments and waybills.
	gather *receipt.Gatherer
	// life runs the consumers of CEB_IN and of the review decisions, and
	// the sweep.
	life    svc.Lifecycle
	metrics *metrics
}

// New builds the clearance service.
func New(ctx context.Context, env *svc.Env) (svc.Service, error) {
	if env.Tariff == nil || env.Rules == nil || len(env.QuotaSecret) == 0 {
		return nil, errors.New("clearance needs the tariff, the rules and the quota secret")
	}
	docs, err := docstore.Open(ctx, env.JS)
	if err != nil {
		return nil, err
	}
	inv, err := env.JS.KeyValue(ctx, broker.BucketInventory)
	if err != nil {
		return nil, err
	}
	// Like the docstore's, these reads live as long as the connection.
	invReads, err := broker.NewBatchGetter(env.NC, broker.BucketInventory)
	if err != nil {
		return nil, err
	}
	lg, err := ledger.Open(ctx, env.JS)
	if err != nil {
		return nil, err
	}
	outbox := receipt.NewOutbox(env.JS)
	return &Clearance{env: env, docs: docs, inv: inv, invReads: invReads, ledger: lg,
		outbox: outbox, gather: receipt.NewGatherer(outbox), metrics: newMetrics(env.Registry)}, nil
}

// Name implements svc.Service.
func (c *Clearance) Name() string { return Name }

// Start begins consuming the import documents and review decisions, and the
// sweep of incomplete declarations.
func (c *Clearance) Start(ctx context.Context) error {
	var subjects []string
	// CEB625 returns belong to the returns service.
	for _, t := range []ceb.MsgType{ceb.CEB311, ceb.CEB411, ceb.CEB511, ceb.CEB621, ceb.CEB623} {
		subjects = append(subjects, broker.InFilter(string(t)))
	}
	if err := c.life.Consume(ctx, c.env, broker.StreamIn, jetstream.ConsumerConfig{
		Durable: Durable, FilterSubjects: subjects, DeliverPolicy: jetstream.DeliverAllPolicy,
	}, workers, c.handle); err != nil {
		return err
	}
	if err := c.life.Consume(ctx, c.env, broker.StreamEvents, jetstream.ConsumerConfig{
		Durable: DurableReview, FilterSubjects: []string{broker.EventSubject("review", "decided")},
		DeliverPolicy: jetstream.DeliverAllPolicy,
	}, 4, c.handleReviewDecision); err != nil {
		return err
	}
	c.life.Every(ctx, c.env, "incomplete declarations", c.Sweep)
	return nil
}

// Stop ends the sweep and drains the consumers.
func (c *Clearance) Stop(ctx context.Context) error { return c.life.Stop(ctx) }

// handle is the CEB_IN handler: it routes a document by type. Every
// message on CEB_IN is a version acknowledged to its sender (the gateway's
// one write is also the guard), so nothing needs checking first.
func (c *Clearance) handle(ctx context.Context, m jetstream.Msg) error {
	seq, err := broker.StreamSeq(m)
	if err != nil {
		return err
	}
	key := m.Headers().Get(docstore.HeaderKey)
	t := ceb.MsgType(m.Headers().Get(docstore.HeaderMsgType))
	// The body is the gateway's own encoding of a validated document: a
	// plain decode suffices.
	doc, ok := ceb.NewDocument(t).(ceb.Declaration)
	if !ok {
		return broker.Poison(fmt.Errorf("%s seq %d: not a declaration type", t, seq))
	}
	if err := decode(m.Data(), doc); err != nil {
		return broker.Poison(fmt.Errorf("%s seq %d: undecodable: %w", t, seq, err))
	}
	now := c.env.Clock.Now()
	id := "in/" + strconv.FormatUint(seq, 10)
	switch d := doc.(type) {
	case *ceb.Order:
		// The receipt answers its sender, the platform.
		if err := c.gather.Stored(ctx, id, d, now, d.OrderHead.EbpCode); err != nil {
			return err
		}
		_, err := c.evaluate(ctx, docstore.InventoryKey(d.OrderHead.EbpCode, d.OrderHead.OrderNo), id)
		return err
	case *ceb.Payment:
		if err := c.gather.Stored(ctx, id, d, now, d.PaymentHead.PayCode); err != nil {
			return err
		}
		h := d.PaymentHead
		if _, err := c.inv.Put(ctx, docstore.PaymentIndexKey(h.EbpCode, h.OrderNo), []byte(key)); err != nil {
			return err
		}
		_, err := c.evaluate(ctx, docstore.InventoryKey(h.EbpCode, h.OrderNo), id)
		return err
	case *ceb.Logistics:
		if err := c.gather.Stored(ctx, id, d, now, d.LogisticsHead.LogisticsCode); err != nil {
			return err
		}
		return c.waybillArrived(ctx, d, id)
	case *ceb.Inventory:
		return c.declareInventory(ctx, id, seq, d, now)
	case *ceb.InvtCancel:
		return c.cancel(ctx, id, seq, d, now)
	}
	return broker.Poison(fmt.Errorf("%s is not an import declaration", t))
}

// decode reads a CEB_IN message body into doc. Of an order only the head
// is needed here (its lines are read when its list is decided), so its
// lines are skipped rather than decoded: amounts are costly to parse.
func decode(data []byte, doc ceb.Declaration) error {
	if o, ok := doc.(*ceb.Order); ok {
		return broker.Decode(data, &struct {
			OrderHead *ceb.OrderHead `json:"OrderHead"`
		}{&o.OrderHead})
	}
	return broker.Decode(data, doc)
}

// infoDeclared is the text of a list's receipt 2.
const infoDeclared = "电子口岸申报中 declared"

// waybillArrived re-examines the list that named this waybill, if one did.
func (c *Clearance) waybillArrived(ctx context.Context, d *ceb.Logistics, by string) error {
	h := d.LogisticsHead
	key, _, found, err := c.invReads.Get(ctx, docstore.WaybillIndexKey(h.LogisticsCode, h.LogisticsNo))
	if err != nil || !found {
		return err
	}
	_, err = c.evaluate(ctx, string(key), by)
	return err
}
