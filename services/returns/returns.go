// Package returns is the return-center warehouse service. It takes return
// applications (CEB625) for released retail import lists, checks them
// against the legal windows and the original list, follows the parcel into
// the return-center warehouse of the original special customs supervision
// zone (or the original supervision site for 9610), records the sorting
// result, and on acceptance gives back the buyer's quota and the tax of the
// returned quantity, exactly once, through the same ledger as clearance.
// The rules live in pkg/refund and pkg/zone.
package returns

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/docstore"
	"github.com/cbec/cbec/pkg/httpapi"
	"github.com/cbec/cbec/pkg/ledger"
	"github.com/cbec/cbec/pkg/receipt"
	"github.com/cbec/cbec/pkg/svc"
	"github.com/cbec/cbec/pkg/zone"
	"github.com/nats-io/nats.go/jetstream"
)

// Name is the service's name for --services.
const Name = "returns"

// Durable is the returns consumer on CEB_IN, shared by all replicas.
const Durable = "returns"

// Returns is the return-center warehouse service.
type Returns struct {
	env    *svc.Env
	docs   *docstore.Store
	inv    jetstream.KeyValue
	kv     jetstream.KeyValue
	ledger *ledger.Store
	outbox *receipt.Outbox
	auth   *httpapi.Auth
	life   svc.Lifecycle
}

// New builds the returns service and adds its routes.
func New(ctx context.Context, env *svc.Env) (svc.Service, error) {
	if env.Rules == nil || len(env.Zones) == 0 {
		return nil, errors.New("returns needs the rules and the zones file")
	}
	docs, err := docstore.Open(ctx, env.JS)
	if err != nil {
		return nil, err
	}
	inv, err := env.JS.KeyValue(ctx, broker.BucketInventory)
	if err != nil {
		return nil, err
	}
	kv, err := env.JS.KeyValue(ctx, broker.BucketReturns)
	if err != nil {
		return nil, err
	}
	l, err := ledger.Open(ctx, env.JS)
	if err != nil {
		return nil, err
	}
	r := &Returns{env: env, docs: docs, inv: inv, kv: kv, ledger: l, outbox: receipt.NewOutbox(env.JS),
		auth: &httpapi.Auth{Parties: env.Parties, Rate: env.Rate}}
	// Refuse a bad zones file at start, not at the first return.
	if _, err := zone.Load(bytes.NewReader(env.Zones)); err != nil {
		return nil, fmt.Errorf("--zones: %w", err)
	}
	r.routes(env.Mux)
	return r, nil
}

// registry reads the registry stored in CBEC_RETURNS — the zones file until
// an operator first changes it — and its revision. Every replica reads it
// at use, so a change made through one is seen by all.
func (r *Returns) registry(ctx context.Context) (*zone.Registry, uint64, error) {
	kve, err := r.kv.Get(ctx, registryKey)
	var (
		data []byte
		rev  uint64
	)
	switch {
	case errors.Is(err, jetstream.ErrKeyNotFound):
		data = r.env.Zones
	case err != nil:
		return nil, 0, err
	default:
		data, rev = kve.Value(), kve.Revision()
	}
	reg, err := zone.Load(bytes.NewReader(data))
	return reg, rev, err
}

// Name implements svc.Service.
func (r *Returns) Name() string { return Name }

// Start consumes return applications and runs the expiry sweep.
func (r *Returns) Start(ctx context.Context) error {
	if err := r.life.Consume(ctx, r.env, broker.StreamIn, jetstream.ConsumerConfig{
		Durable: Durable, FilterSubjects: []string{broker.InFilter("CEB625")}, DeliverPolicy: jetstream.DeliverAllPolicy,
	}, 8, r.handle); err != nil {
		return err
	}
	r.life.Every(ctx, r.env, "return deadlines", r.Sweep)
	return nil
}

// Stop ends the sweep and drains the consumer.
func (r *Returns) Stop(ctx context.Context) error { return r.life.Stop(ctx) }
