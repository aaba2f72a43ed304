package tax

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func eq(t *testing.T, what string, got decimal.Decimal, want string) {
	t.Helper()
	if !got.Equal(d(want)) {
		t.Errorf("%s = %s, want %s", what, got, want)
	}
}

// TestWorkedExample1 is domain §12 worked example 1 (D2, D3).
func TestWorkedExample1(t *testing.T) {
	lines := []Line{
		{Gnum: 1, Gcode: "1901101000", TotalPrice: d("300.00"), Rates: Rates{VAT: d("0.13")}},
		{Gnum: 2, Gcode: "3304990000", TotalPrice: d("600.00"), Rates: Rates{VAT: d("0.13"), Consumption: d("0.15")}},
	}
	eq(t, "DutiableValue", DutiableValue(lines, d("20.00"), d("3.00")), "923.00")

	a := Assess(lines, d("20.00"), d("3.00"), CBEC)
	if a.Regime != CBEC || len(a.Lines) != 2 {
		t.Fatalf("assessment %+v", a)
	}
	l1, l2 := a.Lines[0], a.Lines[1]
	eq(t, "freight 1", l1.Freight, "6.67")
	eq(t, "freight 2", l2.Freight, "13.33")
	eq(t, "insurance 1", l1.InsuredFee, "1.00")
	eq(t, "insurance 2", l2.InsuredFee, "2.00")
	eq(t, "P1", l1.DutiableValue, "307.67")
	eq(t, "P2", l2.DutiableValue, "615.33")
	eq(t, "duty 1", l1.Duty, "0")
	eq(t, "CT 1", l1.Consumption, "0")
	eq(t, "VAT 1", l1.VAT, "28.00")
	eq(t, "total 1", l1.Total, "28.00")
	eq(t, "duty 2", l2.Duty, "0")
	eq(t, "CT 2", l2.Consumption, "76.01")
	eq(t, "VAT 2", l2.VAT, "65.88")
	eq(t, "total 2", l2.Total, "141.89")
	eq(t, "head P", a.DutiableValue, "923.00")
	eq(t, "head duty", a.Duty, "0")
	eq(t, "head CT", a.Consumption, "76.01")
	eq(t, "head VAT", a.VAT, "93.88")
	eq(t, "head total", a.Total, "169.89")
	// acturalPaid = goodsValue + freight + taxTotal − discount.
	eq(t, "acturalPaid", d("900.00").Add(d("20.00")).Add(a.Total).Sub(d("30.00")), "1059.89")
}

// TestWorkedExample2 is domain §12 worked example 2 (D4).
func TestWorkedExample2(t *testing.T) {
	lines := []Line{{Gnum: 1, TotalPrice: d("5800.00"),
		Rates: Rates{Duty: d("0.05"), Consumption: d("0.15"), VAT: d("0.13")}}}
	a := Assess(lines, d("150.00"), d("50.00"), General)
	eq(t, "P", a.DutiableValue, "6000.00")
	eq(t, "duty", a.Duty, "300.00")
	eq(t, "CT", a.Consumption, "1111.76")
	eq(t, "VAT", a.VAT, "963.53")
	eq(t, "total", a.Total, "2375.29")
	if a.Regime != General {
		t.Errorf("regime %q", a.Regime)
	}
	// The same list within limits: duty 0, 70 %.
	c := Assess(lines, d("150.00"), d("50.00"), CBEC)
	eq(t, "CBEC duty", c.Duty, "0")
	eq(t, "CBEC CT", c.Consumption, "741.18") // 6000/0.85×0.15×0.7 = 741.176…
	eq(t, "CBEC VAT", c.VAT, "642.35")        // 6000/0.85×0.13×0.7 = 642.352…
	eq(t, "CBEC total", c.Total, "1383.53")
}

// TestCebtestFixture is the tax of pkg/ceb/cebtest's inventory: two lines of
// 1901101000 (VAT 13 %, CT 0), 2 × 198.00 and 1 × 168.00, freight 10.00.
func TestCebtestFixture(t *testing.T) {
	r := Rates{Duty: d("0.15"), VAT: d("0.13")}
	lines := []Line{
		{Gnum: 1, Gcode: "1901101000", TotalPrice: d("396.00"), Rates: r},
		{Gnum: 2, Gcode: "1901101000", TotalPrice: d("168.00"), Rates: r},
	}
	a := Assess(lines, d("10.00"), d("0"), CBEC)
	eq(t, "freight 1", a.Lines[0].Freight, "7.02")
	eq(t, "freight 2", a.Lines[1].Freight, "2.98")
	eq(t, "VAT 1", a.Lines[0].VAT, "36.67")
	eq(t, "VAT 2", a.Lines[1].VAT, "15.56")
	eq(t, "taxTotal", a.Total, "52.23")
	eq(t, "duty", a.Duty, "0")
}

