package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/clock"
	"github.com/cbec/cbec/pkg/docstore"
	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/httpapi"
	"github.com/cbec/cbec/pkg/inventory"
	"github.com/cbec/cbec/pkg/party"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// MaxDocuments is the most documents one submission may carry, as the CEB
// schema allows per message.
const MaxDocuments = 100

// Result is the outcome of one submitted document.
type Result struct {
	Index   int            `json:"index"`
	MsgType ceb.MsgType    `json:"msgType"`
	GUID    string         `json:"guid,omitempty"`
	Key     string         `json:"key,omitempty"`
	Status  string         `json:"status"` // "accepted" or "rejected"
	Error   *errcode.Error `json:"error,omitempty"`
	// again marks an accepted resubmission of the stored document: answered
	// as the first time, nothing stored; counted apart in the metrics.
	again bool
}

// Result statuses.
const (
	Accepted = "accepted"
	Rejected = "rejected"
)

// kind is what intake knows of each declaration type: the roles that may
// send it (the sender field must hold the sending party's own code), the
// code of a duplicate, and the code of a change (appType 2) of a document
// already used ("" = documents of this type cannot be changed).
type kind struct {
	roles    []party.Role
	dupCode  errcode.Code
	usedCode errcode.Code
}

func roles(r ...party.Role) []party.Role { return r }

var kinds = map[ceb.MsgType]kind{
	ceb.CEB311: {roles(party.RoleEBP), errcode.OrderExists, errcode.OrderUsed},
	ceb.CEB411: {roles(party.RolePay), errcode.PaymentExists, errcode.PaymentUsed},
	ceb.CEB511: {roles(party.RoleLogistics), errcode.WaybillExists, errcode.DocumentUsed},
	ceb.CEB621: {roles(party.RoleAgent), errcode.InventoryExists, errcode.InventoryLocked},
	ceb.CEB623: {roles(party.RoleAgent), errcode.CancelExists, ""},
	ceb.CEB625: {roles(party.RoleAgent), errcode.ReturnExists, ""},
	// Export: a foreign platform without a code ("无") lets the enterprise
	// send the order, and a receipt of payment without a payment company is
	// the enterprise's own.
	ceb.CEB303: {roles(party.RoleEBP, party.RoleEBC), errcode.DocumentExists, ""},
	ceb.CEB403: {roles(party.RolePay, party.RoleEBC), errcode.DocumentExists, ""},
	ceb.CEB505: {roles(party.RoleLogistics), errcode.DocumentExists, ""},
	ceb.CEB507: {roles(party.RoleLogistics), errcode.DocumentExists, ""},
	ceb.CEB509: {roles(party.RoleLogistics), errcode.DocumentExists, ""},
	ceb.CEB603: {roles(party.RoleAgent), errcode.DocumentExists, ""},
	ceb.CEB605: {roles(party.RoleAgent), errcode.DocumentExists, ""},
	ceb.CEB701: {roles(party.RoleAgent), errcode.DocumentExists, ""},
}

// may reports whether p holds one of the kind's roles.
func (k kind) may(p *party.Party) bool { return slices.ContainsFunc(k.roles, p.Has) }

// Intake accepts declarations: it checks who may send them and stores each
// accepted one durably on CEB_IN, under a subject of its own that is also
// the guard of its business key, before anything is acknowledged. HTTP and the NATS micro endpoint share it.
type Intake struct {
	js    jetstream.JetStream
	docs  *docstore.Store
	inv   jetstream.KeyValue
	clock clock.Clock
	log   *slog.Logger
}

// NewIntake binds the intake to its streams and buckets.
func NewIntake(ctx context.Context, js jetstream.JetStream, clk clock.Clock, log *slog.Logger) (*Intake, error) {
	docs, err := docstore.Open(ctx, js)
	if err != nil {
		return nil, err
	}
	inv, err := js.KeyValue(ctx, broker.BucketInventory)
	if err != nil {
		return nil, err
	}
	return &Intake{js: js, docs: docs, inv: inv, clock: clk, log: log}, nil
}

