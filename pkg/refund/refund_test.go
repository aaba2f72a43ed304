package refund_test

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/ceb/cebtest"
	"github.com/cbec/cbec/pkg/clock"
	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/refund"
	"github.com/cbec/cbec/pkg/tax"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func sh(y int, m time.Month, day, h, mi, s, ns int) time.Time {
	return time.Date(y, m, day, h, mi, s, ns, clock.Shanghai)
}

func TestDeadlinesOfTheD7Example(t *testing.T) {
	released := sh(2024, 3, 15, 14, 30, 0, 0)
	apply := refund.ApplyDeadline(released, 30)
	arrive := refund.ArriveDeadline(released, 45)
	if want := sh(2024, 4, 15, 0, 0, 0, 0); !apply.Equal(want) {
		t.Errorf("apply deadline %v, want %v", apply, want)
	}
	if want := sh(2024, 4, 30, 0, 0, 0, 0); !arrive.Equal(want) {
		t.Errorf("arrive deadline %v, want %v", arrive, want)
	}

	cases := []struct {
		name     string
		at       time.Time
		deadline time.Time
		late     bool
	}{
		{"apply on the release day", released, apply, false},
		{"apply on day 30 at 23:59:59", sh(2024, 4, 14, 23, 59, 59, 0), apply, false},
		{"apply on day 30 at 23:59:59.999999999", sh(2024, 4, 14, 23, 59, 59, 999999999), apply, false},
		{"apply on day 31 at 00:00", sh(2024, 4, 15, 0, 0, 0, 0), apply, true},
		{"apply on day 31 at 00:00 given in UTC", time.Date(2024, 4, 14, 16, 0, 0, 0, time.UTC), apply, true},
		{"apply on day 30 at 23:59 given in UTC", time.Date(2024, 4, 14, 15, 59, 0, 0, time.UTC), apply, false},
		{"arrive on day 45 at 23:59:59.999", sh(2024, 4, 29, 23, 59, 59, 999000000), arrive, false},
		{"arrive on day 46 at 00:00", sh(2024, 4, 30, 0, 0, 0, 0), arrive, true},
		{"arrive on day 46 at noon", sh(2024, 4, 30, 12, 0, 0, 0), arrive, true},
	}
	for _, c := range cases {
		if got := refund.Late(c.at, c.deadline); got != c.late {
			t.Errorf("%s: late = %v, want %v", c.name, got, c.late)
		}
	}
}

func TestDeadlinesCountTheShanghaiReleaseDate(t *testing.T) {
	// 2024-03-14 17:00 UTC is already 2024-03-15 01:00 in Shanghai: the
	// release date is the 15th, not the 14th.
	released := time.Date(2024, 3, 14, 17, 0, 0, 0, time.UTC)
	if got, want := refund.ApplyDeadline(released, 30), sh(2024, 4, 15, 0, 0, 0, 0); !got.Equal(want) {
		t.Errorf("apply deadline %v, want %v", got, want)
	}
	if got, want := refund.ArriveDeadline(released, 45), sh(2024, 4, 30, 0, 0, 0, 0); !got.Equal(want) {
		t.Errorf("arrive deadline %v, want %v", got, want)
	}
	// 15:59 UTC is 23:59 the same day in Shanghai.
	released = time.Date(2024, 3, 15, 15, 59, 0, 0, time.UTC)
	if got, want := refund.ApplyDeadline(released, 30), sh(2024, 4, 15, 0, 0, 0, 0); !got.Equal(want) {
		t.Errorf("apply deadline %v, want %v", got, want)
	}
	if got := refund.ApplyDeadline(released, 30).Location(); got != clock.Shanghai {
		t.Errorf("deadline in %v, want Asia/Shanghai", got)
	}
}

func TestDeadlinesCrossMonthsAndYears(t *testing.T) {
	cases := []struct {
		released time.Time
		days     int
		want     time.Time
	}{
		{sh(2024, 12, 20, 9, 0, 0, 0), 30, sh(2025, 1, 20, 0, 0, 0, 0)},
		{sh(2024, 1, 31, 9, 0, 0, 0), 30, sh(2024, 3, 2, 0, 0, 0, 0)}, // leap February
		{sh(2023, 1, 31, 9, 0, 0, 0), 30, sh(2023, 3, 3, 0, 0, 0, 0)},
		{sh(2024, 3, 15, 0, 0, 0, 0), 0, sh(2024, 3, 16, 0, 0, 0, 0)},
	}
	for _, c := range cases {
		if got := refund.ApplyDeadline(c.released, c.days); !got.Equal(c.want) {
			t.Errorf("ApplyDeadline(%v, %d) = %v, want %v", c.released, c.days, got, c.want)
		}
	}
}

