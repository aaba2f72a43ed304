package broker_test

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/natstest"
)

func TestTokenIsInjective(t *testing.T) {
	cases := map[string]string{
		"1500000001":            "1500000001",
		"order-1_a":             "order-1_a",
		"a.b":                   "=YS5i",
		"订单1":                   "=6K6i5Y2VMQ",
		"=YS5i":                 "=PVlTNWk",
		"*":                     "=Kg",
		"with space>x":          "=d2l0aCBzcGFjZT54",
		"":                      "=",
		strings.Repeat("A", 64): strings.Repeat("A", 64),
		strings.Repeat("A", 65): "=" + base64.RawURLEncoding.EncodeToString([]byte(strings.Repeat("A", 65))),
	}
	seen := map[string]string{}
	for in, want := range cases {
		got := broker.Token(in)
		if got != want {
			t.Errorf("Token(%q) = %q, want %q", in, got, want)
		}
		if prev, ok := seen[got]; ok {
			t.Errorf("Token(%q) = Token(%q)", in, prev)
		}
		seen[got] = in
	}
}

func TestSetupIsIdempotentAndAuditDeniesPurge(t *testing.T) {
	s := natstest.RunServer(t)
	_, js := natstest.Connect(t, s)
	ctx := context.Background()
	for range 2 {
		if err := broker.Setup(ctx, js, broker.Options{}); err != nil {
			t.Fatalf("Setup: %v", err)
		}
	}
	for _, sc := range broker.Streams(broker.Options{}) {
		if _, err := js.Stream(ctx, sc.Name); err != nil {
			t.Errorf("stream %s missing: %v", sc.Name, err)
		}
	}
	for _, kc := range broker.Buckets(broker.Options{}) {
		if _, err := js.KeyValue(ctx, kc.Bucket); err != nil {
			t.Errorf("bucket %s missing: %v", kc.Bucket, err)
		}
	}
	if _, err := js.Publish(ctx, "cbec.audit.officer1", []byte("x")); err != nil {
		t.Fatal(err)
	}
	st, _ := js.Stream(ctx, broker.StreamAudit)
	if err := st.Purge(ctx); err == nil {
		t.Fatal("purge of the audit stream must be denied")
	}
	if err := st.DeleteMsg(ctx, 1); err == nil {
		t.Fatal("delete from the audit stream must be denied")
	}
}

func TestLegacyStoreIsRefused(t *testing.T) {
	_, _, js := natstest.RunSecured(t)
	ctx := context.Background()
	if err := broker.CheckStoreFormat(ctx, js); err != nil {
		t.Fatalf("an empty store: %v", err)
	}
	if _, err := js.Publish(ctx, broker.InSubject("ceb311.1500000001.O-1", "1500000001"), []byte("{}")); err != nil {
		t.Fatal(err)
	}
	if err := broker.CheckStoreFormat(ctx, js); err != nil {
		t.Fatalf("a document under its own subject: %v", err)
	}
	// Before: ceb.in.<msgtype>.<party>.
	if _, err := js.Publish(ctx, "ceb.in.ceb311.1500000001", []byte("{}")); err != nil {
		t.Fatal(err)
	}
	if err := broker.CheckStoreFormat(ctx, js); !errors.Is(err, broker.ErrLegacyStore) {
		t.Fatalf("a legacy document: %v", err)
	}
}