// TestQuotaGiveBack is the §15 example: line 2 of example 1 returned in
// full gives back 615.33; 1 of 2 units of line 1 (307.67) gives back
// 153.835, rounded half-up to the fen (D17): 153.84.
func TestQuotaGiveBack(t *testing.T) {
	eq(t, "full", ProRata(d("615.33"), d("1"), d("1")), "615.33")
	eq(t, "half", ProRata(d("307.67"), d("1"), d("2")), "153.84")
	eq(t, "third", ProRata(d("100.00"), d("1"), d("3")), "33.33")
	eq(t, "two thirds", ProRata(d("100.00"), d("2"), d("3")), "66.67")
	eq(t, "full keeps digits", ProRata(d("1.005"), d("3"), d("3")), "1.005")
	eq(t, "whole zero", ProRata(d("100.00"), d("1"), d("0")), "0")
	eq(t, "part zero", ProRata(d("100.00"), d("0"), d("2")), "0")
}

func TestApportion(t *testing.T) {
	cases := []struct {
		amount  string
		weights []string
		want    []string
	}{
		{"20.00", []string{"300", "600"}, []string{"6.67", "13.33"}},
		{"1.00", []string{"1", "1", "1"}, []string{"0.33", "0.33", "0.34"}},
		{"0.05", []string{"1", "1"}, []string{"0.03", "0.02"}}, // 0.025 half-up
		{"10", []string{"5"}, []string{"10"}},
		{"0", []string{"1", "2"}, []string{"0", "0"}},
		// All-zero weights: an equal split.
		{"1.00", []string{"0", "0", "0"}, []string{"0.33", "0.33", "0.34"}},
		// A zero weight among others gets nothing but the remainder rule.
		{"9.00", []string{"0", "3", "0"}, []string{"0", "9.00", "0"}},
		// Negative weights count as zero.
		{"9.00", []string{"-5", "3", "6"}, []string{"0", "3.00", "6.00"}},
		// Negative amounts mirror positive ones.
		{"-20.00", []string{"300", "600"}, []string{"-6.67", "-13.33"}},
		// More than two decimals stay in the last share.
		{"10.001", []string{"1", "1"}, []string{"5.00", "5.001"}},
	}
	for _, c := range cases {
		ws := make([]decimal.Decimal, len(c.weights))
		for i, w := range c.weights {
			ws[i] = d(w)
		}
		got := Apportion(d(c.amount), ws)
		if len(got) != len(c.want) {
			t.Fatalf("Apportion(%s, %v) = %v", c.amount, c.weights, got)
		}
		for i := range got {
			if !got[i].Equal(d(c.want[i])) {
				t.Errorf("Apportion(%s, %v) = %v, want %v", c.amount, c.weights, got, c.want)
				break
			}
		}
	}
	if got := Apportion(d("1"), nil); got != nil {
		t.Errorf("no weights: %v", got)
	}
}

// TestApportionNeverNegative: 66 equal weights round 1.00/66.0001 up to
// 0.02 each, more than the amount; a tiny last weight must not take a
// negative remainder.
func TestApportionNeverNegative(t *testing.T) {
	ws := make([]decimal.Decimal, 67)
	for i := range ws {
		ws[i] = d("1")
	}
	ws[66] = d("0.0001")
	got := Apportion(d("1.00"), ws)
	sum := decimal.Zero
	for i, s := range got {
		if s.IsNegative() {
			t.Fatalf("share %d = %s", i, s)
		}
		sum = sum.Add(s)
	}
	eq(t, "sum", sum, "1.00")
}

func TestRatesValidate(t *testing.T) {
	if err := (Rates{Duty: d("0.05"), VAT: d("0.13"), Consumption: d("0.15")}).Validate(); err != nil {
		t.Error(err)
	}
	for _, r := range []Rates{{Consumption: d("1")}, {VAT: d("-0.01")}, {Duty: d("1.5")}} {
		if err := r.Validate(); err == nil {
			t.Errorf("%+v: want error", r)
		}
	}
}

func TestAssessUnknownRegimeIsCBEC(t *testing.T) {
	a := Assess([]Line{{Gnum: 1, TotalPrice: d("100"), Rates: Rates{Duty: d("0.1"), VAT: d("0.13")}}}, d("0"), d("0"), "")
	if a.Regime != CBEC {
		t.Errorf("regime %q", a.Regime)
	}
	eq(t, "VAT", a.VAT, "9.10")
	eq(t, "duty", a.Duty, "0")
}

func TestAssessNoLines(t *testing.T) {
	a := Assess(nil, d("10"), d("1"), CBEC)
	if len(a.Lines) != 0 || !a.Total.IsZero() || !a.DutiableValue.IsZero() {
		t.Errorf("%+v", a)
	}
}

