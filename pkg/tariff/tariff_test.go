package tariff

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cbec/cbec/pkg/clock"
	"github.com/cbec/cbec/pkg/errcode"
)

const sample = `# SAMPLE DATA for tests
# second banner line, with, commas
` + Header + `
19011010,婴幼儿配方奶粉,0.13,0,0.15,1210|9610,2022-03-01,,,,180
3304990010,高档护肤品,0.13,0.15,0.01,1210|9610,2022-03-01,,,,
33049900,其他美容品或化妆品及护肤品,0.13,0,0.01,1210|9610,2022-03-01,,,,
22042100,葡萄酒,0.13,0.10,0.14,1210|9610,2019-01-01,2022-02-28,,,60
22042100,葡萄酒,0.13,0.10,0.14,1210,2022-03-01,,,,80
03061790,其他冻虾,0.09,0,0.05,1210,2022-03-01,,,,
10063020,精米,0.09,0,0.01,1210|9610,2022-03-01,,20,035,
15091000,初榨油橄榄油,0.09,0,0.10,1210|9610,2019-01-01,2021-12-31,,,
`

func day(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 12, 0, 0, 0, clock.Shanghai)
}

func mustLoad(t testing.TB, s string) *Table {
	t.Helper()
	tb, err := Load(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

func TestLoad(t *testing.T) {
	tb := mustLoad(t, sample)
	if tb.Len() != 8 {
		t.Fatalf("Len = %d", tb.Len())
	}
	lines := tb.Lines()
	if len(lines) != 8 || lines[0].HSCode != "03061790" || lines[len(lines)-1].HSCode != "3304990010" {
		t.Fatalf("Lines not sorted by hs_code: %v", lines)
	}
	var rice Line
	for _, l := range lines {
		if l.HSCode == "10063020" {
			rice = l
		}
	}
	if !rice.AnnualQtyLimit.Valid || rice.AnnualQtyLimit.Decimal.String() != "20" || rice.QtyUnit != "035" || rice.ReferencePrice.Valid {
		t.Errorf("rice %+v", rice)
	}
	if !rice.ValidFrom.Equal(time.Date(2022, 3, 1, 0, 0, 0, 0, clock.Shanghai)) || !rice.ValidTo.IsZero() {
		t.Errorf("rice dates %v %v", rice.ValidFrom, rice.ValidTo)
	}
	// Lines returns copies.
	lines[0].Modes[0] = "XXXX"
	if tb.Lines()[0].Modes[0] == "XXXX" {
		t.Error("Lines shares its Modes with the table")
	}
}

func TestLookup(t *testing.T) {
	tb := mustLoad(t, sample)
	cases := []struct {
		gcode, mode string
		on          time.Time
		wantHS      string
		wantCode    errcode.Code
	}{
		{"1901101000", "1210", day(2025, 3, 10), "19011010", ""},
		{"1901101000", "9610", day(2022, 3, 1), "19011010", ""},
		{"19011010", "9610", day(2022, 3, 1), "19011010", ""},
		// Longest prefix wins.
		{"3304990010", "1210", day(2025, 1, 1), "3304990010", ""},
		{"3304990090", "1210", day(2025, 1, 1), "33049900", ""},
		// Editions.
		{"2204210000", "9610", day(2022, 2, 28), "22042100", ""},
		{"2204210000", "1210", day(2022, 3, 1), "22042100", ""},
		{"2204210000", "9610", day(2022, 3, 1), "", errcode.ModeNotAllowed},
		{"2204210000", "1210", day(2018, 12, 31), "", errcode.OutsideListDates},
		{"1509100000", "1210", day(2021, 12, 31), "15091000", ""},
		{"1509100000", "1210", day(2022, 1, 1), "", errcode.OutsideListDates},
		{"1901101000", "1210", day(2022, 2, 28), "", errcode.OutsideListDates},
		// Modes.
		{"0306179000", "9610", day(2025, 3, 10), "", errcode.ModeNotAllowed},
		{"0306179000", "", day(2025, 3, 10), "", errcode.ModeNotAllowed},
		// Not on the list.
		{"8703239000", "1210", day(2025, 3, 10), "", errcode.NotOnPositiveList},
		{"1901109000", "1210", day(2025, 3, 10), "", errcode.NotOnPositiveList},
		{"1901", "1210", day(2025, 3, 10), "", errcode.NotOnPositiveList},
		{"", "1210", day(2025, 3, 10), "", errcode.NotOnPositiveList},
		{"3304990", "1210", day(2025, 3, 10), "", errcode.NotOnPositiveList},
	}
	for _, c := range cases {
		l, err := tb.Lookup(c.gcode, c.mode, c.on)
		if c.wantCode == "" {
			if err != nil || l == nil || l.HSCode != c.wantHS {
				t.Errorf("Lookup(%q, %q, %v) = %v, %v; want %s", c.gcode, c.mode, c.on, l, err, c.wantHS)
			}
			continue
		}
		var e *errcode.Error
		if l != nil || !errors.As(err, &e) || e.Code != c.wantCode {
			t.Errorf("Lookup(%q, %q, %v) = %v, %v; want code %s", c.gcode, c.mode, c.on, l, err, c.wantCode)
			continue
		}
		date := c.on.Format(DateLayout)
		if !strings.Contains(e.Message, c.gcode) || !strings.Contains(e.Message, date) || !strings.Contains(e.Message, c.mode) {
			t.Errorf("message %q does not name gcode %s, date %s and mode %s", e.Message, c.gcode, date, c.mode)
		}
	}
}

// TestLookupShanghaiDate: validity is compared on the Asia/Shanghai date.
func TestLookupShanghaiDate(t *testing.T) {
	tb := mustLoad(t, sample)
	// 2022-02-28 16:00 UTC is 2022-03-01 00:00 in Shanghai: valid.
	if _, err := tb.Lookup("1901101000", "1210", time.Date(2022, 2, 28, 16, 0, 0, 0, time.UTC)); err != nil {
		t.Error(err)
	}
	// 2022-02-28 15:59:59 UTC is still 2022-02-28 in Shanghai.
	_, err := tb.Lookup("1901101000", "1210", time.Date(2022, 2, 28, 15, 59, 59, 0, time.UTC))
	if errcode.Of(err) != errcode.OutsideListDates {
		t.Errorf("got %v", err)
	}
	// valid_to is inclusive up to the end of the day in Shanghai.
	l, err := tb.Lookup("2204210000", "9610", time.Date(2022, 2, 28, 23, 59, 59, 0, clock.Shanghai))
	if err != nil || l.ReferencePrice.Decimal.String() != "60" {
		t.Errorf("last day of edition: %v, %v", l, err)
	}
}

func TestLookupReturnsCopy(t *testing.T) {
	tb := mustLoad(t, sample)
	l, err := tb.Lookup("1901101000", "1210", day(2025, 3, 10))
	if err != nil {
		t.Fatal(err)
	}
	l.Modes[0] = "XXXX"
	l.Name = "changed"
	if l2, _ := tb.Lookup("1901101000", "1210", day(2025, 3, 10)); l2 == nil || l2.Name == "changed" {
		t.Error("Lookup shares its line with the table")
	}
}

func TestLineHelpers(t *testing.T) {
	tb := mustLoad(t, sample)
	l, err := tb.Lookup("2204210000", "1210", day(2022, 2, 1))
	if err != nil {
		t.Fatal(err)
	}
	if !l.Allows("9610") || l.Allows("9710") {
		t.Error("Allows")
	}
	if !l.ValidOn(day(2022, 2, 28)) || l.ValidOn(day(2022, 3, 1)) || l.ValidOn(day(2018, 12, 31)) {
		t.Error("ValidOn")
	}
}

func TestLoadRefuses(t *testing.T) {
	good := "19011010,奶粉,0.13,0,0.15,1210|9610,2022-03-01,,,,180"
	cases := []struct {
		name, body, want string
	}{
		{"hs short", "1901101,奶粉,0.13,0,0.15,1210,2022-03-01,,,,", "line 3, column hs_code"},
		{"hs 9 digits", "190110100,奶粉,0.13,0,0.15,1210,2022-03-01,,,,", "column hs_code"},
		{"hs letters", "1901101A,奶粉,0.13,0,0.15,1210,2022-03-01,,,,", "column hs_code"},
		{"name", "19011010, ,0.13,0,0.15,1210,2022-03-01,,,,", "column name"},
		{"vat 1", "19011010,奶粉,1,0,0.15,1210,2022-03-01,,,,", "column vat_rate"},
		{"vat text", "19011010,奶粉,13%,0,0.15,1210,2022-03-01,,,,", "column vat_rate"},
		{"vat exponent", "19011010,奶粉,1.3e-1,0,0.15,1210,2022-03-01,,,,", "column vat_rate"},
		{"vat negative", "19011010,奶粉,-0.13,0,0.15,1210,2022-03-01,,,,", "column vat_rate"},
		{"vat empty", "19011010,奶粉,,0,0.15,1210,2022-03-01,,,,", "column vat_rate"},
		{"ct 1", "19011010,奶粉,0.13,1.0,0.15,1210,2022-03-01,,,,", "column consumption_tax_rate"},
		{"duty", "19011010,奶粉,0.13,0,15,1210,2022-03-01,,,,", "column duty_rate"},
		{"modes empty", "19011010,奶粉,0.13,0,0.15,,2022-03-01,,,,", "column modes"},
		{"modes export", "19011010,奶粉,0.13,0,0.15,1210|9710,2022-03-01,,,,", "column modes"},
		{"modes twice", "19011010,奶粉,0.13,0,0.15,1210|1210,2022-03-01,,,,", "column modes"},
		{"from empty", "19011010,奶粉,0.13,0,0.15,1210,,,,,", "column valid_from"},
		{"from format", "19011010,奶粉,0.13,0,0.15,1210,2022/03/01,,,,", "column valid_from"},
		{"from impossible", "19011010,奶粉,0.13,0,0.15,1210,2022-02-30,,,,", "column valid_from"},
		{"to format", "19011010,奶粉,0.13,0,0.15,1210,2022-03-01,20221231,,,", "column valid_to"},
		{"to before from", "19011010,奶粉,0.13,0,0.15,1210,2022-03-01,2022-02-28,,,", "column valid_to"},
		{"limit zero", "19011010,奶粉,0.13,0,0.15,1210,2022-03-01,,0,035,", "column annual_qty_limit"},
		{"limit text", "19011010,奶粉,0.13,0,0.15,1210,2022-03-01,,twenty,035,", "column annual_qty_limit"},
		{"limit without unit", "19011010,奶粉,0.13,0,0.15,1210,2022-03-01,,20,,", "column qty_unit"},
		{"unit without limit", "19011010,奶粉,0.13,0,0.15,1210,2022-03-01,,,035,", "column qty_unit"},
		{"unit format", "19011010,奶粉,0.13,0,0.15,1210,2022-03-01,,20,35,", "column qty_unit"},
		{"reference price", "19011010,奶粉,0.13,0,0.15,1210,2022-03-01,,,,-1", "column reference_price"},
		{"too few columns", "19011010,奶粉,0.13,0,0.15,1210,2022-03-01,,,", "line 3: 10 columns"},
		{"too many columns", good + ",x", "line 3: 12 columns"},
		{"quote", "19011010,\"奶粉,0.13,0,0.15,1210,2022-03-01,,,,", "line 3"},
		{"comment after header", "# no comments here", "line 3"},
		// Overlapping editions of one hs_code.
		{"same start", good + "\n" + good, "line 4, column valid_from: hs_code 19011010"},
		{"open then later", "22042100,葡萄酒,0.13,0.10,0.14,1210,2019-01-01,,,,\n22042100,葡萄酒,0.13,0.10,0.14,1210,2022-03-01,,,,", "line 4, column valid_from"},
		{"touching", "22042100,葡萄酒,0.13,0.10,0.14,1210,2019-01-01,2022-03-01,,,\n22042100,葡萄酒,0.13,0.10,0.14,1210,2022-03-01,,,,", "overlaps"},
		{"earlier open", "22042100,葡萄酒,0.13,0.10,0.14,1210,2022-03-01,,,,\n22042100,葡萄酒,0.13,0.10,0.14,1210,2019-01-01,2023-01-01,,,", "overlaps"},
		// A bad row after good ones still refuses the whole file.
		{"late", good + "\n33049900,化妆品,0.13,0.15,0.01,1210|9610,2022-03-01,,,,\n33030000,香水,0.13,0.15,0.03,1210,bad,,,,", "line 5, column valid_from"},
	}
	for _, c := range cases {
		_, err := Load(strings.NewReader("# banner\n" + Header + "\n" + c.body + "\n"))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v, want %q", c.name, err, c.want)
		}
	}
}

func TestLoadHeader(t *testing.T) {
	for name, body := range map[string]string{
		"empty":        "",
		"banner only":  "# SAMPLE DATA\n",
		"wrong header": strings.Replace(Header, "vat_rate", "vat", 1) + "\n",
		"reordered":    "name,hs_code" + strings.TrimPrefix(Header, "hs_code,name") + "\n",
	} {
		if _, err := Load(strings.NewReader(body)); err == nil || !strings.Contains(err.Error(), "header") {
			t.Errorf("%s: err %v", name, err)
		}
	}
	// A byte-order mark, CRLF line ends and no final newline are accepted;
	// editions that do not overlap, and nested hs_codes, are fine.
	body := "\ufeff# banner\r\n" + Header + "\r\n" +
		"22042100,葡萄酒,0.13,0.10,0.14,1210,2019-01-01,2022-02-28,,,\r\n" +
		"22042100,葡萄酒,0.13,0.10,0.14,1210,2022-03-01,,,,\r\n" +
		"2204210010,葡萄酒 A,0.13,0.10,0.14,1210,2019-01-01,,,,"
	tb, err := Load(strings.NewReader(body))
	if err != nil || tb.Len() != 3 {
		t.Fatalf("Load: %v", err)
	}
	// No banner at all.
	if _, err := Load(strings.NewReader(Header + "\n")); err != nil {
		t.Error(err)
	}
}

func TestNilAndEmptyTable(t *testing.T) {
	var tb *Table
	if tb.Len() != 0 || tb.Lines() != nil {
		t.Error("nil table")
	}
	if _, err := tb.Lookup("1901101000", "1210", day(2025, 1, 1)); errcode.Of(err) != errcode.NotOnPositiveList {
		t.Errorf("nil table lookup: %v", err)
	}
	if _, err := (&Table{}).Lookup("1901101000", "1210", day(2025, 1, 1)); errcode.Of(err) != errcode.NotOnPositiveList {
		t.Errorf("zero table lookup: %v", err)
	}
}

func TestConcurrentLookup(t *testing.T) {
	tb := mustLoad(t, sample)
	done := make(chan struct{})
	for range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 1000 {
				if _, err := tb.Lookup("1901101000", "1210", day(2025, 3, 10)); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	for range 8 {
		<-done
	}
}

func BenchmarkLookup(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString(Header + "\n")
	// A table the size of the real list (about 1,500 lines).
	for i := range 1500 {
		fmt.Fprintf(&buf, "%08d,品名,0.13,0,0.05,1210|9610,2022-03-01,,,,\n", 10000000+i*6007)
	}
	buf.WriteString("19011010,奶粉,0.13,0,0.15,1210|9610,2022-03-01,,,,\n")
	tb, err := Load(&buf)
	if err != nil {
		b.Fatal(err)
	}
	on := day(2025, 3, 10)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tb.Lookup("1901101000", "1210", on); err != nil {
			b.Fatal(err)
		}
	}
}
