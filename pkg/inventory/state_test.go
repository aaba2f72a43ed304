package inventory

import (
	"testing"
	"time"
)

func TestModifiableOnlyBeforeTheCheck(t *testing.T) {
	var none *State
	if !none.Modifiable() {
		t.Fatal("no state yet must be modifiable")
	}
	s := &State{}
	s.Record(StatusDeclared, "", time.Unix(0, 0))
	if !s.Modifiable() {
		t.Fatal("declared must be modifiable")
	}
	s.Record(StatusAccepted, "", time.Unix(1, 0))
	if s.Modifiable() {
		t.Fatal("accepted must not be modifiable")
	}
	if len(s.History) != 2 || s.History[1].Status != StatusAccepted {
		t.Fatalf("history %+v", s.History)
	}
}
