package rules

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/cbec/cbec/deploy"
	"github.com/cbec/cbec/pkg/clock"
	"github.com/cbec/cbec/pkg/risk"
	"github.com/shopspring/decimal"
)

// TestDefault loads the rules file the binary embeds.
func TestDefault(t *testing.T) {
	s, err := Load(bytes.NewReader(deploy.Rules))
	if err != nil {
		t.Fatal(err)
	}
	row, err := s.Limits.At(time.Date(2025, 6, 1, 12, 0, 0, 0, clock.Shanghai))
	if err != nil {
		t.Fatal(err)
	}
	if !row.Single.Equal(decimal.NewFromInt(5000)) || !row.Annual.Equal(decimal.NewFromInt(26000)) {
		t.Fatalf("2025 row = %s / %s, want 5000 / 26000", row.Single, row.Annual)
	}
	if !row.From.Equal(time.Date(2019, 1, 1, 0, 0, 0, 0, clock.Shanghai)) {
		t.Fatalf("2025 row from %v, want 2019-01-01", row.From)
	}
	old, err := s.Limits.At(time.Date(2018, 12, 31, 23, 59, 0, 0, clock.Shanghai))
	if err != nil || !old.Single.Equal(decimal.NewFromInt(2000)) {
		t.Fatalf("2018 row = %+v, %v; want single 2000", old, err)
	}
	want := Windows{IncompleteAfter: 24 * time.Hour, ReviewClaimTTL: 30 * time.Minute, ReturnApplyDays: 30, ReturnArriveDays: 45}
	if s.Windows != want {
		t.Fatalf("windows = %+v, want %+v", s.Windows, want)
	}
	var got []string
	for _, r := range s.Risk.Rules() {
		got = append(got, r.ID)
	}
	for _, id := range []string{"R001", "R002", "R003", "R004", "R005", "R006"} {
		if !strings.Contains(strings.Join(got, ","), id) {
			t.Errorf("default rules %v lack %s", got, id)
		}
	}
}

const valid = `
limits:
  - {from: 2016-04-08, single: "2000", annual: "20000"}
  - {from: "2019-01-01", single: 5000, annual: 26000.00}
windows:
  incompleteAfter: 24h
  returnApplyDays: 30
  returnArriveDays: 45
  reviewClaimTTL: 30m
risk:
  - {id: R001, description: {zh: "接近单次限值", en: "near the limit"}, expr: "decl.valueFen * 100 >= limit.singleFen * 95", action: review}
`

func TestLoadValid(t *testing.T) {
	s, err := Load(strings.NewReader(valid))
	if err != nil {
		t.Fatal(err)
	}
	rows := s.Limits.Rows()
	if len(rows) != 2 || !rows[1].Annual.Equal(decimal.NewFromInt(26000)) {
		t.Fatalf("rows = %+v", rows)
	}
	hits, err := s.Risk.Evaluate(risk.Facts{Decl: risk.Decl{ValueFen: 480000}, Limit: risk.Limit{SingleFen: 500000}})
	if err != nil || len(hits) != 1 || hits[0].RuleID != "R001" {
		t.Fatalf("hits = %+v, %v", hits, err)
	}
}

