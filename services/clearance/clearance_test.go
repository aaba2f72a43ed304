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
	"github.com/cbec/cbec/pkg/natstest"
	"github.com/cbec/cbec/pkg/quota"
	"github.com/cbec/cbec/services/clearance"
	"github.com/cbec/cbec/services/gateway"
	st "github.com/cbec/cbec/services/servicetest"
	"github.com/shopspring/decimal"
)

// noRisk is the default limits and windows without risk rules, for tests of
// the limits that must not be disturbed by the review rules.
const noRisk = `
limits:
  - {from: 2016-04-08, single: "2000", annual: "20000"}
  - {from: 2019-01-01, single: "5000", annual: "26000"}
windows: {incompleteAfter: 24h, returnApplyDays: 30, returnArriveDays: 45, reviewClaimTTL: 30m}
risk: []
`

type set struct {
	o *ceb.Order
	p *ceb.Payment
	l *ceb.Logistics
	i *ceb.Inventory
}

func newSet(orderNo string) set {
	o, p, l, i := cebtest.Set(orderNo)
	return set{o, p, l, i}
}

// submit sends the set's documents in the order given by kinds.
func submit(h *st.Harness, s set, kinds ...string) {
	h.T.Helper()
	if len(kinds) == 0 {
		kinds = []string{"orders", "payments", "waybills", "inventories"}
	}
	for _, k := range kinds {
		switch k {
		case "orders":
			h.MustSubmit(k, st.KeyEBP, s.o)
		case "payments":
			h.MustSubmit(k, st.KeyPay, s.p)
		case "waybills":
			h.MustSubmit(k, st.KeyLogistics, s.l)
		case "inventories":
			h.MustSubmit(k, st.KeyAgent, s.i)
		}
	}
}

// view reads the declaration's state; a list not declared yet reads as
// status "".
func view(h *st.Harness, orderNo string) gateway.InventoryView {
	h.T.Helper()
	code, b, _ := h.Do("GET", "/v1/import/inventories/"+cebtest.EbpCode+"/"+orderNo, st.KeyAgent, "", nil)
	if code == http.StatusNotFound {
		return gateway.InventoryView{}
	}
	if code != http.StatusOK {
		h.T.Fatalf("view %s: %d %s", orderNo, code, b)
	}
	var v gateway.InventoryView
	if err := json.Unmarshal(b, &v); err != nil {
		h.T.Fatal(err)
	}
	return v
}

// waitStatus polls the declaration until its status is final (not 2, 120, 399).
func waitStatus(h *st.Harness, orderNo string) gateway.InventoryView {
	h.T.Helper()
	var v gateway.InventoryView
	natstest.Eventually(h.T, 15*time.Second, func() bool {
		v = view(h, orderNo)
		return v.Status != "" && v.Status != inventory.StatusDeclared
	}, "%s stays declared", orderNo)
	return v
}

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
		s := newSet(orderNo)
		submit(h, s, kinds...)
		v := waitStatus(h, orderNo)
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
	mutate func(s *set)
}

