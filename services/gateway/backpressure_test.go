package gateway_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/ceb/cebtest"
	"github.com/cbec/cbec/pkg/docstore"
	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/natstest"
	"github.com/cbec/cbec/pkg/svc"
	"github.com/cbec/cbec/services/clearance"
	"github.com/cbec/cbec/services/export"
	"github.com/cbec/cbec/services/gateway"
	"github.com/cbec/cbec/services/returns"
	"github.com/cbec/cbec/services/servicetest"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The backlog is read from the services' own consumers.
func TestDecidersAreTheServicesDurables(t *testing.T) {
	want := []string{clearance.Durable, returns.Durable, export.Durable}
	if !slices.Equal(gateway.Deciders, want) {
		t.Fatalf("gateway.Deciders %v, the services' durables %v", gateway.Deciders, want)
	}
}

// orders are n orders of their own as one JSON array.
func orders(prefix string, n int) []any {
	var out []any
	for i := range n {
		o, _, _, _ := cebtest.Set(prefix + strconv.Itoa(i))
		out = append(out, o)
	}
	return out
}

// With clearance stopped, intake accepts until the backlog reaches its bound,
// then refuses over HTTP and NATS with 503, -900550 and Retry-After; once
// clearance runs again and the backlog falls below 80 % of the bound, it
// accepts again.
func TestBackpressureRefusesAndResumes(t *testing.T) {
	const bound = 20
	h := servicetest.New(t, func(env *svc.Env) { env.Intake = svc.IntakeLimits{MaxBacklog: bound} })
	ctx := context.Background()
	// Clearance stops; its durable consumer stays and its backlog grows.
	if err := h.Clearance.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if code, r, b := h.SubmitJSON("orders", keyEBP, orders("BP-A", 25)); code != http.StatusAccepted || r.Accepted != 25 {
		t.Fatalf("under the bound: %d %s", code, b)
	}
	var refusal []byte
	natstest.Eventually(t, 10*time.Second, func() bool {
		code, _, b := h.SubmitJSON("orders", keyEBP, orders("BP-B", 1))
		refusal = b
		return code == http.StatusServiceUnavailable
	}, "intake never refused past the bound")
	p := servicetest.DecodeProblem(t, refusal)
	if p.Code != string(errcode.Overloaded) {
		t.Fatalf("refusal: %s", refusal)
	}
	code, b, hdr := h.Do("POST", "/v1/import/orders", keyEBP, "application/json", []byte(`{}`))
	if secs, err := strconv.Atoi(hdr.Get("Retry-After")); code != http.StatusServiceUnavailable || err != nil || secs < 1 || secs > 60 {
		t.Fatalf("refusal: %d Retry-After %q %s", code, hdr.Get("Retry-After"), b)
	}
	if code, _, b := h.SubmitJSON("orders", keyEBP, orders("BP-E", 3)); code != http.StatusServiceUnavailable {
		t.Fatalf("while refusing: %d %s", code, b)
	}
	// XML and NATS are refused alike.
	if code, b, _ := h.Do("POST", "/v1/ceb", keyEBP, "application/xml", []byte("<x/>")); code != http.StatusServiceUnavailable {
		t.Fatalf("XML: %d %s", code, b)
	}
	req := nats.NewMsg(gateway.SubmitSubject)
	req.Data, _ = json.Marshal(orders("BP-C", 1))
	req.Header.Set(gateway.HeaderMsgType, "CEB311")
	req.Header.Set("Authorization", "Bearer "+keyEBP)
	resp, err := h.NC.RequestMsg(req, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Header.Get("Nats-Service-Error-Code") != string(errcode.Overloaded) || resp.Header.Get(gateway.HeaderRetryAfter) == "" {
		t.Fatalf("NATS: headers %v %s", resp.Header, resp.Data)
	}
	// Refused documents were not stored.
	docs, err := docstore.Open(ctx, h.JS)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []string{"BP-A0", "BP-E0", "BP-E2", "BP-C0"} {
		ok, err := docs.Exists(ctx, docstore.KeyOf(ceb.CEB311, cebtest.EbpCode, o))
		if err != nil || ok != (o == "BP-A0") {
			t.Fatalf("order %s stored: %v %v", o, ok, err)
		}
	}
	h.RestartClearance()
	natstest.Eventually(t, 20*time.Second, func() bool {
		code, _, _ := h.SubmitJSON("orders", keyEBP, orders("BP-D", 1))
		return code == http.StatusAccepted
	}, "intake never accepted again after the backlog drained")
}

// Below the resume level only: a backlog between 80 % and the bound keeps
// a refusing intake refusing, and an accepting one accepting.
func TestBackpressureHysteresis(t *testing.T) {
	_, _, js := natstest.Setup(t)
	cfg := jetstream.ConsumerConfig{Durable: clearance.Durable, AckPolicy: jetstream.AckExplicitPolicy}
	if _, err := js.CreateOrUpdateConsumer(context.Background(), broker.StreamIn, cfg); err != nil {
		t.Fatal(err)
	}
	bp := gateway.NewBackpressure(js, svc.IntakeLimits{MaxBacklog: 10}, slog.New(slog.DiscardHandler))
	ctx := context.Background()
	backlog := 0
	// settle waits until the consumer's state shows the backlog, then
	// samples it.
	settle := func() {
		natstest.Eventually(t, 5*time.Second, func() bool {
			c, err := js.Consumer(ctx, broker.StreamIn, clearance.Durable)
			if err != nil {
				return false
			}
			ci := c.CachedInfo()
			return int(ci.NumPending)+ci.NumAckPending == backlog
		}, "backlog never %d", backlog)
		bp.Refresh(ctx)
	}
	publish := func(n int) {
		for i := range n {
			key := docstore.KeyOf(ceb.CEB311, cebtest.EbpCode, fmt.Sprintf("BP-%d-%d", backlog, i))
			if _, err := js.Publish(ctx, broker.InSubject(key, cebtest.EbpCode), []byte("{}")); err != nil {
				t.Fatal(err)
			}
		}
		backlog += n
		settle()
	}
	ack := func(n int) {
		c, err := js.Consumer(ctx, broker.StreamIn, clearance.Durable)
		if err != nil {
			t.Fatal(err)
		}
		batch, err := c.Fetch(n)
		if err != nil {
			t.Fatal(err)
		}
		for m := range batch.Messages() {
			if err := m.DoubleAck(ctx); err != nil {
				t.Fatal(err)
			}
		}
		backlog -= n
		settle()
	}
	refusing := func() bool { r, _ := bp.Refusing(); return r != "" }
	publish(9)
	if refusing() {
		t.Fatal("refusing at 9 of 10")
	}
	publish(1)
	if !refusing() {
		t.Fatal("accepting at 10 of 10")
	}
	// Acknowledged down to 8: still refusing; to 7: accepting.
	ack(2)
	if !refusing() {
		t.Fatal("accepting at 8 of 10, at the resume level")
	}
	ack(1)
	if refusing() {
		t.Fatal("refusing at 7 of 10, below the resume level")
	}
}

// startGateway runs the gateway alone on js, over HTTP.
func startGateway(t *testing.T, nc *nats.Conn, js jetstream.JetStream, limits svc.IntakeLimits) string {
	t.Helper()
	env, err := servicetest.NewEnv(nc, js)
	if err != nil {
		t.Fatal(err)
	}
	env.Intake = limits
	g, err := gateway.New(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = g.Stop(context.Background()) })
	srv := httptest.NewServer(env.Mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

func post(t *testing.T, url, key string, docs any) (int, gateway.SubmitResponse) {
	t.Helper()
	body, _ := json.Marshal(docs)
	req, _ := http.NewRequest("POST", url+"/v1/import/orders", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var r gateway.SubmitResponse
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusAccepted {
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatal(err)
		}
	} else {
		var p servicetest.Problem
		_ = json.Unmarshal(b, &p)
		r.Results = p.Results
	}
	return resp.StatusCode, r
}

// A full store never acknowledges and then loses: once JetStream has no
// room left, intake answers 503, and every document it answered accepted
// is on CEB_IN, the guard of its key.
func TestFullStoreRefusesAndLosesNothing(t *testing.T) {
	s := natstest.RunServerWith(t, &server.Options{
		Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(),
		JetStreamMaxStore: 256 << 10, NoLog: true, NoSigs: true,
	})
	nc, js := natstest.Connect(t, s)
	ctx := context.Background()
	if err := broker.Setup(ctx, js, broker.Options{}); err != nil {
		t.Fatal(err)
	}
	url := startGateway(t, nc, js, svc.IntakeLimits{})
	var accepted []string
	full := false
	for i := 0; i < 400 && !full; i++ {
		code, r := post(t, url, keyEBP, orders("FULL-"+strconv.Itoa(i)+"-", 10))
		switch code {
		case http.StatusAccepted:
		case http.StatusServiceUnavailable:
			full = true
		default:
			t.Fatalf("batch %d: %d %+v", i, code, r)
		}
		for _, res := range r.Results {
			if res.Status == gateway.Accepted {
				accepted = append(accepted, res.Key)
			} else if res.Error == nil || res.Error.Code != errcode.Unavailable {
				t.Fatalf("batch %d: a document rejected with %+v", i, res.Error)
			}
		}
	}
	if !full {
		t.Fatal("the store never filled")
	}
	docs, err := docstore.Open(ctx, js)
	if err != nil {
		t.Fatal(err)
	}
	st, err := js.Stream(ctx, broker.StreamIn)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range accepted {
		e, ok, err := docs.Get(ctx, docstore.KeyOf(ceb.CEB311, strings.Split(key, "/")...))
		if err != nil || !ok {
			t.Fatalf("accepted %s not guarded: %v", key, err)
		}
		if _, err := st.GetMsg(ctx, e.Seq); err != nil {
			t.Fatalf("accepted %s not on CEB_IN (seq %d): %v", key, e.Seq, err)
		}
	}
	t.Logf("%d documents accepted before the store filled", len(accepted))
}

// The stream bound refuses once CEB_IN holds that many documents.
func TestStreamBoundRefuses(t *testing.T) {
	_, nc, js := natstest.Setup(t)
	url := startGateway(t, nc, js, svc.IntakeLimits{MaxStreamMsgs: 10})
	if code, _ := post(t, url, keyEBP, orders("SB-A", 10)); code != http.StatusAccepted {
		t.Fatalf("under the bound: %d", code)
	}
	natstest.Eventually(t, 5*time.Second, func() bool {
		code, _ := post(t, url, keyEBP, orders("SB-B", 1))
		return code == http.StatusServiceUnavailable
	}, "never refused past the stream bound")
}
