package broker_test

import (
	"testing"

	"github.com/cbec/cbec/pkg/broker"
)

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
