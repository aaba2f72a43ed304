package returns

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/docstore"
	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/httpapi"
	"github.com/cbec/cbec/pkg/inventory"
	"github.com/cbec/cbec/pkg/party"
	"github.com/cbec/cbec/pkg/refund"
	"github.com/cbec/cbec/pkg/svc"
	"github.com/cbec/cbec/pkg/zone"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/shopspring/decimal"
)

func (r *Returns) routes(mux *svc.Router) {
	mux.HandleFunc("POST /v1/returns/arrivals", r.handleArrival)
	mux.HandleFunc("POST /v1/returns/sortings", r.handleSorting)
	mux.HandleFunc("POST /v1/returns/shipments", r.handleShipment)
	mux.HandleFunc("GET /v1/returns/lists/{agentCode}/{invtNo}", r.handleList)
	mux.HandleFunc("GET /v1/returns/warehouses", r.handleWarehouses)
	mux.HandleFunc("POST /v1/returns/warehouses", r.handlePutWarehouse)
	mux.HandleFunc("POST /v1/returns/warehouses/{code}/deactivate", r.handleDeactivate)
}

// Parcel names a returned parcel at a warehouse: the warehouse reporting,
// and the waybill the return application named.
type Parcel struct {
	WarehouseCode string `json:"warehouseCode"`
	LogisticsCode string `json:"logisticsCode"`
	LogisticsNo   string `json:"logisticsNo"`
}

// Arrival reports a parcel arrived in the zone (or at the supervision site).
type Arrival struct {
	Parcel
	// ArrivedAt is when it arrived (RFC 3339); empty means now.
	ArrivedAt string `json:"arrivedAt,omitempty"`
}

// Sorting reports the sorting result of every returned line.
type Sorting struct {
	Parcel
	Lines []SortResult `json:"lines"`
}

// SortResult is one line's result (refund.SortResult): resaleable goods go
// back to bonded stock; the others must be shipped out of the zone.
type SortResult = refund.SortResult

// ShipmentReport records the out-of-zone shipment of non-resaleable goods.
type ShipmentReport struct {
	Parcel
	ShippedAt string `json:"shippedAt,omitempty"`
}

// decodeEvent authenticates a warehouse party reporting for its own
// warehouse and decodes the body into v.
func (r *Returns) decodeEvent(w http.ResponseWriter, req *http.Request, v any, parcel func() Parcel) (*party.Party, zone.Warehouse, *zone.Registry, bool) {
	fail := func(err error) (*party.Party, zone.Warehouse, *zone.Registry, bool) {
		httpapi.WriteError(w, err, nil)
		return nil, zone.Warehouse{}, nil, false
	}
	p, err := r.auth.Party(req)
	if err != nil {
		return fail(err)
	}
	if err := httpapi.ReadJSON(w, req, v, 0); err != nil {
		return fail(err)
	}
	pc := parcel()
	if pc.WarehouseCode == "" || pc.LogisticsCode == "" || pc.LogisticsNo == "" || len(pc.LogisticsNo) > 60 || len(pc.LogisticsCode) > 18 {
		return fail(errcode.New(errcode.BadRequest, "warehouseCode, logisticsCode and logisticsNo (at most 60 characters) are required"))
	}
	reg, _, err := r.registry(req.Context())
	if err != nil {
		return fail(errcode.Wrap(errcode.Unavailable, err, "registry temporarily unavailable; retry later"))
	}
	wh, ok := reg.Warehouse(pc.WarehouseCode)
	if !ok {
		return fail(errcode.New(errcode.WarehouseUnknown, "warehouse %s is not registered", pc.WarehouseCode))
	}
	if !p.Has(party.RoleWarehouse) || wh.OperatorCode != p.Code {
		return fail(errcode.New(errcode.Forbidden, "party %s does not operate warehouse %s", p.Code, wh.Code))
	}
	return p, wh, reg, true
}

