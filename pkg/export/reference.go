package export

import (
	"errors"
	"fmt"
	"github.com/cbec/cbec/pkg/refdata"
	"io"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/clock"
	"github.com/cbec/cbec/pkg/errcode"
)

// cnyPlaces is the scale of a converted CNY amount: the fen.
const cnyPlaces = 2

// Reference is the loaded export reference data (--export; the binary
// passes in the embedded default, deploy.Export, when none is given): the dated rate table to CNY (D11), the prohibited
// and the simplified-declaration HS prefixes, and the export trade modes.
// It is immutable and safe for concurrent use.
type Reference struct {
	rates      map[string][]Rate // per currency code, ascending From
	prohibited []Prefix          // longest prefix first
	simplified []Prefix          // longest prefix first
	modes      map[string]Mode
}

// Rate is one row of the rate table: from From (midnight Asia/Shanghai)
// until the next row of the same code, one unit of currency Code is worth
// Rate CNY.
type Rate struct {
	Code string
	Name string
	From time.Time
	Rate decimal.Decimal
}

// Prefix is an HS prefix (4 to 10 digits) of the prohibited or simplified
// list, with the reason it is listed.
type Prefix struct {
	Prefix string
	Reason string
}

// Document names a document an export list waits for besides itself.
type Document string

// The documents of Mode.Documents.
const (
	DocOrder   Document = "order"   // CEB303 order
	DocReceipt Document = "receipt" // CEB403 receipt of payment
	DocWaybill Document = "waybill" // CEB505 waybill
)

// Mode is an export trade mode (domain §1) as the reference data defines
// it: the order types allowed with it, the documents a list of the mode
// waits for, and the InventoryHead and InventoryList elements (XML names)
// that must not be blank.
type Mode struct {
	Code       string
	Name       string
	OrderTypes []string
	Documents  []Document
	Head       []string
	Lines      []string
}

// Needs reports whether a list of the mode waits for document d.
func (m Mode) Needs(d Document) bool { return slices.Contains(m.Documents, d) }

// headFields are the InventoryHead elements a mode may require.
var headFields = map[string]func(h *ceb.ExportInventoryHead) string{
	"trafName":       func(h *ceb.ExportInventoryHead) string { return h.TrafName },
	"voyageNo":       func(h *ceb.ExportInventoryHead) string { return h.VoyageNo },
	"billNo":         func(h *ceb.ExportInventoryHead) string { return h.BillNo },
	"emsNo":          func(h *ceb.ExportInventoryHead) string { return h.EmsNo },
	"iacCode":        func(h *ceb.ExportInventoryHead) string { return h.IacCode },
	"iacName":        func(h *ceb.ExportInventoryHead) string { return h.IacName },
	"licenseNo":      func(h *ceb.ExportInventoryHead) string { return h.LicenseNo },
	"loctNo":         func(h *ceb.ExportInventoryHead) string { return h.LoctNo },
	"totalPackageNo": func(h *ceb.ExportInventoryHead) string { return h.TotalPackageNo },
}

// lineFields are the InventoryList elements a mode may require.
var lineFields = map[string]func(l *ceb.ExportInventoryList) string{
	"itemRecordNo": func(l *ceb.ExportInventoryList) string { return l.ItemRecordNo },
	"itemName":     func(l *ceb.ExportInventoryList) string { return l.ItemName },
}

// file mirrors the YAML. Dates and rates are read as text and parsed here,
// so that errors name the row and a rate never passes through a float.
type file struct {
	Currencies []currencyRow `yaml:"currencies"`
	Prohibited []prefixRow   `yaml:"prohibited"`
	Simplified []prefixRow   `yaml:"simplified"`
	Modes      []modeRow     `yaml:"modes"`
}

type currencyRow struct {
	Code string `yaml:"code"`
	Name string `yaml:"name"`
	From string `yaml:"from"`
	Rate string `yaml:"rate"`
}

type prefixRow struct {
	Prefix string `yaml:"prefix"`
	Reason string `yaml:"reason"`
}

type modeRow struct {
	Code       string   `yaml:"code"`
	Name       string   `yaml:"name"`
	OrderTypes []string `yaml:"orderTypes"`
	Documents  []string `yaml:"documents"`
	Head       []string `yaml:"head"`
	Lines      []string `yaml:"lines"`
}

var (
	reCurrency = regexp.MustCompile(`^[0-9]{3}$`)
	rePrefix   = regexp.MustCompile(`^[0-9]{4,10}$`)
	reMode     = regexp.MustCompile(`^[0-9]{4}$`)
)

