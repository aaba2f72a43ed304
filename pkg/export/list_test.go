package export_test

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/export"
)

var statuses = []string{export.StatusDeclared, export.StatusRejected, export.StatusAccepted, export.StatusArrived,
	export.StatusReleased, export.StatusClosed, export.StatusCancelled}

// TestCanEveryPair holds the transitions to docs/export.md's flow: every
// pair of statuses, an unknown one and the empty one included.
func TestCanEveryPair(t *testing.T) {
	allowed := map[[2]string]bool{
		{export.StatusDeclared, export.StatusRejected}:  true,
		{export.StatusDeclared, export.StatusAccepted}:  true,
		{export.StatusDeclared, export.StatusCancelled}: true,
		{export.StatusAccepted, export.StatusArrived}:   true,
		{export.StatusAccepted, export.StatusCancelled}: true,
		{export.StatusArrived, export.StatusReleased}:   true,
		{export.StatusArrived, export.StatusCancelled}:  true,
		{export.StatusReleased, export.StatusClosed}:    true,
		{export.StatusReleased, export.StatusCancelled}: true,
	}
	all := append(statuses, "", "300")
	for _, from := range all {
		for _, to := range all {
			if got := export.Can(from, to); got != allowed[[2]string{from, to}] {
				t.Errorf("%q → %q: Can = %v", from, to, got)
			}
		}
	}
}

func TestCancellable(t *testing.T) {
	for _, s := range statuses {
		want := s == export.StatusDeclared || s == export.StatusAccepted || s == export.StatusArrived || s == export.StatusReleased
		if got := export.Cancellable(s, "AGENT", "AGENT"); got != want {
			t.Errorf("%s by its agent: %v, want %v", s, got, want)
		}
		if export.Cancellable(s, "AGENT", "OTHER") {
			t.Errorf("%s cancellable by another agent", s)
		}
	}
}

func TestSummarised(t *testing.T) {
	for _, s := range statuses {
		for _, flag := range []string{"A", "B", ""} {
			want := flag == "B" && (s == export.StatusReleased || s == export.StatusClosed)
			if got := export.Summarised(flag, s); got != want {
				t.Errorf("flag %q status %s: %v, want %v", flag, s, got, want)
			}
		}
	}
}

func TestOrderSender(t *testing.T) {
	if got := export.OrderSender("1500000001", "1500000002"); got != "1500000001" {
		t.Errorf("with a platform: %s", got)
	}
	if got := export.OrderSender(ceb.NoEbpCode, "1500000002"); got != "1500000002" {
		t.Errorf("without a platform: %s", got)
	}
}

func TestRefusal(t *testing.T) {
	if code, info := export.Refusal(nil); code != "" || info != "" {
		t.Errorf("no problem: %q %q", code, info)
	}
	code, info := export.Refusal([]*errcode.Error{
		errcode.New(errcode.ExportProhibited, "line 1 prohibited"), errcode.New(errcode.ExportSimplified, "flag A"),
	})
	if want := string(errcode.ExportProhibited) + ": line 1 prohibited; " + string(errcode.ExportSimplified) + ": flag A"; code != errcode.ExportProhibited || info != want {
		t.Errorf("two problems: %q %q, want %q %q", code, info, errcode.ExportProhibited, want)
	}
}

func TestValueCNY(t *testing.T) {
	ref := defaultRef(t)
	inv := &ceb.ExportInventory{InventoryList: []ceb.ExportInventoryList{
		{Gnum: 1, TotalPrice: ceb.MustAmount("100"), Currency: "502"},
		{Gnum: 2, TotalPrice: ceb.MustAmount("10.5"), Currency: "142"},
		{Gnum: 3, TotalPrice: ceb.MustAmount("99"), Currency: "999"}, // no rate: counts nothing
	}}
	cases := []struct {
		on   time.Time
		want string
	}{
		{sh(2025, 3, 16, 23, 59, 59, 0), "729.34"}, // 718.84 at the first USD edition
		{sh(2025, 3, 17, 0, 0, 0, 0), "727.70"},    // 717.20 from the second
	}
	for _, c := range cases {
		if got := ref.ValueCNY(inv, c.on); !got.Equal(decimal.RequireFromString(c.want)) {
			t.Errorf("on %v: %s, want %s", c.on, got, c.want)
		}
	}
}

func TestPreviousMonth(t *testing.T) {
	cases := []struct {
		now  time.Time
		want string
	}{
		{sh(2025, 3, 1, 0, 0, 0, 0), "2025-02"},
		{sh(2025, 2, 28, 23, 59, 59, 999999999), "2025-01"},
		{time.Date(2025, 2, 28, 16, 0, 0, 0, time.UTC), "2025-02"}, // 03-01 00:00 in Shanghai
		{time.Date(2025, 2, 28, 15, 59, 0, 0, time.UTC), "2025-01"},
		{sh(2025, 1, 15, 12, 0, 0, 0), "2024-12"},
		{sh(2024, 3, 31, 12, 0, 0, 0), "2024-02"},
	}
	for _, c := range cases {
		if got := export.PreviousMonth(c.now); got != c.want {
			t.Errorf("PreviousMonth(%v) = %s, want %s", c.now, got, c.want)
		}
	}
}

func TestSummaryOverdue(t *testing.T) {
	cases := []struct {
		status string
		now    time.Time
		want   bool
	}{
		{export.SummaryDue, sh(2025, 3, 15, 23, 59, 59, 0), false},
		{export.SummaryDue, sh(2025, 3, 16, 0, 0, 0, 0), true},
		{export.SummaryDeclared, sh(2025, 3, 16, 0, 0, 0, 0), false},
	}
	for _, c := range cases {
		if got := export.SummaryOverdue(c.status, "2025-02", c.now); got != c.want {
			t.Errorf("%s at %v: %v, want %v", c.status, c.now, got, c.want)
		}
	}
}