func TestLoadRefuses(t *testing.T) {
	tests := []struct {
		name, old, new string
		want           []string
	}{
		{"unknown top-level key", "windows:", "window:", []string{"window"}},
		{"unknown window key", "reviewClaimTTL: 30m", "reviewClaimTTL: 30m\n  reviewClaimTtl: 5m", []string{"reviewClaimTtl"}},
		{"unknown limit key", `annual: "20000"}`, `annual: "20000", currency: CNY}`, []string{"currency"}},
		{"unknown rule key", "action: review}", "action: review, severity: high}", []string{"line 11", `unknown field "severity"`}},
		{"bad duration", "incompleteAfter: 24h", "incompleteAfter: 1 day", []string{"windows.incompleteAfter", `"1 day"`}},
		{"bare number duration", "reviewClaimTTL: 30m", "reviewClaimTTL: 30", []string{"windows.reviewClaimTTL", `"30"`}},
		{"negative duration", "incompleteAfter: 24h", "incompleteAfter: -1h", []string{"windows.incompleteAfter", "not positive"}},
		{"missing duration", "  reviewClaimTTL: 30m\n", "", []string{"windows.reviewClaimTTL: missing"}},
		{"days not a number", "returnApplyDays: 30", "returnApplyDays: 30d", []string{"30d"}},
		{"zero days", "returnApplyDays: 30", "returnApplyDays: 0", []string{"windows.returnApplyDays", "not positive"}},
		{"arrival before application", "returnArriveDays: 45", "returnArriveDays: 20", []string{"returnArriveDays 20 is before returnApplyDays 30"}},
		{"misspelled section", "windows:", "ignored:", []string{"ignored"}},
		{"missing windows", "windows:\n  incompleteAfter: 24h\n  returnApplyDays: 30\n  returnArriveDays: 45\n  reviewClaimTTL: 30m\n", "", []string{"windows: missing"}},
		{"bad date", "2016-04-08", "2016-04-31", []string{"limits[0]", `"2016-04-31"`, "YYYY-MM-DD"}},
		{"date with time", "2016-04-08", "2016-04-08T00:00:00Z", []string{"limits[0]"}},
		{"missing date", "from: 2016-04-08, ", "", []string{"limits[0]: no from date"}},
		{"bad amount", `single: "2000"`, `single: "2,000"`, []string{"limits[0] (from 2016-04-08): single", `"2,000"`}},
		{"missing amount", `annual: "20000"`, `annual: ""`, []string{"limits[0] (from 2016-04-08): annual: missing"}},
		{"single above annual", `single: "2000"`, `single: "20001"`, []string{"single limit 20001 exceeds annual limit 20000"}},
		{"duplicate date", `"2019-01-01"`, `"2016-04-08"`, []string{"two rows from 2016-04-08"}},
		{"bad rule", `expr: "decl.valueFen * 100 >= limit.singleFen * 95"`, `expr: "decl.valueFen >>= 1"`, []string{"risk rule R001", "does not compile"}},
		{"non-bool rule", `expr: "decl.valueFen * 100 >= limit.singleFen * 95"`, `expr: "decl.valueFen * 100"`, []string{"risk rule R001", "bool"}},
		{"unknown action", "action: review}", "action: hold}", []string{"risk rule R001", `"hold"`}},
		{"second document", "risk:", "---\nrisk:", []string{"more than one YAML document"}},
		// Every rule's text in both languages, and the error names its line.
		{"no Chinese text", `{zh: "接近单次限值", en: "near the limit"}`, `{en: "near the limit"}`,
			[]string{"risk rule R001 (line 11)", "no zh (Chinese) text"}},
		{"no English text", `{zh: "接近单次限值", en: "near the limit"}`, `{zh: "接近单次限值"}`,
			[]string{"risk rule R001 (line 11)", "no en (English) text"}},
		{"empty English text", `en: "near the limit"`, `en: ""`, []string{"risk rule R001 (line 11)", "no en (English) text"}},
		{"no description", `description: {zh: "接近单次限值", en: "near the limit"}, `, "", []string{"risk rule R001 (line 11): no description"}},
		{"one-language description", `{zh: "接近单次限值", en: "near the limit"}`, `"near the limit"`,
			[]string{"line 11", "{zh: …, en: …}"}},
		{"unknown language", `en: "near the limit"`, `en: "near the limit", fr: "près de la limite"`, []string{"line 11", `unknown language "fr"`}},
		{"text not a string", `en: "near the limit"`, `en: [near, limit]`, []string{"line 11", "text en: not a string"}},
		{"rule line in a compile error", `expr: "decl.valueFen * 100 >= limit.singleFen * 95"`, `expr: "decl.valueFen >>= 1"`,
			[]string{"risk rule R001 (line 11)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(valid, tt.old) {
				t.Fatalf("fixture lacks %q", tt.old)
			}
			_, err := Load(strings.NewReader(strings.Replace(valid, tt.old, tt.new, 1)))
			if err == nil {
				t.Fatal("loaded")
			}
			if !strings.HasPrefix(err.Error(), "rules file: ") {
				t.Errorf("error %q does not name the rules file", err)
			}
			t.Log(err)
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestLoadEmptyAndNoLimits(t *testing.T) {
	if _, err := Load(strings.NewReader("")); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("empty file: %v", err)
	}
	noLimits := strings.Replace(valid, "limits:\n  - {from: 2016-04-08, single: \"2000\", annual: \"20000\"}\n  - {from: \"2019-01-01\", single: 5000, annual: 26000.00}\n", "", 1)
	if _, err := Load(strings.NewReader(noLimits)); err == nil || !strings.Contains(err.Error(), "limits: no rows") {
		t.Errorf("no limits: %v", err)
	}
}