func TestAssessmentJSON(t *testing.T) {
	a := Assess([]Line{{Gnum: 1, Gcode: "1901101000", TotalPrice: d("300.00"), Rates: Rates{VAT: d("0.13")}}}, d("7.67"), d("0"), CBEC)
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"regime":"cbec"`, `"lines":[`, `"gnum":1`, `"gcode":"1901101000"`,
		`"totalPrice":`, `"freight":`, `"insuredFee":`, `"dutiableValue":`, `"customsTax":`,
		`"valueAddedTax":"28"`, `"consumptionTax":`, `"total":`, `"taxTotal":"28"`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("JSON %s lacks %s", b, key)
		}
	}
}

// TestProperties checks, over random inventories of 1..99 lines, that Assess
// never panics, shares sum exactly to the head amounts, line amounts sum
// exactly to the head totals, and no amount is negative.
func TestProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(20250310, 1))
	money := func(maxFen int) decimal.Decimal { return decimal.New(rng.Int64N(int64(maxFen)+1), -2) }
	rate := func() decimal.Decimal {
		if rng.IntN(3) == 0 {
			return decimal.Zero
		}
		return decimal.New(rng.Int64N(100), -2) // 0.00 … 0.99
	}
	n := 3000
	if testing.Short() {
		n = 300
	}
	for iter := 0; iter < n; iter++ {
		lines := make([]Line, 1+rng.IntN(99))
		for i := range lines {
			price := money(500000)
			if rng.IntN(10) == 0 {
				price = decimal.Zero
			}
			lines[i] = Line{Gnum: i + 1, TotalPrice: price, Rates: Rates{Duty: rate(), VAT: rate(), Consumption: rate()}}
		}
		freight, insured := money(20000), money(5000)
		regime := CBEC
		if rng.IntN(2) == 0 {
			regime = General
		}
		a := Assess(lines, freight, insured, regime)

		if len(a.Lines) != len(lines) {
			t.Fatalf("iter %d: %d lines, want %d", iter, len(a.Lines), len(lines))
		}
		var sf, si, sp, sd, sv, sc, st decimal.Decimal
		for _, l := range a.Lines {
			for _, x := range []decimal.Decimal{l.Freight, l.InsuredFee, l.DutiableValue, l.Duty, l.VAT, l.Consumption, l.Total} {
				if x.IsNegative() {
					t.Fatalf("iter %d: negative amount in %+v", iter, l)
				}
				if !x.Equal(x.Round(2)) {
					t.Fatalf("iter %d: amount not in fen in %+v", iter, l)
				}
			}
			if !l.Total.Equal(l.Duty.Add(l.VAT).Add(l.Consumption)) {
				t.Fatalf("iter %d: line total %+v", iter, l)
			}
			sf, si, sp = sf.Add(l.Freight), si.Add(l.InsuredFee), sp.Add(l.DutiableValue)
			sd, sv, sc, st = sd.Add(l.Duty), sv.Add(l.VAT), sc.Add(l.Consumption), st.Add(l.Total)
		}
		if !sf.Equal(freight) || !si.Equal(insured) {
			t.Fatalf("iter %d: shares %s/%s, want %s/%s", iter, sf, si, freight, insured)
		}
		if !sp.Equal(a.DutiableValue) || !a.DutiableValue.Equal(DutiableValue(lines, freight, insured)) {
			t.Fatalf("iter %d: dutiable value %s, lines %s", iter, a.DutiableValue, sp)
		}
		if !sd.Equal(a.Duty) || !sv.Equal(a.VAT) || !sc.Equal(a.Consumption) || !st.Equal(a.Total) {
			t.Fatalf("iter %d: head %+v does not sum its lines", iter, a)
		}
		if regime == CBEC && !a.Duty.IsZero() {
			t.Fatalf("iter %d: CBEC duty %s", iter, a.Duty)
		}
	}
}

// TestApportionProperty: random amounts and weights, shares sum exactly
// and are never negative.
func TestApportionProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for iter := 0; iter < 5000; iter++ {
		ws := make([]decimal.Decimal, 1+rng.IntN(99))
		for i := range ws {
			switch rng.IntN(4) {
			case 0:
				ws[i] = decimal.Zero
			case 1:
				ws[i] = decimal.New(rng.Int64N(100), -4) // tiny
			default:
				ws[i] = decimal.New(rng.Int64N(10000000), -2)
			}
		}
		amount := decimal.New(rng.Int64N(100000), -2)
		shares := Apportion(amount, ws)
		sum := decimal.Zero
		for _, s := range shares {
			if s.IsNegative() || !s.Equal(s.Round(2)) {
				t.Fatalf("iter %d: share %s of %s over %v", iter, s, amount, ws)
			}
			sum = sum.Add(s)
		}
		if !sum.Equal(amount) {
			t.Fatalf("iter %d: shares sum %s, want %s", iter, sum, amount)
		}
	}
}

func BenchmarkAssess(b *testing.B) {
	lines := []Line{
		{Gnum: 1, TotalPrice: d("300.00"), Rates: Rates{VAT: d("0.13")}},
		{Gnum: 2, TotalPrice: d("600.00"), Rates: Rates{VAT: d("0.13"), Consumption: d("0.15")}},
	}
	for b.Loop() {
		Assess(lines, d("20.00"), d("3.00"), CBEC)
	}
}
