package inventory

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/clock"
	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/identity"
	"github.com/cbec/cbec/pkg/limit"
	"github.com/cbec/cbec/pkg/match"
	"github.com/cbec/cbec/pkg/quota"
	"github.com/cbec/cbec/pkg/risk"
	"github.com/cbec/cbec/pkg/rules"
	"github.com/cbec/cbec/pkg/tariff"
	"github.com/cbec/cbec/pkg/tax"
	"github.com/shopspring/decimal"
)

// Input is everything Decide needs about one complete declaration.
type Input struct {
	// Docs are the order, payment, waybill and inventory list.
	Docs   match.Documents
	Tariff *tariff.Table
	Rules  *rules.Set
	// Ledger is the buyer's quota row for the current year (never nil).
	Ledger *quota.Ledger
	// ListKey names the list in the ledger.
	ListKey string
	// BuyersAtAddress is how many distinct buyers used the consignee
	// address today, this one included.
	BuyersAtAddress int
	Now             time.Time
}

// Count is what an accepted list counts in the buyer's quota.
type Count struct {
	Amount decimal.Decimal
	// Qty per tariff line (hs_code) with an annual quantity limit.
	Qty map[string]decimal.Decimal
}

// Outcome is customs' decision on a complete declaration.
type Outcome struct {
	// Status is StatusRejected, StatusReview or StatusReleased. A list that
	// is not rejected passes 120 first (and 399 before 800).
	Status string
	// Errors explain a rejection; the first one's code leads the receipt.
	Errors []*errcode.Error
	Tax    *tax.Assessment
	Hits   []risk.Hit
	// Count is what to count in the quota (nil when rejected).
	Count *Count
}

// Info is the receipt text of a rejection: each error as "code: message",
// separated by "; ", within the 1000 characters of returnInfo.
func (o Outcome) Info() string {
	parts := make([]string, len(o.Errors))
	for i, e := range o.Errors {
		parts[i] = string(e.Code) + ": " + e.Message
	}
	return Truncate(strings.Join(parts, "; "), 1000)
}

// Code is the code of the first error, or "".
func (o Outcome) Code() errcode.Code {
	if len(o.Errors) == 0 {
		return ""
	}
	return o.Errors[0].Code
}

// Truncate cuts s to at most n characters.
func Truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func reject(errs ...*errcode.Error) Outcome { return Outcome{Status: StatusRejected, Errors: errs} }

