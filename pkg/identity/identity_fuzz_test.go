package identity

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/cbec/cbec/pkg/clock"
	"github.com/cbec/cbec/pkg/errcode"
)

// FuzzCheck checks Check against an independent reading of GB 11643-1999
// (see valid) at a fuzzed time. Run it with
// go test -run '^$' -fuzz '^FuzzCheck$' -fuzztime 1h ./pkg/identity; every
// input it finds failing is kept in testdata/fuzz/FuzzCheck.
func FuzzCheck(f *testing.F) {
	at := now.Unix() // 2025-03-10 09:30 in China
	for _, id := range []string{
		// The ID numbers of the official samples (../shared/ceb/samples):
		"130681136250023332", // buyerIdNumber of CEB311/621/623: no such birth date
		"130681196203023331", // buyerIdNumber of the export samples: valid
		"130625021345225322", // payerIdNumber of CEB411: born in the year 0213
		"130681196205023335", // the README's correction of the first: valid
		// Hand-written edge cases.
		"11010519491231002x",
		" 11010519491231002X\t",
		"11010519491231002xx",
		"440524188001010014",
		"110105180002290011", // 29 February 1800, not a leap year
		"110105200002290015", // 29 February 2000, a leap year
		"110105202503100017", // born "today" in China
		"110105202503110013", // born tomorrow
		"13068119620502333５", // a full-width digit
		"1306811962050233３5", // 18 characters, 20 bytes
		"\xff30681196205023335",
		"",
		"x",
	} {
		f.Add(id, at)
	}
	f.Add("110105202503100017", at-9*3600) // 2025-03-10 00:30 in China, still 9 March in UTC
	f.Add("110105202503100017", at-10*3600)
	f.Fuzz(func(t *testing.T, id string, unix int64) {
		now := time.Unix(unix, 0)
		err := Check(id, now)
		n := Normalize(id)
		if Normalize(n) != n {
			t.Fatalf("Normalize(%q) = %q is not normalized", id, n)
		}
		if err2 := Check(n, now); (err == nil) != (err2 == nil) {
			t.Fatalf("Check(%q) = %v but Check(Normalize) = %v", id, err, err2)
		}
		if y := now.In(clock.Shanghai).Year(); y < 1 || y > 9999 {
			return // valid compares dates as YYYYMMDD text
		}
		if want := valid(n, now); (err == nil) != want {
			t.Fatalf("Check(%q, %v) = %v, want valid %v", id, now, err, want)
		}
		if err == nil {
			return
		}
		var e *errcode.Error
		if !errors.As(err, &e) || e.Code != errcode.BuyerID || e.Message == "" {
			t.Fatalf("Check(%q) = %#v, want an errcode.BuyerID error", id, err)
		}
		// Receipts and logs carry the message: never the whole number. (A
		// number of 8 digits or more cannot occur in the message's own
		// words, so finding it there means it was shown.)
		if len(n) >= 8 && strings.Trim(n, "0123456789X") == "" && strings.Contains(e.Message, n) {
			t.Fatalf("the message shows the ID number: %q", e.Message)
		}
		if utf8.ValidString(id) && !utf8.ValidString(e.Message) {
			t.Fatalf("the message is not UTF-8: %q", e.Message)
		}
	})
}

// valid is GB 11643-1999 read independently of Check: 17 ASCII digits and
// a digit or X; a birth date YYYYMMDD (characters 7–14) that the calendar
// has, from 1800 (minBirthYear) up to today in China; and ISO 7064 MOD
// 11-2, under which the weighted sum of all 18 characters, X counting 10
// and the i-th from the right weighing 2^(i−1), is 1 modulo 11.
func valid(id string, now time.Time) bool {
	if len(id) != Length {
		return false
	}
	sum := 0
	for i := 0; i < Length; i++ {
		c := id[i]
		v := int(c - '0')
		switch {
		case c >= '0' && c <= '9':
		case c == 'X' && i == Length-1:
			v = 10
		default:
			return false
		}
		sum = (sum*2 + v) % 11 // Horner: the first character ends up weighed 2^17
	}
	birth := id[6:14]
	if _, err := time.Parse("20060102", birth); err != nil || birth < "18000101" {
		return false
	}
	return birth <= now.In(clock.Shanghai).Format("20060102") && sum == 1
}
