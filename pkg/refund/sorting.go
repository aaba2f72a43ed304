package refund

import (
	"time"

	"github.com/shopspring/decimal"
)

// SortLine is the warehouse's sorting result of one returned line.
type SortLine struct {
	Gnum       int             `json:"gnum"`
	Qty        decimal.Decimal `json:"qty"`
	Resaleable bool            `json:"resaleable"`
}

// Credit is the account-book credit of goods back in bonded stock: the
// zone warehouse's account book (emsNo) and item (itemRecordNo).
type Credit struct {
	Gnum         int             `json:"gnum"`
	EmsNo        string          `json:"emsNo"`
	ItemRecordNo string          `json:"itemRecordNo"`
	Qty          decimal.Decimal `json:"qty"`
}

// Shipment records goods that must leave (or left) the zone: a
// non-resaleable line is re-shipped out of the zone (GACC 2021 No.70).
type Shipment struct {
	Gnum      int             `json:"gnum"`
	Qty       decimal.Decimal `json:"qty"`
	ShippedAt time.Time       `json:"shippedAt,omitzero"`
}

// Sorting is what a warehouse's sorting of a return decides, line by line.
type Sorting struct {
	// Sorted is the sorting result of every returned line, in line order.
	Sorted []SortLine
	// Accepted are the resaleable lines: back in bonded stock, their quota
	// and tax given back (Restore).
	Accepted []Line
	// Credits are the account-book credits of the accepted lines, in the
	// book the original list was declared against (emsNo) and the item of
	// each line (itemRecordNo of the list line with the same gnum).
	Credits []Credit
	// OutOfZone are the non-resaleable lines, which must leave the zone.
	OutOfZone []Shipment
}

// Split splits the returned lines by the warehouse's resaleable verdict:
// a resaleable line goes back into bonded stock, credited to the zone
// warehouse's account book emsNo under the item items names for its gnum;
// a line that is not must be shipped out of the zone.
func Split(lines []Line, resaleable map[int]bool, emsNo string, items map[int]string) Sorting {
	var s Sorting
	for _, l := range lines {
		s.Sorted = append(s.Sorted, SortLine{Gnum: l.Gnum, Qty: l.Qty, Resaleable: resaleable[l.Gnum]})
		if !resaleable[l.Gnum] {
			s.OutOfZone = append(s.OutOfZone, Shipment{Gnum: l.Gnum, Qty: l.Qty})
			continue
		}
		s.Accepted = append(s.Accepted, l)
		if item, ok := items[l.Gnum]; ok {
			s.Credits = append(s.Credits, Credit{Gnum: l.Gnum, EmsNo: emsNo, ItemRecordNo: item, Qty: l.Qty})
		}
	}
	return s
}

// TaxDue is the tax of a list still owed after its accepted returns: what
// was assessed less what each accepted return gave back (not levied, D7).
func TaxDue(assessed decimal.Decimal, givenBack ...decimal.Decimal) (waived, due decimal.Decimal) {
	for _, g := range givenBack {
		waived = waived.Add(g)
	}
	return waived, assessed.Sub(waived)
}
