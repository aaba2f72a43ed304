// Package tariff is the positive list (正面清单) with the tax rates of each
// tariff line (domain §12, §13): which goods may be imported as
// cross-border e-commerce retail, through which trade modes, in which
// dated edition, and at which duty, VAT and consumption-tax rates.
//
// The table is loaded from a CSV file (the default is deploy.Tariff) and is
// read-only afterwards, so one *Table may be shared by any number of
// goroutines.
package tariff

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cbec/cbec/pkg/clock"
	"github.com/cbec/cbec/pkg/errcode"
)

// Header is the exact header row of a tariff CSV file.
const Header = "hs_code,name,vat_rate,consumption_tax_rate,duty_rate,modes,valid_from,valid_to,annual_qty_limit,qty_unit,reference_price"

// columns are Header's column names, in order.
var columns = strings.Split(Header, ",")

// Column indexes of the CSV.
const (
	colHSCode = iota
	colName
	colVAT
	colConsumption
	colDuty
	colModes
	colValidFrom
	colValidTo
	colAnnualQtyLimit
	colQtyUnit
	colReferencePrice
	numColumns
)

// DateLayout is the layout of valid_from and valid_to.
const DateLayout = "2006-01-02"

// prefixLen is the length of the index key: every hs_code has at least 8
// digits, so the first 8 digits of a gcode find every candidate row.
const prefixLen = 8

// retailModes are the trade modes a row may allow: the import messages
// carry 9610 (direct purchase) or 1210 (bonded) only (domain §1; 1239 is
// declared as 1210 in the pilot cities such as Chongqing).
var retailModes = map[string]bool{"1210": true, "9610": true}

// Line is one row of the table: one edition of a tariff line.
type Line struct {
	// HSCode is the 8- or 10-digit code the row covers; it matches every
	// gcode it prefixes.
	HSCode string
	// Name is the goods description.
	Name string
	// VAT, Consumption and Duty are ad-valorem rates in [0, 1), such as 0.13.
	VAT, Consumption, Duty decimal.Decimal
	// Modes are the trade modes allowed, e.g. ["1210", "9610"].
	Modes []string
	// ValidFrom is the first day of the edition, midnight Asia/Shanghai.
	ValidFrom time.Time
	// ValidTo is the last day of the edition (inclusive), midnight
	// Asia/Shanghai; zero means open-ended.
	ValidTo time.Time
	// AnnualQtyLimit is the quantity one buyer may import per year (§13
	// remarks, e.g. rice 20 kg); absent means no limit.
	AnnualQtyLimit decimal.NullDecimal
	// QtyUnit is the JGS-20 unit of AnnualQtyLimit, e.g. "035" (kg); set
	// exactly when AnnualQtyLimit is.
	QtyUnit string
	// ReferencePrice is a typical unit price in CNY, for risk rules that
	// flag declared prices far below it; absent means none.
	ReferencePrice decimal.NullDecimal
}

// Allows reports whether the line lists the trade mode.
func (l *Line) Allows(tradeMode string) bool { return slices.Contains(l.Modes, tradeMode) }

// ValidOn reports whether the line's edition covers the Asia/Shanghai
// calendar date of t.
func (l *Line) ValidOn(t time.Time) bool {
	day := dayOf(t)
	return dayOf(l.ValidFrom) <= day && (l.ValidTo.IsZero() || day <= dayOf(l.ValidTo))
}

// row is a loaded line with its validity as day numbers for quick
// comparison.
type row struct {
	line     Line
	from, to int // YYYYMMDD; to 0 = open-ended
}

// group holds the editions of one hs_code, sorted by from.
type group struct {
	hs   string
	rows []*row
}

// Table is a loaded tariff table. The zero Table is empty.
type Table struct {
	rows []*row // sorted by hs_code, then valid_from
	// index maps the first 8 digits of an hs_code to its groups, longest
	// hs_code first, so a lookup tests a handful of rows, never the table.
	index map[string][]*group
}

