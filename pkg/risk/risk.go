// Package risk evaluates customs risk rules kept as data: each rule is an
// officer-readable expression (github.com/expr-lang/expr) over the facts of
// one inventory list, with an action, review or reject. Keeping rules as data
// lets customs tighten or relax profiling without a release, and compiling
// them all at load means a mistyped rule stops the service from starting
// rather than silently never firing.
package risk

import (
	"errors"
	"fmt"
	"slices"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"
	"github.com/shopspring/decimal"
)

// Action is what happens to a list when a rule fires.
type Action string

// Actions of a rule.
const (
	// Review holds the list for a customs officer's decision.
	Review Action = "review"
	// Reject refuses the list outright.
	Reject Action = "reject"
)

// Spec is one rule as written in the rules file.
type Spec struct {
	// ID names the rule in hits, logs and load errors (e.g. R001).
	ID string `yaml:"id"`
	// Description tells the officer, in words, why a list was stopped, in
	// Chinese and in English.
	Description Text `yaml:"description"`
	// Expr is an expression over Facts that returns bool; true fires the rule.
	Expr string `yaml:"expr"`
	// Action is review or reject.
	Action Action `yaml:"action"`
	// Line is where the rule starts in the rules file, for load errors;
	// 0 when the rule was not read from a file.
	Line int `yaml:"-"`
}

// Hit is one rule that fired on a list, with its reason in both languages:
// the hit is the record of why the list was stopped, so it keeps the texts
// of the rule as they were when it fired.
type Hit struct {
	RuleID string `json:"ruleId"`
	// Description is the English reason; receipts quote it
	// (-901030: risk rule(s) R006 <description>).
	Description string `json:"description"`
	// DescriptionZh is the Chinese reason, which the Chinese desk shows.
	// Empty only on hits recorded before the rules were bilingual.
	DescriptionZh string `json:"descriptionZh,omitempty"`
	Action        Action `json:"action"`
	// RulesVersion is the version of the rules that fired (the revision
	// an operator activated, docs/rules.md); 0 for the rules file the
	// process started with, and on hits recorded before versions.
	RulesVersion uint64 `json:"rulesVersion,omitempty"`
}

// EvalFailedID is the rule id of the hit that stands for rules that could
// not be evaluated.
const EvalFailedID = "EVAL"

// EvalFailed is the hit that holds a list whose rules could not all be
// evaluated (the error of Evaluate): an officer must look, the list must
// never clear unseen.
func EvalFailed(err error) Hit {
	return Hit{RuleID: EvalFailedID, Action: Review,
		Description:   "a risk rule failed to evaluate: " + err.Error(),
		DescriptionZh: "风险规则无法计算，须人工审核：" + err.Error()}
}

// Engine holds compiled rules. It is immutable after Compile and safe for
// concurrent use.
type Engine struct {
	specs    []Spec
	programs []*vm.Program
	version  uint64
}

// WithVersion returns the engine stamping its hits with rules version v:
// the same compiled rules, shared.
func (e *Engine) WithVersion(v uint64) *Engine {
	c := *e
	c.version = v
	return &c
}

// Version is the rules version the engine stamps on its hits.
func (e *Engine) Version() uint64 { return e.version }

// Compile checks and compiles every rule. It refuses the whole set on the
// first rule without an id, a description in both Chinese and English, or
// an expression, with a duplicate id, with an unknown action, or whose
// expression does not compile against Facts to a bool; the error names the
// rule and, for a rule read from a file, its line. The builtin now() is
// disabled so that a rule depends only on the facts, never on the wall
// clock, and replays the same way in tests and audits.
func Compile(specs []Spec) (*Engine, error) {
	e := &Engine{specs: slices.Clone(specs), programs: make([]*vm.Program, len(specs))}
	seen := make(map[string]bool, len(specs))
	for i, s := range specs {
		if s.ID == "" {
			return nil, fmt.Errorf("risk rule %d%s: no id", i+1, at(s))
		}
		if seen[s.ID] {
			return nil, fmt.Errorf("risk rule %s%s: duplicate id", s.ID, at(s))
		}
		seen[s.ID] = true
		if s.Description == (Text{}) {
			return nil, fmt.Errorf("risk rule %s%s: no description", s.ID, at(s))
		}
		if m := s.Description.missing(); m != "" {
			return nil, fmt.Errorf("risk rule %s%s: description has no %s text: every rule needs both zh and en", s.ID, at(s), m)
		}
		if s.Action != Review && s.Action != Reject {
			return nil, fmt.Errorf("risk rule %s%s: unknown action %q (want %q or %q)", s.ID, at(s), s.Action, Review, Reject)
		}
		if s.Expr == "" {
			return nil, fmt.Errorf("risk rule %s%s: no expression", s.ID, at(s))
		}
		p, err := expr.Compile(s.Expr, expr.Env(Facts{}), expr.AsBool(), expr.DisableBuiltin("now"))
		if err != nil {
			return nil, fmt.Errorf("risk rule %s%s: expression does not compile: %w", s.ID, at(s), err)
		}
		e.programs[i] = p
	}
	return e, nil
}

