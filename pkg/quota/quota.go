// Package quota keeps a buyer's annual retail import quota (D1, D6, D16):
// the dutiable values counted for each inventory list, per buyer and
// Asia/Shanghai calendar year, and the quantities counted per tariff line
// that has a per-person annual quantity limit. It is domain: the ledger's
// storage (a JetStream key-value bucket with compare-and-set) lives in the
// clearance service.
//
// Every operation is keyed by the inventory list, so applying one twice —
// a redelivered message, a second replica racing — changes nothing: a list
// is counted exactly once and given back at most once.
package quota

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/cbec/cbec/pkg/clock"
	"github.com/shopspring/decimal"
)

// BuyerKey is the ledger's name for a buyer: the HMAC-SHA256 of the
// normalized ID number under the configured secret (D6). The ID number
// itself is never stored in the ledger.
func BuyerKey(secret []byte, normalizedID string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(normalizedID))
	return hex.EncodeToString(m.Sum(nil))
}

// Year is the quota year of an instant: its Asia/Shanghai calendar year (D16).
func Year(at time.Time) int { return at.In(clock.Shanghai).Year() }

// RowKey is the ledger row of a buyer and year.
func RowKey(buyer string, year int) string { return buyer + "." + strconv.Itoa(year) }

// Entry is what one inventory list counted.
type Entry struct {
	// Amount is the dutiable value still counted (less any give-back).
	Amount decimal.Decimal `json:"amount"`
	// Qty is the quantity counted per tariff line with an annual limit.
	Qty map[string]decimal.Decimal `json:"qty,omitempty"`
	// At is when the list was counted (its 120).
	At time.Time `json:"at"`
	// GivenBack is the amount given back so far.
	GivenBack decimal.Decimal `json:"givenBack"`
	// Returns names the accepted returns already given back.
	Returns []string `json:"returns,omitempty"`
}

// Ledger is one buyer's row for one year.
type Ledger struct {
	Entries map[string]*Entry `json:"entries"`
}

// Used is the amount counted for every list but exclude (the list being
// decided, which may have been counted already by an interrupted attempt).
func (l *Ledger) Used(exclude string) decimal.Decimal {
	sum := decimal.Zero
	for k, e := range l.Entries {
		if k != exclude {
			sum = sum.Add(e.Amount)
		}
	}
	return sum
}

// UsedQty is the quantity counted on tariff line hs for every list but exclude.
func (l *Ledger) UsedQty(hs, exclude string) decimal.Decimal {
	sum := decimal.Zero
	for k, e := range l.Entries {
		if k != exclude {
			sum = sum.Add(e.Qty[hs])
		}
	}
	return sum
}

// Counted reports whether the list is in the ledger.
func (l *Ledger) Counted(list string) bool {
	_, ok := l.Entries[list]
	return ok
}

// Count records the list's amount and quantities; counting a list already
// counted changes nothing and reports false.
func (l *Ledger) Count(list string, amount decimal.Decimal, qty map[string]decimal.Decimal, at time.Time) bool {
	if l.Counted(list) {
		return false
	}
	if l.Entries == nil {
		l.Entries = map[string]*Entry{}
	}
	l.Entries[list] = &Entry{Amount: amount, Qty: qty, At: at.UTC(), GivenBack: decimal.Zero}
	return true
}

// GiveBack returns the list's whole remaining amount and its quantities
// (officer rejection, cancellation). It reports the amount given back, zero
// when nothing was counted or all was given back already.
func (l *Ledger) GiveBack(list string) decimal.Decimal {
	e, ok := l.Entries[list]
	if !ok || e.Amount.IsZero() {
		return decimal.Zero
	}
	back := e.Amount
	e.GivenBack = e.GivenBack.Add(back)
	e.Amount = decimal.Zero
	e.Qty = nil
	return back
}

// GiveBackPart returns part of the list's amount (an accepted partial
// return), at most what is still counted. id names the return so that the
// same return is never given back twice; it reports the amount given back.
func (l *Ledger) GiveBackPart(list, id string, amount decimal.Decimal, qty map[string]decimal.Decimal) decimal.Decimal {
	e, ok := l.Entries[list]
	if !ok {
		return decimal.Zero
	}
	if slices.Contains(e.Returns, id) {
		return decimal.Zero
	}
	back := decimal.Min(amount, e.Amount)
	e.Amount = e.Amount.Sub(back)
	e.GivenBack = e.GivenBack.Add(back)
	for hs, q := range qty {
		e.Qty[hs] = decimal.Max(decimal.Zero, e.Qty[hs].Sub(q))
	}
	e.Returns = append(e.Returns, id)
	return back
}

// Recent counts the lists counted in the window before at, excluding one.
func (l *Ledger) Recent(at time.Time, window time.Duration, exclude string) int {
	n := 0
	for k, e := range l.Entries {
		if k == exclude {
			continue
		}
		if !e.At.After(at) && at.Sub(e.At) < window {
			n++
		}
	}
	return n
}

// Lists returns the keys of the lists counted, sorted.
func (l *Ledger) Lists() []string {
	out := make([]string, 0, len(l.Entries))
	for k := range l.Entries {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
