package gateway_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/ceb/cebtest"
	"github.com/cbec/cbec/pkg/docstore"
	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/httpapi"
	"github.com/cbec/cbec/pkg/natstest"
	"github.com/cbec/cbec/services/gateway"
	"github.com/cbec/cbec/services/servicetest"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Demo keys of the cebtest parties.
const (
	keyEBP       = servicetest.KeyEBP
	keyPay       = servicetest.KeyPay
	keyLogistics = servicetest.KeyLogistics
	keyAgent     = servicetest.KeyAgent
	keyEBC       = servicetest.KeyEBC
	keyOtherEBP  = servicetest.KeyOtherEBP
	keyOfficer   = servicetest.KeyOfficer
)

func TestAuthentication(t *testing.T) {
	h := servicetest.New(t)
	o, _, _, _ := cebtest.Set("AUTH-1")
	body, _ := json.Marshal(o)
	for name, key := range map[string]string{"missing": "", "unknown": "not-a-key"} {
		code, b, hdr := h.Do("POST", "/v1/import/orders", key, "application/json", body)
		if code != http.StatusUnauthorized {
			t.Fatalf("%s key: %d %s", name, code, b)
		}
		if !strings.HasPrefix(hdr.Get("Content-Type"), "application/problem+json") {
			t.Errorf("%s key: content type %q", name, hdr.Get("Content-Type"))
		}
		if p := servicetest.DecodeProblem(t, b); p.Code != string(errcode.Unauthenticated) {
			t.Errorf("%s key: code %s", name, p.Code)
		}
	}
	if code, _, _ := h.Do("GET", "/v1/receipts", "", "", nil); code != http.StatusUnauthorized {
		t.Fatalf("receipts without key: %d", code)
	}
}

func TestPartySubmitsOnlyAsItself(t *testing.T) {
	h := servicetest.New(t)
	o, p, l, i := cebtest.Set("SENDER-1")
	cases := []struct {
		name, kind, key string
		doc             any
	}{
		{"order by a payment company", "orders", keyPay, o},
		{"order by another platform", "orders", keyOtherEBP, o},
		{"order by the enterprise, not the platform", "orders", keyEBC, o},
		{"payment by the platform", "payments", keyEBP, p},
		{"waybill by the agent", "waybills", keyAgent, l},
		{"inventory by the platform", "inventories", keyEBP, i},
		{"inventory by an officer", "inventories", keyOfficer, i},
	}
	for _, c := range cases {
		code, _, b := h.SubmitJSON(c.kind, c.key, c.doc)
		if code != http.StatusForbidden {
			t.Errorf("%s: %d %s", c.name, code, b)
			continue
		}
		pr := servicetest.DecodeProblem(t, b)
		if len(pr.Results) != 1 || pr.Results[0].Error == nil || pr.Results[0].Error.Code != errcode.Forbidden {
			t.Errorf("%s: results %s", c.name, b)
		}
	}
	// Nothing was stored: the rightful sender can still submit.
	if code, r, b := h.SubmitJSON("orders", keyEBP, o); code != http.StatusAccepted || r.Accepted != 1 {
		t.Fatalf("rightful sender: %d %s", code, b)
	}
}

func TestBatchMixesAcceptedAndRejected(t *testing.T) {
	h := servicetest.New(t)
	good, _, _, _ := cebtest.Set("BATCH-1")
	bad, _, _, _ := cebtest.Set("BATCH-2")
	bad.OrderHead.OrderNo = ""
	bad.OrderList[0].Qty = ceb.Amount{}
	foreign, _, _, _ := cebtest.Set("BATCH-3")
	foreign.OrderHead.EbpCode = "1101110325"
	code, r, b := h.SubmitJSON("orders", keyEBP, []any{good, bad, foreign})
	if code != http.StatusAccepted {
		t.Fatalf("%d %s", code, b)
	}
	if r.Accepted != 1 || r.Rejected != 2 {
		t.Fatalf("accepted %d rejected %d: %s", r.Accepted, r.Rejected, b)
	}
	if r.Results[0].Status != gateway.Accepted {
		t.Errorf("good order: %+v", r.Results[0])
	}
	e := r.Results[1].Error
	if e == nil || e.Code != errcode.SchemaInvalid {
		t.Fatalf("bad order: %+v", r.Results[1])
	}
	paths := map[string]bool{}
	for _, d := range e.Details {
		paths[d.Path] = true
	}
	for _, want := range []string{"Order[1].OrderHead.orderNo", "Order[1].OrderList[0].qty"} {
		if !paths[want] {
			t.Errorf("missing error path %s in %v", want, paths)
		}
	}
	if r.Results[2].Error == nil || r.Results[2].Error.Code != errcode.Forbidden {
		t.Errorf("foreign order: %+v", r.Results[2])
	}
	// Only the accepted order gets a receipt.
	recs := h.WaitReceipts(keyEBP, "", 1)
	if len(recs) != 1 || recs[0].Status() != "120" {
		t.Fatalf("receipts %+v", recs)
	}
}

