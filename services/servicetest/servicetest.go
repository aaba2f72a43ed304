// Package servicetest runs cbec services for tests: the gateway, the
// clearance, returns and review services against a real embedded NATS server, behind a real HTTP
// server, with a fixed clock and the embedded reference data. Tests talk to
// it over HTTP like a party would.
package servicetest

import (
	"slices"

	"bytes"
	"context"
	"encoding/json"
	"go.yaml.in/yaml/v3"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/cbec/cbec/deploy"
	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/ceb/cebtest"
	"github.com/cbec/cbec/pkg/clock"
	exportrule "github.com/cbec/cbec/pkg/export"
	"github.com/cbec/cbec/pkg/httpapi"
	"github.com/cbec/cbec/pkg/natstest"
	"github.com/cbec/cbec/pkg/party"
	"github.com/cbec/cbec/pkg/rules"
	"github.com/cbec/cbec/pkg/svc"
	"github.com/cbec/cbec/pkg/tariff"
	"github.com/cbec/cbec/pkg/telemetry"
	"github.com/cbec/cbec/pkg/webhook"
	"github.com/cbec/cbec/services/clearance"
	"github.com/cbec/cbec/services/export"
	"github.com/cbec/cbec/services/gateway"
	"github.com/cbec/cbec/services/returns"
	"github.com/cbec/cbec/services/review"
	"github.com/cbec/cbec/services/webhooks"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/shopspring/decimal"
)

// Demo keys of the cebtest parties (deploy/parties.yaml).
const (
	KeyEBP       = "demo-ebp"          // 1500000001
	KeyEBC       = "demo-ebc"          // 1500000002
	KeyPay       = "demo-pay"          // 1500000003
	KeyLogistics = "demo-logistics-cq" // 1500000004
	KeyAgent     = "demo-agent"        // 1500000005
	KeyOtherEBP  = "demo-ebp-sample"   // 1101110325
	KeyOfficer   = "demo-officer"      // OFFICER01
	KeySuper     = "demo-supervisor"   // SUPER01, supervisor and officer
	KeyWarehouse = "demo-warehouse"    // 5000000001
	KeyOperator  = "demo-operator"
)

// Start is the harness clock's start: 2025-03-10 10:00 in Shanghai, the
// declaration date of the cebtest fixtures.
var Start = time.Date(2025, 3, 10, 10, 0, 0, 0, clock.Shanghai)

// Harness is a running gateway, clearance, returns and review service.
type Harness struct {
	T     testing.TB
	URL   string
	NC    *nats.Conn
	JS    jetstream.JetStream
	Clock *clock.Settable
	Env   *svc.Env
	// Clearance is the running clearance service (Restart replaces it).
	Clearance svc.Service
	// Returns is the running returns service.
	Returns svc.Service
	// Export is the running export service.
	Export svc.Service
	// Review is the running review desk service.
	Review svc.Service
	// Webhooks is the running webhook service.
	Webhooks svc.Service
	Server   *server.Server

	embedded *broker.Embedded
}

// Option changes the harness before the services start.
type Option func(*svc.Env)

// WithRules replaces the rules (limits, windows, risk rules).
func WithRules(yaml string) Option {
	return func(env *svc.Env) {
		s, err := rules.Load(bytes.NewReader([]byte(yaml)))
		if err != nil {
			panic(err)
		}
		env.Rules = s
	}
}

// WithSignatures registers signing certificates (PEM, by party code) in
// the demo parties, as their entries in the parties file would, and makes
// the signatures of the parties in required mandatory.
func WithSignatures(certs map[string][]byte, required ...string) Option {
	return func(env *svc.Env) {
		var f struct {
			Parties []party.Party `yaml:"parties"`
		}
		if err := yaml.Unmarshal(deploy.Parties, &f); err != nil {
			panic(err)
		}
		for i := range f.Parties {
			p := &f.Parties[i]
			if c, ok := certs[p.Code]; ok {
				p.CertificatesPEM = []string{string(c)}
			}
			if slices.Contains(required, p.Code) {
				p.Signatures = party.SignaturesRequired
			}
		}
		b, err := yaml.Marshal(f)
		if err != nil {
			panic(err)
		}
		dir, err := party.Load(bytes.NewReader(b))
		if err != nil {
			panic(err)
		}
		env.Parties = dir
	}
}

// TestWebhooks are the harness's webhook settings: local http receivers
// admitted, and a retry schedule of milliseconds (the retry window is
// measured on the harness clock, which tests move).
var TestWebhooks = webhook.Config{
	Policy:  webhook.Policy{AllowHTTP: true, AllowPrivate: true},
	Retry:   webhook.Retry{Base: 20 * time.Millisecond, Max: 200 * time.Millisecond, For: 24 * time.Hour},
	Timeout: 500 * time.Millisecond,
}

