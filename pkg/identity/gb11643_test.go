package identity_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/cbec/cbec/pkg/clock"
	"github.com/cbec/cbec/pkg/identity"
)

// The GB 11643-1999 check character, stated here again from the standard
// (ISO 7064 MOD 11-2) and not from the package's tables, so that a wrong
// weight or a wrong table entry in the package cannot hide behind a test
// that asks the package what the right answer is.
//
// Digit i of the first 17 (i = 0 … 16) has weight 2^(17−i) mod 11. The
// check character a18 has weight 2^0 = 1 and is chosen so that the
// weighted sum of all 18 is ≡ 1 (mod 11): with S the sum of the first 17,
// a18 = (1 − S) mod 11 = (12 − S mod 11) mod 11, written X when it is 10.

// oracleWeight is 2^(17−i) mod 11, by repeated doubling.
func oracleWeight(i int) int {
	w := 1
	for range 17 - i {
		w = w * 2 % 11
	}
	return w
}

// oracleSum is S, the weighted sum of the first 17 digits.
func oracleSum(first17 string) int {
	s := 0
	for i := range 17 {
		s += int(first17[i]-'0') * oracleWeight(i)
	}
	return s
}

// oracleCheck is the check character for S mod 11 = y.
func oracleCheck(y int) byte {
	a := (12 - y) % 11
	if a == 10 {
		return 'X'
	}
	return byte('0' + a)
}

// TestOracleAgreesWithThePublishedTables holds the derivation above to the
// tables printed in domain §14: the weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8
// 4 2 and the check characters "10X98765432" for Y = 0 … 10.
func TestOracleAgreesWithThePublishedTables(t *testing.T) {
	var ws []string
	for i := range 17 {
		ws = append(ws, fmt.Sprint(oracleWeight(i)))
	}
	if got, want := strings.Join(ws, " "), "7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2"; got != want {
		t.Errorf("weights %s, want %s", got, want)
	}
	var cs []byte
	for y := range 11 {
		cs = append(cs, oracleCheck(y))
	}
	if got, want := string(cs), "10X98765432"; got != want {
		t.Errorf("check characters %s, want %s", got, want)
	}
}

// TestPublishedExamples runs the ID numbers of domain §14's table with
// their S, Y and check character, computed by the oracle, and what Check
// must say of each. 11010519491231002X and 440524188001010014 are the
// examples of GB 11643-1999 itself; the 13068… numbers are the buyers and
// payer of the official CEB samples.
func TestPublishedExamples(t *testing.T) {
	now := time.Date(2025, 3, 10, 9, 30, 0, 0, clock.Shanghai)
	cases := []struct {
		id    string
		s     int
		check byte
		valid bool
	}{
		{"11010519491231002X", 167, 'X', true},
		{"440524188001010014", 195, '4', true},
		{"130681196203023331", 264, '1', true},
		{"130681196205023335", 282, '5', true},
		{"130681136250023332", 266, 'X', false}, // check X ≠ 2, and born 1362-50-02
		{"130625021345225322", 276, '0', false}, // check 0 ≠ 2, and born 0213-45-22
	}
	for _, c := range cases {
		s := oracleSum(c.id)
		if s != c.s {
			t.Errorf("%s: S = %d, domain §14 says %d", c.id, s, c.s)
		}
		if got := oracleCheck(s % 11); got != c.check {
			t.Errorf("%s: check character %c, domain §14 says %c", c.id, got, c.check)
		}
		if err := identity.Check(c.id, now); (err == nil) != c.valid {
			t.Errorf("Check(%s) = %v, want valid %v", c.id, err, c.valid)
		}
	}
}

