package webhooks

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/httpapi"
	"github.com/cbec/cbec/pkg/party"
	"github.com/cbec/cbec/pkg/svc"
	"github.com/cbec/cbec/pkg/webhook"
	"github.com/nats-io/nats.go/jetstream"
)

func (s *Service) routes(mux *svc.Router) {
	mux.HandleFunc("POST /v1/webhooks", s.handleCreate)
	mux.HandleFunc("GET /v1/webhooks", s.handleList)
	mux.HandleFunc("GET /v1/webhooks/{id}", s.handleGet)
	mux.HandleFunc("DELETE /v1/webhooks/{id}", s.handleDelete)
	mux.HandleFunc("GET /v1/admin/webhooks", s.handleAdminList)
	mux.HandleFunc("POST /v1/admin/webhooks/{id}/unblock", s.handleUnblock)
}

// View is a subscription as the API shows it: never its secret, with its
// delivery state and its backlog.
type View struct {
	webhook.Subscription
	State webhook.State `json:"state"`
	// Pending counts the receipt messages not yet delivered, the one in
	// flight included.
	Pending uint64 `json:"pending"`
	// Delivered is the cursor of the last receipt message delivered (or
	// skipped: none is), from which GET /v1/receipts?after= reads on.
	Delivered uint64 `json:"delivered"`
}

// ListResponse is a list of subscriptions.
type ListResponse struct {
	Webhooks []View `json:"webhooks"`
}

// AuditEntry is the record on CBEC_AUDIT of an operator's change to a
// subscription.
type AuditEntry struct {
	Actor  string        `json:"actor"`
	Action string        `json:"action"`
	Target string        `json:"target"`
	Party  string        `json:"party"`
	Before webhook.State `json:"before"`
	At     time.Time     `json:"at"`
}

// maxRequest bounds a registration's body.
const maxRequest = 16 << 10

func (s *Service) handleCreate(w http.ResponseWriter, r *http.Request) {
	p, err := s.auth.Party(r)
	if err != nil {
		httpapi.WriteError(w, err, nil)
		return
	}
	var req webhook.Request
	if err := httpapi.ReadJSON(w, r, &req, maxRequest); err != nil {
		httpapi.WriteError(w, err, nil)
		return
	}
	sub, err := webhook.NewSubscription(p.Code, req, s.cfg.Policy, s.env.Clock.Now())
	var inv *webhook.InvalidError
	if errors.As(err, &inv) {
		httpapi.WriteError(w, errcode.New(errcode.BadRequest, "%v", inv), nil)
		return
	}
	if err != nil {
		httpapi.WriteError(w, err, nil)
		return
	}
	have, err := s.store.subscriptions(r.Context(), p.Code)
	if err != nil {
		httpapi.WriteError(w, httpapi.StorageDown(err), nil)
		return
	}
	if len(have) >= webhook.MaxPerParty {
		httpapi.WriteError(w, errcode.New(errcode.BadRequest, "party %s holds %d webhooks, the most allowed; delete one first", p.Code, len(have)), nil)
		return
	}
	// The consumer first: from this moment the party's receipts are kept
	// for the subscription, whichever replica starts delivering them.
	if _, err := s.env.JS.CreateConsumer(r.Context(), broker.StreamOut, consumerConfig(sub, s.cfg)); err != nil {
		httpapi.WriteError(w, httpapi.StorageDown(err), nil)
		return
	}
	b, err := json.Marshal(sub)
	if err == nil {
		_, err = s.store.kv.Create(r.Context(), subKey(p.Code, sub.ID), b)
	}
	if err != nil {
		_ = s.env.JS.DeleteConsumer(context.WithoutCancel(r.Context()), broker.StreamOut, consumerName(sub.ID))
		httpapi.WriteError(w, httpapi.StorageDown(err), nil)
		return
	}
	s.env.Log.Info("webhook registered", "subscription", sub.ID, "party", p.Code, "types", sub.MsgTypes, "format", sub.Format)
	// The only answer that carries the secret.
	httpapi.WriteJSON(w, http.StatusCreated, sub)
}

func (s *Service) handleList(w http.ResponseWriter, r *http.Request) {
	p, err := s.auth.Party(r)
	if err != nil {
		httpapi.WriteError(w, err, nil)
		return
	}
	s.writeList(w, r, p.Code)
}

func (s *Service) handleAdminList(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.operator(w, r); !ok {
		return
	}
	s.writeList(w, r, "")
}

func (s *Service) writeList(w http.ResponseWriter, r *http.Request, party string) {
	subs, err := s.store.subscriptions(r.Context(), party)
	if err != nil {
		httpapi.WriteError(w, httpapi.StorageDown(err), nil)
		return
	}
	out := ListResponse{Webhooks: make([]View, 0, len(subs))}
	for _, sub := range subs {
		v, err := s.view(r.Context(), sub)
		if err != nil {
			httpapi.WriteError(w, httpapi.StorageDown(err), nil)
			return
		}
		out.Webhooks = append(out.Webhooks, v)
	}
	slices.SortFunc(out.Webhooks, func(a, b View) int {
		return strings.Compare(a.Party+a.ID, b.Party+b.ID)
	})
	httpapi.WriteJSON(w, http.StatusOK, out)
}

