package export

import (
	"cmp"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/clock"
	"github.com/cbec/cbec/pkg/errcode"
)

// monthLayout is the layout of a summary month, YYYY-MM.
const monthLayout = "2006-01"

// dueDay is the day of the following month by the end of which a month's
// summary declaration is due (domain §17, D10).
const dueDay = 15

// Released is an export inventory list customs released (800): the list,
// the invtNo customs assigned and the time of the release.
type Released struct {
	Inventory  *ceb.ExportInventory
	InvtNo     string
	ReleasedAt time.Time
}

// GroupKey is the head key of a summary declaration (D10): consignor,
// producer/seller (only with summaryFlag 2, else empty), country of
// arrival, exit customs and transport mode.
type GroupKey struct {
	EbcCode   string `json:"ebcCode"`
	OwnerCode string `json:"ownerCode,omitempty"`
	Country   string `json:"country"`
	PortCode  string `json:"portCode"`
	TrafMode  string `json:"trafMode"`
}

// Member is one inventory line summarised into a summary line: what a
// CEB792 body line links to its gseqno.
type Member struct {
	InvtNo      string `json:"invtNo"`
	LogisticsNo string `json:"logisticsNo"`
	Gnum        int    `json:"gnum"`
}

// SummaryLine is one line of a summary declaration: the inventory lines of
// one 10-digit gcode, currency and unit (D10) and, with itemNameFlag 1, one
// original item name. ItemName is that original name (the line's itemName,
// else its gname) with itemNameFlag 1, else the commodity category name,
// the gname of the first member. Qty and TotalPrice are exact sums in the
// line's unit and currency; TotalPriceCNY is the sum of each member's
// totalPrice converted on its release day (D11) and rounded to the fen.
type SummaryLine struct {
	Gseqno        int             `json:"gseqno"`
	Gcode         string          `json:"gcode"`
	Currency      string          `json:"currency"`
	Unit          string          `json:"unit"`
	ItemName      string          `json:"itemName"`
	Qty           decimal.Decimal `json:"qty"`
	TotalPrice    decimal.Decimal `json:"totalPrice"`
	TotalPriceCNY decimal.Decimal `json:"totalPriceCNY"`
	Members       []Member        `json:"members"`
}

// Group is one summary declaration (one customs export declaration): the
// lines of the lists sharing Key, numbered by Gseqno from 1, the invtNos
// of those lists (sorted) and the CNY total of the lines.
type Group struct {
	Key           GroupKey        `json:"key"`
	Lines         []SummaryLine   `json:"lines"`
	InvtNos       []string        `json:"invtNos"`
	TotalPriceCNY decimal.Decimal `json:"totalPriceCNY"`
}

// Summary is the summary of one consignor's released B lists of one month:
// its declarations and when they are due (Due(Month)).
type Summary struct {
	Consignor string    `json:"consignor"`
	Month     string    `json:"month"`
	Groups    []Group   `json:"groups"`
	Due       time.Time `json:"due"`
}

// ResultList returns the CEB792 body of the group: each member with its
// summary line's gseqno and gcode, in gseqno order.
func (g *Group) ResultList() []ceb.SummaryResultList {
	var out []ceb.SummaryResultList
	for _, l := range g.Lines {
		for _, m := range l.Members {
			out = append(out, ceb.SummaryResultList{
				InvtNo: m.InvtNo, LogisticsNo: m.LogisticsNo, Gseqno: l.Gseqno, Gnum: m.Gnum, Gcode: l.Gcode,
			})
		}
	}
	return out
}

