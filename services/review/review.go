// Package review is the customs officer review desk. It keeps a case for
// every inventory list that the risk rules routed to manual review (status
// 300), follows what happens to the list afterwards, and lets officers work
// the cases: claim one, release it, reject it with a reason, order an
// inspection and record its result, add notes; a supervisor sees every case
// and reassigns claims. Decisions go to clearance as inventory.ReviewDecision
// on cbec.evt.review.decided; every action is audited on CBEC_AUDIT.
//
// It serves a JSON API under /v1/review/ and a server-rendered web desk under
// /review/ (html/template, embedded assets, Chinese and English). Cases,
// claims and desk sessions live in the CBEC_REVIEW bucket, written with
// compare-and-set, so any number of replicas serve the same desk.
package review

import (
	"context"
	"errors"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/docstore"
	"github.com/cbec/cbec/pkg/httpapi"
	"github.com/cbec/cbec/pkg/ledger"
	"github.com/cbec/cbec/pkg/svc"
	"github.com/nats-io/nats.go/jetstream"
)

// Name is the service's name for --services.
const Name = "review"

// Durable is the review consumer on CBEC_EVENTS, shared by all replicas.
const Durable = "review"

// workers is how many events one replica handles at once; a case is
// guarded by compare-and-set and the event sequence, so order does not
// matter.
const workers = 4

// DefaultClaimTTL is the claim expiry when the rules file sets none.
const DefaultClaimTTL = 30 * time.Minute

// Review is the review desk service.
type Review struct {
	env    *svc.Env
	kv     jetstream.KeyValue
	idx    jetstream.KeyValue
	inv    jetstream.KeyValue
	docs   *docstore.Store
	ledger *ledger.Store
	auth   *httpapi.Auth
	life   svc.Lifecycle
}

// New builds the review service and adds its routes to env.Mux.
func New(ctx context.Context, env *svc.Env) (svc.Service, error) {
	if env.Rules == nil {
		return nil, errors.New("review needs the rules")
	}
	kv, err := env.JS.KeyValue(ctx, broker.BucketReview)
	if err != nil {
		return nil, err
	}
	idx, err := env.JS.KeyValue(ctx, broker.BucketReviewIndex)
	if err != nil {
		return nil, err
	}
	inv, err := env.JS.KeyValue(ctx, broker.BucketInventory)
	if err != nil {
		return nil, err
	}
	docs, err := docstore.Open(ctx, env.JS)
	if err != nil {
		return nil, err
	}
	l, err := ledger.Open(ctx, env.JS)
	if err != nil {
		return nil, err
	}
	r := &Review{env: env, kv: kv, idx: idx, inv: inv, docs: docs, ledger: l,
		auth: &httpapi.Auth{Parties: env.Parties, Rate: env.Rate}}
	r.apiRoutes(env.Mux)
	r.deskRoutes(env.Mux)
	return r, nil
}

// Name implements svc.Service.
func (r *Review) Name() string { return Name }

// Start rebuilds the queue's index if it is missing, consumes the review
// requests and the later steps of the lists, and runs the sweep that
// re-publishes unsent audit entries and decisions and
// forgets expired sessions.
func (r *Review) Start(ctx context.Context) error {
	if err := r.ensureIndex(ctx); err != nil {
		return err
	}
	if err := r.life.Consume(ctx, r.env, broker.StreamEvents, jetstream.ConsumerConfig{
		Durable: Durable, FilterSubjects: eventSubjects(), DeliverPolicy: jetstream.DeliverAllPolicy,
	}, workers, r.handleEvent); err != nil {
		return err
	}
	r.life.Every(ctx, r.env, "review outbox and sessions", r.Sweep)
	return nil
}

// Stop ends the sweep and drains the consumer.
func (r *Review) Stop(ctx context.Context) error { return r.life.Stop(ctx) }

// claimTTL is how long a claim lasts (rules file windows.reviewClaimTTL).
func (r *Review) claimTTL() time.Duration {
	if ttl := r.env.CurrentRules().Windows.ReviewClaimTTL; ttl > 0 {
		return ttl
	}
	return DefaultClaimTTL
}
