package main

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/services/cbec/load"
)

// chooseLines returns the goods lines c asks for: the first n of the
// fixture's (n the longest of the prices and quantities given, all of them
// when none), with the prices and quantities given, each total their
// product and each legal quantity the fixture's per unit times the new
// quantity (load.Line.At).
func chooseLines(c DemoConfig, fixture []load.Line) ([]load.Line, error) {
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
	out := make([]load.Line, n)
	for k, f := range fixture[:n] {
		out[k] = f.At(pick(c.Prices, k, f.Price), pick(c.Qtys, k, f.Qty))
	}
	return out, nil
}
