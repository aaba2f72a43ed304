package refund_test

import (
	"bytes"
	"testing"

	"github.com/cbec/cbec/deploy"
	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/refund"
	"github.com/cbec/cbec/pkg/zone"
)

// TestDestinationNeedsAnEligibleWarehouse: a 1210 return from an area of a
// known zone whose warehouses are all inactive has nowhere to go, although
// the zone is known.
func TestDestinationNeedsAnEligibleWarehouse(t *testing.T) {
	reg, err := zone.Load(bytes.NewReader(deploy.Zones))
	if err != nil {
		t.Fatal(err)
	}
	z := reg.Zones()[0]
	for _, w := range reg.Warehouses() {
		if reg, err = reg.Deactivate(w.Code); err != nil {
			t.Fatal(err)
		}
	}
	got, err := refund.Destination(reg, zone.TradeModeBonded, z.AreaCodes[0], "")
	if e := errcode.As(err); err == nil || e.Code != errcode.ReturnNoWarehouse || got != "" {
		t.Fatalf("zone %s without an active warehouse: %q, %v; want %s", z.Code, got, err, errcode.ReturnNoWarehouse)
	}
}

// TestCheckReturnNamesEachProblemOnce: the message is the first problem's,
// then each further one with its code, none repeated.
func TestCheckReturnNamesEachProblemOnce(t *testing.T) {
	lines := []refund.Line{{Gnum: 9, Gcode: "x", Qty: d("1")}, {Gnum: 1, Gcode: "1901101000", Qty: d("5")}}
	errs := refund.CheckLines(example1(), lines)
	if len(errs) != 2 {
		t.Fatalf("CheckLines: %v, want two problems", errs)
	}
	e := errcode.As(refund.CheckReturn(example1(), lines, "I1", ""))
	if want := errs[0].Message + "; " + string(errs[1].Code) + ": " + errs[1].Message; e.Code != errs[0].Code || e.Message != want {
		t.Fatalf("CheckReturn: %s %q, want %s %q", e.Code, e.Message, errs[0].Code, want)
	}
}
