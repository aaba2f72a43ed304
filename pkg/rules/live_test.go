package rules

import (
	"bytes"
	"sync"
	"testing"

	"github.com/cbec/cbec/deploy"
	"github.com/cbec/cbec/pkg/risk"
)

// TestVersionedStampsHits loads the default file, keeps its text, and as
// version 7 its risk rules stamp their hits with 7 while the set it came
// from stays version 0.
func TestVersionedStampsHits(t *testing.T) {
	s, err := Load(bytes.NewReader(deploy.Rules))
	if err != nil {
		t.Fatal(err)
	}
	if s.Text != string(deploy.Rules) || s.Version != 0 {
		t.Fatalf("loaded set: version %d, text kept %v", s.Version, s.Text == string(deploy.Rules))
	}
	v := s.Versioned(7)
	// R005 fires on its own: more than 3 buyers at the address today.
	f := risk.Facts{Decl: risk.Decl{ValueFen: 10000, GrossWeightGrams: 1500, NetWeightGrams: 1200, LineCount: 1, TotalQtyMilli: 1000},
		Buyer: risk.Buyer{BuyersAtAddressToday: 4}, Limit: risk.Limit{SingleFen: 500000, AnnualFen: 2600000}}
	for _, c := range []struct {
		set  *Set
		want uint64
	}{{s, 0}, {v, 7}} {
		hits, err := c.set.Risk.Evaluate(f)
		if err != nil || len(hits) != 1 || hits[0].RuleID != "R005" || hits[0].RulesVersion != c.want {
			t.Errorf("version %d: hits %+v (%v), want R005 stamped %d", c.set.Version, hits, err, c.want)
		}
	}
	if v.Version != 7 || v.Risk.Version() != 7 || s.Risk.Version() != 0 {
		t.Errorf("versions: set %d engine %d, original engine %d", v.Version, v.Risk.Version(), s.Risk.Version())
	}
}

// TestLiveNeverGoesBack stores versions concurrently and out of order: the
// newest stays in force.
func TestLiveNeverGoesBack(t *testing.T) {
	s, err := Load(bytes.NewReader(deploy.Rules))
	if err != nil {
		t.Fatal(err)
	}
	l := NewLive(s)
	if l.Load() != s {
		t.Fatal("NewLive does not hold its set")
	}
	var wg sync.WaitGroup
	for v := uint64(1); v <= 50; v++ {
		wg.Go(func() { l.Store(s.Versioned(v)) })
	}
	wg.Wait()
	if got := l.Load().Version; got != 50 {
		t.Fatalf("version in force %d, want 50", got)
	}
	if l.Store(s.Versioned(3)) || l.Load().Version != 50 {
		t.Fatalf("an older version replaced version 50")
	}
}
