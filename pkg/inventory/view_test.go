package inventory_test

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cbec/cbec/pkg/inventory"
	"github.com/cbec/cbec/pkg/risk"
	"github.com/cbec/cbec/pkg/tax"
)

// TestStateIsTheViewAndItsBehaviour holds the storage type to the read
// model: State embeds View and, besides it, has only the fields named here
// as stored but not shown (none today: the answer of GET
// /v1/import/inventories/… has always shown the whole state).
func TestStateIsTheViewAndItsBehaviour(t *testing.T) {
	storageOnly := map[string]bool{}
	typ := reflect.TypeFor[inventory.State]()
	embedded := false
	for f := range typ.Fields() {
		switch {
		case f.Anonymous && f.Type == reflect.TypeFor[inventory.View]():
			embedded = true
		case !storageOnly[f.Tag.Get("json")]:
			t.Errorf("State.%s (%q) is neither in View nor named storage-only", f.Name, f.Tag.Get("json"))
		}
	}
	if !embedded {
		t.Fatal("State does not embed View: the read model and the stored state can drift")
	}
}

// TestViewReadsAStoredState decodes a stored state, every field set, into
// View as the gateway does, and writes it back: the same JSON.
func TestViewReadsAStoredState(t *testing.T) {
	at := time.Date(2025, 3, 10, 2, 0, 0, 0, time.UTC)
	st := inventory.State{View: inventory.View{
		ListID: inventory.ListID{EbpCode: "1500000001", OrderNo: "O-1", EbcCode: "1500000002", AgentCode: "1500000005",
			InvtNo: "800120251000000001", CustomsCode: "8001", TradeMode: "1210"},
		GUID: "G", LogisticsCode: "1500000004", LogisticsNo: "WB-1", AssureCode: "1500000002",
		Buyer: "key", PreNo: "I20250310000000001", CopNo: "C-1", Status: inventory.StatusReleased,
		Code: "-1", InSeq: 7, DeclaredAt: at, DecidedAt: at.Add(time.Second), ReleasedAt: at.Add(2 * time.Second),
		Tax:       &tax.Assessment{Regime: tax.CBEC, Total: decimal.RequireFromString("12.34")},
		Hits:      []risk.Hit{{RuleID: "R1", Description: "why", Action: risk.Review}},
		Counted:   &inventory.Counted{Row: "row", Amount: decimal.RequireFromString("100.00"), GivenBack: true},
		CancelSeq: 9, History: []inventory.Event{{Status: inventory.StatusDeclared, Info: "declared", Time: at}}, By: "in/7", From: 1}}
	stored, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	var v inventory.View
	if err := json.Unmarshal(stored, &v); err != nil {
		t.Fatal(err)
	}
	shown, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if string(shown) != string(stored) {
		t.Errorf("View shows\n%s\nthe state stored is\n%s", shown, stored)
	}
	if got := v.Readers(); !reflect.DeepEqual(got, st.Readers()) {
		t.Errorf("Readers %v, want %v", got, st.Readers())
	}
}

func TestViewModifiable(t *testing.T) {
	for _, s := range []string{"", inventory.StatusDeclared, inventory.StatusAccepted, inventory.StatusReview, inventory.StatusReleased,
		inventory.StatusRejected, inventory.StatusCancelled} {
		st := inventory.State{View: inventory.View{Status: s}}
		v := inventory.View{Status: s}
		if v.Modifiable() != st.Modifiable() {
			t.Errorf("status %q: View.Modifiable %v, State.Modifiable %v", s, v.Modifiable(), st.Modifiable())
		}
	}
}
