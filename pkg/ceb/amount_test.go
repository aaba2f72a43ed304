package ceb_test

import (
	"encoding/xml"
	"testing"

	"github.com/cbec/cbec/pkg/ceb"
	"github.com/shopspring/decimal"
)

func TestAmount(t *testing.T) {
	for in, want := range map[string]string{"0": "0", "0.50": "0.50", " 19050 ": "19050", "1.10000": "1.10000", "-3.2": "-3.2", "1e3": "1000"} {
		a, err := ceb.ParseAmount(in)
		if err != nil || !a.Valid || a.String() != want {
			t.Errorf("ParseAmount(%q) = %s, %v; want %s", in, a, err, want)
		}
	}
	for _, in := range []string{"", " ", "abc", "1,5", "1.2.3"} {
		if _, err := ceb.ParseAmount(in); err == nil {
			t.Errorf("ParseAmount(%q) succeeded", in)
		}
	}
	if !ceb.MustAmount("1.50").Equal(ceb.MustAmount("1.5")) || ceb.MustAmount("0").Equal(ceb.Amount{}) || !(ceb.Amount{}).Equal(ceb.Amount{}) {
		t.Error("Equal")
	}
	if a := ceb.NewAmount(decimal.RequireFromString("2.5")); !a.Valid || a.String() != "2.5" {
		t.Errorf("NewAmount = %s", a)
	}
	if (ceb.Amount{}).String() != "" {
		t.Error("absent amount has text")
	}
}

func TestAmountXML(t *testing.T) {
	type v struct {
		XMLName xml.Name   `xml:"v"`
		A       ceb.Amount `xml:"a"`
		B       ceb.Amount `xml:"b,omitempty"`
	}
	b, err := xml.Marshal(v{A: ceb.MustAmount("0.10")})
	if err != nil || string(b) != `<v><a>0.10</a></v>` {
		t.Fatalf("Marshal = %s, %v", b, err)
	}
	var got v
	if err := xml.Unmarshal([]byte("<v><a>\n 12.5 </a><b></b></v>"), &got); err != nil {
		t.Fatal(err)
	}
	if got.A.String() != "12.5" || got.B.Valid {
		t.Fatalf("Unmarshal = %+v", got)
	}
	if err := xml.Unmarshal([]byte("<v><a>x</a></v>"), &got); err == nil {
		t.Fatal("invalid amount accepted")
	}
}
