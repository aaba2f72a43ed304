package load

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/ceb/cebtest"
	"github.com/cbec/cbec/pkg/inventory"
	"github.com/cbec/cbec/pkg/match"
	"github.com/cbec/cbec/pkg/quota"
)

// Import is one import declaration's four documents.
type Import struct {
	Order     *ceb.Order
	Payment   *ceb.Payment
	Waybill   *ceb.Logistics
	Inventory *ceb.Inventory
}

// NewImport returns cebtest's consistent set for orderNo, to change.
func NewImport(orderNo string) *Import {
	o, p, l, i := cebtest.Set(orderNo)
	return &Import{Order: o, Payment: p, Waybill: l, Inventory: i}
}

// Documents are d as the three-document match and inventory.Decide read
// them.
func (d *Import) Documents() match.Documents {
	return match.Documents{Order: d.Order, Payment: d.Payment, Waybill: d.Waybill, Inventory: d.Inventory}
}

// Decide decides d as clearance does on now, with the buyer's annual quota
// unused and the buyer alone at the address today: what customs will
// decide unless the real ledger holds earlier purchases.
func (d *Import) Decide(refs Refs, now time.Time) inventory.Outcome {
	return inventory.Decide(inventory.Input{
		Docs: d.Documents(), Tariff: refs.Tariff, Rules: refs.Rules, Ledger: &quota.Ledger{},
		ListKey: d.Inventory.InventoryHead.OrderNo, BuyersAtAddress: 1, Now: now,
	})
}

// Settle makes what the buyer pays the tax customs assesses: it decides d
// (Decide) and puts the assessment's total on the order's taxTotal, with
// acturalPaid = amountPaid = goodsValue + freight + taxTotal − discount
// (X03, X05). d's goods, freight and discount must be set.
//
// The outcome is the decision on d as settled: the tax depends on neither
// taxTotal nor what was paid, and no check reads them but X03 and X05,
// which hold before and after. A rejection that comes before the tax
// leaves taxTotal 0, the amounts still consistent.
func (d *Import) Settle(refs Refs, now time.Time) inventory.Outcome {
	d.charge(decimal.Zero)
	out := d.Decide(refs, now)
	if out.Tax != nil {
		d.charge(out.Tax.Total)
	}
	return out
}

// charge puts tax on the order and what the buyer paid with it on the
// order and the payment.
func (d *Import) charge(tax decimal.Decimal) {
	oh := &d.Order.OrderHead
	oh.TaxTotal = Money(tax)
	oh.ActuralPaid = Money(oh.GoodsValue.Decimal.Add(oh.Freight.Decimal).Add(tax).Sub(oh.Discount.Decimal))
	d.Payment.PaymentHead.AmountPaid = oh.ActuralPaid
}