func TestNothingAcceptedIs400(t *testing.T) {
	h := servicetest.New(t)
	bad, _, _, _ := cebtest.Set("NONE-1")
	bad.OrderHead.Currency = "502"
	code, _, b := h.SubmitJSON("orders", keyEBP, []any{bad})
	if code != http.StatusBadRequest {
		t.Fatalf("%d %s", code, b)
	}
	p := servicetest.DecodeProblem(t, b)
	if len(p.Results) != 1 || p.Results[0].Error.Details[0].Path != "Order[0].OrderHead.currency" {
		t.Fatalf("%s", b)
	}
}

func TestLimits(t *testing.T) {
	h := servicetest.New(t)
	o, _, _, _ := cebtest.Set("LIMIT-1")
	body, _ := json.Marshal(o)
	cases := []struct {
		name, path, ctype string
		body              []byte
		want              int
		code              errcode.Code
	}{
		{"wrong content type", "/v1/import/orders", "text/plain", body, http.StatusUnsupportedMediaType, errcode.UnsupportedMediaType},
		{"json to the XML endpoint", "/v1/ceb", "application/json", body, http.StatusUnsupportedMediaType, errcode.UnsupportedMediaType},
		{"too large", "/v1/import/orders", "application/json", bytes.Repeat([]byte(" "), httpapi.MaxBody+1), http.StatusRequestEntityTooLarge, errcode.TooLarge},
		{"unparseable JSON", "/v1/import/orders", "application/json", []byte(`{"OrderHead":`), http.StatusBadRequest, errcode.MessageFormat},
		{"unknown JSON field", "/v1/import/orders", "application/json", []byte(`{"bogus":1}`), http.StatusBadRequest, errcode.MessageFormat},
		{"unparseable XML", "/v1/ceb", "application/xml", []byte(`<CEB311Message`), http.StatusBadRequest, errcode.MessageFormat},
		{"empty array", "/v1/import/orders", "application/json", []byte(`[]`), http.StatusBadRequest, errcode.MessageFormat},
		{"unknown kind", "/v1/import/parcels", "application/json", body, http.StatusNotFound, errcode.NotFound},
	}
	for _, c := range cases {
		code, b, _ := h.Do("POST", c.path, keyEBP, c.ctype, c.body)
		if code != c.want {
			t.Errorf("%s: %d %s", c.name, code, b)
			continue
		}
		if p := servicetest.DecodeProblem(t, b); p.Code != string(c.code) {
			t.Errorf("%s: code %s", c.name, p.Code)
		}
	}
	var many []any
	for i := range gateway.MaxDocuments + 1 {
		d, _, _, _ := cebtest.Set("MANY-" + string(rune('A'+i%26)) + strings.Repeat("x", i/26))
		many = append(many, d)
	}
	code, _, b := h.SubmitJSON("orders", keyEBP, many)
	if code != http.StatusRequestEntityTooLarge {
		t.Fatalf("101 documents: %d %s", code, b)
	}
}

// otherCopy returns a different document under the same business key: the
// same document with another guid.
func otherCopy(t *testing.T, doc ceb.Declaration) ceb.Declaration {
	t.Helper()
	const guid = "00000000-0000-4000-8000-00000000C0DE"
	switch d := doc.(type) {
	case *ceb.Order:
		c := *d
		c.OrderHead.Guid = guid
		return &c
	case *ceb.Payment:
		c := *d
		c.PaymentHead.Guid = guid
		return &c
	case *ceb.Logistics:
		c := *d
		c.LogisticsHead.Guid = guid
		return &c
	case *ceb.Inventory:
		c := *d
		c.InventoryHead.Guid = guid
		return &c
	}
	t.Fatalf("no other copy of %T", doc)
	return nil
}

