package gateway

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/docstore"
	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/httpapi"
	"github.com/cbec/cbec/pkg/inventory"
	"github.com/cbec/cbec/pkg/party"
	"github.com/cbec/cbec/pkg/receipt"
	"github.com/cbec/cbec/pkg/svc"
	"github.com/cbec/cbec/pkg/tax"
	"github.com/nats-io/nats.go/jetstream"
)

// importKinds maps the JSON endpoints to their message types.
var importKinds = map[string]ceb.MsgType{
	"orders":        ceb.CEB311,
	"payments":      ceb.CEB411,
	"waybills":      ceb.CEB511,
	"inventories":   ceb.CEB621,
	"cancellations": ceb.CEB623,
	"returns":       ceb.CEB625,
}

// exportKinds maps the JSON export endpoints to their message types.
var exportKinds = map[string]ceb.MsgType{
	"orders":        ceb.CEB303,
	"receipts":      ceb.CEB403,
	"waybills":      ceb.CEB505,
	"arrivals":      ceb.CEB507,
	"departures":    ceb.CEB509,
	"inventories":   ceb.CEB603,
	"cancellations": ceb.CEB605,
	"summaries":     ceb.CEB701,
}

// SubmitResponse is the 202 answer to a submission.
type SubmitResponse struct {
	Accepted int      `json:"accepted"`
	Rejected int      `json:"rejected"`
	Results  []Result `json:"results"`
}

func (g *Gateway) routes(mux *svc.Router) {
	mux.HandleFunc("POST /v1/ceb", g.handleCEB)
	mux.HandleFunc("POST /v1/import/{kind}", g.handleImport)
	mux.HandleFunc("POST /v1/export/{kind}", g.handleExport)
	mux.HandleFunc("GET /v1/receipts", g.handleReceipts)
	mux.HandleFunc("GET /v1/import/inventories/{ebpCode}/{orderNo}", g.handleInventory)
	mux.HandleFunc("GET /v1/import/inventories/{ebpCode}/{orderNo}/taxbill", g.handleTaxBill)
	mux.HandleFunc("POST /v1/admin/clock", g.handleClock)
}

// handleCEB takes one CEB XML message.
func (g *Gateway) handleCEB(w http.ResponseWriter, r *http.Request) {
	p, err := g.auth.Party(r)
	if err != nil {
		httpapi.WriteError(w, err, nil)
		return
	}
	if g.refused(w) {
		return
	}
	if err := httpapi.RequireContentType(r, "application/xml", "text/xml"); err != nil {
		httpapi.WriteError(w, err, nil)
		return
	}
	body, err := httpapi.ReadBody(w, r)
	if err != nil {
		httpapi.WriteError(w, err, nil)
		return
	}
	docs, invalid, err := DecodeMessage(body)
	if err == nil {
		err = g.checkSignature(p, docs[0].MsgType(), body)
	}
	if err != nil {
		httpapi.WriteError(w, err, nil)
		return
	}
	g.submit(w, r, p, docs, invalid)
}

// handleImport takes one JSON import document or an array of them.
func (g *Gateway) handleImport(w http.ResponseWriter, r *http.Request) {
	g.handleJSON(w, r, importKinds, "import")
}

// handleExport takes one JSON export document or an array of them.
func (g *Gateway) handleExport(w http.ResponseWriter, r *http.Request) {
	g.handleJSON(w, r, exportKinds, "export")
}

func (g *Gateway) handleJSON(w http.ResponseWriter, r *http.Request, kinds map[string]ceb.MsgType, direction string) {
	p, err := g.auth.Party(r)
	if err != nil {
		httpapi.WriteError(w, err, nil)
		return
	}
	t, ok := kinds[r.PathValue("kind")]
	if !ok {
		httpapi.WriteError(w, errcode.New(errcode.NotFound, "no %s endpoint %q", direction, r.PathValue("kind")), nil)
		return
	}
	if err := g.jsonAllowed(p); err != nil {
		httpapi.WriteError(w, err, nil)
		return
	}
	if g.refused(w) {
		return
	}
	if err := httpapi.RequireContentType(r, "application/json"); err != nil {
		httpapi.WriteError(w, err, nil)
		return
	}
	body, err := httpapi.ReadBody(w, r)
	if err != nil {
		httpapi.WriteError(w, err, nil)
		return
	}
	docs, invalid, err := DecodeJSON(t, body)
	if err != nil {
		httpapi.WriteError(w, err, nil)
		return
	}
	g.submit(w, r, p, docs, invalid)
}

