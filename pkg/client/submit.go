package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/cbec/cbec/pkg/ceb"
)

// MaxBatch is the most documents one submission carries.
const MaxBatch = ceb.MaxDocuments

// SubmitResponse is the answer to a submission: one result per document,
// in input order. At least one was accepted; the others are rejected with
// their errors.
type SubmitResponse struct {
	Accepted int      `json:"accepted"`
	Rejected int      `json:"rejected"`
	Results  []Result `json:"results"`
}

// Result is what became of one document.
type Result struct {
	Index   int         `json:"index"`
	MsgType ceb.MsgType `json:"msgType"`
	GUID    string      `json:"guid,omitempty"`
	// Key is the business key, its values joined by "/".
	Key string `json:"key,omitempty"`
	// Status is "accepted" or "rejected".
	Status string    `json:"status"`
	Error  *DocError `json:"error,omitempty"`
}

// DocError is why a document was rejected.
type DocError struct {
	Code    string   `json:"code"`
	Message string   `json:"message"`
	Details []Detail `json:"details,omitempty"`
}

// paths are the JSON intake endpoints of each declaration type.
var paths = map[ceb.MsgType]string{
	ceb.CEB311: "/v1/import/orders",
	ceb.CEB411: "/v1/import/payments",
	ceb.CEB511: "/v1/import/waybills",
	ceb.CEB621: "/v1/import/inventories",
	ceb.CEB623: "/v1/import/cancellations",
	ceb.CEB625: "/v1/import/returns",
	ceb.CEB303: "/v1/export/orders",
	ceb.CEB403: "/v1/export/receipts",
	ceb.CEB505: "/v1/export/waybills",
	ceb.CEB507: "/v1/export/arrivals",
	ceb.CEB509: "/v1/export/departures",
	ceb.CEB603: "/v1/export/inventories",
	ceb.CEB605: "/v1/export/cancellations",
	ceb.CEB701: "/v1/export/summaries",
}

// Submit sends declarations of one type as JSON, in one batch of 1 to
// MaxBatch (POST /v1/import/{kind} or /v1/export/{kind}, by their type).
// A submission of which no document was accepted is an *Error whose
// Results say why each was rejected.
func (c *Client) Submit(ctx context.Context, docs ...ceb.Declaration) (*SubmitResponse, error) {
	if len(docs) == 0 || len(docs) > MaxBatch {
		return nil, fmt.Errorf("client: %d documents: a batch holds 1 to %d", len(docs), MaxBatch)
	}
	t := docs[0].MsgType()
	for _, d := range docs[1:] {
		if d.MsgType() != t {
			return nil, fmt.Errorf("client: %s and %s in one batch: a batch holds one type", t, d.MsgType())
		}
	}
	path, ok := paths[t]
	if !ok {
		return nil, fmt.Errorf("client: %s is not a declaration", t)
	}
	body, err := json.Marshal(docs)
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	return c.SubmitJSON(ctx, path, body)
}

// SubmitJSON sends a JSON body as it is — one document or an array — to
// an intake path ("/v1/import/orders"), for documents kept as JSON files.
func (c *Client) SubmitJSON(ctx context.Context, path string, body []byte) (*SubmitResponse, error) {
	var out SubmitResponse
	if _, err := c.do(ctx, http.MethodPost, path, nil, "application/json", body, "", &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// SubmitXML sends one CEB XML message (POST /v1/ceb), signed or not.
func (c *Client) SubmitXML(ctx context.Context, message []byte) (*SubmitResponse, error) {
	var out SubmitResponse
	if _, err := c.do(ctx, http.MethodPost, "/v1/ceb", nil, "application/xml", message, "", &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// SubmitMessage encodes m as CEB XML (ceb.EncodeXML) and sends it.
func (c *Client) SubmitMessage(ctx context.Context, m *ceb.Message) (*SubmitResponse, error) {
	b, err := ceb.EncodeXML(m)
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	return c.SubmitXML(ctx, b)
}