func TestDuplicatesAreRejectedForTheDocumentsLifetime(t *testing.T) {
	h := servicetest.New(t)
	o, p, l, i := cebtest.Set("DUP-1")
	for _, c := range []struct {
		kind, key string
		doc       ceb.Declaration
		dup       errcode.Code
	}{
		{"orders", keyEBP, o, errcode.OrderExists},
		{"payments", keyPay, p, errcode.PaymentExists},
		{"waybills", keyLogistics, l, errcode.WaybillExists},
		{"inventories", keyAgent, i, errcode.InventoryExists},
	} {
		if code, _, b := h.SubmitJSON(c.kind, c.key, c.doc); code != http.StatusAccepted {
			t.Fatalf("%s: %d %s", c.kind, code, b)
		}
		// Another document under the key, be it only its guid, is a
		// duplicate; the same document again is not (resubmit_test.go).
		code, _, b := h.SubmitJSON(c.kind, c.key, otherCopy(t, c.doc))
		if code != http.StatusBadRequest {
			t.Fatalf("%s duplicate: %d %s", c.kind, code, b)
		}
		if pr := servicetest.DecodeProblem(t, b); pr.Results[0].Error.Code != c.dup {
			t.Fatalf("%s duplicate: %s", c.kind, b)
		}
	}
	// Shrink JetStream's duplicate window so that only the CBEC_DOCS guard
	// can still catch the copy: a time window has to elapse, so this waits.
	ctx := context.Background()
	st, err := h.JS.Stream(ctx, broker.StreamIn)
	if err != nil {
		t.Fatal(err)
	}
	cfg := st.CachedInfo().Config
	cfg.Duplicates = 100 * time.Millisecond
	if _, err := h.JS.UpdateStream(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	changed := *o
	changed.OrderHead.Note = "a different copy"
	code, _, b := h.SubmitJSON("orders", keyEBP, &changed)
	if code != http.StatusBadRequest || servicetest.DecodeProblem(t, b).Results[0].Error.Code != errcode.OrderExists {
		t.Fatalf("copy after the window: %d %s", code, b)
	}
	// The rejected copy left nothing behind: the consumer sent one receipt.
	before, _ := st.Info(ctx)
	recs := h.WaitReceipts(keyEBP, "msgType=CEB312", 1)
	if len(recs) != 1 {
		t.Fatalf("order receipts: %+v, want one", recs)
	}
	if before.State.Msgs != 4 {
		t.Fatalf("CEB_IN holds %d messages, want the 4 accepted documents", before.State.Msgs)
	}
}

func TestChangeReplacesOnlyUnusedDocuments(t *testing.T) {
	h := servicetest.New(t)
	o, _, l, i := cebtest.Set("CHG-1")
	change := func(kind, key string, doc any) (int, []byte) {
		code, _, b := h.SubmitJSON(kind, key, doc)
		return code, b
	}
	orphan, _, _, _ := cebtest.Set("CHG-NONE")
	orphan.OrderHead.AppType = "2"
	if code, b := change("orders", keyEBP, orphan); code != http.StatusBadRequest || servicetest.DecodeProblem(t, b).Results[0].Error.Code != errcode.NothingToChange {
		t.Fatalf("change of a missing order: %d %s", code, b)
	}
	if code, b := change("orders", keyEBP, o); code != http.StatusAccepted {
		t.Fatalf("%d %s", code, b)
	}
	o2 := *o
	o2.OrderHead.AppType = "2"
	o2.OrderHead.Note = "corrected"
	if code, b := change("orders", keyEBP, &o2); code != http.StatusAccepted {
		t.Fatalf("change of an unused order: %d %s", code, b)
	}
	// The same change again (a retried request) is accepted and stores
	// nothing.
	if code, b := change("orders", keyEBP, &o2); code != http.StatusAccepted {
		t.Fatalf("retried change: %d %s", code, b)
	}
	if code, b := change("waybills", keyLogistics, l); code != http.StatusAccepted {
		t.Fatalf("%d %s", code, b)
	}
	if code, b := change("inventories", keyAgent, i); code != http.StatusAccepted {
		t.Fatalf("%d %s", code, b)
	}
	// Still the stored version once the order is used: accepted again.
	if code, b := change("orders", keyEBP, &o2); code != http.StatusAccepted {
		t.Fatalf("retried change of a used order: %d %s", code, b)
	}
	o3 := o2
	o3.OrderHead.Note = "too late"
	if code, b := change("orders", keyEBP, &o3); code != http.StatusBadRequest || servicetest.DecodeProblem(t, b).Results[0].Error.Code != errcode.OrderUsed {
		t.Fatalf("change of a used order: %d %s", code, b)
	}
	l2 := *l
	l2.LogisticsHead.AppType = "2"
	if code, b := change("waybills", keyLogistics, &l2); code != http.StatusBadRequest || servicetest.DecodeProblem(t, b).Results[0].Error.Code != errcode.DocumentUsed {
		t.Fatalf("change of a used waybill: %d %s", code, b)
	}
	del := *o
	del.OrderHead.AppType = "3"
	if code, b := change("orders", keyEBP, &del); code != http.StatusBadRequest || servicetest.DecodeProblem(t, b).Results[0].Error.Code != errcode.AppTypeUnsupported {
		t.Fatalf("delete: %d %s", code, b)
	}
	// Both versions of the order were receipted, each once.
	recs := h.WaitReceipts(keyEBP, "", 3) // two order versions + the inventory's receipt to the platform
	n312 := 0
	for _, r := range recs {
		if r.MsgType == "CEB312" {
			n312++
		}
	}
	if n312 != 2 {
		t.Fatalf("order receipts %d, want 2: %+v", n312, recs)
	}
}

func TestFourDocumentsGetTheirReceiptsAndPartiesSeeOnlyTheirOwn(t *testing.T) {
	h := servicetest.New(t)
	o, p, l, i := cebtest.Set("FLOW-1")
	for _, c := range []struct {
		key string
		doc ceb.Document
	}{{keyEBP, o}, {keyPay, p}, {keyLogistics, l}, {keyAgent, i}} {
		if code, b := h.SubmitXML(c.key, cebtest.Message(c.doc)); code != http.StatusAccepted {
			t.Fatalf("%s: %d %s", c.doc.MsgType(), code, b)
		}
	}
	// The list is complete, so customs decides it: 2, 120, 399, 800.
	want := map[string][]string{
		keyEBP:       {"CEB312:120", "CEB622:120", "CEB622:2", "CEB622:399", "CEB622:800"},
		keyPay:       {"CEB412:120"},
		keyLogistics: {"CEB512:120"},
		keyAgent:     {"CEB622:120", "CEB622:2", "CEB622:399", "CEB622:800"},
		keyEBC:       {},
		keyOtherEBP:  {},
	}
	for key, w := range want {
		var got []string
		if len(w) > 0 {
			for _, r := range h.WaitReceipts(key, "", len(w)) {
				got = append(got, r.MsgType+":"+r.Status())
			}
		} else {
			for _, r := range h.Receipts(key, "") {
				got = append(got, r.MsgType)
			}
		}
		// The consumer processes documents concurrently: compare as sets.
		sort.Strings(got)
		if strings.Join(got, ",") != strings.Join(w, ",") {
			t.Errorf("%s receipts %v, want %v", key, got, w)
		}
	}
	// Filter by type and page by cursor.
	recs := h.Receipts(keyEBP, "msgType=CEB622")
	if len(recs) != 4 || recs[0].MsgType != "CEB622" || recs[0].Status() != "2" || recs[3].Status() != "800" {
		t.Fatalf("filtered %+v", recs)
	}
	// Pages hold whole messages: receipts sent together share a cursor, so
	// a page of limit 1 holds one message — the order's receipt, or the
	// list's steps (all four together, or step 2 alone and then the
	// decision's three when the list came before its payment's index).
	var pages [][]servicetest.Record
	for after := uint64(0); ; {
		page := h.Receipts(keyEBP, "limit=1&after="+itoa(after))
		if len(page) == 0 {
			break
		}
		for _, r := range page {
			if r.Cursor != page[0].Cursor || r.Cursor <= after {
				t.Fatalf("page after %d: %+v", after, page)
			}
		}
		pages = append(pages, page)
		after = page[0].Cursor
	}
	total := 0
	for _, p := range pages {
		total += len(p)
	}
	if total != 5 || len(pages) < 2 || len(pages) > 3 {
		t.Fatalf("pages of limit 1: %d receipts on %d pages", total, len(pages))
	}
	// A page of limit 2 holds the leading messages that fit in 2 receipts,
	// or the first message whole.
	wantTwo := len(pages[0])
	if wantTwo+len(pages[1]) <= 2 {
		wantTwo += len(pages[1])
	}
	if two := h.Receipts(keyEBP, "limit=2"); len(two) != wantTwo {
		t.Fatalf("limit=2 gave %d receipts, want %d", len(two), wantTwo)
	}
	for _, q := range []string{"limit=0", "limit=501", "after=x", "msgType=CEB311"} {
		if code, b, _ := h.Do("GET", "/v1/receipts?"+q, keyEBP, "", nil); code != http.StatusBadRequest {
			t.Errorf("%s: %d %s", q, code, b)
		}
	}
	// The declaration's state: its parties and customs read it, others get 404.
	path := "/v1/import/inventories/" + cebtest.EbpCode + "/FLOW-1"
	for _, key := range []string{keyEBP, keyAgent, keyEBC, keyOfficer} {
		code, b, _ := h.Do("GET", path, key, "", nil)
		if code != http.StatusOK {
			t.Fatalf("%s reads inventory: %d %s", key, code, b)
		}
		var v gateway.InventoryView
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatal(err)
		}
		if v.Status != "800" || len(v.PreNo) != 18 || len(v.InvtNo) != 18 || len(v.History) != 4 || len(v.Document) == 0 || v.Tax == nil {
			t.Fatalf("inventory view %s", b)
		}
	}
	for _, key := range []string{keyPay, keyOtherEBP} {
		if code, _, _ := h.Do("GET", path, key, "", nil); code != http.StatusNotFound {
			t.Errorf("%s reads another's inventory: %d", key, code)
		}
	}
	if code, _, _ := h.Do("GET", "/v1/import/inventories/"+cebtest.EbpCode+"/NOPE", keyEBP, "", nil); code != http.StatusNotFound {
		t.Errorf("missing inventory: %d", code)
	}
}

