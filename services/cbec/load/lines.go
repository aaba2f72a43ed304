package load

import (
	"strings"

	"github.com/shopspring/decimal"

	"github.com/cbec/cbec/pkg/ceb"
)

// Line is one goods line of a declaration: its unit price, quantity, their
// total, the legal quantity (qty1) and the item's name.
type Line struct {
	Price, Qty, TotalPrice, Qty1 ceb.Amount
	Item                         string
}

// At returns l sold at price and qty: the total their product, the legal
// quantity l's own per unit times qty (a can of formula weighs what it
// weighed, whatever the count).
func (l Line) At(price, qty decimal.Decimal) Line {
	perUnit := l.Qty1.Decimal.Div(l.Qty.Decimal)
	return Line{Price: Money(price), Qty: ceb.NewAmount(qty), TotalPrice: Money(price.Mul(qty)),
		Qty1: Quantity(perUnit.Mul(qty)), Item: l.Item}
}

// ImportLines are the goods lines of an import's order and list, by
// position (cebtest's sets list them in the same order).
func ImportLines(o *ceb.Order, i *ceb.Inventory) []Line {
	out := make([]Line, len(o.OrderList))
	for k, ol := range o.OrderList {
		out[k] = Line{ol.Price, ol.Qty, ol.TotalPrice, i.InventoryList[k].Qty1, ol.ItemName}
	}
	return out
}

// ExportLines are the goods lines of an export's order and list, by
// position.
func ExportLines(o *ceb.ExportOrder, i *ceb.ExportInventory) []Line {
	out := make([]Line, len(o.OrderList))
	for k, ol := range o.OrderList {
		out[k] = Line{ol.Price, ol.Qty, ol.TotalPrice, i.InventoryList[k].Qty1, ol.ItemName}
	}
	return out
}

// Totals returns the lines' Σ totalPrice, Σ qty, Σ qty1 and the goodsInfo
// of a waybill ("item*qty,…").
func Totals(lines []Line) (value, qty, qty1 decimal.Decimal, info string) {
	items := make([]string, 0, len(lines))
	for _, g := range lines {
		value, qty, qty1 = value.Add(g.TotalPrice.Decimal), qty.Add(g.Qty.Decimal), qty1.Add(g.Qty1.Decimal)
		items = append(items, g.Item+"*"+g.Qty.String())
	}
	return value, qty, qty1, strings.Join(items, ",")
}

// Quantity is q as CEB writes it: at most the five decimals of N19,5,
// without the trailing zeros a division leaves (0.9, not 0.9000000000000000).
func Quantity(q decimal.Decimal) ceb.Amount {
	return ceb.NewAmount(decimal.RequireFromString(q.Round(5).String()))
}

// Money is an amount written with at least two decimals; it never rounds.
func Money(d decimal.Decimal) ceb.Amount {
	if d.Exponent() > -2 {
		d = d.Round(2)
	}
	return ceb.NewAmount(d)
}