// change loads the return of the parcel, applies f under compare-and-set
// and publishes what f recorded. f returns an error to refuse the event
// (nothing changes); after, when not nil, runs once the change is stored.
func (r *Returns) change(ctx context.Context, pc Parcel, by string, f func(rec *Record) error, after func(rec *Record) error) (*Record, error) {
	kve, err := r.kv.Get(ctx, parcelKey(pc.LogisticsCode, pc.LogisticsNo))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, errcode.New(errcode.NotFound, "no return in progress for waybill %s/%s", pc.LogisticsCode, pc.LogisticsNo)
	}
	if err != nil {
		return nil, err
	}
	key := recordKey(string(kve.Value()))
	for range broker.MaxCASAttempts {
		var rec Record
		rev, found, err := load(ctx, r.kv, key, &rec)
		if err != nil {
			return nil, err
		}
		if !found {
			return nil, errcode.New(errcode.NotFound, "no return in progress for waybill %s/%s", pc.LogisticsCode, pc.LogisticsNo)
		}
		from := len(rec.History)
		if err := f(&rec); err != nil {
			return nil, err
		}
		rec.By, rec.From = by, from
		err = save(ctx, r.kv, key, &rec, rev)
		if errors.Is(err, broker.ErrConflict) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if after != nil {
			if err := after(&rec); err != nil {
				return nil, err
			}
		}
		return &rec, r.publish(ctx, &rec, from)
	}
	return nil, broker.ErrConflict
}

func (r *Returns) handleArrival(w http.ResponseWriter, req *http.Request) {
	var a Arrival
	_, wh, reg, ok := r.decodeEvent(w, req, &a, func() Parcel { return a.Parcel })
	if !ok {
		return
	}
	now := r.env.Clock.Now()
	at := now
	if a.ArrivedAt != "" {
		t, err := time.Parse(time.RFC3339, a.ArrivedAt)
		if err != nil || t.After(now.Add(5*time.Minute)) {
			httpapi.WriteError(w, errcode.New(errcode.BadRequest, "arrivedAt must be an RFC 3339 time not in the future"), nil)
			return
		}
		at = t
	}
	late := false
	rec, err := r.change(req.Context(), a.Parcel, "arrival/"+a.WarehouseCode, func(rec *Record) error {
		out, err := refund.Arrive(rec.progress(), at, reg.Eligible(wh.Code, rec.TradeMode, rec.Zone, rec.CustomsCode))
		if err != nil {
			return err
		}
		rec.Warehouse, rec.ArrivedAt = wh.Code, at.UTC()
		if out.Code != "" {
			late = true
			rec.refuse(out, now)
			return nil
		}
		rec.record(out.Status, "", "arrived at "+wh.Code, now)
		return nil
	}, func(rec *Record) error {
		if late {
			if err := r.release(req.Context(), rec, false); err != nil {
				return err
			}
		}
		// Arrived (or refused): the expiry sweep has nothing left to do.
		if err := r.kv.Delete(req.Context(), pendingKey(rec.Key)); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
			return err
		}
		return nil
	})
	if err != nil {
		httpapi.WriteError(w, err, nil)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, rec)
}

