package identity_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cbec/cbec/pkg/clock"
	"github.com/cbec/cbec/pkg/identity"
)

// TestCheckCode: the standard's own examples, and for numbers across every
// residue the character CheckCode gives is the one Check accepts and no
// other character passes.
func TestCheckCode(t *testing.T) {
	for first17, want := range map[string]byte{
		"11010519491231002": 'X', // GB 11643-1999's example
		"13068119620502333": '5', // domain §14
		"44052418800101001": '4',
	} {
		if got := identity.CheckCode(first17); got != want {
			t.Errorf("CheckCode(%s) = %c, want %c", first17, got, want)
		}
	}
	now := time.Date(2025, 3, 10, 9, 30, 0, 0, clock.Shanghai)
	seen := map[byte]bool{}
	for n := range 200 {
		// Vary the birth date and the sequence, so that the weighted sums
		// cover every residue mod 11.
		first17 := fmt.Sprintf("500103%04d%02d%02d%03d", 1960+n%45, 1+n%12, 1+n%28, n)
		c := identity.CheckCode(first17)
		seen[c] = true
		if err := identity.Check(first17+string(c), now); err != nil {
			t.Fatalf("%s + CheckCode %c: %v", first17, c, err)
		}
		for _, other := range "0123456789X" {
			if byte(other) != c && identity.Check(first17+string(other), now) == nil {
				t.Fatalf("%s%c passes too, besides %c", first17, other, c)
			}
		}
	}
	if len(seen) != 11 {
		t.Errorf("check characters seen %d of 11: the numbers do not cover every residue", len(seen))
	}
}

// TestCheckCodePanicsOnWhatIsNotSeventeenDigits: there is no check
// character for them, and a generator that asks for one has a bug.
func TestCheckCodePanicsOnWhatIsNotSeventeenDigits(t *testing.T) {
	for _, in := range []string{"", "1101051949123100", "110105194912310021", "1101051949123100X", "11010519491231 02"} {
		func() {
			defer func() {
				r := recover()
				if s, _ := r.(string); !strings.HasPrefix(s, "identity.CheckCode:") {
					t.Errorf("CheckCode(%q): recovered %v, want its panic", in, r)
				}
			}()
			identity.CheckCode(in)
		}()
	}
}
