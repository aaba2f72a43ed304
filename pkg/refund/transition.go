package refund

import (
	"time"

	"github.com/cbec/cbec/pkg/clock"
	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/inventory"
	"github.com/cbec/cbec/pkg/zone"
)

// This file holds the transitions of a return: which application is
// admitted, and what each event — the goods' arrival, their sorting, an
// out-of-zone shipment, the expiry sweep — does to a return in which
// state. The returns service reads the return, asks these rules and writes
// what they decide.

// Listed is the original inventory list as clearance left it: what a
// return application is checked against before its lines.
type Listed struct {
	InvtNo      string
	LogisticsNo string
	// Buyer is the buyer's quota key (an HMAC of the ID number), never the
	// ID number itself.
	Buyer     string
	AgentCode string
	// Status is the list's CEB622 status; only a released (800) list may
	// be returned.
	Status     string
	ReleasedAt time.Time
}

// Application is the head of a return application (CEB625) as the checks
// read it.
type Application struct {
	InvtNo      string
	OrderNo     string
	LogisticsNo string
	// Buyer is the quota key of the application's buyer ID number.
	Buyer     string
	AgentCode string
}

// UnknownList is the refusal of an application whose list cannot be
// found, or is not the list it names (errcode.ReturnUnknownList). It says
// the same whatever was wrong, so that it tells nothing of others' lists.
func UnknownList(a Application) *errcode.Error {
	return errcode.New(errcode.ReturnUnknownList, "no inventory list %s of order %s, waybill %s and this buyer",
		a.InvtNo, a.OrderNo, a.LogisticsNo)
}

// Match checks that the application names list l, the list of its order
// (nil when there is none): the same customs number, waybill and buyer
// (UnknownList otherwise), declared by the applicant
// (errcode.ReturnDeclarant).
func Match(l *Listed, a Application) error {
	if l == nil || l.InvtNo != a.InvtNo || l.LogisticsNo != a.LogisticsNo || l.Buyer != a.Buyer {
		return UnknownList(a)
	}
	if l.AgentCode != a.AgentCode {
		return errcode.New(errcode.ReturnDeclarant, "list %s was declared by %s, not %s", a.InvtNo, l.AgentCode, a.AgentCode)
	}
	return nil
}

// Admit applies the application window (D7) to an application made at
// `at` for the list l that Match accepted: the list must be released
// (errcode.ReturnNotReleased) and the application come before the window
// ends (errcode.ReturnLate). The windows are returned once the list is
// released, late or not, for the return's record; zero when it is not.
func Admit(l Listed, at time.Time, applyDays, arriveDays int) (Windows, error) {
	if l.Status != inventory.StatusReleased {
		return Windows{}, errcode.New(errcode.ReturnNotReleased, "list %s is in status %s; only a released (800) list can be returned", l.InvtNo, l.Status)
	}
	w := WindowsOf(l.ReleasedAt, applyDays, arriveDays)
	if Late(at, w.ApplyBy) {
		return w, errcode.New(errcode.ReturnLate, "released %s: the application was due by the end of %s (Asia/Shanghai)",
			day(l.ReleasedAt), LastDay(w.ApplyBy))
	}
	return w, nil
}

// CheckReturn checks a return of lines of the list invtNo, whose return in
// progress is active ("" for none): one return at a time per list
// (errcode.ReturnState), then its lines against the original (CheckLines),
// every problem in one error with the code of the first.
func CheckReturn(o Original, lines []Line, invtNo, active string) error {
	if active != "" {
		return errcode.New(errcode.ReturnState, "a return of list %s is in progress; apply again once it ends", invtNo)
	}
	errs := CheckLines(o, lines)
	if len(errs) == 0 {
		return nil
	}
	msg := errs[0].Message
	for _, e := range errs[1:] {
		msg += "; " + string(e.Code) + ": " + e.Message
	}
	return errcode.New(errs[0].Code, "%s", msg)
}

// Progress is where a return stands: what its events are checked against.
type Progress struct {
	// Key names the return in messages.
	Key    string
	Status Status
	// Warehouse is where the goods arrived; "" before.
	Warehouse string
	// AppliedAt is when the application was recorded (its first step).
	AppliedAt time.Time
	// ArriveBy ends the arrival window (Windows.ArriveBy).
	ArriveBy time.Time
}

// Outcome is what a rule makes of a return: the status it moves to and,
// when the rule refuses the return (rejected, expired), the code and the
// reason its CEB626 100 quotes.
type Outcome struct {
	Status Status
	Code   errcode.Code
	Reason string
}

// Info is the refusal as a CEB626 returnInfo: the code, then the reason.
func (o Outcome) Info() string { return string(o.Code) + ": " + o.Reason }

