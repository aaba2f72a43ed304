package inventory_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/ceb/cebtest"
	"github.com/cbec/cbec/pkg/clock"
	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/inventory"
	"github.com/cbec/cbec/pkg/match"
	"github.com/cbec/cbec/pkg/quota"
	"github.com/cbec/cbec/pkg/risk"
	"github.com/cbec/cbec/pkg/rules"
	"github.com/cbec/cbec/pkg/tariff"
	"github.com/cbec/cbec/pkg/tax"
)

// The tests of Decide use a tariff and a rules file of their own, so that
// every rate, date and limit a case leans on is written here beside it and
// no change to deploy/ moves a boundary under a test.
//
//   - 19011010 infant formula (cebtest's gcode): VAT 13 %, duty 15 %, no
//     consumption tax, reference price 180, listed since 2010 so that the
//     2016 limits can be reached;
//   - 17019910 sugar: an annual quantity limit of 2 kg (unit 035);
//   - 33049900 cosmetics: consumption tax 15 %, duty 5 %, only 1210, and
//     only from 2022-03-01 (an edition boundary).
const decideTariff = tariff.Header + `
19011010,infant formula,0.13,0,0.15,1210|9610,2010-01-01,,,,180
17019910,sugar,0.13,0,0.15,1210|9610,2010-01-01,,2,035,
33049900,cosmetics,0.13,0.15,0.05,1210,2022-03-01,,,,
`

const (
	milk      = cebtest.Gcode // 1901101000
	sugar     = "1701991000"
	cosmetics = "3304990000"
	listKey   = "1500000001.ORDER-1"
)

// rule is one risk rule of a test's rules file.
type rule struct{ id, expr, action string }

// rulesFile writes a rules file with the limits of domain §11 (2,000 /
// 20,000 from 2016-04-08, 5,000 / 26,000 from 2019-01-01) and the given
// risk rules.
func rulesFile(t *testing.T, rs ...rule) *rules.Set {
	t.Helper()
	var b strings.Builder
	b.WriteString(`limits:
  - {from: 2016-04-08, single: "2000", annual: "20000"}
  - {from: 2019-01-01, single: "5000", annual: "26000"}
windows: {incompleteAfter: 24h, returnApplyDays: 30, returnArriveDays: 45, reviewClaimTTL: 30m}
risk:
`)
	if len(rs) == 0 {
		b.WriteString("  []\n")
	}
	for _, r := range rs {
		fmt.Fprintf(&b, "  - id: %s\n    description: {zh: 测试规则 %s, en: test rule %s}\n    expr: %q\n    action: %s\n", r.id, r.id, r.id, r.expr, r.action)
	}
	set, err := rules.Load(strings.NewReader(b.String()))
	if err != nil {
		t.Fatalf("rules: %v\n%s", err, b.String())
	}
	return set
}

// decideCase is one declaration: cebtest's inventory list (two lines of
// formula, 574.00 with freight) as modified by the case, alone — the
// order, payment and waybill matches are pkg/match's to test — against a
// ledger and rules of the case.
type decideCase struct {
	inv      *ceb.Inventory
	ledger   *quota.Ledger
	rules    *rules.Set
	buyersAt int
	now      time.Time
}

var decideTable = func() *tariff.Table {
	t, err := tariff.Load(strings.NewReader(decideTariff))
	if err != nil {
		panic(err)
	}
	return t
}()

func newCase(t *testing.T) *decideCase {
	_, _, _, inv := cebtest.Set("ORDER-1")
	return &decideCase{inv: inv, ledger: &quota.Ledger{}, rules: rulesFile(t), buyersAt: 1,
		now: time.Date(2025, 3, 10, 10, 0, 0, 0, clock.Shanghai)}
}

func (c *decideCase) decide() inventory.Outcome {
	return inventory.Decide(inventory.Input{
		Docs: match.Documents{Inventory: c.inv}, Tariff: decideTable, Rules: c.rules, Ledger: c.ledger,
		ListKey: listKey, BuyersAtAddress: c.buyersAt, Now: c.now,
	})
}

