package risk_test

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode"

	"github.com/cbec/cbec/deploy"
	"github.com/cbec/cbec/pkg/risk"
	"github.com/cbec/cbec/pkg/rules"
	"github.com/shopspring/decimal"
)

// normal is a cebtest-like ordinary list: 574.00 CNY over two lines, 1.5 kg
// gross, 1.2 kg net, one earlier declaration by the buyer in 24 hours.
func normal() risk.Facts {
	return risk.Facts{
		Decl: risk.Decl{
			TradeMode: "1210", EbpCode: "1105910159", EbcCode: "1105910159", AgentCode: "1105910159",
			CustomsCode: "8001", ConsigneeAddress: "重庆市渝北区示例路1号",
			ValueFen: 57400, GrossWeightGrams: 1500, NetWeightGrams: 1200, LineCount: 2, TotalQtyMilli: 3000,
		},
		Lines: []risk.Line{
			{Gnum: 1, Gcode: "1901101000", Gname: "婴儿配方奶粉", Unit: "122", QtyMilli: 2000,
				UnitPriceFen: 15000, TotalPriceFen: 30000, ReferencePriceFen: 20000},
			{Gnum: 2, Gcode: "3304990099", Gname: "面霜", Unit: "142", QtyMilli: 1000,
				UnitPriceFen: 27400, TotalPriceFen: 27400},
		},
		Buyer: risk.Buyer{Declarations24h: 1, ValueYearFen: 1200000, BuyersAtAddressToday: 1},
		Limit: risk.Limit{SingleFen: 500000, AnnualFen: 2600000},
	}
}

func defaultEngine(t testing.TB) *risk.Engine {
	t.Helper()
	set, err := rules.Load(bytes.NewReader(deploy.Rules))
	if err != nil {
		t.Fatal(err)
	}
	return set.Risk
}

// d is a description in both languages, for rules whose text does not matter.
var d = risk.Text{Zh: "说明", En: "description"}

func ids(hits []risk.Hit) []string {
	out := make([]string, 0, len(hits))
	for _, h := range hits {
		out = append(out, h.RuleID)
	}
	return out
}

func TestDefaultRules(t *testing.T) {
	e := defaultEngine(t)
	tests := []struct {
		name   string
		change func(*risk.Facts)
		want   []string
	}{
		{"normal list", func(*risk.Facts) {}, nil},

		{"R001 at 95 % of the limit", func(f *risk.Facts) { f.Decl.ValueFen = 475000 }, []string{"R001"}},
		{"R001 at the limit", func(f *risk.Facts) { f.Decl.ValueFen = 500000 }, []string{"R001"}},
		{"R001 silent one fen below 95 %", func(f *risk.Facts) { f.Decl.ValueFen = 474999 }, nil},
		{"R001 silent over the limit", func(f *risk.Facts) { f.Decl.ValueFen = 500001 }, nil},
		{"R001 follows the 2016 row", func(f *risk.Facts) {
			f.Limit = risk.Limit{SingleFen: 200000, AnnualFen: 2000000}
			f.Decl.ValueFen = 195000
		}, []string{"R001"}},

		{"R002 sixth declaration", func(f *risk.Facts) { f.Buyer.Declarations24h = 5 }, []string{"R002"}},
		{"R002 silent at the fifth", func(f *risk.Facts) { f.Buyer.Declarations24h = 4 }, nil},

		{"R003 under 30 % of reference", func(f *risk.Facts) { f.Lines[0].UnitPriceFen = 5999 }, []string{"R003"}},
		{"R003 silent at exactly 30 %", func(f *risk.Facts) { f.Lines[0].UnitPriceFen = 6000 }, nil},
		{"R003 silent without reference price", func(f *risk.Facts) { f.Lines[1].UnitPriceFen = 1 }, nil},

		{"R004 zero gross", func(f *risk.Facts) { f.Decl.GrossWeightGrams = 0 }, []string{"R004"}},
		{"R004 gross under net", func(f *risk.Facts) { f.Decl.GrossWeightGrams = 1199 }, []string{"R004"}},
		{"R004 gross equal to net", func(f *risk.Facts) { f.Decl.GrossWeightGrams = 1200 }, nil},
		{"R004 over 30 kg per unit", func(f *risk.Facts) { f.Decl.GrossWeightGrams = 90001 }, []string{"R004"}},
		{"R004 silent at 30 kg per unit", func(f *risk.Facts) { f.Decl.GrossWeightGrams = 90000 }, nil},

		{"R005 fourth buyer at address", func(f *risk.Facts) { f.Buyer.BuyersAtAddressToday = 4 }, []string{"R005"}},
		{"R005 silent at third", func(f *risk.Facts) { f.Buyer.BuyersAtAddressToday = 3 }, nil},

		{"R006 21st declaration", func(f *risk.Facts) { f.Buyer.Declarations24h = 20 }, []string{"R002", "R006"}},
		{"R006 silent at the 20th", func(f *risk.Facts) { f.Buyer.Declarations24h = 19 }, []string{"R002"}},

		{"several rules, file order", func(f *risk.Facts) {
			f.Buyer.BuyersAtAddressToday = 9
			f.Decl.ValueFen = 490000
			f.Decl.GrossWeightGrams = 0
		}, []string{"R001", "R004", "R005"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := normal()
			tt.change(&f)
			hits, err := e.Evaluate(f)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(hits); !slices.Equal(got, tt.want) {
				t.Fatalf("hits = %v, want %v", got, tt.want)
			}
			for _, h := range hits {
				want := risk.Review
				if h.RuleID == "R006" {
					want = risk.Reject
				}
				if h.Action != want || h.Description == "" || !hasHan(h.DescriptionZh) {
					t.Errorf("hit %+v: want action %s and a description in English and Chinese", h, want)
				}
			}
		})
	}
}

