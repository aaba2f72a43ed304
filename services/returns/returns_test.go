package returns_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/ceb/cebtest"
	"github.com/cbec/cbec/pkg/clock"
	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/natstest"
	"github.com/cbec/cbec/pkg/quota"
	"github.com/cbec/cbec/pkg/refund"
	"github.com/cbec/cbec/services/clearance"
	"github.com/cbec/cbec/services/returns"
	st "github.com/cbec/cbec/services/servicetest"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/shopspring/decimal"
)

const (
	keyWarehouse = "demo-warehouse" // operates CQ-XY-RC01 in 西永, the cebtest list's zone
	keySite      = "demo-site"      // operates the 9610 supervision site of customs 8001
	keyOperator  = "demo-operator"
	home         = "CQ-XY-RC01"
)

var dec = decimal.RequireFromString

// released submits the set and waits for its release; it returns the invtNo.
func released(t *testing.T, h *st.Harness, s st.Set) string {
	t.Helper()
	h.Submit(s)
	v := h.WaitDecided(s.O.OrderHead.OrderNo)
	if v.Status != "800" {
		t.Fatalf("%s: %s %s", s.O.OrderHead.OrderNo, v.Status, v.Code)
	}
	return v.InvtNo
}

// apply files a return of the given quantity of each line (all lines in
// full when qty is empty) and waits for its last receipt.
func apply(t *testing.T, h *st.Harness, s st.Set, invtNo, guidTag string, qty map[int]string) returns.Record {
	t.Helper()
	r := cebtest.Refund(s.I, invtNo)
	r.InvtRefundHead.Guid = cebtest.GUID("refund", s.O.OrderHead.OrderNo, guidTag)
	if qty != nil {
		var lines []ceb.InvtRefundList
		for _, l := range r.InvtRefundList {
			if q, ok := qty[l.Gnum]; ok {
				l.Qty = ceb.MustAmount(q)
				lines = append(lines, l)
			}
		}
		r.InvtRefundList = lines
	}
	return applyDoc(t, h, r, invtNo)
}

// applyDoc files the return r and waits until it is decided.
func applyDoc(t *testing.T, h *st.Harness, r *ceb.InvtRefund, invtNo string) returns.Record {
	t.Helper()
	h.MustSubmit("returns", st.KeyAgent, r)
	var rec returns.Record
	natstest.Eventually(t, 10*time.Second, func() bool {
		for _, x := range list(t, h, invtNo).Returns {
			if x.GUID == r.InvtRefundHead.Guid && len(x.History) >= 2 {
				rec = x
				return true
			}
		}
		return false
	}, "return %s decided", r.InvtRefundHead.Guid)
	return rec
}

func list(t *testing.T, h *st.Harness, invtNo string) returns.ListReturns {
	t.Helper()
	code, b, _ := h.Do("GET", "/v1/returns/lists/"+cebtest.AgentCode+"/"+invtNo, st.KeyAgent, "", nil)
	if code != http.StatusOK {
		t.Fatalf("list: %d %s", code, b)
	}
	var l returns.ListReturns
	if err := json.Unmarshal(b, &l); err != nil {
		t.Fatal(err)
	}
	return l
}

// event posts a warehouse event and decodes the record or the problem.
func event(t *testing.T, h *st.Harness, key, path string, body any) (int, returns.Record, string) {
	t.Helper()
	b, _ := json.Marshal(body)
	code, out, _ := h.Do("POST", "/v1/returns/"+path, key, "application/json", b)
	var rec returns.Record
	if code == http.StatusOK {
		if err := json.Unmarshal(out, &rec); err != nil {
			t.Fatal(err)
		}
		return code, rec, ""
	}
	return code, rec, st.DecodeProblem(t, out).Code
}

func parcel(s st.Set, warehouse string) returns.Parcel {
	return returns.Parcel{WarehouseCode: warehouse, LogisticsCode: s.I.InventoryHead.LogisticsCode, LogisticsNo: s.I.InventoryHead.LogisticsNo}
}