// lines replaces the list's lines: each "gcode qty price [unit1 qty1]"
// with unit 122 and, unless given, 1 kg of legal quantity (unit 035)
// per line; totalPrice is qty × price.
func (c *decideCase) lines(specs ...string) *decideCase {
	c.inv.InventoryList = nil
	for n, s := range specs {
		f := strings.Fields(s)
		unit1, qty1 := "035", "1"
		if len(f) == 5 {
			unit1, qty1 = f[3], f[4]
		}
		qty, price := decimal.RequireFromString(f[1]), decimal.RequireFromString(f[2])
		c.inv.InventoryList = append(c.inv.InventoryList, ceb.InventoryList{
			Gnum: n + 1, ItemRecordNo: fmt.Sprintf("8001W%07d", n+1), Gcode: f[0], Gname: "goods " + f[0],
			Gmodel: "model", Country: "303", Currency: "142", Unit: "122", Unit1: unit1,
			Qty: ceb.NewAmount(qty), Qty1: ceb.MustAmount(qty1), Price: ceb.NewAmount(price),
			TotalPrice: ceb.NewAmount(qty.Mul(price)),
		})
	}
	return c
}

// fees sets the head's freight and insuredFee.
func (c *decideCase) fees(freight, insured string) *decideCase {
	c.inv.InventoryHead.Freight, c.inv.InventoryHead.InsuredFee = ceb.MustAmount(freight), ceb.MustAmount(insured)
	return c
}

// used counts amount (and qty of sugar) for another list of the buyer,
// at at.
func (c *decideCase) used(list, amount, sugarKg string, at time.Time) *decideCase {
	var qty map[string]decimal.Decimal
	if sugarKg != "" {
		qty = map[string]decimal.Decimal{"17019910": decimal.RequireFromString(sugarKg)}
	}
	c.ledger.Count(list, decimal.RequireFromString(amount), qty, at)
	return c
}

// wantReject asserts a rejection whose errors carry the codes, in order.
func wantReject(t *testing.T, o inventory.Outcome, codes ...errcode.Code) {
	t.Helper()
	if o.Status != inventory.StatusRejected {
		t.Fatalf("status %s, want rejected with %v (errors %v)", o.Status, codes, o.Errors)
	}
	var got []errcode.Code
	for _, e := range o.Errors {
		got = append(got, e.Code)
	}
	if !slices.Equal(got, codes) {
		t.Fatalf("error codes %v, want %v (%v)", got, codes, o.Errors)
	}
	if o.Code() != codes[0] {
		t.Fatalf("Code() = %s, want %s", o.Code(), codes[0])
	}
	if o.Count != nil {
		t.Fatalf("a rejected list counts %+v in the quota", o.Count)
	}
}

// wantAccept asserts a list that passed every check, counted at amount.
func wantAccept(t *testing.T, o inventory.Outcome, status, amount string) {
	t.Helper()
	if o.Status != status || len(o.Errors) != 0 {
		t.Fatalf("status %s, errors %v; want %s", o.Status, o.Errors, status)
	}
	if o.Count == nil || !o.Count.Amount.Equal(decimal.RequireFromString(amount)) {
		t.Fatalf("counted %+v, want %s", o.Count, amount)
	}
	if o.Tax == nil {
		t.Fatal("an accepted list has no tax")
	}
}

func TestDecideReleasesTheCebtestList(t *testing.T) {
	o := newCase(t).decide()
	wantAccept(t, o, inventory.StatusReleased, "574.00")
	if o.Tax.Regime != tax.CBEC || !o.Tax.Total.Equal(decimal.RequireFromString(cebtest.TaxTotal)) || !o.Tax.DutiableValue.Equal(decimal.RequireFromString("574.00")) {
		t.Fatalf("tax %+v, want CBEC, total %s on 574.00", o.Tax, cebtest.TaxTotal)
	}
	if len(o.Count.Qty) != 0 || len(o.Hits) != 0 || o.Info() != "" || o.Code() != "" {
		t.Fatalf("outcome %+v", o)
	}
	if len(o.Tax.Lines) != 2 || o.Tax.Lines[0].Gnum != 1 || o.Tax.Lines[1].Gnum != 2 || o.Tax.Lines[1].Gcode != milk {
		t.Fatalf("tax lines %+v, want the list's two", o.Tax.Lines)
	}
}