// Summarize groups the lists released in month (YYYY-MM, Asia/Shanghai)
// with statisticsFlag B into summary declarations per D10, one Summary per
// consignor (ebcCode); lists with statisticsFlag A and lists released in
// another month are left out. Lists are grouped by consignor, producer/
// seller (ownerCode, only when summaryFlag is "2"), country of arrival,
// exit customs (portCode) and transport mode, and within a group their
// lines by 10-digit gcode, currency, unit and, when itemNameFlag is "1",
// the original item name (any other itemNameFlag names a line by commodity
// category). Sums are exact decimals; CNY amounts come from ref (D11).
//
// The result is deterministic whatever the order of lists: summaries by
// consignor, groups by key, lines by (gcode, currency, unit, item name),
// members by (invtNo, gnum). It is nil when no list qualifies. The error
// is an *errcode.Error: SummaryRequest for a month not YYYY-MM, a
// summaryFlag not 1 or 2, a list without inventory or invtNo, an invtNo
// given twice, or a qualifying line without qty or totalPrice; the
// CurrencyUnknown or CurrencyNoRate of a conversion, naming the line. ref
// must not be nil.
func Summarize(lists []Released, month string, summaryFlag string, itemNameFlag string, ref *Reference) ([]Summary, error) {
	start, end, err := monthBounds(month)
	if err != nil {
		return nil, err
	}
	if summaryFlag != "1" && summaryFlag != "2" {
		return nil, errcode.New(errcode.SummaryRequest, "summaryFlag %q is neither 1 (by consignor) nor 2 (by consignor and producer/seller)", summaryFlag)
	}
	seen := map[string]bool{}
	for k, r := range lists {
		if r.Inventory == nil || r.InvtNo == "" {
			return nil, errcode.New(errcode.SummaryRequest, "list %d has no inventory or no invtNo", k)
		}
		if seen[r.InvtNo] {
			return nil, errcode.New(errcode.SummaryRequest, "invtNo %s is given twice", r.InvtNo)
		}
		seen[r.InvtNo] = true
	}

	type lineKey struct{ gcode, currency, unit, name string }
	type group struct {
		key    GroupKey
		lines  map[lineKey]*SummaryLine
		invts  []string
		gnames map[Member]string
	}
	groups := map[GroupKey]*group{}
	for _, r := range lists {
		h := &r.Inventory.InventoryHead
		if h.StatisticsFlag != "B" || r.ReleasedAt.Before(start) || !r.ReleasedAt.Before(end) {
			continue
		}
		gk := GroupKey{EbcCode: h.EbcCode, Country: h.Country, PortCode: h.PortCode, TrafMode: h.TrafMode}
		if summaryFlag == "2" {
			gk.OwnerCode = h.OwnerCode
		}
		g := groups[gk]
		if g == nil {
			g = &group{key: gk, lines: map[lineKey]*SummaryLine{}, gnames: map[Member]string{}}
			groups[gk] = g
		}
		g.invts = append(g.invts, r.InvtNo)
		for k := range r.Inventory.InventoryList {
			il := &r.Inventory.InventoryList[k]
			if !il.Qty.Valid || !il.TotalPrice.Valid {
				return nil, errcode.New(errcode.SummaryRequest, "inventory %s InventoryList[gnum=%d] has no qty or totalPrice", r.InvtNo, il.Gnum)
			}
			cny, err := ref.ToCNY(il.TotalPrice.Decimal, il.Currency, r.ReleasedAt)
			if err != nil {
				e := errcode.As(err)
				return nil, errcode.New(e.Code, "inventory %s InventoryList[gnum=%d]: %s", r.InvtNo, il.Gnum, e.Message)
			}
			lk := lineKey{gcode: il.Gcode, currency: il.Currency, unit: il.Unit}
			if itemNameFlag == "1" {
				lk.name = originalName(il)
			}
			sl := g.lines[lk]
			if sl == nil {
				sl = &SummaryLine{Gcode: lk.gcode, Currency: lk.currency, Unit: lk.unit, ItemName: lk.name,
					Qty: decimal.Zero, TotalPrice: decimal.Zero, TotalPriceCNY: decimal.Zero}
				g.lines[lk] = sl
			}
			sl.Qty = sl.Qty.Add(il.Qty.Decimal)
			sl.TotalPrice = sl.TotalPrice.Add(il.TotalPrice.Decimal)
			sl.TotalPriceCNY = sl.TotalPriceCNY.Add(cny)
			m := Member{InvtNo: r.InvtNo, LogisticsNo: h.LogisticsNo, Gnum: il.Gnum}
			sl.Members = append(sl.Members, m)
			g.gnames[m] = il.Gname
		}
	}
	if len(groups) == 0 {
		return nil, nil
	}

	byConsignor := map[string]*Summary{}
	for _, g := range groups {
		out := Group{Key: g.key, TotalPriceCNY: decimal.Zero}
		slices.Sort(g.invts)
		out.InvtNos = slices.Compact(g.invts)
		for _, sl := range g.lines {
			slices.SortFunc(sl.Members, func(a, b Member) int {
				return cmp.Or(cmp.Compare(a.InvtNo, b.InvtNo), cmp.Compare(a.Gnum, b.Gnum))
			})
			if itemNameFlag != "1" {
				// The commodity category name: the first member's gname.
				sl.ItemName = g.gnames[sl.Members[0]]
			}
			out.Lines = append(out.Lines, *sl)
			out.TotalPriceCNY = out.TotalPriceCNY.Add(sl.TotalPriceCNY)
		}
		slices.SortFunc(out.Lines, func(a, b SummaryLine) int {
			return cmp.Or(cmp.Compare(a.Gcode, b.Gcode), cmp.Compare(a.Currency, b.Currency),
				cmp.Compare(a.Unit, b.Unit), cmp.Compare(a.ItemName, b.ItemName))
		})
		for k := range out.Lines {
			out.Lines[k].Gseqno = k + 1
		}
		s := byConsignor[g.key.EbcCode]
		if s == nil {
			s = &Summary{Consignor: g.key.EbcCode, Month: month, Due: Due(month)}
			byConsignor[g.key.EbcCode] = s
		}
		s.Groups = append(s.Groups, out)
	}
	out := make([]Summary, 0, len(byConsignor))
	for _, s := range byConsignor {
		slices.SortFunc(s.Groups, func(a, b Group) int { return compareKeys(a.Key, b.Key) })
		out = append(out, *s)
	}
	slices.SortFunc(out, func(a, b Summary) int { return cmp.Compare(a.Consignor, b.Consignor) })
	return out, nil
}

