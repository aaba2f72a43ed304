// Package mask hides personal data in logs and officer views: an ID number,
// a name or a phone number is never written out in full (design §6).
package mask

import "strings"

// ID masks an ID number, keeping the first 3 and last 2 characters:
// 130681196205023335 → 130*************35.
func ID(s string) string { return keep(s, 3, 2) }

// Name masks a name, keeping its first character: 张三丰 → 张**.
func Name(s string) string { return keep(s, 1, 0) }

// Phone masks a phone number, keeping the first 3 and last 4 digits:
// 13800138000 → 138****8000.
func Phone(s string) string { return keep(s, 3, 4) }

// keep shows head and tail runes of s and stars the rest; a value too short
// to hide anything is starred whole.
func keep(s string, head, tail int) string {
	r := []rune(s)
	if len(r) <= head+tail {
		return strings.Repeat("*", len(r))
	}
	return string(r[:head]) + strings.Repeat("*", len(r)-head-tail) + string(r[len(r)-tail:])
}
