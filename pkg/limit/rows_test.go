package limit_test

import (
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cbec/cbec/pkg/clock"
	"github.com/cbec/cbec/pkg/limit"
)

// TestNewTableRowBoundaries: each limit must be above zero (0.01 is, 0 is
// not), and the single limit may equal the annual one but not exceed it.
func TestNewTableRowBoundaries(t *testing.T) {
	from := time.Date(2019, 1, 1, 0, 0, 0, 0, clock.Shanghai)
	cases := []struct {
		single, annual string
		want           string // "" accepted, else a fragment of the error
	}{
		{"0.01", "0.01", ""},
		{"5000", "5000", ""},
		{"5000", "4999.99", "single limit 5000 exceeds annual limit 4999.99"},
		{"0", "26000", "single limit 0 is not positive"},
		{"5000", "0", "annual limit 0 is not positive"},
	}
	for _, c := range cases {
		_, err := limit.NewTable([]limit.Row{{From: from, Single: decimal.RequireFromString(c.single), Annual: decimal.RequireFromString(c.annual)}})
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("single %s, annual %s: %v, want %q", c.single, c.annual, err, c.want)
		}
	}
}