func TestReceiptsAsCEBXML(t *testing.T) {
	h := servicetest.New(t)
	o, _, _, i := cebtest.Set("XML-1")
	h.SubmitXML(keyEBP, cebtest.Message(o))
	h.SubmitXML(keyAgent, cebtest.Message(i))
	h.WaitReceipts(keyEBP, "", 2)
	// The two receipts come in whichever order the consumer finished them;
	// each page is one CEB message of one type.
	seen := map[ceb.MsgType]bool{}
	for page, p := range xmlPages(t, h, keyEBP, "") {
		m := p.Message
		if len(m.Documents) != 1 {
			t.Fatalf("page %d: %s with %d documents", page, m.Type, len(m.Documents))
		}
		if errs := ceb.Validate(m); len(errs) != 0 {
			t.Fatalf("receipt fails validation: %+v", errs)
		}
		seen[m.Type] = true
	}
	if !seen[ceb.CEB312] || !seen[ceb.CEB622] || len(seen) != 2 {
		t.Fatalf("receipt messages %v, want one CEB312 and one CEB622", seen)
	}
}

// xmlPage is one page of receipts as CEB XML and the cursor it ends at.
type xmlPage struct {
	*ceb.Message
	Next uint64
}

// xmlPages reads key's receipts matching query as CEB XML, page after page
// by the next-cursor header, until there are none.
func xmlPages(t *testing.T, h *servicetest.Harness, key, query string) []xmlPage {
	t.Helper()
	var pages []xmlPage
	cur := "0"
	for {
		code, b, hdr := h.Do("GET", "/v1/receipts?"+query+"&after="+cur, key, "", nil, "Accept", "application/xml")
		if code == http.StatusNoContent {
			return pages
		}
		if code != http.StatusOK || len(pages) > 10 {
			t.Fatalf("page %d: %d %s", len(pages), code, b)
		}
		m, err := ceb.DecodeXML(b)
		if err != nil {
			t.Fatal(err)
		}
		cur = hdr.Get(gateway.HeaderNextCursor)
		next, err := strconv.ParseUint(cur, 10, 64)
		if err != nil {
			t.Fatalf("next cursor %q", cur)
		}
		pages = append(pages, xmlPage{m, next})
	}
}