func (g *Gateway) submit(w http.ResponseWriter, r *http.Request, p *party.Party, docs []ceb.Declaration, invalid [][]ceb.FieldError) {
	results := g.intake.Submit(r.Context(), p, docs, invalid)
	resp := SubmitResponse{Results: results}
	forbidden := 0
	for _, res := range results {
		if res.Status == Accepted {
			resp.Accepted++
			continue
		}
		resp.Rejected++
		if res.Error != nil && res.Error.Code == errcode.Forbidden {
			forbidden++
		}
	}
	g.metrics.documents(results)
	if resp.Accepted > 0 {
		httpapi.WriteJSON(w, http.StatusAccepted, resp)
		return
	}
	// Nothing accepted: 400 with the per-document results, under the code
	// the rejections share (or a general one when they differ); 403 when
	// the party could send none of them, 503 when storage failed.
	status, code := http.StatusBadRequest, commonCode(results)
	switch {
	case forbidden == len(results):
		status = http.StatusForbidden
	case code == errcode.Unavailable:
		status = http.StatusServiceUnavailable
	}
	httpapi.WriteProblem(w, status, errcode.New(code, "no document accepted: %d rejected", resp.Rejected), results)
}

// refused answers 503 with Retry-After while the backpressure refuses
// intake. It runs before the body is read: a refused submission costs
// next to nothing.
func (g *Gateway) refused(w http.ResponseWriter) bool {
	e, secs := g.bp.refuseError()
	if e == nil {
		return false
	}
	w.Header().Set("Retry-After", secs)
	httpapi.WriteError(w, e, nil)
	return true
}

// commonCode is the code every rejection carries, or BadRequest when they
// differ.
func commonCode(results []Result) errcode.Code {
	var code errcode.Code
	for _, r := range results {
		if r.Error == nil {
			continue
		}
		if code != "" && r.Error.Code != code {
			return errcode.BadRequest
		}
		code = r.Error.Code
	}
	if code == "" {
		return errcode.BadRequest
	}
	return code
}

// DecodeMessage decodes and validates one CEB XML message. A message that
// cannot be parsed (bytes that are not UTF-8, a character XML cannot carry
// included), or whose envelope fails the schema, is refused whole; a
// document that fails (text with a control character, an element given
// twice included) comes back with its errors so the others can go on.
func DecodeMessage(body []byte) ([]ceb.Declaration, [][]ceb.FieldError, error) {
	m, err := ceb.DecodeXML(body)
	if err != nil {
		return nil, nil, unparseable(err)
	}
	if len(m.Documents) == 0 {
		return nil, nil, ErrNoDocuments
	}
	if len(m.Documents) > MaxDocuments {
		return nil, nil, tooMany(len(m.Documents))
	}
	docs := make([]ceb.Declaration, 0, len(m.Documents))
	for _, d := range m.Documents {
		decl, ok := d.(ceb.Declaration)
		if !ok {
			return nil, nil, errcode.New(errcode.MessageFormat, "%s is not an inbound document", m.Type)
		}
		docs = append(docs, decl)
	}
	// Envelope errors (BaseTransfer, guid, version) belong to no document:
	// they refuse the whole message.
	all := ceb.Validate(m)
	var envelope []ceb.FieldError
	invalid := make([][]ceb.FieldError, len(docs))
	node := m.Type.NodeName()
	for _, fe := range all {
		if i, ok := docIndex(fe.Path, node); ok && i < len(docs) {
			invalid[i] = append(invalid[i], fe)
			continue
		}
		envelope = append(envelope, fe)
	}
	if len(envelope) > 0 {
		e := schemaError(envelope)
		return nil, nil, e
	}
	return docs, invalid, nil
}

