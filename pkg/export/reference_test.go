package export_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cbec/cbec/deploy"
	"github.com/cbec/cbec/pkg/clock"
	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/export"
)

func defaultRef(t testing.TB) *export.Reference {
	t.Helper()
	ref, err := export.Load(bytes.NewReader(deploy.Export))
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

func sh(y int, m time.Month, d, hh, mm, ss, ns int) time.Time {
	return time.Date(y, m, d, hh, mm, ss, ns, clock.Shanghai)
}

func TestToCNYDatedEditions(t *testing.T) {
	ref := defaultRef(t)
	tests := []struct {
		name     string
		amount   string
		currency string
		on       time.Time
		want     string
		code     errcode.Code
	}{
		{"CNY is itself", "123.45", "142", sh(2025, 3, 1, 0, 0, 0, 0), "123.45", ""},
		{"CNY rounded to the fen", "1.23456", "142", sh(2025, 3, 1, 0, 0, 0, 0), "1.23", ""},
		{"USD first edition", "100", "502", sh(2025, 3, 16, 12, 0, 0, 0), "718.84", ""},
		{"USD first edition, last instant", "100", "502", sh(2025, 3, 16, 23, 59, 59, 999999999), "718.84", ""},
		{"USD second edition, first instant", "100", "502", sh(2025, 3, 17, 0, 0, 0, 0), "717.2", ""},
		{"USD second edition given in UTC", "100", "502", time.Date(2025, 3, 16, 16, 0, 0, 0, time.UTC), "717.2", ""},
		{"USD first day of the table", "1", "502", sh(2025, 1, 1, 0, 0, 0, 0), "7.19", ""},
		{"half-up at the fen", "0.5", "502", sh(2025, 2, 1, 0, 0, 0, 0), "3.59", ""}, // 3.5942
		{"half-up exactly half", "0.125", "142", sh(2025, 2, 1, 0, 0, 0, 0), "0.13", ""},
		{"JPY per unit", "1000", "116", sh(2025, 3, 10, 0, 0, 0, 0), "46.23", ""},
		{"EUR second edition", "10", "300", sh(2025, 4, 1, 0, 0, 0, 0), "78.01", ""},
		{"unknown currency", "1", "999", sh(2025, 3, 10, 0, 0, 0, 0), "", errcode.CurrencyUnknown},
		{"before the first USD row", "1", "502", sh(2024, 12, 31, 23, 59, 59, 0), "", errcode.CurrencyNoRate},
		{"before the first row, given in UTC", "1", "502", time.Date(2024, 12, 31, 15, 59, 59, 0, time.UTC), "", errcode.CurrencyNoRate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ref.ToCNY(decimal.RequireFromString(tt.amount), tt.currency, tt.on)
			if tt.code != "" {
				if errcode.Of(err) != tt.code {
					t.Fatalf("ToCNY error %v, want code %s", err, tt.code)
				}
				if !strings.Contains(err.Error(), tt.currency) {
					t.Errorf("error %q does not name the currency %s", err, tt.currency)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(decimal.RequireFromString(tt.want)) {
				t.Errorf("ToCNY(%s %s) = %s, want %s", tt.amount, tt.currency, got, tt.want)
			}
		})
	}
}

func TestDefaultReference(t *testing.T) {
	ref := defaultRef(t)
	for _, code := range []string{"9610", "1210", "9710", "9810"} {
		if _, ok := ref.Mode(code); !ok {
			t.Errorf("mode %s missing from the default reference data", code)
		}
	}
	m, _ := ref.Mode("9710")
	if m.Needs(export.DocReceipt) || !m.Needs(export.DocOrder) || !m.Needs(export.DocWaybill) {
		t.Errorf("9710 documents = %v, want order and waybill only", m.Documents)
	}
	m, _ = ref.Mode("9610")
	if !m.Needs(export.DocReceipt) {
		t.Errorf("9610 documents = %v, want a receipt of payment", m.Documents)
	}
	if p, ok := ref.Prohibited("2903140000"); !ok || p.Prefix != "290314" {
		t.Errorf("Prohibited(2903140000) = %v, %v; want the 6-digit row", p, ok)
	}
	if _, ok := ref.Prohibited("2903150000"); ok {
		t.Error("2903150000 is not under 290314")
	}
	if _, ok := ref.Prohibited("8518300000"); ok {
		t.Error("headphones are not prohibited")
	}
	if p, ok := ref.Simplified("7202210000"); !ok || !strings.Contains(p.Reason, "duty") {
		t.Errorf("Simplified(7202210000) = %v, %v", p, ok)
	}
}

func TestLoadStrict(t *testing.T) {
	const good = `
currencies:
  - {code: "142", name: CNY, from: 2000-01-01, rate: "1"}
prohibited:
  - {prefix: "9301", reason: arms}
simplified:
  - {prefix: "7202", reason: duty}
modes:
  - {code: "9610", name: B2C, orderTypes: [E], documents: [order, receipt, waybill], head: [billNo], lines: []}
`
	if _, err := export.Load(strings.NewReader(good)); err != nil {
		t.Fatalf("good file refused: %v", err)
	}
	tests := []struct{ name, old, new, want string }{
		{"unknown key", `rate: "1"}`, `rate: "1", note: x}`, "note"},
		{"bad date", "2000-01-01", "2000-13-01", "not a date"},
		{"bad rate", `rate: "1"`, `rate: "one"`, "not a decimal"},
		{"zero rate", `rate: "1"`, `rate: "0"`, "not positive"},
		{"bad currency code", `code: "142"`, `code: "CNY"`, "3-digit"},
		{"duplicate rate row", `rate: "1"}`, "rate: \"1\"}\n  - {code: \"142\", name: CNY, from: 2000-01-01, rate: \"1\"}", "second row"},
		{"name differs", `rate: "1"}`, "rate: \"1\"}\n  - {code: \"142\", name: RMB, from: 2001-01-01, rate: \"1\"}", "differs"},
		{"short prefix", `prefix: "9301"`, `prefix: "930"`, "4 to 10 digits"},
		{"no reason", `reason: arms`, `reason: ""`, "no reason"},
		{"duplicate prefix", `{prefix: "7202", reason: duty}`, "{prefix: \"7202\", reason: duty}\n  - {prefix: \"7202\", reason: again}", "twice"},
		{"unknown head element", `head: [billNo]`, `head: [bilNo]`, "bilNo"},
		{"unknown line element", `lines: []`, `lines: [gcode]`, `"gcode" is not one of itemName, itemRecordNo`},
		{"no order types", `orderTypes: [E]`, `orderTypes: []`, "no orderTypes"},
		{"unknown document", `documents: [order, receipt, waybill]`, `documents: [order, payment]`, "payment"},
		{"unknown order type", `orderTypes: [E]`, `orderTypes: [I]`, "orderType"},
		{"bad mode code", `code: "9610"`, `code: "961"`, "4-digit"},
		{"no modes", "modes:\n  - {code: \"9610\", name: B2C, orderTypes: [E], documents: [order, receipt, waybill], head: [billNo], lines: []}", "modes: []", "modes: no rows"},
		{"second document", "lines: []}\n", "lines: []}\n---\ncurrencies: []\n", "more than one"},
		{"no currencies", "currencies:\n  - {code: \"142\", name: CNY, from: 2000-01-01, rate: \"1\"}", "currencies: []", "currencies: no rows"},
		{"no prohibited goods", "prohibited:\n  - {prefix: \"9301\", reason: arms}", "prohibited: []", "prohibited: no rows"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(good, tt.old) {
				t.Fatalf("fixture lacks %q", tt.old)
			}
			bad := strings.Replace(good, tt.old, tt.new, 1)
			_, err := export.Load(strings.NewReader(bad))
			if err == nil {
				t.Fatalf("file accepted:\n%s", bad)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
		})
	}
	if _, err := export.Load(strings.NewReader("")); err == nil {
		t.Error("empty file accepted")
	}
	// A currency of one row has no rate before it, and says from when.
	ref, err := export.Load(strings.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ref.Rate("142", sh(1999, 12, 31, 12, 0, 0, 0)); errcode.Of(err) != errcode.CurrencyNoRate || !strings.Contains(err.Error(), "currency 142 (CNY) has no rate on 1999-12-31; the first is from 2000-01-01") {
		t.Errorf("Rate before the first row: %v", err)
	}
}

// TestPrefixesMostSpecificFirst: whatever the file's order, a code under
// two prefixes matches the longer one, and a code under the shorter only
// matches that.
func TestPrefixesMostSpecificFirst(t *testing.T) {
	ref, err := export.Load(strings.NewReader(`
currencies:
  - {code: "142", name: CNY, from: 2000-01-01, rate: "1"}
prohibited:
  - {prefix: "2903", reason: halogenated}
  - {prefix: "290314", reason: ozone}
  - {prefix: "29031", reason: middle}
simplified:
  - {prefix: "7202", reason: duty}
modes:
  - {code: "9610", name: B2C, orderTypes: [E], documents: [order, receipt, waybill], head: [billNo], lines: []}
`))
	if err != nil {
		t.Fatal(err)
	}
	for code, want := range map[string]string{"2903140000": "ozone", "2903150000": "middle", "2903990000": "halogenated"} {
		if p, ok := ref.Prohibited(code); !ok || p.Reason != want {
			t.Errorf("Prohibited(%s) = %+v, %v, want %s", code, p, ok, want)
		}
	}
}
