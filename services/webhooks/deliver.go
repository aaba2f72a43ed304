package webhooks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/receipt"
	"github.com/cbec/cbec/pkg/webhook"
	"github.com/nats-io/nats.go/jetstream"
)

// Headers of a delivery besides webhook.SignatureHeader.
const (
	// HeaderSubscription names the subscription delivered to.
	HeaderSubscription = "Cbec-Webhook-Id"
	// HeaderDelivery identifies the delivery: the same value on every
	// attempt of it, so that a receiver can drop a repeat (a delivery is
	// retried until acknowledged: at least once).
	HeaderDelivery = "Cbec-Delivery"
	// HeaderCursor is the receipts cursor of the delivery: the same
	// position GET /v1/receipts?after= pages from.
	HeaderCursor = "Cbec-Cursor"
)

// Delivery is the JSON body of a delivery: the receipts of one stored
// receipt message, as GET /v1/receipts returns them.
type Delivery struct {
	// Subscription is the subscription's ID.
	Subscription string `json:"subscription"`
	// Receipts are the receipts sent together.
	Receipts []receipt.Record `json:"receipts"`
	// Next is the cursor after these receipts.
	Next uint64 `json:"next"`
}

// maxXMLDocuments bounds the receipts of one XML delivery, as the receipts
// API bounds a page.
const maxXMLDocuments = 100

// body encodes the receipts of m for sub.
func (s *Service) body(sub *webhook.Subscription, m jetstream.Msg) (body []byte, contentType string, seq uint64, err error) {
	md, err := m.Metadata()
	if err != nil {
		return nil, "", 0, broker.Poison(err)
	}
	seq = md.Sequence.Stream
	recs, err := receipt.Records(seq, m.Data(), m.Headers(), md.Timestamp)
	if err != nil {
		return nil, "", seq, broker.Poison(err)
	}
	if len(recs) == 0 {
		return nil, "", seq, nil
	}
	if sub.Format == webhook.FormatXML {
		out, _, err := receipt.EncodeXML(recs, max(maxXMLDocuments, len(recs)), sub.Party, s.env.Signer, s.env.Clock.Now())
		if err != nil {
			return nil, "", seq, broker.Poison(err)
		}
		return out, "application/xml; charset=utf-8", seq, nil
	}
	out, err := json.Marshal(Delivery{Subscription: sub.ID, Receipts: recs, Next: seq})
	return out, "application/json", seq, err
}

// post makes one delivery attempt. A 2xx answer is a delivery; anything
// else, a redirect included, is a failure whose reason names the status or
// the transport error, never the body (it is the receiver's).
func (s *Service) post(ctx context.Context, sub *webhook.Subscription, seq uint64, body []byte, contentType string) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, sub.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("User-Agent", "cbec-webhook/1")
	req.Header.Set(HeaderSubscription, sub.ID)
	req.Header.Set(HeaderDelivery, sub.ID+"-"+strconv.FormatUint(seq, 10))
	req.Header.Set(HeaderCursor, strconv.FormatUint(seq, 10))
	req.Header.Set(webhook.SignatureHeader, webhook.Sign([]byte(sub.Secret), s.env.Clock.Now(), body))
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	// Read a little of the body so that the connection can be reused.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	_ = resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}

// reason is a failure's cause as State.LastError keeps it: short, with no
// URL (it may carry a token in its query).
func reason(err error) string {
	var ue interface{ Timeout() bool }
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ue) && ue.Timeout():
		return "timeout"
	case errors.Is(err, errPrivate):
		return "refused: private address"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	}
	var ne *net.OpError
	if errors.As(err, &ne) {
		return "network error: " + ne.Op
	}
	var dn *net.DNSError
	if errors.As(err, &dn) {
		return "name not resolved"
	}
	if s := err.Error(); len(s) < 40 && s[:min(len(s), 7)] == "status " {
		return s
	}
	return "request failed"
}

// errPrivate is a connection refused because its address is private.
var errPrivate = errors.New("private address")

// newClient is the HTTP client of deliveries: no redirects (a delivery
// goes where it was registered), and, unless the policy allows private
// addresses, a dialer that refuses them after resolution — so that a name
// which resolves to 127.0.0.1 or 169.254.169.254 cannot turn webhooks into
// a way into the customs network.
func newClient(cfg webhook.Config) *http.Client {
	d := &net.Dialer{Timeout: cfg.Timeout}
	if !cfg.Policy.AllowPrivate {
		d.Control = func(_, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			if ip := net.ParseIP(host); ip == nil || webhook.Private(ip) {
				return errPrivate
			}
			return nil
		}
	}
	tr := &http.Transport{
		DialContext: d.DialContext, TLSHandshakeTimeout: cfg.Timeout, ResponseHeaderTimeout: cfg.Timeout,
		MaxIdleConnsPerHost: 2, IdleConnTimeout: 90 * time.Second, ForceAttemptHTTP2: true,
	}
	return &http.Client{
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
