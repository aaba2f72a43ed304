package limit

import (
	"strings"
	"testing"
	"time"

	"github.com/cbec/cbec/pkg/clock"
	"github.com/cbec/cbec/pkg/errcode"
	"github.com/shopspring/decimal"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func day(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02", s, clock.Shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

var (
	row2016 = Row{From: day("2016-04-08"), Single: d("2000"), Annual: d("20000")}
	row2019 = Row{From: day("2019-01-01"), Single: d("5000"), Annual: d("26000")}
)

func TestCheck(t *testing.T) {
	tests := []struct {
		name       string
		row        Row
		p, used    string
		lines      int
		singleUnit bool
		accept     bool
		general    bool
		code       errcode.Code
		msg        string
	}{
		{name: "within limits", row: row2019, p: "574.00", used: "0", lines: 2, accept: true},
		{name: "single boundary passes", row: row2019, p: "5000.00", used: "0", lines: 3, accept: true},
		{name: "annual boundary passes", row: row2019, p: "1000.00", used: "25000.00", lines: 2, accept: true},
		{name: "both boundaries pass", row: row2019, p: "5000", used: "21000", lines: 1, singleUnit: true, accept: true},
		{name: "just over single, several lines", row: row2019, p: "5000.01", used: "0", lines: 2,
			code: errcode.OverSingleLimit, msg: "dutiable value 5000.01 exceeds the single-transaction limit 5000"},
		{name: "over annual within single", row: row2019, p: "1000.00", used: "25000.01", lines: 2,
			code: errcode.OverAnnualLimit, msg: "used 25000.01 + 1000.00 = 26000.01 exceeds the annual limit 26000"},
		{name: "single item at annual boundary: general", row: row2019, p: "6000", used: "20000", lines: 1, singleUnit: true,
			accept: true, general: true},
		{name: "over single and over annual, several lines: -621005", row: row2019, p: "6000", used: "25000", lines: 2,
			code: errcode.OverSingleLimit},

		// Worked example 2 of domain §12.
		{name: "example 2: single item, used 15000", row: row2019, p: "6000.00", used: "15000.00", lines: 1, singleUnit: true,
			accept: true, general: true, msg: "dutiable value 6000.00 exceeds the single-transaction limit 5000"},
		{name: "example 2: single item, used 20500 (D20)", row: row2019, p: "6000.00", used: "20500.00", lines: 1, singleUnit: true,
			code: errcode.OverAnnualLimit, msg: "used 20500.00 + 6000.00 = 26500.00 exceeds the annual limit 26000"},
		{name: "example 2: split over two lines", row: row2019, p: "6000.00", used: "15000.00", lines: 2, singleUnit: false,
			code: errcode.OverSingleLimit, msg: "dutiable value 6000.00 exceeds the single-transaction limit 5000"},
		{name: "example 2: one line qty 2", row: row2019, p: "6000.00", used: "15000.00", lines: 1, singleUnit: false,
			code: errcode.OverSingleLimit},

		// The 2016 row.
		{name: "2016 row: 2000 passes", row: row2016, p: "2000.00", used: "18000.00", lines: 2, accept: true},
		{name: "2016 row: over single", row: row2016, p: "2000.01", used: "0", lines: 2, code: errcode.OverSingleLimit,
			msg: "exceeds the single-transaction limit 2000"},
		{name: "2016 row: over annual", row: row2016, p: "1000", used: "19500", lines: 2, code: errcode.OverAnnualLimit,
			msg: "exceeds the annual limit 20000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Check(tt.row, d(tt.p), d(tt.used), tt.lines, tt.singleUnit)
			if got.Accept != tt.accept || got.General != tt.general || got.Code != tt.code {
				t.Fatalf("Check = %+v, want accept %v general %v code %q", got, tt.accept, tt.general, tt.code)
			}
			if !strings.Contains(got.Message, tt.msg) {
				t.Errorf("message %q does not contain %q", got.Message, tt.msg)
			}
			if !tt.accept && got.Message == "" {
				t.Error("a rejection carries no message")
			}
		})
	}
}

func TestTableAt(t *testing.T) {
	// Given out of order on purpose: the table sorts.
	tab, err := NewTable([]Row{row2019, row2016})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		on      time.Time
		single  string
		wantErr bool
	}{
		{on: day("2016-04-07"), wantErr: true},
		{on: day("2016-04-08"), single: "2000"},
		{on: day("2018-06-15").Add(13 * time.Hour), single: "2000"},
		{on: day("2018-12-31").Add(23*time.Hour + 59*time.Minute), single: "2000"},
		{on: day("2019-01-01"), single: "5000"},
		// 2018-12-31 16:00 UTC is already 2019-01-01 in Shanghai.
		{on: time.Date(2018, 12, 31, 16, 0, 0, 0, time.UTC), single: "5000"},
		{on: time.Date(2018, 12, 31, 15, 59, 59, 0, time.UTC), single: "2000"},
		{on: day("2030-01-01"), single: "5000"},
	}
	for _, tt := range tests {
		got, err := tab.At(tt.on)
		if tt.wantErr {
			if err == nil || !strings.Contains(err.Error(), "2016-04-08") {
				t.Errorf("At(%v) = %+v, %v; want an error naming the first row", tt.on, got, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("At(%v): %v", tt.on, err)
		}
		if !got.Single.Equal(d(tt.single)) {
			t.Errorf("At(%v).Single = %s, want %s", tt.on, got.Single, tt.single)
		}
	}
}

func TestTable2016RowFor2018(t *testing.T) {
	tab, err := NewTable([]Row{row2016, row2019})
	if err != nil {
		t.Fatal(err)
	}
	row, err := tab.At(day("2018-03-01"))
	if err != nil {
		t.Fatal(err)
	}
	if !row.Single.Equal(d("2000")) || !row.Annual.Equal(d("20000")) {
		t.Fatalf("2018 row = %s / %s, want 2000 / 20000", row.Single, row.Annual)
	}
	// A 3000 single item that the 2019 row would let through at CBEC rates
	// is, in 2018, over the single limit.
	if got := Check(row, d("3000"), d("0"), 2, false); got.Code != errcode.OverSingleLimit {
		t.Fatalf("2018 check = %+v, want -621005", got)
	}
}

func TestNewTableRefuses(t *testing.T) {
	tests := []struct {
		name string
		rows []Row
		want string
	}{
		{"empty", nil, "no rows"},
		{"zero date", []Row{{Single: d("1"), Annual: d("2")}}, "no effective date"},
		{"duplicate date", []Row{row2019, {From: day("2019-01-01").Add(5 * time.Hour), Single: d("1"), Annual: d("2")}}, "two rows from 2019-01-01"},
		{"zero single", []Row{{From: day("2019-01-01"), Single: d("0"), Annual: d("2")}}, "single limit 0 is not positive"},
		{"negative annual", []Row{{From: day("2019-01-01"), Single: d("1"), Annual: d("-2")}}, "annual limit -2 is not positive"},
		{"single above annual", []Row{{From: day("2019-01-01"), Single: d("3"), Annual: d("2")}}, "single limit 3 exceeds annual limit 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewTable(tt.rows)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("NewTable error = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestRowsNormalised(t *testing.T) {
	tab, err := NewTable([]Row{{From: time.Date(2019, 1, 1, 3, 0, 0, 0, time.UTC), Single: d("5000"), Annual: d("26000")}})
	if err != nil {
		t.Fatal(err)
	}
	rows := tab.Rows()
	if !rows[0].From.Equal(day("2019-01-01")) {
		t.Fatalf("From = %v, want midnight 2019-01-01 Asia/Shanghai", rows[0].From)
	}
	rows[0].Single = d("1")
	if r, _ := tab.At(day("2019-01-02")); !r.Single.Equal(d("5000")) {
		t.Fatal("Rows exposed the table's own slice")
	}
}
