package tax_test

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/cbec/cbec/pkg/tax"
)

// ExampleAssess is worked example 1 of domain §12: two lines within the
// limits (D3), freight 20.00 and insurance 3.00 shared by price (D2), each
// tax rounded once, at the end, to the fen.
func ExampleAssess() {
	d := decimal.RequireFromString
	lines := []tax.Line{
		{Gnum: 1, Gcode: "1901101000", TotalPrice: d("300.00"), Rates: tax.Rates{VAT: d("0.13")}},
		{Gnum: 2, Gcode: "3304990000", TotalPrice: d("600.00"), Rates: tax.Rates{VAT: d("0.13"), Consumption: d("0.15")}},
	}
	a := tax.Assess(lines, d("20.00"), d("3.00"), tax.CBEC)
	for _, l := range a.Lines {
		fmt.Printf("line %d: P %s = %s + %s + %s; duty %s, CT %s, VAT %s\n",
			l.Gnum, l.DutiableValue, l.TotalPrice, l.Freight, l.InsuredFee, l.Duty, l.Consumption, l.VAT)
	}
	fmt.Println("dutiable value", a.DutiableValue, "taxTotal", a.Total)

	// The same goods as one item over 5,000 (D4): general rates, in full.
	g := tax.Assess([]tax.Line{{Gnum: 1, TotalPrice: d("5800.00"),
		Rates: tax.Rates{Duty: d("0.05"), VAT: d("0.13"), Consumption: d("0.15")}}}, d("150.00"), d("50.00"), tax.General)
	fmt.Println(g.Regime, "duty", g.Duty, "CT", g.Consumption, "VAT", g.VAT, "total", g.Total)
	// Output:
	// line 1: P 307.67 = 300 + 6.67 + 1; duty 0, CT 0, VAT 28
	// line 2: P 615.33 = 600 + 13.33 + 2; duty 0, CT 76.01, VAT 65.88
	// dutiable value 923 taxTotal 169.89
	// general duty 300 CT 1111.76 VAT 963.53 total 2375.29
}

// ExampleNewBill shapes an assessment as the CEB816 tax bill, amounts
// written with two decimals as the XSD's TaxHeadRd and TaxListRd carry them.
func ExampleNewBill() {
	d := decimal.RequireFromString
	a := tax.Assess([]tax.Line{{Gnum: 1, Gcode: "1901101000", TotalPrice: d("300.00"), Rates: tax.Rates{VAT: d("0.13")}}},
		d("7.67"), decimal.Zero, tax.CBEC)
	b := tax.NewBill(a, tax.BillHead{InvtNo: "80012025I000000042", TaxNo: "T80012025000000042"})
	h := b.TaxHeadRd
	fmt.Println(h.InvtNo, h.Status, "customsTax", h.CustomsTax, "valueAddedTax", h.ValueAddedTax, "consumptionTax", h.ConsumptionTax)
	fmt.Println("line", b.TaxListRd[0].Gnum, b.TaxListRd[0].Gcode, "taxPrice", b.TaxListRd[0].TaxPrice)
	// Output:
	// 80012025I000000042 1 customsTax 0.00 valueAddedTax 28.00 consumptionTax 0.00
	// line 1 1901101000 taxPrice 307.67
}
