package tariff

import (
	"bytes"
	"testing"
	"time"

	"github.com/cbec/cbec/deploy"
	"github.com/cbec/cbec/pkg/ceb/cebtest"
	"github.com/cbec/cbec/pkg/clock"
	"github.com/cbec/cbec/pkg/errcode"
)

// TestDeployTariff loads the embedded default table and checks that it is
// broad enough for demos and that the fixtures of pkg/ceb/cebtest clear.
func TestDeployTariff(t *testing.T) {
	if !bytes.HasPrefix(deploy.Tariff, []byte("# SAMPLE DATA")) {
		t.Error("deploy/tariff.csv must start with a # SAMPLE DATA banner")
	}
	tb, err := Load(bytes.NewReader(deploy.Tariff))
	if err != nil {
		t.Fatal(err)
	}
	if tb.Len() < 40 {
		t.Errorf("%d lines, want at least 40", tb.Len())
	}

	// Every category is present, keyed by HS chapter or heading prefix.
	categories := map[string][]string{
		"infant formula":   {"190110"},
		"food":             {"0409", "0801", "0802", "0901", "1806", "1509"},
		"cosmetics":        {"3304"},
		"health products":  {"210690", "2936"},
		"apparel":          {"61", "62"},
		"footwear":         {"64"},
		"watches":          {"9101", "9102"},
		"electronics":      {"851762", "847130", "851830", "850980", "8516"},
		"wine":             {"220421"},
		"annual qty limit": {"100630", "170199"},
	}
	lines := tb.Lines()
	for cat, prefixes := range categories {
		for _, p := range prefixes {
			found := false
			for _, l := range lines {
				if len(l.HSCode) >= len(p) && l.HSCode[:len(p)] == p {
					found = true
					break
				}
			}
			if !found {
				t.Errorf("category %s: no line under %s", cat, p)
			}
		}
	}

	var limited, referenced, closed, only1210 int
	for _, l := range lines {
		if l.AnnualQtyLimit.Valid {
			limited++
		}
		if l.ReferencePrice.Valid {
			referenced++
		}
		if !l.ValidTo.IsZero() {
			closed++
		}
		if len(l.Modes) == 1 && l.Modes[0] == "1210" {
			only1210++
		}
		if l.HSCode[:4] == "3304" && !l.Consumption.Equal(l.Consumption.Round(2)) {
			t.Errorf("%s consumption rate %s", l.HSCode, l.Consumption)
		}
	}
	if limited < 2 || referenced < 5 || closed < 1 || only1210 < 2 {
		t.Errorf("limited %d, referenced %d, closed %d, 1210-only %d", limited, referenced, closed, only1210)
	}

	on, err := time.ParseInLocation("20060102", cebtest.DeclTime, clock.Shanghai)
	if err != nil {
		t.Fatal(err)
	}
	// The cebtest inventory's goods clear under both modes.
	for _, mode := range []string{"1210", "9610"} {
		l, err := tb.Lookup(cebtest.Gcode, mode, on)
		if err != nil {
			t.Fatalf("cebtest gcode %s under %s: %v", cebtest.Gcode, mode, err)
		}
		if l.VAT.String() != "0.13" || !l.Consumption.IsZero() || l.Duty.String() != "0.15" || !l.ValidTo.IsZero() {
			t.Errorf("infant formula %+v", l)
		}
	}
	// Cosmetics carry consumption tax 15 %, wine 10 %.
	if l, err := tb.Lookup("3304990000", "9610", on); err != nil || l.Consumption.String() != "0.15" {
		t.Errorf("skin care: %+v %v", l, err)
	}
	if l, err := tb.Lookup("2204210000", "1210", on); err != nil || l.Consumption.String() != "0.1" || l.VAT.String() != "0.13" {
		t.Errorf("wine: %+v %v", l, err)
	}
	// The wine's closed edition still answers for its dates.
	if l, err := tb.Lookup("2204210000", "1210", on.AddDate(-4, 0, 0)); err != nil || l.ValidTo.IsZero() {
		t.Errorf("wine 2021: %+v %v", l, err)
	}
	// Rice is limited to 20 kg a year.
	if l, err := tb.Lookup("1006302000", "1210", on); err != nil || l.AnnualQtyLimit.Decimal.String() != "20" || l.QtyUnit != "035" {
		t.Errorf("rice: %+v %v", l, err)
	}
	// Frozen shrimp only through bonded import.
	if _, err := tb.Lookup("0306179000", "9610", on); errcode.Of(err) != errcode.ModeNotAllowed {
		t.Errorf("shrimp via 9610: %v", err)
	}
	// Cars are not on the list; the 2017 olive-oil code ended in 2021.
	if _, err := tb.Lookup("8703239000", "1210", on); errcode.Of(err) != errcode.NotOnPositiveList {
		t.Errorf("car: %v", err)
	}
	if _, err := tb.Lookup("1509100000", "1210", on); errcode.Of(err) != errcode.OutsideListDates {
		t.Errorf("olive oil 2017 code: %v", err)
	}
}