// pending is a document on its way through Submit.
type pending struct {
	res  *Result
	doc  ceb.Declaration
	body []byte
	hash string // docstore.Digest of body
	// rev is the CEB_IN sequence the document's subject must end at for
	// the write to succeed: 0 for a new document (the subject is empty),
	// the current version's for a change (appType 2).
	rev   uint64
	ack   jetstream.PubAckFuture
	appTy string
	// again: the stored version is this very document already (a
	// resubmission); it is accepted without storing anything.
	again bool
}

// Submit stores the declarations p sent. invalid holds, per document, the
// structural errors found while decoding (nil when valid). The results come
// back in input order; a document is "accepted" only once JetStream has
// stored it.
func (in *Intake) Submit(ctx context.Context, p *party.Party, docs []ceb.Declaration, invalid [][]ceb.FieldError) []Result {
	results := make([]Result, len(docs))
	var work []*pending
	for i, d := range docs {
		r := &results[i]
		*r = Result{Index: i, MsgType: d.MsgType(), GUID: d.GUID(), Status: Rejected}
		k, known := kinds[d.MsgType()]
		if !known {
			r.Error = errcode.New(errcode.MessageFormat, "%s is not an inbound document", d.MsgType())
			continue
		}
		r.Key = strings.Join(d.BusinessKey(), "/")
		if i < len(invalid) && len(invalid[i]) > 0 {
			r.Error = schemaError(invalid[i])
			continue
		}
		if !k.may(p) || d.SenderCode() != p.Code {
			r.Error = errcode.New(errcode.Forbidden, "party %s with roles %v may not submit %s as %q", p.Code, p.Roles, d.MsgType(), d.SenderCode())
			continue
		}
		body, err := json.Marshal(d)
		if err != nil {
			r.Error = errcode.As(err)
			continue
		}
		w := &pending{res: r, doc: d, body: body, hash: docstore.Digest(body), appTy: d.AppType()}
		if err := in.precheck(ctx, w, k); err != nil {
			r.Error = err
			continue
		}
		work = append(work, w)
	}
	in.publish(ctx, work)
	in.markUsed(ctx, work)
	in.logCauses(ctx, results)
	return results
}

// markUsed marks the waybills the accepted inventory lists name as used,
// so that they can no longer be changed: asynchronously, the
// acknowledgements awaited together. A resubmitted list marks it too: the
// marker exists already (a conflict, nothing written) unless the first
// attempt was cut before it.
func (in *Intake) markUsed(ctx context.Context, work []*pending) {
	var marked []jetstream.PubAckFuture
	for _, w := range work {
		inv, ok := w.doc.(*ceb.Inventory)
		if !ok || w.res.Status != Accepted {
			continue
		}
		h := inv.InventoryHead
		f, err := in.js.PublishAsync(broker.KVSubject(broker.BucketDocs, docstore.UsedKey(h.LogisticsCode, h.LogisticsNo)),
			[]byte(docstore.Key(w.doc)), jetstream.WithExpectLastSequencePerSubject(0))
		if err != nil {
			httpapi.Logger(ctx, in.log).Warn("waybill used marker not written", "key", w.res.Key, "err", err)
			continue
		}
		marked = append(marked, f)
	}
	for _, f := range marked {
		if err := broker.Wait(ctx, f); err != nil && !broker.IsConflict(err) {
			httpapi.Logger(ctx, in.log).Warn("waybill used marker not written", "subject", f.Msg().Subject, "err", err)
		}
	}
}

func schemaError(fe []ceb.FieldError) *errcode.Error {
	e := errcode.New(errcode.SchemaInvalid, "%d element(s) fail the CEB schema: %s", len(fe), fe[0].Message)
	for _, f := range fe {
		e.Details = append(e.Details, errcode.Detail{Path: f.Path, Rule: f.Rule, Message: f.Message})
	}
	return e
}