// TestDecideWithTheOtherDocuments runs the complete set, as clearance
// calls Decide: the documents match, and a mismatch is a rejection.
func TestDecideWithTheOtherDocuments(t *testing.T) {
	c := newCase(t)
	o, p, w, inv := cebtest.Set("ORDER-1")
	in := inventory.Input{Docs: match.Documents{Order: o, Payment: p, Waybill: w, Inventory: inv},
		Tariff: decideTable, Rules: c.rules, Ledger: c.ledger, ListKey: listKey, BuyersAtAddress: 1, Now: c.now}
	wantAccept(t, inventory.Decide(in), inventory.StatusReleased, "574.00")

	p.PaymentHead.AmountPaid = ceb.MustAmount("626.24")
	out := inventory.Decide(in)
	if out.Status != inventory.StatusRejected || len(out.Errors) != 1 || out.Errors[0].Code == errcode.InventoryValidation {
		t.Fatalf("a payment one fen off: %+v", out)
	}
}

// TestDecideCollectsEveryError: the list's own errors, every line's and the
// buyer's are reported together, the pre-entry number's first.
func TestDecideCollectsEveryError(t *testing.T) {
	c := newCase(t).lines(milk+" 1 10", "0000000000 1 10", "9999999999 1 10", cosmetics+" 1 10", sugar+" 1 10 011 1")
	c.inv.InventoryHead.PreNo = "I20250310000000001"
	c.inv.InventoryHead.DeclTime = "20220228"
	wantReject(t, c.decide(), errcode.InventoryValidation,
		errcode.NotOnPositiveList, errcode.NotOnPositiveList, errcode.OutsideListDates, errcode.AnnualQuantity)

	// A list with a line in error is not measured against the quota: its
	// other lines' quantities are not all known.
	c = newCase(t).lines("0000000000 1 10", sugar+" 1 10 035 2.5")
	wantReject(t, c.decide(), errcode.NotOnPositiveList)
}

func TestDecideChecksTheBuyer(t *testing.T) {
	c := newCase(t)
	c.inv.InventoryHead.BuyerIdNumber = "130681196205023334" // check digit should be 5
	wantReject(t, c.decide(), errcode.BuyerID)
	if o := c.decide(); strings.Contains(o.Info(), "130681196205023334") {
		t.Fatalf("the receipt text shows the ID number: %s", o.Info())
	}
}

// TestDecidePositiveListByDeclarationDate: the edition in force on the
// list's declTime decides, at the first day of the edition and the day
// before; a trade mode the line does not allow is refused.
func TestDecidePositiveListByDeclarationDate(t *testing.T) {
	c := newCase(t).lines(cosmetics+" 1 600").fees("0", "0")
	c.inv.InventoryHead.DeclTime = "20220301"
	wantAccept(t, c.decide(), inventory.StatusReleased, "600")
	c.inv.InventoryHead.DeclTime = "20220228"
	wantReject(t, c.decide(), errcode.OutsideListDates)

	c = newCase(t).lines(cosmetics + " 1 600")
	c.inv.InventoryHead.TradeMode = "9610"
	if o := c.decide(); !slices.ContainsFunc(o.Errors, func(e *errcode.Error) bool { return e.Code == errcode.ModeNotAllowed }) {
		t.Fatalf("cosmetics under 9610: %v", o.Errors)
	}
}

// TestDecideWithoutDeclarationDateUsesNow: a list without a readable
// declTime is judged on the day it is decided, for the positive list and
// the limits alike.
func TestDecideWithoutDeclarationDateUsesNow(t *testing.T) {
	c := newCase(t)
	c.inv.InventoryHead.DeclTime = ""
	c.now = time.Date(2016, 4, 7, 12, 0, 0, 0, clock.Shanghai)
	o := c.decide()
	wantReject(t, o, errcode.InventoryValidation)
	if !strings.Contains(o.Info(), "no transaction limits in force on 2016-04-07") {
		t.Fatalf("info %q", o.Info())
	}
	c.now = time.Date(2016, 4, 8, 0, 0, 0, 0, clock.Shanghai)
	wantAccept(t, c.decide(), inventory.StatusReleased, "574.00")
}

