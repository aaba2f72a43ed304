package tax

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

// TestRoundOnceAtTheEnd is an oracle of the §12 formulas (D3, D4) on
// amounts where rounding anything before the end moves a result by one
// fen. Each expected figure was worked out by hand from the formula as
// domain §12 writes it, with every intermediate exact and one half-up
// rounding to the fen at the end; the comment names the slip the row
// catches, with the wrong figure it would give. The worked examples of
// §12 are rows too.
func TestRoundOnceAtTheEnd(t *testing.T) {
	cases := []struct {
		name          string
		regime        Regime
		p             string
		d, c, v       string
		duty, ct, vat string
	}{
		{"worked example 1, line 1", CBEC, "307.67", "0", "0", "0.13", "0", "0", "28.00"},
		{"worked example 1, line 2", CBEC, "615.33", "0", "0.15", "0.13", "0", "76.01", "65.88"},
		{"worked example 2", General, "6000.00", "0.05", "0.15", "0.13", "300.00", "1111.76", "963.53"},
		// D4 at 5,000.08: duty 250.004 → 250.00; CT (5,000.08 + 250.004)/0.85×0.15
		// = 926.4854 → 926.49 (from the rounded duty: 926.4847 → 926.48);
		// VAT (5,250.084 + 926.4854)×0.13 = 802.9540 → 802.95.
		{"rounded duty fed into CT", General, "5000.08", "0.05", "0.15", "0.13", "250.00", "926.49", "802.95"},
		// duty 500.008 → 500.01; CT 5,500.088/0.7×0.3 = 2,357.1806 → 2,357.18;
		// VAT (5,500.088 + 2,357.1806)×0.13 = 1,021.4449 → 1,021.44 (from the
		// rounded duty: 1,021.4457 → 1,021.45).
		{"rounded duty fed into VAT", General, "5000.08", "0.10", "0.30", "0.13", "500.01", "2357.18", "1021.44"},
		// duty 250.02; CT 5,250.42/0.85×0.15 = 926.5447 → 926.54; VAT
		// (5,250.42 + 926.5447)×0.13 = 803.0054 → 803.01 (from the rounded
		// CT: 803.0042 → 803.00).
		{"rounded CT fed into VAT", General, "5000.40", "0.05", "0.15", "0.13", "250.02", "926.54", "803.01"},
		// statutory CT 5,000.01/0.85×0.15 = 882.3547; VAT (5,000.01 +
		// 882.3547)×0.13×0.7 = 535.2952 → 535.30 (from the statutory CT
		// rounded to 882.35: 535.2947 → 535.29).
		{"rounded statutory CT fed into VAT", CBEC, "5000.01", "0", "0.15", "0.13", "0", "617.65", "535.30"},
		// CT 5,000.29/0.85×0.15×0.7 = 617.6829 → 617.68; VAT 5,000.29×0.13×0.7/0.85
		// = 535.3252 → 535.33 (from the 70 % CT rounded first: 535.3248 → 535.32).
		{"rounded CT fed into the CBEC VAT", CBEC, "5000.29", "0", "0.15", "0.13", "0", "617.68", "535.33"},
		// 600.06/0.85×0.15 = 105.8929, ×0.7 = 74.12506 → 74.13 (from 105.89
		// rounded first: 74.123 → 74.12); VAT 600.06×0.091/0.85 = 64.2417 → 64.24.
		{"statutory CT rounded before the 70 %", CBEC, "600.06", "0", "0.15", "0.13", "0", "74.13", "64.24"},
		// A duty rate in a CBEC list is not charged (D3).
		{"CBEC charges no duty", CBEC, "5000.08", "0.05", "0.15", "0.13", "0", "617.66", "535.30"},
	}
	for _, c := range cases {
		r := Rates{Duty: d(c.d), Consumption: d(c.c), VAT: d(c.v)}
		lines := []Line{{Gnum: 1, TotalPrice: d(c.p), Rates: r}}
		a := Assess(lines, decimal.Zero, decimal.Zero, c.regime)
		l := a.Lines[0]
		for _, x := range []struct {
			what      string
			got, head decimal.Decimal
			want      string
		}{
			{"duty", l.Duty, a.Duty, c.duty},
			{"consumption tax", l.Consumption, a.Consumption, c.ct},
			{"VAT", l.VAT, a.VAT, c.vat},
		} {
			if !x.got.Equal(d(x.want)) || !x.head.Equal(d(x.want)) {
				t.Errorf("%s: %s %s (head %s), want %s", c.name, x.what, x.got, x.head, x.want)
			}
		}
		if want := d(c.duty).Add(d(c.ct)).Add(d(c.vat)); !a.Total.Equal(want) || !l.Total.Equal(want) {
			t.Errorf("%s: total %s, want %s", c.name, a.Total, want)
		}
		// The rational recomputation of the fuzz target agrees with the
		// hand-worked figures, so it can serve as the oracle below.
		checkAssessment(t, a, lines, decimal.Zero, decimal.Zero, c.regime)
	}
}

