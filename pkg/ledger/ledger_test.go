package ledger_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/ledger"
	"github.com/cbec/cbec/pkg/natstest"
	"github.com/cbec/cbec/pkg/quota"
)

var d = decimal.RequireFromString

// open starts a real JetStream server with cbec's buckets and opens the
// ledger on it; a second Store on its own connection stands for another
// service (returns, or a second clearance replica) writing the same rows.
func open(t *testing.T) (context.Context, *ledger.Store, *ledger.Store) {
	t.Helper()
	s, _, js := natstest.Setup(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	st, err := ledger.Open(ctx, js)
	if err != nil {
		t.Fatal(err)
	}
	_, js2 := natstest.Connect(t, s)
	other, err := ledger.Open(ctx, js2)
	if err != nil {
		t.Fatal(err)
	}
	return ctx, st, other
}

const buyer = "b1f3" // a buyer key: an HMAC in production, any text here

var (
	row = quota.RowKey(buyer, 2025)
	at  = time.Date(2025, 3, 10, 2, 0, 0, 0, time.UTC)
)

// count counts list at amount in row through st, as clearance does.
func count(t *testing.T, ctx context.Context, st *ledger.Store, list, amount string) {
	t.Helper()
	err := st.Update(ctx, row, func(l *quota.Ledger) bool {
		return l.Count(list, d(amount), map[string]decimal.Decimal{"17019910": d("1")}, at)
	})
	if err != nil {
		t.Fatalf("count %s: %v", list, err)
	}
}

func TestOpenNeedsTheBucket(t *testing.T) {
	s := natstest.RunServer(t)
	_, js := natstest.Connect(t, s)
	if _, err := ledger.Open(context.Background(), js); err == nil {
		t.Fatal("opened a ledger on a server without the CBEC_QUOTA bucket")
	}
}

// TestLoadAndSave: a row never written is empty at revision 0; Save
// creates it at 0 and updates it at its revision only, so of two writers
// at the same revision one loses with broker.ErrConflict.
func TestLoadAndSave(t *testing.T) {
	ctx, st, other := open(t)
	l, rev, err := st.Load(ctx, row)
	if err != nil || rev != 0 || len(l.Entries) != 0 {
		t.Fatalf("a new row: %+v at %d, %v", l, rev, err)
	}
	l.Count("A", d("923.00"), nil, at)
	if err := st.Save(ctx, row, l, 0); err != nil {
		t.Fatal(err)
	}
	if err := other.Save(ctx, row, l, 0); !errors.Is(err, broker.ErrConflict) {
		t.Fatalf("a second create: %v, want ErrConflict", err)
	}
	got, rev1, err := other.Load(ctx, row)
	if err != nil || rev1 == 0 || !got.Used("").Equal(d("923.00")) || !got.Entries["A"].At.Equal(at) {
		t.Fatalf("read back %+v at %d, %v", got, rev1, err)
	}
	got.Count("B", d("1"), nil, at)
	if err := other.Save(ctx, row, got, rev1); err != nil {
		t.Fatal(err)
	}
	if err := st.Save(ctx, row, l, rev1); !errors.Is(err, broker.ErrConflict) {
		t.Fatalf("an update at an old revision: %v, want ErrConflict", err)
	}
}

// TestUpdateRetriesALostRace: when another writer changes the row between
// Update's read and its write, Update reads again and applies f to the
// winner's row, so neither count is lost.
func TestUpdateRetriesALostRace(t *testing.T) {
	ctx, st, other := open(t)
	calls := 0
	err := st.Update(ctx, row, func(l *quota.Ledger) bool {
		calls++
		if calls == 1 {
			count(t, ctx, other, "B", "100.00") // the other writer wins the race
		}
		return l.Count("A", d("923.00"), nil, at)
	})
	if err != nil || calls != 2 {
		t.Fatalf("Update: %v after %d calls, want success after 2", err, calls)
	}
	l, _, err := st.Load(ctx, row)
	if err != nil || !l.Used("").Equal(d("1023.00")) || !l.Counted("A") || !l.Counted("B") {
		t.Fatalf("row %+v, %v; want A and B counted", l, err)
	}
}

// TestUpdateWritesNothingWhenNothingChanged: f reporting no change leaves
// the row at its revision.
func TestUpdateWritesNothingWhenNothingChanged(t *testing.T) {
	ctx, st, _ := open(t)
	count(t, ctx, st, "A", "923.00")
	_, rev, _ := st.Load(ctx, row)
	count(t, ctx, st, "A", "923.00") // counted already: Count reports false
	if _, rev2, _ := st.Load(ctx, row); rev2 != rev {
		t.Fatalf("revision %d → %d for no change", rev, rev2)
	}
}

// TestUpdateGivesUpAfterMaxCASAttempts: a row that changes under every
// attempt ends in broker.ErrConflict, for the message to be redelivered,
// rather than looping for ever.
func TestUpdateGivesUpAfterMaxCASAttempts(t *testing.T) {
	ctx, st, other := open(t)
	calls := 0
	err := st.Update(ctx, row, func(l *quota.Ledger) bool {
		calls++
		count(t, ctx, other, "B"+string(rune('a'+calls)), "1")
		return l.Count("A", d("923.00"), nil, at)
	})
	if !errors.Is(err, broker.ErrConflict) || calls != broker.MaxCASAttempts {
		t.Fatalf("Update: %v after %d calls, want ErrConflict after %d", err, calls, broker.MaxCASAttempts)
	}
}

// TestGiveBackOnce: an officer's rejection or a cancellation gives the
// whole list back once; a return gives its part back once per return.
func TestGiveBackOnce(t *testing.T) {
	ctx, st, other := open(t)
	count(t, ctx, st, "A", "923.00")
	count(t, ctx, st, "B", "100.00")

	back, err := other.GiveBackPart(ctx, row, "A", "R1", d("615.33"), map[string]decimal.Decimal{"17019910": d("1")})
	if err != nil || !back.Equal(d("615.33")) {
		t.Fatalf("return R1: %s, %v", back, err)
	}
	_, rev, _ := st.Load(ctx, row)
	back, err = other.GiveBackPart(ctx, row, "A", "R1", d("615.33"), nil)
	if err != nil || !back.IsZero() {
		t.Fatalf("return R1 again: %s, %v", back, err)
	}
	if _, rev2, _ := st.Load(ctx, row); rev2 != rev {
		t.Fatal("a return given back twice wrote the row")
	}
	used, err := st.Used(ctx, buyer, 2025)
	if err != nil || !used.Equal(d("407.67")) {
		t.Fatalf("used %s, %v; want 307.67 + 100.00", used, err)
	}

	if err := st.GiveBack(ctx, row, "A"); err != nil {
		t.Fatal(err)
	}
	_, rev, _ = st.Load(ctx, row)
	if err := st.GiveBack(ctx, row, "A"); err != nil {
		t.Fatal(err)
	}
	if _, rev2, _ := st.Load(ctx, row); rev2 != rev {
		t.Fatal("a list given back twice wrote the row")
	}
	l, _, err := other.Load(ctx, row)
	if err != nil || !l.Used("").Equal(d("100.00")) || !l.Entries["A"].GivenBack.Equal(d("923.00")) || !l.UsedQty("17019910", "").Equal(d("1")) {
		t.Fatalf("row after the give-backs: %+v, %v", l, err)
	}

	// Another year's row is another row.
	if used, err := st.Used(ctx, buyer, 2024); err != nil || !used.IsZero() {
		t.Fatalf("2024: %s, %v", used, err)
	}
}

// TestLoadReportsAFailedRead: a row that cannot be read is an error, never
// an empty row a caller would count on from scratch.
func TestLoadReportsAFailedRead(t *testing.T) {
	_, nc, js := natstest.Setup(t)
	st, err := ledger.Open(context.Background(), js)
	if err != nil {
		t.Fatal(err)
	}
	nc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	l, rev, err := st.Load(ctx, row)
	if err == nil || l != nil || rev != 0 {
		t.Fatalf("Load on a closed connection: %+v at %d, %v; want an error", l, rev, err)
	}
	if _, err := st.Used(ctx, buyer, 2025); err == nil {
		t.Fatal("Used on a closed connection: no error")
	}
}