// TestDecideLimits runs every boundary of §11 through Decide: the dutiable
// value (prices, freight and insurance) at, one fen below and one fen over
// the single limit, the single-item exception (one line, quantity 1), the
// annual limit with what the buyer already used, and the limit row chosen
// by the declaration date.
func TestDecideLimits(t *testing.T) {
	jan := time.Date(2025, 1, 5, 10, 0, 0, 0, clock.Shanghai)
	cases := []struct {
		name     string
		lines    []string
		freight  string
		insured  string
		declTime string
		used     []string // amounts of other lists this year
		self     string   // an amount already counted for this very list
		want     errcode.Code
		regime   tax.Regime
	}{
		{name: "at the single limit", lines: []string{milk + " 2 2490"}, freight: "15", insured: "5", regime: tax.CBEC},
		{name: "one fen below", lines: []string{milk + " 2 2490"}, freight: "15", insured: "4.99", regime: tax.CBEC},
		{name: "one fen over, two units", lines: []string{milk + " 2 2490"}, freight: "15", insured: "5.01", want: errcode.OverSingleLimit},
		{name: "one fen over, two lines", lines: []string{milk + " 1 2490", milk + " 1 2490"}, freight: "15", insured: "5.01", want: errcode.OverSingleLimit},
		{name: "one fen over, one unit: general rates", lines: []string{milk + " 1 4980"}, freight: "15", insured: "5.01", regime: tax.General},
		{name: "one unit at the annual limit", lines: []string{milk + " 1 5000.01"}, freight: "0", insured: "0", used: []string{"20999.99"}, regime: tax.General},
		{name: "one unit one fen over the annual limit", lines: []string{milk + " 1 5000.01"}, freight: "0", insured: "0", used: []string{"21000"}, want: errcode.OverAnnualLimit},
		{name: "at the annual limit", lines: []string{milk + " 1 574"}, freight: "0", insured: "0", used: []string{"20000", "5426"}, regime: tax.CBEC},
		{name: "one fen over the annual limit", lines: []string{milk + " 1 574"}, freight: "0", insured: "0", used: []string{"20000", "5426.01"}, want: errcode.OverAnnualLimit},
		{name: "this list's own count is not used twice", lines: []string{milk + " 1 574"}, freight: "0", insured: "0", used: []string{"25426"}, self: "574", regime: tax.CBEC},
		{name: "2016 limits on 2018-12-31", lines: []string{milk + " 2 1000"}, freight: "0", insured: "0.01", declTime: "20181231", want: errcode.OverSingleLimit},
		{name: "2016 limits at 2,000", lines: []string{milk + " 2 1000"}, freight: "0", insured: "0", declTime: "20181231", regime: tax.CBEC},
		{name: "2019 limits on 2019-01-01", lines: []string{milk + " 2 1000"}, freight: "0", insured: "0.01", declTime: "20190101", regime: tax.CBEC},
		{name: "no limits before 2016-04-08", lines: []string{milk + " 1 10"}, freight: "0", insured: "0", declTime: "20160407", want: errcode.InventoryValidation},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newCase(t).lines(tc.lines...).fees(tc.freight, tc.insured)
			if tc.declTime != "" {
				c.inv.InventoryHead.DeclTime = tc.declTime
			}
			for i, u := range tc.used {
				c.used(fmt.Sprintf("other-%d", i), u, "", jan)
			}
			if tc.self != "" {
				c.used(listKey, tc.self, "", jan)
			}
			o := c.decide()
			if tc.want != "" {
				wantReject(t, o, tc.want)
				if o.Tax != nil {
					t.Fatalf("a list over a limit was taxed: %+v", o.Tax)
				}
				return
			}
			p := tax.DutiableValue(nil, c.inv.InventoryHead.Freight.Decimal, c.inv.InventoryHead.InsuredFee.Decimal)
			for _, l := range c.inv.InventoryList {
				p = p.Add(l.TotalPrice.Decimal)
			}
			wantAccept(t, o, inventory.StatusReleased, p.String())
			if o.Tax.Regime != tc.regime {
				t.Fatalf("regime %s, want %s", o.Tax.Regime, tc.regime)
			}
		})
	}
}