func TestCompileRefuses(t *testing.T) {
	ok := risk.Spec{ID: "R1", Description: d, Expr: "decl.valueFen > 0", Action: risk.Review}
	tests := []struct {
		name  string
		specs []risk.Spec
		want  []string
	}{
		{"syntax error", []risk.Spec{ok, {ID: "R9", Description: d, Expr: "decl.valueFen >", Action: risk.Review}},
			[]string{"risk rule R9", "does not compile"}},
		{"unknown field", []risk.Spec{{ID: "R7", Description: d, Expr: "decl.valueYuan > 5", Action: risk.Review}},
			[]string{"risk rule R7", "valueYuan"}},
		{"Go field name instead of expr name", []risk.Spec{{ID: "R8", Description: d, Expr: "Decl.ValueFen > 5", Action: risk.Review}},
			[]string{"risk rule R8"}},
		{"not bool", []risk.Spec{{ID: "R2", Description: d, Expr: "decl.valueFen + 1", Action: risk.Review}},
			[]string{"risk rule R2", "bool"}},
		{"wall clock", []risk.Spec{{ID: "R3", Description: d, Expr: "now().Year() > 2000", Action: risk.Review}},
			[]string{"risk rule R3"}},
		{"duplicate id", []risk.Spec{ok, ok}, []string{"risk rule R1: duplicate id"}},
		{"unknown action", []risk.Spec{{ID: "R4", Description: d, Expr: "true", Action: "hold"}},
			[]string{"risk rule R4", `unknown action "hold"`}},
		{"no id", []risk.Spec{ok, {Description: d, Expr: "true", Action: risk.Review}}, []string{"risk rule 2: no id"}},
		{"no expression", []risk.Spec{{ID: "R5", Description: d, Action: risk.Review}}, []string{"risk rule R5: no expression"}},
		{"no description", []risk.Spec{{ID: "R6", Expr: "true", Action: risk.Review}}, []string{"risk rule R6: no description"}},
		{"no Chinese", []risk.Spec{{ID: "R7", Description: risk.Text{En: "why"}, Expr: "true", Action: risk.Review, Line: 12}},
			[]string{"risk rule R7 (line 12)", "no zh (Chinese) text"}},
		{"no English", []risk.Spec{{ID: "R8", Description: risk.Text{Zh: "理由", En: "  "}, Expr: "true", Action: risk.Review}},
			[]string{"risk rule R8: description has no en (English) text"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := risk.Compile(tt.specs)
			if err == nil {
				t.Fatal("compiled")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// hasHan reports whether s holds a Chinese character.
func hasHan(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0
}

// TestHitKeepsBothTexts checks that a hit carries the rule's Chinese and
// English reason, and that the stand-in for a failed evaluation does too.
func TestHitKeepsBothTexts(t *testing.T) {
	e, err := risk.Compile([]risk.Spec{{ID: "B", Description: risk.Text{Zh: "两行", En: "two lines"}, Expr: "decl.lineCount == 2", Action: risk.Review}})
	if err != nil {
		t.Fatal(err)
	}
	hits, err := e.Evaluate(normal())
	if err != nil || len(hits) != 1 || hits[0].Description != "two lines" || hits[0].DescriptionZh != "两行" {
		t.Fatalf("hits %+v, %v", hits, err)
	}
	f := risk.EvalFailed(errors.New("index out of range"))
	if f.RuleID != risk.EvalFailedID || f.Action != risk.Review || !strings.Contains(f.Description, "index out of range") ||
		!hasHan(f.DescriptionZh) || !strings.Contains(f.DescriptionZh, "index out of range") {
		t.Errorf("EvalFailed %+v", f)
	}
}

func TestEvaluateRuntimeError(t *testing.T) {
	e, err := risk.Compile([]risk.Spec{
		{ID: "A", Description: d, Expr: "lines[5].qtyMilli > 0", Action: risk.Review},
		{ID: "B", Description: d, Expr: "decl.lineCount == 2", Action: risk.Review},
	})
	if err != nil {
		t.Fatal(err)
	}
	hits, err := e.Evaluate(normal())
	if err == nil || !strings.Contains(err.Error(), "risk rule A") {
		t.Fatalf("error = %v, want one naming rule A", err)
	}
	if got := ids(hits); !slices.Equal(got, []string{"B"}) {
		t.Fatalf("hits = %v, want [B]", got)
	}
}

func TestRulesIsACopy(t *testing.T) {
	e := defaultEngine(t)
	r := e.Rules()
	if len(r) < 6 || r[0].ID != "R001" {
		t.Fatalf("Rules() = %+v", r)
	}
	r[0].ID = "X"
	if e.Rules()[0].ID != "R001" {
		t.Fatal("Rules exposed the engine's slice")
	}
}

func TestConcurrentEvaluate(t *testing.T) {
	e := defaultEngine(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f := normal()
			f.Buyer.Declarations24h = i * 3
			for range 200 {
				hits, err := e.Evaluate(f)
				if err != nil {
					t.Error(err)
					return
				}
				if want := i*3+1 > 5; (len(hits) > 0) != want {
					t.Errorf("declarations %d: hits %v", i*3, ids(hits))
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestFenMilli(t *testing.T) {
	tests := []struct {
		in         string
		fen, milli int64
	}{
		{"574.00", 57400, 574000},
		{"0.005", 1, 5},
		{"0.0049", 0, 5},
		{"1.2345", 123, 1235},
		{"5000", 500000, 5000000},
		{"2.0005", 200, 2001},
	}
	for _, tt := range tests {
		d := decimal.RequireFromString(tt.in)
		if got := risk.Fen(d); got != tt.fen {
			t.Errorf("Fen(%s) = %d, want %d", tt.in, got, tt.fen)
		}
		if got := risk.Milli(d); got != tt.milli {
			t.Errorf("Milli(%s) = %d, want %d", tt.in, got, tt.milli)
		}
	}
}

func BenchmarkEvaluate(b *testing.B) {
	e := defaultEngine(b)
	f := normal()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Evaluate(f); err != nil {
			b.Fatal(err)
		}
	}
}
