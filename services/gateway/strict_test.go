package gateway_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/ceb/cebtest"
	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/services/gateway"
	"github.com/cbec/cbec/services/servicetest"
)

// strictProblem is what a refused submission names: the code, and every
// (path, rule) of the problem's errors and of its documents' results.
type strictProblem struct {
	Code    errcode.Code     `json:"code"`
	Errors  []errcode.Detail `json:"errors"`
	Results []gateway.Result `json:"results"`
}

func (p strictProblem) has(path, rule string) bool {
	details := p.Errors
	for _, r := range p.Results {
		if r.Error != nil {
			details = append(details, r.Error.Details...)
		}
	}
	for _, d := range details {
		if d.Path == path && d.Rule == rule {
			return true
		}
	}
	return false
}

// TestStrictInput sends, over HTTP, an order that breaks one strict input
// rule (docs/errors.md, "Strict input") in JSON and in CEB XML, and expects
// 400 with the code and the offending element's path and rule; then proves
// that none of them left anything behind: the corrected order is accepted
// as new (no duplicate guard was written), CEB_IN holds it alone, and its
// receipt is the party's only one.
func TestStrictInput(t *testing.T) {
	h := servicetest.New(t)
	o, _, _, _ := cebtest.Set("STRICT-GW-1")
	o.OrderHead.Note = "MARK-NOTE"
	jsonBody, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	xmlBody, err := ceb.EncodeXML(cebtest.Message(o))
	if err != nil {
		t.Fatal(err)
	}
	const bt = "<BaseTransfer>"
	cases := []struct {
		name     string
		xml      bool
		old, new string
		code     errcode.Code
		path     string
		rule     string
	}{
		// JSON
		{"JSON not UTF-8", false, "MARK-NOTE", "a\xffb", errcode.MessageFormat, "Order[0].OrderHead.note", "utf8"},
		{"JSON lone surrogate", false, "MARK-NOTE", `a\udc00`, errcode.MessageFormat, "Order[0].OrderHead.note", "utf8"},
		{"JSON control character", false, "MARK-NOTE", `a\u0001b`, errcode.SchemaInvalid, "Order[0].OrderHead.note", "control"},
		{"JSON NUL", false, "MARK-NOTE", `\u0000`, errcode.SchemaInvalid, "Order[0].OrderHead.note", "control"},
		{"JSON carriage return", false, "MARK-NOTE", `a\r\nb`, errcode.SchemaInvalid, "Order[0].OrderHead.note", "control"},
		{"JSON C1 control", false, "MARK-NOTE", `a\u0085b`, errcode.SchemaInvalid, "Order[0].OrderHead.note", "control"},
		{"JSON repeated key", false, `"note":"MARK-NOTE"`, `"note":"MARK-NOTE","orderNo":"STRICT-GW-2"`, errcode.SchemaInvalid, "Order[0].OrderHead.orderNo", "duplicate"},
		{"JSON repeated key in another case", false, `"note":"MARK-NOTE"`, `"note":"MARK-NOTE","OrderNo":"STRICT-GW-2"`, errcode.SchemaInvalid, "Order[0].OrderHead.OrderNo", "duplicate"},
		// CEB XML
		{"XML not UTF-8", true, "MARK-NOTE", "a\xffb", errcode.MessageFormat, "Order[0].OrderHead.note", "utf8"},
		{"XML control character", true, "MARK-NOTE", "a\x01b", errcode.MessageFormat, "Order[0].OrderHead.note", "control"},
		{"XML control character by reference", true, "MARK-NOTE", "a&#1;b", errcode.MessageFormat, "Order[0].OrderHead.note", "control"},
		{"XML carriage return by reference", true, "MARK-NOTE", "a&#13;b", errcode.SchemaInvalid, "Order[0].OrderHead.note", "control"},
		{"XML DEL", true, "MARK-NOTE", "a\x7fb", errcode.SchemaInvalid, "Order[0].OrderHead.note", "control"},
		{"XML repeated element", true, "<note>MARK-NOTE</note>", "<note>MARK-NOTE</note><orderNo>STRICT-GW-2</orderNo>", errcode.SchemaInvalid, "Order[0].OrderHead.orderNo", "duplicate"},
		{"XML repeated element in a line", true, "<gnum>1</gnum>", "<gnum>1</gnum><gnum>2</gnum>", errcode.SchemaInvalid, "Order[0].OrderList[0].gnum", "duplicate"},
		{"XML repeated BaseTransfer", true, bt, "<BaseTransfer><copCode>1500000001</copCode><copName>n</copName><dxpMode>DXP</dxpMode><dxpId>X</dxpId></BaseTransfer>" + bt, errcode.SchemaInvalid, "BaseTransfer", "duplicate"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path, ctype, body := "/v1/import/orders", "application/json", jsonBody
			if c.xml {
				path, ctype, body = "/v1/ceb", "application/xml", xmlBody
			}
			sent := bytes.Replace(body, []byte(c.old), []byte(c.new), 1)
			if bytes.Equal(sent, body) {
				t.Fatalf("%q not in the body", c.old)
			}
			code, b, _ := h.Do("POST", path, keyEBP, ctype, sent)
			if code != http.StatusBadRequest {
				t.Fatalf("%d %s", code, b)
			}
			var p strictProblem
			if err := json.Unmarshal(b, &p); err != nil {
				t.Fatalf("not a problem document: %s", b)
			}
			if p.Code != c.code || !p.has(c.path, c.rule) {
				t.Fatalf("want code %s with %s (rule %s): %s", c.code, c.path, c.rule, b)
			}
		})
	}

	// In a batch, the document with a repeated key is rejected and the
	// other goes on, as any document failing the schema.
	other, _, _, _ := cebtest.Set("STRICT-GW-3")
	otherBody, err := json.Marshal(other)
	if err != nil {
		t.Fatal(err)
	}
	dup := bytes.Replace(jsonBody, []byte(`"note":"MARK-NOTE"`), []byte(`"note":"MARK-NOTE","note":"other"`), 1)
	batch := []byte("[" + string(otherBody) + "," + string(dup) + "]")
	code, b, _ := h.Do("POST", "/v1/import/orders", keyEBP, "application/json", batch)
	var r gateway.SubmitResponse
	if code != http.StatusAccepted || json.Unmarshal(b, &r) != nil || r.Accepted != 1 || r.Rejected != 1 {
		t.Fatalf("batch: %d %s", code, b)
	}
	if e := r.Results[1].Error; e == nil || e.Code != errcode.SchemaInvalid || len(e.Details) != 1 ||
		e.Details[0].Path != "Order[1].OrderHead.note" || e.Details[0].Rule != "duplicate" {
		t.Fatalf("batch: the repeated key: %s", b)
	}

	// Nothing of the refused submissions was stored: the corrected order
	// is new, and the two accepted orders are all CEB_IN holds and all the
	// receipts the platform gets.
	code, r2, b := h.SubmitJSON("orders", keyEBP, o)
	if code != http.StatusAccepted || r2.Accepted != 1 {
		t.Fatalf("the corrected order: %d %s", code, b)
	}
	recs := h.WaitReceipts(keyEBP, "", 2)
	if len(recs) != 2 {
		t.Fatalf("receipts %+v, want the two accepted orders'", recs)
	}
	ctx := context.Background()
	st, err := h.JS.Stream(ctx, broker.StreamIn)
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != 2 {
		t.Fatalf("CEB_IN holds %d messages, want the 2 accepted orders", info.State.Msgs)
	}
}
