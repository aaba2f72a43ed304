package review

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/docstore"
	"github.com/cbec/cbec/pkg/inventory"
	"github.com/cbec/cbec/pkg/mask"
	"github.com/cbec/cbec/pkg/quota"
	"github.com/cbec/cbec/pkg/risk"
	"github.com/cbec/cbec/pkg/tax"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/shopspring/decimal"
)

// CaseView is a case as the API and the desk show it: everything an
// officer needs to decide, with every ID number, name and phone masked.
type CaseView struct {
	Key string `json:"key"`
	inventory.ListID
	Status      string    `json:"status"`
	Open        bool      `json:"open"`
	RequestedAt time.Time `json:"requestedAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
	// AgeMinutes is how long the case has waited since the review request.
	AgeMinutes int      `json:"ageMinutes"`
	Claim      *Claim   `json:"claim,omitempty"`
	Pending    *Pending `json:"pending,omitempty"`
	// Hits are the rules that fired, with the officer-readable reason.
	Hits    []risk.Hit        `json:"hits"`
	Tax     *tax.Assessment   `json:"tax,omitempty"`
	History []inventory.Event `json:"history"`
	Notes   []Note            `json:"notes"`
	Audit   []AuditEntry      `json:"audit"`
	// Documents compares the order, payment, waybill and inventory list
	// field by field; nil in lists.
	Documents *Documents `json:"documents,omitempty"`
	Quota     *QuotaView `json:"quota,omitempty"`
}

// Documents is the four documents side by side.
type Documents struct {
	// Present tells which documents were found: order, payment, waybill,
	// inventory.
	Present map[string]bool `json:"present"`
	Fields  []FieldRow      `json:"fields"`
	Lines   []LineRow       `json:"lines"`
}

// Document names, the columns of the comparison.
var docNames = []string{"order", "payment", "waybill", "inventory"}

// FieldRow is one field across the documents (masked where personal).
type FieldRow struct {
	Field  string            `json:"field"`
	Values map[string]string `json:"values"`
	// Differ is set when two documents give different values; it is judged
	// on the full values, so two masked ID numbers that look alike but
	// differ are still flagged.
	Differ bool `json:"differ,omitempty"`
}

// LineRow is one goods line of the order and the list, with its tax.
type LineRow struct {
	Gnum          int             `json:"gnum"`
	Gcode         string          `json:"gcode"`
	Gname         string          `json:"gname"`
	ItemName      string          `json:"itemName"`
	Unit          string          `json:"unit"`
	OrderQty      string          `json:"orderQty"`
	ListQty       string          `json:"listQty"`
	OrderPrice    string          `json:"orderPrice"`
	ListPrice     string          `json:"listPrice"`
	OrderTotal    string          `json:"orderTotal"`
	ListTotal     string          `json:"listTotal"`
	DutiableValue decimal.Decimal `json:"dutiableValue"`
	Tax           decimal.Decimal `json:"tax"`
	Differ        bool            `json:"differ,omitempty"`
}

// QuotaView is the buyer's annual quota: the ID number masked, never in
// full.
type QuotaView struct {
	BuyerID string          `json:"buyerId"`
	Year    int             `json:"year"`
	Used    decimal.Decimal `json:"used"`
	Annual  decimal.Decimal `json:"annual"`
	// ThisList is what this list counted in the quota (zero if given back).
	ThisList decimal.Decimal `json:"thisList"`
	Percent  int             `json:"percent"`
}

// summary is the case as a list shows it.
func (r *Review) summary(c *Case, now time.Time) CaseView {
	v := CaseView{
		Key: c.Key, ListID: c.ListID, Status: c.Status, Open: c.Open(),
		RequestedAt: c.RequestedAt, UpdatedAt: c.UpdatedAt, Claim: c.ActiveClaim(now), Pending: c.Pending,
		Hits: withChinese(c.State.Hits, r.env.CurrentRules().Risk), Tax: c.State.Tax, History: c.State.History, Notes: c.Notes, Audit: c.Audit,
	}
	v.AgeMinutes = int(now.Sub(c.RequestedAt) / time.Minute)
	if v.Hits == nil {
		v.Hits = []risk.Hit{}
	}
	if v.Notes == nil {
		v.Notes = []Note{}
	}
	if v.Audit == nil {
		v.Audit = []AuditEntry{}
	}
	return v
}

// withChinese gives hits recorded before the rules were bilingual the
// Chinese text of the rule they came from, when that rule still says the
// same thing in English; a rule whose text changed since keeps the hit in
// English, the words it was flagged with. The case itself is not changed.
func withChinese(hits []risk.Hit, rules *risk.Engine) []risk.Hit {
	var out []risk.Hit
	for i, h := range hits {
		if h.DescriptionZh != "" {
			continue
		}
		for _, s := range rules.Rules() {
			if s.ID == h.RuleID && s.Description.En == h.Description {
				if out == nil {
					out = slices.Clone(hits)
				}
				out[i].DescriptionZh = s.Description.Zh
			}
		}
	}
	if out == nil {
		return hits
	}
	return out
}

// detail is the case with its documents and the buyer's quota.
func (r *Review) detail(ctx context.Context, c *Case) (CaseView, error) {
	now := r.env.Clock.Now()
	v := r.summary(c, now)
	docs, err := r.documents(ctx, c)
	if err != nil {
		return v, err
	}
	v.Documents = docs.view(c.State.Tax)
	v.Quota, err = r.quota(ctx, c, docs.inventory, now)
	return v, err
}

// docSet is the four documents of a list, any of which may be missing.
type docSet struct {
	order     *ceb.Order
	payment   *ceb.Payment
	waybill   *ceb.Logistics
	inventory *ceb.Inventory
}

// documents loads the current versions of the four documents from CEB_IN.
func (r *Review) documents(ctx context.Context, c *Case) (docSet, error) {
	var ds docSet
	get := func(key string, doc any) (bool, error) {
		e, ok, err := r.docs.Get(ctx, key)
		if err != nil || !ok {
			return false, err
		}
		return true, broker.Decode(e.Doc, doc)
	}
	o, i := &ceb.Order{}, &ceb.Inventory{}
	if ok, err := get(docstore.KeyOf(ceb.CEB311, c.EbpCode, c.OrderNo), o); err != nil {
		return ds, err
	} else if ok {
		ds.order = o
	}
	if ok, err := get(docstore.KeyOf(ceb.CEB621, c.EbpCode, c.OrderNo), i); err != nil {
		return ds, err
	} else if ok {
		ds.inventory = i
	}
	// The payment is keyed by its own number; clearance indexes it by order.
	kve, err := r.inv.Get(ctx, docstore.PaymentIndexKey(c.EbpCode, c.OrderNo))
	switch {
	case errors.Is(err, jetstream.ErrKeyNotFound):
	case err != nil:
		return ds, err
	default:
		p := &ceb.Payment{}
		if ok, err := get(string(kve.Value()), p); err != nil {
			return ds, err
		} else if ok {
			ds.payment = p
		}
	}
	lc, ln := c.State.LogisticsCode, c.State.LogisticsNo
	if lc == "" && ds.inventory != nil {
		lc, ln = ds.inventory.InventoryHead.LogisticsCode, ds.inventory.InventoryHead.LogisticsNo
	}
	if lc != "" {
		l := &ceb.Logistics{}
		if ok, err := get(docstore.KeyOf(ceb.CEB511, lc, ln), l); err != nil {
			return ds, err
		} else if ok {
			ds.waybill = l
		}
	}
	return ds, nil
}

// cell is one document's value of a field: raw for comparison, shown for
// display (masked when personal).
type cell struct{ raw, shown string }

func plain(s string) cell { return cell{s, s} }

func amount(a ceb.Amount) cell {
	if !a.Valid {
		return cell{}
	}
	return cell{a.Decimal.String(), a.String()}
}

func masked(s string, f func(string) string) cell {
	if s == "" {
		return cell{}
	}
	return cell{s, f(s)}
}

// view builds the side-by-side comparison.
func (ds docSet) view(assessment *tax.Assessment) *Documents {
	d := &Documents{Present: map[string]bool{
		"order": ds.order != nil, "payment": ds.payment != nil, "waybill": ds.waybill != nil, "inventory": ds.inventory != nil,
	}}
	var o ceb.OrderHead
	var p ceb.PaymentHead
	var l ceb.LogisticsHead
	var i ceb.InventoryHead
	if ds.order != nil {
		o = ds.order.OrderHead
	}
	if ds.payment != nil {
		p = ds.payment.PaymentHead
	}
	if ds.waybill != nil {
		l = ds.waybill.LogisticsHead
	}
	if ds.inventory != nil {
		i = ds.inventory.InventoryHead
	}
	var listGoods ceb.Amount
	if ds.inventory != nil {
		sum := decimal.Zero
		for _, ln := range ds.inventory.InventoryList {
			sum = sum.Add(ln.TotalPrice.Decimal)
		}
		listGoods = ceb.NewAmount(sum)
	}
	none := cell{}
	rows := []struct {
		field string
		cells [4]cell
	}{
		{"orderNo", [4]cell{plain(o.OrderNo), plain(p.OrderNo), plain(l.OrderNo), plain(i.OrderNo)}},
		{"ebpCode", [4]cell{plain(o.EbpCode), plain(p.EbpCode), none, plain(i.EbpCode)}},
		{"ebcCode", [4]cell{plain(o.EbcCode), none, none, plain(i.EbcCode)}},
		{"buyerName", [4]cell{masked(o.BuyerName, mask.Name), masked(p.PayerName, mask.Name), none, masked(i.BuyerName, mask.Name)}},
		{"buyerIdNumber", [4]cell{masked(o.BuyerIdNumber, mask.ID), masked(p.PayerIdNumber, mask.ID), none, masked(i.BuyerIdNumber, mask.ID)}},
		{"buyerTelephone", [4]cell{masked(o.BuyerTelephone, mask.Phone), masked(p.Telephone, mask.Phone), none, masked(i.BuyerTelephone, mask.Phone)}},
		{"consignee", [4]cell{masked(o.Consignee, mask.Name), none, masked(l.Consignee, mask.Name), none}},
		{"consigneeTelephone", [4]cell{masked(o.ConsigneeTelephone, mask.Phone), none, masked(l.ConsigneeTelephone, mask.Phone), none}},
		{"consigneeAddress", [4]cell{plain(o.ConsigneeAddress), none, plain(l.ConsigneeAddress), plain(i.ConsigneeAddress)}},
		{"payCode", [4]cell{plain(o.PayCode), plain(p.PayCode), none, none}},
		{"payTransactionId", [4]cell{plain(o.PayTransactionId), plain(p.PayTransactionId), none, none}},
		{"goodsValue", [4]cell{amount(o.GoodsValue), none, none, amount(listGoods)}},
		{"freight", [4]cell{amount(o.Freight), none, amount(l.Freight), amount(i.Freight)}},
		{"insuredFee", [4]cell{none, none, amount(l.InsuredFee), amount(i.InsuredFee)}},
		{"discount", [4]cell{amount(o.Discount), none, none, none}},
		{"taxTotal", [4]cell{amount(o.TaxTotal), none, none, none}},
		{"paid", [4]cell{amount(o.ActuralPaid), amount(p.AmountPaid), none, none}},
		{"payTime", [4]cell{none, plain(p.PayTime), none, none}},
		{"logisticsCode", [4]cell{none, none, plain(l.LogisticsCode), plain(i.LogisticsCode)}},
		{"logisticsNo", [4]cell{none, none, plain(l.LogisticsNo), plain(i.LogisticsNo)}},
		{"grossWeight", [4]cell{none, none, amount(l.Weight), amount(i.GrossWeight)}},
		{"netWeight", [4]cell{none, none, none, amount(i.NetWeight)}},
		{"tradeMode", [4]cell{none, none, none, plain(i.TradeMode)}},
		{"customsCode", [4]cell{none, none, none, plain(i.CustomsCode)}},
		{"declTime", [4]cell{none, none, none, plain(i.DeclTime)}},
	}
	for _, row := range rows {
		fr := FieldRow{Field: row.field, Values: map[string]string{}}
		var seen []string
		for k, c := range row.cells {
			if c.raw == "" {
				continue
			}
			fr.Values[docNames[k]] = c.shown
			if len(seen) > 0 && !slices.Contains(seen, c.raw) {
				fr.Differ = true
			}
			seen = append(seen, c.raw)
		}
		d.Fields = append(d.Fields, fr)
	}
	d.Lines = ds.lines(assessment)
	return d
}

// lines joins the order's and the list's lines by gnum, with their tax.
func (ds docSet) lines(a *tax.Assessment) []LineRow {
	byGnum := map[int]*LineRow{}
	var order []int
	row := func(g int) *LineRow {
		if r, ok := byGnum[g]; ok {
			return r
		}
		r := &LineRow{Gnum: g}
		byGnum[g] = r
		order = append(order, g)
		return r
	}
	if ds.inventory != nil {
		for _, ln := range ds.inventory.InventoryList {
			r := row(ln.Gnum)
			r.Gcode, r.Gname, r.Unit = ln.Gcode, ln.Gname, ln.Unit
			r.ListQty, r.ListPrice, r.ListTotal = ln.Qty.String(), ln.Price.String(), ln.TotalPrice.String()
		}
	}
	if ds.order != nil {
		for _, ln := range ds.order.OrderList {
			r := row(ln.Gnum)
			r.ItemName = ln.ItemName
			if r.Unit == "" {
				r.Unit = ln.Unit
			}
			r.OrderQty, r.OrderPrice, r.OrderTotal = ln.Qty.String(), ln.Price.String(), ln.TotalPrice.String()
		}
	}
	if a != nil {
		for _, lt := range a.Lines {
			r := row(lt.Gnum)
			r.DutiableValue, r.Tax = lt.DutiableValue, lt.Total
		}
	}
	slices.Sort(order)
	out := make([]LineRow, 0, len(order))
	for _, g := range order {
		r := byGnum[g]
		r.Differ = r.OrderQty != r.ListQty || r.OrderPrice != r.ListPrice || r.OrderTotal != r.ListTotal
		out = append(out, *r)
	}
	return out
}

// quota reads the buyer's use of the annual quota this year.
func (r *Review) quota(ctx context.Context, c *Case, inv *ceb.Inventory, now time.Time) (*QuotaView, error) {
	if c.State.Buyer == "" {
		return nil, nil
	}
	q := &QuotaView{Year: quota.Year(now)}
	if inv != nil {
		q.BuyerID = mask.ID(strings.TrimSpace(inv.InventoryHead.BuyerIdNumber))
	}
	used, err := r.ledger.Used(ctx, c.State.Buyer, q.Year)
	if err != nil {
		return nil, err
	}
	q.Used = used
	if row, err := r.env.CurrentRules().Limits.At(now); err == nil {
		q.Annual = row.Annual
		if row.Annual.IsPositive() {
			q.Percent = int(used.Mul(decimal.NewFromInt(100)).Div(row.Annual).IntPart())
		}
	}
	if ct := c.State.Counted; ct != nil && !ct.GivenBack {
		q.ThisList = ct.Amount
	}
	return q, nil
}
