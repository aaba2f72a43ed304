package clearance_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/ceb/cebtest"
	"github.com/cbec/cbec/pkg/docstore"
	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/inventory"
	"github.com/cbec/cbec/pkg/ledger"
	"github.com/cbec/cbec/pkg/natstest"
	"github.com/cbec/cbec/pkg/quota"
	"github.com/cbec/cbec/services/clearance"
	"github.com/cbec/cbec/services/gateway"
	st "github.com/cbec/cbec/services/servicetest"
	"github.com/shopspring/decimal"
)

func statuses(recs []st.Record) string {
	var s []string
	for _, r := range recs {
		s = append(s, r.Status())
	}
	return strings.Join(s, ",")
}

func TestReleasedInAnyOrderWithTax(t *testing.T) {
	orders := [][]string{
		{"orders", "payments", "waybills", "inventories"},
		{"inventories", "waybills", "payments", "orders"},
		{"payments", "inventories", "orders", "waybills"},
	}
	h := st.New(t)
	for n, kinds := range orders {
		orderNo := fmt.Sprintf("REL-%d", n)
		s := st.NewSet(orderNo)
		h.Submit(s, kinds...)
		v := h.WaitDecided(orderNo)
		if v.Status != inventory.StatusReleased {
			t.Fatalf("%v: status %s %+v", kinds, v.Status, v.History)
		}
		if len(v.InvtNo) != 18 || v.Tax == nil {
			t.Fatalf("invtNo %q tax %v", v.InvtNo, v.Tax)
		}
		if !v.Tax.Total.Equal(decimal.RequireFromString(cebtest.TaxTotal)) {
			t.Fatalf("tax total %s, want %s", v.Tax.Total, cebtest.TaxTotal)
		}
		if !v.Tax.DutiableValue.Equal(decimal.RequireFromString("574")) {
			t.Fatalf("dutiable value %s", v.Tax.DutiableValue)
		}
	}
	recs := h.WaitReceipts(st.KeyAgent, "msgType=CEB622", 12)
	if got := statuses(recs); got != strings.Repeat("2,120,399,800,", 3)[:len(got)] || len(recs) != 12 {
		t.Fatalf("agent receipts %s", got)
	}
}

// rejection mutates a valid set so that one rule rejects it.
type rejection struct {
	name   string
	code   errcode.Code
	mutate func(s *st.Set)
}

