package webhook_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cbec/cbec/pkg/webhook"
)

func TestVerifyAcceptsOnlyTheSignedBodyInTime(t *testing.T) {
	secret := []byte("s3cret")
	at := time.Date(2026, 11, 11, 0, 0, 0, 0, time.UTC)
	body := []byte(`{"receipts":[]}`)
	h := webhook.Sign(secret, at, body)
	if !strings.HasPrefix(h, "t=1794355200,v1=") || len(h) != len("t=1794355200,v1=")+64 {
		t.Fatalf("header %q", h)
	}
	cases := []struct {
		name   string
		secret []byte
		header string
		body   []byte
		now    time.Time
		want   error
	}{
		{"as signed", secret, h, body, at, nil},
		{"received 4 minutes later", secret, h, body, at.Add(4 * time.Minute), nil},
		{"clock 4 minutes behind", secret, h, body, at.Add(-4 * time.Minute), nil},
		{"replayed 6 minutes later", secret, h, body, at.Add(6 * time.Minute), webhook.ErrStale},
		{"body changed", secret, h, []byte(`{"receipts":[1]}`), at, webhook.ErrBadSignature},
		{"other secret", []byte("other"), h, body, at, webhook.ErrBadSignature},
		{"no header", secret, "", body, at, webhook.ErrNoSignature},
		{"no timestamp", secret, h[strings.Index(h, ",")+1:], body, at, webhook.ErrBadHeader},
		{"no signature", secret, "t=1794355200", body, at, webhook.ErrBadHeader},
		{"not hex", secret, "t=1794355200,v1=zz", body, at, webhook.ErrBadHeader},
		{"timestamp moved", secret, strings.Replace(h, "t=1794355200", "t=1794355201", 1), body, at, webhook.ErrBadSignature},
		{"rotation: second v1 matches", secret, webhook.Sign([]byte("old"), at, body) + "," + h[strings.Index(h, "v1="):], body, at, nil},
	}
	for _, c := range cases {
		err := webhook.Verify(c.secret, c.header, c.body, c.now, 0)
		if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
			t.Errorf("%s: Verify = %v, want %v", c.name, err, c.want)
		}
	}
}
