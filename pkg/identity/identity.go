// Package identity checks buyer ID numbers, the 18-character resident
// identity numbers of GB 11643-1999 (domain §14, decision D12).
//
// Error messages never carry a full ID number: they name it masked (first 3
// and last 2 characters), because receipts and logs are read by parties that
// must not learn the buyer's identity (design §6).
package identity

import (
	"strconv"
	"strings"
	"time"

	"github.com/cbec/cbec/pkg/clock"
	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/mask"
)

// Length is the length of a GB 11643-1999 ID number.
const Length = 18

// minBirthYear is the earliest birth year accepted. No living buyer was
// born before it, and a year below it is almost always a mistyped or
// shifted number (the official CEB411 sample payer reads as year 0213).
const minBirthYear = 1800

// weights are the ISO 7064 MOD 11-2 weights 2^(17-i) mod 11 of the first
// 17 digits.
var weights = [Length - 1]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// checkChars maps S mod 11 to the check character.
const checkChars = "10X98765432"

// Normalize returns id without surrounding white space and with a trailing
// lower-case x upper-cased (D12), the form to compare, key and store.
func Normalize(id string) string {
	id = strings.TrimSpace(id)
	if strings.HasSuffix(id, "x") {
		id = id[:len(id)-1] + "X"
	}
	return id
}

// Check returns nil when Normalize(id) is a valid GB 11643-1999 ID number:
// 18 characters, 17 digits and a digit or X, a real birth date (YYYYMMDD at
// characters 7–14) not after now's date in Asia/Shanghai, and the right
// check character. Otherwise it returns an *errcode.Error with code
// errcode.BuyerID whose message says why and shows the number masked.
//
// Check normalizes on its own so that a lower-case x passes, but callers
// must still use Normalize(id) wherever the number is compared or keyed
// (the quota ledger, D6), or "…x" and "…X" would count as two buyers.
func Check(id string, now time.Time) error {
	id = Normalize(id)
	if n := len([]rune(id)); n != Length {
		return fail(id, "wrong length: %d characters, want %d", n, Length)
	}
	for i := 0; i < Length-1; i++ {
		if !isDigit(id[i]) {
			return fail(id, "not digits: character %d is not a digit", i+1)
		}
	}
	if c := id[Length-1]; !isDigit(c) && c != 'X' {
		return fail(id, "not digits: character %d is neither a digit nor X", Length)
	}

	birth, ok := birthDate(id[6:14])
	if !ok {
		return fail(id, "impossible birth date")
	}
	// Compare calendar dates in Shanghai (D15): a buyer born "today" in
	// China is valid even while it is still yesterday in UTC.
	y, m, d := now.In(clock.Shanghai).Date()
	if birth.After(time.Date(y, m, d, 0, 0, 0, 0, time.UTC)) {
		return fail(id, "future birth date")
	}

	if want := checkChar(id); id[Length-1] != want {
		return fail(id, "check digit should be %c", want)
	}
	return nil
}

// CheckCode returns the GB 11643 check character ('0'…'9' or 'X') of an
// ID number's first 17 digits: the one character Check accepts after them.
// It is for building valid numbers (test data, the load generator), so that
// the weights and the table live here only.
//
// first17 must be exactly 17 ASCII digits; anything else is a programming
// error and panics, since no check character exists for it.
func CheckCode(first17 string) byte {
	if len(first17) != Length-1 {
		panic("identity.CheckCode: want 17 digits, got " + strconv.Itoa(len(first17)) + " bytes")
	}
	for i := 0; i < Length-1; i++ {
		if !isDigit(first17[i]) {
			panic("identity.CheckCode: character " + strconv.Itoa(i+1) + " is not a digit")
		}
	}
	return checkChar(first17)
}

// checkChar computes the GB 11643 check character of the first 17 digits.
func checkChar(id string) byte {
	s := 0
	for i, w := range weights {
		s += int(id[i]-'0') * w
	}
	return checkChars[s%11]
}

// birthDate parses YYYYMMDD as a UTC midnight, refusing dates that
// time.Date would silently normalize (month 50, 30 February).
func birthDate(s string) (time.Time, bool) {
	y := atoi(s[0:4])
	m := atoi(s[4:6])
	d := atoi(s[6:8])
	if y < minBirthYear || m < 1 || m > 12 || d < 1 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Month() != time.Month(m) || t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}

// atoi converts a string already known to be all ASCII digits.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// fail builds the BuyerID error; the number only ever appears masked.
func fail(id, format string, args ...any) *errcode.Error {
	e := errcode.New(errcode.BuyerID, format, args...)
	e.Message = "buyer ID number " + mask.ID(id) + ": " + e.Message
	return e
}
