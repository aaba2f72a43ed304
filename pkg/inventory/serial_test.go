package inventory_test

import (
	"testing"
	"time"

	"github.com/cbec/cbec/pkg/inventory"
)

// TestSerialsWrapAtNineDigits: the 9-digit serial of PreNo and InvtNo is
// the sequence modulo 10⁹, at, below and above the wrap.
func TestSerialsWrapAtNineDigits(t *testing.T) {
	at := time.Date(2025, 3, 10, 1, 0, 0, 0, time.UTC)
	cases := []struct {
		seq  uint64
		want string
	}{
		{999_999_999, "999999999"},
		{1_000_000_000, "000000000"},
		{1_000_000_001, "000000001"},
	}
	for _, c := range cases {
		if got, want := inventory.PreNo('I', at, c.seq), "I20250310"+c.want; got != want {
			t.Errorf("PreNo(%d) = %s, want %s", c.seq, got, want)
		}
		if got, want := inventory.InvtNo("8001", 'I', at, c.seq), "80012025I"+c.want; got != want {
			t.Errorf("InvtNo(%d) = %s, want %s", c.seq, got, want)
		}
	}
}

// TestInvtSerialChecksTheDigitsItWrote: the customs code (characters 1–4)
// is the declaration's own and may be anything; the year and the serial
// must be digits. A number it did not make gives nothing back.
func TestInvtSerialChecksTheDigitsItWrote(t *testing.T) {
	if flag, serial, ok := inventory.InvtSerial("801A2025I000000042"); !ok || flag != 'I' || serial != 42 {
		t.Errorf("a letter in the customs code: %c %d %v", flag, serial, ok)
	}
	for _, bad := range []string{"8001X025I000000042", "80012025I00000004X", "80012025I0000000420", "80012025I00000004"} {
		if flag, serial, ok := inventory.InvtSerial(bad); ok || flag != 0 || serial != 0 {
			t.Errorf("InvtSerial(%q) = %c %d %v, want nothing", bad, flag, serial, ok)
		}
	}
}

// TestCopNo: the document's copNo when it has one, else the order
// number's last 20 characters (not bytes).
func TestCopNo(t *testing.T) {
	cases := []struct{ copNo, orderNo, want string }{
		{"C-1", "ORDER", "C-1"},
		{"", "ORDER", "ORDER"},
		{"", "12345678901234567890", "12345678901234567890"},
		{"", "X12345678901234567890", "12345678901234567890"},
		{"", "订单12345678901234567890", "12345678901234567890"},
		{"", "订单一二三四五六七八九十一二三四五六七八九十", "一二三四五六七八九十一二三四五六七八九十"},
	}
	for _, c := range cases {
		if got := inventory.CopNo(c.copNo, c.orderNo); got != c.want {
			t.Errorf("CopNo(%q, %q) = %q, want %q", c.copNo, c.orderNo, got, c.want)
		}
	}
}