func (r *Returns) handleSorting(w http.ResponseWriter, req *http.Request) {
	var s Sorting
	_, wh, _, ok := r.decodeEvent(w, req, &s, func() Parcel { return s.Parcel })
	if !ok {
		return
	}
	ctx := req.Context()
	now := r.env.Clock.Now()
	rec, err := r.change(ctx, s.Parcel, "sorting/"+s.WarehouseCode, func(rec *Record) error {
		resaleable, out, err := refund.Sort(rec.progress(), wh.Code, rec.Lines, s.Lines)
		if err != nil {
			return err
		}
		list, st, err := r.originalList(ctx, rec)
		if err != nil {
			return err
		}
		items := make(map[int]string, len(list.InventoryList))
		for _, il := range list.InventoryList {
			items[il.Gnum] = il.ItemRecordNo
		}
		split := refund.Split(rec.Lines, resaleable, list.InventoryHead.EmsNo, items)
		accepted := split.Accepted
		rec.Sorted, rec.Credits, rec.OutOfZone = split.Sorted, split.Credits, split.OutOfZone
		rec.record(refund.Sorted, "", "sorted at "+wh.Code, now)
		if out.Code != "" {
			rec.refuse(out, now)
			return nil
		}
		// Restore against what earlier returns of the list restored, so a
		// line returned in parts gives back exactly its whole amount.
		var ret Returned
		if _, _, err := load(ctx, r.kv, returnedKey(rec.ListKey), &ret); err != nil {
			return err
		}
		amounts := refund.Restore(original(list, st, ret.Accepted), accepted)
		rec.Restored = &amounts
		// Give the quota back before the state says so: the give-back is
		// keyed by the return, so a retry of this event never gives twice.
		if rec.Row != "" {
			if _, err := r.ledger.GiveBackPart(ctx, rec.Row, rec.ListKey, rec.Key, amounts.Value, nil); err != nil {
				return err
			}
		}
		rec.record(out.Status, "399", "海关审结 return in effect: quota "+amounts.Value.StringFixed(2)+" restored, tax "+amounts.Tax.StringFixed(2)+" not levied", now)
		return nil
	}, func(rec *Record) error { return r.release(ctx, rec, true) })
	if err != nil {
		httpapi.WriteError(w, err, nil)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, rec)
}

func (r *Returns) handleShipment(w http.ResponseWriter, req *http.Request) {
	var s ShipmentReport
	_, wh, _, ok := r.decodeEvent(w, req, &s, func() Parcel { return s.Parcel })
	if !ok {
		return
	}
	now := r.env.Clock.Now()
	at := now
	if s.ShippedAt != "" {
		t, err := time.Parse(time.RFC3339, s.ShippedAt)
		if err != nil || t.After(now.Add(5*time.Minute)) {
			httpapi.WriteError(w, errcode.New(errcode.BadRequest, "shippedAt must be an RFC 3339 time not in the future"), nil)
			return
		}
		at = t
	}
	rec, err := r.change(req.Context(), s.Parcel, "shipment/"+s.WarehouseCode, func(rec *Record) error {
		waiting := slices.ContainsFunc(rec.OutOfZone, func(s refund.Shipment) bool { return s.ShippedAt.IsZero() })
		if err := refund.CheckShipment(rec.progress(), wh.Code, waiting); err != nil {
			return err
		}
		for i := range rec.OutOfZone {
			if rec.OutOfZone[i].ShippedAt.IsZero() {
				rec.OutOfZone[i].ShippedAt = at.UTC()
			}
		}
		rec.History = append(rec.History, Step{Status: rec.Status, Event: "shipped", Info: "shipped out of the zone from " + wh.Code, Time: now.UTC()})
		return nil
	}, nil)
	if err != nil {
		httpapi.WriteError(w, err, nil)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, rec)
}

// originalList loads the original inventory list and its state.
func (r *Returns) originalList(ctx context.Context, rec *Record) (*ceb.Inventory, *inventory.State, error) {
	var st inventory.State
	if _, found, err := load(ctx, r.inv, rec.ListKey, &st); err != nil || !found {
		if err == nil {
			err = errcode.New(errcode.ReturnUnknownList, "the original list of return %s is gone", rec.Key)
		}
		return nil, nil, err
	}
	var list ceb.Inventory
	e, ok, err := r.docs.Get(ctx, docstore.KeyOf(ceb.CEB621, st.EbpCode, st.OrderNo))
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		return nil, nil, errcode.New(errcode.ReturnUnknownList, "the original list of return %s is gone", rec.Key)
	}
	if err := broker.Decode(e.Doc, &list); err != nil {
		return nil, nil, err
	}
	return &list, &st, nil
}

// ListReturns is the answer of GET /v1/returns/lists/{agentCode}/{invtNo}:
// the list's returns and its tax after what accepted returns gave back.
type ListReturns struct {
	InvtNo  string          `json:"invtNo"`
	Returns []Record        `json:"returns"`
	Tax     decimal.Decimal `json:"taxAssessed"`
	Waived  decimal.Decimal `json:"taxNotLevied"`
	Due     decimal.Decimal `json:"taxDue"`
}