// TestDecideAnnualQuantity runs the annual quantity limit of a tariff line
// (sugar, 2 kg a year) at, below and above the limit: alone, on top of
// what other lists counted, over two lines of the same tariff line, and
// measured in the transaction unit when the legal unit is not the limit's.
func TestDecideAnnualQuantity(t *testing.T) {
	jan := time.Date(2025, 1, 5, 10, 0, 0, 0, clock.Shanghai)
	cases := []struct {
		name  string
		lines []string
		used  string // kg counted by another list
		self  string // kg already counted by this list
		want  string // kg counted, or "" for -901020
	}{
		{name: "at the limit", lines: []string{sugar + " 1 10 035 2"}, want: "2"},
		{name: "below", lines: []string{sugar + " 1 10 035 1.999"}, want: "1.999"},
		{name: "above", lines: []string{sugar + " 1 10 035 2.001"}},
		{name: "with another list, at the limit", lines: []string{sugar + " 1 10 035 1.5"}, used: "0.5", want: "1.5"},
		{name: "with another list, above", lines: []string{sugar + " 1 10 035 1.501"}, used: "0.5"},
		{name: "this list's own count is not used twice", lines: []string{sugar + " 1 10 035 2"}, self: "2", want: "2"},
		{name: "two lines, at the limit", lines: []string{sugar + " 1 10 035 1", sugar + " 1 10 035 1"}, want: "2"},
		{name: "two lines, above", lines: []string{sugar + " 1 10 035 1", sugar + " 1 10 035 1.001"}},
		{name: "in the transaction unit", lines: []string{sugar + " 2 10 011 7"}, used: "0.001"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newCase(t).lines(tc.lines...)
			if strings.Contains(tc.name, "transaction unit") {
				// Declared in kg as the transaction unit, in another unit
				// as the legal one: the limit counts the kg.
				c.inv.InventoryList[0].Unit = "035"
			}
			if tc.used != "" {
				c.used("other", "100", tc.used, jan)
			}
			if tc.self != "" {
				c.used(listKey, "20", tc.self, jan)
			}
			o := c.decide()
			if tc.want == "" {
				wantReject(t, o, errcode.AnnualQuantity)
				if !strings.Contains(o.Info(), "17019910 (sugar)") || !strings.Contains(o.Info(), "exceeds the annual limit 2 per person (unit 035)") {
					t.Fatalf("info %q", o.Info())
				}
				return
			}
			wantAccept(t, o, inventory.StatusReleased, o.Count.Amount.String())
			if q := o.Count.Qty["17019910"]; len(o.Count.Qty) != 1 || !q.Equal(decimal.RequireFromString(tc.want)) {
				t.Fatalf("counted quantities %v, want 17019910: %s", o.Count.Qty, tc.want)
			}
		})
	}
}

// TestDecideAnnualQuantityNeedsTheLimitsUnit: a line declared in neither
// unit of the limit cannot be measured against it and is refused.
func TestDecideAnnualQuantityNeedsTheLimitsUnit(t *testing.T) {
	o := newCase(t).lines(sugar + " 1 10 011 1").decide()
	wantReject(t, o, errcode.AnnualQuantity)
	if want := "gnum 1: 1701991000 has an annual limit in unit 035, but the line is declared in units 122/011"; !strings.Contains(o.Info(), want) {
		t.Fatalf("info %q, want %q", o.Info(), want)
	}
}

// TestDecideTaxUsesTheLinesRates: each line is assessed at its own tariff
// line's duty, VAT and consumption tax rates, with the head's freight and
// insurance apportioned; within the limits at CBEC rates, as a single item
// over 5,000 at general ones.
func TestDecideTaxUsesTheLinesRates(t *testing.T) {
	cases := []struct {
		name           string
		lines          []string
		freight, insur string
		duty, ct, vat  string
	}{
		// 600/0.85×0.15×0.7 = 74.1176…; 600×0.13×0.7/0.85 = 64.2352…
		{"cosmetics within limits", []string{cosmetics + " 1 600"}, "0", "0", "0", "74.12", "64.24"},
		// Freight 5.00 + 10.00, insurance 1.67 + 3.33: P1 = 306.67, VAT 306.67×0.091 = 27.9069…;
		// P2 = 613.33, CT 613.33/0.85×0.15×0.7 = 75.7643…, VAT 613.33×0.13×0.7/0.85 = 65.6623…
		{"two lines, freight and insurance shared", []string{milk + " 1 300", cosmetics + " 1 600"}, "15", "5", "0", "75.76", "93.57"},
		// P = 5,000.01: duty 750.0015 → 750.00; VAT (5,000.01 + 750.0015)×0.13 = 747.5016…
		{"one unit over 5,000", []string{milk + " 1 5000.01"}, "0", "0", "750.00", "0", "747.50"},
	}
	for _, tc := range cases {
		c := newCase(t).lines(tc.lines...).fees(tc.freight, tc.insur)
		o := c.decide()
		if o.Tax == nil {
			t.Fatalf("%s: %+v", tc.name, o)
		}
		for _, a := range []struct {
			what string
			got  decimal.Decimal
			want string
		}{{"duty", o.Tax.Duty, tc.duty}, {"consumption tax", o.Tax.Consumption, tc.ct}, {"VAT", o.Tax.VAT, tc.vat}} {
			if !a.got.Equal(decimal.RequireFromString(a.want)) {
				t.Errorf("%s: %s %s, want %s", tc.name, a.what, a.got, a.want)
			}
		}
	}
}