// DecodeJSON decodes and validates JSON documents of type t. A body that
// cannot be parsed (bytes that are not UTF-8 included) is refused whole; a
// document that fails (text with a control character, a key given twice
// included) comes back with its errors so the others can go on.
func DecodeJSON(t ceb.MsgType, body []byte) ([]ceb.Declaration, [][]ceb.FieldError, error) {
	docs, dups, err := ceb.DecodeJSON(t, body)
	if err != nil {
		return nil, nil, unparseable(err)
	}
	if len(docs) == 0 {
		return nil, nil, ErrNoDocuments
	}
	if len(docs) > MaxDocuments {
		return nil, nil, tooMany(len(docs))
	}
	invalid := make([][]ceb.FieldError, len(docs))
	node := t.NodeName()
	for i, d := range docs {
		invalid[i] = ceb.ValidateDocument(d, node+"["+strconv.Itoa(i)+"]")
		if i < len(dups) {
			invalid[i] = append(invalid[i], dups[i]...)
		}
	}
	return docs, invalid, nil
}

// unparseable is the answer to a body the decoder refused: 0001, with the
// offending element's path and rule when the decoder names them (bytes
// that are not UTF-8, a character XML cannot carry).
func unparseable(err error) *errcode.Error {
	e := errcode.New(errcode.MessageFormat, "%v", err)
	var in *ceb.InputError
	if errors.As(err, &in) {
		e.Details = []errcode.Detail{{Path: in.Err.Path, Rule: in.Err.Rule, Message: in.Err.Message}}
	}
	return e
}

// docIndex parses "Order[3].OrderHead.x" into 3.
func docIndex(path, node string) (int, bool) {
	rest, ok := strings.CutPrefix(path, node+"[")
	if !ok {
		return 0, false
	}
	n, _, ok := strings.Cut(rest, "]")
	if !ok {
		return 0, false
	}
	i, err := strconv.Atoi(n)
	return i, err == nil
}

// ReceiptsResponse is a page of receipts.
type ReceiptsResponse struct {
	Receipts []receipt.Record `json:"receipts"`
	// Next is the cursor to pass as `after` for the next page.
	Next uint64 `json:"next"`
}

func (g *Gateway) handleReceipts(w http.ResponseWriter, r *http.Request) {
	p, err := g.auth.Party(r)
	if err != nil {
		httpapi.WriteError(w, err, nil)
		return
	}
	q := r.URL.Query()
	after, err := uintParam(q.Get("after"), 0)
	if err != nil {
		httpapi.WriteError(w, errcode.New(errcode.BadRequest, "after: %v", err), nil)
		return
	}
	limit, err := uintParam(q.Get("limit"), 100)
	if err != nil || limit < 1 || limit > receipt.MaxPage {
		httpapi.WriteError(w, errcode.New(errcode.BadRequest, "limit must be 1..%d", receipt.MaxPage), nil)
		return
	}
	msgType := ceb.MsgType(strings.ToUpper(q.Get("msgType")))
	if msgType != "" && (!msgType.IsReceipt() || msgType == ceb.CEB900) {
		httpapi.WriteError(w, errcode.New(errcode.BadRequest, "msgType %q is not a receipt type", msgType), nil)
		return
	}
	recs, err := g.receipts.Read(r.Context(), p.Code, msgType, after, int(limit))
	if err != nil {
		httpapi.WriteError(w, httpapi.StorageDown(err), nil)
		return
	}
	if wantsXML(r) {
		g.writeReceiptsXML(w, p.Code, recs, after)
		return
	}
	next := after
	if len(recs) > 0 {
		next = recs[len(recs)-1].Cursor
	}
	httpapi.WriteJSON(w, http.StatusOK, ReceiptsResponse{Receipts: recs, Next: next})
}

// HeaderNextCursor carries the next cursor of an XML page of receipts.
const HeaderNextCursor = "Cbec-Next-Cursor"

