package webhooks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/webhook"
	"github.com/nats-io/nats.go/jetstream"
)

// Keys of CBEC_WEBHOOKS: a subscription is found by its party (a party lists
// its own without reading anyone else's) and its state by its ID alone (the
// dispatcher and the operators know no party).
const (
	subPrefix   = "sub."
	statePrefix = "state."
)

func subKey(party, id string) string { return subPrefix + broker.Token(party) + "." + id }
func stateKey(id string) string      { return statePrefix + id }

// consumerName is the durable consumer on CEB_OUT of subscription id.
func consumerName(id string) string { return "webhook-" + id }

// store reads and writes CBEC_WEBHOOKS.
type store struct {
	kv jetstream.KeyValue
}

// subscriptions returns every subscription of party, or of every party
// when party is "".
func (s *store) subscriptions(ctx context.Context, party string) ([]*webhook.Subscription, error) {
	filter := subPrefix + ">"
	if party != "" {
		filter = subPrefix + broker.Token(party) + ".*"
	}
	lister, err := s.kv.ListKeysFiltered(ctx, filter)
	if err != nil {
		return nil, err
	}
	var out []*webhook.Subscription
	for k := range lister.Keys() {
		sub, err := s.subscription(ctx, k)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			continue // deleted since listed
		}
		if err != nil {
			return nil, err
		}
		out = append(out, sub)
	}
	return out, nil
}

func (s *store) subscription(ctx context.Context, key string) (*webhook.Subscription, error) {
	e, err := s.kv.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	return decodeSub(e.Value())
}

// byID finds a subscription by ID among every party's.
func (s *store) byID(ctx context.Context, id string) (*webhook.Subscription, error) {
	lister, err := s.kv.ListKeysFiltered(ctx, subPrefix+"*."+id)
	if err != nil {
		return nil, err
	}
	for k := range lister.Keys() {
		return s.subscription(ctx, k)
	}
	return nil, jetstream.ErrKeyNotFound
}

func decodeSub(b []byte) (*webhook.Subscription, error) {
	var sub webhook.Subscription
	if err := broker.Decode(b, &sub); err != nil {
		return nil, fmt.Errorf("webhook subscription: %w", err)
	}
	return &sub, nil
}

// state returns a subscription's delivery state and its revision (0 when
// it has none yet).
func (s *store) state(ctx context.Context, id string) (webhook.State, uint64, error) {
	var st webhook.State
	e, err := s.kv.Get(ctx, stateKey(id))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return st, 0, nil
	}
	if err != nil {
		return st, 0, err
	}
	if err := broker.Decode(e.Value(), &st); err != nil {
		return st, 0, fmt.Errorf("webhook state %s: %w", id, err)
	}
	return st, e.Revision(), nil
}

// updateState applies f to the stored state of id, compare-and-set, so
// that replicas delivering for the same subscription and an operator
// unblocking it never lose each other's changes. f reports whether there is
// anything to write.
func (s *store) updateState(ctx context.Context, id string, f func(*webhook.State) bool) (webhook.State, error) {
	for range broker.MaxCASAttempts {
		st, rev, err := s.state(ctx, id)
		if err != nil {
			return st, err
		}
		if !f(&st) {
			return st, nil
		}
		b, err := json.Marshal(st)
		if err != nil {
			return st, err
		}
		if rev == 0 {
			_, err = s.kv.Create(ctx, stateKey(id), b)
		} else {
			_, err = s.kv.Update(ctx, stateKey(id), b, rev)
		}
		if broker.IsConflict(err) {
			continue
		}
		return st, err
	}
	return webhook.State{}, fmt.Errorf("webhook state %s: %w", id, broker.ErrConflict)
}

// idOfStateKey is the subscription ID of a state key, or "".
func idOfStateKey(k string) string {
	id, ok := strings.CutPrefix(k, statePrefix)
	if !ok {
		return ""
	}
	return id
}