// Load reads export reference data. It is strict: an unknown key, a
// second YAML document, a missing or invalid field (currency code not 3
// digits, date not YYYY-MM-DD, rate not a positive decimal, prefix not 4–10
// digits, unknown order type, document or element name), a duplicate row
// (same currency and date, same prefix in a list, same mode) or an empty
// section refuses the whole file, and the error names the row.
func Load(r io.Reader) (*Reference, error) {
	ref, err := load(r)
	if err != nil {
		return nil, fmt.Errorf("export reference data: %w", err)
	}
	return ref, nil
}

func load(r io.Reader) (*Reference, error) {
	var f file
	if err := refdata.Decode(r, &f); err != nil {
		return nil, err
	}
	ref := &Reference{}
	var err error
	if ref.rates, err = loadRates(f.Currencies); err != nil {
		return nil, err
	}
	if ref.prohibited, err = loadPrefixes("prohibited", f.Prohibited); err != nil {
		return nil, err
	}
	if ref.simplified, err = loadPrefixes("simplified", f.Simplified); err != nil {
		return nil, err
	}
	if ref.modes, err = loadModes(f.Modes); err != nil {
		return nil, err
	}
	return ref, nil
}

func loadRates(rows []currencyRow) (map[string][]Rate, error) {
	if len(rows) == 0 {
		return nil, errors.New("currencies: no rows")
	}
	out := map[string][]Rate{}
	names := map[string]string{}
	for i, row := range rows {
		if !reCurrency.MatchString(row.Code) {
			return nil, fmt.Errorf("currencies[%d]: code %q is not a 3-digit JGS-20 currency code", i, row.Code)
		}
		if strings.TrimSpace(row.Name) == "" {
			return nil, fmt.Errorf("currencies[%d] (%s): no name", i, row.Code)
		}
		if n, ok := names[row.Code]; ok && n != row.Name {
			return nil, fmt.Errorf("currencies[%d] (%s): name %q differs from %q of an earlier row", i, row.Code, row.Name, n)
		}
		names[row.Code] = row.Name
		from, err := time.ParseInLocation(time.DateOnly, row.From, clock.Shanghai)
		if err != nil {
			return nil, fmt.Errorf("currencies[%d] (%s): from %q is not a date YYYY-MM-DD", i, row.Code, row.From)
		}
		rate, err := decimal.NewFromString(row.Rate)
		if err != nil {
			return nil, fmt.Errorf("currencies[%d] (%s from %s): rate %q is not a decimal", i, row.Code, row.From, row.Rate)
		}
		if !rate.IsPositive() {
			return nil, fmt.Errorf("currencies[%d] (%s from %s): rate %s is not positive", i, row.Code, row.From, row.Rate)
		}
		for _, prev := range out[row.Code] {
			if prev.From.Equal(from) {
				return nil, fmt.Errorf("currencies[%d]: a second row of %s from %s", i, row.Code, row.From)
			}
		}
		out[row.Code] = append(out[row.Code], Rate{Code: row.Code, Name: row.Name, From: from, Rate: rate})
	}
	for _, rs := range out {
		sort.Slice(rs, func(a, b int) bool { return rs[a].From.Before(rs[b].From) })
	}
	return out, nil
}

func loadPrefixes(section string, rows []prefixRow) ([]Prefix, error) {
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s: no rows", section)
	}
	seen := map[string]bool{}
	out := make([]Prefix, 0, len(rows))
	for i, row := range rows {
		if !rePrefix.MatchString(row.Prefix) {
			return nil, fmt.Errorf("%s[%d]: prefix %q is not 4 to 10 digits", section, i, row.Prefix)
		}
		if strings.TrimSpace(row.Reason) == "" {
			return nil, fmt.Errorf("%s[%d] (%s): no reason", section, i, row.Prefix)
		}
		if seen[row.Prefix] {
			return nil, fmt.Errorf("%s[%d]: prefix %s listed twice", section, i, row.Prefix)
		}
		seen[row.Prefix] = true
		out = append(out, Prefix(row))
	}
	// Longest first, so that a match is the most specific row; then by
	// prefix, so that the order does not depend on the file's.
	sort.Slice(out, func(a, b int) bool {
		if len(out[a].Prefix) != len(out[b].Prefix) {
			return len(out[a].Prefix) > len(out[b].Prefix)
		}
		return out[a].Prefix < out[b].Prefix
	})
	return out, nil
}