// TestReceiptsAsCEBXMLKeepMessagesWhole pages more than one CEB message's
// worth of receipts: a page never splits the receipts sent together (a
// list's steps decided at once share one stored message and one cursor)
// and never passes 100.
func TestReceiptsAsCEBXMLKeepMessagesWhole(t *testing.T) {
	h := servicetest.New(t, servicetest.WithRules(servicetest.NoRisk))
	// One list without its waybill (step 2 alone) and 25 released ones
	// (2, 120, 399, 800, mostly together): 101 receipts to the agent.
	waiting := servicetest.NewSet("PAGE-W")
	h.Submit(waiting, "orders", "payments", "inventories")
	for k := range 25 {
		h.Submit(servicetest.NewSet("PAGE-" + strconv.Itoa(k)))
	}
	// The JSON page tells which stored message (cursor) carries each receipt.
	cursorOf := map[string]uint64{}
	perCursor := map[uint64]int{}
	for _, r := range h.WaitReceipts(keyAgent, "msgType=CEB622", 101) {
		var ir ceb.InventoryReturn
		if err := json.Unmarshal(r.Receipt, &ir); err != nil {
			t.Fatal(err)
		}
		cursorOf[ir.PreNo+"/"+ir.ReturnStatus] = r.Cursor
		perCursor[r.Cursor]++
	}
	if len(perCursor) >= 101 {
		t.Fatalf("no receipts were sent together: %d messages", len(perCursor))
	}
	total, after := 0, uint64(0)
	pages := xmlPages(t, h, keyAgent, "limit=500&msgType=CEB622")
	for page, p := range pages {
		if len(p.Documents) > gateway.MaxDocuments {
			t.Fatalf("page %d holds %d receipts", page, len(p.Documents))
		}
		// The page holds exactly the receipts of the messages after the
		// previous page's cursor up to its own.
		want := 0
		for c, n := range perCursor {
			if c > after && c <= p.Next {
				want += n
			}
		}
		for _, d := range p.Documents {
			r := d.(*ceb.InventoryReturn)
			if c := cursorOf[r.PreNo+"/"+r.ReturnStatus]; c <= after || c > p.Next {
				t.Fatalf("page %d (cursors %d–%d) holds a receipt of message %d", page, after+1, p.Next, c)
			}
		}
		if len(p.Documents) != want {
			t.Fatalf("page %d holds %d receipts, its messages %d", page, len(p.Documents), want)
		}
		total += len(p.Documents)
		after = p.Next
	}
	if total != 101 || len(pages) < 2 {
		t.Fatalf("%d receipts on %d pages, want 101 on at least two", total, len(pages))
	}
}

