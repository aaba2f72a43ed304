package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/cbec/cbec/pkg/ceb"
)

// ReceiptsQuery selects a page of receipts.
type ReceiptsQuery struct {
	// After is the cursor of the last receipt already read; 0 reads from
	// the start.
	After uint64
	// Limit is the most receipts on the page, 1 to 500; 0 is the server's
	// default (100).
	Limit int
	// MsgType keeps receipts of one type only (ceb.CEB622 …); "" all.
	MsgType ceb.MsgType
}

func (q ReceiptsQuery) values() url.Values {
	v := url.Values{}
	if q.After > 0 {
		v.Set("after", strconv.FormatUint(q.After, 10))
	}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	if q.MsgType != "" {
		v.Set("msgType", string(q.MsgType))
	}
	return v
}

// ReceiptsPage is a page of the caller's receipts, oldest first. Nothing is
// consumed: pass Next as the next query's After to read on, as often as
// needed; an empty page has Next equal to After.
type ReceiptsPage struct {
	Receipts []Receipt `json:"receipts"`
	Next     uint64    `json:"next"`
}

// Receipt is one receipt and its place in the caller's queue. Receipts
// sent together (the steps 2, 120, 399 and 800 of a release) share one
// cursor. It is the JSON of the server's receipt.Record, written again so
// that a party's program does not link that package's NATS client.
type Receipt struct {
	Cursor  uint64          `json:"cursor"`
	MsgType ceb.MsgType     `json:"msgType"`
	Time    time.Time       `json:"time"`
	Receipt json.RawMessage `json:"receipt"`
}

// Document decodes the receipt into its CEB type (*ceb.InventoryReturn for
// a CEB622 …).
func (r Receipt) Document() (ceb.Document, error) {
	if !r.MsgType.IsReceipt() {
		return nil, fmt.Errorf("client: %q is not a receipt type", r.MsgType)
	}
	d := ceb.NewDocument(r.MsgType)
	if err := json.Unmarshal(r.Receipt, d); err != nil {
		return nil, fmt.Errorf("client: %s receipt: %w", r.MsgType, err)
	}
	return d, nil
}

// Status is the receipt's returnStatus ("120", "800", "-901005" …), ""
// for a CEB792 summary result, which has none.
func (r Receipt) Status() string {
	var v struct {
		ReturnStatus string `json:"returnStatus"`
	}
	_ = json.Unmarshal(r.Receipt, &v)
	return v.ReturnStatus
}

// Receipts reads a page of the caller's receipts in JSON
// (GET /v1/receipts).
func (c *Client) Receipts(ctx context.Context, q ReceiptsQuery) (*ReceiptsPage, error) {
	var out ReceiptsPage
	if _, err := c.do(ctx, http.MethodGet, "/v1/receipts", q.values(), "", nil, "", &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ReceiptsXML reads a page as one CEB receipt message (CEB622Message …,
// inside a signed DxpMsg envelope when cbec signs its receipts), and the
// cursor to read on from. With nothing after q.After it returns a nil
// message and q.After.
func (c *Client) ReceiptsXML(ctx context.Context, q ReceiptsQuery) (message []byte, next uint64, err error) {
	a, err := c.do(ctx, http.MethodGet, "/v1/receipts", q.values(), "", nil, "application/xml", nil)
	if err != nil {
		return nil, 0, err
	}
	next, err = strconv.ParseUint(a.header.Get("Cbec-Next-Cursor"), 10, 64)
	if err != nil {
		return nil, 0, fmt.Errorf("client: Cbec-Next-Cursor: %w", err)
	}
	if a.status == http.StatusNoContent {
		return nil, next, nil
	}
	return a.body, next, nil
}
