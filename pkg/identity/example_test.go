package identity_test

import (
	"fmt"
	"time"

	"github.com/cbec/cbec/pkg/clock"
	"github.com/cbec/cbec/pkg/identity"
)

// ExampleCheck checks buyer ID numbers as clearance does (D12): the check
// character of GB 11643, a real birth date not in the future, a lower-case
// x accepted. The message shows the number masked, never whole.
func ExampleCheck() {
	now := time.Date(2025, 3, 10, 9, 30, 0, 0, clock.Shanghai)
	for _, id := range []string{
		"11010519491231002X", // the standard's own example
		"11010519491231002x", // the same, lower-case x
		"130681196205023334", // one digit off
		"130681136250023332", // the official CEB621 sample: born 1362-50-02
		"11010520250311001X", // born tomorrow
	} {
		if err := identity.Check(id, now); err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(identity.Normalize(id), "valid")
	}
	// Output:
	// 11010519491231002X valid
	// 11010519491231002X valid
	// -901021: buyer ID number 130*************34: check digit should be 5
	// -901021: buyer ID number 130*************32: impossible birth date
	// -901021: buyer ID number 110*************1X: future birth date
}
