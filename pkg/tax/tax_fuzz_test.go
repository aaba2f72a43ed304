package tax

import (
	"math/big"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

// FuzzAssess assesses a fuzzed inventory list and checks the assessment
// against its documented invariants and an exact recomputation of the §12
// formulas in rational numbers. Run it with
// go test -run '^$' -fuzz '^FuzzAssess$' -fuzztime 1h ./pkg/tax; every
// input it finds failing is kept in testdata/fuzz/FuzzAssess.
//
// lines is "totalPrice duty vat consumption" per line, lines separated by
// ";". Inputs outside what Assess is given are skipped: amounts that
// ceb.Validate refuses (negative, more than 14 integer digits or 5
// decimals), rates that Rates.Validate refuses, more than 99 lines.
func FuzzAssess(f *testing.F) {
	for _, s := range []struct {
		lines, freight, insured string
		general                 bool
	}{
		// The official samples (../shared/ceb/samples/import) at rates of
		// the tariff (deploy/tariff.csv): a CEB621 list of two lines,
		// freight 500, insuredFee 200; a CEB311 order of 12000 and 2000,
		// freight 5000.
		{"20 0 0.13 0;12 0 0.13 0", "500", "200", false},
		{"20 0.05 0.13 0.15;12 0.1 0.13 0.3", "500", "200", true},
		{"12000 0.05 0.13 0.15;2000 0 0.13 0", "5000", "0", false},
		// Domain §12 worked examples 1 and 2.
		{"300.00 0 0.13 0;600.00 0 0.13 0.15", "20.00", "3.00", false},
		{"5800.00 0.05 0.13 0.15", "150.00", "50.00", true},
		// Edge cases: no lines; all prices zero; a tiny last weight that
		// rounding would leave negative; five decimals; 14 integer digits;
		// rates just below 1; an exponent.
		{"", "10", "1", false},
		{"0 0 0.13 0;0 0 0.13 0;0 0 0.13 0", "0.01", "0.02", false},
		{"1 0 0.13 0;1 0 0.13 0;1 0 0.13 0;0.00001 0 0.13 0", "0.03", "0", false},
		{"0.00001 0.99999 0.99999 0.99999", "0.00005", "0.00001", true},
		{"99999999999999.99999 0.5 0.5 0.5;1e3 0 0 0", "99999999999999", "0", true},
	} {
		f.Add(s.lines, s.freight, s.insured, s.general)
	}
	f.Fuzz(func(t *testing.T, spec, freightText, insuredText string, general bool) {
		freight, ok1 := amount(freightText)
		insured, ok2 := amount(insuredText)
		lines, ok3 := parseLines(spec)
		if !ok1 || !ok2 || !ok3 {
			return
		}
		regime := CBEC
		if general {
			regime = General
		}
		a := Assess(lines, freight, insured, regime)
		checkAssessment(t, a, lines, freight, insured, regime)
	})
}

// amount parses a decimal(19,5) amount as ceb.Validate accepts it: not
// negative, at most 14 integer digits and 5 decimals once trailing zeros
// are dropped. Exponents beyond ±20 are skipped as too slow to fuzz.
func amount(s string) (decimal.Decimal, bool) {
	d, err := decimal.NewFromString(s)
	if err != nil || d.IsNegative() || d.Exponent() > 20 || d.Exponent() < -20 {
		return decimal.Decimal{}, false
	}
	intPart, frac, _ := strings.Cut(d.String(), ".")
	return d, len(strings.TrimLeft(intPart, "0")) <= 14 && len(frac) <= 5
}

// parseLines reads FuzzAssess's lines.
func parseLines(spec string) ([]Line, bool) {
	if spec == "" {
		return nil, true
	}
	parts := strings.Split(spec, ";")
	if len(parts) > 99 {
		return nil, false
	}
	lines := make([]Line, len(parts))
	for i, p := range parts {
		fs := strings.Fields(p)
		if len(fs) != 4 {
			return nil, false
		}
		price, ok := amount(fs[0])
		if !ok {
			return nil, false
		}
		var rates [3]decimal.Decimal
		for j := range rates {
			r, err := decimal.NewFromString(fs[1+j])
			if err != nil || r.Exponent() < -20 || r.Exponent() > 20 {
				return nil, false
			}
			rates[j] = r
		}
		l := Line{Gnum: i + 1, Gcode: "1901101000", TotalPrice: price, Rates: Rates{Duty: rates[0], VAT: rates[1], Consumption: rates[2]}}
		if l.Rates.Validate() != nil {
			return nil, false
		}
		lines[i] = l
	}
	return lines, true
}

// checkAssessment asserts the invariants Assess documents: the regime, one
// result per line carrying its number, code and price; freight and
// insuredFee apportioned into non-negative shares that add up to them,
// every share but the last the half-up fen of its exact part or, where the
// last would go negative, less; each line's dutiable value the sum of its
// price and shares; each tax non-negative, rounded half-up to the fen from
// the exact §12 formula (duty 0 under CBEC); every total the sum of its
// parts; and a tax bill that says the same amounts.
func checkAssessment(t *testing.T, a Assessment, lines []Line, freight, insured decimal.Decimal, regime Regime) {
	t.Helper()
	if a.Regime != regime || len(a.Lines) != len(lines) {
		t.Fatalf("assessment of %d lines under %s: %+v", len(lines), regime, a)
	}
	if len(lines) == 0 {
		// "With no lines the assessment is all zero", freight or not.
		if !a.DutiableValue.IsZero() || !a.Duty.IsZero() || !a.VAT.IsZero() || !a.Consumption.IsZero() || !a.Total.IsZero() {
			t.Fatalf("assessment of no lines: %+v", a)
		}
		return
	}
	weights := make([]decimal.Decimal, len(lines))
	for i, l := range lines {
		weights[i] = l.TotalPrice
	}
	checkShares(t, "freight", freight, weights, a.Lines, func(l LineTax) decimal.Decimal { return l.Freight })
	checkShares(t, "insuredFee", insured, weights, a.Lines, func(l LineTax) decimal.Decimal { return l.InsuredFee })

	var p, duty, vat, ct, total decimal.Decimal
	for i, lt := range a.Lines {
		l := lines[i]
		if lt.Gnum != l.Gnum || lt.Gcode != l.Gcode || !lt.TotalPrice.Equal(l.TotalPrice) {
			t.Fatalf("line %d does not carry its line: %+v", i, lt)
		}
		if !lt.DutiableValue.Equal(l.TotalPrice.Add(lt.Freight).Add(lt.InsuredFee)) {
			t.Fatalf("line %d: dutiable value %s is not price + freight + insuredFee", i, lt.DutiableValue)
		}
		wantDuty, wantCT, wantVAT := exactTax(lt.DutiableValue, l.Rates, regime)
		for _, c := range []struct {
			name string
			got  decimal.Decimal
			want *big.Rat
		}{{"duty", lt.Duty, wantDuty}, {"consumption tax", lt.Consumption, wantCT}, {"VAT", lt.VAT, wantVAT}} {
			if c.got.IsNegative() {
				t.Fatalf("line %d: %s %s is negative", i, c.name, c.got)
			}
			if want := halfUpFen(c.want); c.got.Rat().Cmp(want) != 0 {
				t.Fatalf("line %d (P %s, rates %+v, %s): %s %s, want %s (exactly %s)",
					i, lt.DutiableValue, l.Rates, regime, c.name, c.got, want.FloatString(2), c.want.FloatString(8))
			}
		}
		if !lt.Total.Equal(lt.Duty.Add(lt.VAT).Add(lt.Consumption)) {
			t.Fatalf("line %d: total %s is not duty + VAT + consumption tax", i, lt.Total)
		}
		p, duty, vat, ct, total = p.Add(lt.DutiableValue), duty.Add(lt.Duty), vat.Add(lt.VAT), ct.Add(lt.Consumption), total.Add(lt.Total)
	}
	if !a.DutiableValue.Equal(p) || !a.DutiableValue.Equal(DutiableValue(lines, freight, insured)) {
		t.Fatalf("head dutiable value %s, lines add up to %s, DutiableValue says %s", a.DutiableValue, p, DutiableValue(lines, freight, insured))
	}
	if !a.Duty.Equal(duty) || !a.VAT.Equal(vat) || !a.Consumption.Equal(ct) || !a.Total.Equal(total) {
		t.Fatalf("head totals %s/%s/%s/%s are not the sums of the lines %s/%s/%s/%s", a.Duty, a.VAT, a.Consumption, a.Total, duty, vat, ct, total)
	}
	if !a.Total.Equal(a.Duty.Add(a.VAT).Add(a.Consumption)) {
		t.Fatalf("head total %s is not duty + VAT + consumption tax", a.Total)
	}

	b := NewBill(a, BillHead{})
	h := b.TaxHeadRd
	if !same(h.CustomsTax, a.Duty) || !same(h.ValueAddedTax, a.VAT) || !same(h.ConsumptionTax, a.Consumption) || len(b.TaxListRd) != len(a.Lines) {
		t.Fatalf("tax bill head %+v does not say %s/%s/%s", h, a.Duty, a.VAT, a.Consumption)
	}
	for i, r := range b.TaxListRd {
		lt := a.Lines[i]
		if r.Gnum != lt.Gnum || !same(r.TaxPrice, lt.DutiableValue) || !same(r.CustomsTax, lt.Duty) || !same(r.ValueAddedTax, lt.VAT) || !same(r.ConsumptionTax, lt.Consumption) {
			t.Fatalf("tax bill line %d %+v does not say %+v", i, r, lt)
		}
	}
}

// checkShares checks the apportioned shares of amount (Apportion's
// contract, for a non-negative amount and weights).
func checkShares(t *testing.T, what string, amount decimal.Decimal, weights []decimal.Decimal, lines []LineTax, share func(LineTax) decimal.Decimal) {
	t.Helper()
	if len(lines) == 0 {
		return
	}
	total := new(big.Rat)
	for _, w := range weights {
		total.Add(total, w.Rat())
	}
	equal := total.Sign() == 0
	if equal {
		total.SetInt64(int64(len(weights)))
	}
	sum := decimal.Zero
	var rounded []*big.Rat
	roundedSum := new(big.Rat)
	for i, lt := range lines {
		s := share(lt)
		if s.IsNegative() {
			t.Fatalf("%s share %d is negative: %s", what, i, s)
		}
		sum = sum.Add(s)
		if i == len(lines)-1 {
			break
		}
		w := weights[i].Rat()
		if equal {
			w = big.NewRat(1, 1)
		}
		exact := new(big.Rat).Quo(new(big.Rat).Mul(amount.Rat(), w), total)
		r := halfUpFen(exact)
		rounded = append(rounded, r)
		roundedSum.Add(roundedSum, r)
		if s.Rat().Cmp(r) > 0 {
			t.Fatalf("%s share %d is %s, more than its rounded part %s", what, i, s, r.FloatString(2))
		}
	}
	if !sum.Equal(amount) {
		t.Fatalf("%s shares add up to %s, not %s", what, sum, amount)
	}
	// Only when the rounded parts exceed the amount may a share be less.
	if roundedSum.Cmp(amount.Rat()) <= 0 {
		for i, r := range rounded {
			if share(lines[i]).Rat().Cmp(r) != 0 {
				t.Fatalf("%s share %d is %s, not its rounded part %s", what, i, share(lines[i]), r.FloatString(2))
			}
		}
	}
}

// exactTax computes a line's duty, consumption tax and VAT exactly by the
// §12 formulas as written, with no rounding.
//
//	CBEC:    duty 0; CT = P/(1−c)×c×0.7; VAT = (P + P/(1−c)×c)×v×0.7
//	General: duty = P×d; CT = (P+duty)/(1−c)×c; VAT = (P+duty+CT)×v
func exactTax(p decimal.Decimal, r Rates, regime Regime) (duty, ct, vat *big.Rat) {
	P, d, v, c := p.Rat(), r.Duty.Rat(), r.VAT.Rat(), r.Consumption.Rat()
	oneMinusC := new(big.Rat).Sub(big.NewRat(1, 1), c)
	mul := func(x, y *big.Rat) *big.Rat { return new(big.Rat).Mul(x, y) }
	add := func(x, y *big.Rat) *big.Rat { return new(big.Rat).Add(x, y) }
	div := func(x, y *big.Rat) *big.Rat { return new(big.Rat).Quo(x, y) }
	if regime == General {
		duty = mul(P, d)
		ct = mul(div(add(P, duty), oneMinusC), c)
		vat = mul(add(add(P, duty), ct), v)
		return duty, ct, vat
	}
	seven := big.NewRat(7, 10)
	duty = new(big.Rat)
	ct = mul(mul(div(P, oneMinusC), c), seven)
	vat = mul(mul(add(P, mul(div(P, oneMinusC), c)), v), seven)
	return duty, ct, vat
}

// halfUpFen rounds a non-negative x half up to the fen: ⌊100x + ½⌋ / 100.
func halfUpFen(x *big.Rat) *big.Rat {
	y := new(big.Rat).Add(new(big.Rat).Mul(x, big.NewRat(100, 1)), big.NewRat(1, 2))
	q := new(big.Int).Quo(y.Num(), y.Denom()) // y ≥ 0: truncation is the floor
	return new(big.Rat).SetFrac(q, big.NewInt(100))
}

// same reports whether the bill text s says the amount d.
func same(s string, d decimal.Decimal) bool {
	v, err := decimal.NewFromString(s)
	return err == nil && v.Equal(d)
}