func loadModes(rows []modeRow) (map[string]Mode, error) {
	if len(rows) == 0 {
		return nil, errors.New("modes: no rows")
	}
	out := map[string]Mode{}
	for i, row := range rows {
		if !reMode.MatchString(row.Code) {
			return nil, fmt.Errorf("modes[%d]: code %q is not a 4-digit trade mode", i, row.Code)
		}
		where := fmt.Sprintf("modes[%d] (%s)", i, row.Code)
		if _, dup := out[row.Code]; dup {
			return nil, fmt.Errorf("%s: mode listed twice", where)
		}
		if strings.TrimSpace(row.Name) == "" {
			return nil, fmt.Errorf("%s: no name", where)
		}
		if len(row.OrderTypes) == 0 {
			return nil, fmt.Errorf("%s: no orderTypes", where)
		}
		for _, t := range row.OrderTypes {
			if t != "E" && t != "B" && t != "W" {
				return nil, fmt.Errorf("%s: orderType %q is not E, B or W", where, t)
			}
		}
		m := Mode{Code: row.Code, Name: row.Name, OrderTypes: row.OrderTypes, Head: row.Head, Lines: row.Lines}
		for _, d := range row.Documents {
			switch Document(d) {
			case DocOrder, DocReceipt, DocWaybill:
				m.Documents = append(m.Documents, Document(d))
			default:
				return nil, fmt.Errorf("%s: document %q is not order, receipt or waybill", where, d)
			}
		}
		for _, h := range row.Head {
			if headFields[h] == nil {
				return nil, fmt.Errorf("%s: head element %q is not one of %s", where, h, keys(headFields))
			}
		}
		for _, l := range row.Lines {
			if lineFields[l] == nil {
				return nil, fmt.Errorf("%s: lines element %q is not one of %s", where, l, keys(lineFields))
			}
		}
		out[row.Code] = m
	}
	return out, nil
}

func keys[V any](m map[string]V) string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ", ")
}

// ToCNY converts amount in currency (JGS-20 code) to CNY with the rate of
// the day of on in Asia/Shanghai (the latest row from on or before that
// day, D11), rounded half-up to the fen. It returns an *errcode.Error:
// CurrencyUnknown when the table has no row of the currency,
// CurrencyNoRate when its first row starts after that day.
func (r *Reference) ToCNY(amount decimal.Decimal, currency string, on time.Time) (decimal.Decimal, error) {
	rate, err := r.Rate(currency, on)
	if err != nil {
		return decimal.Decimal{}, err
	}
	// Amounts are never negative, so Round's half-away-from-zero is half-up.
	return amount.Mul(rate.Rate).Round(cnyPlaces), nil
}

// Rate returns the row of the rate table that applies to currency on the
// day of on in Asia/Shanghai, with the errors of ToCNY.
func (r *Reference) Rate(currency string, on time.Time) (Rate, error) {
	rs, ok := r.rates[currency]
	if !ok {
		return Rate{}, errcode.New(errcode.CurrencyUnknown,
			"currency %q is not in the rate table", currency)
	}
	// Rows start at midnight Shanghai, so comparing instants compares days.
	k := sort.Search(len(rs), func(i int) bool { return rs[i].From.After(on) })
	if k == 0 {
		return Rate{}, errcode.New(errcode.CurrencyNoRate,
			"currency %s (%s) has no rate on %s; the first is from %s",
			currency, rs[0].Name, on.In(clock.Shanghai).Format(time.DateOnly), rs[0].From.Format(time.DateOnly))
	}
	return rs[k-1], nil
}

// Mode returns the export trade mode code (tradeMode) and whether the
// reference data defines it.
func (r *Reference) Mode(code string) (Mode, bool) {
	m, ok := r.modes[code]
	return m, ok
}

// Prohibited returns the most specific prohibited-export prefix gcode
// starts with, if any.
func (r *Reference) Prohibited(gcode string) (Prefix, bool) { return match(r.prohibited, gcode) }

// Simplified returns the most specific prefix of the goods that may not
// use statisticsFlag A that gcode starts with, if any.
func (r *Reference) Simplified(gcode string) (Prefix, bool) { return match(r.simplified, gcode) }

func match(ps []Prefix, gcode string) (Prefix, bool) {
	for _, p := range ps {
		if strings.HasPrefix(gcode, p.Prefix) {
			return p, true
		}
	}
	return Prefix{}, false
}
