// Package tax computes the taxes of a cross-border e-commerce retail import
// inventory list (domain §12; decisions D2, D3, D4, D17) and shapes them as
// the CEB816 electronic tax bill.
//
// Every amount is a decimal.Decimal. Each line's duty, consumption tax and
// VAT are computed without intermediate rounding and then rounded half-up
// to the fen (0.01); head totals are sums of the rounded line amounts, so a
// bill always adds up.
package tax

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// Regime selects the formulas of an assessment.
type Regime string

const (
	// CBEC is the retail regime within the limits (D3): duty 0, consumption
	// tax and VAT at 70 % of the statutory amounts.
	CBEC Regime = "cbec"
	// General is the single-item exception (D4) and general trade: duty,
	// consumption tax and VAT in full.
	General Regime = "general"
)

// fen is the unit every tax and apportioned share is rounded to.
const fen = 2

var (
	one        = decimal.NewFromInt(1)
	cbecFactor = decimal.RequireFromString("0.7")
	oneFen     = decimal.New(1, -fen)
)

// Rates are the ad-valorem rates of a line's tariff line (D21): fractions
// such as 0.13, each in [0, 1).
type Rates struct {
	Duty, VAT, Consumption decimal.Decimal
}

// Validate reports whether the rates can be assessed: none negative and
// each below 1 (a consumption rate of 1 would divide by zero). tariff.Load
// guarantees this for the tariff table's rates.
func (r Rates) Validate() error {
	for _, x := range []struct {
		name string
		v    decimal.Decimal
	}{{"duty", r.Duty}, {"VAT", r.VAT}, {"consumption tax", r.Consumption}} {
		if x.v.IsNegative() || x.v.GreaterThanOrEqual(one) {
			return fmt.Errorf("tax: %s rate %s is not in [0, 1)", x.name, x.v)
		}
	}
	return nil
}

// Line is one inventory line to assess.
type Line struct {
	// Gnum is the line's item number, carried to the result.
	Gnum int
	// Gcode is the line's 10-digit commodity code, carried to the result
	// and the tax bill (TaxListRd requires it); the computation ignores it.
	Gcode string
	// TotalPrice is the line's totalPrice; freight and insurance are
	// apportioned in proportion to it (D2).
	TotalPrice decimal.Decimal
	// Rates are the line's rates from the tariff table.
	Rates Rates
}

// LineTax is the assessment of one line.
type LineTax struct {
	Gnum  int    `json:"gnum"`
	Gcode string `json:"gcode,omitempty"`
	// TotalPrice is the line's totalPrice as given.
	TotalPrice decimal.Decimal `json:"totalPrice"`
	// Freight and InsuredFee are the line's shares of the head amounts (D2).
	Freight    decimal.Decimal `json:"freight"`
	InsuredFee decimal.Decimal `json:"insuredFee"`
	// DutiableValue is TotalPrice + Freight + InsuredFee, the P of §12.
	DutiableValue decimal.Decimal `json:"dutiableValue"`
	// Duty, VAT and Consumption are rounded half-up to the fen.
	Duty        decimal.Decimal `json:"customsTax"`
	VAT         decimal.Decimal `json:"valueAddedTax"`
	Consumption decimal.Decimal `json:"consumptionTax"`
	// Total is Duty + VAT + Consumption.
	Total decimal.Decimal `json:"total"`
}

// Assessment is the tax of an inventory list: its lines and the head
// totals, each the sum of the rounded line amounts.
type Assessment struct {
	Regime        Regime          `json:"regime"`
	Lines         []LineTax       `json:"lines"`
	DutiableValue decimal.Decimal `json:"dutiableValue"`
	Duty          decimal.Decimal `json:"customsTax"`
	VAT           decimal.Decimal `json:"valueAddedTax"`
	Consumption   decimal.Decimal `json:"consumptionTax"`
	// Total is Duty + VAT + Consumption, the order's taxTotal.
	Total decimal.Decimal `json:"taxTotal"`
}

// DutiableValue is the dutiable value (完税价格) of an inventory list (D2):
// Σ line totalPrice + freight + insuredFee. A discount does not reduce it.
// It is the value compared with the transaction limits (§11).
func DutiableValue(lines []Line, freight, insuredFee decimal.Decimal) decimal.Decimal {
	sum := freight.Add(insuredFee)
	for _, l := range lines {
		sum = sum.Add(l.TotalPrice)
	}
	return sum
}

// Assess computes the taxes of an inventory list under regime (§12):
//
//	CBEC:    duty 0; CT = P/(1−c)×c×0.7; VAT = (P + P/(1−c)×c)×v×0.7
//	General: duty = P×d; CT = (P+duty)/(1−c)×c; VAT = (P+duty+CT)×v
//
// where P is the line's dutiable value: its totalPrice plus its shares of
// freight and insuredFee, apportioned by totalPrice (Apportion, D2). Any
// regime other than General is assessed as CBEC, the retail default, and
// recorded as such.
//
// The rates must satisfy Rates.Validate (tariff.Load guarantees it); a
// consumption rate of 1 or more panics, as it is a programming error.
// With no lines the assessment is all zero.
func Assess(lines []Line, freight, insuredFee decimal.Decimal, regime Regime) Assessment {
	if regime != General {
		regime = CBEC
	}
	weights := make([]decimal.Decimal, len(lines))
	for i, l := range lines {
		weights[i] = l.TotalPrice
	}
	freights := Apportion(freight, weights)
	insured := Apportion(insuredFee, weights)

	a := Assessment{Regime: regime, Lines: make([]LineTax, len(lines))}
	for i, l := range lines {
		lt := LineTax{
			Gnum:       l.Gnum,
			Gcode:      l.Gcode,
			TotalPrice: l.TotalPrice,
			Freight:    freights[i],
			InsuredFee: insured[i],
		}
		lt.DutiableValue = l.TotalPrice.Add(lt.Freight).Add(lt.InsuredFee)
		lt.Duty, lt.Consumption, lt.VAT = lineTax(lt.DutiableValue, l.Rates, regime)
		lt.Total = lt.Duty.Add(lt.Consumption).Add(lt.VAT)
		a.Lines[i] = lt

		a.DutiableValue = a.DutiableValue.Add(lt.DutiableValue)
		a.Duty = a.Duty.Add(lt.Duty)
		a.Consumption = a.Consumption.Add(lt.Consumption)
		a.VAT = a.VAT.Add(lt.VAT)
	}
	a.Total = a.Duty.Add(a.Consumption).Add(a.VAT)
	return a
}

