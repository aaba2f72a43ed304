// Package ledger stores the buyers' annual quota (pkg/quota) in the
// CBEC_QUOTA key-value bucket, with compare-and-set, for every service that
// counts or gives back: clearance counts a list and gives it back on
// rejection or cancellation, returns gives back what an accepted return
// restores. One store, one key scheme, so the amounts meet in one row.
package ledger

import (
	"context"
	"errors"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/quota"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/shopspring/decimal"
)

// Store reads and writes ledger rows.
type Store struct {
	// KV is the bucket, for writes.
	KV jetstream.KeyValue
	// Reads batches concurrent reads of the bucket (rows, and the
	// address records clearance keeps beside them); they live as long as
	// the connection.
	Reads *broker.BatchGetter
}

// Open binds the CBEC_QUOTA bucket.
func Open(ctx context.Context, js jetstream.JetStream) (*Store, error) {
	kv, err := js.KeyValue(ctx, broker.BucketQuota)
	if err != nil {
		return nil, err
	}
	reads, err := broker.NewBatchGetter(js.Conn(), broker.BucketQuota)
	if err != nil {
		return nil, err
	}
	return &Store{KV: kv, Reads: reads}, nil
}

func rowKey(row string) string { return "q." + row }

// Load returns a row and its revision (0 when new).
func (s *Store) Load(ctx context.Context, row string) (*quota.Ledger, uint64, error) {
	var l quota.Ledger
	rev, _, err := s.Reads.GetJSON(ctx, rowKey(row), &l)
	if err != nil {
		return nil, 0, err
	}
	return &l, rev, nil
}

// Save writes a row with compare-and-set at rev (0 = create); a lost race
// is broker.ErrConflict.
func (s *Store) Save(ctx context.Context, row string, l *quota.Ledger, rev uint64) error {
	return broker.PutJSON(ctx, s.KV, rowKey(row), l, rev)
}

// Update applies f to the row under compare-and-set, retrying on
// conflicts; f reports whether it changed anything.
func (s *Store) Update(ctx context.Context, row string, f func(*quota.Ledger) bool) error {
	for range broker.MaxCASAttempts {
		l, rev, err := s.Load(ctx, row)
		if err != nil {
			return err
		}
		if !f(l) {
			return nil
		}
		err = s.Save(ctx, row, l, rev)
		if !errors.Is(err, broker.ErrConflict) {
			return err
		}
	}
	return broker.ErrConflict
}

// GiveBack returns what list counted in row (officer rejection,
// cancellation); a second give-back changes nothing.
func (s *Store) GiveBack(ctx context.Context, row, list string) error {
	return s.Update(ctx, row, func(l *quota.Ledger) bool { return !l.GiveBack(list).IsZero() })
}

// GiveBackPart returns part of what list counted (an accepted return named
// id), exactly once; it reports the amount given back now (zero when this
// return was given back already).
func (s *Store) GiveBackPart(ctx context.Context, row, list, id string, amount decimal.Decimal, qty map[string]decimal.Decimal) (decimal.Decimal, error) {
	back := decimal.Zero
	err := s.Update(ctx, row, func(l *quota.Ledger) bool {
		back = l.GiveBackPart(list, id, amount, qty)
		return !back.IsZero()
	})
	return back, err
}

// Used returns the amount counted for a buyer in a year.
func (s *Store) Used(ctx context.Context, buyer string, year int) (decimal.Decimal, error) {
	l, _, err := s.Load(ctx, quota.RowKey(buyer, year))
	if err != nil {
		return decimal.Zero, err
	}
	return l.Used(""), nil
}
