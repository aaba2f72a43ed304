package tax

import (
	"slices"
	"testing"

	"github.com/shopspring/decimal"
)

// TestApportionTakesBackFromTheMostRoundedUp pins which shares give a fen
// back when rounding every share up would leave the last one negative
// (a tiny last weight): one fen at a time from the share that was rounded
// up the most, the earliest among equals, and a share that gave a fen back
// is then the least rounded up. The order is part of the contract: the
// same list must always be split the same way, on every replica and in
// every version, or two tax bills of one list would differ.
func TestApportionTakesBackFromTheMostRoundedUp(t *testing.T) {
	cases := []struct {
		amount  string
		weights []string
		want    []string
	}{
		// 0.02/3.0001 = 0.00667 → 0.01 each: 0.03, one fen too many, from the first.
		{"0.02", []string{"1", "1", "1", "0.0001"}, []string{"0", "0.01", "0.01", "0"}},
		// 0.00571, 0.00571, 0.00857 → 0.01 each; the first two were rounded up the most.
		{"0.02", []string{"2", "2", "3", "0.0001"}, []string{"0", "0.01", "0.01", "0"}},
		// 0.00667, 0.00667, 0.01667 → 0.01, 0.01, 0.02: the third gives one back,
		// then is the least rounded up.
		{"0.03", []string{"2", "2", "5", "0.0001"}, []string{"0.01", "0.01", "0.01", "0"}},
		// 0.00615 ×4, 0.01538 → 0.01 ×4, 0.02: two fen back, from the fifth
		// (rounded up 0.00462) and then the first of the four (0.00385).
		{"0.04", []string{"2", "2", "2", "2", "5", "0.0001"}, []string{"0", "0.01", "0.01", "0.01", "0.01", "0"}},
	}
	for _, c := range cases {
		ws := make([]decimal.Decimal, len(c.weights))
		for i, w := range c.weights {
			ws[i] = d(w)
		}
		got := Apportion(d(c.amount), ws)
		if !slices.EqualFunc(got, c.want, func(g decimal.Decimal, w string) bool { return g.Equal(d(w)) }) {
			t.Errorf("Apportion(%s, %v) = %v, want %v", c.amount, c.weights, got, c.want)
		}
	}

	// TestApportionNeverNegative's list: 66 shares of 0.02 are 0.32 too
	// many, given back by the first 32.
	ws := make([]decimal.Decimal, 67)
	for i := range ws {
		ws[i] = d("1")
	}
	ws[66] = d("0.0001")
	got := Apportion(d("1.00"), ws)
	for i, s := range got {
		want := "0.02"
		switch {
		case i < 32:
			want = "0.01"
		case i == 66:
			want = "0"
		}
		if !s.Equal(d(want)) {
			t.Fatalf("share %d of 1.00 over 66 × 1 and 0.0001 is %s, want %s", i, s, want)
		}
	}
}