// Load reads a tariff CSV: optional lines starting with "#" (a banner such
// as "# SAMPLE DATA"), then the exact Header, then one row per edition of a
// tariff line. It refuses the whole file at the first bad row, with an
// error naming the line number and the column, and refuses two editions of
// one hs_code whose date ranges overlap.
func Load(r io.Reader) (*Table, error) {
	br := bufio.NewReader(r)
	skipped, err := skipBanner(br)
	if err != nil {
		return nil, err
	}

	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1 // counted below, for an error that names the line
	cr.ReuseRecord = true

	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("tariff: line %d: missing header %q", skipped+1, Header)
	}
	if err != nil {
		return nil, csvError(err, skipped)
	}
	if got := strings.Join(header, ","); got != Header {
		return nil, fmt.Errorf("tariff: line %d: header is %q, want %q", skipped+1, got, Header)
	}

	t := &Table{index: map[string][]*group{}}
	byHS := map[string]*group{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvError(err, skipped)
		}
		lineNo, _ := cr.FieldPos(0)
		lineNo += skipped
		if len(rec) != numColumns {
			return nil, fmt.Errorf("tariff: line %d: %d columns, want %d", lineNo, len(rec), numColumns)
		}
		rw, col, err := parseRow(rec)
		if err != nil {
			return nil, fmt.Errorf("tariff: line %d, column %s: %w", lineNo, columns[col], err)
		}
		g := byHS[rw.line.HSCode]
		if g == nil {
			g = &group{hs: rw.line.HSCode}
			byHS[g.hs] = g
			key := g.hs[:prefixLen]
			t.index[key] = append(t.index[key], g)
		}
		for _, o := range g.rows {
			if overlaps(o, rw) {
				return nil, fmt.Errorf("tariff: line %d, column %s: hs_code %s from %s to %s overlaps its edition from %s to %s",
					lineNo, columns[colValidFrom], g.hs, rw.line.ValidFrom.Format(DateLayout), toText(rw.line.ValidTo),
					o.line.ValidFrom.Format(DateLayout), toText(o.line.ValidTo))
			}
		}
		g.rows = append(g.rows, rw)
		t.rows = append(t.rows, rw)
	}

	for _, gs := range t.index {
		// Longest hs_code first: the first group that prefixes a gcode is
		// its longest match.
		slices.SortFunc(gs, func(a, b *group) int {
			if len(a.hs) != len(b.hs) {
				return len(b.hs) - len(a.hs)
			}
			return strings.Compare(a.hs, b.hs)
		})
		for _, g := range gs {
			slices.SortFunc(g.rows, func(a, b *row) int { return a.from - b.from })
		}
	}
	slices.SortStableFunc(t.rows, func(a, b *row) int {
		if c := strings.Compare(a.line.HSCode, b.line.HSCode); c != 0 {
			return c
		}
		return a.from - b.from
	})
	return t, nil
}

// skipBanner consumes a byte-order mark and the lines starting with "#"
// before the header, which CSV itself cannot express, and returns how many
// lines it skipped. Only the top of the file may carry them: a "#" in a
// data row is data (and an invalid hs_code).
func skipBanner(br *bufio.Reader) (int, error) {
	// A spreadsheet may save the file with a UTF-8 byte-order mark.
	if b, err := br.Peek(3); err == nil && string(b) == "\ufeff" {
		_, _ = br.Discard(3)
	}
	n := 0
	for {
		b, err := br.Peek(1)
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, fmt.Errorf("tariff: %w", err)
		}
		if b[0] != '#' {
			return n, nil
		}
		if _, err := br.ReadString('\n'); err != nil && !errors.Is(err, io.EOF) {
			return n, fmt.Errorf("tariff: %w", err)
		}
		n++
	}
}

// csvError renumbers a CSV syntax error by the skipped banner lines.
func csvError(err error, skipped int) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		col := "?"
		if pe.Column >= 1 && pe.Column-1 < len(columns) {
			col = columns[pe.Column-1]
		}
		return fmt.Errorf("tariff: line %d, column %s: %w", pe.Line+skipped, col, pe.Err)
	}
	return fmt.Errorf("tariff: %w", err)
}