func TestEveryRejectionEndToEnd(t *testing.T) {
	otherID := "11010519491231002X"
	cases := []rejection{
		{"line price", errcode.LinePrice, func(s *set) { s.o.OrderList[0].Price = ceb.MustAmount("199.00") }},
		{"goods value", errcode.GoodsValue, func(s *set) { s.o.OrderHead.GoodsValue = ceb.MustAmount("565.00") }},
		{"actural paid", errcode.ActuralPaid, func(s *set) { s.o.OrderHead.Discount = ceb.MustAmount("1.00") }},
		{"amount paid", errcode.AmountPaid, func(s *set) { s.p.PaymentHead.AmountPaid = ceb.MustAmount("1.00") }},
		{"payer is not the buyer", errcode.PayerBuyer, func(s *set) { s.p.PaymentHead.PayerIdNumber = otherID }},
		{"pay reference", errcode.PaymentRef, func(s *set) { s.o.OrderHead.PayTransactionId = "OTHER" }},
		{"consignee", errcode.Consignee, func(s *set) { s.l.LogisticsHead.ConsigneeAddress = "北京市海淀区" }},
		{"gnum set", errcode.GnumSet, func(s *set) { s.i.InventoryList = s.i.InventoryList[:1] }},
		{"line mismatch", errcode.LineMismatch, func(s *set) { s.i.InventoryList[0].Gname = "其他商品" }},
		{"inventory buyer", errcode.InventoryBuyer, func(s *set) { s.i.InventoryHead.BuyerName = "李四" }},
		{"bonded fields", errcode.BondedFields, func(s *set) { s.i.InventoryHead.EmsNo = "" }},
		{"buyer ID", errcode.BuyerID, func(s *set) {
			bad := "130681136250023332" // the official sample's, fails GB 11643
			s.o.OrderHead.BuyerIdNumber, s.p.PaymentHead.PayerIdNumber, s.i.InventoryHead.BuyerIdNumber = bad, bad, bad
		}},
		{"not on the positive list", errcode.NotOnPositiveList, func(s *set) {
			for n := range s.i.InventoryList {
				s.i.InventoryList[n].Gcode = "9301100000" // artillery
			}
		}},
		{"outside the list's dates", errcode.OutsideListDates, func(s *set) { s.i.InventoryHead.DeclTime = "20150101" }},
		{"preNo from the agent", errcode.InventoryValidation, func(s *set) { s.i.InventoryHead.PreNo = "I20250310000000001" }},
		{"over the single limit", errcode.OverSingleLimit, func(s *set) { scale(s, "20") }},
		{"waybill of another order", errcode.WaybillOrder, func(s *set) { s.l.LogisticsHead.OrderNo = "ANOTHER-ORDER" }},
		{"list of another enterprise", errcode.InventoryOrder, func(s *set) { s.i.InventoryHead.EbcCode = "1500000009" }},
		{"direct purchase without transport", errcode.DirectFields, func(s *set) { s.i.InventoryHead.TradeMode = "9610" }},
		{"bonded-only goods by direct purchase", errcode.ModeNotAllowed, func(s *set) {
			h := &s.i.InventoryHead
			h.TradeMode, h.TrafNo, h.VoyageNo, h.BillNo = "9610", "MU5001", "20250309", "78412345678"
			for n := range s.i.InventoryList {
				s.i.InventoryList[n].Gcode = "0402210000" // whole milk powder: 1210 only
			}
		}},
		{"annual quantity of rice", errcode.AnnualQuantity, func(s *set) {
			for n := range s.i.InventoryList {
				s.i.InventoryList[n].Gcode = "1006302000" // rice: 20 kg per person per year
				s.i.InventoryList[n].Qty1 = ceb.MustAmount("15")
			}
		}},
		{"duplicate gnum", errcode.DuplicateGnum, func(s *set) { s.i.InventoryList[1].Gnum = 1 }},
	}
	h := st.New(t, st.WithRules(noRisk))
	for n, c := range cases {
		orderNo := fmt.Sprintf("REJ-%02d", n)
		s := newSet(orderNo)
		c.mutate(&s)
		submit(h, s)
		v := waitStatus(h, orderNo)
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

// scale multiplies every amount of the set by f, keeping it consistent.
func scale(s *set, f string) {
	k := decimal.RequireFromString(f)
	mul := func(a *ceb.Amount) { *a = ceb.NewAmount(a.Decimal.Mul(k)) }
	for n := range s.o.OrderList {
		mul(&s.o.OrderList[n].Price)
		mul(&s.o.OrderList[n].TotalPrice)
		mul(&s.i.InventoryList[n].Price)
		mul(&s.i.InventoryList[n].TotalPrice)
	}
	goods := s.o.OrderHead.GoodsValue.Decimal.Mul(k)
	s.o.OrderHead.GoodsValue = ceb.NewAmount(goods)
	paid := goods.Add(s.o.OrderHead.Freight.Decimal).Add(s.o.OrderHead.TaxTotal.Decimal).Sub(s.o.OrderHead.Discount.Decimal)
	s.o.OrderHead.ActuralPaid = ceb.NewAmount(paid)
	s.p.PaymentHead.AmountPaid = ceb.NewAmount(paid)
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
	h := st.New(t, st.WithRules(noRisk))
	const n = 50 // 50 × 574.00 = 28,700.00 > 26,000: 45 fit
	var sets []set
	for k := range n {
		s := newSet(fmt.Sprintf("CONC-%02d", k))
		sets = append(sets, s)
		submit(h, s, "orders", "payments", "waybills")
	}
	var wg sync.WaitGroup
	for _, s := range sets {
		wg.Add(1)
		go func() { defer wg.Done(); h.MustSubmit("inventories", st.KeyAgent, s.i) }()
	}
	wg.Wait()
	released, rejected := 0, 0
	for _, s := range sets {
		v := waitStatus(h, s.o.OrderHead.OrderNo)
		switch {
		case v.Status == inventory.StatusReleased:
			released++
		case v.Status == inventory.StatusRejected && v.Code == string(errcode.OverAnnualLimit):
			rejected++
		default:
			t.Fatalf("%s: %s %s", s.o.OrderHead.OrderNo, v.Status, v.Code)
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
	h := st.New(t, st.WithRules(noRisk))
	const n = 30
	var sets []set
	for k := range n {
		s := newSet(fmt.Sprintf("RST-%02d", k))
		sets = append(sets, s)
		submit(h, s)
	}
	h.RestartClearance()
	h.RestartClearance()
	for _, s := range sets {
		if v := waitStatus(h, s.o.OrderHead.OrderNo); v.Status != inventory.StatusReleased {
			t.Fatalf("%s: %s %s", s.o.OrderHead.OrderNo, v.Status, v.Code)
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
	h := st.New(t, st.WithRules(noRisk))
	// 26,000 / 574 = 45.3: fill the year with 45 lists.
	for k := range 45 {
		submit(h, newSet(fmt.Sprintf("FILL-%02d", k)))
	}
	for k := range 45 {
		if v := waitStatus(h, fmt.Sprintf("FILL-%02d", k)); v.Status != inventory.StatusReleased {
			t.Fatalf("fill %d: %s %s", k, v.Status, v.Code)
		}
	}
	s := newSet("OVER")
	submit(h, s)
	if v := waitStatus(h, "OVER"); v.Code != string(errcode.OverAnnualLimit) {
		t.Fatalf("46th list: %s %s", v.Status, v.Code)
	}
	// A single indivisible item over 5,000 fails only the annual condition:
	// -621018, the limit that actually blocks it (D20).
	big := singleItem("BIG-OVER", "5990.00")
	submit(h, big)
	if v := waitStatus(h, "BIG-OVER"); v.Code != string(errcode.OverAnnualLimit) {
		t.Fatalf("single item over the year: %s %s", v.Status, v.Code)
	}
}

// singleItem turns a set into one line of qty 1 at price (D4 candidates).
func singleItem(orderNo, price string) set {
	s := newSet(orderNo)
	s.o.OrderList, s.i.InventoryList = s.o.OrderList[:1], s.i.InventoryList[:1]
	p := ceb.MustAmount(price)
	s.o.OrderList[0].Qty, s.o.OrderList[0].Price, s.o.OrderList[0].TotalPrice = ceb.MustAmount("1"), p, p
	s.i.InventoryList[0].Qty, s.i.InventoryList[0].Price, s.i.InventoryList[0].TotalPrice = ceb.MustAmount("1"), p, p
	s.o.OrderHead.GoodsValue = p
	paid := p.Decimal.Add(s.o.OrderHead.Freight.Decimal).Add(s.o.OrderHead.TaxTotal.Decimal).Sub(s.o.OrderHead.Discount.Decimal)
	s.o.OrderHead.ActuralPaid, s.p.PaymentHead.AmountPaid = ceb.NewAmount(paid), ceb.NewAmount(paid)
	return s
}

func TestSingleItemExceptionAtFullRates(t *testing.T) {
	h := st.New(t, st.WithRules(noRisk))
	submit(h, singleItem("ONE-BIG", "5990.00")) // 5,990 + 10 freight = 6,000 > 5,000, one unit
	v := waitStatus(h, "ONE-BIG")
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
	two := singleItem("TWO-BIG", "2995.00")
	two.o.OrderList[0].Qty, two.i.InventoryList[0].Qty = ceb.MustAmount("2"), ceb.MustAmount("2")
	two.o.OrderList[0].TotalPrice, two.i.InventoryList[0].TotalPrice = ceb.MustAmount("5990.00"), ceb.MustAmount("5990.00")
	two.o.OrderHead.GoodsValue = ceb.MustAmount("5990.00")
	paid := ceb.MustAmount("5990.00").Decimal.Add(two.o.OrderHead.Freight.Decimal).Add(two.o.OrderHead.TaxTotal.Decimal)
	two.o.OrderHead.ActuralPaid, two.p.PaymentHead.AmountPaid = ceb.NewAmount(paid), ceb.NewAmount(paid)
	submit(h, two)
	if v := waitStatus(h, "TWO-BIG"); v.Code != string(errcode.OverSingleLimit) {
		t.Fatalf("same value in two units: %s %s", v.Status, v.Code)
	}
}

func TestIncompleteDeclarationIsRejectedAfterTheWait(t *testing.T) {
	h := st.New(t, st.WithRules(noRisk))
	s := newSet("INC-1")
	submit(h, s, "orders", "inventories")
	h.WaitReceipts(st.KeyAgent, "msgType=CEB622", 1)
	c := h.Clearance.(*clearance.Clearance)
	if err := c.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	if v := view(h, "INC-1"); v.Status != inventory.StatusDeclared {
		t.Fatalf("rejected before the wait ran out: %s", v.Status)
	}
	h.Clock.Advance(24*time.Hour + time.Second)
	if err := c.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	v := waitStatus(h, "INC-1")
	if v.Code != string(errcode.Incomplete) || !strings.Contains(v.History[len(v.History)-1].Info, "payment (CEB411), waybill (CEB511)") {
		t.Fatalf("%s %s %+v", v.Status, v.Code, v.History)
	}
	// A late document finds the list decided and changes nothing.
	submit(h, s, "payments", "waybills")
	if v := view(h, "INC-1"); v.Status != inventory.StatusRejected {
		t.Fatalf("late documents revived the list: %s", v.Status)
	}
}

func TestRiskReviewThenOfficerDecisions(t *testing.T) {
	h := st.New(t)
	near := func(orderNo string) set {
		s := newSet(orderNo)
		scale(&s, "8.5") // 564 × 8.5 + 10 = 4,804.00: within 5 % of 5,000 → R001 review
		return s
	}
	a, b := near("REV-A"), near("REV-B")
	submit(h, a)
	submit(h, b)
	for _, o := range []string{"REV-A", "REV-B"} {
		v := waitStatus(h, o)
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
		return view(h, "REV-A").Status == inventory.StatusReleased && view(h, "REV-B").Status == inventory.StatusRejected
	}, "officer decisions applied")
	if v := view(h, "REV-B"); v.Code != string(errcode.OfficerRejected) {
		t.Fatalf("officer rejection code %s", v.Code)
	}
	if got := used(t, h); !got.Equal(decimal.RequireFromString("4804")) {
		t.Fatalf("after the officer's rejection counted %s", got)
	}
}

func TestCancellation(t *testing.T) {
	h := st.New(t)
	rev := newSet("CAN-REV")
	scale(&rev, "8.5") // held for review: cancellable
	submit(h, rev)
	rel := newSet("CAN-REL")
	submit(h, rel)
	vRev, vRel := waitStatus(h, "CAN-REV"), waitStatus(h, "CAN-REL")
	if vRev.Status != inventory.StatusReview || vRel.Status != inventory.StatusReleased {
		t.Fatalf("setup: %s %s", vRev.Status, vRel.Status)
	}
	before := used(t, h)
	h.MustSubmit("cancellations", st.KeyAgent, cebtest.Cancel(rev.i, vRev.InvtNo))
	h.MustSubmit("cancellations", st.KeyAgent, cebtest.Cancel(rel.i, vRel.InvtNo))
	h.MustSubmit("cancellations", st.KeyAgent, cebtest.Cancel(rel.i, "80012025I999999999"))
	recs := h.WaitReceipts(st.KeyAgent, "msgType=CEB624", 4)
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
	if v := view(h, "CAN-REV"); v.Status != inventory.StatusCancelled {
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
	h := st.New(t, st.WithRules(strings.Replace(noRisk, "risk: []", `risk:
  - {id: T001, description: "no formula over 500 CNY", expr: "decl.valueFen > 50000 && any(lines, {.gcode startsWith '1901'})", action: reject}`, 1)))
	submit(h, newSet("RISK-1"))
	v := waitStatus(h, "RISK-1")
	if v.Status != inventory.StatusRejected || v.Code != string(errcode.RiskRejected) || len(v.Hits) != 1 || v.Hits[0].RuleID != "T001" {
		t.Fatalf("%s %s %+v", v.Status, v.Code, v.Hits)
	}
	if !used(t, h).IsZero() {
		t.Fatal("a list rejected by a risk rule counted in the quota")
	}
}

func TestTaxBillForTheAgent(t *testing.T) {
	h := st.New(t)
	submit(h, newSet("BILL-1"))
	waitStatus(h, "BILL-1")
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
