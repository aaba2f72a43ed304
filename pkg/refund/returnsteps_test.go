package refund_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/cbec/cbec/deploy"
	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/inventory"
	"github.com/cbec/cbec/pkg/refund"
	"github.com/cbec/cbec/pkg/zone"
)

// codeOf is the code of a rule's error, "" for none.
func codeOf(err error) errcode.Code {
	if err == nil {
		return ""
	}
	return errcode.Of(err)
}

// released15 is the list of the D7 example: released 2024-03-15 14:30
// Shanghai, so the application window ends at 2024-04-15 00:00 (30 days)
// and the arrival window at 2024-04-30 00:00 (45 days).
var released15 = sh(2024, 3, 15, 14, 30, 0, 0)

func listed() refund.Listed {
	return refund.Listed{InvtNo: "500120241000000001", LogisticsNo: "WB1", Buyer: "buyer-key", AgentCode: "AGENT",
		Status: inventory.StatusReleased, ReleasedAt: released15}
}

func application() refund.Application {
	return refund.Application{InvtNo: "500120241000000001", OrderNo: "O-1", LogisticsNo: "WB1", Buyer: "buyer-key", AgentCode: "AGENT"}
}

func TestMatch(t *testing.T) {
	l := listed()
	cases := []struct {
		name string
		l    *refund.Listed
		a    func(*refund.Application)
		want errcode.Code
	}{
		{"the list of the application", &l, func(*refund.Application) {}, ""},
		{"no list of the order", nil, func(*refund.Application) {}, errcode.ReturnUnknownList},
		{"another customs number", &l, func(a *refund.Application) { a.InvtNo = "500120241000000002" }, errcode.ReturnUnknownList},
		{"another waybill", &l, func(a *refund.Application) { a.LogisticsNo = "WB2" }, errcode.ReturnUnknownList},
		{"another buyer", &l, func(a *refund.Application) { a.Buyer = "someone-else" }, errcode.ReturnUnknownList},
		{"another declarant", &l, func(a *refund.Application) { a.AgentCode = "OTHER" }, errcode.ReturnDeclarant},
	}
	for _, c := range cases {
		a := application()
		c.a(&a)
		if got := codeOf(refund.Match(c.l, a)); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
	// The refusal says the same whatever was wrong: it names what the
	// application gave, nothing of the list found.
	a := application()
	a.Buyer = "someone-else"
	if err := refund.Match(&l, a); err.Error() != refund.UnknownList(a).Error() {
		t.Errorf("refusal %q, want %q", err, refund.UnknownList(a))
	}
}

// TestAdmitAtTheWindowBoundary applies for a return at each side of the
// end of the 30-day window, and for lists in every other status.
func TestAdmitAtTheWindowBoundary(t *testing.T) {
	cases := []struct {
		name   string
		status string
		at     time.Time
		want   errcode.Code
	}{
		{"on the release day", inventory.StatusReleased, released15, ""},
		{"day 30 at 23:59:59.999999999", inventory.StatusReleased, sh(2024, 4, 14, 23, 59, 59, 999999999), ""},
		{"day 31 at 00:00", inventory.StatusReleased, sh(2024, 4, 15, 0, 0, 0, 0), errcode.ReturnLate},
		{"day 31 at 00:00, given in UTC", inventory.StatusReleased, time.Date(2024, 4, 14, 16, 0, 0, 0, time.UTC), errcode.ReturnLate},
		{"a year later", inventory.StatusReleased, sh(2025, 3, 15, 0, 0, 0, 0), errcode.ReturnLate},
		{"declared", inventory.StatusDeclared, released15, errcode.ReturnNotReleased},
		{"accepted", inventory.StatusAccepted, released15, errcode.ReturnNotReleased},
		{"in review", inventory.StatusReview, released15, errcode.ReturnNotReleased},
		{"concluded", inventory.StatusConcluded, released15, errcode.ReturnNotReleased},
		{"under inspection", inventory.StatusInspect, released15, errcode.ReturnNotReleased},
		{"rejected", inventory.StatusRejected, released15, errcode.ReturnNotReleased},
		{"cancelled", inventory.StatusCancelled, released15, errcode.ReturnNotReleased},
		{"detained", "501", released15, errcode.ReturnNotReleased},
	}
	for _, c := range cases {
		l := listed()
		l.Status = c.status
		w, err := refund.Admit(l, c.at, 30, 45)
		if got := codeOf(err); got != c.want {
			t.Errorf("%s: %q, want %q (%v)", c.name, got, c.want, err)
		}
		// The record shows the windows of a released list, late or not.
		want := refund.Windows{}
		if c.status == inventory.StatusReleased {
			want = refund.Windows{Released: released15, ApplyBy: sh(2024, 4, 15, 0, 0, 0, 0), ArriveBy: sh(2024, 4, 30, 0, 0, 0, 0)}
		}
		if !w.Released.Equal(want.Released) || !w.ApplyBy.Equal(want.ApplyBy) || !w.ArriveBy.Equal(want.ArriveBy) {
			t.Errorf("%s: windows %+v, want %+v", c.name, w, want)
		}
	}
	_, err := refund.Admit(listed(), sh(2024, 4, 15, 0, 0, 0, 0), 30, 45)
	if want := "released 2024-03-15: the application was due by the end of 2024-04-14 (Asia/Shanghai)"; err == nil || errcode.As(err).Message != want {
		t.Errorf("late application: %v, want %q", err, want)
	}
}

func TestCheckReturn(t *testing.T) {
	cases := []struct {
		name   string
		lines  []refund.Line
		active string
		want   errcode.Code
	}{
		{"first return", []refund.Line{{Gnum: 1, Gcode: "1901101000", Qty: d("1")}}, "", ""},
		{"another in progress", []refund.Line{{Gnum: 1, Gcode: "1901101000", Qty: d("1")}}, "ceb625.A.I.G", errcode.ReturnState},
		{"a line the list lacks", []refund.Line{{Gnum: 9, Gcode: "1901101000", Qty: d("1")}}, "", errcode.ReturnItem},
		{"too many", []refund.Line{{Gnum: 1, Gcode: "1901101000", Qty: d("3")}}, "", errcode.ReturnQuantity},
	}
	for _, c := range cases {
		if got := codeOf(refund.CheckReturn(example1(), c.lines, "I1", c.active)); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
	// Every problem in one message, with the code of the first.
	err := refund.CheckReturn(example1(), []refund.Line{{Gnum: 9, Gcode: "x", Qty: d("1")}, {Gnum: 1, Gcode: "1901101000", Qty: d("5")}}, "I1", "")
	if e := errcode.As(err); e.Code != errcode.ReturnItem || !strings.Contains(e.Message, "; "+string(errcode.ReturnQuantity)+": ") {
		t.Errorf("two problems: %v", err)
	}
}

// progress is a return of the D7 example applied for on 2024-04-01.
func progress(s refund.Status, warehouse string) refund.Progress {
	return refund.Progress{Key: "ceb625.AGENT.I1.G1", Status: s, Warehouse: warehouse,
		AppliedAt: sh(2024, 4, 1, 10, 0, 0, 0), ArriveBy: sh(2024, 4, 30, 0, 0, 0, 0)}
}

var allStatuses = []refund.Status{refund.Requested, refund.Arrived, refund.Sorted, refund.Accepted, refund.Rejected, refund.Expired}

// TestArrive: an arrival fits a requested return only; within the window
// it makes the return arrived, from midnight after day 45 it rejects it.
func TestArrive(t *testing.T) {
	type arrival struct {
		name     string
		status   refund.Status
		at       time.Time
		eligible error
		want     refund.Status
		code     errcode.Code // of the outcome
		err      errcode.Code // of the refusal
	}
	cases := []arrival{
		{"on day 17", refund.Requested, sh(2024, 4, 1, 12, 0, 0, 0), nil, refund.Arrived, "", ""},
		{"at the application's instant", refund.Requested, sh(2024, 4, 1, 10, 0, 0, 0), nil, refund.Arrived, "", ""},
		{"day 45 at 23:59:59.999", refund.Requested, sh(2024, 4, 29, 23, 59, 59, 999000000), nil, refund.Arrived, "", ""},
		{"day 46 at 00:00", refund.Requested, sh(2024, 4, 30, 0, 0, 0, 0), nil, refund.Rejected, errcode.ArrivalLate, ""},
		{"day 46 at 00:00, given in UTC", refund.Requested, time.Date(2024, 4, 29, 16, 0, 0, 0, time.UTC), nil, refund.Rejected, errcode.ArrivalLate, ""},
		{"before the application", refund.Requested, sh(2024, 4, 1, 9, 59, 59, 0), nil, "", "", errcode.BadRequest},
		{"at an ineligible warehouse", refund.Requested, sh(2024, 4, 1, 12, 0, 0, 0), errcode.New(errcode.WarehouseZone, "elsewhere"), "", "", errcode.WarehouseZone},
		{"ineligible and late: the warehouse first", refund.Requested, sh(2024, 5, 1, 0, 0, 0, 0), errcode.New(errcode.WarehouseZone, "elsewhere"), "", "", errcode.WarehouseZone},
	}
	for _, s := range allStatuses[1:] {
		cases = append(cases, arrival{"a return " + string(s), s, sh(2024, 4, 2, 0, 0, 0, 0), errcode.New(errcode.WarehouseZone, "x"), "", "", errcode.ReturnState})
	}
	for _, c := range cases {
		out, err := refund.Arrive(progress(c.status, ""), c.at, c.eligible)
		if got := codeOf(err); got != c.err {
			t.Errorf("%s: refusal %q, want %q (%v)", c.name, got, c.err, err)
			continue
		}
		if err == nil && (out.Status != c.want || out.Code != c.code) {
			t.Errorf("%s: %+v, want %s %q", c.name, out, c.want, c.code)
		}
	}
	out, _ := refund.Arrive(progress(refund.Requested, ""), sh(2024, 4, 30, 8, 15, 0, 0), nil)
	if want := string(errcode.ArrivalLate) + ": arrived 2024-04-30 08:15, after the end of 2024-04-29 (Asia/Shanghai); nothing is restored"; out.Info() != want {
		t.Errorf("late arrival info %q, want %q", out.Info(), want)
	}
}

func TestSort(t *testing.T) {
	lines := []refund.Line{{Gnum: 1, Gcode: "1901101000", Qty: d("1")}, {Gnum: 2, Gcode: "3304990099", Qty: d("1")}}
	r := func(g int, ok bool) refund.SortResult { return refund.SortResult{Gnum: g, Resaleable: ok} }
	type sorting struct {
		name    string
		p       refund.Progress
		results []refund.SortResult
		want    refund.Status
		code    errcode.Code
		err     errcode.Code
	}
	cases := []sorting{
		{"both resaleable", progress(refund.Arrived, "W1"), []refund.SortResult{r(1, true), r(2, true)}, refund.Accepted, "", ""},
		{"one resaleable", progress(refund.Arrived, "W1"), []refund.SortResult{r(2, false), r(1, true)}, refund.Accepted, "", ""},
		{"none resaleable", progress(refund.Arrived, "W1"), []refund.SortResult{r(1, false), r(2, false)}, refund.Rejected, errcode.NotResaleable, ""},
		{"a line missing", progress(refund.Arrived, "W1"), []refund.SortResult{r(1, true)}, "", "", errcode.BadRequest},
		{"a line twice", progress(refund.Arrived, "W1"), []refund.SortResult{r(1, true), r(1, false)}, "", "", errcode.BadRequest},
		{"a line not returned", progress(refund.Arrived, "W1"), []refund.SortResult{r(1, true), r(3, true)}, "", "", errcode.BadRequest},
		{"at another warehouse", progress(refund.Arrived, "W2"), []refund.SortResult{r(1, true), r(2, true)}, "", "", errcode.ReturnState},
	}
	for _, s := range allStatuses {
		if s != refund.Arrived {
			cases = append(cases, sorting{"a return " + string(s), progress(s, "W1"), []refund.SortResult{r(1, true), r(2, true)}, "", "", errcode.ReturnState})
		}
	}
	for _, c := range cases {
		verdicts, out, err := refund.Sort(c.p, "W1", lines, c.results)
		if got := codeOf(err); got != c.err {
			t.Errorf("%s: refusal %q, want %q (%v)", c.name, got, c.err, err)
			continue
		}
		if err != nil {
			continue
		}
		if out.Status != c.want || out.Code != c.code {
			t.Errorf("%s: %+v, want %s %q", c.name, out, c.want, c.code)
		}
		for _, res := range c.results {
			if verdicts[res.Gnum] != res.Resaleable {
				t.Errorf("%s: gnum %d resaleable %v, want %v", c.name, res.Gnum, verdicts[res.Gnum], res.Resaleable)
			}
		}
	}
}

func TestCheckShipment(t *testing.T) {
	cases := []struct {
		name      string
		warehouse string
		waiting   bool
		want      errcode.Code
	}{
		{"goods waiting at the warehouse", "W1", true, ""},
		{"nothing waiting", "W1", false, errcode.ReturnState},
		{"another warehouse", "W2", true, errcode.ReturnState},
	}
	for _, c := range cases {
		if got := codeOf(refund.CheckShipment(progress(refund.Rejected, "W1"), c.warehouse, c.waiting)); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// TestExpire: the sweep expires a requested return from midnight after
// day 45, and nothing else.
func TestExpire(t *testing.T) {
	type sweep struct {
		name   string
		status refund.Status
		now    time.Time
		want   bool
	}
	cases := []sweep{
		{"day 45 at 23:59:59.999999999", refund.Requested, sh(2024, 4, 29, 23, 59, 59, 999999999), false},
		{"day 46 at 00:00", refund.Requested, sh(2024, 4, 30, 0, 0, 0, 0), true},
		{"a week later", refund.Requested, sh(2024, 5, 7, 0, 0, 0, 0), true},
	}
	for _, s := range allStatuses[1:] {
		cases = append(cases, sweep{"a return " + string(s), s, sh(2024, 5, 7, 0, 0, 0, 0), false})
	}
	for _, c := range cases {
		out, ok := refund.Expire(progress(c.status, ""), c.now)
		if ok != c.want {
			t.Errorf("%s: expires %v, want %v", c.name, ok, c.want)
		}
		if ok && (out.Status != refund.Expired || out.Code != errcode.ReturnExpired) {
			t.Errorf("%s: %+v", c.name, out)
		}
	}
	out, _ := refund.Expire(progress(refund.Requested, ""), sh(2024, 4, 30, 0, 0, 0, 0))
	if !strings.Contains(out.Reason, "by the end of 2024-04-29 (Asia/Shanghai)") {
		t.Errorf("expiry reason %q", out.Reason)
	}
}

// TestEveryEventFollowsTheTransitions holds the event rules to the table
// of Status.Can: an event that moves a return does so along an allowed
// transition, from every status.
func TestEveryEventFollowsTheTransitions(t *testing.T) {
	lines := []refund.Line{{Gnum: 1, Gcode: "1901101000", Qty: d("1")}}
	for _, s := range allStatuses {
		p := progress(s, "W1")
		for _, at := range []time.Time{sh(2024, 4, 2, 0, 0, 0, 0), sh(2024, 5, 2, 0, 0, 0, 0)} {
			if out, err := refund.Arrive(p, at, nil); err == nil && !s.Can(out.Status) {
				t.Errorf("arrival moves %s to %s", s, out.Status)
			}
			if out, ok := refund.Expire(p, at); ok && !s.Can(out.Status) {
				t.Errorf("expiry moves %s to %s", s, out.Status)
			}
		}
		for _, ok := range []bool{true, false} {
			if _, out, err := refund.Sort(p, "W1", lines, []refund.SortResult{{Gnum: 1, Resaleable: ok}}); err == nil &&
				(!s.Can(refund.Sorted) || !refund.Sorted.Can(out.Status)) {
				t.Errorf("sorting moves %s through sorted to %s", s, out.Status)
			}
		}
	}
}

func TestDestination(t *testing.T) {
	reg, err := zone.Load(bytes.NewReader(deploy.Zones))
	if err != nil {
		t.Fatal(err)
	}
	z := reg.Zones()[0]
	if len(z.AreaCodes) == 0 {
		t.Fatalf("zone %s of the sample registry has no area", z.Code)
	}
	var site zone.Warehouse
	for _, w := range reg.Warehouses() {
		if w.Kind == zone.Site && w.Active && len(w.CustomsCodes) > 0 {
			site = w
		}
	}
	if site.Code == "" {
		t.Fatal("the sample registry has no active supervision site")
	}
	cases := []struct {
		name                       string
		tradeMode, area, customsAt string
		zone                       string
		want                       errcode.Code
	}{
		{"1210 from an area of a zone", zone.TradeModeBonded, z.AreaCodes[0], "", z.Code, ""},
		{"1210 from an area of no zone", zone.TradeModeBonded, "000000", "", "", errcode.ReturnNoWarehouse},
		{"9610 at the customs of a site", zone.TradeModeDirect, "", site.CustomsCodes[0], "", ""},
		{"9610 at customs with no site", zone.TradeModeDirect, "", "0000", "", errcode.ReturnSite},
	}
	for _, c := range cases {
		got, err := refund.Destination(reg, c.tradeMode, c.area, c.customsAt)
		if codeOf(err) != c.want || got != c.zone {
			t.Errorf("%s: %q, %v; want %q, %q", c.name, got, err, c.zone, c.want)
		}
	}
}