// lineTax returns the rounded duty, consumption tax and VAT of one line.
//
// The §12 formulas are rearranged so that each amount is one exact
// product divided once by (1−c), which DivRound rounds half-up to the fen
// exactly: no intermediate is rounded, so there is no double rounding.
// For CBEC, VAT = (P + P/(1−c)×c)×v×0.7 = P×v×0.7/(1−c); for General,
// VAT = (P+duty+CT)×v = (P+duty)×v/(1−c) with the unrounded CT, as §12's
// worked example 2 computes it.
func lineTax(p decimal.Decimal, r Rates, regime Regime) (duty, ct, vat decimal.Decimal) {
	denom := one.Sub(r.Consumption)
	if !denom.IsPositive() {
		panic(fmt.Sprintf("tax: consumption tax rate %s is not below 1", r.Consumption))
	}
	base := p
	factor := cbecFactor
	if regime == General {
		duty = p.Mul(r.Duty).Round(fen)
		// The unrounded duty feeds CT and VAT, like every intermediate.
		base = p.Add(p.Mul(r.Duty))
		factor = one
	} else {
		duty = decimal.Zero
	}
	ct = base.Mul(r.Consumption).Mul(factor).DivRound(denom, fen)
	vat = base.Mul(r.VAT).Mul(factor).DivRound(denom, fen)
	return duty, ct, vat
}

// Apportion splits amount over lines in proportion to weights (D2, D17):
// every share but the last is amount × weight / Σ weights rounded half-up
// to the fen, and the last share takes the remainder, so the shares sum to
// amount exactly.
//
// Choices where D2 is silent:
//   - No weights: nil.
//   - All weights zero (lines with totalPrice 0): an equal split, as if every
//     weight were 1, so the amount is still charged and no line gets all of it.
//   - A negative weight counts as zero.
//   - When rounding many shares up would leave the last share negative (only
//     possible with a tiny last weight), the excess is taken back fen by fen
//     from the earlier shares that were rounded up the most, so no share of
//     a non-negative amount is negative.
//   - A negative amount is split like its absolute value, with signs flipped.
//
// An amount with more than two decimals keeps its extra digits in the last
// share.
func Apportion(amount decimal.Decimal, weights []decimal.Decimal) []decimal.Decimal {
	n := len(weights)
	if n == 0 {
		return nil
	}
	if amount.IsNegative() {
		shares := Apportion(amount.Neg(), weights)
		for i := range shares {
			shares[i] = shares[i].Neg()
		}
		return shares
	}

	w := make([]decimal.Decimal, n)
	total := decimal.Zero
	for i, x := range weights {
		if x.IsPositive() {
			w[i] = x
			total = total.Add(x)
		}
	}
	if total.IsZero() {
		for i := range w {
			w[i] = one
		}
		total = decimal.NewFromInt(int64(n))
	}

	shares := make([]decimal.Decimal, n)
	// up[i] is how much share i was rounded up, scaled by total to stay
	// exact: shares[i]×total − amount×w[i].
	up := make([]decimal.Decimal, n-1)
	rest := amount
	for i := 0; i < n-1; i++ {
		exact := amount.Mul(w[i])
		shares[i] = exact.DivRound(total, fen)
		up[i] = shares[i].Mul(total).Sub(exact)
		rest = rest.Sub(shares[i])
	}
	for rest.IsNegative() {
		k := -1
		for i := 0; i < n-1; i++ {
			if shares[i].GreaterThanOrEqual(oneFen) && (k < 0 || up[i].GreaterThan(up[k])) {
				k = i
			}
		}
		if k < 0 {
			break // unreachable: the earlier shares exceed amount, so one is ≥ 0.01
		}
		shares[k] = shares[k].Sub(oneFen)
		up[k] = up[k].Sub(oneFen.Mul(total))
		rest = rest.Add(oneFen)
	}
	shares[n-1] = rest
	return shares
}

// ProRata returns amount × part / whole rounded half-up to the fen (D17):
// the quota given back and the tax adjusted when part of a line's quantity
// is returned (D6, §15). part equal to whole returns amount unchanged, so a
// full return gives back exactly what was counted; whole ≤ 0 returns zero.
func ProRata(amount, part, whole decimal.Decimal) decimal.Decimal {
	if !whole.IsPositive() {
		return decimal.Zero
	}
	if part.Equal(whole) {
		return amount
	}
	return amount.Mul(part).DivRound(whole, fen)
}