// WithWebhooks replaces the webhook settings.
func WithWebhooks(c webhook.Config) Option {
	return func(env *svc.Env) { env.Webhooks = c }
}

// RestartWebhooks stops the webhook service and starts a new one, as a
// redeploy would; its routes stay those of the first.
func (h *Harness) RestartWebhooks() {
	h.T.Helper()
	if err := h.Webhooks.Stop(context.Background()); err != nil {
		h.T.Fatal(err)
	}
	env := h.EnvOf(webhooks.Name)
	env.Mux, env.Registry = svc.NewRouter(), telemetry.NewRegistry()
	s, err := webhooks.New(context.Background(), env)
	if err != nil {
		h.T.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		h.T.Fatal(err)
	}
	h.T.Cleanup(func() { _ = s.Stop(context.Background()) })
	h.Webhooks = s
}

// NewEnv is the harness's service environment on nc and js: the embedded
// reference data, the fixed clock at Start, the test quota secret, logs
// discarded. A process that runs one service against the harness's server
// (a benchmark's child) builds the same.
func NewEnv(nc *nats.Conn, js jetstream.JetStream) (*svc.Env, error) {
	parties, err := party.Load(bytes.NewReader(deploy.Parties))
	if err != nil {
		return nil, err
	}
	tt, err := tariff.Load(bytes.NewReader(deploy.Tariff))
	if err != nil {
		return nil, err
	}
	rs, err := rules.Load(bytes.NewReader(deploy.Rules))
	if err != nil {
		return nil, err
	}
	exportRef, err := exportrule.Load(bytes.NewReader(deploy.Export))
	if err != nil {
		return nil, err
	}
	clk := clock.NewFixed(Start)
	return &svc.Env{
		NC: nc, JS: js, Clock: clk, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Registry: telemetry.NewRegistry(), Parties: parties, Mux: svc.NewRouter(), DevClock: clk,
		Tariff: tt, Rules: rs, Zones: deploy.Zones, ExportRef: exportRef, QuotaSecret: []byte("test-secret"), SweepInterval: time.Hour,
		Webhooks: TestWebhooks,
	}, nil
}

// New starts the services on a fresh server.
func New(t testing.TB, opts ...Option) *Harness {
	t.Helper()
	e, nc, js := natstest.RunSecured(t)
	env, err := NewEnv(nc, js)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range opts {
		o(env)
	}
	clk := env.DevClock
	h := &Harness{T: t, NC: nc, JS: js, Clock: clk, Env: env, Server: e.Server, embedded: e}
	h.Clearance = h.start(clearance.Name, clearance.New)
	h.Returns = h.start(returns.Name, returns.New)
	h.Review = h.start(review.Name, review.New)
	h.Export = h.start(export.Name, export.New)
	h.Webhooks = h.start(webhooks.Name, webhooks.New)
	h.start(gateway.Name, gateway.New)
	// The middleware of the binary (services/cbec), so that tests see what
	// clients see: request ids, problem documents, the limit of failed
	// authentications.
	mw := &httpapi.Middleware{Log: env.Log,
		Failures: httpapi.NewFailureLimiter(httpapi.DefaultAuthFailRate, httpapi.DefaultAuthFailBurst, nil)}
	srv := httptest.NewServer(mw.Wrap(env.Mux))
	t.Cleanup(srv.Close)
	h.URL = srv.URL
	return h
}

// Credentials are the harness server's credentials of a service user, for
// a process of its own (a benchmark's child).
func (h *Harness) Credentials(service string) broker.Credentials {
	return h.embedded.Credentials(service)
}

// EnvOf is the harness's environment with a connection of the service's
// own user, confined to its grant as in the binary.
func (h *Harness) EnvOf(service string) *svc.Env {
	h.T.Helper()
	env := *h.Env
	env.NC, env.JS = natstest.ConnectAs(h.T, h.embedded, service)
	return &env
}

func (h *Harness) start(name string, mk func(context.Context, *svc.Env) (svc.Service, error)) svc.Service {
	h.T.Helper()
	ctx := context.Background()
	s, err := mk(ctx, h.EnvOf(name))
	if err != nil {
		h.T.Fatal(err)
	}
	if err := s.Start(ctx); err != nil {
		h.T.Fatal(err)
	}
	h.T.Cleanup(func() { _ = s.Stop(context.Background()) })
	return s
}