func TestEveryRejectionEndToEnd(t *testing.T) {
	otherID := "11010519491231002X"
	cases := []rejection{
		{"line price", errcode.LinePrice, func(s *st.Set) { s.O.OrderList[0].Price = ceb.MustAmount("199.00") }},
		{"goods value", errcode.GoodsValue, func(s *st.Set) { s.O.OrderHead.GoodsValue = ceb.MustAmount("565.00") }},
		{"actural paid", errcode.ActuralPaid, func(s *st.Set) { s.O.OrderHead.Discount = ceb.MustAmount("1.00") }},
		{"amount paid", errcode.AmountPaid, func(s *st.Set) { s.P.PaymentHead.AmountPaid = ceb.MustAmount("1.00") }},
		{"payer is not the buyer", errcode.PayerBuyer, func(s *st.Set) { s.P.PaymentHead.PayerIdNumber = otherID }},
		{"pay reference", errcode.PaymentRef, func(s *st.Set) { s.O.OrderHead.PayTransactionId = "OTHER" }},
		{"consignee", errcode.Consignee, func(s *st.Set) { s.L.LogisticsHead.ConsigneeAddress = "北京市海淀区" }},
		{"gnum set", errcode.GnumSet, func(s *st.Set) { s.I.InventoryList = s.I.InventoryList[:1] }},
		{"line mismatch", errcode.LineMismatch, func(s *st.Set) { s.I.InventoryList[0].Gname = "其他商品" }},
		{"inventory buyer", errcode.InventoryBuyer, func(s *st.Set) { s.I.InventoryHead.BuyerName = "李四" }},
		{"bonded fields", errcode.BondedFields, func(s *st.Set) { s.I.InventoryHead.EmsNo = "" }},
		{"buyer ID", errcode.BuyerID, func(s *st.Set) {
			bad := "130681136250023332" // the official sample's, fails GB 11643
			s.O.OrderHead.BuyerIdNumber, s.P.PaymentHead.PayerIdNumber, s.I.InventoryHead.BuyerIdNumber = bad, bad, bad
		}},
		{"not on the positive list", errcode.NotOnPositiveList, func(s *st.Set) {
			for n := range s.I.InventoryList {
				s.I.InventoryList[n].Gcode = "9301100000" // artillery
			}
		}},
		{"outside the list's dates", errcode.OutsideListDates, func(s *st.Set) { s.I.InventoryHead.DeclTime = "20150101" }},
		{"preNo from the agent", errcode.InventoryValidation, func(s *st.Set) { s.I.InventoryHead.PreNo = "I20250310000000001" }},
		{"over the single limit", errcode.OverSingleLimit, func(s *st.Set) { s.Scale("20") }},
		{"waybill of another order", errcode.WaybillOrder, func(s *st.Set) { s.L.LogisticsHead.OrderNo = "ANOTHER-ORDER" }},
		{"list of another enterprise", errcode.InventoryOrder, func(s *st.Set) { s.I.InventoryHead.EbcCode = "1500000009" }},
		{"direct purchase without transport", errcode.DirectFields, func(s *st.Set) { s.I.InventoryHead.TradeMode = "9610" }},
		{"bonded-only goods by direct purchase", errcode.ModeNotAllowed, func(s *st.Set) {
			h := &s.I.InventoryHead
			h.TradeMode, h.TrafNo, h.VoyageNo, h.BillNo = "9610", "MU5001", "20250309", "78412345678"
			for n := range s.I.InventoryList {
				s.I.InventoryList[n].Gcode = "0402210000" // whole milk powder: 1210 only
			}
		}},
		{"annual quantity of rice", errcode.AnnualQuantity, func(s *st.Set) {
			for n := range s.I.InventoryList {
				s.I.InventoryList[n].Gcode = "1006302000" // rice: 20 kg per person per year
				s.I.InventoryList[n].Qty1 = ceb.MustAmount("15")
			}
		}},
		{"duplicate gnum", errcode.DuplicateGnum, func(s *st.Set) { s.I.InventoryList[1].Gnum = 1 }},
	}
	h := st.New(t, st.WithRules(st.NoRisk))
	for n, c := range cases {
		orderNo := fmt.Sprintf("REJ-%02d", n)
		s := st.NewSet(orderNo)
		c.mutate(&s)
		h.Submit(s)
		v := h.WaitDecided(orderNo)
		last := v.History[len(v.History)-1].Info
		if v.Status != inventory.StatusRejected || !strings.Contains(last, string(c.code)+": ") {
			t.Errorf("%s: status %s code %s, want 100 with %s: %+v", c.name, v.Status, v.Code, c.code, v.History)
			continue
		}
		if !strings.HasPrefix(last, v.Code+": ") || strings.Contains(last, cebtest.BuyerIDNumber) {
			t.Errorf("%s: receipt info %q", c.name, last)
		}
	}
	// The rejections counted nothing.
	if used := used(t, h); !used.IsZero() {
		t.Fatalf("rejected lists counted %s", used)
	}
}