// writeReceiptsXML answers one CEB receipt message holding the leading run of
// receipts of one type, at most MaxDocuments (receipt.EncodeXML, signed
// with --signing-key); the cursor header tells where the next page starts.
func (g *Gateway) writeReceiptsXML(w http.ResponseWriter, reader string, recs []receipt.Record, after uint64) {
	if len(recs) == 0 {
		w.Header().Set(HeaderNextCursor, strconv.FormatUint(after, 10))
		w.WriteHeader(http.StatusNoContent)
		return
	}
	out, next, err := receipt.EncodeXML(recs, MaxDocuments, reader, g.env.Signer, g.env.Clock.Now())
	if err != nil {
		httpapi.WriteError(w, err, nil)
		return
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.Header().Set(HeaderNextCursor, strconv.FormatUint(next, 10))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(out)
}

func wantsXML(r *http.Request) bool {
	a := r.Header.Get("Accept")
	return strings.Contains(a, "application/xml") || strings.Contains(a, "text/xml")
}

func uintParam(s string, def uint64) (uint64, error) {
	if s == "" {
		return def, nil
	}
	return strconv.ParseUint(s, 10, 64)
}

// InventoryView is a declaration's state as its parties see it: the read
// model inventory.View, and the accepted document.
type InventoryView struct {
	inventory.View
	Document json.RawMessage `json:"document,omitempty"`
}

func (g *Gateway) handleInventory(w http.ResponseWriter, r *http.Request) {
	st, ok := g.readableState(w, r)
	if !ok {
		return
	}
	v := InventoryView{View: *st}
	if e, ok, err := g.intake.docs.Get(r.Context(), docstore.KeyOf(ceb.CEB621, st.EbpCode, st.OrderNo)); err == nil && ok {
		v.Document = e.Doc
	}
	httpapi.WriteJSON(w, http.StatusOK, v)
}

// readableState loads the list named by the path for the calling party: its
// own platform, enterprise and agent, or customs. Anyone else gets the same
// 404 as for a missing list, and learns nothing of others' lists. It reads
// the stored state through the read model, inventory.View.
func (g *Gateway) readableState(w http.ResponseWriter, r *http.Request) (*inventory.View, bool) {
	p, err := g.auth.Party(r)
	if err != nil {
		httpapi.WriteError(w, err, nil)
		return nil, false
	}
	ebp, orderNo := r.PathValue("ebpCode"), r.PathValue("orderNo")
	notFound := errcode.New(errcode.NotFound, "no inventory list %s/%s for party %s", ebp, orderNo, p.Code)
	kve, err := g.inv.Get(r.Context(), docstore.InventoryKey(ebp, orderNo))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		httpapi.WriteError(w, notFound, nil)
		return nil, false
	}
	if err != nil {
		httpapi.WriteError(w, httpapi.StorageDown(err), nil)
		return nil, false
	}
	var st inventory.View
	if err := broker.Decode(kve.Value(), &st); err != nil {
		httpapi.WriteError(w, err, nil)
		return nil, false
	}
	if !p.IsCustoms() && !slices.Contains(st.Readers(), p.Code) {
		httpapi.WriteError(w, notFound, nil)
		return nil, false
	}
	return &st, true
}

// handleTaxBill answers the list's electronic tax bill (CEB816 fields, JSON)
// once customs has assessed it.
func (g *Gateway) handleTaxBill(w http.ResponseWriter, r *http.Request) {
	st, ok := g.readableState(w, r)
	if !ok {
		return
	}
	if st.Tax == nil || st.InvtNo == "" {
		httpapi.WriteError(w, errcode.New(errcode.NotFound, "inventory list %s/%s has no tax bill (status %s)", st.EbpCode, st.OrderNo, st.Status), nil)
		return
	}
	// A rejected or withdrawn list's bill is void (CEB818 status 3).
	status := tax.BillStatusGenerated
	if st.Status == inventory.StatusRejected || st.Status == inventory.StatusCancelled {
		status = "3"
	}
	bill := tax.NewBill(*st.Tax, tax.BillHead{
		Status: status, Guid: st.GUID, ReturnTime: ceb.FormatReturnTime(st.DecidedAt), InvtNo: st.InvtNo, TaxNo: "T" + st.InvtNo,
		AssureCode: st.AssureCode, EbcCode: st.EbcCode, LogisticsCode: st.LogisticsCode, AgentCode: st.AgentCode,
		CustomsCode: st.CustomsCode,
	})
	httpapi.WriteJSON(w, http.StatusOK, bill)
}
