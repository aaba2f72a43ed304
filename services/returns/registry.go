package returns

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/httpapi"
	"github.com/cbec/cbec/pkg/party"
	"github.com/cbec/cbec/pkg/zone"
)

// Audit is an operator's change of the registry, published on CBEC_AUDIT
// (which denies delete and purge).
type Audit struct {
	Actor  string          `json:"actor"`
	Action string          `json:"action"`
	Target string          `json:"target"`
	Before *zone.Warehouse `json:"before,omitempty"`
	After  *zone.Warehouse `json:"after,omitempty"`
	At     time.Time       `json:"at"`
}

func (r *Returns) handleWarehouses(w http.ResponseWriter, req *http.Request) {
	if _, err := r.auth.Party(req); err != nil {
		httpapi.WriteError(w, err, nil)
		return
	}
	reg, _, err := r.registry(req.Context())
	if err != nil {
		httpapi.WriteError(w, errcode.Wrap(errcode.Unavailable, err, "registry temporarily unavailable; retry later"), nil)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"zones": reg.Zones(), "warehouses": reg.Warehouses()})
}

func (r *Returns) handlePutWarehouse(w http.ResponseWriter, req *http.Request) {
	p, ok := r.operator(w, req)
	if !ok {
		return
	}
	var wh zone.Warehouse
	if err := httpapi.ReadJSON(w, req, &wh, 0); err != nil {
		httpapi.WriteError(w, err, nil)
		return
	}
	after, err := r.updateRegistry(req.Context(), p, "put", wh.Code, func(reg *zone.Registry) (*zone.Registry, error) { return reg.With(wh) })
	if err != nil {
		httpapi.WriteError(w, err, nil)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, after)
}

func (r *Returns) handleDeactivate(w http.ResponseWriter, req *http.Request) {
	p, ok := r.operator(w, req)
	if !ok {
		return
	}
	code := req.PathValue("code")
	after, err := r.updateRegistry(req.Context(), p, "deactivate", code, func(reg *zone.Registry) (*zone.Registry, error) { return reg.Deactivate(code) })
	if err != nil {
		httpapi.WriteError(w, err, nil)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, after)
}

func (r *Returns) operator(w http.ResponseWriter, req *http.Request) (*party.Party, bool) {
	p, err := r.auth.Party(req)
	if err != nil {
		httpapi.WriteError(w, err, nil)
		return nil, false
	}
	if !p.Has(party.RoleOperator) {
		httpapi.WriteError(w, errcode.New(errcode.Forbidden, "only an operator may change the warehouse registry"), nil)
		return nil, false
	}
	if err := httpapi.RequireContentType(req, "application/json"); err != nil && req.ContentLength != 0 {
		httpapi.WriteError(w, err, nil)
		return nil, false
	}
	return p, true
}

// updateRegistry applies f to the stored registry with compare-and-set and
// audits the change; a change f refuses is a BadRequest.
func (r *Returns) updateRegistry(ctx context.Context, p *party.Party, action, code string, f func(*zone.Registry) (*zone.Registry, error)) (*zone.Warehouse, error) {
	for range broker.MaxCASAttempts {
		reg, rev, err := r.registry(ctx)
		if err != nil {
			return nil, err
		}
		var before *zone.Warehouse
		if w, ok := reg.Warehouse(code); ok {
			before = &w
		}
		next, err := f(reg)
		if err != nil {
			var coded *errcode.Error
			if errors.As(err, &coded) {
				return nil, coded
			}
			return nil, errcode.New(errcode.BadRequest, "%v", err)
		}
		var buf bytes.Buffer
		if err := next.Encode(&buf); err != nil {
			return nil, err
		}
		if rev == 0 {
			_, err = r.kv.Create(ctx, registryKey, buf.Bytes())
		} else {
			_, err = r.kv.Update(ctx, registryKey, buf.Bytes(), rev)
		}
		if broker.IsConflict(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		after, _ := next.Warehouse(code)
		a, _ := json.Marshal(Audit{Actor: p.Code, Action: "warehouse." + action, Target: code, Before: before, After: &after, At: r.env.Clock.Now().UTC()})
		if _, err := r.env.JS.Publish(ctx, "cbec.audit."+broker.Token(p.Code), a); err != nil {
			return nil, err
		}
		return &after, nil
	}
	return nil, errors.New("registry: too many concurrent changes")
}