// RestartReturns stops the returns service and starts a new one.
func (h *Harness) RestartReturns() {
	h.T.Helper()
	if err := h.Returns.Stop(context.Background()); err != nil {
		h.T.Fatal(err)
	}
	// The new instance consumes and sweeps; the HTTP routes stay those of
	// the first, which keep no state of their own.
	env := h.EnvOf(returns.Name)
	env.Mux, env.Registry = svc.NewRouter(), telemetry.NewRegistry()
	s, err := returns.New(context.Background(), env)
	if err != nil {
		h.T.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		h.T.Fatal(err)
	}
	h.T.Cleanup(func() { _ = s.Stop(context.Background()) })
	h.Returns = s
}

// RestartClearance stops the clearance service (draining what it holds) and
// starts a new one on the same durable consumer, as a redeploy would.
func (h *Harness) RestartClearance() {
	h.T.Helper()
	if err := h.Clearance.Stop(context.Background()); err != nil {
		h.T.Fatal(err)
	}
	// The new instance registers its metrics on a fresh registry.
	h.Env.Registry = telemetry.NewRegistry()
	h.Clearance = h.start(clearance.Name, clearance.New)
}

// Do sends a request; hdr are header name/value pairs.
func (h *Harness) Do(method, path, key, ctype string, body []byte, hdr ...string) (int, []byte, http.Header) {
	h.T.Helper()
	req, _ := http.NewRequest(method, h.URL+path, bytes.NewReader(body))
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.T.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header
}

// SubmitJSON posts documents as JSON to /v1/import/{kind}.
func (h *Harness) SubmitJSON(kind, key string, docs any) (int, gateway.SubmitResponse, []byte) {
	h.T.Helper()
	body, err := json.Marshal(docs)
	if err != nil {
		h.T.Fatal(err)
	}
	code, b, _ := h.Do("POST", "/v1/import/"+kind, key, "application/json", body)
	var r gateway.SubmitResponse
	if code == http.StatusAccepted {
		if err := json.Unmarshal(b, &r); err != nil {
			h.T.Fatalf("decode %s: %v", b, err)
		}
	}
	return code, r, b
}

// SubmitXML posts one CEB message.
func (h *Harness) SubmitXML(key string, m *ceb.Message) (int, []byte) {
	h.T.Helper()
	body, err := ceb.EncodeXML(m)
	if err != nil {
		h.T.Fatal(err)
	}
	code, b, _ := h.Do("POST", "/v1/ceb", key, "application/xml", body)
	return code, b
}

// MustSubmit posts one document as JSON to kind and fails unless accepted.
func (h *Harness) MustSubmit(kind, key string, doc any) {
	h.T.Helper()
	code, r, b := h.SubmitJSON(kind, key, doc)
	if code != http.StatusAccepted || r.Accepted != 1 {
		h.T.Fatalf("submit %s: %d %s", kind, code, b)
	}
}

// Problem is a decoded problem document.
type Problem struct {
	Code    string            `json:"code"`
	Status  int               `json:"status"`
	Detail  string            `json:"detail"`
	Results []gateway.Result  `json:"results"`
	Errors  []json.RawMessage `json:"errors"`
}

// DecodeProblem decodes b as a problem document.
func DecodeProblem(t testing.TB, b []byte) Problem {
	t.Helper()
	var p Problem
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatalf("not a problem document: %s", b)
	}
	return p
}

// Record is one receipt as the receipts API returns it.
type Record struct {
	Cursor  uint64          `json:"cursor"`
	MsgType string          `json:"msgType"`
	Receipt json.RawMessage `json:"receipt"`
}

// Status is the receipt's returnStatus.
func (r Record) Status() string {
	var v struct {
		ReturnStatus string `json:"returnStatus"`
	}
	_ = json.Unmarshal(r.Receipt, &v)
	return v.ReturnStatus
}

// Info is the receipt's returnInfo.
func (r Record) Info() string {
	var v struct {
		ReturnInfo string `json:"returnInfo"`
	}
	_ = json.Unmarshal(r.Receipt, &v)
	return v.ReturnInfo
}

// Receipts reads key's receipts with the query.
func (h *Harness) Receipts(key string, query string) []Record {
	h.T.Helper()
	code, b, _ := h.Do("GET", "/v1/receipts?"+query, key, "", nil)
	if code != http.StatusOK {
		h.T.Fatalf("receipts: %d %s", code, b)
	}
	var page struct {
		Receipts []Record `json:"receipts"`
	}
	if err := json.Unmarshal(b, &page); err != nil {
		h.T.Fatal(err)
	}
	return page.Receipts
}

// WaitReceipts polls until key has at least n receipts matching query.
func (h *Harness) WaitReceipts(key, query string, n int) []Record {
	h.T.Helper()
	var got []Record
	natstest.Eventually(h.T, 15*time.Second, func() bool {
		got = h.Receipts(key, "limit=500&"+query)
		return len(got) >= n
	}, "%s: want %d receipts (%s)", key, n, query)
	return got
}

