package clearance

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/clock"
	"github.com/cbec/cbec/pkg/quota"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/shopspring/decimal"
)

// loadLedger returns a buyer's quota row and its revision (0 when new).
func (c *Clearance) loadLedger(ctx context.Context, row string) (*quota.Ledger, uint64, error) {
	kve, err := c.quota.Get(ctx, "q."+row)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return &quota.Ledger{}, 0, nil
	}
	if err != nil {
		return nil, 0, err
	}
	var l quota.Ledger
	if err := json.Unmarshal(kve.Value(), &l); err != nil {
		return nil, 0, broker.Poison(err)
	}
	return &l, kve.Revision(), nil
}

// saveLedger writes the row with compare-and-set; a lost race is errConflict.
func (c *Clearance) saveLedger(ctx context.Context, row string, l *quota.Ledger, rev uint64) error {
	b, err := json.Marshal(l)
	if err != nil {
		return err
	}
	if rev == 0 {
		_, err = c.quota.Create(ctx, "q."+row, b)
	} else {
		_, err = c.quota.Update(ctx, "q."+row, b, rev)
	}
	if isConflict(err) {
		return errConflict
	}
	return err
}

// updateLedger applies f to the row under compare-and-set, retrying on
// conflicts; f reports whether it changed anything.
func (c *Clearance) updateLedger(ctx context.Context, row string, f func(*quota.Ledger) bool) error {
	for range maxCASAttempts {
		l, rev, err := c.loadLedger(ctx, row)
		if err != nil {
			return err
		}
		if !f(l) {
			return nil
		}
		err = c.saveLedger(ctx, row, l, rev)
		if !errors.Is(err, errConflict) {
			return err
		}
	}
	return errConflict
}

// giveBack returns what the list counted in the row (officer rejection,
// cancellation); a second give-back changes nothing.
func (c *Clearance) giveBack(ctx context.Context, row, list string) error {
	return c.updateLedger(ctx, row, func(l *quota.Ledger) bool {
		return !l.GiveBack(list).IsZero()
	})
}

// addressSeen records that buyer used the consignee address today and
// returns how many distinct buyers did, for the risk rules. Only a hash of
// the address is stored.
func (c *Clearance) addressSeen(ctx context.Context, address, buyer string, now time.Time) (int, error) {
	sum := sha256.Sum256([]byte(address))
	key := "addr." + hex.EncodeToString(sum[:16]) + "." + now.In(clock.Shanghai).Format("20060102")
	for range maxCASAttempts {
		var buyers []string
		var rev uint64
		kve, err := c.quota.Get(ctx, key)
		switch {
		case errors.Is(err, jetstream.ErrKeyNotFound):
		case err != nil:
			return 0, err
		default:
			rev = kve.Revision()
			if err := json.Unmarshal(kve.Value(), &buyers); err != nil {
				return 0, broker.Poison(err)
			}
		}
		if slices.Contains(buyers, buyer) {
			return len(buyers), nil
		}
		buyers = append(buyers, buyer)
		b, _ := json.Marshal(buyers)
		if rev == 0 {
			_, err = c.quota.Create(ctx, key, b)
		} else {
			_, err = c.quota.Update(ctx, key, b, rev)
		}
		if err == nil {
			return len(buyers), nil
		}
		if !isConflict(err) {
			return 0, err
		}
	}
	return 0, errConflict
}

// Used returns the amount counted for a buyer in a year (for tests and the
// review desk).
func (c *Clearance) Used(ctx context.Context, buyer string, year int) (decimal.Decimal, error) {
	l, _, err := c.loadLedger(ctx, quota.RowKey(buyer, year))
	if err != nil {
		return decimal.Zero, err
	}
	return l.Used(""), nil
}
