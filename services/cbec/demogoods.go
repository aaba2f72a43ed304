package main

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/cbec/cbec/pkg/ceb"
)

// goodsLine is one goods line: its unit price, quantity, their total, the
// legal quantity (qty1) and the item's name.
type goodsLine struct {
	Price, Qty, TotalPrice, Qty1 ceb.Amount
	Item                         string
}

// chooseLines returns the goods lines c asks for: the first n of the
// fixture's (n the longest of the prices and quantities given, all of them
// when none), with the prices and quantities given, each total their
// product and each legal quantity the fixture's per unit times the new
// quantity.
func chooseLines(c DemoConfig, fixture []goodsLine) ([]goodsLine, error) {
	n := max(len(c.Prices), len(c.Qtys))
	if n == 0 {
		n = len(fixture)
	}
	if n > len(fixture) {
		return nil, fmt.Errorf("--price/--qty: at most %d goods lines", len(fixture))
	}
	pick := func(vs []decimal.Decimal, k int, fixture ceb.Amount) decimal.Decimal {
		if k < len(vs) {
			return vs[k]
		}
		return fixture.Decimal
	}
	out := make([]goodsLine, n)
	for k, f := range fixture[:n] {
		p, q := pick(c.Prices, k, f.Price), pick(c.Qtys, k, f.Qty)
		perUnit := f.Qty1.Decimal.Div(f.Qty.Decimal)
		out[k] = goodsLine{Price: money(p), Qty: ceb.NewAmount(q), TotalPrice: money(p.Mul(q)),
			Qty1: quantity(perUnit.Mul(q)), Item: f.Item}
	}
	return out, nil
}

// totals returns the lines' Σ totalPrice, Σ qty, Σ qty1 and the goodsInfo
// of a waybill ("item*qty,…").
func totals(lines []goodsLine) (value, qty, qty1 decimal.Decimal, info string) {
	var items []string
	for _, g := range lines {
		value, qty, qty1 = value.Add(g.TotalPrice.Decimal), qty.Add(g.Qty.Decimal), qty1.Add(g.Qty1.Decimal)
		items = append(items, g.Item+"*"+g.Qty.String())
	}
	return value, qty, qty1, strings.Join(items, ",")
}

// quantity is q as CEB writes it: at most the five decimals of N19,5,
// without the trailing zeros a division leaves (0.9, not 0.9000000000000000).
func quantity(q decimal.Decimal) ceb.Amount {
	return ceb.NewAmount(decimal.RequireFromString(q.Round(5).String()))
}

// money is an amount written with at least two decimals; it never rounds.
func money(d decimal.Decimal) ceb.Amount {
	if d.Exponent() > -2 {
		d = d.Round(2)
	}
	return ceb.NewAmount(d)
}