// at is " (line N)" for a rule read from a file, "" otherwise.
func at(s Spec) string {
	if s.Line == 0 {
		return ""
	}
	return fmt.Sprintf(" (line %d)", s.Line)
}

// Evaluate runs every rule over f and returns those that fire, in file
// order. A rule that fails at run time (for example an index out of range)
// is reported in the error, naming the rule, never as a silent miss: a list
// must not clear because a risk rule could not be evaluated. The other rules
// still run and their hits are returned alongside the error.
func (e *Engine) Evaluate(f Facts) ([]Hit, error) {
	// One VM per call: a VM is not safe for concurrent use, but reusing it
	// across the rules of a call saves its stack allocations.
	var machine vm.VM
	env := any(f)
	var hits []Hit
	var errs []error
	for i, p := range e.programs {
		out, err := machine.Run(p, env)
		if err != nil {
			errs = append(errs, fmt.Errorf("risk rule %s: %w", e.specs[i].ID, err))
			continue
		}
		if fired, _ := out.(bool); fired {
			s := e.specs[i]
			hits = append(hits, Hit{RuleID: s.ID, Description: s.Description.En, DescriptionZh: s.Description.Zh, Action: s.Action, RulesVersion: e.version})
		}
	}
	return hits, errors.Join(errs...)
}

// Rules returns a copy of the rules, in file order.
func (e *Engine) Rules() []Spec { return slices.Clone(e.specs) }

// Facts is what a rule sees of one inventory list. Money is in integer fen
// and quantities in integer thousandths so that comparisons stay exact: the
// expression language has no decimal type, and a float would make a value
// exactly at a threshold fire or not depending on rounding.
type Facts struct {
	Decl  Decl   `expr:"decl"`
	Lines []Line `expr:"lines"`
	Buyer Buyer  `expr:"buyer"`
	Limit Limit  `expr:"limit"`
}

// Decl is the list head.
type Decl struct {
	TradeMode        string `expr:"tradeMode"`
	EbpCode          string `expr:"ebpCode"`
	EbcCode          string `expr:"ebcCode"`
	AgentCode        string `expr:"agentCode"`
	CustomsCode      string `expr:"customsCode"`
	ConsigneeAddress string `expr:"consigneeAddress"`
	// ValueFen is the list's dutiable value (D2) in fen.
	ValueFen         int64 `expr:"valueFen"`
	GrossWeightGrams int64 `expr:"grossWeightGrams"`
	NetWeightGrams   int64 `expr:"netWeightGrams"`
	LineCount        int   `expr:"lineCount"`
	// TotalQtyMilli is the sum of the lines' declared quantities, in
	// thousandths.
	TotalQtyMilli int64 `expr:"totalQtyMilli"`
}

// Line is one list line.
type Line struct {
	Gnum          int    `expr:"gnum"`
	Gcode         string `expr:"gcode"`
	Gname         string `expr:"gname"`
	Unit          string `expr:"unit"`
	QtyMilli      int64  `expr:"qtyMilli"`
	UnitPriceFen  int64  `expr:"unitPriceFen"`
	TotalPriceFen int64  `expr:"totalPriceFen"`
	// ReferencePriceFen is the tariff line's reference unit price; 0 means
	// the tariff table has none, and price rules must then stay silent.
	ReferencePriceFen int64 `expr:"referencePriceFen"`
}

// Buyer is what is known of the buyer's recent activity.
type Buyer struct {
	// Declarations24h counts this buyer's declarations counted in the quota
	// (accepted, this quota year) in the 24 hours before this one (this one
	// excluded); rejected declarations never count.
	Declarations24h int `expr:"declarations24h"`
	// ValueYearFen is the buyer's counted total this quota year before this
	// list, in fen.
	ValueYearFen int64 `expr:"valueYearFen"`
	// BuyersAtAddressToday counts the distinct buyers who used this
	// consignee address today (Asia/Shanghai), this one included.
	BuyersAtAddressToday int `expr:"buyersAtAddressToday"`
}

// Limit is the limit row in force for the list, in fen.
type Limit struct {
	SingleFen int64 `expr:"singleFen"`
	AnnualFen int64 `expr:"annualFen"`
}

// Fen converts an amount in CNY to integer fen, rounding half up (away from
// zero) as every amount in cbec is rounded (D17).
func Fen(d decimal.Decimal) int64 { return d.Round(2).Shift(2).IntPart() }

// Milli converts a quantity to integer thousandths, rounding half up (away
// from zero).
func Milli(d decimal.Decimal) int64 { return d.Round(3).Shift(3).IntPart() }
