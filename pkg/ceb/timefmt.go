package ceb

import (
	"fmt"
	"strconv"
	"time"
)

// Location is China Standard Time, in which every CEB time is written. It
// is a fixed UTC+8 zone rather than time.LoadLocation("Asia/Shanghai")
// because China has kept UTC+8 without daylight saving since 1991 and a
// fixed zone needs no tzdata in minimal containers.
var Location = time.FixedZone("CST", 8*60*60)

// The layouts of the CEB time formats.
const (
	// AppTimeLayout is YYYYMMDDhhmmss (appTime, payTime).
	AppTimeLayout = "20060102150405"
	// DateLayout is YYYYMMDD (declTime, ieDate).
	DateLayout = "20060102"
	// ReturnTimeLayout is YYYYMMDDhhmmssSSS (returnTime); Go layouts need a
	// dot before fractional seconds, so FormatReturnTime and
	// ParseReturnTime handle the milliseconds themselves.
	ReturnTimeLayout = "20060102150405000"
)

// FormatAppTime formats t as YYYYMMDDhhmmss in China time.
func FormatAppTime(t time.Time) string { return t.In(Location).Format(AppTimeLayout) }

// ParseAppTime parses a YYYYMMDDhhmmss text as China time.
func ParseAppTime(s string) (time.Time, error) {
	if len(s) != len(AppTimeLayout) || !allDigits(s) {
		return time.Time{}, fmt.Errorf("ceb: time %q is not YYYYMMDDhhmmss", s)
	}
	return time.ParseInLocation(AppTimeLayout, s, Location)
}

// FormatDate formats t as YYYYMMDD in China time.
func FormatDate(t time.Time) string { return t.In(Location).Format(DateLayout) }

// ParseDate parses a YYYYMMDD text as midnight China time.
func ParseDate(s string) (time.Time, error) {
	if len(s) != len(DateLayout) || !allDigits(s) {
		return time.Time{}, fmt.Errorf("ceb: date %q is not YYYYMMDD", s)
	}
	return time.ParseInLocation(DateLayout, s, Location)
}

// FormatReturnTime formats t as YYYYMMDDhhmmssSSS in China time.
func FormatReturnTime(t time.Time) string {
	t = t.In(Location)
	return fmt.Sprintf("%s%03d", t.Format(AppTimeLayout), t.Nanosecond()/int(time.Millisecond))
}

// ParseReturnTime parses a YYYYMMDDhhmmssSSS text as China time.
func ParseReturnTime(s string) (time.Time, error) {
	if len(s) != len(ReturnTimeLayout) || !allDigits(s) {
		return time.Time{}, fmt.Errorf("ceb: time %q is not YYYYMMDDhhmmssSSS", s)
	}
	t, err := time.ParseInLocation(AppTimeLayout, s[:14], Location)
	if err != nil {
		return time.Time{}, err
	}
	ms, _ := strconv.Atoi(s[14:]) // three digits, checked above
	return t.Add(time.Duration(ms) * time.Millisecond), nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
