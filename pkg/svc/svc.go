// Package svc is the contract between the cbec binary and its services: the
// environment a service is built from and the life cycle it follows. Every
// service runs alone against an external NATS or together with the others in
// one process, without knowing which.
package svc

import (
	"context"
	"log/slog"
	"time"

	"github.com/cbec/cbec/pkg/clock"
	"github.com/cbec/cbec/pkg/dsig"
	"github.com/cbec/cbec/pkg/export"
	"github.com/cbec/cbec/pkg/party"
	"github.com/cbec/cbec/pkg/rules"
	"github.com/cbec/cbec/pkg/tariff"
	"github.com/cbec/cbec/pkg/webhook"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
)

// Env is what a service is built from.
type Env struct {
	NC       *nats.Conn
	JS       jetstream.JetStream
	Clock    clock.Clock
	Log      *slog.Logger
	Registry *prometheus.Registry
	Parties  *party.Directory
	// Mux is the process's HTTP router; a service adds its routes to it.
	Mux *Router
	// DevClock is the settable clock when --dev-clock is on, else nil.
	DevClock *clock.Settable
	// Rate limits each party's HTTP requests per second (0 = unlimited).
	Rate float64

	// Tariff is the positive list and tariff (--tariff).
	Tariff *tariff.Table
	// Rules are the limits, windows and risk rules (--rules) the process
	// started with. Read the rules in force with CurrentRules.
	Rules *rules.Set
	// LiveRules, when set, holds the rules in force as operators activate
	// new versions (nil: Rules stay in force).
	LiveRules *rules.Live
	// ExportRef is the export reference data: currencies and rates,
	// prohibited and simplified-declaration goods, trade modes (--export).
	ExportRef *export.Reference
	// Zones is the zones and return-center warehouses file (--zones), the
	// registry's seed.
	Zones []byte
	// TradeTarget is the annual trade target in CNY the volume metrics are
	// held against (0 = the metrics service's default).
	TradeTarget float64
	// QuotaSecret keys the HMAC that names buyers in the quota ledger (D6).
	QuotaSecret []byte
	// SweepInterval is how often timed sweeps run (incomplete declarations,
	// return deadlines); 0 means the default of 30 s.
	SweepInterval time.Duration
	// Intake bounds the gateway's intake: it refuses documents while the
	// work behind it passes them (the zero value bounds nothing).
	Intake IntakeLimits
	// Webhooks configures the delivery of receipts to the parties'
	// callback URLs.
	Webhooks webhook.Config
	// Signer signs the receipts emitted as XML (--signing-key and
	// --signing-cert); nil emits them unsigned.
	Signer *dsig.Signer
}

// CurrentRules returns the rules in force now: the live version when the
// process follows activations, else Rules. One atomic load: cheap enough
// for every decision.
func (e *Env) CurrentRules() *rules.Set {
	if e.LiveRules != nil {
		return e.LiveRules.Load()
	}
	return e.Rules
}

// IntakeLimits are the bounds past which the gateway refuses submissions
// with 503 and Retry-After, until the work behind it has drained (below
// ResumeShare of each bound). A zero bound is no bound.
type IntakeLimits struct {
	// MaxBacklog is the most CEB_IN documents the consumers that decide
	// them (clearance, returns, export) may have pending, delivered or not.
	MaxBacklog int64
	// MaxStreamBytes and MaxStreamMsgs bound CEB_IN itself.
	MaxStreamBytes int64
	MaxStreamMsgs  int64
}

// ResumeShare is the share of a bound below which a refusing intake
// accepts again: the gap keeps it from flapping at the bound.
const ResumeShare = 0.8

// Service is one cbec service.
type Service interface {
	// Name is the service's name as given to --services.
	Name() string
	// Start begins consuming; it returns once the service is serving.
	Start(ctx context.Context) error
	// Stop ends intake or drains consumers, finishing work in flight.
	Stop(ctx context.Context) error
}
