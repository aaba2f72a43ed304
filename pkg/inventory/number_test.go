package inventory

import (
	"testing"
	"time"
)

func TestInvtSerialReadsInvtNo(t *testing.T) {
	at := time.Date(2026, 11, 11, 0, 30, 0, 0, time.UTC)
	for _, seq := range []uint64{1, 999_999_999, 1_000_000_007, 42} {
		n := InvtNo("8012", 'I', at, seq)
		flag, serial, ok := InvtSerial(n)
		if !ok || flag != 'I' || serial != seq%1_000_000_000 {
			t.Fatalf("%s: %c %d %v, want I %d", n, flag, serial, ok, seq%1_000_000_000)
		}
	}
	for _, bad := range []string{"", "80122026I00000001", "80122026I0000000x1", "8012202XI000000001", "80122026I0000000012"} {
		if _, _, ok := InvtSerial(bad); ok {
			t.Fatalf("%q read as a customs number", bad)
		}
	}
}
