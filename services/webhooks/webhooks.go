// Package webhooks pushes each party's receipts to the callback URLs it
// registered, signed, in order, at least once. A subscription is a durable
// JetStream consumer on CEB_OUT filtered to the party's receipt subjects,
// with one delivery in flight at a time: its position is the delivery
// cursor, so nothing is skipped across restarts and replicas, and a failing
// endpoint holds its backlog, in order, until it answers again or an
// operator unblocks it. The pull queue (GET /v1/receipts) stays the source
// of truth: a webhook is a convenience over it, never the only copy.
package webhooks

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/httpapi"
	"github.com/cbec/cbec/pkg/svc"
	"github.com/cbec/cbec/pkg/webhook"
	"github.com/nats-io/nats.go/jetstream"
)

// Name is the service's name for --services.
const Name = "webhooks"

// Service delivers receipts to webhooks and serves their registration.
type Service struct {
	env     *svc.Env
	cfg     webhook.Config
	store   *store
	client  *http.Client
	auth    *httpapi.Auth
	metrics *metrics

	mu      sync.Mutex
	running map[string]*runner // by subscription ID
	states  map[string]webhook.State
	subs    map[string]*webhook.Subscription

	watchCancel context.CancelFunc
	watchDone   chan struct{}
}

// runner is a subscription's consumer running in this process.
type runner struct {
	sub  *webhook.Subscription
	cons *broker.Consumer
}

// New builds the webhook service and adds its routes.
func New(ctx context.Context, env *svc.Env) (svc.Service, error) {
	kv, err := env.JS.KeyValue(ctx, broker.BucketWebhooks)
	if err != nil {
		return nil, err
	}
	cfg := env.Webhooks.WithDefaults()
	s := &Service{
		env: env, cfg: cfg, store: &store{kv: kv}, client: newClient(cfg),
		auth:    &httpapi.Auth{Parties: env.Parties, Rate: env.Rate},
		metrics: newMetrics(env.Registry),
		running: map[string]*runner{}, states: map[string]webhook.State{}, subs: map[string]*webhook.Subscription{},
	}
	if env.Registry != nil {
		env.Registry.MustRegister(subscriptionCollector{s})
	}
	s.routes(env.Mux)
	return s, nil
}

// Name implements svc.Service.
func (s *Service) Name() string { return Name }

