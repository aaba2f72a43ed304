// Package refund holds the pure rules of cross-border retail import returns
// (GACC 2020 No.45, domain §15; the return-center warehouse of GACC 2021
// No.70, §16): the application and arrival windows (D7, window.go), the
// states of a return and what each event does to it — which application
// is admitted, where the goods go back, their arrival, sorting and
// shipment, the expiry sweep (transition.go) —, the check of the returned
// lines against the original inventory list (X20) and the amounts an
// accepted return gives back (D6, D17).
//
// It does no I/O: the returns service feeds it the released list, its tax
// assessment, the return as it stands and what earlier returns took, and
// writes what the rules decide.
package refund

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/tax"
)

// Original is what a return is checked against: the lines of the released
// inventory list with their assessed tax and what was already returned.
type Original struct {
	Lines []OriginalLine
}

// OriginalLine is one line of the released inventory list.
type OriginalLine struct {
	// Gnum and Gcode identify the line; a returned line must match both
	// (-625209).
	Gnum  int
	Gcode string
	// Gname is the line's goods name, for messages.
	Gname string
	// Qty is the line's quantity in the transaction unit.
	Qty decimal.Decimal
	// DutiableValue is the line's dutiable value P (tax.LineTax), the
	// amount counted in the buyer's annual quota.
	DutiableValue decimal.Decimal
	// Duty, VAT and Consumption are the line's assessed, rounded taxes
	// (tax.LineTax).
	Duty, VAT, Consumption decimal.Decimal
	// Returned is the quantity of the line already taken by accepted or
	// still pending returns: CheckLines refuses to return it again.
	// Restore counts what it gives back from it (see Restore).
	Returned decimal.Decimal
}

// Line is one line of a return application (CEB625 InvtRefundList).
type Line struct {
	Gnum  int             `json:"gnum"`
	Gcode string          `json:"gcode"`
	Qty   decimal.Decimal `json:"qty"`
}

// CheckLines is check X20 of a return application against the original
// list. It returns every problem found, in line order, nil when none:
//   - a (gnum, gcode) that is not a line of the original list, or a gnum
//     given twice: errcode.ReturnItem (-625209);
//   - a quantity not above zero, or above the line's quantity minus what
//     was already returned: errcode.ReturnQuantity. Returning again a
//     quantity already returned fails here.
//
// Each error carries the offending InvtRefundList element as a detail.
func CheckLines(o Original, lines []Line) []*errcode.Error {
	byGnum := make(map[int]*OriginalLine, len(o.Lines))
	for i := range o.Lines {
		byGnum[o.Lines[i].Gnum] = &o.Lines[i]
	}
	var errs []*errcode.Error
	add := func(i int, field string, code errcode.Code, format string, args ...any) {
		e := errcode.New(code, format, args...)
		errs = append(errs, e.WithDetails(errcode.Detail{
			Path:    fmt.Sprintf("InvtRefundList[%d].%s", i, field),
			Message: e.Message,
		}))
	}
	seen := make(map[int]bool, len(lines))
	for i, l := range lines {
		if seen[l.Gnum] {
			add(i, "gnum", errcode.ReturnItem, "gnum %d is returned twice in this application", l.Gnum)
			continue
		}
		seen[l.Gnum] = true
		ol, ok := byGnum[l.Gnum]
		if !ok || ol.Gcode != l.Gcode {
			add(i, "gcode", errcode.ReturnItem, "the original list has no item gnum %d with gcode %s", l.Gnum, l.Gcode)
			continue
		}
		if !l.Qty.IsPositive() {
			add(i, "qty", errcode.ReturnQuantity, "gnum %d (%s): returned quantity %s is not above zero", l.Gnum, ol.Gname, l.Qty)
			continue
		}
		left := ol.Qty.Sub(ol.Returned)
		if l.Qty.GreaterThan(left) {
			add(i, "qty", errcode.ReturnQuantity,
				"gnum %d (%s): returned quantity %s exceeds the %s left of %s (%s already returned)",
				l.Gnum, ol.Gname, l.Qty, decimal.Max(left, decimal.Zero), ol.Qty, ol.Returned)
		}
	}
	return errs
}

