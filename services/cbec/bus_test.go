package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cbec/cbec/deploy"
	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/ceb/cebtest"
	"github.com/cbec/cbec/services/gateway"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// violations collects a connection's asynchronous errors: the server's
// permission refusals arrive this way.
type violations struct {
	mu   sync.Mutex
	errs []error
}

func (v *violations) handler(_ *nats.Conn, _ *nats.Subscription, err error) {
	v.mu.Lock()
	v.errs = append(v.errs, err)
	v.mu.Unlock()
}

func (v *violations) reset() {
	v.mu.Lock()
	v.errs = nil
	v.mu.Unlock()
}

// has reports whether a permissions violation naming subject arrived.
func (v *violations) has(subject string) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, err := range v.errs {
		if errors.Is(err, nats.ErrPermissionViolation) && strings.Contains(err.Error(), `"`+subject+`"`) {
			return true
		}
	}
	return false
}

// partyConn connects a party to the program's listener with its API key.
func partyConn(t *testing.T, url, key, code string, v *violations, opts ...nats.Option) *nats.Conn {
	t.Helper()
	opts = append(opts, nats.Token(key), nats.CustomInboxPrefix(broker.InboxPrefix(code)), nats.MaxReconnects(0))
	if v != nil {
		opts = append(opts, nats.ErrorHandler(v.handler))
	}
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		t.Fatalf("party %s: %v", code, err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// submitOverNATS sends CEB JSON documents of msgType as key and returns the
// gateway's answer.
func submitOverNATS(t *testing.T, nc *nats.Conn, key, msgType string, docs ...any) gateway.SubmitResponse {
	t.Helper()
	req := nats.NewMsg(gateway.SubmitSubject)
	req.Data, _ = json.Marshal(docs)
	req.Header.Set(gateway.HeaderMsgType, msgType)
	req.Header.Set(gateway.HeaderAuth, "Bearer "+key)
	resp, err := nc.RequestMsg(req, 10*time.Second)
	if err != nil {
		t.Fatalf("submit %s: %v", msgType, err)
	}
	var r gateway.SubmitResponse
	if err := json.Unmarshal(resp.Data, &r); err != nil {
		t.Fatalf("submit %s: %v: %s", msgType, err, resp.Data)
	}
	return r
}

func TestNATSRefusesAnonymousAndUnknownKeys(t *testing.T) {
	m := startMain(t, t.TempDir(), "--nats-listen", "127.0.0.1:-1")
	t.Cleanup(func() { _ = m.Close(context.Background()) })
	url := m.NATSURL()
	for name, opts := range map[string][]nats.Option{
		"anonymous":     nil,
		"unknown key":   {nats.Token("not-a-key")},
		"admin guessed": {nats.UserInfo(broker.UserAdmin, "admin")},
		"wrong code":    {nats.UserInfo("1101110325", "demo-ebp")},
	} {
		nc, err := nats.Connect(url, append(opts, nats.MaxReconnects(0), nats.Timeout(5*time.Second))...)
		if err == nil {
			nc.Close()
			t.Errorf("%s: connected", name)
		} else if !strings.Contains(strings.ToLower(err.Error()), "authorization") {
			t.Errorf("%s: %v, want an authorization error", name, err)
		}
	}
}

func TestPartyOverNATSIsConfinedToSubmitAndItsReceipts(t *testing.T) {
	m := startMain(t, t.TempDir(), "--nats-listen", "127.0.0.1:-1")
	t.Cleanup(func() { _ = m.Close(context.Background()) })
	var v violations
	nc := partyConn(t, m.NATSURL(), "demo-ebp", cebtest.EbpCode, &v)

	receipts, err := nc.SubscribeSync(broker.OutFilter(cebtest.EbpCode, ""))
	if err != nil {
		t.Fatal(err)
	}
	o, _, _, _ := cebtest.Set("NATS-PARTY-1")
	if r := submitOverNATS(t, nc, "demo-ebp", "CEB311", o); r.Accepted != 1 {
		t.Fatalf("own order over NATS: %+v", r)
	}
	msg, err := receipts.NextMsg(10 * time.Second)
	if err != nil {
		t.Fatalf("own receipt: %v", err)
	}
	if msg.Subject != broker.OutSubject(cebtest.EbpCode, string(ceb.CEB312)) {
		t.Fatalf("receipt on %s", msg.Subject)
	}

	// Everything else is refused by the server, one subject at a time.
	other := "1101110325"
	subs := []string{
		broker.OutFilter(other, ""), "ceb.out.>", ">", "_INBOX.>", broker.InboxPrefix(other) + ".>",
		"ceb.in.>", "cbec.evt.>", "cbec.audit.>", "$JS.API.>", "$KV.>", broker.SubmitSubject,
	}
	for _, s := range subs {
		if _, err := nc.SubscribeSync(s); err != nil {
			t.Fatal(err)
		}
	}
	pubs := []string{
		"ceb.in.ceb311." + cebtest.EbpCode, broker.EventSubject("review", "decided"), "cbec.audit.OFFICER01",
		"$JS.API.INFO", "$JS.API.STREAM.DELETE." + broker.StreamAudit, "$JS.API.STREAM.NAMES",
		broker.KVSubject(broker.BucketDocs, "x"), broker.KVSubject(broker.BucketQuota, "x"),
		broker.OutSubject(other, "ceb622"), broker.OutSubject(cebtest.EbpCode, "ceb622"),
	}
	for _, s := range pubs {
		if err := nc.Publish(s, []byte(`{"decision":"release","officer":"NOBODY"}`)); err != nil {
			t.Fatal(err)
		}
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for _, s := range append(subs, pubs...) {
		for !v.has(s) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if !v.has(s) {
			t.Errorf("%q: no permissions violation", s)
		}
	}
	// And nothing the party published reached a stream.
	st, err := m.js.Stream(context.Background(), broker.StreamEvents)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.GetLastMsgForSubject(context.Background(), broker.EventSubject("review", "decided")); !errors.Is(err, jetstream.ErrMsgNotFound) {
		t.Fatalf("a review decision was stored: %v", err)
	}
}

func TestServiceUsersHoldOnlyTheirGrant(t *testing.T) {
	m := startMain(t, t.TempDir())
	t.Cleanup(func() { _ = m.Close(context.Background()) })
	ctx := context.Background()
	var v violations
	connect := func(user string) jetstream.JetStream {
		nc, err := nats.Connect("", nats.InProcessServer(m.server.Server), nats.ErrorHandler(v.handler),
			nats.UserInfo(user, m.server.Credentials(user).Password), nats.CustomInboxPrefix(broker.InboxPrefix(user)))
		if err != nil {
			t.Fatalf("%s: %v", user, err)
		}
		t.Cleanup(nc.Close)
		js, _ := jetstream.New(nc)
		return js
	}
	// A refused request is never answered: the server says why on the
	// connection, which is what each check waits for.
	short := func() context.Context {
		c, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		t.Cleanup(cancel)
		return c
	}
	deny := func(what, subject string, err error) {
		t.Helper()
		if err == nil {
			t.Errorf("%s: allowed", what)
			return
		}
		deadline := time.Now().Add(5 * time.Second)
		for !v.has(subject) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if !v.has(subject) {
			t.Errorf("%s: %v, but no permissions violation for %s", what, err, subject)
		}
	}
	gw := connect("gateway")
	decided := broker.EventSubject("review", "decided")
	_, err := gw.Publish(short(), decided, []byte(`{}`))
	deny("gateway publishes a review decision", decided, err)
	forged := broker.OutSubject(cebtest.EbpCode, "ceb622")
	_, err = gw.Publish(short(), forged, []byte(`{}`))
	deny("gateway forges a receipt", forged, err)
	cl := connect("clearance")
	v.reset()
	_, err = cl.Publish(short(), decided, []byte(`{}`))
	deny("clearance publishes a review decision", decided, err)
	for _, user := range append([]string{broker.UserAll}, "gateway", "clearance", "returns", "export", "review", "metrics") {
		js := connect(user)
		v.reset()
		deny(user+" deletes the audit stream", "$JS.API.STREAM.DELETE."+broker.StreamAudit, js.DeleteStream(short(), broker.StreamAudit))
		s, err := js.Stream(ctx, broker.StreamAudit)
		if err != nil {
			t.Fatalf("%s: stream info: %v", user, err)
		}
		v.reset()
		deny(user+" purges the audit stream", "$JS.API.STREAM.PURGE."+broker.StreamAudit, s.Purge(short()))
	}
	// The review service may decide; the admin (operator) may delete.
	rv := connect("review")
	if _, err := rv.Publish(ctx, "cbec.audit.TEST", []byte(`{}`)); err != nil {
		t.Fatalf("review writes the audit: %v", err)
	}
	admin := connect(broker.UserAdmin)
	if _, err := admin.Stream(ctx, broker.StreamAudit); err != nil {
		t.Fatalf("admin: %v", err)
	}
}

func TestRevokedKeyIsRefusedAfterReload(t *testing.T) {
	dir := t.TempDir()
	parties := filepath.Join(dir, "parties.yaml")
	if err := os.WriteFile(parties, deploy.Parties, 0o600); err != nil {
		t.Fatal(err)
	}
	m := startMain(t, filepath.Join(dir, "data"), "--nats-listen", "127.0.0.1:-1", "--parties", parties)
	t.Cleanup(func() { _ = m.Close(context.Background()) })
	closed := make(chan struct{})
	partyConn(t, m.NATSURL(), "demo-ebp", cebtest.EbpCode, nil, nats.ClosedHandler(func(*nats.Conn) { close(closed) }))
	if code, _, _ := do(t, "GET", m.HTTPURL()+"/v1/receipts", "demo-ebp", "", nil); code != 200 {
		t.Fatalf("before reload: HTTP %d", code)
	}

	// Remove the party 1500000001 (demo-ebp) from the file.
	var kept []string
	skip := false
	for _, line := range strings.Split(string(deploy.Parties), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "- code:") {
			skip = strings.Contains(line, cebtest.EbpCode)
		}
		if !skip {
			kept = append(kept, line)
		}
	}
	if err := os.WriteFile(parties, []byte(strings.Join(kept, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := m.Reload(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("the revoked party's NATS connection stayed open")
	}
	if nc, err := nats.Connect(m.NATSURL(), nats.Token("demo-ebp"), nats.MaxReconnects(0)); err == nil {
		nc.Close()
		t.Fatal("revoked key connected after reload")
	}
	if code, _, _ := do(t, "GET", m.HTTPURL()+"/v1/receipts", "demo-ebp", "", nil); code != 401 {
		t.Fatalf("revoked key over HTTP: %d, want 401", code)
	}
	// Others keep working.
	partyConn(t, m.NATSURL(), "demo-agent", cebtest.AgentCode, nil)
}

func TestSecondProcessOnOneDataDirIsRefused(t *testing.T) {
	dir := t.TempDir()
	m := startMain(t, dir)
	cfg, err := ParseConfig([]string{"--http-addr", "127.0.0.1:0", "--nats-listen", "", "--data-dir", dir}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	second := NewMain(cfg, io.Discard, io.Discard)
	err = second.Run(context.Background())
	_ = second.Close(context.Background())
	if !errors.Is(err, ErrDataDirInUse) {
		_ = m.Close(context.Background())
		t.Fatalf("second process: %v, want ErrDataDirInUse", err)
	}
	abs, _ := filepath.Abs(dir)
	if !strings.Contains(err.Error(), abs) || !strings.Contains(err.Error(), fmt.Sprintf("pid %d", os.Getpid())) {
		t.Fatalf("refusal %q names neither the directory nor the holder", err)
	}
	// Once the first has stopped, the directory is free again.
	if err := m.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	again := startMain(t, dir)
	_ = again.Close(context.Background())
}

// TestNATSKeyGuessingIsLimited: failed NATS logins count against the
// address like failed HTTP requests; once over, even a right key is
// refused until a token is back.
func TestNATSKeyGuessingIsLimited(t *testing.T) {
	m := startMain(t, t.TempDir(), "--nats-listen", "127.0.0.1:-1", "--auth-fail-rate", "0.01", "--auth-fail-burst", "2")
	t.Cleanup(func() { _ = m.Close(context.Background()) })
	try := func(key string) error {
		nc, err := nats.Connect(m.NATSURL(), nats.Token(key), nats.MaxReconnects(0))
		if err == nil {
			nc.Close()
		}
		return err
	}
	if err := try("demo-agent"); err != nil {
		t.Fatalf("right key before any failure: %v", err)
	}
	for i := range 2 {
		if err := try(fmt.Sprintf("guess-%d", i)); err == nil {
			t.Fatal("a guessed key connected")
		}
	}
	if err := try("demo-agent"); err == nil {
		t.Fatal("a right key from an address over its limit connected: guessing would go on")
	}
	// HTTP shares the limit.
	if code, _, _ := do(t, "GET", m.HTTPURL()+"/v1/receipts", "demo-agent", "", nil); code != 429 {
		t.Fatalf("HTTP from the limited address: %d, want 429", code)
	}
}