// precheck applies the appType rules that need no write: delete is refused;
// a change must name a document that exists and that no declaration uses.
func (in *Intake) precheck(ctx context.Context, w *pending, k kind) *errcode.Error {
	key := docstore.Key(w.doc)
	switch w.appTy {
	case "1":
		return nil
	case "3":
		return errcode.New(errcode.AppTypeUnsupported, "appType 3 (delete) of %s %s is not accepted", w.doc.MsgType(), w.res.Key)
	case "2":
	default:
		return errcode.New(errcode.SchemaInvalid, "appType %q is not 1, 2 or 3", w.appTy)
	}
	if k.usedCode == "" {
		return errcode.New(errcode.AppTypeUnsupported, "%s cannot be changed with appType 2", w.doc.MsgType())
	}
	e, ok, err := in.docs.Get(ctx, key)
	if err != nil {
		return unavailable(err)
	}
	if !ok {
		if w.doc.MsgType() == ceb.CEB621 {
			return errcode.New(errcode.InventoryUnknown, "no inventory list %s to change", w.res.Key)
		}
		return errcode.New(errcode.NothingToChange, "no %s %s to change", w.doc.MsgType(), w.res.Key)
	}
	if e.Party != w.doc.SenderCode() {
		return errcode.New(errcode.Forbidden, "%s %s belongs to another party", w.doc.MsgType(), w.res.Key)
	}
	if e.Holds(w.doc.SenderCode(), w.hash) {
		// This very change is stored already (a retried request): it is
		// accepted again, whether or not a declaration uses it since.
		w.again, w.res.Status, w.res.again = true, Accepted, true
		return nil
	}
	used, err := in.used(ctx, w.doc)
	if err != nil {
		return unavailable(err)
	}
	if used {
		return errcode.New(k.usedCode, "%s %s is already used by a declaration and cannot be changed", w.doc.MsgType(), w.res.Key)
	}
	w.rev = e.Seq
	return nil
}

// used reports whether a declaration has been built on the document.
func (in *Intake) used(ctx context.Context, d ceb.Declaration) (bool, error) {
	switch v := d.(type) {
	case *ceb.Order:
		return in.docs.Exists(ctx, docstore.KeyOf(ceb.CEB621, v.OrderHead.EbpCode, v.OrderHead.OrderNo))
	case *ceb.Payment:
		return in.docs.Exists(ctx, docstore.KeyOf(ceb.CEB621, v.PaymentHead.EbpCode, v.PaymentHead.OrderNo))
	case *ceb.Logistics:
		return in.docs.Used(ctx, v.LogisticsHead.LogisticsCode, v.LogisticsHead.LogisticsNo)
	case *ceb.Inventory:
		kve, err := in.inv.Get(ctx, docstore.InventoryKey(v.InventoryHead.EbpCode, v.InventoryHead.OrderNo))
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		var st inventory.View
		if err := broker.Decode(kve.Value(), &st); err != nil {
			return false, err
		}
		return !st.Modifiable(), nil
	}
	return false, nil
}

// publish stores every pending document on CEB_IN, asynchronously, and
// waits for the acknowledgements. Each goes to its document's own subject,
// expecting the document's key to end at w.rev: empty for a new document,
// the version it replaces for a change. That one write is the store and the
// duplicate guard: JetStream applies the writes in submission order, so
// of documents sharing a business key the first wins it, as it would
// alone, and a loser stores nothing.
func (in *Intake) publish(ctx context.Context, work []*pending) {
	now := in.clock.Now().UTC().Format(time.RFC3339Nano)
	for _, w := range work {
		if w.again {
			continue
		}
		key := docstore.Key(w.doc)
		m := &nats.Msg{Subject: broker.InSubject(key, w.doc.SenderCode()), Data: w.body, Header: nats.Header{}}
		m.Header.Set(docstore.HeaderMsgType, string(w.doc.MsgType()))
		m.Header.Set(docstore.HeaderParty, w.doc.SenderCode())
		m.Header.Set(docstore.HeaderKey, key)
		m.Header.Set(docstore.HeaderAppType, w.appTy)
		m.Header.Set(docstore.HeaderAcceptedAt, now)
		m.Header.Set(docstore.HeaderDigest, w.hash)
		if w.appTy == "2" {
			// A change sent again after a newer one must not bring its
			// version back: inside the duplicate window JetStream maps it to
			// the message it was (settle tells). A new document needs no id:
			// its subject holds at most one first version.
			m.Header.Set(jetstream.MsgIDHeader, key+"/"+w.hash)
		}
		// The guard is the document's key whoever sends it: another
		// party's copy under the key is a duplicate, not a document of its
		// own.
		f, err := in.js.PublishMsgAsync(m, jetstream.WithExpectLastSequenceForSubject(w.rev, broker.InDocument(key)))
		if err != nil {
			w.res.Error = unavailable(err)
			continue
		}
		w.ack = f
	}
	for _, w := range work {
		if w.ack == nil {
			continue
		}
		select {
		case a := <-w.ack.Ok():
			if a.Duplicate {
				in.settleDuplicate(ctx, w, a.Sequence)
				continue
			}
			in.settle(ctx, w, nil)
		case err := <-w.ack.Err():
			in.settle(ctx, w, err)
		case <-ctx.Done():
			w.res.Error = unavailable(ctx.Err())
		}
	}
}