// parseRow validates one record; on error it returns the offending column.
func parseRow(rec []string) (*row, int, error) {
	var l Line
	l.HSCode = strings.TrimSpace(rec[colHSCode])
	if n := len(l.HSCode); (n != 8 && n != 10) || !allDigits(l.HSCode) {
		return nil, colHSCode, fmt.Errorf("%q is not 8 or 10 digits", rec[colHSCode])
	}
	l.Name = strings.TrimSpace(rec[colName])
	if l.Name == "" {
		return nil, colName, errors.New("empty")
	}
	var err error
	if l.VAT, err = parseRate(rec[colVAT]); err != nil {
		return nil, colVAT, err
	}
	if l.Consumption, err = parseRate(rec[colConsumption]); err != nil {
		return nil, colConsumption, err
	}
	if l.Duty, err = parseRate(rec[colDuty]); err != nil {
		return nil, colDuty, err
	}
	if l.Modes, err = parseModes(rec[colModes]); err != nil {
		return nil, colModes, err
	}

	rw := &row{}
	if l.ValidFrom, rw.from, err = parseDate(rec[colValidFrom]); err != nil {
		return nil, colValidFrom, err
	}
	if s := strings.TrimSpace(rec[colValidTo]); s != "" {
		if l.ValidTo, rw.to, err = parseDate(s); err != nil {
			return nil, colValidTo, err
		}
		if rw.to < rw.from {
			return nil, colValidTo, fmt.Errorf("%s is before valid_from %s", s, rec[colValidFrom])
		}
	}

	if l.AnnualQtyLimit, err = parsePositive(rec[colAnnualQtyLimit]); err != nil {
		return nil, colAnnualQtyLimit, err
	}
	l.QtyUnit = strings.TrimSpace(rec[colQtyUnit])
	switch {
	case l.QtyUnit != "" && (len(l.QtyUnit) != 3 || !allDigits(l.QtyUnit)):
		return nil, colQtyUnit, fmt.Errorf("%q is not a 3-digit JGS-20 unit code", l.QtyUnit)
	case l.AnnualQtyLimit.Valid && l.QtyUnit == "":
		return nil, colQtyUnit, errors.New("required when annual_qty_limit is set")
	case !l.AnnualQtyLimit.Valid && l.QtyUnit != "":
		// A unit without a limit would be read as a limit someone forgot.
		return nil, colQtyUnit, errors.New("set without annual_qty_limit")
	}
	if l.ReferencePrice, err = parsePositive(rec[colReferencePrice]); err != nil {
		return nil, colReferencePrice, err
	}
	rw.line = l
	return rw, 0, nil
}

var one = decimal.NewFromInt(1)

// parseRate parses a rate in [0, 1). A rate of 1 or more is refused: the
// consumption tax formula divides by 1 − c, and no ad-valorem duty or VAT
// of the retail list reaches 100 %.
func parseRate(s string) (decimal.Decimal, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return decimal.Decimal{}, errors.New("empty")
	}
	if !isPlainDecimal(s) {
		return decimal.Decimal{}, fmt.Errorf("%q is not a decimal such as 0.13", s)
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Decimal{}, fmt.Errorf("%q is not a decimal such as 0.13", s)
	}
	if d.IsNegative() || d.GreaterThanOrEqual(one) {
		return decimal.Decimal{}, fmt.Errorf("%s is not in [0, 1)", s)
	}
	return d, nil
}

// parsePositive parses an optional positive decimal; empty is absent.
func parsePositive(s string) (decimal.NullDecimal, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return decimal.NullDecimal{}, nil
	}
	d, err := decimal.NewFromString(s)
	if err != nil || !isPlainDecimal(s) {
		return decimal.NullDecimal{}, fmt.Errorf("%q is not a decimal", s)
	}
	if !d.IsPositive() {
		return decimal.NullDecimal{}, fmt.Errorf("%s is not positive", s)
	}
	return decimal.NewNullDecimal(d), nil
}

// parseModes parses "1210|9610".
func parseModes(s string) ([]string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New("empty")
	}
	modes := strings.Split(s, "|")
	for i, m := range modes {
		m = strings.TrimSpace(m)
		if !retailModes[m] {
			return nil, fmt.Errorf("%q is not a retail import trade mode (1210, 9610)", m)
		}
		if slices.Contains(modes[:i], m) {
			return nil, fmt.Errorf("%s listed twice", m)
		}
		modes[i] = m
	}
	return modes, nil
}