// example1 is worked example 1 of §12: line 1 two units of formula milk,
// line 2 one unit of cosmetics.
func example1() refund.Original {
	return refund.Original{Lines: []refund.OriginalLine{
		{Gnum: 1, Gcode: "1901101000", Gname: "formula milk", Qty: d("2"), DutiableValue: d("307.67"),
			Duty: d("0"), VAT: d("28.00"), Consumption: d("0"), Returned: d("0")},
		{Gnum: 2, Gcode: "3304990099", Gname: "cosmetics", Qty: d("1"), DutiableValue: d("615.33"),
			Duty: d("0"), VAT: d("65.88"), Consumption: d("76.01"), Returned: d("0")},
	}}
}

func codes(errs []*errcode.Error) []errcode.Code {
	var out []errcode.Code
	for _, e := range errs {
		out = append(out, e.Code)
	}
	return out
}

func equalCodes(a, b []errcode.Code) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestCheckLines(t *testing.T) {
	returned := example1()
	returned.Lines[0].Returned = d("1")
	cases := []struct {
		name  string
		o     refund.Original
		lines []refund.Line
		want  []errcode.Code
	}{
		{"whole list", example1(), []refund.Line{{1, "1901101000", d("2")}, {2, "3304990099", d("1")}}, nil},
		{"partial return", example1(), []refund.Line{{1, "1901101000", d("1")}}, nil},
		{"the rest after a partial return", returned, []refund.Line{{1, "1901101000", d("1")}}, nil},
		{"second return of the quantity already returned", returned, []refund.Line{{1, "1901101000", d("2")}}, []errcode.Code{errcode.ReturnQuantity}},
		{"above the original quantity", example1(), []refund.Line{{1, "1901101000", d("3")}}, []errcode.Code{errcode.ReturnQuantity}},
		{"fraction above the original quantity", example1(), []refund.Line{{2, "3304990099", d("1.00001")}}, []errcode.Code{errcode.ReturnQuantity}},
		{"zero quantity", example1(), []refund.Line{{1, "1901101000", d("0")}}, []errcode.Code{errcode.ReturnQuantity}},
		{"negative quantity", example1(), []refund.Line{{1, "1901101000", d("-1")}}, []errcode.Code{errcode.ReturnQuantity}},
		{"unknown gnum", example1(), []refund.Line{{3, "1901101000", d("1")}}, []errcode.Code{errcode.ReturnItem}},
		{"gcode of another line", example1(), []refund.Line{{1, "3304990099", d("1")}}, []errcode.Code{errcode.ReturnItem}},
		{"gnum twice", example1(), []refund.Line{{1, "1901101000", d("1")}, {1, "1901101000", d("1")}}, []errcode.Code{errcode.ReturnItem}},
		{"all errors reported", example1(), []refund.Line{
			{9, "1901101000", d("1")}, {1, "1901101000", d("5")}, {2, "3304990099", d("1")}, {2, "3304990099", d("1")},
		}, []errcode.Code{errcode.ReturnItem, errcode.ReturnQuantity, errcode.ReturnItem}},
	}
	for _, c := range cases {
		got := refund.CheckLines(c.o, c.lines)
		if !equalCodes(codes(got), c.want) {
			t.Errorf("%s: codes %v, want %v (%v)", c.name, codes(got), c.want, got)
		}
	}
}

func TestCheckLinesDetailsNameTheElement(t *testing.T) {
	errs := refund.CheckLines(example1(), []refund.Line{{1, "1901101000", d("1")}, {2, "3304990099", d("2")}})
	if len(errs) != 1 {
		t.Fatalf("errors %v, want one", errs)
	}
	if len(errs[0].Details) != 1 || errs[0].Details[0].Path != "InvtRefundList[1].qty" {
		t.Errorf("details %+v, want InvtRefundList[1].qty", errs[0].Details)
	}
}

func TestRestoreOfTheSection15Example(t *testing.T) {
	o := example1()
	a := refund.Restore(o, []refund.Line{{2, "3304990099", d("1")}})
	if !a.Value.Equal(d("615.33")) || !a.Consumption.Equal(d("76.01")) || !a.VAT.Equal(d("65.88")) {
		t.Errorf("line 2 in full: %+v, want value 615.33, CT 76.01, VAT 65.88", a)
	}
	if !a.Tax.Equal(d("141.89")) {
		t.Errorf("tax %s, want 141.89", a.Tax)
	}
	a = refund.Restore(o, []refund.Line{{1, "1901101000", d("1")}})
	if !a.Value.Equal(d("153.84")) {
		t.Errorf("1 of 2 units of line 1: value %s, want 153.84 (153.835 half-up)", a.Value)
	}
	if !a.VAT.Equal(d("14.00")) || !a.Duty.IsZero() || !a.Consumption.IsZero() {
		t.Errorf("1 of 2 units of line 1: %+v, want VAT 14.00", a)
	}
	a = refund.Restore(o, []refund.Line{{1, "1901101000", d("2")}, {2, "3304990099", d("1")}})
	if !a.Value.Equal(d("923.00")) || !a.Tax.Equal(d("169.89")) {
		t.Errorf("whole list: value %s tax %s, want 923.00 and 169.89", a.Value, a.Tax)
	}
	if len(a.Lines) != 2 || a.Lines[0].Gnum != 1 || a.Lines[1].Gnum != 2 {
		t.Errorf("lines %+v", a.Lines)
	}
}

