package webhook_test

import (
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/webhook"
)

func TestNewSubscriptionValidates(t *testing.T) {
	now := time.Date(2026, 6, 18, 0, 0, 0, 0, time.UTC)
	strict := webhook.Policy{}
	dev := webhook.Policy{AllowHTTP: true, AllowPrivate: true}
	cases := []struct {
		name  string
		req   webhook.Request
		pol   webhook.Policy
		field string // "" = accepted
	}{
		{"https, all types", webhook.Request{URL: "https://erp.example.com/cbec"}, strict, ""},
		{"xml, two types", webhook.Request{URL: "https://erp.example.com/cbec", Format: "xml", MsgTypes: []ceb.MsgType{"ceb622", "CEB312"}}, strict, ""},
		{"http refused", webhook.Request{URL: "http://erp.example.com/cbec"}, strict, "url"},
		{"http in development", webhook.Request{URL: "http://127.0.0.1:9000/hook"}, dev, ""},
		{"loopback refused", webhook.Request{URL: "https://127.0.0.1/hook"}, strict, "url"},
		{"localhost refused", webhook.Request{URL: "https://localhost/hook"}, strict, "url"},
		{"metadata service refused", webhook.Request{URL: "https://169.254.169.254/latest"}, strict, "url"},
		{"private network refused", webhook.Request{URL: "https://10.1.2.3/hook"}, strict, "url"},
		{"IPv6 loopback refused", webhook.Request{URL: "https://[::1]/hook"}, strict, "url"},
		{"credentials in URL", webhook.Request{URL: "https://u:p@erp.example.com/"}, strict, "url"},
		{"relative", webhook.Request{URL: "/hook"}, strict, "url"},
		{"too long", webhook.Request{URL: "https://erp.example.com/" + strings.Repeat("a", webhook.MaxURL)}, strict, "url"},
		{"ftp", webhook.Request{URL: "ftp://erp.example.com/"}, strict, "url"},
		{"format", webhook.Request{URL: "https://erp.example.com/", Format: "yaml"}, strict, "format"},
		{"declaration type", webhook.Request{URL: "https://erp.example.com/", MsgTypes: []ceb.MsgType{"CEB311"}}, strict, "msgTypes"},
		{"unknown type", webhook.Request{URL: "https://erp.example.com/", MsgTypes: []ceb.MsgType{"CEB999"}}, strict, "msgTypes"},
	}
	for _, c := range cases {
		sub, err := webhook.NewSubscription("1500000005", c.req, c.pol, now)
		var inv *webhook.InvalidError
		switch {
		case c.field == "" && err != nil:
			t.Errorf("%s: refused: %v", c.name, err)
		case c.field != "" && !errors.As(err, &inv):
			t.Errorf("%s: accepted (%v), want refused on %s", c.name, err, c.field)
		case c.field != "" && inv.Field != c.field:
			t.Errorf("%s: refused on %s (%v), want %s", c.name, inv.Field, err, c.field)
		case c.field == "":
			if len(sub.ID) != 16 || len(sub.Secret) != 64 || sub.Party != "1500000005" || !sub.Created.Equal(now) {
				t.Errorf("%s: %+v", c.name, sub)
			}
			if sub.Public().Secret != "" {
				t.Errorf("%s: Public keeps the secret", c.name)
			}
		}
	}
	sub, err := webhook.NewSubscription("P", webhook.Request{URL: "https://a.example/", MsgTypes: []ceb.MsgType{"ceb622", "CEB312", "CEB622"}}, strict, now)
	if err != nil {
		t.Fatal(err)
	}
	if got := sub.MsgTypes; len(got) != 2 || got[0] != ceb.CEB312 || got[1] != ceb.CEB622 || sub.Format != webhook.FormatJSON {
		t.Errorf("types %v format %s: want [CEB312 CEB622] json", got, sub.Format)
	}
	other, _ := webhook.NewSubscription("P", webhook.Request{URL: "https://a.example/"}, strict, now)
	if other.ID == sub.ID || other.Secret == sub.Secret {
		t.Error("IDs and secrets repeat")
	}
}

func TestPrivate(t *testing.T) {
	for ip, want := range map[string]bool{
		"127.0.0.1": true, "10.0.0.1": true, "172.16.5.4": true, "192.168.1.1": true, "169.254.169.254": true,
		"::1": true, "fd00::1": true, "fe80::1": true, "0.0.0.0": true, "224.0.0.1": true,
		"8.8.8.8": false, "203.0.113.9": false, "2001:4860::8888": false, "172.32.0.1": false,
	} {
		if got := webhook.Private(net.ParseIP(ip)); got != want {
			t.Errorf("Private(%s) = %v, want %v", ip, got, want)
		}
	}
}
