package broker_test

import (
	"testing"

	"github.com/cbec/cbec/pkg/broker"
)

func TestDecodeField(t *testing.T) {
	type doc struct {
		N int    `json:"n"`
		S string `json:"s"`
	}
	for _, tc := range []struct {
		name, in string
		found    bool
		want     doc
		err      bool
	}{
		{name: "first member", in: `{"doc":{"n":1,"s":"a"},"x":2}`, found: true, want: doc{1, "a"}},
		{name: "after others, skipped undecoded", in: `{"a":[1,{"b":"}"}],"c":"doc","doc":{"n":2}}`, found: true, want: doc{N: 2}},
		{name: "absent", in: `{"a":1,"b":{"doc":{"n":3}}}`},
		{name: "empty object", in: `{}`},
		{name: "not an object", in: `[{"doc":{}}]`, err: true},
		{name: "wrong type", in: `{"doc":{"n":"x"}}`, found: true, err: true},
		{name: "cut short", in: `{"a":1,`, err: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got doc
			found, err := broker.DecodeField([]byte(tc.in), "doc", &got)
			if (err != nil) != tc.err || found != tc.found || (!tc.err && got != tc.want) {
				t.Fatalf("DecodeField(%s) = %v, %v, %+v; want found %v, error %v, %+v", tc.in, found, err, got, tc.found, tc.err, tc.want)
			}
		})
	}
}

// TestDecodeIsExact: stored data is read by the exact names it was written
// with, so a name in another case is not the field (encoding/json would take it).
func TestDecodeIsExact(t *testing.T) {
	var v struct {
		OrderNo string `json:"orderNo"`
	}
	if err := broker.Decode([]byte(`{"ORDERNO":"x"}`), &v); err != nil || v.OrderNo != "" {
		t.Fatalf("got %q, %v", v.OrderNo, err)
	}
	if err := broker.Decode([]byte(`{"orderNo":"y"}`), &v); err != nil || v.OrderNo != "y" {
		t.Fatalf("got %q, %v", v.OrderNo, err)
	}
}