func TestMicroEndpoint(t *testing.T) {
	h := servicetest.New(t)
	o, _, _, _ := cebtest.Set("MICRO-1")
	body, _ := ceb.EncodeXML(cebtest.Message(o))
	req := nats.NewMsg(gateway.SubmitSubject)
	req.Data = body
	req.Header.Set("Authorization", "Bearer "+keyEBP)
	resp := microRequest(t, h, req)
	var r gateway.SubmitResponse
	if err := json.Unmarshal(resp.Data, &r); err != nil || r.Accepted != 1 {
		t.Fatalf("%v %s", err, resp.Data)
	}
	// JSON with the message type header, and a bad key.
	req = nats.NewMsg(gateway.SubmitSubject)
	req.Data, _ = json.Marshal(o)
	req.Header.Set(gateway.HeaderMsgType, "CEB311")
	req.Header.Set("Authorization", "Bearer nope")
	resp, err := h.NC.RequestMsg(req, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.Header.Get("Nats-Service-Error-Code"); got != string(errcode.Unauthenticated) {
		t.Fatalf("bad key: error code %q", got)
	}
	// Receipts are published on the party's subjects too.
	sub, err := h.NC.SubscribeSync("ceb.out." + cebtest.EbpCode + ".>")
	if err != nil {
		t.Fatal(err)
	}
	o2, _, _, _ := cebtest.Set("MICRO-2")
	req = nats.NewMsg(gateway.SubmitSubject)
	req.Data, _ = json.Marshal([]any{o2})
	req.Header.Set(gateway.HeaderMsgType, "CEB311")
	req.Header.Set("Authorization", "Bearer "+keyEBP)
	if _, err := h.NC.RequestMsg(req, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	m, err := sub.NextMsg(5 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "ceb.out."+cebtest.EbpCode+".ceb312" {
		t.Fatalf("subject %s", m.Subject)
	}
	// The receipts of one type published at once travel together: MICRO-1's
	// may share MICRO-2's message.
	var rs []ceb.OrderReturn
	if err := json.Unmarshal(m.Data, &rs); err != nil || len(rs) == 0 {
		t.Fatalf("receipt message %s: %v", m.Data, err)
	}
	for _, r := range rs {
		if !strings.HasPrefix(r.OrderNo, "MICRO-") || r.ReturnStatus != "120" {
			t.Fatalf("receipt message %s", m.Data)
		}
	}
}

// microRequest sends req to the gateway's micro endpoint. The gateway's
// subscription travels on its own connection: until the server has it, a
// request finds no responder, so it is retried until one answers.
func microRequest(t *testing.T, h *servicetest.Harness, req *nats.Msg) *nats.Msg {
	t.Helper()
	var (
		resp *nats.Msg
		err  error
	)
	natstest.Eventually(t, 5*time.Second, func() bool {
		resp, err = h.NC.RequestMsg(req, 5*time.Second)
		return !errors.Is(err, nats.ErrNoResponders)
	}, "no responder on %s", gateway.SubmitSubject)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestDevClock(t *testing.T) {
	h := servicetest.New(t)
	body := []byte(`{"now":"2030-01-02T03:04:05+08:00"}`)
	if code, _, _ := h.Do("POST", "/v1/admin/clock", keyEBP, "application/json", body); code != http.StatusForbidden {
		t.Fatalf("platform sets clock: %d", code)
	}
	code, b, _ := h.Do("POST", "/v1/admin/clock", "demo-operator", "application/json", body)
	if code != http.StatusOK {
		t.Fatalf("%d %s", code, b)
	}
	if got := h.Clock.Now(); !got.Equal(time.Date(2030, 1, 2, 3, 4, 5, 0, time.FixedZone("", 8*3600))) {
		t.Fatalf("clock %v", got)
	}
	if code, _, _ := h.Do("POST", "/v1/admin/clock", "demo-operator", "application/json", []byte(`{"now":"yesterday"}`)); code != http.StatusBadRequest {
		t.Fatalf("bad time: %d", code)
	}
}

func itoa(u uint64) string { return strconv.FormatUint(u, 10) }

// TestOneWriteStoresAndGuards: the document's own subject on CEB_IN is its
// store and its guard. Concurrent copies of one document and another
// document under its key leave one message on that subject and one
// receipt; the copies are accepted, the other is a duplicate with the
// official code; and the stream itself refuses a second first version.
func TestOneWriteStoresAndGuards(t *testing.T) {
	h := servicetest.New(t)
	o, _, _, _ := cebtest.Set("ONCE-1")
	other := otherCopy(t, o)
	var wg sync.WaitGroup
	results := make([]gateway.SubmitResponse, 4)
	for i, doc := range []any{o, o, o, other} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, results[i], _ = h.SubmitJSON("orders", keyEBP, doc)
		}()
	}
	wg.Wait()
	accepted := 0
	for _, r := range results {
		accepted += r.Accepted
	}
	subject := broker.InDocument(docstore.Key(o))
	st, err := h.JS.Stream(context.Background(), broker.StreamIn)
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(context.Background(), jetstream.WithSubjectFilter(subject))
	if err != nil {
		t.Fatal(err)
	}
	if n := info.State.Subjects[broker.InSubject(docstore.Key(o), cebtest.EbpCode)]; len(info.State.Subjects) != 1 || n != 1 {
		t.Fatalf("%s holds %v, want one message", subject, info.State.Subjects)
	}
	// Either the three copies won and the other lost, or the other won.
	last, err := st.GetLastMsgForSubject(context.Background(), subject)
	if err != nil {
		t.Fatal(err)
	}
	want := 3
	if last.Header.Get(docstore.HeaderDigest) != docstore.Digest(mustJSON(t, o)) {
		want = 1
	}
	if accepted != want {
		t.Fatalf("%d accepted, want %d: %+v", accepted, want, results)
	}
	if recs := h.WaitReceipts(keyEBP, "", 1); len(recs) != 1 {
		t.Fatalf("receipts %+v", recs)
	}
	// A write of a first version under a key that holds one fails, from
	// any sender: the stream is the guard, not the gateway's reading of it.
	m := nats.NewMsg(broker.InSubject(docstore.Key(o), cebtest.EbcCode))
	m.Data = mustJSON(t, o)
	if _, err := h.JS.PublishMsg(context.Background(), m, jetstream.WithExpectLastSequenceForSubject(0, subject)); !broker.IsConflict(err) {
		t.Fatalf("second first version: %v, want a conflict", err)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
