package refund

import (
	"time"

	"github.com/cbec/cbec/pkg/clock"
)

// ApplyDeadline is the first instant after the application window (D7):
// midnight in Asia/Shanghai starting calendar day days+1 after the Shanghai
// date of release. An application at t is late when Late(t, deadline).
//
// Released 2024-03-15 with 30 days, the last instant allowed is
// 2024-04-14 23:59:59.999… and the deadline is 2024-04-15 00:00 Shanghai.
// The release day itself is day 0, and the day is the Shanghai day (D15):
// a release at 2024-03-14 17:00 UTC is 2024-03-15 01:00 in Shanghai.
func ApplyDeadline(released time.Time, days int) time.Time {
	return endOfDay(released, days)
}

// ArriveDeadline is the first instant after the arrival window (D7), the
// same way as ApplyDeadline: goods arriving at t are late when
// Late(t, deadline). Released 2024-03-15 with 45 days it is
// 2024-04-30 00:00 Shanghai.
func ArriveDeadline(released time.Time, days int) time.Time {
	return endOfDay(released, days)
}

// endOfDay is midnight Shanghai after the days-th calendar day after the
// release date. time.Date normalises the day overflow across months and
// years; Shanghai has no daylight saving, so midnight always exists.
func endOfDay(released time.Time, days int) time.Time {
	y, m, d := released.In(clock.Shanghai).Date()
	return time.Date(y, m, d+days+1, 0, 0, 0, 0, clock.Shanghai)
}

// Windows are the D7 windows of the returns of one released list, each as
// its deadline: the first instant after it.
type Windows struct {
	// Released is the list's release (800), which starts both windows.
	Released time.Time
	// ApplyBy ends the application window (ApplyDeadline).
	ApplyBy time.Time
	// ArriveBy ends the arrival window (ArriveDeadline).
	ArriveBy time.Time
}

// WindowsOf returns the windows of a list released at released, the
// application window lasting applyDays and the arrival window arriveDays
// (the rules file's windows, 30 and 45 by default).
func WindowsOf(released time.Time, applyDays, arriveDays int) Windows {
	return Windows{Released: released, ApplyBy: ApplyDeadline(released, applyDays), ArriveBy: ArriveDeadline(released, arriveDays)}
}

// Late reports whether t falls after the window whose deadline is given:
// at the deadline itself, midnight starting the day after the window's
// last day, it is late. It is the one lateness test of every window — the
// application, the arrival and the expiry sweep.
func Late(t, deadline time.Time) bool { return !t.Before(deadline) }

// LastDay is the last day of the window whose deadline is given, the
// Asia/Shanghai date (2006-01-02) that receipts quote: "due by the end of
// 2024-04-14" for the deadline 2024-04-15 00:00.
func LastDay(deadline time.Time) string {
	return day(deadline.Add(-time.Millisecond))
}

// day is t's Asia/Shanghai date, as receipts write it.
func day(t time.Time) string { return t.In(clock.Shanghai).Format("2006-01-02") }