// Set is one consistent declaration: order, payment, waybill, inventory list.
type Set struct {
	O *ceb.Order
	P *ceb.Payment
	L *ceb.Logistics
	I *ceb.Inventory
}

// NewSet returns the cebtest set of orderNo.
func NewSet(orderNo string) Set {
	o, p, l, i := cebtest.Set(orderNo)
	return Set{o, p, l, i}
}

// Submit sends the set's documents in the order given by kinds (default:
// orders, payments, waybills, inventories), each from its rightful sender.
func (h *Harness) Submit(s Set, kinds ...string) {
	h.T.Helper()
	if len(kinds) == 0 {
		kinds = []string{"orders", "payments", "waybills", "inventories"}
	}
	for _, k := range kinds {
		switch k {
		case "orders":
			h.MustSubmit(k, KeyEBP, s.O)
		case "payments":
			h.MustSubmit(k, KeyPay, s.P)
		case "waybills":
			h.MustSubmit(k, KeyLogistics, s.L)
		case "inventories":
			h.MustSubmit(k, KeyAgent, s.I)
		}
	}
}

// View reads the declaration's state; a list not declared yet reads as
// status "".
func (h *Harness) View(orderNo string) gateway.InventoryView {
	h.T.Helper()
	code, b, _ := h.Do("GET", "/v1/import/inventories/"+cebtest.EbpCode+"/"+orderNo, KeyAgent, "", nil)
	if code == http.StatusNotFound {
		return gateway.InventoryView{}
	}
	if code != http.StatusOK {
		h.T.Fatalf("view %s: %d %s", orderNo, code, b)
	}
	var v gateway.InventoryView
	if err := json.Unmarshal(b, &v); err != nil {
		h.T.Fatal(err)
	}
	return v
}

// WaitDecided polls the declaration until customs has decided it.
func (h *Harness) WaitDecided(orderNo string) gateway.InventoryView {
	h.T.Helper()
	var v gateway.InventoryView
	natstest.Eventually(h.T, 15*time.Second, func() bool {
		v = h.View(orderNo)
		return v.Status != "" && v.Status != "2"
	}, "%s stays declared", orderNo)
	return v
}

// Scale multiplies every amount of the set by f, keeping it consistent.
func (s *Set) Scale(f string) {
	k := decimal.RequireFromString(f)
	mul := func(a *ceb.Amount) { *a = ceb.NewAmount(a.Decimal.Mul(k)) }
	for n := range s.O.OrderList {
		mul(&s.O.OrderList[n].Price)
		mul(&s.O.OrderList[n].TotalPrice)
		mul(&s.I.InventoryList[n].Price)
		mul(&s.I.InventoryList[n].TotalPrice)
	}
	s.O.OrderHead.GoodsValue = ceb.NewAmount(s.O.OrderHead.GoodsValue.Decimal.Mul(k))
	s.repay()
}

// SingleItem returns the set of orderNo reduced to one line of qty 1 at price.
func SingleItem(orderNo, price string) Set {
	s := NewSet(orderNo)
	s.O.OrderList, s.I.InventoryList = s.O.OrderList[:1], s.I.InventoryList[:1]
	p := ceb.MustAmount(price)
	s.O.OrderList[0].Qty, s.O.OrderList[0].Price, s.O.OrderList[0].TotalPrice = ceb.MustAmount("1"), p, p
	s.I.InventoryList[0].Qty, s.I.InventoryList[0].Price, s.I.InventoryList[0].TotalPrice = ceb.MustAmount("1"), p, p
	s.O.OrderHead.GoodsValue = p
	s.repay()
	return s
}

// repay sets acturalPaid and amountPaid from the order's amounts.
func (s *Set) repay() {
	h := s.O.OrderHead
	paid := h.GoodsValue.Decimal.Add(h.Freight.Decimal).Add(h.TaxTotal.Decimal).Sub(h.Discount.Decimal)
	s.O.OrderHead.ActuralPaid, s.P.PaymentHead.AmountPaid = ceb.NewAmount(paid), ceb.NewAmount(paid)
}

// NoRisk is the default limits and windows without risk rules, for tests of
// rules that the review rules must not disturb.
const NoRisk = `
limits:
  - {from: 2016-04-08, single: "2000", annual: "20000"}
  - {from: 2019-01-01, single: "5000", annual: "26000"}
windows: {incompleteAfter: 24h, returnApplyDays: 30, returnArriveDays: 45, reviewClaimTTL: 30m}
risk: []
`