// Arrive decides the arrival at `at` of a return's goods at a warehouse;
// eligible is the registry's verdict on that warehouse for this return
// (zone.Registry.Eligible: nil when it takes such returns). The event is
// refused when the return does not await its goods
// (errcode.ReturnState), at an ineligible warehouse (eligible) and before
// the application (errcode.BadRequest). Goods that arrive past the arrival
// window reject the return (errcode.ArrivalLate, nothing restored); the
// others make it Arrived.
func Arrive(p Progress, at time.Time, eligible error) (Outcome, error) {
	if !p.Status.Can(Arrived) {
		return Outcome{}, errcode.New(errcode.ReturnState, "return %s is %s; an arrival fits a requested return", p.Key, p.Status)
	}
	if eligible != nil {
		return Outcome{}, eligible
	}
	if !p.AppliedAt.IsZero() && at.Before(p.AppliedAt) {
		return Outcome{}, errcode.New(errcode.BadRequest, "arrivedAt %s is before the return was applied for", at.Format(time.RFC3339))
	}
	if Late(at, p.ArriveBy) {
		return Outcome{Status: Rejected, Code: errcode.ArrivalLate,
			Reason: "arrived " + at.In(clock.Shanghai).Format("2006-01-02 15:04") + ", after the end of " + LastDay(p.ArriveBy) +
				" (Asia/Shanghai); nothing is restored"}, nil
	}
	return Outcome{Status: Arrived}, nil
}

// SortResult is the warehouse's sorting result of one returned line:
// resaleable goods go back to bonded stock; the others must be shipped out
// of the zone.
type SortResult struct {
	Gnum       int  `json:"gnum"`
	Resaleable bool `json:"resaleable"`
}

// Sort decides the sorting at warehouse of the goods of a return of lines:
// the return must have arrived there (errcode.ReturnState), and the
// results must name every returned line exactly once (errcode.BadRequest).
// It returns whether each returned line (by gnum) is resaleable, and the
// outcome after the return is Sorted: Accepted when a line is resaleable —
// the caller then splits the lines (Split) and computes what the accepted ones give back (Restore) — and
// Rejected (errcode.NotResaleable, nothing restored) when none is.
func Sort(p Progress, warehouse string, lines []Line, results []SortResult) (map[int]bool, Outcome, error) {
	if !p.Status.Can(Sorted) || p.Warehouse != warehouse {
		return nil, Outcome{}, errcode.New(errcode.ReturnState, "return %s is %s at %q; sorting fits a return arrived at %s", p.Key, p.Status, p.Warehouse, warehouse)
	}
	returned := make(map[int]bool, len(lines))
	for _, l := range lines {
		returned[l.Gnum] = true
	}
	resaleable := make(map[int]bool, len(results))
	for _, r := range results {
		if _, dup := resaleable[r.Gnum]; dup || !returned[r.Gnum] {
			return nil, Outcome{}, errcode.New(errcode.BadRequest, "gnum %d is not a returned line, or is sorted twice", r.Gnum)
		}
		resaleable[r.Gnum] = r.Resaleable
	}
	if len(resaleable) != len(lines) {
		return nil, Outcome{}, errcode.New(errcode.BadRequest, "sort every returned line: %d of %d given", len(resaleable), len(lines))
	}
	for _, ok := range resaleable {
		if ok {
			return resaleable, Outcome{Status: Accepted}, nil
		}
	}
	return resaleable, Outcome{Status: Rejected, Code: errcode.NotResaleable,
		Reason: "no returned line is resaleable; the goods must be shipped out of the zone; nothing is restored"}, nil
}

// CheckShipment checks a report that the goods waiting to leave the zone
// (waiting: some non-resaleable line not yet shipped) left from warehouse:
// they must be there and waiting (errcode.ReturnState). A shipment changes
// no status: the return is rejected or accepted already.
func CheckShipment(p Progress, warehouse string, waiting bool) error {
	if !waiting || p.Warehouse != warehouse {
		return errcode.New(errcode.ReturnState, "return %s has no goods at %s waiting to leave the zone", p.Key, warehouse)
	}
	return nil
}

// Expire decides the expiry sweep at now: a requested return whose goods
// did not arrive within the arrival window expires
// (errcode.ReturnExpired, nothing restored); ok is false for any other —
// its goods arrived, it is decided, or its window is still open.
func Expire(p Progress, now time.Time) (o Outcome, ok bool) {
	if !p.Status.Can(Expired) || !Late(now, p.ArriveBy) {
		return Outcome{}, false
	}
	return Outcome{Status: Expired, Code: errcode.ReturnExpired,
		Reason: "the goods did not arrive by the end of " + LastDay(p.ArriveBy) + " (Asia/Shanghai); nothing is restored"}, true
}

// Destination is where the goods of a return of a list of tradeMode,
// declared at customsCode with the consignee's areaCode, must go back
// (No.70; domain §16): for 1210 the return-center warehouse of the special
// customs supervision zone of the area — its zone code is returned —
// (errcode.ReturnNoWarehouse when no eligible warehouse serves it); for
// the other modes a supervision site of the customs (zone ""; else
// errcode.ReturnSite).
func Destination(reg *zone.Registry, tradeMode, areaCode, customsCode string) (zoneCode string, err error) {
	if tradeMode == zone.TradeModeBonded {
		z, ok := reg.ZoneOfArea(areaCode)
		if !ok || !reg.AnyEligible(tradeMode, z.Code, customsCode) {
			return "", errcode.New(errcode.ReturnNoWarehouse, "no eligible return-center warehouse serves the zone of area %s", areaCode)
		}
		return z.Code, nil
	}
	if !reg.AnyEligible(tradeMode, "", customsCode) {
		return "", errcode.New(errcode.ReturnSite, "no supervision site serves customs %s for a %s return", customsCode, tradeMode)
	}
	return "", nil
}