// Start watches the subscriptions and their states, and runs a consumer for
// every subscription that is not blocked. It returns once the ones stored
// now are running.
func (s *Service) Start(ctx context.Context) error {
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	w, err := s.store.kv.WatchAll(wctx)
	if err != nil {
		cancel()
		return err
	}
	s.watchCancel, s.watchDone = cancel, make(chan struct{})
	ready := make(chan struct{})
	go func() {
		defer close(s.watchDone)
		defer func() { _ = w.Stop() }()
		for {
			select {
			case <-wctx.Done():
				return
			case e, ok := <-w.Updates():
				if !ok {
					return
				}
				if e == nil { // the stored values are all in
					close(ready)
					continue
				}
				s.apply(wctx, e)
			}
		}
	}()
	select {
	case <-ready:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// apply brings the runners in line with one change of the bucket.
func (s *Service) apply(ctx context.Context, e jetstream.KeyValueEntry) {
	deleted := e.Operation() != jetstream.KeyValuePut
	if id := idOfStateKey(e.Key()); id != "" {
		var st webhook.State
		if !deleted {
			if err := broker.Decode(e.Value(), &st); err != nil {
				s.env.Log.Error("webhook state unreadable", "subscription", id, "err", err)
				return
			}
		}
		s.mu.Lock()
		s.states[id] = st
		sub := s.subs[id]
		s.mu.Unlock()
		if sub != nil {
			s.reconcile(ctx, sub)
		}
		return
	}
	if deleted {
		id := lastToken(e.Key())
		s.mu.Lock()
		sub := s.subs[id]
		delete(s.subs, id)
		delete(s.states, id)
		s.mu.Unlock()
		if sub != nil {
			s.stop(ctx, id)
		}
		return
	}
	sub, err := decodeSub(e.Value())
	if err != nil {
		s.env.Log.Error("webhook subscription unreadable", "key", e.Key(), "err", err)
		return
	}
	s.mu.Lock()
	s.subs[sub.ID] = sub
	s.mu.Unlock()
	s.reconcile(ctx, sub)
}

// reconcile runs sub's consumer unless it is blocked, and stops it if it
// is.
func (s *Service) reconcile(ctx context.Context, sub *webhook.Subscription) {
	s.mu.Lock()
	blocked := s.states[sub.ID].Blocked
	_, running := s.running[sub.ID]
	s.mu.Unlock()
	switch {
	case blocked && running:
		s.stop(ctx, sub.ID)
	case !blocked && !running:
		if err := s.run(ctx, sub); err != nil {
			s.env.Log.Error("webhook consumer did not start", "subscription", sub.ID, "party", sub.Party, "err", err)
		}
	}
}

// run starts sub's consumer: one message in flight (MaxAckPending 1), so
// that deliveries arrive in the order of the receipts, whichever replica
// makes them.
func (s *Service) run(ctx context.Context, sub *webhook.Subscription) error {
	cfg := consumerConfig(sub, s.cfg)
	cons, err := broker.StartConsumer(ctx, s.env.JS, broker.StreamOut, cfg, s.env.Log, 1,
		func(ctx context.Context, m jetstream.Msg) error { return s.deliver(ctx, sub, m) })
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.running[sub.ID] = &runner{sub: sub, cons: cons}
	s.mu.Unlock()
	return nil
}

// consumerConfig is the durable consumer of sub. It is created at
// registration (so that it starts at the receipts stored from then on, or
// after the cursor asked for) and looked up the same way by every replica.
func consumerConfig(sub *webhook.Subscription, cfg webhook.Config) jetstream.ConsumerConfig {
	var filters []string
	if len(sub.MsgTypes) == 0 {
		filters = []string{broker.OutFilter(sub.Party, "")}
	}
	for _, t := range sub.MsgTypes {
		filters = append(filters, broker.OutFilter(sub.Party, string(t)))
	}
	cc := jetstream.ConsumerConfig{
		Durable: consumerName(sub.ID), Description: "webhook " + sub.ID + " of " + sub.Party,
		FilterSubjects: filters, DeliverPolicy: jetstream.DeliverNewPolicy,
		MaxAckPending: 1, AckWait: cfg.Timeout + 10*time.Second,
	}
	if sub.After > 0 {
		cc.DeliverPolicy, cc.OptStartSeq = jetstream.DeliverByStartSequencePolicy, sub.After+1
	}
	return cc
}

// stop ends the consumer of id in this process, if it runs; the durable
// stays, holding the subscription's position.
func (s *Service) stop(ctx context.Context, id string) {
	s.mu.Lock()
	r := s.running[id]
	delete(s.running, id)
	s.mu.Unlock()
	if r == nil {
		return
	}
	// A delivery in flight finishes (or times out) first.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.Timeout+5*time.Second)
	defer cancel()
	if err := r.cons.Stop(sctx); err != nil {
		s.env.Log.Warn("webhook consumer stop", "subscription", id, "err", err)
	}
}

// deliver posts one receipt message to sub's endpoint.
func (s *Service) deliver(ctx context.Context, sub *webhook.Subscription, m jetstream.Msg) error {
	s.mu.Lock()
	st := s.states[sub.ID]
	s.mu.Unlock()
	if st.Blocked {
		// Blocked since this message was fetched: hand it back at once;
		// the watcher is stopping this consumer.
		return broker.Retry(errBlocked, time.Second)
	}
	body, ctype, seq, err := s.body(sub, m)
	if err != nil || body == nil {
		return err
	}
	start := time.Now()
	err = s.post(ctx, sub, seq, body, ctype)
	s.metrics.observe(time.Since(start), err)
	now := s.env.Clock.Now()
	if err == nil {
		if st.Failures > 0 {
			if _, err := s.store.updateState(ctx, sub.ID, func(st *webhook.State) bool { return st.Succeeded(now) }); err != nil {
				s.env.Log.Warn("webhook state", "subscription", sub.ID, "err", err)
			}
		}
		return nil
	}
	why := reason(err)
	var blocked bool
	next, uerr := s.store.updateState(ctx, sub.ID, func(st *webhook.State) bool {
		blocked = st.Failed(now, why, s.cfg.Retry)
		return true
	})
	if uerr != nil {
		return broker.Retry(uerr, time.Second)
	}
	if blocked {
		s.env.Log.Warn("webhook endpoint blocked", "subscription", sub.ID, "party", sub.Party,
			"failures", next.Failures, "failingSince", next.FailingSince, "reason", why)
		return broker.Retry(errBlocked, time.Second)
	}
	return broker.Retry(fmt.Errorf("webhook %s: %s", sub.ID, why), s.cfg.Retry.Delay(next.Failures))
}

// errBlocked hands a message back because its endpoint is blocked.
var errBlocked = errors.New("endpoint blocked")

// Stop ends the watcher, then every consumer, each after its delivery in
// flight.
func (s *Service) Stop(ctx context.Context) error {
	if s.watchCancel != nil {
		s.watchCancel()
		<-s.watchDone
	}
	s.mu.Lock()
	ids := make([]string, 0, len(s.running))
	for id := range s.running {
		ids = append(ids, id)
	}
	s.mu.Unlock()
	for _, id := range ids {
		s.stop(ctx, id)
	}
	return nil
}

// counts are the subscriptions known to this process, active and blocked.
func (s *Service) counts() (active, blocked int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id := range s.subs {
		if s.states[id].Blocked {
			blocked++
		} else {
			active++
		}
	}
	return active, blocked
}

// lastToken is the last dot-separated token of a key: a subscription's
// ID in sub.<party>.<id>.
func lastToken(k string) string { return k[strings.LastIndexByte(k, '.')+1:] }
