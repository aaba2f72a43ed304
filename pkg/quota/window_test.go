package quota_test

import (
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cbec/cbec/pkg/quota"
)

var d = decimal.RequireFromString

// TestRecentWindowBoundaries: a list counted exactly at the instant of the
// new one is in the window, one counted exactly the window before is not
// (the window is the 24 h before, open at its far end), and one counted
// after the new one (a clock step back) is not.
func TestRecentWindowBoundaries(t *testing.T) {
	now := time.Date(2025, 3, 10, 10, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		at   time.Time
		want int
	}{
		{"at the same instant", now, 1},
		{"one nanosecond after", now.Add(time.Nanosecond), 0},
		{"just inside the window", now.Add(-24*time.Hour + time.Nanosecond), 1},
		{"exactly the window before", now.Add(-24 * time.Hour), 0},
	}
	for _, c := range cases {
		var l quota.Ledger
		l.Count("other", d("1"), nil, c.at)
		if got := l.Recent(now, 24*time.Hour, "self"); got != c.want {
			t.Errorf("%s: Recent = %d, want %d", c.name, got, c.want)
		}
	}
}

// TestGiveBackRecordsWhatWentBack: GivenBack adds up what every give-back
// returned, whole or in part; a list never counted gives nothing back.
func TestGiveBackRecordsWhatWentBack(t *testing.T) {
	at := time.Date(2025, 3, 10, 10, 0, 0, 0, time.UTC)
	var l quota.Ledger
	if got := l.GiveBack("never"); !got.IsZero() {
		t.Fatalf("a list never counted gave back %s", got)
	}
	if got := l.GiveBackPart("never", "R1", d("1"), nil); !got.IsZero() {
		t.Fatalf("a list never counted gave back %s in part", got)
	}
	l.Count("A", d("923.00"), map[string]decimal.Decimal{"17019910": d("2")}, at)
	l.GiveBackPart("A", "R1", d("615.33"), map[string]decimal.Decimal{"17019910": d("0.5")})
	e := l.Entries["A"]
	if !e.GivenBack.Equal(d("615.33")) || !e.Amount.Equal(d("307.67")) || !e.Qty["17019910"].Equal(d("1.5")) {
		t.Fatalf("after a return of 615.33: %+v", e)
	}
	if got := l.GiveBack("A"); !got.Equal(d("307.67")) {
		t.Fatalf("the rest gave back %s", got)
	}
	if !e.GivenBack.Equal(d("923.00")) || !e.Amount.IsZero() || e.Qty != nil {
		t.Fatalf("after giving back the rest: %+v", e)
	}
	if !slices.Equal(e.Returns, []string{"R1"}) {
		t.Fatalf("returns %v", e.Returns)
	}
}

// TestLists names every list counted, sorted, given back or not.
func TestLists(t *testing.T) {
	at := time.Date(2025, 3, 10, 10, 0, 0, 0, time.UTC)
	var l quota.Ledger
	if got := l.Lists(); len(got) != 0 {
		t.Fatalf("an empty ledger lists %v", got)
	}
	for _, k := range []string{"c", "a", "b"} {
		l.Count(k, d("1"), nil, at)
	}
	l.GiveBack("b")
	if got := l.Lists(); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Fatalf("Lists() = %v", got)
	}
}
