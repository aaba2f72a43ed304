package ceb_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/ceb/cebtest"
)

// TestJSONRoundTrip marshals every declaration fixture and decodes it with
// DecodeJSON, as one object and as an array.
func TestJSONRoundTrip(t *testing.T) {
	o, p, l, i := set()
	invtNo := cebtest.InvtNo("x")
	for _, d := range []ceb.Declaration{o, p, l, i, cebtest.Cancel(i, invtNo), cebtest.Refund(i, invtNo)} {
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := ceb.DecodeJSON(d.MsgType(), b)
		if err != nil {
			t.Fatalf("%s: %v\n%s", d.MsgType(), err, b)
		}
		if len(got) != 1 || !reflect.DeepEqual(got[0], d) {
			t.Fatalf("%s: decoded %+v, want %+v", d.MsgType(), got, d)
		}
		arr := append(append([]byte("[ "), b...), append([]byte(",\n"), append(b, ']')...)...)
		got, _, err = ceb.DecodeJSON(d.MsgType(), arr)
		if err != nil || len(got) != 2 {
			t.Fatalf("%s array: %v, %d documents", d.MsgType(), err, len(got))
		}
		if errs := ceb.ValidateDocument(got[1], "x"); len(errs) > 0 {
			t.Fatalf("%s: %v", d.MsgType(), errs)
		}
	}
}

func TestJSONFieldNames(t *testing.T) {
	o, _, _, _ := set()
	b, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{`{"OrderHead":{"guid":"`, `"appType":"1"`, `"orderNo":"ORD-20250310-0001"`, `"goodsValue":"564.00"`, `"OrderList":[{"gnum":1,`, `"acturalPaid":"626.23"`} {
		if !strings.Contains(s, want) {
			t.Errorf("JSON lacks %s:\n%s", want, s)
		}
	}
	if strings.Contains(s, `"note"`) || strings.Contains(s, `"batchNumbers"`) {
		t.Errorf("unset optional fields emitted:\n%s", s)
	}
	_, _, l, _ := set()
	l.LogisticsHead.InsuredFee = ceb.Amount{}
	b, _ = json.Marshal(l)
	if strings.Contains(string(b), "insuredFee") {
		t.Errorf("absent optional amount emitted: %s", b)
	}
}

func TestDecodeJSON(t *testing.T) {
	const payment = `{"PaymentHead":{"guid":"AAAAAAAA-AAAA-AAAA-AAAA-AAAAAAAAAAAA","appType":"1","appTime":"20250310093000","appStatus":"2",
		"payCode":"1500000003","payName":"p","payTransactionId":"T1","orderNo":"O1","ebpCode":"1500000001","ebpName":"e",
		"payerIdType":"1","payerIdNumber":"130681196205023335","payerName":"张三","amountPaid":%s,"currency":"142","payTime":"20250310092500"}}`
	for _, amount := range []string{`626.23`, `"626.23"`, ` 626.230 `} {
		ds, _, err := ceb.DecodeJSON(ceb.CEB411, []byte(strings.Replace(payment, "%s", amount, 1)))
		if err != nil {
			t.Fatalf("amount %s: %v", amount, err)
		}
		p := ds[0].(*ceb.Payment)
		if !p.PaymentHead.AmountPaid.Equal(ceb.MustAmount("626.23")) {
			t.Errorf("amount %s decoded as %s", amount, p.PaymentHead.AmountPaid)
		}
		if errs := ceb.ValidateDocument(p, "Payment[0]"); len(errs) > 0 {
			t.Errorf("amount %s: %v", amount, errs)
		}
		out, _ := json.Marshal(p)
		if !strings.Contains(string(out), `"amountPaid":"626.23`) {
			t.Errorf("amount not emitted as a string: %s", out)
		}
	}

	bad := map[string]struct {
		typ  ceb.MsgType
		body string
	}{
		"unknown top-level field": {ceb.CEB411, `{"PaymentHead":{},"extra":1}`},
		"unknown head field":      {ceb.CEB411, `{"PaymentHead":{"payCode":"1","payCodes":"2"}}`},
		"unknown field in array":  {ceb.CEB411, `[{"PaymentHead":{}},{"PaymentHead":{"x":1}}]`},
		"amount as boolean":       {ceb.CEB411, `{"PaymentHead":{"amountPaid":true}}`},
		"amount not a number":     {ceb.CEB411, `{"PaymentHead":{"amountPaid":"12,5"}}`},
		"gnum as string":          {ceb.CEB311, `{"OrderList":[{"gnum":"1"}]}`},
		"empty array":             {ceb.CEB411, `[]`},
		"empty body":              {ceb.CEB411, ` `},
		"scalar":                  {ceb.CEB411, `"x"`},
		"array of scalars":        {ceb.CEB411, `[1]`},
		"trailing data":           {ceb.CEB411, `{"PaymentHead":{}} {}`},
		"receipt type":            {ceb.CEB412, `{}`},
		"unknown type":            {"CEB999", `{}`},
	}
	for name, c := range bad {
		if _, _, err := ceb.DecodeJSON(c.typ, []byte(c.body)); err == nil {
			t.Errorf("%s: DecodeJSON succeeded", name)
		}
	}

	// A JSON null or "" leaves an amount absent, which validation reports.
	ds, _, err := ceb.DecodeJSON(ceb.CEB411, []byte(strings.Replace(payment, "%s", `null`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	wantError(t, ceb.ValidateDocument(ds[0], "Payment[0]"), "Payment[0].PaymentHead.amountPaid", "required")
}

func TestMarshalWithAppendsTheRawField(t *testing.T) {
	type obj struct {
		A string `json:"a,omitempty"`
	}
	for _, c := range []struct {
		v    any
		raw  string
		want string
	}{
		{obj{A: "x"}, `{"k":[1,2]}`, `{"a":"x","doc":{"k":[1,2]}}`},
		{obj{}, `{"k":1}`, `{"doc":{"k":1}}`},
		{obj{A: "x"}, ``, `{"a":"x"}`},
	} {
		got, err := ceb.MarshalWith(c.v, "doc", []byte(c.raw))
		if err != nil || string(got) != c.want {
			t.Errorf("MarshalWith(%+v, %s) = %s, %v; want %s", c.v, c.raw, got, err, c.want)
		}
	}
	if _, err := ceb.MarshalWith([]int{1}, "doc", []byte(`1`)); err == nil {
		t.Error("an array took a field")
	}
}
