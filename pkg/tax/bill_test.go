package tax

import (
	"encoding/json"
	"testing"
)

func TestNewBill(t *testing.T) {
	a := Assess([]Line{
		{Gnum: 1, Gcode: "1901101000", TotalPrice: d("300.00"), Rates: Rates{VAT: d("0.13")}},
		{Gnum: 2, Gcode: "3304990000", TotalPrice: d("600.00"), Rates: Rates{VAT: d("0.13"), Consumption: d("0.15")}},
	}, d("20.00"), d("3.00"), CBEC)
	b := NewBill(a, BillHead{
		Guid:        "4CDE1CFD-EDED-46B1-946C-B8022E42FC94",
		ReturnTime:  "20250310093000123",
		InvtNo:      "800120251000000001",
		TaxNo:       "800120251000000001T",
		AssureCode:  "1500000005",
		EbcCode:     "1500000002",
		AgentCode:   "1500000005",
		CustomsCode: "8001",
	})
	got, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	// Keys in XSD order; optional empty ones left out.
	want := `{"TaxHeadRd":{"guid":"4CDE1CFD-EDED-46B1-946C-B8022E42FC94","returnTime":"20250310093000123",` +
		`"invtNo":"800120251000000001","taxNo":"800120251000000001T","customsTax":"0.00","valueAddedTax":"93.88",` +
		`"consumptionTax":"76.01","status":"1","assureCode":"1500000005","ebcCode":"1500000002",` +
		`"agentCode":"1500000005","customsCode":"8001"},"TaxListRd":[` +
		`{"gnum":1,"gcode":"1901101000","taxPrice":"307.67","customsTax":"0.00","valueAddedTax":"28.00","consumptionTax":"0.00"},` +
		`{"gnum":2,"gcode":"3304990000","taxPrice":"615.33","customsTax":"0.00","valueAddedTax":"65.88","consumptionTax":"76.01"}]}`
	if string(got) != want {
		t.Errorf("bill\n got %s\nwant %s", got, want)
	}

	voided := NewBill(a, BillHead{Status: "3"})
	if voided.TaxHeadRd.Status != "3" {
		t.Errorf("status %q", voided.TaxHeadRd.Status)
	}
}

func TestMoney(t *testing.T) {
	for in, want := range map[string]string{
		"0": "0.00", "28": "28.00", "76.01": "76.01", "307.67000": "307.67", "1.005": "1.005", "-3.1": "-3.10",
	} {
		if got := money(d(in)); got != want {
			t.Errorf("money(%s) = %s, want %s", in, got, want)
		}
	}
}
