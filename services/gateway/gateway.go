// Package gateway is the intake service: it authenticates parties, decodes
// and validates CEB documents (XML or JSON), stores every accepted document
// durably on CEB_IN before acknowledging it, and serves receipts and
// declaration state back to the parties they belong to. It answers over
// HTTP and as the NATS micro service cbec-gateway.
package gateway

import (
	"context"
	"net/http"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/httpapi"
	"github.com/cbec/cbec/pkg/receipt"
	"github.com/cbec/cbec/pkg/svc"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nats.go/micro"
)

// Name is the service's name for --services.
const Name = "gateway"

// Gateway is the intake service.
type Gateway struct {
	env      *svc.Env
	auth     *httpapi.Auth
	intake   *Intake
	receipts *receipt.Reader
	inv      jetstream.KeyValue
	metrics  *metrics
	micro    micro.Service
	// bp refuses submissions while the work behind intake passes its
	// bounds (env.Intake).
	bp *Backpressure
}

// New builds the gateway and adds its routes to env.Mux.
func New(ctx context.Context, env *svc.Env) (svc.Service, error) {
	in, err := NewIntake(ctx, env.JS, env.Clock, env.Log)
	if err != nil {
		return nil, err
	}
	inv, err := env.JS.KeyValue(ctx, broker.BucketInventory)
	if err != nil {
		return nil, err
	}
	g := &Gateway{
		env:      env,
		auth:     &httpapi.Auth{Parties: env.Parties, Rate: env.Rate},
		intake:   in,
		receipts: receipt.NewReader(env.JS),
		inv:      inv,
		metrics:  newMetrics(env.Registry),
		bp:       NewBackpressure(env.JS, env.Intake, env.Log),
	}
	env.Registry.MustRegister(g.bp)
	g.routes(env.Mux)
	return g, nil
}

// Name implements svc.Service.
func (g *Gateway) Name() string { return Name }

// Start samples the work behind intake (backpressure) and adds the NATS
// micro endpoint.
func (g *Gateway) Start(ctx context.Context) error {
	g.bp.Start(ctx)
	m, err := startMicro(g)
	if err != nil {
		g.bp.Stop()
		return err
	}
	g.micro = m
	return nil
}

// Stop ends NATS intake; HTTP intake is ended by the process's HTTP server.
func (g *Gateway) Stop(context.Context) error {
	defer g.bp.Stop()
	if g.micro != nil {
		return g.micro.Stop()
	}
	return nil
}

// Refusing returns why intake refuses submissions now ("" while it
// accepts): /readyz is not ready meanwhile, so that load balancers send
// submissions elsewhere.
func (g *Gateway) Refusing() string {
	reason, _ := g.bp.Refusing()
	return reason
}

// ClockRequest sets the development clock.
type ClockRequest struct {
	Now string `json:"now"`
}

// handleClock sets the clock of every service in the process (--dev-clock).
func (g *Gateway) handleClock(w http.ResponseWriter, r *http.Request) {
	p, err := g.auth.Party(r)
	if err != nil {
		httpapi.WriteError(w, err, nil)
		return
	}
	if !p.Has("operator") {
		httpapi.WriteError(w, errcode.New(errcode.Forbidden, "only an operator may set the clock"), nil)
		return
	}
	if g.env.DevClock == nil {
		httpapi.WriteError(w, errcode.New(errcode.DevClockDisabled, "start cbec with --dev-clock (embedded NATS only) to set the clock"), nil)
		return
	}
	var req ClockRequest
	if err := httpapi.ReadJSON(w, r, &req, 0); err != nil {
		httpapi.WriteError(w, err, nil)
		return
	}
	t, err := time.Parse(time.RFC3339, req.Now)
	if err != nil {
		httpapi.WriteError(w, errcode.New(errcode.BadRequest, "now: %v", err), nil)
		return
	}
	g.env.DevClock.Set(t)
	httpapi.Logger(r.Context(), g.env.Log).Info("dev clock set", "by", p.Code, "now", t)
	httpapi.WriteJSON(w, http.StatusOK, ClockRequest{Now: g.env.DevClock.Now().Format(time.RFC3339Nano)})
}