func (s *Service) handleGet(w http.ResponseWriter, r *http.Request) {
	sub, ok := s.own(w, r)
	if !ok {
		return
	}
	v, err := s.view(r.Context(), sub)
	if err != nil {
		httpapi.WriteError(w, httpapi.StorageDown(err), nil)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, v)
}

func (s *Service) handleDelete(w http.ResponseWriter, r *http.Request) {
	sub, ok := s.own(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	if err := s.store.kv.Delete(ctx, subKey(sub.Party, sub.ID)); err != nil {
		httpapi.WriteError(w, httpapi.StorageDown(err), nil)
		return
	}
	// The watchers stop their consumers on the deletion; the durable and the
	// state go with the subscription. A failure here leaves only garbage
	// that no one delivers.
	if err := s.env.JS.DeleteConsumer(ctx, broker.StreamOut, consumerName(sub.ID)); err != nil && !errors.Is(err, jetstream.ErrConsumerNotFound) {
		s.env.Log.Warn("webhook consumer delete", "subscription", sub.ID, "err", err)
	}
	if err := s.store.kv.Delete(ctx, stateKey(sub.ID)); err != nil {
		s.env.Log.Warn("webhook state delete", "subscription", sub.ID, "err", err)
	}
	s.env.Log.Info("webhook deleted", "subscription", sub.ID, "party", sub.Party)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Service) handleUnblock(w http.ResponseWriter, r *http.Request) {
	op, ok := s.operator(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	sub, err := s.store.byID(ctx, r.PathValue("id"))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		httpapi.WriteError(w, errcode.New(errcode.NotFound, "no webhook %s", r.PathValue("id")), nil)
		return
	}
	if err != nil {
		httpapi.WriteError(w, httpapi.StorageDown(err), nil)
		return
	}
	var before webhook.State
	if _, err := s.store.updateState(ctx, sub.ID, func(st *webhook.State) bool {
		before = *st
		st.Unblock(op.Code)
		return true
	}); err != nil {
		httpapi.WriteError(w, httpapi.StorageDown(err), nil)
		return
	}
	a, _ := json.Marshal(AuditEntry{Actor: op.Code, Action: "webhook.unblock", Target: sub.ID, Party: sub.Party, Before: before, At: s.env.Clock.Now().UTC()})
	if _, err := s.env.JS.Publish(ctx, "cbec.audit."+broker.Token(op.Code), a); err != nil {
		httpapi.WriteError(w, httpapi.StorageDown(err), nil)
		return
	}
	s.env.Log.Info("webhook unblocked", "subscription", sub.ID, "party", sub.Party, "operator", op.Code)
	v, err := s.view(ctx, sub)
	if err != nil {
		httpapi.WriteError(w, httpapi.StorageDown(err), nil)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, v)
}

// own finds the caller's subscription named in the path: another party's
// is not found, as if it did not exist.
func (s *Service) own(w http.ResponseWriter, r *http.Request) (*webhook.Subscription, bool) {
	p, err := s.auth.Party(r)
	if err != nil {
		httpapi.WriteError(w, err, nil)
		return nil, false
	}
	id := r.PathValue("id")
	sub, err := s.store.subscription(r.Context(), subKey(p.Code, id))
	if errors.Is(err, jetstream.ErrKeyNotFound) || errors.Is(err, jetstream.ErrInvalidKey) {
		httpapi.WriteError(w, errcode.New(errcode.NotFound, "no webhook %s", id), nil)
		return nil, false
	}
	if err != nil {
		httpapi.WriteError(w, httpapi.StorageDown(err), nil)
		return nil, false
	}
	return sub, true
}

// operator authenticates the caller as an operator.
func (s *Service) operator(w http.ResponseWriter, r *http.Request) (*party.Party, bool) {
	p, err := s.auth.Party(r)
	if err != nil {
		httpapi.WriteError(w, err, nil)
		return nil, false
	}
	if !p.Has(party.RoleOperator) {
		httpapi.WriteError(w, errcode.New(errcode.Forbidden, "only an operator may see or unblock every party's webhooks"), nil)
		return nil, false
	}
	return p, true
}

// view is sub with its state and its consumer's position.
func (s *Service) view(ctx context.Context, sub *webhook.Subscription) (View, error) {
	v := View{Subscription: sub.Public()}
	st, _, err := s.store.state(ctx, sub.ID)
	if err != nil {
		return v, err
	}
	v.State = st
	c, err := s.env.JS.Consumer(ctx, broker.StreamOut, consumerName(sub.ID))
	if err != nil {
		return v, err
	}
	info := c.CachedInfo()
	v.Pending = info.NumPending + uint64(info.NumAckPending)
	v.Delivered = info.AckFloor.Stream
	return v, nil
}
