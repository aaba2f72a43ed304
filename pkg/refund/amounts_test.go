package refund_test

import (
	"strings"
	"testing"

	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/refund"
)

// TestRestoreGivesBackTheDuty: a list taxed at general rates (the single
// item of §12 worked example 2: P 6,000.00, duty 300.00, CT 1,111.76, VAT
// 963.53) returned in full gives back every tax, duty included, and half
// of it half of each.
func TestRestoreGivesBackTheDuty(t *testing.T) {
	o := refund.Original{Lines: []refund.OriginalLine{{Gnum: 1, Gcode: "8517130000", Gname: "phone", Qty: d("2"),
		DutiableValue: d("6000.00"), Duty: d("300.00"), Consumption: d("1111.76"), VAT: d("963.53"), Returned: d("0")}}}
	cases := []struct {
		qty                           string
		value, duty, ct, vat, taxBack string
	}{
		{"2", "6000.00", "300.00", "1111.76", "963.53", "2375.29"},
		{"1", "3000.00", "150.00", "555.88", "481.77", "1187.65"},
	}
	for _, c := range cases {
		a := refund.Restore(o, []refund.Line{{Gnum: 1, Gcode: "8517130000", Qty: d(c.qty)}})
		for _, x := range []struct {
			what string
			got  string
			want string
		}{
			{"value", a.Value.String(), c.value}, {"duty", a.Duty.String(), c.duty}, {"CT", a.Consumption.String(), c.ct},
			{"VAT", a.VAT.String(), c.vat}, {"tax", a.Tax.String(), c.taxBack}, {"line duty", a.Lines[0].Duty.String(), c.duty},
		} {
			if !d(x.got).Equal(d(x.want)) {
				t.Errorf("qty %s: %s %s, want %s", c.qty, x.what, x.got, x.want)
			}
		}
	}
}

// TestCheckLinesSaysWhatIsLeft: the message names what is left of the
// line, never a negative quantity when more than the line was taken.
func TestCheckLinesSaysWhatIsLeft(t *testing.T) {
	cases := []struct{ returned, want string }{
		{"1", "exceeds the 1 left of 2 (1 already returned)"},
		{"3", "exceeds the 0 left of 2 (3 already returned)"},
	}
	for _, c := range cases {
		o := example1()
		o.Lines[0].Returned = d(c.returned)
		errs := refund.CheckLines(o, []refund.Line{{Gnum: 1, Gcode: "1901101000", Qty: d("2")}})
		if len(errs) != 1 || errs[0].Code != errcode.ReturnQuantity || !strings.Contains(errs[0].Message, c.want) {
			t.Errorf("returned %s: %v, want %q", c.returned, errs, c.want)
		}
	}
}
