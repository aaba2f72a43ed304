package gateway_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/cbec/cbec/deploy"
	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/clock"
	"github.com/cbec/cbec/pkg/natstest"
	"github.com/cbec/cbec/pkg/party"
	"github.com/cbec/cbec/pkg/svc"
	"github.com/cbec/cbec/pkg/telemetry"
	"github.com/cbec/cbec/services/clearance"
	"github.com/cbec/cbec/services/gateway"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Demo keys of the cebtest parties (deploy/parties.yaml).
const (
	keyEBP       = "demo-ebp"          // 1500000001
	keyPay       = "demo-pay"          // 1500000003
	keyLogistics = "demo-logistics-cq" // 1500000004
	keyAgent     = "demo-agent"        // 1500000005
	keyEBC       = "demo-ebc"          // 1500000002
	keyOtherEBP  = "demo-ebp-sample"   // 1101110325
	keyOfficer   = "demo-officer"
)

type harness struct {
	t   *testing.T
	url string
	nc  *nats.Conn
	js  jetstream.JetStream
	clk *clock.Settable
}

// newHarness runs the gateway and clearance services against a real
// embedded NATS server, behind a real HTTP server.
func newHarness(t *testing.T) *harness {
	t.Helper()
	_, nc, js := natstest.Setup(t)
	parties, err := party.Load(bytes.NewReader(deploy.Parties))
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFixed(time.Date(2025, 3, 10, 10, 0, 0, 0, clock.Shanghai))
	env := &svc.Env{
		NC: nc, JS: js, Clock: clk, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Registry: telemetry.NewRegistry(), Parties: parties, Mux: svc.NewRouter(), DevClock: clk,
	}
	ctx := context.Background()
	for _, mk := range []func(context.Context, *svc.Env) (svc.Service, error){clearance.New, gateway.New} {
		s, err := mk(ctx, env)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Stop(context.Background()) })
	}
	srv := httptest.NewServer(env.Mux)
	t.Cleanup(srv.Close)
	return &harness{t: t, url: srv.URL, nc: nc, js: js, clk: clk}
}

func (h *harness) do(method, path, key, ctype string, body []byte, hdr ...string) (int, []byte, http.Header) {
	h.t.Helper()
	req, _ := http.NewRequest(method, h.url+path, bytes.NewReader(body))
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
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header
}

// submitJSON posts documents as JSON to /v1/import/{kind}.
func (h *harness) submitJSON(kind, key string, docs any) (int, gateway.SubmitResponse, []byte) {
	h.t.Helper()
	body, err := json.Marshal(docs)
	if err != nil {
		h.t.Fatal(err)
	}
	code, b, _ := h.do("POST", "/v1/import/"+kind, key, "application/json", body)
	var r gateway.SubmitResponse
	if code == http.StatusAccepted {
		if err := json.Unmarshal(b, &r); err != nil {
			h.t.Fatalf("decode %s: %v", b, err)
		}
	}
	return code, r, b
}

// submitXML posts one CEB message.
func (h *harness) submitXML(key string, m *ceb.Message) (int, []byte) {
	h.t.Helper()
	body, err := ceb.EncodeXML(m)
	if err != nil {
		h.t.Fatal(err)
	}
	code, b, _ := h.do("POST", "/v1/ceb", key, "application/xml", body)
	return code, b
}

type problem struct {
	Code    string            `json:"code"`
	Status  int               `json:"status"`
	Detail  string            `json:"detail"`
	Results []gateway.Result  `json:"results"`
	Errors  []json.RawMessage `json:"errors"`
}

func decodeProblem(t *testing.T, b []byte) problem {
	t.Helper()
	var p problem
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatalf("not a problem document: %s", b)
	}
	return p
}

type record struct {
	Cursor  uint64          `json:"cursor"`
	MsgType string          `json:"msgType"`
	Receipt json.RawMessage `json:"receipt"`
}

func (h *harness) receipts(key string, query string) []record {
	h.t.Helper()
	code, b, _ := h.do("GET", "/v1/receipts?"+query, key, "", nil)
	if code != http.StatusOK {
		h.t.Fatalf("receipts: %d %s", code, b)
	}
	var page struct {
		Receipts []record `json:"receipts"`
	}
	if err := json.Unmarshal(b, &page); err != nil {
		h.t.Fatal(err)
	}
	return page.Receipts
}

// waitReceipts polls until key has at least n receipts.
func (h *harness) waitReceipts(key string, n int) []record {
	h.t.Helper()
	var got []record
	natstest.Eventually(h.t, 10*time.Second, func() bool {
		got = h.receipts(key, "limit=500")
		return len(got) >= n
	}, "%s: want %d receipts", key, n)
	return got
}

func status(r json.RawMessage) string {
	var v struct {
		ReturnStatus string `json:"returnStatus"`
	}
	_ = json.Unmarshal(r, &v)
	return v.ReturnStatus
}