// LineAmounts is what an accepted return gives back for one returned line.
type LineAmounts struct {
	Gnum int `json:"gnum"`
	// Qty is the returned quantity the amounts are for: the line's Qty,
	// or less when Restore capped it (see Restore).
	Qty decimal.Decimal `json:"qty"`
	// Value is the dutiable value given back to the buyer's annual quota.
	Value decimal.Decimal `json:"value"`
	// Duty, VAT and Consumption are the taxes not levied; the JSON names
	// are those of the tax bill (tax.LineTax).
	Duty        decimal.Decimal `json:"customsTax"`
	VAT         decimal.Decimal `json:"valueAddedTax"`
	Consumption decimal.Decimal `json:"consumptionTax"`
}

// Amounts is what an accepted return gives back: per line and in total.
// Each total is the sum of the rounded line amounts, and Tax is
// Duty + VAT + Consumption.
type Amounts struct {
	Lines       []LineAmounts   `json:"lines"`
	Value       decimal.Decimal `json:"value"`
	Duty        decimal.Decimal `json:"customsTax"`
	VAT         decimal.Decimal `json:"valueAddedTax"`
	Consumption decimal.Decimal `json:"consumptionTax"`
	Tax         decimal.Decimal `json:"tax"`
}

// Restore computes what an accepted return gives back (D6, D17): for each
// returned line of quantity q out of the line's Q, the value P × q / Q and
// each tax × q / Q, rounded half-up to the fen (tax.ProRata).
//
// To keep sums exact across several partial returns of one line, the
// amounts are taken cumulatively: the return gives back
// ProRata(x, R+q, Q) − ProRata(x, R, Q), with R the line's Returned. With
// R = 0 this is simply ProRata(x, q, Q); and once a line's whole quantity
// has been returned, over one return or many, exactly its P and taxes have
// been given back, with no rounding drift. For that, call Restore with
// Returned holding the quantity of the returns already accepted (not the
// pending ones).
//
// Restore expects lines that passed CheckLines; a line naming no original
// (gnum, gcode) gives back nothing (Qty 0), and a quantity above what is
// left is capped at it (LineAmounts.Qty says so), so no more than a line's
// amounts is ever given back.
func Restore(o Original, lines []Line) Amounts {
	byKey := make(map[int]*OriginalLine, len(o.Lines))
	for i := range o.Lines {
		byKey[o.Lines[i].Gnum] = &o.Lines[i]
	}
	a := Amounts{
		Lines: make([]LineAmounts, 0, len(lines)),
		Value: decimal.Zero, Duty: decimal.Zero, VAT: decimal.Zero, Consumption: decimal.Zero,
	}
	for _, l := range lines {
		la := LineAmounts{Gnum: l.Gnum, Qty: decimal.Zero, Value: decimal.Zero, Duty: decimal.Zero, VAT: decimal.Zero, Consumption: decimal.Zero}
		ol, ok := byKey[l.Gnum]
		if ok && ol.Gcode == l.Gcode && l.Qty.IsPositive() {
			before := decimal.Max(decimal.Zero, decimal.Min(ol.Returned, ol.Qty))
			after := decimal.Min(before.Add(l.Qty), ol.Qty)
			la.Qty = after.Sub(before)
			share := func(x decimal.Decimal) decimal.Decimal {
				return tax.ProRata(x, after, ol.Qty).Sub(tax.ProRata(x, before, ol.Qty))
			}
			la.Value = share(ol.DutiableValue)
			la.Duty = share(ol.Duty)
			la.VAT = share(ol.VAT)
			la.Consumption = share(ol.Consumption)
		}
		a.Lines = append(a.Lines, la)
		a.Value = a.Value.Add(la.Value)
		a.Duty = a.Duty.Add(la.Duty)
		a.VAT = a.VAT.Add(la.VAT)
		a.Consumption = a.Consumption.Add(la.Consumption)
	}
	a.Tax = a.Duty.Add(a.VAT).Add(a.Consumption)
	return a
}