func (r *Returns) handleList(w http.ResponseWriter, req *http.Request) {
	p, err := r.auth.Party(req)
	if err != nil {
		httpapi.WriteError(w, err, nil)
		return
	}
	ctx := req.Context()
	agent, invtNo := req.PathValue("agentCode"), req.PathValue("invtNo")
	notFound := errcode.New(errcode.NotFound, "no inventory list %s of agent %s for party %s", invtNo, agent, p.Code)
	st, err := r.listByInvtNo(ctx, invtNo)
	if err != nil {
		httpapi.WriteError(w, httpapi.StorageDown(err), nil)
		return
	}
	if st == nil || st.AgentCode != agent || !p.IsCustoms() && !slices.Contains(st.Readers(), p.Code) {
		httpapi.WriteError(w, notFound, nil)
		return
	}
	out := ListReturns{InvtNo: invtNo, Returns: []Record{}}
	if st.Tax != nil {
		out.Tax = st.Tax.Total
	}
	lister, err := r.kv.ListKeysFiltered(ctx, recordKey(docstore.KeyOf(ceb.CEB625, agent, invtNo))+".>")
	if err != nil {
		httpapi.WriteError(w, httpapi.StorageDown(err), nil)
		return
	}
	var givenBack []decimal.Decimal
	for k := range lister.Keys() {
		var rec Record
		if _, found, err := load(ctx, r.kv, k, &rec); err == nil && found {
			out.Returns = append(out.Returns, rec)
			if rec.Status == refund.Accepted && rec.Restored != nil {
				givenBack = append(givenBack, rec.Restored.Tax)
			}
		}
	}
	out.Waived, out.Due = refund.TaxDue(out.Tax, givenBack...)
	httpapi.WriteJSON(w, http.StatusOK, out)
}

// listByInvtNo finds the import list with the customs number invtNo, or
// nil. cbec keeps no index of the numbers — a decision would pay a write
// for it — because the number carries its list's CEB_IN sequence (modulo
// 10⁹, inventory.InvtNo): the CEB621 message there names the list, whose
// state must hold this very number. Cancellations and returns name the
// list's order and need none of this.
func (r *Returns) listByInvtNo(ctx context.Context, invtNo string) (*inventory.State, error) {
	flag, serial, ok := inventory.InvtSerial(invtNo)
	if !ok || flag != 'I' {
		return nil, nil
	}
	in, err := r.env.JS.Stream(ctx, broker.StreamIn)
	if err != nil {
		return nil, err
	}
	// The newest candidate first: should the serials have wrapped within a
	// year (10⁹ documents), the number belongs to the latest list given it.
	const wrap = 1_000_000_000
	last := in.CachedInfo().State.LastSeq
	if serial > last {
		return nil, nil
	}
	for seq := serial + (last-serial)/wrap*wrap; ; seq -= wrap {
		if seq > 0 { // sequences start at 1: serial 0 is 10⁹, 2·10⁹ …
			if st, err := r.listAt(ctx, in, seq, invtNo); err != nil || st != nil {
				return st, err
			}
		}
		if seq < wrap {
			return nil, nil
		}
	}
}

// listAt returns the state of the list whose CEB621 is the CEB_IN message
// seq, if that state holds the customs number invtNo.
func (r *Returns) listAt(ctx context.Context, in jetstream.Stream, seq uint64, invtNo string) (*inventory.State, error) {
	m, err := in.GetMsg(ctx, seq)
	if errors.Is(err, jetstream.ErrMsgNotFound) || err == nil && ceb.MsgType(m.Header.Get(docstore.HeaderMsgType)) != ceb.CEB621 {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var head struct {
		InventoryHead struct {
			EbpCode string `json:"ebpCode"`
			OrderNo string `json:"orderNo"`
		}
	}
	if err := broker.Decode(m.Data, &head); err != nil {
		return nil, err
	}
	var st inventory.State
	_, found, err := load(ctx, r.inv, docstore.InventoryKey(head.InventoryHead.EbpCode, head.InventoryHead.OrderNo), &st)
	if err != nil || !found || st.InvtNo != invtNo {
		return nil, err
	}
	return &st, nil
}