// TestAssessAgainstTheExactFormulas runs many lists through Assess and
// holds every amount to the exact §12 formulas rounded once at the end
// (checkAssessment, the fuzz target's oracle), so that the rounding rule is
// checked by every go test and not only by the fuzz seeds. Prices are
// drawn near the 5,000 limit, where the single-item exception (D4) taxes a
// list at general rates, and anywhere below; rates from the tariff's
// usual values.
func TestAssessAgainstTheExactFormulas(t *testing.T) {
	rng := rand.New(rand.NewPCG(500008, 12))
	pick := func(s string) decimal.Decimal {
		f := strings.Fields(s)
		return d(f[rng.IntN(len(f))])
	}
	price := func() decimal.Decimal {
		if rng.IntN(2) == 0 {
			return decimal.New(499000+rng.Int64N(2000), -2) // 4,990.00 … 5,009.99
		}
		return decimal.New(1+rng.Int64N(500000), -2)
	}
	n := 2000
	if testing.Short() {
		n = 200
	}
	for range n {
		lines := make([]Line, 1+rng.IntN(3))
		for i := range lines {
			lines[i] = Line{Gnum: i + 1, TotalPrice: price(), Rates: Rates{
				Duty: pick("0 0.05 0.08 0.1 0.12 0.15 0.2 0.25"), VAT: pick("0.09 0.13"), Consumption: pick("0 0 0.05 0.1 0.15 0.3"),
			}}
		}
		freight, insured := decimal.New(rng.Int64N(5000), -2), decimal.New(rng.Int64N(500), -2)
		for _, regime := range []Regime{CBEC, General} {
			checkAssessment(t, Assess(lines, freight, insured, regime), lines, freight, insured, regime)
		}
	}
}

// TestRatesOfZeroAreValid: 0 % is a rate like any other (most goods have
// no consumption tax), at the lower boundary of [0, 1); 0.99999 is the
// upper one.
func TestRatesOfZeroAreValid(t *testing.T) {
	for _, r := range []Rates{{}, {Duty: d("0.99999"), VAT: d("0.99999"), Consumption: d("0.99999")}} {
		if err := r.Validate(); err != nil {
			t.Errorf("%+v: %v", r, err)
		}
	}
	for _, r := range []Rates{{Duty: d("-0.00001")}, {Consumption: d("-0.00001")}, {VAT: d("1")}, {Duty: d("1")}} {
		if err := r.Validate(); err == nil {
			t.Errorf("%+v: want an error", r)
		}
	}
}

// TestAssessPanicsOnAConsumptionRateOfOne: the formulas divide by 1 − c;
// Assess says so rather than failing inside the division.
func TestAssessPanicsOnAConsumptionRateOfOne(t *testing.T) {
	for _, c := range []string{"1", "1.5"} {
		func() {
			defer func() {
				msg, _ := recover().(string)
				if want := "tax: consumption tax rate " + c + " is not below 1"; msg != want {
					t.Errorf("consumption rate %s: panic %q, want %q", c, msg, want)
				}
			}()
			Assess([]Line{{Gnum: 1, TotalPrice: d("100"), Rates: Rates{Consumption: d(c)}}}, decimal.Zero, decimal.Zero, CBEC)
		}()
	}
}
