package client

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"time"
)

// State is a declaration's clearance state as its parties see it: an
// import inventory list (Inventory) or an export one (ExportList). Raw
// holds the whole answer, for the fields State does not name (the tax, the
// risk hits, the accepted document …; docs/openapi.yaml).
type State struct {
	EbpCode string `json:"ebpCode"`
	OrderNo string `json:"orderNo"`
	// Status is the last returnStatus: 2, 120, 300, 399, 800, 100 … (an
	// export list also arrived, 899, cancelled).
	Status string `json:"status"`
	// Code is the error code of a rejection (status 100).
	Code   string `json:"code,omitempty"`
	PreNo  string `json:"preNo,omitempty"`
	CopNo  string `json:"copNo,omitempty"`
	InvtNo string `json:"invtNo,omitempty"`
	// History is every step, oldest first.
	History []Step `json:"history"`
	// ReleasedAt is the release (800); zero before.
	ReleasedAt time.Time       `json:"releasedAt"`
	Raw        json.RawMessage `json:"-"`
}

// Step is one step of a declaration's history.
type Step struct {
	Status string    `json:"status"`
	Info   string    `json:"info,omitempty"`
	Time   time.Time `json:"time"`
}

// Inventory reads the state of the import inventory list declared for the
// order (GET /v1/import/inventories/{ebpCode}/{orderNo}). A list that does
// not exist, or is not the caller's, is an *Error with code -900404.
func (c *Client) Inventory(ctx context.Context, ebpCode, orderNo string) (*State, error) {
	return c.state(ctx, "/v1/import/inventories/"+url.PathEscape(ebpCode)+"/"+url.PathEscape(orderNo))
}

// ExportList reads the state of the export inventory list of the order
// (GET /v1/export/lists/{ebpCode}/{orderNo}).
func (c *Client) ExportList(ctx context.Context, ebpCode, orderNo string) (*State, error) {
	return c.state(ctx, "/v1/export/lists/"+url.PathEscape(ebpCode)+"/"+url.PathEscape(orderNo))
}

func (c *Client) state(ctx context.Context, path string) (*State, error) {
	var st State
	a, err := c.do(ctx, http.MethodGet, path, nil, "", nil, "", &st)
	if err != nil {
		return nil, err
	}
	st.Raw = a.body
	return &st, nil
}
