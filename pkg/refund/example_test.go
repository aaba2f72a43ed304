package refund_test

import (
	"fmt"
	"time"

	"github.com/cbec/cbec/pkg/clock"
	"github.com/cbec/cbec/pkg/refund"
)

// ExampleApplyDeadline is the D7 example of domain §15: a list released on
// 2024-03-15 (Shanghai) may be returned by applying until the end of the
// 30th day after and delivering the goods until the end of the 45th. A
// deadline is the first instant that is late.
func ExampleApplyDeadline() {
	released := time.Date(2024, 3, 15, 14, 30, 0, 0, clock.Shanghai)
	apply := refund.ApplyDeadline(released, 30)
	arrive := refund.ArriveDeadline(released, 45)
	fmt.Println("apply before ", apply.Format(time.DateTime))
	fmt.Println("arrive before", arrive.Format(time.DateTime))

	late := func(at time.Time) bool { return !at.Before(apply) }
	fmt.Println("applied 2024-04-14 23:59:59 late:", late(time.Date(2024, 4, 14, 23, 59, 59, 0, clock.Shanghai)))
	fmt.Println("applied 2024-04-15 00:00:00 late:", late(time.Date(2024, 4, 15, 0, 0, 0, 0, clock.Shanghai)))

	// The day is Shanghai's: released at 17:00 UTC on the 14th is the 15th there.
	fmt.Println("released 2024-03-14 17:00 UTC:", refund.ApplyDeadline(time.Date(2024, 3, 14, 17, 0, 0, 0, time.UTC), 30).Format(time.DateTime))
	// Output:
	// apply before  2024-04-15 00:00:00
	// arrive before 2024-04-30 00:00:00
	// applied 2024-04-14 23:59:59 late: false
	// applied 2024-04-15 00:00:00 late: true
	// released 2024-03-14 17:00 UTC: 2024-04-15 00:00:00
}