// TestDecideRisk: a review rule holds the list for an officer, a reject
// rule rejects it (-901030) keeping the hits and the tax for the receipt, a
// reject wins over a review, and a rule that cannot be evaluated holds the
// list rather than letting it pass.
func TestDecideRisk(t *testing.T) {
	cases := []struct {
		name   string
		rules  []rule
		status string
		hits   []string
	}{
		{"no rule fires", []rule{{"R1", "decl.lineCount > 2", "review"}}, inventory.StatusReleased, nil},
		{"review", []rule{{"R1", "decl.lineCount == 2", "review"}}, inventory.StatusReview, []string{"R1"}},
		{"reject", []rule{{"R1", "decl.lineCount == 2", "reject"}}, inventory.StatusRejected, []string{"R1"}},
		{"reject wins over review", []rule{{"R1", "true", "review"}, {"R2", "true", "reject"}, {"R3", "true", "review"}}, inventory.StatusRejected, []string{"R1", "R2", "R3"}},
		{"two rejects", []rule{{"R1", "true", "reject"}, {"R2", "true", "reject"}}, inventory.StatusRejected, []string{"R1", "R2"}},
		{"a rule that fails holds the list", []rule{{"R1", "lines[5].gnum == 6", "reject"}}, inventory.StatusReview, []string{risk.EvalFailedID}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newCase(t)
			c.rules = rulesFile(t, tc.rules...)
			o := c.decide()
			var ids []string
			for _, h := range o.Hits {
				ids = append(ids, h.RuleID)
			}
			if o.Status != tc.status || !slices.Equal(ids, tc.hits) {
				t.Fatalf("status %s, hits %v; want %s, %v", o.Status, ids, tc.status, tc.hits)
			}
			if o.Tax == nil {
				t.Fatal("the tax is missing; a risk decision keeps it")
			}
			if tc.status != inventory.StatusRejected {
				wantAccept(t, o, tc.status, "574.00")
				return
			}
			wantReject(t, o, errcode.RiskRejected)
			var rejected []string
			for _, r := range tc.rules {
				if r.action == "reject" {
					rejected = append(rejected, r.id+" test rule "+r.id)
				}
			}
			if want := "risk rule(s) " + strings.Join(rejected, "; "); !strings.HasSuffix(o.Info(), want) {
				t.Fatalf("info %q, want it to name %q", o.Info(), want)
			}
		})
	}
}