// used reads the cebtest buyer's counted total this year from the ledger.
func used(t *testing.T, h *st.Harness) decimal.Decimal {
	t.Helper()
	c := h.Clearance.(*clearance.Clearance)
	buyer := quota.BuyerKey(h.Env.QuotaSecret, cebtest.BuyerIDNumber)
	u, err := c.Used(context.Background(), buyer, quota.Year(h.Clock.Now()))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestQuotaHoldsUnderConcurrency submits more lists of one buyer at once
// than the annual limit allows: exactly as many as fit are counted.
func TestQuotaHoldsUnderConcurrency(t *testing.T) {
	h := st.New(t, st.WithRules(st.NoRisk))
	const n = 50 // 50 × 574.00 = 28,700.00 > 26,000: 45 fit
	var sets []st.Set
	for k := range n {
		s := st.NewSet(fmt.Sprintf("CONC-%02d", k))
		sets = append(sets, s)
		h.Submit(s, "orders", "payments", "waybills")
	}
	var wg sync.WaitGroup
	for _, s := range sets {
		wg.Add(1)
		go func() { defer wg.Done(); h.MustSubmit("inventories", st.KeyAgent, s.I) }()
	}
	wg.Wait()
	released, rejected := 0, 0
	for _, s := range sets {
		v := h.WaitDecided(s.O.OrderHead.OrderNo)
		switch {
		case v.Status == inventory.StatusReleased:
			released++
		case v.Status == inventory.StatusRejected && v.Code == string(errcode.OverAnnualLimit):
			rejected++
		default:
			t.Fatalf("%s: %s %s", s.O.OrderHead.OrderNo, v.Status, v.Code)
		}
	}
	if released != 45 || rejected != 5 {
		t.Fatalf("released %d rejected %d, want 45 and 5", released, rejected)
	}
	if got, want := used(t, h), decimal.RequireFromString("574").Mul(decimal.NewFromInt(45)); !got.Equal(want) {
		t.Fatalf("counted %s, want %s", got, want)
	}
}

// TestRestartMidStreamCountsEachListOnce stops the clearance service while
// it works through a burst and starts a new one: every list is counted once.
func TestRestartMidStreamCountsEachListOnce(t *testing.T) {
	h := st.New(t, st.WithRules(st.NoRisk))
	const n = 30
	var sets []st.Set
	for k := range n {
		s := st.NewSet(fmt.Sprintf("RST-%02d", k))
		sets = append(sets, s)
		h.Submit(s)
	}
	h.RestartClearance()
	h.RestartClearance()
	for _, s := range sets {
		if v := h.WaitDecided(s.O.OrderHead.OrderNo); v.Status != inventory.StatusReleased {
			t.Fatalf("%s: %s %s", s.O.OrderHead.OrderNo, v.Status, v.Code)
		}
	}
	if got, want := used(t, h), decimal.RequireFromString("574").Mul(decimal.NewFromInt(n)); !got.Equal(want) {
		t.Fatalf("counted %s, want %s", got, want)
	}
	// Each list sent each receipt once.
	recs := h.WaitReceipts(st.KeyAgent, "msgType=CEB622", 4*n)
	if len(recs) != 4*n {
		t.Fatalf("%d receipts, want %d", len(recs), 4*n)
	}
}

func TestAnnualLimitAndSingleItemException(t *testing.T) {
	h := st.New(t, st.WithRules(st.NoRisk))
	// 26,000 / 574 = 45.3: fill the year with 45 lists.
	for k := range 45 {
		h.Submit(st.NewSet(fmt.Sprintf("FILL-%02d", k)))
	}
	for k := range 45 {
		if v := h.WaitDecided(fmt.Sprintf("FILL-%02d", k)); v.Status != inventory.StatusReleased {
			t.Fatalf("fill %d: %s %s", k, v.Status, v.Code)
		}
	}
	s := st.NewSet("OVER")
	h.Submit(s)
	if v := h.WaitDecided("OVER"); v.Code != string(errcode.OverAnnualLimit) {
		t.Fatalf("46th list: %s %s", v.Status, v.Code)
	}
	// A single indivisible item over 5,000 fails only the annual condition:
	// -621018, the limit that actually blocks it (D20).
	big := st.SingleItem("BIG-OVER", "5990.00")
	h.Submit(big)
	if v := h.WaitDecided("BIG-OVER"); v.Code != string(errcode.OverAnnualLimit) {
		t.Fatalf("single item over the year: %s %s", v.Status, v.Code)
	}
}

func TestSingleItemExceptionAtFullRates(t *testing.T) {
	h := st.New(t, st.WithRules(st.NoRisk))
	h.Submit(st.SingleItem("ONE-BIG", "5990.00")) // 5,990 + 10 freight = 6,000 > 5,000, one unit
	v := h.WaitDecided("ONE-BIG")
	if v.Status != inventory.StatusReleased || v.Tax == nil || v.Tax.Regime != "general" {
		t.Fatalf("%s %s %+v", v.Status, v.Code, v.Tax)
	}
	// Formula 1901101000: duty 15 %, VAT 13 %, no consumption tax, no 70 %.
	if !v.Tax.Duty.Equal(decimal.RequireFromString("900")) || !v.Tax.VAT.Equal(decimal.RequireFromString("897")) {
		t.Fatalf("general-rate tax: duty %s VAT %s", v.Tax.Duty, v.Tax.VAT)
	}
	if got := used(t, h); !got.Equal(decimal.RequireFromString("6000")) {
		t.Fatalf("counted %s", got)
	}
	two := st.SingleItem("TWO-BIG", "2995.00")
	two.O.OrderList[0].Qty, two.I.InventoryList[0].Qty = ceb.MustAmount("2"), ceb.MustAmount("2")
	two.O.OrderList[0].TotalPrice, two.I.InventoryList[0].TotalPrice = ceb.MustAmount("5990.00"), ceb.MustAmount("5990.00")
	two.O.OrderHead.GoodsValue = ceb.MustAmount("5990.00")
	paid := ceb.MustAmount("5990.00").Decimal.Add(two.O.OrderHead.Freight.Decimal).Add(two.O.OrderHead.TaxTotal.Decimal)
	two.O.OrderHead.ActuralPaid, two.P.PaymentHead.AmountPaid = ceb.NewAmount(paid), ceb.NewAmount(paid)
	h.Submit(two)
	if v := h.WaitDecided("TWO-BIG"); v.Code != string(errcode.OverSingleLimit) {
		t.Fatalf("same value in two units: %s %s", v.Status, v.Code)
	}
}

func TestIncompleteDeclarationIsRejectedAfterTheWait(t *testing.T) {
	h := st.New(t, st.WithRules(st.NoRisk))
	s := st.NewSet("INC-1")
	h.Submit(s, "orders", "inventories")
	h.WaitReceipts(st.KeyAgent, "msgType=CEB622", 1)
	c := h.Clearance.(*clearance.Clearance)
	if err := c.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	if v := h.View("INC-1"); v.Status != inventory.StatusDeclared {
		t.Fatalf("rejected before the wait ran out: %s", v.Status)
	}
	h.Clock.Advance(24*time.Hour + time.Second)
	// A count an attempt left behind when it lost a race to another copy
	// of the list (as TestCountLeftByACrashedAttemptIsSettledOnce seeds it)
	// must not outlive the list's rejection.
	lg, err := ledger.Open(context.Background(), h.JS)
	if err != nil {
		t.Fatal(err)
	}
	row := quota.RowKey(quota.BuyerKey(h.Env.QuotaSecret, cebtest.BuyerIDNumber), quota.Year(h.Clock.Now()))
	if err := lg.Update(context.Background(), row, func(l *quota.Ledger) bool {
		return l.Count(docstore.InventoryKey(cebtest.EbpCode, "INC-1"), decimal.RequireFromString("574"), nil, h.Clock.Now())
	}); err != nil {
		t.Fatal(err)
	}
	// The list is marked for the sweep just after its receipt: sweep until
	// the mark is there and the sweep has decided.
	var v gateway.InventoryView
	natstest.Eventually(t, 15*time.Second, func() bool {
		if err := c.Sweep(context.Background()); err != nil {
			t.Fatal(err)
		}
		v = h.View("INC-1")
		return v.Status == inventory.StatusRejected
	}, "the sweep rejects the incomplete list")
	if v.Code != string(errcode.Incomplete) || !strings.Contains(v.History[len(v.History)-1].Info, "payment (CEB411), waybill (CEB511)") {
		t.Fatalf("%s %s %+v", v.Status, v.Code, v.History)
	}
	if got := used(t, h); !got.IsZero() {
		t.Fatalf("the rejected incomplete list still counts %s", got)
	}
	// A late document finds the list decided and changes nothing.
	h.Submit(s, "payments", "waybills")
	if v := h.View("INC-1"); v.Status != inventory.StatusRejected {
		t.Fatalf("late documents revived the list: %s", v.Status)
	}
}

func TestRiskReviewThenOfficerDecisions(t *testing.T) {
	h := st.New(t)
	near := func(orderNo string) st.Set {
		s := st.NewSet(orderNo)
		s.Scale("8.5") // 564 × 8.5 + 10 = 4,804.00: within 5 % of 5,000 → R001 review
		return s
	}
	a, b := near("REV-A"), near("REV-B")
	h.Submit(a)
	h.Submit(b)
	for _, o := range []string{"REV-A", "REV-B"} {
		v := h.WaitDecided(o)
		if v.Status != inventory.StatusReview || len(v.Hits) == 0 || v.Hits[0].RuleID != "R001" {
			t.Fatalf("%s: %s hits %+v", o, v.Status, v.Hits)
		}
	}
	counted := used(t, h)
	if !counted.Equal(decimal.RequireFromString("9608")) {
		t.Fatalf("review cases count at 120: %s", counted)
	}
	decide := func(orderNo, decision string) {
		body, _ := json.Marshal(inventory.ReviewDecision{Key: docstore.InventoryKey(cebtest.EbpCode, orderNo), Decision: decision, Reason: "test", Officer: "OFFICER01"})
		if _, err := h.JS.Publish(context.Background(), broker.EventSubject("review", "decided"), body); err != nil {
			t.Fatal(err)
		}
	}
	decide("REV-A", inventory.DecisionRelease)
	decide("REV-B", inventory.DecisionReject)
	natstest.Eventually(t, 10*time.Second, func() bool {
		return h.View("REV-A").Status == inventory.StatusReleased && h.View("REV-B").Status == inventory.StatusRejected
	}, "officer decisions applied")
	if v := h.View("REV-B"); v.Code != string(errcode.OfficerRejected) {
		t.Fatalf("officer rejection code %s", v.Code)
	}
	// The give-back follows the state write (a redelivery completes one
	// cut short), so the rejected state may be seen a moment before it.
	natstest.Eventually(t, 10*time.Second, func() bool {
		return used(t, h).Equal(decimal.RequireFromString("4804"))
	}, "the officer's rejection gives the quota back: 4804 counted")
}

func TestInspectionThenReleaseOrDetention(t *testing.T) {
	h := st.New(t)
	decide := func(orderNo string, d inventory.ReviewDecision) {
		d.Key, d.Officer = docstore.InventoryKey(cebtest.EbpCode, orderNo), "OFFICER01"
		body, _ := json.Marshal(d)
		if _, err := h.JS.Publish(context.Background(), broker.EventSubject("review", "decided"), body); err != nil {
			t.Fatal(err)
		}
	}
	for _, o := range []string{"INS-A", "INS-B"} {
		s := st.NewSet(o)
		s.Scale("8.5") // R001: review
		h.Submit(s)
		if v := h.WaitDecided(o); v.Status != inventory.StatusReview {
			t.Fatalf("%s: %s", o, v.Status)
		}
		decide(o, inventory.ReviewDecision{Decision: inventory.DecisionInspect, Reason: "check the tins"})
	}
	natstest.Eventually(t, 10*time.Second, func() bool {
		return h.View("INS-A").Status == inventory.StatusInspect && h.View("INS-B").Status == inventory.StatusInspect
	}, "under inspection")
	decide("INS-A", inventory.ReviewDecision{Decision: inventory.DecisionRelease})
	decide("INS-B", inventory.ReviewDecision{Decision: inventory.DecisionDetain, Status: "502", Reason: "counterfeit"})
	// A detention of a list not under inspection, or with a non-detention
	// status, changes nothing.
	decide("INS-A", inventory.ReviewDecision{Decision: inventory.DecisionDetain, Status: "800"})
	natstest.Eventually(t, 10*time.Second, func() bool {
		return h.View("INS-A").Status == inventory.StatusReleased && h.View("INS-B").Status == "502"
	}, "inspection results applied")
	// The detained list stays counted (D19): both lists count.
	if got := used(t, h); !got.Equal(decimal.RequireFromString("9608")) {
		t.Fatalf("counted %s", got)
	}
	recs := h.WaitReceipts(st.KeyAgent, "msgType=CEB622", 11)
	var got []string
	for _, r := range recs {
		got = append(got, r.Status())
	}
	for _, want := range []string{"500", "502", "800"} {
		if !strings.Contains(strings.Join(got, ","), want) {
			t.Errorf("receipts %v lack %s", got, want)
		}
	}
}

func TestCancellation(t *testing.T) {
	h := st.New(t)
	rev := st.NewSet("CAN-REV")
	rev.Scale("8.5") // held for review: cancellable
	h.Submit(rev)
	rel := st.NewSet("CAN-REL")
	h.Submit(rel)
	vRev, vRel := h.WaitDecided("CAN-REV"), h.WaitDecided("CAN-REL")
	if vRev.Status != inventory.StatusReview || vRel.Status != inventory.StatusReleased {
		t.Fatalf("setup: %s %s", vRev.Status, vRel.Status)
	}
	before := used(t, h)
	h.MustSubmit("cancellations", st.KeyAgent, cebtest.Cancel(rev.I, vRev.InvtNo))
	h.MustSubmit("cancellations", st.KeyAgent, cebtest.Cancel(rel.I, vRel.InvtNo))
	h.MustSubmit("cancellations", st.KeyAgent, cebtest.Cancel(rel.I, "80012025I999999999"))
	// A list is found by the order the cancellation names.
	h.MustSubmit("cancellations", st.KeyAgent, cebtest.Cancel(st.NewSet("CAN-NONE").I, "80012025I999999998"))
	recs := h.WaitReceipts(st.KeyAgent, "msgType=CEB624", 5)
	var infos []string
	for _, r := range recs {
		infos = append(infos, r.Status()+" "+r.Info())
	}
	joined := strings.Join(infos, " | ")
	for _, want := range []string{"120 ", "399 ", "100 " + string(errcode.CancelForbidden), "100 " + string(errcode.CancelUnknown)} {
		if !strings.Contains(joined, want) {
			t.Errorf("CEB624 receipts %q lack %q", joined, want)
		}
	}
	if n := strings.Count(joined, "100 "+string(errcode.CancelUnknown)); n != 2 {
		t.Errorf("CEB624 receipts %q: %d refusals %s, want 2", joined, n, errcode.CancelUnknown)
	}
	if v := h.View("CAN-REV"); v.Status != inventory.StatusCancelled {
		t.Fatalf("cancelled list: %s", v.Status)
	}
	_, b, _ := h.Do("GET", "/v1/import/inventories/"+cebtest.EbpCode+"/CAN-REV/taxbill", st.KeyAgent, "", nil)
	if !strings.Contains(string(b), `"status":"3"`) {
		t.Fatalf("the cancelled list's tax bill is not void: %s", b)
	}
	if got := used(t, h); !got.Equal(before.Sub(decimal.RequireFromString("4804"))) {
		t.Fatalf("quota after cancellation %s (before %s)", got, before)
	}
}

func TestRiskRuleRejects(t *testing.T) {
	h := st.New(t, st.WithRules(strings.Replace(st.NoRisk, "risk: []", `risk:
  - {id: T001, description: {zh: "配方奶粉超过 500 元", en: "no formula over 500 CNY"}, expr: "decl.valueFen > 50000 && any(lines, {.gcode startsWith '1901'})", action: reject}`, 1)))
	h.Submit(st.NewSet("RISK-1"))
	v := h.WaitDecided("RISK-1")
	if v.Status != inventory.StatusRejected || v.Code != string(errcode.RiskRejected) || len(v.Hits) != 1 || v.Hits[0].RuleID != "T001" {
		t.Fatalf("%s %s %+v", v.Status, v.Code, v.Hits)
	}
	if !used(t, h).IsZero() {
		t.Fatal("a list rejected by a risk rule counted in the quota")
	}
}

func TestTaxBillForTheAgent(t *testing.T) {
	h := st.New(t)
	h.Submit(st.NewSet("BILL-1"))
	h.WaitDecided("BILL-1")
	code, b, _ := h.Do("GET", "/v1/import/inventories/"+cebtest.EbpCode+"/BILL-1/taxbill", st.KeyAgent, "", nil)
	if code != http.StatusOK {
		t.Fatalf("%d %s", code, b)
	}
	var bill struct {
		TaxHeadRd struct {
			InvtNo, TaxNo, CustomsTax, ValueAddedTax, ConsumptionTax string
		}
		TaxListRd []struct {
			Gnum          int
			Gcode         string
			TaxPrice      string
			ValueAddedTax string
		}
	}
	if err := json.Unmarshal(b, &bill); err != nil {
		t.Fatal(err)
	}
	hd := bill.TaxHeadRd
	if len(hd.InvtNo) != 18 || hd.CustomsTax != "0.00" || hd.ValueAddedTax != cebtest.TaxTotal || hd.ConsumptionTax != "0.00" {
		t.Fatalf("bill head %+v", hd)
	}
	if len(bill.TaxListRd) != 2 || bill.TaxListRd[0].Gcode != cebtest.Gcode {
		t.Fatalf("bill lines %+v", bill.TaxListRd)
	}
	if code, _, _ := h.Do("GET", "/v1/import/inventories/"+cebtest.EbpCode+"/BILL-1/taxbill", st.KeyPay, "", nil); code != http.StatusNotFound {
		t.Fatalf("payment company reads the tax bill: %d", code)
	}
}

// TestCountLeftByACrashedAttemptIsSettledOnce seeds the ledger as a
// decision that counted a list and died before writing its state would
// have left it. The redelivered list must not decide at once on top of
// that count: it is declared the ordinary way and settled against it —
// a release keeps one count, a rejection gives it back.
func TestCountLeftByACrashedAttemptIsSettledOnce(t *testing.T) {
	h := st.New(t, st.WithRules(st.NoRisk))
	lg, err := ledger.Open(context.Background(), h.JS)
	if err != nil {
		t.Fatal(err)
	}
	row := quota.RowKey(quota.BuyerKey(h.Env.QuotaSecret, cebtest.BuyerIDNumber), quota.Year(h.Clock.Now()))
	seed := func(orderNo string) {
		t.Helper()
		key := docstore.InventoryKey(cebtest.EbpCode, orderNo)
		if err := lg.Update(context.Background(), row, func(l *quota.Ledger) bool {
			return l.Count(key, decimal.RequireFromString("574"), nil, h.Clock.Now())
		}); err != nil {
			t.Fatal(err)
		}
	}
	seed("CRASH-OK")
	h.Submit(st.NewSet("CRASH-OK"))
	v := h.WaitDecided("CRASH-OK")
	if v.Status != inventory.StatusReleased {
		t.Fatalf("CRASH-OK: %s %s", v.Status, v.Code)
	}
	// Declared the ordinary way: step 2 went out on its own, the decision
	// after it (a list decided at once sends all four steps together).
	cursors := map[uint64]int{}
	for _, r := range h.Receipts(st.KeyAgent, "msgType=CEB622&limit=500") {
		var ir ceb.InventoryReturn
		if err := json.Unmarshal(r.Receipt, &ir); err != nil {
			t.Fatal(err)
		}
		if ir.PreNo == v.PreNo {
			cursors[r.Cursor]++
		}
	}
	if len(cursors) != 2 {
		t.Fatalf("CRASH-OK receipts in %d messages %v, want 2 (step 2, then the decision)", len(cursors), cursors)
	}
	if got := used(t, h); !got.Equal(decimal.RequireFromString("574")) {
		t.Fatalf("after the release the ledger holds %s, want 574 once", got)
	}
	seed("CRASH-BAD")
	bad := st.NewSet("CRASH-BAD")
	bad.I.InventoryHead.BuyerName = "李四" // the list's buyer is not the order's
	h.Submit(bad)
	if v := h.WaitDecided("CRASH-BAD"); v.Status != inventory.StatusRejected || v.Code != string(errcode.InventoryBuyer) {
		t.Fatalf("CRASH-BAD: %s %s", v.Status, v.Code)
	}
	if got := used(t, h); !got.Equal(decimal.RequireFromString("574")) {
		t.Fatalf("after the rejection the ledger holds %s, want only the release's 574", got)
	}
}

// TestLostDecisionKeepsTheWinnersCount: an attempt whose state write lost
// reads the state to see what the winner did. On a cluster that read once
// came from a replica behind the leader, showed the list still declared,
// and gave back the winner's count — a released list no longer counted in
// its buyer's annual quota (issue 13). A read no newer than the lost write
// is now retried, never acted on.
func TestLostDecisionKeepsTheWinnersCount(t *testing.T) {
	h := st.New(t)
	ctx := context.Background()
	_, _, _, inv := cebtest.Set("LOST-1")
	h.MustSubmit("inventories", st.KeyAgent, inv)
	key := docstore.InventoryKey(cebtest.EbpCode, "LOST-1")
	kv, err := h.JS.KeyValue(ctx, broker.BucketInventory)
	if err != nil {
		t.Fatal(err)
	}
	var declared uint64
	natstest.Eventually(t, 5*time.Second, func() bool {
		e, err := kv.Get(ctx, key)
		if err != nil {
			return false
		}
		declared = e.Revision()
		return true
	}, "the list was never declared")
	// The winner counted the list in its buyer's row; its state write is
	// what this view of the state does not show yet.
	row := quota.RowKey(quota.BuyerKey(h.Env.QuotaSecret, cebtest.BuyerIDNumber), quota.Year(h.Clock.Now()))
	lg, err := ledger.Open(ctx, h.JS)
	if err != nil {
		t.Fatal(err)
	}
	amount := decimal.RequireFromString("574.00")
	if err := lg.Update(ctx, row, func(l *quota.Ledger) bool { return l.Count(key, amount, nil, h.Clock.Now()) }); err != nil {
		t.Fatal(err)
	}
	err = clearance.AfterLostDecision(ctx, h.Clearance.(*clearance.Clearance), key, row, declared)
	if err == nil {
		t.Fatal("a state no newer than the lost write was acted on")
	}
	l, _, err := lg.Load(ctx, row)
	if err != nil {
		t.Fatal(err)
	}
	if e := l.Entries[key]; e == nil || !e.Amount.Equal(amount) {
		t.Fatalf("the winner's count was given back on a stale read: %+v", e)
	}
	// A read that shows a newer revision is the winner's: with the list
	// still declared there (the winner rejected it), the count goes back.
	if err := clearance.AfterLostDecision(ctx, h.Clearance.(*clearance.Clearance), key, row, declared-1); err != nil {
		t.Fatal(err)
	}
	if l, _, _ = lg.Load(ctx, row); !l.Entries[key].Amount.IsZero() {
		t.Fatalf("a count the current state does not claim stayed: %+v", l.Entries[key])
	}
}
