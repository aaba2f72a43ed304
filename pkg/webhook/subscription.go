package webhook

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/cbec/cbec/pkg/ceb"
)

// Format is how a delivery's body is encoded.
type Format string

// Formats of a delivery's body.
const (
	// FormatJSON posts the receipts of one stored message as JSON
	// (Delivery).
	FormatJSON Format = "json"
	// FormatXML posts them as one CEB receipt message, in a signed DxpMsg
	// envelope when cbec has a signing key: what GET /v1/receipts answers
	// with Accept: application/xml.
	FormatXML Format = "xml"
)

// Limits of a subscription.
const (
	// MaxURL bounds a callback URL's length.
	MaxURL = 2048
	// MaxPerParty bounds the subscriptions one party may hold: each is a
	// JetStream consumer.
	MaxPerParty = 10
)

// Subscription is a party's registration of a callback URL for its
// receipts of some message types.
type Subscription struct {
	// ID names the subscription; it is also its consumer's name.
	ID string `json:"id"`
	// Party is the party whose receipts are delivered.
	Party string `json:"party"`
	// URL is where deliveries are POSTed.
	URL string `json:"url"`
	// MsgTypes are the receipt types delivered; empty means every type.
	MsgTypes []ceb.MsgType `json:"msgTypes,omitempty"`
	// Format is the body's encoding.
	Format Format `json:"format"`
	// After is the receipts cursor deliveries start after (0: the receipts
	// stored from the registration on).
	After uint64 `json:"after,omitempty"`
	// Created is when the party registered it.
	Created time.Time `json:"created"`
	// Secret keys the deliveries' signatures. It is shown to the party once,
	// in the answer to the registration, and never again.
	Secret string `json:"secret,omitempty"`
}

// Request is what a party sends to register a subscription.
type Request struct {
	URL      string        `json:"url"`
	MsgTypes []ceb.MsgType `json:"msgTypes,omitempty"`
	Format   Format        `json:"format,omitempty"`
	After    uint64        `json:"after,omitempty"`
}

// InvalidError is a registration refused, with the field at fault and the
// value it held.
type InvalidError struct {
	Field, Value, Reason string
}

func (e *InvalidError) Error() string {
	return fmt.Sprintf("%s %q: %s", e.Field, e.Value, e.Reason)
}

// Policy is what the deployment allows as a callback URL.
type Policy struct {
	// AllowHTTP admits http:// URLs (development); otherwise https only.
	AllowHTTP bool
	// AllowPrivate admits hosts on loopback, private and link-local
	// addresses (development and tests); otherwise such URLs are refused
	// here and, as names may resolve anywhere, again at each connection
	// (Dialer).
	AllowPrivate bool
}

// NewSubscription validates req and returns party's subscription, with a
// fresh ID and secret.
func NewSubscription(party string, req Request, pol Policy, now time.Time) (*Subscription, error) {
	if err := pol.checkURL(req.URL); err != nil {
		return nil, err
	}
	f := req.Format
	if f == "" {
		f = FormatJSON
	}
	if f != FormatJSON && f != FormatXML {
		return nil, &InvalidError{"format", string(f), "must be json or xml"}
	}
	var types []ceb.MsgType
	for _, t := range req.MsgTypes {
		t = ceb.MsgType(strings.ToUpper(string(t)))
		if !t.IsReceipt() || t == ceb.CEB900 {
			return nil, &InvalidError{"msgTypes", string(t), "not a receipt type"}
		}
		if !slices.Contains(types, t) {
			types = append(types, t)
		}
	}
	slices.Sort(types)
	return &Subscription{
		ID: randomHex(8), Party: party, URL: req.URL, MsgTypes: types, Format: f,
		After: req.After, Created: now.UTC(), Secret: randomHex(32),
	}, nil
}

// Public is the subscription without its secret.
func (s Subscription) Public() Subscription {
	s.Secret = ""
	return s
}

func (p Policy) checkURL(raw string) error {
	if len(raw) > MaxURL {
		return &InvalidError{"url", raw[:64] + "…", fmt.Sprintf("longer than %d characters", MaxURL)}
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Hostname() == "" {
		return &InvalidError{"url", raw, "not an absolute URL"}
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && p.AllowHTTP:
	default:
		return &InvalidError{"url", raw, "scheme must be https"}
	}
	if u.User != nil {
		return &InvalidError{"url", u.Redacted(), "must not carry credentials: deliveries are signed"}
	}
	if u.Fragment != "" {
		return &InvalidError{"url", raw, "must not have a fragment"}
	}
	if ip := net.ParseIP(u.Hostname()); ip != nil && !p.AllowPrivate && Private(ip) {
		return &InvalidError{"url", raw, "private, loopback and link-local addresses are refused"}
	}
	if h := strings.ToLower(u.Hostname()); !p.AllowPrivate && (h == "localhost" || strings.HasSuffix(h, ".localhost")) {
		return &InvalidError{"url", raw, "private, loopback and link-local addresses are refused"}
	}
	return nil
}

// Private reports whether ip is one a webhook must not reach in
// production: loopback, private (RFC 1918, RFC 4193), link-local (cloud
// metadata services live there), unspecified or multicast.
func Private(ip net.IP) bool {
	return ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsUnspecified() || ip.IsMulticast() || ip.IsInterfaceLocalMulticast()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