// TestDecideRiskFacts is an oracle of what the risk rules see: one review
// rule per fact, each firing only when the fact has the value worked out
// by hand from cebtest's list (two lines of formula, 2 × 198.00 and
// 1 × 168.00, freight 10.00, 2.20 kg gross, 1.70 kg net), the ledger and
// the limits. A fact computed wrong, from the wrong field or in the wrong
// unit leaves its rule silent.
func TestDecideRiskFacts(t *testing.T) {
	now := time.Date(2025, 3, 10, 10, 0, 0, 0, clock.Shanghai)
	facts := []rule{
		{"tradeMode", `decl.tradeMode == "1210"`, ""},
		{"parties", `decl.ebpCode == "1500000001" && decl.ebcCode == "1500000002" && decl.agentCode == "1500000005"`, ""},
		{"customsCode", `decl.customsCode == "8001"`, ""},
		{"address", `decl.consigneeAddress == "重庆市渝北区示例大道100号"`, ""},
		{"valueFen", "decl.valueFen == 57400", ""},
		{"grossWeightGrams", "decl.grossWeightGrams == 2200", ""},
		{"netWeightGrams", "decl.netWeightGrams == 1700", ""},
		{"lineCount", "decl.lineCount == 2", ""},
		{"totalQtyMilli", "decl.totalQtyMilli == 3000", ""},
		{"line1", `lines[0].gnum == 1 && lines[0].gcode == "1901101000" && lines[0].unit == "122" && lines[0].qtyMilli == 2000 && lines[0].unitPriceFen == 19800 && lines[0].totalPriceFen == 39600 && lines[0].referencePriceFen == 18000`, ""},
		{"line2", `lines[1].gnum == 2 && lines[1].qtyMilli == 1000 && lines[1].unitPriceFen == 16800 && lines[1].totalPriceFen == 16800 && lines[1].gname == "婴儿配方奶粉2段800克"`, ""},
		// Counted 23 h 59 min and 24 h before now: only the first is within 24 h.
		{"declarations24h", "buyer.declarations24h == 1", ""},
		{"valueYearFen", "buyer.valueYearFen == 30000", ""},
		{"buyersAtAddressToday", "buyer.buyersAtAddressToday == 3", ""},
		{"limits", "limit.singleFen == 500000 && limit.annualFen == 2600000", ""},
	}
	for i := range facts {
		facts[i].action = "review"
	}
	c := newCase(t)
	c.rules = rulesFile(t, facts...)
	c.buyersAt = 3
	c.used("a", "100", "", now.Add(-24*time.Hour+time.Minute))
	c.used("b", "200", "", now.Add(-24*time.Hour))
	c.used(listKey, "574", "", now.Add(-time.Hour)) // this list: neither counted nor used
	o := c.decide()
	fired := map[string]bool{}
	for _, h := range o.Hits {
		fired[h.RuleID] = true
	}
	for _, f := range facts {
		if !fired[f.id] {
			t.Errorf("fact %s is not %s", f.id, f.expr)
		}
	}
	if o.Status != inventory.StatusReview {
		t.Errorf("status %s, want review", o.Status)
	}

	// A tariff line without a reference price shows 0 to the rules.
	c = newCase(t).lines(sugar + " 1 10")
	c.rules = rulesFile(t, rule{"noReference", "lines[0].referencePriceFen == 0", "review"})
	if o := c.decide(); len(o.Hits) != 1 {
		t.Errorf("a line without a reference price: hits %v", o.Hits)
	}
}

func TestOutcomeInfo(t *testing.T) {
	if (inventory.Outcome{}).Code() != "" || (inventory.Outcome{}).Info() != "" {
		t.Fatal("an outcome without errors has a code or an info")
	}
	o := inventory.Outcome{Errors: []*errcode.Error{
		errcode.New(errcode.BuyerID, "first"), errcode.New(errcode.AnnualQuantity, "second"),
	}}
	if got, want := o.Info(), "-901021: first; -901020: second"; got != want {
		t.Fatalf("Info() = %q, want %q", got, want)
	}
	if o.Code() != errcode.BuyerID {
		t.Fatalf("Code() = %s", o.Code())
	}
	// returnInfo holds 1000 characters: a longer text is cut to 999 and "…".
	long := inventory.Outcome{Errors: []*errcode.Error{errcode.New(errcode.BuyerID, "%s", strings.Repeat("码", 1000))}}
	info := []rune(long.Info())
	if len(info) != 1000 || info[999] != '…' || string(info[:9]) != "-901021: " {
		t.Fatalf("Info() of a long error: %d characters, ending %q", len(info), string(info[990:]))
	}
}

// TestTruncate counts characters, not bytes, at, below and above n.
func TestTruncate(t *testing.T) {
	cases := []struct {
		s    string
		n    int
		want string
	}{
		{"", 3, ""},
		{"码码", 3, "码码"},
		{"码码码", 3, "码码码"},
		{"码码码码", 3, "码码…"},
		{"abcdef", 4, "abc…"},
	}
	for _, c := range cases {
		if got := inventory.Truncate(c.s, c.n); got != c.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", c.s, c.n, got, c.want)
		}
	}
}