// settleDuplicate answers a change JetStream mapped to the message seq it
// stored before: the same change, sent again. If that version is still
// the current one (a concurrent copy stored it), w is accepted again;
// otherwise a newer change replaced it, and bringing it back would undo
// that: -900103.
func (in *Intake) settleDuplicate(ctx context.Context, w *pending, seq uint64) {
	e, ok, err := in.docs.Get(ctx, docstore.Key(w.doc))
	switch {
	case err != nil:
		w.res.Error = unavailable(err)
	case ok && e.Seq == seq:
		w.res.Status, w.res.again = Accepted, true
	default:
		w.res.Error = errcode.New(errcode.DocumentUsed, "%s %s was changed since this version; read it again", w.doc.MsgType(), w.res.Key)
	}
}

// settle accepts w once it is stored (err nil). When its subject had moved
// on — another request stored the key first — the stored version decides:
// if it is this very document (a retried or concurrent resubmission), w is
// accepted as the first time was, and nothing is stored; otherwise w is
// rejected, a new document (appType 1) with its type's official duplicate
// code, a change (appType 2) with -900103.
func (in *Intake) settle(ctx context.Context, w *pending, err error) {
	switch {
	case err == nil:
		w.res.Status = Accepted
		return
	case !broker.IsConflict(err):
		w.res.Error = unavailable(err)
		return
	}
	e, ok, err := in.docs.Get(ctx, docstore.Key(w.doc))
	switch {
	case err != nil:
		w.res.Error = unavailable(err)
		return
	case !ok:
		// CEB_IN's documents are never removed: a read that misses the key
		// it just lost cannot tell, and the sender may ask again.
		w.res.Error = unavailable(errors.New("document absent after a conflict on its subject"))
		return
	}
	if e.Holds(w.doc.SenderCode(), w.hash) {
		w.res.Status, w.res.again = Accepted, true
		return
	}
	if w.appTy == "2" {
		w.res.Error = errcode.New(errcode.DocumentUsed, "%s %s was changed concurrently; read it again", w.doc.MsgType(), w.res.Key)
		return
	}
	w.res.Error = errcode.New(kinds[w.doc.MsgType()].dupCode, "%s %s already exists", w.doc.MsgType(), w.res.Key)
}

// unavailable is the refusal of a document JetStream did not store. The
// cause stays out of the message — it may name subjects, servers and
// streams — and is logged with the request id by Submit.
func unavailable(err error) *errcode.Error {
	return errcode.Wrap(errcode.Unavailable, err, "document not stored: storage temporarily unavailable; retry later")
}

// logCauses logs the internal failures behind rejected documents, which
// their results name by code only.
func (in *Intake) logCauses(ctx context.Context, results []Result) {
	for _, r := range results {
		if r.Error != nil && r.Error.Cause() != nil {
			httpapi.Logger(ctx, in.log).Warn("document not stored", "index", r.Index, "msgType", r.MsgType, "key", r.Key,
				"code", r.Error.Code, "err", r.Error.Cause())
		}
	}
}

// ErrNoDocuments is returned for an empty submission.
var ErrNoDocuments = errcode.New(errcode.MessageFormat, "the submission holds no document")

func tooMany(n int) *errcode.Error {
	return errcode.New(errcode.TooLarge, "%d documents in one submission; at most %d", n, MaxDocuments)
}
