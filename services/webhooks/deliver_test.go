package webhooks

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/cbec/cbec/pkg/webhook"
)

// TestClientRefusesPrivateAddressesAtConnection checks the second line of
// the private-address policy: whatever a URL's host name resolves to, the
// dialer refuses a private address (here the loopback of a real server).
func TestClientRefusesPrivateAddressesAtConnection(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	get := func(c *http.Client) error {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, nil)
		resp, err := c.Do(req)
		if err == nil {
			_ = resp.Body.Close()
		}
		return err
	}
	err := get(newClient(webhook.Config{Timeout: time.Second}))
	if !errors.Is(err, errPrivate) || reason(err) != "refused: private address" {
		t.Fatalf("strict client: %v (%q)", err, reason(err))
	}
	if err := get(newClient(webhook.Config{Timeout: time.Second, Policy: webhook.Policy{AllowPrivate: true}})); err != nil {
		t.Fatalf("development client: %v", err)
	}
}

// TestClientDoesNotFollowRedirects: a delivery goes where it was
// registered; a redirect is a failure, not a new destination.
func TestClientDoesNotFollowRedirects(t *testing.T) {
	hit := make(chan struct{}, 1)
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { hit <- struct{}{} }))
	defer target.Close()
	srv := httptest.NewServer(http.RedirectHandler(target.URL, http.StatusTemporaryRedirect))
	defer srv.Close()
	c := newClient(webhook.Config{Timeout: time.Second, Policy: webhook.Policy{AllowPrivate: true}})
	req, _ := http.NewRequest(http.MethodPost, srv.URL, nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusTemporaryRedirect {
		t.Fatalf("status %d: the redirect was followed", resp.StatusCode)
	}
	select {
	case <-hit:
		t.Fatal("the redirect's target was called")
	default:
	}
}

func TestReasonNamesNoURL(t *testing.T) {
	for err, want := range map[error]string{
		errors.New("status 503"):                              "status 503",
		context.DeadlineExceeded:                              "timeout",
		errors.New("parse https://user:tok@x/?k=secret: bad"): "request failed",
	} {
		if got := reason(err); got != want {
			t.Errorf("reason(%v) = %q, want %q", err, got, want)
		}
	}
}
