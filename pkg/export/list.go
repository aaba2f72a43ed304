package export

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/clock"
	"github.com/cbec/cbec/pkg/errcode"
)

// Statuses of an export list (CEB604 returnStatus), and the project's
// states that have no receipt status of their own.
const (
	StatusDeclared = "2"   // declared, waiting for its order, receipt of payment and waybill
	StatusRejected = "100" // rejected (code in the receipt)
	StatusAccepted = "120" // checks passed; waiting for the goods at the supervised site
	StatusReleased = "800" // released once the goods arrived
	StatusClosed   = "899" // closed after departure
	// StatusArrived records the arrival (CEB507) between 120 and 800.
	StatusArrived = "arrived"
	// StatusCancelled is a list withdrawn by a cancellation (CEB605).
	StatusCancelled = "cancelled"
)

// next lists the transitions of an export list; a status absent as a key
// is final (rejected, closed, cancelled).
//
//	2 → 100 | 120          the checks, once the documents are all there
//	120 → arrived → 800    the goods' arrival at the supervised site (CEB507)
//	800 → 899              their departure (CEB509)
//	2 | 120 | arrived | 800 → cancelled   a cancellation (CEB605) before departure
var next = map[string][]string{
	StatusDeclared: {StatusRejected, StatusAccepted, StatusCancelled},
	StatusAccepted: {StatusArrived, StatusCancelled},
	StatusArrived:  {StatusReleased, StatusCancelled},
	StatusReleased: {StatusClosed, StatusCancelled},
}

// Can reports whether a list in status from may move to status to; staying
// is not a transition, so an event seen twice moves nothing.
func Can(from, to string) bool { return slices.Contains(next[from], to) }

// Cancellable reports whether agent may cancel (CEB605) a list declared by
// listAgent now in status: its own declaring agent, before departure.
func Cancellable(status, listAgent, agent string) bool {
	return listAgent == agent && Can(status, StatusCancelled)
}

// Summarised reports whether a list enters the monthly summary
// declaration (D10): statisticsFlag B, released or closed.
func Summarised(statisticsFlag, status string) bool {
	return statisticsFlag == "B" && (status == StatusReleased || status == StatusClosed)
}

// OrderSender is the party whose order (CEB303) an export list refers to:
// its platform, or the e-commerce enterprise itself when the list names
// no platform (ceb.NoEbpCode).
func OrderSender(ebpCode, ebcCode string) string {
	if ebpCode == ceb.NoEbpCode {
		return ebcCode
	}
	return ebpCode
}

// Refusal is a list's rejection as its CEB604 100 tells it: the code of
// the first problem, and every problem as "<code>: <message>" joined by
// "; " (Check reports them all at once).
func Refusal(errs []*errcode.Error) (errcode.Code, string) {
	if len(errs) == 0 {
		return "", ""
	}
	parts := make([]string, len(errs))
	for i, e := range errs {
		parts[i] = string(e.Code) + ": " + e.Message
	}
	return errs[0].Code, strings.Join(parts, "; ")
}

// ValueCNY is the value in CNY of an accepted list on day `on` (D11): the
// sum of its lines' totalPrice, each converted at that day's rate. A line
// whose currency has no rate that day counts nothing; Check refuses such a
// list anyway.
func (r *Reference) ValueCNY(inv *ceb.ExportInventory, on time.Time) decimal.Decimal {
	sum := decimal.Zero
	for _, l := range inv.InventoryList {
		if v, err := r.ToCNY(l.TotalPrice.Decimal, l.Currency, on); err == nil {
			sum = sum.Add(v)
		}
	}
	return sum
}

// PreviousMonth is the Asia/Shanghai month (YYYY-MM) before the one of
// now: the month whose summaries the month-end sweep computes.
func PreviousMonth(now time.Time) string {
	y, m, _ := now.In(clock.Shanghai).Date()
	if m == time.January {
		y, m = y-1, time.December
	} else {
		m--
	}
	return fmt.Sprintf("%04d-%02d", y, m)
}

// Summary declaration statuses.
const (
	// SummaryDue: computed at month end, waiting for the agent's CEB701.
	SummaryDue = "due"
	// SummaryDeclared: declared by a CEB701 and answered with a CEB792.
	SummaryDeclared = "declared"
)

// SummaryOverdue reports whether a summary declaration of month in status
// is overdue at now: still due (not declared) past its deadline (Overdue).
func SummaryOverdue(status, month string, now time.Time) bool {
	return status == SummaryDue && Overdue(month, now)
}
