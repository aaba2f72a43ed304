package inventory

import (
	"fmt"
	"strconv"
	"time"

	"github.com/cbec/cbec/pkg/clock"
)

// PreNo is an 18-character E-Port pre-entry number as cbec assigns them:
// a prefix letter ('I' for an inventory list or a cancellation, 'R' for a
// return), the declaration date (Asia/Shanghai) and a 9-digit serial from
// the document's CEB_IN sequence, unique per document.
func PreNo(prefix byte, at time.Time, seq uint64) string {
	return string(prefix) + at.In(clock.Shanghai).Format("20060102") + fmt.Sprintf("%09d", seq%1_000_000_000)
}

// InvtNo is the 18-character customs number of a document (domain §9): the
// 4-digit customs code, the 4-digit year (Asia/Shanghai), a flag letter ('I'
// an import list, 'E' an export list, 'S' an export summary) and a 9-digit
// serial from the document's CEB_IN sequence.
func InvtNo(customsCode string, flag byte, at time.Time, seq uint64) string {
	cc := (customsCode + "0000")[:4]
	return cc + at.In(clock.Shanghai).Format("2006") + string(flag) + fmt.Sprintf("%09d", seq%1_000_000_000)
}

// InvtSerial reads back what InvtNo encoded: the flag letter and the
// serial, the document's CEB_IN sequence modulo 10⁹; ok is false for a
// number cbec did not make.
func InvtSerial(invtNo string) (flag byte, serial uint64, ok bool) {
	if len(invtNo) != 18 {
		return 0, 0, false
	}
	// The customs code (0–3) is the declaration's own; the year (4–7) and
	// the serial (9–17) are digits.
	for i := 4; i < len(invtNo); i++ {
		if c := invtNo[i]; i != 8 && (c < '0' || c > '9') {
			return 0, 0, false
		}
	}
	serial, err := strconv.ParseUint(invtNo[9:], 10, 64)
	return invtNo[8], serial, err == nil
}

// CopNo is the enterprise number carried on receipts: the document's
// copNo, or when it has none the last 20 characters of the order number.
func CopNo(copNo, orderNo string) string {
	if copNo != "" {
		return copNo
	}
	r := []rune(orderNo)
	if len(r) > 20 {
		r = r[len(r)-20:]
	}
	return string(r)
}
