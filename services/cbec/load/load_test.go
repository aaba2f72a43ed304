package load

import (
	"bytes"
	"io"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cbec/cbec/deploy"
	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/export"
	"github.com/cbec/cbec/pkg/identity"
	"github.com/cbec/cbec/pkg/inventory"
	"github.com/cbec/cbec/pkg/match"
	"github.com/cbec/cbec/pkg/rules"
	"github.com/cbec/cbec/pkg/tariff"
)

// refs are the embedded reference data cbec runs with by default.
func refs(t testing.TB) Refs {
	t.Helper()
	tb, err := tariff.Load(bytes.NewReader(deploy.Tariff))
	if err != nil {
		t.Fatal(err)
	}
	rs, err := rules.Load(bytes.NewReader(deploy.Rules))
	if err != nil {
		t.Fatal(err)
	}
	return Refs{Tariff: tb, Rules: rs}
}

func generator(t testing.TB, seed int64) *Generator {
	t.Helper()
	cfg := Defaults()
	cfg.Seed = seed
	g, err := New(cfg, refs(t), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestDeclarationsAreConsistent checks the generated imports with the
// rules customs decides with, as the README's "## Load" promises them:
// plain ones pass the cross-document checks and are released (800),
// near-limit ones are 95–100 % of the single limit and held by R001
// (300), spoiled ones fail the checks (100). Every buyer's ID number is
// valid, and what the buyer paid carries exactly the tax customs assesses.
func TestDeclarationsAreConsistent(t *testing.T) {
	g := generator(t, 42)
	now := time.Now()
	general := 0
	for n := range 300 {
		d := g.plain("T-PLAIN", now)
		if errs := match.Check(d.Documents()); errs != nil {
			t.Fatalf("plain %d: %v", n, errs)
		}
		if err := identity.Check(d.Inventory.InventoryHead.BuyerIdNumber, now); err != nil {
			t.Fatalf("buyer: %v", err)
		}
		out := d.Decide(g.refs, now)
		if out.Status != inventory.StatusReleased {
			t.Fatalf("plain %d: decided %s (%s, hits %v)", n, out.Status, out.Info(), out.Hits)
		}
		paid(t, d, out)
		if out.Tax.Regime == "general" {
			general++
		}

		near := g.NearLimit("T-NEAR", now)
		v := near.Order.OrderHead.GoodsValue.Decimal.Add(near.Order.OrderHead.Freight.Decimal)
		if v.LessThan(g.single.Mul(decimal.RequireFromString("0.95"))) || v.GreaterThan(g.single) {
			t.Fatalf("near %d: dutiable value %s, limit %s", n, v, g.single)
		}
		out = near.Decide(g.refs, now)
		if out.Status != inventory.StatusReview || len(out.Hits) == 0 || out.Hits[0].RuleID != "R001" {
			t.Fatalf("near %d: decided %s, hits %v", n, out.Status, out.Hits)
		}
		paid(t, near, out)

		bad := g.plain("T-BAD", now)
		g.spoil(bad)
		if errs := match.Check(bad.Documents()); errs == nil {
			t.Fatalf("spoiled %d passes the checks", n)
		}
		if out := bad.Decide(g.refs, now); out.Status != inventory.StatusRejected {
			t.Fatalf("spoiled %d: decided %s", n, out.Status)
		}
	}
	// A single item over the limit is the general regime's (D4): the
	// generator makes some, and they are charged the general tax.
	if general == 0 {
		t.Error("no single item over the single limit among 300 plain declarations")
	}
}

// paid checks that d charges the buyer the tax of out: taxTotal is the
// assessment's total, acturalPaid = amountPaid = goods + freight + tax −
// discount.
func paid(t *testing.T, d *Import, out inventory.Outcome) {
	t.Helper()
	h := d.Order.OrderHead
	if out.Tax == nil || !h.TaxTotal.Decimal.Equal(out.Tax.Total) || !h.TaxTotal.Decimal.IsPositive() {
		t.Fatalf("%s: taxTotal %s, customs assesses %+v", h.OrderNo, h.TaxTotal, out.Tax)
	}
	want := h.GoodsValue.Decimal.Add(h.Freight.Decimal).Add(h.TaxTotal.Decimal).Sub(h.Discount.Decimal)
	if !h.ActuralPaid.Decimal.Equal(want) || !d.Payment.PaymentHead.AmountPaid.Decimal.Equal(want) {
		t.Fatalf("%s: acturalPaid %s, amountPaid %s, want %s", h.OrderNo, h.ActuralPaid, d.Payment.PaymentHead.AmountPaid, want)
	}
}

// TestSettleChargesTheAssessedTax: the cebtest set settled is the set as
// written, its tax worked out by hand in cebtest (52.23); with a discount
// and another freight the tax follows the freight, the discount only what
// was paid.
func TestSettleChargesTheAssessedTax(t *testing.T) {
	r := refs(t)
	at := time.Date(2025, 3, 10, 9, 30, 0, 0, ceb.Location)
	d := NewImport("SETTLE-1")
	want := *d.Order
	d.Order.OrderHead.TaxTotal, d.Order.OrderHead.ActuralPaid = ceb.MustAmount("0"), ceb.MustAmount("1")
	if out := d.Settle(r, at); out.Status != inventory.StatusReleased {
		t.Fatalf("decided %s: %s", out.Status, out.Info())
	}
	if got := d.Order.OrderHead; !got.TaxTotal.Equal(want.OrderHead.TaxTotal) || !got.ActuralPaid.Equal(want.OrderHead.ActuralPaid) ||
		!d.Payment.PaymentHead.AmountPaid.Equal(want.OrderHead.ActuralPaid) {
		t.Fatalf("settled taxTotal %s acturalPaid %s amountPaid %s, want the set's %s and %s",
			got.TaxTotal, got.ActuralPaid, d.Payment.PaymentHead.AmountPaid, want.OrderHead.TaxTotal, want.OrderHead.ActuralPaid)
	}

	oh, lh, ih := &d.Order.OrderHead, &d.Waybill.LogisticsHead, &d.Inventory.InventoryHead
	oh.Freight, lh.Freight, ih.Freight = ceb.MustAmount("0"), ceb.MustAmount("0"), ceb.MustAmount("0")
	oh.Discount = ceb.MustAmount("30.00")
	out := d.Settle(r, at)
	// No freight: the CBEC tax of 396.00 and 168.00 alone, 9.1 % each
	// (13 % VAT at 70 %), rounded by line: 36.04 + 15.29.
	if !oh.TaxTotal.Equal(ceb.MustAmount("51.33")) || !oh.ActuralPaid.Equal(ceb.MustAmount("585.33")) || out.Tax.Total.String() != "51.33" {
		t.Fatalf("taxTotal %s, acturalPaid %s (want 51.33, 564.00 + 51.33 − 30.00 = 585.33)", oh.TaxTotal, oh.ActuralPaid)
	}
	if errs := match.Check(d.Documents()); errs != nil {
		t.Fatal(errs)
	}
}

// TestExportsPassTheExportCheck: the generated exports, their quantities
// drawn, pass export's own check, their amounts and weights following
// the quantities.
func TestExportsPassTheExportCheck(t *testing.T) {
	g := generator(t, 3)
	ref, err := export.Load(bytes.NewReader(deploy.Export))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for n := range 50 {
		subs := g.exportDocs("T-EXPORT", now)
		o, r, l, i := subs[0].doc.(*ceb.ExportOrder), subs[1].doc.(*ceb.Receipts), subs[2].doc.(*ceb.ExportLogistics), subs[3].doc.(*ceb.ExportInventory)
		if errs := export.Check(export.Documents{Order: o, Receipt: r, Waybill: l, Inventory: i}, ref, now); len(errs) > 0 {
			t.Fatalf("export %d: %v", n, errs)
		}
		value, pieces, _, _ := Totals(ExportLines(o, i))
		net := pieces.Mul(exportPieceKg)
		if !o.OrderHead.GoodsValue.Decimal.Equal(value) || !r.Charge.Decimal.Equal(value.Add(o.OrderHead.Freight.Decimal)) ||
			!i.InventoryHead.NetWeight.Decimal.Equal(net) || !l.GrossWeight.Decimal.Equal(net.Add(exportPackaging)) {
			t.Fatalf("export %d: goods %s charge %s net %s gross %s for %s pieces", n, o.OrderHead.GoodsValue, r.Charge,
				i.InventoryHead.NetWeight, l.GrossWeight, pieces)
		}
	}
}

// TestLineAt: a line sold at another price and quantity keeps its legal
// quantity per unit, and writes money with two decimals.
func TestLineAt(t *testing.T) {
	l := Line{Price: ceb.MustAmount("5.00"), Qty: ceb.MustAmount("3"), TotalPrice: ceb.MustAmount("15.00"), Qty1: ceb.MustAmount("0.15"), Item: "壳"}
	got := l.At(decimal.RequireFromString("7"), decimal.RequireFromString("4"))
	if got.Price.String() != "7.00" || got.TotalPrice.String() != "28.00" || got.Qty.String() != "4" || got.Qty1.String() != "0.2" || got.Item != "壳" {
		t.Fatalf("%+v", got)
	}
	value, qty, qty1, info := Totals([]Line{got, l})
	if value.String() != "43" || qty.String() != "7" || qty1.String() != "0.35" || info != "壳*4,壳*3" {
		t.Fatalf("totals %s %s %s %q", value, qty, qty1, info)
	}
}

// TestBuyers: a seed's population is the same in every run, its ID
// numbers valid and distinct from one buyer to the next.
func TestBuyers(t *testing.T) {
	g, again, other := generator(t, 7), generator(t, 7), generator(t, 8)
	now := time.Now()
	ids := map[string]int{}
	for n := range 2000 {
		b := g.Buyer(n)
		if b != again.Buyer(n) {
			t.Fatalf("buyer %d differs between two generators of one seed", n)
		}
		if err := identity.Check(b.ID, now); err != nil {
			t.Fatalf("buyer %d: %v", n, err)
		}
		if m, ok := ids[b.ID]; ok {
			t.Fatalf("buyers %d and %d share an ID number", m, n)
		}
		ids[b.ID] = n
	}
	if g.Buyer(1).ID == other.Buyer(1).ID {
		t.Error("two seeds give the same buyer")
	}
}

// BenchmarkPrepare is what one declaration costs the client of `cbec
// bench` (docs/performance.md): built, its tax assessed, its four
// documents encoded.
func BenchmarkPrepare(b *testing.B) {
	d := NewDriver(generator(b, 1), 50)
	for b.Loop() {
		if _, err := d.prepare(1); err != nil {
			b.Fatal(err)
		}
	}
}