// TestCheckCharacterAgainstTheOracle: for many numbers with a real birth
// date, CheckCode gives the oracle's check character, and Check accepts it
// and refuses each of the other ten. Every weight is exercised with digits 1–9, so a weight off by
// any amount that is not a multiple of 11 changes some number's check
// character, and a wrong entry of the check table is met by the numbers
// whose S mod 11 selects it.
func TestCheckCharacterAgainstTheOracle(t *testing.T) {
	now := time.Date(2025, 3, 10, 9, 30, 0, 0, clock.Shanghai)
	rng := rand.New(rand.NewPCG(11643, 1999))
	digits := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteByte(byte('0' + rng.IntN(10)))
		}
		return b.String()
	}
	seenY := map[int]bool{}
	for range 500 {
		birth := time.Date(1900+rng.IntN(120), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
		first17 := digits(6) + birth.Format("20060102") + digits(3)
		y := oracleSum(first17) % 11
		seenY[y] = true
		want := oracleCheck(y)
		if got := identity.CheckCode(first17); got != want {
			t.Fatalf("CheckCode(%s) = %c, the oracle's check character is %c", first17, got, want)
		}
		for _, c := range []byte("0123456789X") {
			err := identity.Check(first17+string(c), now)
			if c == want && err != nil {
				t.Fatalf("Check(%s%c) = %v, the oracle's check character", first17, c, err)
			}
			if c != want && err == nil {
				t.Fatalf("Check(%s%c) = nil, the oracle's check character is %c", first17, c, want)
			}
		}
	}
	if len(seenY) != 11 {
		t.Fatalf("only %d of the 11 values of S mod 11 met", len(seenY))
	}
}

// TestBirthDateBoundaries tests each limit of the birth date at, below and
// above it: the earliest year accepted (1800), months 1 and 12, day 1 and
// the month's last day, and today's date in Shanghai.
func TestBirthDateBoundaries(t *testing.T) {
	now := time.Date(2025, 3, 10, 9, 30, 0, 0, clock.Shanghai)
	cases := []struct {
		birth string
		valid bool
	}{
		{"17991231", false},
		{"18000101", true},
		{"18010101", true},
		{"19620001", false},
		{"19620101", true},
		{"19621201", true},
		{"19621301", false},
		{"19620300", false},
		{"19620331", true},
		{"19620332", false},
		{"19620430", true},
		{"19620431", false},
		{"20250309", true},
		{"20250310", true}, // born today
		{"20250311", false},
	}
	for _, c := range cases {
		id := withOracleCheck("130681" + c.birth + "333")
		if err := identity.Check(id, now); (err == nil) != c.valid {
			t.Errorf("born %s: Check = %v, want valid %v", c.birth, err, c.valid)
		}
	}
}

// withOracleCheck appends the oracle's check character to 17 digits.
func withOracleCheck(first17 string) string {
	return first17 + string(oracleCheck(oracleSum(first17)%11))
}

// TestCheckRefusesANonDigitAnywhere: each of the first 17 characters must
// be a digit, and the 18th a digit or X; the message names the position.
func TestCheckRefusesANonDigitAnywhere(t *testing.T) {
	now := time.Date(2025, 3, 10, 9, 30, 0, 0, clock.Shanghai)
	valid := "130681196205023335"
	for i := range 18 {
		id := valid[:i] + "A" + valid[i+1:]
		want := fmt.Sprintf("not digits: character %d is not a digit", i+1)
		if i == 17 {
			want = "not digits: character 18 is neither a digit nor X"
		}
		err := identity.Check(id, now)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Check(%s) = %v, want %q", id, err, want)
		}
	}
}

// TestCheckCodeNamesTheFirstNonDigit: its panic says which character of
// the 17 is not a digit.
func TestCheckCodeNamesTheFirstNonDigit(t *testing.T) {
	for i := range 17 {
		first17 := strings.Repeat("1", i) + "A" + strings.Repeat("1", 16-i)
		func() {
			defer func() {
				msg, _ := recover().(string)
				if want := fmt.Sprintf("identity.CheckCode: character %d is not a digit", i+1); msg != want {
					t.Errorf("CheckCode(%s): panic %q, want %q", first17, msg, want)
				}
			}()
			identity.CheckCode(first17)
		}()
	}
}
