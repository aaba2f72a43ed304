package refund_test

import (
	"testing"

	"github.com/cbec/cbec/pkg/refund"
	"github.com/shopspring/decimal"
)

func TestSplitByTheWarehousesVerdict(t *testing.T) {
	d := decimal.RequireFromString
	lines := []refund.Line{{Gnum: 1, Qty: d("2")}, {Gnum: 2, Qty: d("1")}, {Gnum: 3, Qty: d("4")}}
	s := refund.Split(lines, map[int]bool{1: true, 2: false, 3: true}, "T5001W000001", map[int]string{1: "ITEM-1", 2: "ITEM-2", 3: "ITEM-3"})
	if len(s.Sorted) != 3 || !s.Sorted[0].Resaleable || s.Sorted[1].Resaleable || !s.Sorted[2].Resaleable || !s.Sorted[2].Qty.Equal(d("4")) {
		t.Errorf("sorted %+v", s.Sorted)
	}
	if len(s.Accepted) != 2 || s.Accepted[0].Gnum != 1 || s.Accepted[1].Gnum != 3 {
		t.Errorf("accepted %+v", s.Accepted)
	}
	want := []refund.Credit{{Gnum: 1, EmsNo: "T5001W000001", ItemRecordNo: "ITEM-1", Qty: d("2")}, {Gnum: 3, EmsNo: "T5001W000001", ItemRecordNo: "ITEM-3", Qty: d("4")}}
	if len(s.Credits) != 2 {
		t.Fatalf("credits %+v", s.Credits)
	}
	for i, c := range s.Credits {
		if c.Gnum != want[i].Gnum || c.EmsNo != want[i].EmsNo || c.ItemRecordNo != want[i].ItemRecordNo || !c.Qty.Equal(want[i].Qty) {
			t.Errorf("credit %d: %+v, want %+v", i, c, want[i])
		}
	}
	if len(s.OutOfZone) != 1 || s.OutOfZone[0].Gnum != 2 || !s.OutOfZone[0].Qty.Equal(d("1")) || !s.OutOfZone[0].ShippedAt.IsZero() {
		t.Errorf("out of zone %+v", s.OutOfZone)
	}
	// A line the list has no item for is accepted without a credit; none
	// resaleable: nothing accepted, everything leaves the zone.
	s = refund.Split(lines[:1], map[int]bool{1: true}, "B", nil)
	if len(s.Accepted) != 1 || len(s.Credits) != 0 {
		t.Errorf("no item: %+v", s)
	}
	s = refund.Split(lines, map[int]bool{}, "B", nil)
	if len(s.Accepted) != 0 || len(s.OutOfZone) != 3 || len(s.Credits) != 0 {
		t.Errorf("none resaleable: %+v", s)
	}
}

func TestTaxDue(t *testing.T) {
	d := decimal.RequireFromString
	waived, due := refund.TaxDue(d("100.50"), d("20.10"), d("0.40"))
	if !waived.Equal(d("20.50")) || !due.Equal(d("80.00")) {
		t.Errorf("waived %s due %s, want 20.50 and 80.00", waived, due)
	}
	waived, due = refund.TaxDue(d("36.67"))
	if !waived.IsZero() || !due.Equal(d("36.67")) {
		t.Errorf("no return: waived %s due %s", waived, due)
	}
}
