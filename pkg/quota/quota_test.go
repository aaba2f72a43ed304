package quota

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

var d = decimal.RequireFromString

func TestCountIsIdempotentAndGiveBackOnce(t *testing.T) {
	at := time.Date(2025, 3, 10, 10, 0, 0, 0, time.UTC)
	var l Ledger
	if !l.Count("A", d("923.00"), nil, at) {
		t.Fatal("first count refused")
	}
	if l.Count("A", d("923.00"), nil, at) {
		t.Fatal("second count of the same list accepted")
	}
	l.Count("B", d("100.50"), map[string]decimal.Decimal{"10063020": d("5")}, at)
	if got := l.Used(""); !got.Equal(d("1023.50")) {
		t.Fatalf("used %s", got)
	}
	if got := l.Used("A"); !got.Equal(d("100.50")) {
		t.Fatalf("used excluding A %s", got)
	}
	if got := l.UsedQty("10063020", ""); !got.Equal(d("5")) {
		t.Fatalf("qty %s", got)
	}
	if got := l.GiveBack("A"); !got.Equal(d("923.00")) {
		t.Fatalf("give back %s", got)
	}
	if got := l.GiveBack("A"); !got.IsZero() {
		t.Fatalf("second give back %s", got)
	}
	if got := l.Used(""); !got.Equal(d("100.50")) {
		t.Fatalf("used after give back %s", got)
	}
}

func TestGiveBackPartNeverTwiceNorMoreThanCounted(t *testing.T) {
	at := time.Date(2025, 3, 10, 10, 0, 0, 0, time.UTC)
	var l Ledger
	l.Count("A", d("923.00"), map[string]decimal.Decimal{"x": d("3")}, at)
	if got := l.GiveBackPart("A", "R1", d("615.33"), map[string]decimal.Decimal{"x": d("1")}); !got.Equal(d("615.33")) {
		t.Fatalf("part %s", got)
	}
	if got := l.GiveBackPart("A", "R1", d("615.33"), nil); !got.IsZero() {
		t.Fatalf("same return twice %s", got)
	}
	if got := l.GiveBackPart("A", "R2", d("500"), nil); !got.Equal(d("307.67")) {
		t.Fatalf("capped part %s", got)
	}
	if got := l.Used(""); !got.IsZero() {
		t.Fatalf("used %s", got)
	}
	if got := l.UsedQty("x", ""); !got.Equal(d("2")) {
		t.Fatalf("qty %s", got)
	}
}

func TestRecentAndYear(t *testing.T) {
	now := time.Date(2025, 3, 10, 10, 0, 0, 0, time.UTC)
	var l Ledger
	l.Count("old", d("1"), nil, now.Add(-25*time.Hour))
	l.Count("a", d("1"), nil, now.Add(-time.Hour))
	l.Count("b", d("1"), nil, now.Add(-23*time.Hour))
	l.Count("self", d("1"), nil, now)
	if got := l.Recent(now, 24*time.Hour, "self"); got != 2 {
		t.Fatalf("recent %d", got)
	}
	// 2024-12-31 16:30 UTC is 2025-01-01 00:30 in Shanghai.
	if got := Year(time.Date(2024, 12, 31, 16, 30, 0, 0, time.UTC)); got != 2025 {
		t.Fatalf("year %d", got)
	}
	if BuyerKey([]byte("s"), "130681196205023335") == BuyerKey([]byte("t"), "130681196205023335") {
		t.Fatal("key ignores the secret")
	}
}