func arrive(t *testing.T, h *st.Harness, key string, s st.Set, warehouse string) (int, returns.Record, string) {
	return event(t, h, key, "arrivals", returns.Arrival{Parcel: parcel(s, warehouse)})
}

func sortAll(t *testing.T, h *st.Harness, key string, s st.Set, warehouse string, resaleable bool, gnums ...int) (int, returns.Record, string) {
	var lines []returns.SortResult
	for _, g := range gnums {
		lines = append(lines, returns.SortResult{Gnum: g, Resaleable: resaleable})
	}
	return event(t, h, key, "sortings", returns.Sorting{Parcel: parcel(s, warehouse), Lines: lines})
}

func used(t *testing.T, h *st.Harness) decimal.Decimal {
	t.Helper()
	u, err := h.Clearance.(*clearance.Clearance).Used(context.Background(), quota.BuyerKey(h.Env.QuotaSecret, cebtest.BuyerIDNumber), quota.Year(h.Clock.Now()))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// day returns the instant hh:mm on the n-th day after the release date of
// the harness (st.Start, 2025-03-10), Asia/Shanghai.
func day(n, hh, mm, ss int) time.Time {
	return time.Date(2025, 3, 10+n, hh, mm, ss, 0, clock.Shanghai)
}

func TestFullReturnRestocksAndRestoresOnce(t *testing.T) {
	h := st.New(t, st.WithRules(st.NoRisk))
	s := st.NewSet("RET-FULL")
	invtNo := released(t, h, s)
	if !used(t, h).Equal(dec("574")) {
		t.Fatalf("counted %s", used(t, h))
	}
	h.Clock.Set(day(30, 23, 59, 59)) // the last second of the 30-day window
	rec := apply(t, h, s, invtNo, "A", nil)
	if rec.Status != refund.Requested || rec.Zone != "CQ-XY" {
		t.Fatalf("application: %s %s %+v", rec.Status, rec.Code, rec.History)
	}
	h.RestartReturns()               // mid-flow: requested
	h.Clock.Set(day(45, 23, 59, 59)) // the last second of the 45-day window
	if code, rec, c := arrive(t, h, keyWarehouse, s, home); code != 200 || rec.Status != refund.Arrived {
		t.Fatalf("arrival: %d %s %s", code, rec.Status, c)
	}
	h.RestartReturns() // mid-flow: arrived
	code, rec, c := sortAll(t, h, keyWarehouse, s, home, true, 1, 2)
	if code != 200 || rec.Status != refund.Accepted || rec.Restored == nil {
		t.Fatalf("sorting: %d %s %s", code, rec.Status, c)
	}
	if !rec.Restored.Value.Equal(dec("574")) || !rec.Restored.Tax.Equal(dec(cebtest.TaxTotal)) {
		t.Fatalf("restored %s tax %s", rec.Restored.Value, rec.Restored.Tax)
	}
	if len(rec.Credits) != 2 || rec.Credits[0].EmsNo != cebtest.EmsNo || rec.Credits[0].ItemRecordNo == "" {
		t.Fatalf("account-book credits %+v", rec.Credits)
	}
	if !used(t, h).IsZero() {
		t.Fatalf("quota after the return %s", used(t, h))
	}
	// The same sorting again is refused and restores nothing twice.
	if code, _, c := sortAll(t, h, keyWarehouse, s, home, true, 1, 2); code != http.StatusConflict || c != string(errcode.ReturnState) {
		t.Fatalf("second sorting: %d %s", code, c)
	}
	h.RestartReturns()
	if !used(t, h).IsZero() {
		t.Fatalf("quota after a restart %s", used(t, h))
	}
	l := list(t, h, invtNo)
	if !l.Due.IsZero() || !l.Waived.Equal(dec(cebtest.TaxTotal)) {
		t.Fatalf("tax due %s waived %s", l.Due, l.Waived)
	}
	recs := h.WaitReceipts(st.KeyAgent, "msgType=CEB626", 3)
	var got []string
	for _, r := range recs {
		got = append(got, r.Status())
	}
	if strings.Join(got, ",") != "2,120,399" {
		t.Fatalf("CEB626 receipts %v", got)
	}
	// A second return of what was returned already is refused, even inside
	// the window.
	h.Clock.Set(day(20, 9, 0, 0))
	rec2 := apply(t, h, s, invtNo, "B", map[int]string{1: "1"})
	if rec2.Code != string(errcode.ReturnQuantity) {
		t.Fatalf("second return: %s %s", rec2.Status, rec2.Code)
	}
}

func TestWindowsHoldToTheDay(t *testing.T) {
	h := st.New(t, st.WithRules(st.NoRisk))
	late := st.NewSet("RET-LATE-APPLY")
	lateInvt := released(t, h, late)
	arriveLate := st.NewSet("RET-LATE-ARRIVE")
	arriveInvt := released(t, h, arriveLate)
	expire := st.NewSet("RET-EXPIRE")
	expireInvt := released(t, h, expire)

	h.Clock.Set(day(30, 12, 0, 0))
	apply(t, h, arriveLate, arriveInvt, "A", nil)
	apply(t, h, expire, expireInvt, "A", nil)
	h.Clock.Set(day(31, 0, 0, 0)) // day 31: too late to apply
	if rec := apply(t, h, late, lateInvt, "A", nil); rec.Code != string(errcode.ReturnLate) || rec.Status != refund.Rejected {
		t.Fatalf("day-31 application: %s %s", rec.Status, rec.Code)
	}
	h.Clock.Set(day(46, 0, 0, 0)) // day 46: too late to arrive
	code, rec, _ := arrive(t, h, keyWarehouse, arriveLate, home)
	if code != 200 || rec.Status != refund.Rejected || rec.Code != string(errcode.ArrivalLate) {
		t.Fatalf("day-46 arrival: %d %s %s", code, rec.Status, rec.Code)
	}
	if err := h.Returns.(*returns.Returns).Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	var ex returns.Record
	natstest.Eventually(t, 5*time.Second, func() bool {
		ex = list(t, h, expireInvt).Returns[0]
		return ex.Status == refund.Expired
	}, "expired")
	if ex.Code != string(errcode.ReturnExpired) {
		t.Fatalf("expired with %s", ex.Code)
	}
	// Nothing was restored: three lists still counted.
	if !used(t, h).Equal(dec("1722")) {
		t.Fatalf("counted %s", used(t, h))
	}
}

func TestWindowsBeforeTheEdge(t *testing.T) {
	h := st.New(t, st.WithRules(st.NoRisk))
	s := st.NewSet("RET-EDGE")
	invtNo := released(t, h, s)
	h.Clock.Set(day(30, 23, 59, 59))
	apply(t, h, s, invtNo, "A", nil)
	h.Clock.Set(day(45, 23, 59, 58))
	if code, rec, c := arrive(t, h, keyWarehouse, s, home); code != 200 || rec.Status != refund.Arrived {
		t.Fatalf("day-45 arrival: %d %s %s", code, rec.Status, c)
	}
}

func TestPartialReturnsRestoreExactly(t *testing.T) {
	h := st.New(t, st.WithRules(st.NoRisk))
	s := st.NewSet("RET-PART")
	invtNo := released(t, h, s)
	h.Clock.Set(day(5, 10, 0, 0))
	// Line 1 is 2 units (dutiable 403.02); return one, then the other.
	apply(t, h, s, invtNo, "A", map[int]string{1: "1"})
	arrive(t, h, keyWarehouse, s, home)
	_, rec, _ := sortAll(t, h, keyWarehouse, s, home, true, 1)
	if rec.Status != refund.Accepted || !rec.Restored.Value.Equal(dec("201.51")) {
		t.Fatalf("first half: %s %v", rec.Status, rec.Restored)
	}
	if rec := apply(t, h, s, invtNo, "B", map[int]string{1: "2"}); rec.Code != string(errcode.ReturnQuantity) {
		t.Fatalf("more than is left: %s %s", rec.Status, rec.Code)
	}
	apply(t, h, s, invtNo, "C", map[int]string{1: "1"})
	arrive(t, h, keyWarehouse, s, home)
	_, rec, _ = sortAll(t, h, keyWarehouse, s, home, true, 1)
	if rec.Status != refund.Accepted || !rec.Restored.Value.Equal(dec("201.51")) {
		t.Fatalf("second half: %s %v", rec.Status, rec.Restored)
	}
	// Line 1 returned in two halves restores exactly its 403.02.
	if !used(t, h).Equal(dec("170.98")) {
		t.Fatalf("counted %s, want line 2's 170.98", used(t, h))
	}
	unknown := cebtest.Refund(s.I, invtNo)
	unknown.InvtRefundHead.Guid = cebtest.GUID("refund", "RET-PART", "D")
	unknown.InvtRefundList = unknown.InvtRefundList[:1]
	unknown.InvtRefundList[0].Gnum, unknown.InvtRefundList[0].Qty = 3, ceb.MustAmount("1")
	if rec := applyDoc(t, h, unknown, invtNo); rec.Code != string(errcode.ReturnItem) {
		t.Fatalf("unknown line: %s", rec.Code)
	}
}

func TestWarehouseEligibility(t *testing.T) {
	h := st.New(t, st.WithRules(st.NoRisk))
	s := st.NewSet("RET-WH")
	invtNo := released(t, h, s)
	apply(t, h, s, invtNo, "A", nil)
	put := func(w map[string]any) {
		b, _ := json.Marshal(w)
		if code, out, _ := h.Do("POST", "/v1/returns/warehouses", keyOperator, "application/json", b); code != 200 {
			t.Fatalf("put warehouse: %d %s", code, out)
		}
	}
	put(map[string]any{"code": "CQ-LL-RC09", "name": "两路 demo", "zone": "CQ-LL", "operatorCode": "5000000001", "creditRating": "general", "filingNo": "F9", "active": true, "kind": "return-center"})
	put(map[string]any{"code": "CQ-XY-RC09", "name": "西永 dishonest demo", "zone": "CQ-XY", "operatorCode": "5000000001", "creditRating": "dishonest", "filingNo": "F8", "active": true, "kind": "return-center"})
	put(map[string]any{"code": "CQ-XY-RC08", "name": "西永 inactive demo", "zone": "CQ-XY", "operatorCode": "5000000001", "creditRating": "general", "filingNo": "F7", "active": true, "kind": "return-center"})
	if code, out, _ := h.Do("POST", "/v1/returns/warehouses/CQ-XY-RC08/deactivate", keyOperator, "", nil); code != 200 {
		t.Fatalf("deactivate: %d %s", code, out)
	}
	if code, _, _ := h.Do("POST", "/v1/returns/warehouses/CQ-XY-RC01/deactivate", keyWarehouse, "", nil); code != http.StatusForbidden {
		t.Fatalf("a warehouse deactivates: %d", code)
	}
	for _, c := range []struct {
		name, key, warehouse string
		status               int
		code                 errcode.Code
	}{
		{"wrong zone", keyWarehouse, "CQ-LL-RC09", 422, errcode.WarehouseZone},
		{"dishonest operator", keyWarehouse, "CQ-XY-RC09", 422, errcode.WarehouseDishonest},
		{"inactive warehouse", keyWarehouse, "CQ-XY-RC08", 422, errcode.WarehouseInactive},
		{"unknown warehouse", keyWarehouse, "CQ-NOPE", 422, errcode.WarehouseUnknown},
		{"another operator's warehouse", keyWarehouse, "CQ-LL-RC01", 403, errcode.Forbidden},
		{"a 9610 site for a 1210 return", keySite, "CQ-SITE-8001", 422, errcode.ReturnSite},
		{"a platform", st.KeyEBP, home, 403, errcode.Forbidden},
	} {
		code, _, got := arrive(t, h, c.key, s, c.warehouse)
		if code != c.status || got != string(c.code) {
			t.Errorf("%s: %d %s, want %d %s", c.name, code, got, c.status, c.code)
		}
	}
	// Every refusal changed nothing: the rightful arrival still works.
	if code, rec, c := arrive(t, h, keyWarehouse, s, home); code != 200 || rec.Status != refund.Arrived {
		t.Fatalf("arrival: %d %s %s", code, rec.Status, c)
	}
	// Audited: the operator's three changes and the deactivation.
	stream, err := h.JS.Stream(context.Background(), "CBEC_AUDIT")
	if err != nil {
		t.Fatal(err)
	}
	info, _ := stream.Info(context.Background())
	if info.State.Msgs != 4 {
		t.Fatalf("audit entries %d, want 4", info.State.Msgs)
	}
}

func TestDirectPurchaseGoesBackToTheSite(t *testing.T) {
	h := st.New(t, st.WithRules(st.NoRisk))
	s := st.NewSet("RET-9610")
	hd := &s.I.InventoryHead
	hd.TradeMode, hd.TrafNo, hd.VoyageNo, hd.BillNo, hd.Country = "9610", "MU5001", "20250309", "78412345678", "116"
	hd.EmsNo, hd.AreaCode, hd.AreaName = "", "", ""
	for n := range s.I.InventoryList {
		s.I.InventoryList[n].ItemRecordNo = ""
	}
	invtNo := released(t, h, s)
	rec := apply(t, h, s, invtNo, "A", nil)
	if rec.Status != refund.Requested {
		t.Fatalf("application: %s %s", rec.Status, rec.Code)
	}
	if code, _, c := arrive(t, h, keyWarehouse, s, home); code != 422 || c != string(errcode.ReturnSite) {
		t.Fatalf("9610 goods at a return-center warehouse: %d %s", code, c)
	}
	if code, rec, c := arrive(t, h, keySite, s, "CQ-SITE-8001"); code != 200 || rec.Status != refund.Arrived {
		t.Fatalf("at the site: %d %s %s", code, rec.Status, c)
	}
	_, rec, _ = sortAll(t, h, keySite, s, "CQ-SITE-8001", true, 1, 2)
	if rec.Status != refund.Accepted || !used(t, h).IsZero() {
		t.Fatalf("9610 return: %s, counted %s", rec.Status, used(t, h))
	}
}

func TestNotResaleableIsShippedOutAndRestoresNothing(t *testing.T) {
	h := st.New(t, st.WithRules(st.NoRisk))
	s := st.NewSet("RET-DAMAGED")
	invtNo := released(t, h, s)
	apply(t, h, s, invtNo, "A", nil)
	arrive(t, h, keyWarehouse, s, home)
	_, rec, _ := sortAll(t, h, keyWarehouse, s, home, false, 1, 2)
	if rec.Status != refund.Rejected || rec.Code != string(errcode.NotResaleable) || len(rec.OutOfZone) != 2 || rec.Restored != nil {
		t.Fatalf("%s %s %+v", rec.Status, rec.Code, rec.OutOfZone)
	}
	if !used(t, h).Equal(dec("574")) {
		t.Fatalf("restored %s", used(t, h))
	}
	code, rec, c := event(t, h, keyWarehouse, "shipments", returns.ShipmentReport{Parcel: parcel(s, home)})
	if code != 200 || rec.OutOfZone[0].ShippedAt.IsZero() {
		t.Fatalf("shipment: %d %s", code, c)
	}
	if code, _, c := event(t, h, keyWarehouse, "shipments", returns.ShipmentReport{Parcel: parcel(s, home)}); code != 409 {
		t.Fatalf("second shipment: %d %s", code, c)
	}
	// The shipment is an event of its own: the outcome was published once.
	stream, err := h.JS.Stream(context.Background(), "CBEC_EVENTS")
	if err != nil {
		t.Fatal(err)
	}
	for subject, want := range map[string]uint64{"cbec.evt.return.rejected": 1, "cbec.evt.return.shipped": 1} {
		info, err := stream.Info(context.Background(), jetstream.WithSubjectFilter(subject))
		if err != nil {
			t.Fatal(err)
		}
		if got := info.State.Subjects[subject]; got != want {
			t.Errorf("%s: %d events, want %d", subject, got, want)
		}
	}
}

// TestBuyerAtTheLimitBuysAgainAfterAReturn is the end-to-end case,
// with the clock moved over HTTP as --dev-clock allows: a buyer at 26,000
// returns goods worth 1,000 and can buy 1,000 again.
func TestBuyerAtTheLimitBuysAgainAfterAReturn(t *testing.T) {
	h := st.New(t, st.WithRules(st.NoRisk))
	for _, o := range []string{"LIM-1", "LIM-2", "LIM-3", "LIM-4", "LIM-5"} {
		released(t, h, st.SingleItem(o, "4990.00")) // 4,990 + 10 freight = 5,000
	}
	thousand := st.SingleItem("LIM-6", "990.00") // 1,000
	invtNo := released(t, h, thousand)
	if !used(t, h).Equal(dec("26000")) {
		t.Fatalf("counted %s", used(t, h))
	}
	again := st.SingleItem("LIM-7", "990.00")
	h.Submit(again)
	if v := h.WaitDecided("LIM-7"); v.Code != string(errcode.OverAnnualLimit) {
		t.Fatalf("at the limit: %s %s", v.Status, v.Code)
	}
	setClock := func(at time.Time) {
		b, _ := json.Marshal(map[string]string{"now": at.Format(time.RFC3339)})
		if code, out, _ := h.Do("POST", "/v1/admin/clock", keyOperator, "application/json", b); code != 200 {
			t.Fatalf("clock: %d %s", code, out)
		}
	}
	setClock(day(10, 9, 0, 0))
	apply(t, h, thousand, invtNo, "A", nil)
	setClock(day(20, 9, 0, 0))
	arrive(t, h, keyWarehouse, thousand, home)
	if _, rec, c := sortAll(t, h, keyWarehouse, thousand, home, true, 1); rec.Status != refund.Accepted {
		t.Fatalf("return: %s %s", rec.Status, c)
	}
	if !used(t, h).Equal(dec("25000")) {
		t.Fatalf("after the return %s", used(t, h))
	}
	buy := st.SingleItem("LIM-8", "990.00")
	h.Submit(buy)
	if v := h.WaitDecided("LIM-8"); v.Status != "800" {
		t.Fatalf("buying again: %s %s", v.Status, v.Code)
	}
}

// TestListFoundByItsNumber: the list endpoint finds a list by its customs
// number, and a return naming the list's order under another number is
// refused as naming no list (-902001).
func TestListFoundByItsNumber(t *testing.T) {
	h := st.New(t, st.WithRules(st.NoRisk))
	s := st.NewSet("RET-NUMBER")
	invtNo := released(t, h, s)
	if l := list(t, h, invtNo); l.InvtNo != invtNo || !l.Tax.IsPositive() {
		t.Fatalf("list %s: %+v", invtNo, l)
	}
	// The same customs code and year, another serial: no list.
	other := invtNo[:9] + "999999999"
	// Serial 0 names sequence 10⁹, not 0, which no message has.
	for _, n := range []string{other, invtNo[:9] + "000000000", "not-a-number", invtNo[:17]} {
		if code, b, _ := h.Do("GET", "/v1/returns/lists/"+cebtest.AgentCode+"/"+n, st.KeyAgent, "", nil); code != http.StatusNotFound {
			t.Fatalf("list %s: %d %s", n, code, b)
		}
	}
	h.MustSubmit("returns", st.KeyAgent, cebtest.Refund(s.I, other))
	recs := h.WaitReceipts(st.KeyAgent, "msgType=CEB626", 2) // 2, then the decision
	if len(recs) != 2 || recs[1].Status() != "100" || !strings.HasPrefix(recs[1].Info(), string(errcode.ReturnUnknownList)) {
		t.Fatalf("return under another number: %v", recs)
	}
}