// parseDate parses YYYY-MM-DD as midnight Asia/Shanghai and its day number.
func parseDate(s string) (time.Time, int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, 0, errors.New("empty")
	}
	t, err := time.ParseInLocation(DateLayout, s, clock.Shanghai)
	if err != nil {
		return time.Time{}, 0, fmt.Errorf("%q is not a date YYYY-MM-DD", s)
	}
	return t, dayOf(t), nil
}

// dayOf is t's Asia/Shanghai calendar date as YYYYMMDD, which orders like
// the dates themselves (D15).
func dayOf(t time.Time) int {
	y, m, d := t.In(clock.Shanghai).Date()
	return y*10000 + int(m)*100 + d
}

// overlaps reports whether two editions share a day.
func overlaps(a, b *row) bool {
	return (a.to == 0 || b.from <= a.to) && (b.to == 0 || a.from <= b.to)
}

func toText(t time.Time) string {
	if t.IsZero() {
		return "open end"
	}
	return t.Format(DateLayout)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// isPlainDecimal accepts digits with at most one dot: decimal.NewFromString
// would also take exponents and signs, which a hand-edited table should
// not carry.
func isPlainDecimal(s string) bool {
	digits, dot := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot:
			dot = true
		default:
			return false
		}
	}
	return digits > 0
}

// Lookup returns the row that governs gcode under tradeMode on the
// Asia/Shanghai calendar date of on: among the rows whose hs_code
// prefixes gcode, the longest hs_code wins, then its edition valid on
// that date. The errors, each an *errcode.Error naming gcode, date and
// mode, are:
//
//   - errcode.NotOnPositiveList: no hs_code prefixes gcode;
//   - errcode.OutsideListDates: the matching hs_code has no edition valid
//     on the date (a shorter hs_code is not consulted: the longer one is
//     the more specific rule);
//   - errcode.ModeNotAllowed: the valid edition does not list tradeMode.
//
// The returned Line is a copy the caller may keep and modify.
func (t *Table) Lookup(gcode, tradeMode string, on time.Time) (*Line, error) {
	// The date text is only built on the error paths: Lookup runs for
	// every line of every declaration.
	date := func() string { return on.In(clock.Shanghai).Format(DateLayout) }
	day := dayOf(on)
	g := t.match(gcode)
	if g == nil {
		return nil, errcode.New(errcode.NotOnPositiveList,
			"gcode %q is not on the positive list (declared %s, trade mode %s)", gcode, date(), tradeMode)
	}
	var found *row
	for _, r := range g.rows {
		if r.from <= day && (r.to == 0 || day <= r.to) {
			found = r
			break
		}
	}
	if found == nil {
		return nil, errcode.New(errcode.OutsideListDates,
			"gcode %s: positive-list line %s has no edition valid on %s (trade mode %s)", gcode, g.hs, date(), tradeMode)
	}
	if !slices.Contains(found.line.Modes, tradeMode) {
		return nil, errcode.New(errcode.ModeNotAllowed,
			"gcode %s: positive-list line %s does not allow trade mode %q on %s (allowed: %s)",
			gcode, g.hs, tradeMode, date(), strings.Join(found.line.Modes, ", "))
	}
	l := found.line
	l.Modes = slices.Clone(l.Modes)
	return &l, nil
}

// match returns the group of the longest hs_code prefixing gcode, or nil.
func (t *Table) match(gcode string) *group {
	if t == nil || len(gcode) < prefixLen {
		return nil
	}
	for _, g := range t.index[gcode[:prefixLen]] {
		if strings.HasPrefix(gcode, g.hs) {
			return g
		}
	}
	return nil
}

// Len returns the number of rows (editions) in the table.
func (t *Table) Len() int {
	if t == nil {
		return 0
	}
	return len(t.rows)
}

// Lines returns a copy of every row, sorted by hs_code and then valid_from.
func (t *Table) Lines() []Line {
	if t == nil {
		return nil
	}
	out := make([]Line, len(t.rows))
	for i, r := range t.rows {
		out[i] = r.line
		out[i].Modes = slices.Clone(r.line.Modes)
	}
	return out
}
