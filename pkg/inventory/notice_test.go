package inventory

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

func TestNoticeEncodeMatchesMarshal(t *testing.T) {
	st := &State{View: View{ListID: ListID{EbpCode: "1500000001", OrderNo: "O-1"}, Status: StatusReleased}}
	st.Record(StatusReleased, "放行 released", time.Date(2025, 3, 10, 2, 0, 0, 0, time.UTC))
	state, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []Notice{
		{Key: "inv.a.b", Status: StatusDeclared, At: time.Unix(5, 0).UTC()},
		{Key: "inv.a.b", Status: StatusReleased, ListID: ListID{InvtNo: "X"}, At: time.Unix(6, 0).UTC(), State: state},
	} {
		got, err := n.Encode()
		if err != nil {
			t.Fatal(err)
		}
		want, err := json.Marshal(n)
		if err != nil {
			t.Fatal(err)
		}
		var g, w map[string]any
		if err := json.Unmarshal(got, &g); err != nil {
			t.Fatalf("Encode gave invalid JSON %s: %v", got, err)
		}
		if err := json.Unmarshal(want, &w); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(g, w) {
			t.Fatalf("Encode\n %s\nwant\n %s", got, want)
		}
	}
}