// Decide applies the retail import rules to a complete declaration, in the
// order customs does: the list's own fields, the three-document match,
// the buyer's identity, the positive list, the limits and the annual quota,
// the tax, then the risk rules.
func Decide(in Input) Outcome {
	inv := in.Docs.Inventory
	h := inv.InventoryHead
	var errs []*errcode.Error
	if h.PreNo != "" {
		errs = append(errs, errcode.New(errcode.InventoryValidation, "preNo %q: only E-Port assigns the pre-entry number; leave it empty", h.PreNo))
	}
	errs = append(errs, match.Check(in.Docs)...)
	if err := identity.Check(h.BuyerIdNumber, in.Now); err != nil {
		errs = append(errs, errcode.As(err))
	}
	declDate := declarationDate(h.DeclTime, in.Now)

	taxLines := make([]tax.Line, 0, len(inv.InventoryList))
	qty := map[string]decimal.Decimal{}
	limits := map[string]tariff.Line{}
	riskLines := make([]risk.Line, 0, len(inv.InventoryList))
	totalQty := decimal.Zero
	for _, l := range inv.InventoryList {
		tl, err := in.Tariff.Lookup(l.Gcode, h.TradeMode, declDate)
		if err != nil {
			errs = append(errs, errcode.As(err))
			continue
		}
		taxLines = append(taxLines, tax.Line{Gnum: l.Gnum, Gcode: l.Gcode, TotalPrice: l.TotalPrice.Decimal,
			Rates: tax.Rates{Duty: tl.Duty, VAT: tl.VAT, Consumption: tl.Consumption}})
		totalQty = totalQty.Add(l.Qty.Decimal)
		ref := int64(0)
		if tl.ReferencePrice.Valid {
			ref = risk.Fen(tl.ReferencePrice.Decimal)
		}
		riskLines = append(riskLines, risk.Line{Gnum: l.Gnum, Gcode: l.Gcode, Gname: l.Gname, Unit: l.Unit,
			QtyMilli: risk.Milli(l.Qty.Decimal), UnitPriceFen: risk.Fen(l.Price.Decimal),
			TotalPriceFen: risk.Fen(l.TotalPrice.Decimal), ReferencePriceFen: ref})
		if !tl.AnnualQtyLimit.Valid {
			continue
		}
		q, ok := measure(l, tl.QtyUnit)
		if !ok {
			errs = append(errs, errcode.New(errcode.AnnualQuantity,
				"gnum %d: %s has an annual limit in unit %s, but the line is declared in units %s/%s", l.Gnum, l.Gcode, tl.QtyUnit, l.Unit, l.Unit1))
			continue
		}
		qty[tl.HSCode] = qty[tl.HSCode].Add(q)
		limits[tl.HSCode] = *tl
	}
	if len(errs) > 0 {
		return reject(errs...)
	}
	for hs, q := range qty {
		tl := limits[hs]
		used := in.Ledger.UsedQty(hs, in.ListKey)
		if used.Add(q).GreaterThan(tl.AnnualQtyLimit.Decimal) {
			errs = append(errs, errcode.New(errcode.AnnualQuantity,
				"%s (%s): %s + %s exceeds the annual limit %s per person (unit %s)", hs, tl.Name, used, q, tl.AnnualQtyLimit.Decimal, tl.QtyUnit))
		}
	}
	if len(errs) > 0 {
		return reject(errs...)
	}

	freight, insured := h.Freight.Decimal, h.InsuredFee.Decimal
	p := tax.DutiableValue(taxLines, freight, insured)
	row, err := in.Rules.Limits.At(declDate)
	if err != nil {
		return reject(errcode.New(errcode.InventoryValidation, "no transaction limits in force on %s: %v", declDate.Format("2006-01-02"), err))
	}
	used := in.Ledger.Used(in.ListKey)
	singleUnit := len(inv.InventoryList) == 1 && inv.InventoryList[0].Qty.Decimal.Equal(decimal.NewFromInt(1))
	d := limit.Check(row, p, used, len(inv.InventoryList), singleUnit)
	if !d.Accept {
		return reject(errcode.New(d.Code, "%s", d.Message))
	}
	regime := tax.CBEC
	if d.General {
		regime = tax.General
	}
	a := tax.Assess(taxLines, freight, insured, regime)

	facts := risk.Facts{
		Decl: risk.Decl{
			TradeMode: h.TradeMode, EbpCode: h.EbpCode, EbcCode: h.EbcCode, AgentCode: h.AgentCode,
			CustomsCode: h.CustomsCode, ConsigneeAddress: h.ConsigneeAddress, ValueFen: risk.Fen(p),
			GrossWeightGrams: risk.Milli(h.GrossWeight.Decimal), NetWeightGrams: risk.Milli(h.NetWeight.Decimal),
			LineCount: len(inv.InventoryList), TotalQtyMilli: risk.Milli(totalQty),
		},
		Lines: riskLines,
		Buyer: risk.Buyer{
			Declarations24h:      in.Ledger.Recent(in.Now, 24*time.Hour, in.ListKey),
			ValueYearFen:         risk.Fen(used),
			BuyersAtAddressToday: in.BuyersAtAddress,
		},
		Limit: risk.Limit{SingleFen: risk.Fen(row.Single), AnnualFen: risk.Fen(row.Annual)},
	}
	hits, err := in.Rules.Risk.Evaluate(facts)
	if err != nil {
		// A rule that cannot be evaluated is a reason for an officer to
		// look, never a reason to release unseen.
		hits = append(hits, risk.EvalFailed(err))
	}
	out := Outcome{Status: StatusReleased, Tax: &a, Hits: hits, Count: &Count{Amount: p, Qty: qty}}
	var rejected []string
	for _, hit := range hits {
		switch hit.Action {
		case risk.Reject:
			rejected = append(rejected, hit.RuleID+" "+hit.Description)
		case risk.Review:
			out.Status = StatusReview
		}
	}
	if len(rejected) > 0 {
		o := reject(errcode.New(errcode.RiskRejected, "risk rule(s) %s", strings.Join(rejected, "; ")))
		o.Hits, o.Tax = hits, &a
		return o
	}
	return out
}

// measure returns the line's quantity in unit: the legal quantity when its
// unit matches, else the transaction quantity.
func measure(l ceb.InventoryList, unit string) (decimal.Decimal, bool) {
	switch unit {
	case l.Unit1:
		return l.Qty1.Decimal, true
	case l.Unit:
		return l.Qty.Decimal, true
	}
	return decimal.Zero, false
}

// declarationDate is the list's declTime (YYYYMMDD, Asia/Shanghai), which
// selects the positive-list edition and the limits in force; now if absent.
func declarationDate(declTime string, now time.Time) time.Time {
	t, err := time.ParseInLocation("20060102", declTime, clock.Shanghai)
	if err != nil {
		return now
	}
	return t
}
