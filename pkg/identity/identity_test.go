package identity

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cbec/cbec/pkg/clock"
	"github.com/cbec/cbec/pkg/errcode"
)

var now = time.Date(2025, 3, 10, 9, 30, 0, 0, clock.Shanghai)

func TestNormalize(t *testing.T) {
	cases := map[string]string{
		"11010519491231002x":     "11010519491231002X",
		" 11010519491231002X\t ": "11010519491231002X",
		"130681196205023335":     "130681196205023335",
		"":                       "",
		"x":                      "X",
	}
	for in, want := range cases {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestCheckDomainTable runs every ID number of domain.md §14.
func TestCheckDomainTable(t *testing.T) {
	cases := []struct {
		id   string
		want string // "" = valid, else a fragment of the message
	}{
		{"11010519491231002X", ""},
		{"11010519491231002x", ""},
		{"440524188001010014", ""},
		{"130681196203023331", ""},
		{"130681136250023332", "impossible birth date"}, // official CEB311/621/623 sample buyer
		{"130625021345225322", "impossible birth date"}, // official CEB411 sample payer
		{"130681196205023335", ""},                      // corrected CEB621 sample buyer
	}
	for _, c := range cases {
		err := Check(c.id, now)
		assertResult(t, c.id, err, c.want)
	}
}

func TestCheckReasons(t *testing.T) {
	cases := []struct {
		id   string
		now  time.Time
		want string
	}{
		{"13068119620502333", now, "wrong length: 17 characters"},
		{"1306811962050233355", now, "wrong length: 19 characters"},
		{"", now, "wrong length: 0 characters"},
		{"13068119620502333５", now, "not digits"}, // full-width digit: 18 runes, not ASCII
		{"1306811962050A3335", now, "not digits: character 14"},
		{"13068119620502333Y", now, "not digits: character 18"},
		{"130681196202303335", now, "impossible birth date"}, // 30 February
		{"130681196200013335", now, "impossible birth date"}, // month 0
		{"130681196201003335", now, "impossible birth date"}, // day 0
		{"130681196205023334", now, "check digit should be 5"},
		{"11010519491231002Y", now, "not digits"},
		{"110105194912310020", now, "check digit should be X"},
		{"440524188001010015", now, "check digit should be 4"},
		// Born 2025-03-11: one day after now.
		{withCheck("11010520250311001"), now, "future birth date"},
	}
	for _, c := range cases {
		assertResult(t, c.id, Check(c.id, c.now), c.want)
	}
}

// TestCheckBirthDateInShanghai: the birth day is compared with today's date
// in Shanghai, not in UTC or the caller's zone.
func TestCheckBirthDateInShanghai(t *testing.T) {
	id := withCheck("11010520250311001") // born 2025-03-11
	// 2025-03-10 17:00 UTC is already 2025-03-11 01:00 in Shanghai.
	if err := Check(id, time.Date(2025, 3, 10, 17, 0, 0, 0, time.UTC)); err != nil {
		t.Errorf("born today in Shanghai: %v", err)
	}
	// 2025-03-10 15:59 UTC is still 2025-03-10 in Shanghai.
	assertResult(t, id, Check(id, time.Date(2025, 3, 10, 15, 59, 0, 0, time.UTC)), "future birth date")
}

func TestCheckLeapDay(t *testing.T) {
	if err := Check(withCheck("11010520000229001"), now); err != nil {
		t.Errorf("2000-02-29: %v", err)
	}
	assertResult(t, "1900-02-29", Check(withCheck("11010519000229001"), now), "impossible birth date")
}

func assertResult(t *testing.T, id string, err error, want string) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Errorf("Check(%q) = %v, want nil", id, err)
		}
		return
	}
	if err == nil {
		t.Errorf("Check(%q) = nil, want error %q", id, want)
		return
	}
	var e *errcode.Error
	if !errors.As(err, &e) || e.Code != errcode.BuyerID {
		t.Errorf("Check(%q) = %#v, want an *errcode.Error with code %s", id, err, errcode.BuyerID)
		return
	}
	if !strings.Contains(e.Message, want) {
		t.Errorf("Check(%q) message %q, want it to contain %q", id, e.Message, want)
	}
	// The message must never reveal the number: it may show at most the
	// first 3 and last 2 characters.
	norm := Normalize(id)
	if len(norm) > 5 && strings.Contains(e.Error(), norm) {
		t.Errorf("Check(%q) message leaks the ID number: %q", id, e.Error())
	}
	if len(norm) == Length && !strings.Contains(e.Message, norm[:3]+strings.Repeat("*", 13)+norm[16:]) {
		t.Errorf("Check(%q) message %q does not show the masked number", id, e.Message)
	}
}

// withCheck appends the right check character to 17 digits.
func withCheck(first17 string) string {
	return first17 + string(checkChar(first17+"0"))
}

func TestCheckChar(t *testing.T) {
	// S and Y of domain §14.
	if c := checkChar("11010519491231002"); c != 'X' {
		t.Errorf("check char %c, want X", c)
	}
	if c := checkChar("130681196203023331"); c != '1' {
		t.Errorf("check char %c, want 1", c)
	}
}

func BenchmarkCheck(b *testing.B) {
	for b.Loop() {
		_ = Check("130681196205023335", now)
	}
}
