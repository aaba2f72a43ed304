// Package client is a small Go client of cbec's HTTP API
// (docs/openapi.yaml) for the parties that integrate with it: submit CEB
// documents as JSON or XML, read receipts by cursor, query a declaration's
// state, and verify the signature of a webhook delivery.
//
// Every method takes a context first and returns the server's refusal as
// an *Error carrying the cbec error code (docs/errors.md):
//
//	c, err := client.New("http://127.0.0.1:8080", "demo-agent")
//	res, err := c.Submit(ctx, inventory)           // *ceb.Inventory → POST /v1/import/inventories
//	page, err := c.Receipts(ctx, client.ReceiptsQuery{After: cursor})
//	st, err := c.Inventory(ctx, "1500000001", "DEMO-0001")
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cbec/cbec/pkg/clock"
)

// MaxBody is the most of an answer the client reads; cbec's answers are far
// smaller (a page of 500 receipts is about 300 KiB).
const MaxBody = 16 << 20

// Client talks to one cbec as one party. It is safe for concurrent use.
type Client struct {
	base  *url.URL
	key   string
	hc    *http.Client
	clock clock.Clock
}

// Option changes a Client being built by New.
type Option func(*Client)

// WithHTTPClient sends the requests with hc instead of a client with a
// 30-second timeout.
func WithHTTPClient(hc *http.Client) Option { return func(c *Client) { c.hc = hc } }

// WithClock sets the clock VerifyWebhook compares a delivery's timestamp
// with (the system clock by default).
func WithClock(clk clock.Clock) Option { return func(c *Client) { c.clock = clk } }

// New returns a client of the cbec at baseURL (e.g.
// "http://127.0.0.1:8080") that authenticates with apiKey.
func New(baseURL, apiKey string, opts ...Option) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("client: base URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("client: base URL %q: want http(s)://host[:port]", baseURL)
	}
	if apiKey == "" {
		return nil, errors.New("client: an API key is required")
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	c := &Client{base: u, key: apiKey, hc: &http.Client{Timeout: 30 * time.Second}, clock: clock.System{}}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// Error is a request cbec refused: its RFC 9457 problem document, whose
// Code is the cbec error code ("-900401", "-301010", "0002" …).
type Error struct {
	Status    int      `json:"status"`
	Code      string   `json:"code"`
	Title     string   `json:"title"`
	Detail    string   `json:"detail,omitempty"`
	Errors    []Detail `json:"errors,omitempty"`
	Results   []Result `json:"results,omitempty"`
	RequestID string   `json:"requestId,omitempty"`
}

// Error formats the code, the title and the detail.
func (e *Error) Error() string {
	s := fmt.Sprintf("cbec: %d %s %s", e.Status, e.Code, e.Title)
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Code returns the cbec error code of err, an *Error or one wrapping it,
// or "".
func Code(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// Detail names one offending element of a document by its CEB path.
type Detail struct {
	Path    string `json:"path"`
	Rule    string `json:"rule,omitempty"`
	Message string `json:"message"`
}

// answer is a response read whole; the body is closed.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// do sends a request and decodes a 2xx JSON answer into out (unless out is
// nil); any other answer becomes an *Error.
func (c *Client) do(ctx context.Context, method, path string, query url.Values, ctype string, in []byte, accept string, out any) (answer, error) {
	u := *c.base
	u.Path += path
	u.RawQuery = query.Encode()
	var rd io.Reader
	if in != nil {
		rd = bytes.NewReader(in)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return answer{}, fmt.Errorf("client: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return answer{}, fmt.Errorf("client: %s %s: %w", method, path, err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody))
	if err != nil {
		return answer{}, fmt.Errorf("client: %s %s: %w", method, path, err)
	}
	a := answer{status: resp.StatusCode, header: resp.Header, body: body}
	if a.status/100 != 2 {
		return a, problem(a)
	}
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			return a, fmt.Errorf("client: %s %s: answer: %w", method, path, err)
		}
	}
	return a, nil
}

// problem decodes a refusal; an answer that is no problem document (a
// proxy's page) keeps its status with the code empty.
func problem(a answer) error {
	e := &Error{Status: a.status, Title: http.StatusText(a.status)}
	if mt, _, _ := mime.ParseMediaType(a.header.Get("Content-Type")); mt == "application/problem+json" || mt == "application/json" {
		_ = json.Unmarshal(a.body, e)
		e.Status = a.status
	}
	if e.RequestID == "" {
		e.RequestID = a.header.Get("X-Request-Id")
	}
	return e
}
