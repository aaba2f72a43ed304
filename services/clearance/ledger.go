package clearance

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/clock"
	"github.com/shopspring/decimal"
)

// addressSeen records that buyer used the consignee address today and
// returns how many distinct buyers did, for the risk rules. Only a hash of
// the address is stored.
func (c *Clearance) addressSeen(ctx context.Context, address, buyer string, now time.Time) (int, error) {
	sum := sha256.Sum256([]byte(address))
	key := "addr." + hex.EncodeToString(sum[:16]) + "." + now.In(clock.Shanghai).Format("20060102")
	for range broker.MaxCASAttempts {
		var buyers []string
		rev, _, err := c.ledger.Reads.GetJSON(ctx, key, &buyers)
		if err != nil {
			return 0, err
		}
		if slices.Contains(buyers, buyer) {
			return len(buyers), nil
		}
		buyers = append(buyers, buyer)
		err = broker.PutJSON(ctx, c.ledger.KV, key, buyers, rev)
		if err == nil {
			return len(buyers), nil
		}
		if !errors.Is(err, broker.ErrConflict) {
			return 0, err
		}
	}
	return 0, broker.ErrConflict
}

// Used returns the amount counted for a buyer in a year (for tests and the
// review desk).
func (c *Clearance) Used(ctx context.Context, buyer string, year int) (decimal.Decimal, error) {
	return c.ledger.Used(ctx, buyer, year)
}