// originalName is the name an itemNameFlag 1 summary uses: the list line's
// itemName (the refund name), else its gname.
func originalName(l *ceb.ExportInventoryList) string {
	if l.ItemName != "" {
		return l.ItemName
	}
	return l.Gname
}

func compareKeys(a, b GroupKey) int {
	return cmp.Or(cmp.Compare(a.EbcCode, b.EbcCode), cmp.Compare(a.OwnerCode, b.OwnerCode),
		cmp.Compare(a.Country, b.Country), cmp.Compare(a.PortCode, b.PortCode), cmp.Compare(a.TrafMode, b.TrafMode))
}

// monthBounds returns the first instant of month in Asia/Shanghai and the
// first instant of the following month.
func monthBounds(month string) (start, end time.Time, err error) {
	start, err = time.ParseInLocation(monthLayout, month, clock.Shanghai)
	if err != nil || start.Format(monthLayout) != month {
		return time.Time{}, time.Time{}, errcode.New(errcode.SummaryRequest, "month %q is not YYYY-MM", month)
	}
	return start, start.AddDate(0, 1, 0), nil
}

// Due returns when the summary declaration of month (YYYY-MM) is due: the
// end of the 15th of the following month in Asia/Shanghai, given as the
// first instant after it (00:00 on the 16th), so that a summary is on time
// while now is before Due. It returns the zero Time for a month that is
// not YYYY-MM.
func Due(month string) time.Time {
	_, end, err := monthBounds(month)
	if err != nil {
		return time.Time{}
	}
	return end.AddDate(0, 0, dueDay)
}

// Overdue reports whether the summary declaration of month is overdue at
// now: now is at or after Due(month). It is false for a month that is not
// YYYY-MM.
func Overdue(month string, now time.Time) bool {
	due := Due(month)
	return !due.IsZero() && !now.Before(due)
}

// MonthOf returns the Asia/Shanghai month (YYYY-MM) of t, the month whose
// summary a list released at t belongs to.
func MonthOf(t time.Time) string { return t.In(clock.Shanghai).Format(monthLayout) }

// Window returns, in their order, the lists released from start to end
// inclusive, the selection of a CEB701 with startTime/endTime. Those times
// have whole seconds (C14), so end covers its whole second. Window does not
// look at statisticsFlag: Summarize leaves the A lists out. A window that
// spans months is summarised per month: Summarize the windowed lists once
// for each MonthOf their release, each month having its own due date.
func Window(start, end time.Time, lists []Released) []Released {
	stop := end.Truncate(time.Second).Add(time.Second)
	var out []Released
	for _, r := range lists {
		if !r.ReleasedAt.Before(start) && r.ReleasedAt.Before(stop) {
			out = append(out, r)
		}
	}
	return out
}
