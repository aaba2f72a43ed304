// Package export is the retail export service (9610, 1210, 9710, 9810). It
// consumes export documents from CEB_IN, checks each export inventory list
// (CEB603) against its order, receipt of payment and waybill, follows it
// through arrival at the supervised site (CEB507, release 800) and departure
// (CEB509, closed 899) or its cancellation (CEB605), and produces the
// monthly summary declarations of the lists with statisticsFlag B (D10),
// tracking their due dates. The rules live in pkg/export.
package export

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/docstore"
	"github.com/cbec/cbec/pkg/httpapi"
	"github.com/cbec/cbec/pkg/receipt"
	"github.com/cbec/cbec/pkg/svc"
	"github.com/nats-io/nats.go/jetstream"
)

// Name is the service's name for --services.
const Name = "export"

// Durable is the export consumer on CEB_IN, shared by all replicas.
const Durable = "export"

// Export is the retail export service.
type Export struct {
	env    *svc.Env
	docs   *docstore.Store
	kv     jetstream.KeyValue
	outbox *receipt.Outbox
	// gather sends the 120s of orders, receipts of payment and waybills.
	gather *receipt.Gatherer
	auth   *httpapi.Auth
	life   svc.Lifecycle
}

// New builds the export service and adds its routes.
func New(ctx context.Context, env *svc.Env) (svc.Service, error) {
	if env.ExportRef == nil {
		return nil, errors.New("export needs its reference data (--export)")
	}
	docs, err := docstore.Open(ctx, env.JS)
	if err != nil {
		return nil, err
	}
	kv, err := env.JS.KeyValue(ctx, broker.BucketExport)
	if err != nil {
		return nil, err
	}
	outbox := receipt.NewOutbox(env.JS)
	x := &Export{env: env, docs: docs, kv: kv, outbox: outbox, gather: receipt.NewGatherer(outbox), auth: &httpapi.Auth{Parties: env.Parties, Rate: env.Rate}}
	x.routes(env.Mux)
	env.Registry.MustRegister(&summaryCollector{x: x})
	return x, nil
}

// Name implements svc.Service.
func (x *Export) Name() string { return Name }

// Start consumes the export documents and runs the month-end sweep.
func (x *Export) Start(ctx context.Context) error {
	var subjects []string
	for _, t := range []ceb.MsgType{ceb.CEB303, ceb.CEB403, ceb.CEB505, ceb.CEB507, ceb.CEB509, ceb.CEB603, ceb.CEB605, ceb.CEB701} {
		subjects = append(subjects, broker.InFilter(string(t)))
	}
	if err := x.life.Consume(ctx, x.env, broker.StreamIn, jetstream.ConsumerConfig{
		Durable: Durable, FilterSubjects: subjects, DeliverPolicy: jetstream.DeliverAllPolicy,
	}, 16, x.handle); err != nil {
		return err
	}
	x.life.Every(ctx, x.env, "export month end", x.Sweep)
	return nil
}

// Stop ends the sweep and drains the consumer.
func (x *Export) Stop(ctx context.Context) error { return x.life.Stop(ctx) }

// handle routes one export document by type (every message on CEB_IN
// is an accepted version).
func (x *Export) handle(ctx context.Context, m jetstream.Msg) error {
	seq, err := broker.StreamSeq(m)
	if err != nil {
		return err
	}
	t := ceb.MsgType(m.Headers().Get(docstore.HeaderMsgType))
	doc, isDecl := ceb.NewDocument(t).(ceb.Declaration)
	if !isDecl {
		return broker.Poison(fmt.Errorf("%s is not an export declaration", t))
	}
	if err := broker.Decode(m.Data(), doc); err != nil {
		return broker.Poison(fmt.Errorf("%s seq %d: %w", t, seq, err))
	}
	by := "in/" + strconv.FormatUint(seq, 10)
	now := x.env.Clock.Now()
	switch d := doc.(type) {
	case *ceb.ExportOrder:
		if err := x.gather.Stored(ctx, by, d, now, d.SenderCode()); err != nil {
			return err
		}
		return x.evaluate(ctx, listKey(d.OrderHead.EbpCode, d.OrderHead.OrderNo), by)
	case *ceb.Receipts:
		if err := x.gather.Stored(ctx, by, d, now, d.SenderCode()); err != nil {
			return err
		}
		return x.evaluateIndexed(ctx, orderIndexKey(d.EbcCode, d.OrderNo), by)
	case *ceb.ExportLogistics:
		if err := x.gather.Stored(ctx, by, d, now, d.LogisticsCode); err != nil {
			return err
		}
		return x.evaluateIndexed(ctx, waybillIndexKey(d.LogisticsCode, d.LogisticsNo), by)
	case *ceb.ExportInventory:
		return x.declare(ctx, by, seq, d, now)
	case *ceb.Arrival:
		return x.arrival(ctx, by, seq, d, now)
	case *ceb.Departure:
		return x.departure(ctx, by, seq, d, now)
	case *ceb.ExportInvtCancel:
		return x.cancel(ctx, by, seq, d, now)
	case *ceb.SummaryApply:
		return x.apply(ctx, by, seq, d, now)
	}
	return broker.Poison(fmt.Errorf("%s is not an export declaration", t))
}
