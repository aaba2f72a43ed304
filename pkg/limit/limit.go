// Package limit holds the transaction limits of China's cross-border
// e-commerce retail import (domain §11) and the check that decides whether an
// inventory list stays within them.
//
// The limits are kept as dated rows (decision D1) rather than constants
// because they have changed before (2,000 / 20,000 from 2016-04-08, 5,000 /
// 26,000 from 2019-01-01) and may change again; a list is always judged by
// the row in force on its Asia/Shanghai date (D15).
package limit

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/cbec/cbec/pkg/clock"
	"github.com/cbec/cbec/pkg/errcode"
	"github.com/shopspring/decimal"
)

// dateLayout is how dates appear in messages: the calendar date is all that
// matters for a row, never the time of day.
const dateLayout = "2006-01-02"

// Row is one generation of the limits, in CNY, effective from the
// Asia/Shanghai calendar date of From. Both limits are inclusive: a value
// equal to a limit passes (D1).
type Row struct {
	From   time.Time
	Single decimal.Decimal
	Annual decimal.Decimal
}

// Table is the dated set of limit rows. It is immutable after NewTable and
// safe for concurrent use.
type Table struct {
	// rows are sorted by From, each From at midnight Asia/Shanghai, so that
	// lookup is by calendar date whatever zone the caller's times carry.
	rows []Row
}

// shanghaiDate returns midnight Asia/Shanghai of t's Shanghai calendar date.
func shanghaiDate(t time.Time) time.Time {
	y, m, d := t.In(clock.Shanghai).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, clock.Shanghai)
}

// NewTable validates the rows and returns them as a table. The rows may come
// in any order; they are sorted by date. It refuses an empty set, a zero
// date, two rows on the same Asia/Shanghai date, a limit that is not
// positive, and a single limit above the annual one (a single purchase could
// then never fit in a year).
func NewTable(rows []Row) (*Table, error) {
	if len(rows) == 0 {
		return nil, errors.New("limit table: no rows")
	}
	out := make([]Row, len(rows))
	for i, r := range rows {
		if r.From.IsZero() {
			return nil, fmt.Errorf("limit table: row %d: no effective date", i)
		}
		if !r.Single.IsPositive() {
			return nil, fmt.Errorf("limit table: row %d (from %s): single limit %s is not positive",
				i, shanghaiDate(r.From).Format(dateLayout), r.Single)
		}
		if !r.Annual.IsPositive() {
			return nil, fmt.Errorf("limit table: row %d (from %s): annual limit %s is not positive",
				i, shanghaiDate(r.From).Format(dateLayout), r.Annual)
		}
		if r.Single.GreaterThan(r.Annual) {
			return nil, fmt.Errorf("limit table: row %d (from %s): single limit %s exceeds annual limit %s",
				i, shanghaiDate(r.From).Format(dateLayout), r.Single, r.Annual)
		}
		r.From = shanghaiDate(r.From)
		out[i] = r
	}
	slices.SortStableFunc(out, func(a, b Row) int { return a.From.Compare(b.From) })
	for i := 1; i < len(out); i++ {
		if out[i].From.Equal(out[i-1].From) {
			return nil, fmt.Errorf("limit table: two rows from %s", out[i].From.Format(dateLayout))
		}
	}
	return &Table{rows: out}, nil
}

// Rows returns a copy of the table's rows, sorted by date, each From at
// midnight Asia/Shanghai.
func (t *Table) Rows() []Row { return slices.Clone(t.rows) }

// At returns the row in force on the Asia/Shanghai calendar date of on: the
// latest row whose date is not after it. A date before the first row is an
// error, because no limit was published then and guessing one would let a
// list through or stop it without a legal basis.
func (t *Table) At(on time.Time) (Row, error) {
	day := shanghaiDate(on)
	// The first row strictly after day; the one before it is in force.
	i, _ := slices.BinarySearchFunc(t.rows, day, func(r Row, d time.Time) int {
		if r.From.After(d) {
			return 1
		}
		return -1
	})
	if i == 0 {
		return Row{}, fmt.Errorf("limit table: no limits in force on %s (first row from %s)",
			day.Format(dateLayout), t.rows[0].From.Format(dateLayout))
	}
	return t.rows[i-1], nil
}

// Decision is the outcome of Check.
type Decision struct {
	// Accept reports whether the list may clear as cross-border retail import.
	Accept bool
	// General reports the single-item exception (D4): the list is accepted
	// but taxed at full general-trade rates, without the 0 % duty and the
	// 70 % reduction.
	General bool
	// Code is the rejection code (-621005 or -621018); empty on acceptance.
	Code errcode.Code
	// Message names the amounts that decided, so that the receipt tells the
	// declarant exactly which limit was hit and by how much.
	Message string
}

// Check applies the check order of domain §11 with decisions D1, D4, D5 and
// D20. p is the list's dutiable value, used the buyer's total counted this
// year before this list, lines the number of list lines, and singleUnit
// whether the only line has quantity 1. Boundaries are inclusive: p equal to
// the single limit passes, and so does used + p equal to the annual limit.
//
// A list over the single limit is accepted at general rates only when it is
// one indivisible item (one line, quantity 1) that still fits the annual
// limit (D4); such a candidate that does not fit is refused with -621018,
// the limit that actually blocks it (D20); any other list over the single
// limit is refused with -621005 (D5).
func Check(row Row, p, used decimal.Decimal, lines int, singleUnit bool) Decision {
	total := used.Add(p)
	overAnnual := total.GreaterThan(row.Annual)
	annualMsg := fmt.Sprintf("used %s + %s = %s exceeds the annual limit %s",
		used.StringFixed(2), p.StringFixed(2), total.StringFixed(2), row.Annual)

	if p.GreaterThan(row.Single) {
		singleMsg := fmt.Sprintf("dutiable value %s exceeds the single-transaction limit %s",
			p.StringFixed(2), row.Single)
		if lines != 1 || !singleUnit {
			return Decision{Code: errcode.OverSingleLimit, Message: singleMsg}
		}
		if overAnnual {
			return Decision{Code: errcode.OverAnnualLimit, Message: annualMsg}
		}
		return Decision{Accept: true, General: true,
			Message: singleMsg + "; single indivisible item within the annual limit: full general rates"}
	}
	if overAnnual {
		return Decision{Code: errcode.OverAnnualLimit, Message: annualMsg}
	}
	return Decision{Accept: true}
}