func TestRestoreOfAFullLineIsExact(t *testing.T) {
	o := refund.Original{Lines: []refund.OriginalLine{{Gnum: 1, Gcode: "1901101000", Qty: d("3"),
		DutiableValue: d("100.00"), Duty: d("0"), VAT: d("9.10"), Consumption: d("0.01"), Returned: d("0")}}}
	a := refund.Restore(o, []refund.Line{{1, "1901101000", d("3")}})
	if !a.Value.Equal(d("100.00")) || !a.VAT.Equal(d("9.10")) || !a.Consumption.Equal(d("0.01")) {
		t.Errorf("full line: %+v", a)
	}

	// Three returns of one unit each give back exactly the whole line,
	// the last one taking the remainder.
	sum := decimal.Zero
	vat := decimal.Zero
	wantValues := []string{"33.33", "33.34", "33.33"}
	for i := range 3 {
		o.Lines[0].Returned = decimal.NewFromInt(int64(i))
		a := refund.Restore(o, []refund.Line{{1, "1901101000", d("1")}})
		if !a.Value.Equal(d(wantValues[i])) {
			t.Errorf("return %d: value %s, want %s", i+1, a.Value, wantValues[i])
		}
		sum = sum.Add(a.Value)
		vat = vat.Add(a.VAT)
	}
	if !sum.Equal(d("100.00")) || !vat.Equal(d("9.10")) {
		t.Errorf("three partial returns: value %s VAT %s, want 100.00 and 9.10", sum, vat)
	}
}

func TestRestoreNeverGivesBackMoreThanTheLine(t *testing.T) {
	o := example1()
	o.Lines[0].Returned = d("1")
	a := refund.Restore(o, []refund.Line{{1, "1901101000", d("5")}, {7, "0000000000", d("1")}})
	if !a.Value.Equal(d("153.83")) || !a.Lines[0].Qty.Equal(d("1")) {
		t.Errorf("capped: value %s qty %s, want 153.83 and 1", a.Value, a.Lines[0].Qty)
	}
	if !a.Lines[1].Value.IsZero() || !a.Lines[1].Qty.IsZero() {
		t.Errorf("unknown line gave back %+v", a.Lines[1])
	}
}

// TestRestoreFromTheCEBDocuments ties the package to the documents it is
// fed from: the cebtest list, its assessment and its return application.
func TestRestoreFromTheCEBDocuments(t *testing.T) {
	_, _, _, inv := cebtest.Set("ORDER-REFUND-1")
	var tl []tax.Line
	for _, l := range inv.InventoryList {
		tl = append(tl, tax.Line{Gnum: l.Gnum, Gcode: l.Gcode, TotalPrice: l.TotalPrice.Decimal,
			Rates: tax.Rates{VAT: d("0.13")}})
	}
	as := tax.Assess(tl, inv.InventoryHead.Freight.Decimal, inv.InventoryHead.InsuredFee.Decimal, tax.CBEC)
	if !as.Total.Equal(d(cebtest.TaxTotal)) {
		t.Fatalf("assessment %s, want %s", as.Total, cebtest.TaxTotal)
	}
	var o refund.Original
	for i, l := range inv.InventoryList {
		lt := as.Lines[i]
		o.Lines = append(o.Lines, refund.OriginalLine{Gnum: l.Gnum, Gcode: l.Gcode, Gname: l.Gname,
			Qty: l.Qty.Decimal, DutiableValue: lt.DutiableValue, Duty: lt.Duty, VAT: lt.VAT,
			Consumption: lt.Consumption, Returned: decimal.Zero})
	}
	r := cebtest.Refund(inv, cebtest.InvtNo("ORDER-REFUND-1"))
	lines := linesOf(r)
	if errs := refund.CheckLines(o, lines); errs != nil {
		t.Fatalf("cebtest return refused: %v", errs)
	}
	a := refund.Restore(o, lines)
	if !a.Value.Equal(as.DutiableValue) || !a.Tax.Equal(as.Total) {
		t.Errorf("full return gives back %s and tax %s, want %s and %s", a.Value, a.Tax, as.DutiableValue, as.Total)
	}

	// One unit of the first line (2 × 198.00 + 7.02 freight = 403.02).
	r.InvtRefundList = r.InvtRefundList[:1]
	r.InvtRefundList[0].Qty = ceb.MustAmount("1")
	a = refund.Restore(o, linesOf(r))
	if !a.Value.Equal(d("201.51")) || !a.VAT.Equal(d("18.34")) {
		t.Errorf("one unit: value %s VAT %s, want 201.51 and 18.34", a.Value, a.VAT)
	}
}

func linesOf(r *ceb.InvtRefund) []refund.Line {
	var out []refund.Line
	for _, l := range r.InvtRefundList {
		out = append(out, refund.Line{Gnum: l.Gnum, Gcode: l.Gcode, Qty: l.Qty.Decimal})
	}
	return out
}
