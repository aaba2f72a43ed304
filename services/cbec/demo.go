package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cbec/cbec/deploy"
	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/ceb/cebtest"
	"github.com/cbec/cbec/pkg/clock"
	exportrule "github.com/cbec/cbec/pkg/export"
	"github.com/cbec/cbec/pkg/identity"
	"github.com/cbec/cbec/pkg/inventory"
	"github.com/cbec/cbec/pkg/mask"
	"github.com/cbec/cbec/pkg/match"
	"github.com/cbec/cbec/pkg/party"
	"github.com/cbec/cbec/pkg/quota"
	"github.com/cbec/cbec/pkg/refund"
	"github.com/cbec/cbec/pkg/rules"
	"github.com/cbec/cbec/pkg/tariff"
)

// The kinds of declaration `cbec demo` writes.
const (
	DemoImport = "import" // order, payment, waybill and 1210 inventory list
	DemoExport = "export" // 9610 order, receipt of payment, waybill, list, arrival, departure
	DemoReturn = "return" // the CEB625 return of the import the same flags describe
)

// The demo parcel's packaging, added to the goods' net weight: an import
// parcel of formula cans weighs half a kilogram more than its contents; the
// export goods weigh 0.1 kg a piece, packed with 0.15 kg (the cebtest
// fixtures' weights).
var (
	importPackaging = decimal.RequireFromString("0.5")
	exportPieceKg   = decimal.RequireFromString("0.1")
	exportPackaging = decimal.RequireFromString("0.15")
)

// DemoConfig is the configuration of `cbec demo`: what to generate and the
// values the user chose; every other number is computed from them.
type DemoConfig struct {
	// Kind is DemoImport, DemoExport or DemoReturn.
	Kind string
	// Out is the directory the files are written to; "" prints them.
	Out string
	// OrderNo names the declaration; every other number of it (guids,
	// payment serial, waybill number) derives from it.
	OrderNo string
	// Date is when the documents are dated (application, payment,
	// declaration), Asia/Shanghai on the documents.
	Date time.Time
	// BuyerID is the buyer's GB 11643 ID number: 18 characters, or its
	// first 17 digits to have the check character computed.
	BuyerID, BuyerName, BuyerPhone string
	// Prices and Qtys are the goods lines' unit prices and quantities, by
	// line (at most the fixture's two lines; fewer drop the others).
	Prices, Qtys []decimal.Decimal
	// Freight, InsuredFee and Discount are the head amounts (Discount is
	// import only).
	Freight, InsuredFee, Discount decimal.Decimal
	// Platform, Enterprise, Pay, Logistics and Agent are the parties'
	// customs codes (ebpCode, ebcCode, payCode, logisticsCode, agentCode).
	Platform, Enterprise, Pay, Logistics, Agent string
	// InvtNo is the released list's customs number (return only); Returned
	// the returned quantity by gnum, every line in full when empty.
	InvtNo   string
	Returned map[int]decimal.Decimal
	// Tariff, Rules and Export are reference files as clearance and export
	// take them ("" for the embedded ones).
	Tariff, Rules, Export string
}

// ParseDemoConfig reads the flags of `cbec demo`; now is the default date.
func ParseDemoConfig(args []string, now time.Time, stderr io.Writer) (DemoConfig, error) {
	c := DemoConfig{Date: now}
	fs := flag.NewFlagSet("cbec demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.Kind, "kind", DemoImport, "what to write: import (order, payment, waybill, inventory list), export (9610, to the departure) or return (CEB625 of the import these flags describe)")
	fs.StringVar(&c.Out, "out", "", "directory to write the JSON files to (created); without it they are printed as one JSON object")
	fs.StringVar(&c.OrderNo, "order-no", "", "order number, a new one per declaration (default DEMO-<date and time>)")
	fs.Func("date", "date of the documents, RFC 3339 (default now)", func(s string) error {
		t, err := time.Parse(time.RFC3339, s)
		c.Date = t
		return err
	})
	fs.StringVar(&c.BuyerID, "buyer-id", cebtest.BuyerIDNumber, "buyer's ID number: 18 characters, or the first 17 digits and the check character is computed")
	fs.StringVar(&c.BuyerName, "buyer-name", cebtest.BuyerName, "buyer's name (also payer and consignee)")
	fs.StringVar(&c.BuyerPhone, "buyer-phone", cebtest.BuyerTelephone, "buyer's telephone")
	fs.Func("price", "unit prices of the goods lines, comma-separated (default the demo's 198.00,168.00 CNY; export 25.00,5.00 USD)", decimalsFlag(&c.Prices))
	fs.Func("qty", "quantities of the goods lines, comma-separated (default 2,1; export 2,3)", decimalsFlag(&c.Qtys))
	c.Freight, c.InsuredFee, c.Discount = decimal.RequireFromString(cebtest.Freight), decimal.Zero, decimal.Zero
	fs.Func("freight", "freight (default 10.00; export 8.00)", decimalFlag(&c.Freight))
	fs.Func("insured-fee", "insurance (default 0)", decimalFlag(&c.InsuredFee))
	fs.Func("discount", "discount the platform grants (import, default 0)", decimalFlag(&c.Discount))
	fs.StringVar(&c.Platform, "platform", cebtest.EbpCode, "e-commerce platform's code (ebpCode)")
	fs.StringVar(&c.Enterprise, "enterprise", cebtest.EbcCode, "e-commerce enterprise's code (ebcCode; the consignor of an export)")
	fs.StringVar(&c.Pay, "pay", cebtest.PayCode, "payment company's code (payCode)")
	fs.StringVar(&c.Logistics, "logistics", cebtest.LogisticsCode, "logistics company's code (logisticsCode)")
	fs.StringVar(&c.Agent, "agent", cebtest.AgentCode, "declaring agent's code (agentCode)")
	fs.StringVar(&c.InvtNo, "invt-no", "", "return: the released list's customs number (invtNo of its CEB622 120 receipt)")
	fs.Func("return", "return: returned quantities as gnum:qty, comma-separated (default every line in full)", returnedFlag(&c.Returned))
	fs.StringVar(&c.Tariff, "tariff", "", "tariff CSV clearance runs with (default the embedded deploy/tariff.csv)")
	fs.StringVar(&c.Rules, "rules", "", "rules YAML clearance runs with (default the embedded deploy/rules.yaml)")
	fs.StringVar(&c.Export, "export", "", "export reference data export runs with (default the embedded deploy/export.yaml)")
	fs.Usage = func() {
		_, _ = fmt.Fprint(fs.Output(), `usage: cbec demo [--kind import|export|return] [--out DIR] [flags]

Writes a fresh, consistent declaration: change one value and every number
that depends on it (line totals, goods value, the tax, what was paid, the
check character of the buyer's ID, weights, dates) is computed again with
the code clearance and export decide with. It says what customs will
decide and how to post the files with the demo keys.

`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	switch c.Kind {
	case DemoImport, DemoReturn:
	case DemoExport:
		// The export fixture's own default freight (USD) unless chosen.
		if !flagSet(fs, "freight") {
			c.Freight = decimal.RequireFromString(cebtest.ExportFreight)
		}
	default:
		return c, fmt.Errorf("--kind %q: want import, export or return", c.Kind)
	}
	if c.Kind == DemoReturn && c.InvtNo == "" {
		return c, errors.New("--kind return needs --invt-no, the list's customs number (invtNo of its 120 receipt)")
	}
	if c.OrderNo == "" {
		c.OrderNo = "DEMO-" + c.Date.In(clock.Shanghai).Format("20060102150405")
	}
	return c, nil
}

func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func decimalFlag(d *decimal.Decimal) func(string) error {
	return func(s string) error {
		v, err := decimal.NewFromString(s)
		if err != nil || v.IsNegative() {
			return fmt.Errorf("%q is not an amount", s)
		}
		*d = v
		return nil
	}
}

func decimalsFlag(ds *[]decimal.Decimal) func(string) error {
	return func(s string) error {
		*ds = nil
		for _, part := range strings.Split(s, ",") {
			var v decimal.Decimal
			if err := decimalFlag(&v)(strings.TrimSpace(part)); err != nil {
				return err
			}
			*ds = append(*ds, v)
		}
		return nil
	}
}

func returnedFlag(m *map[int]decimal.Decimal) func(string) error {
	return func(s string) error {
		*m = map[int]decimal.Decimal{}
		for _, part := range strings.Split(s, ",") {
			g, q, ok := strings.Cut(strings.TrimSpace(part), ":")
			n, err := strconv.Atoi(g)
			var qty decimal.Decimal
			if !ok || err != nil || decimalFlag(&qty)(q) != nil {
				return fmt.Errorf("%q: want gnum:qty", part)
			}
			(*m)[n] = qty
		}
		return nil
	}
}

// RunDemo is `cbec demo`: it writes (or prints) a fresh consistent
// declaration and reports what customs will decide.
func RunDemo(_ context.Context, args []string, stdout, stderr io.Writer) error {
	c, err := ParseDemoConfig(args, clock.System{}.Now(), stderr)
	if err != nil {
		return err
	}
	d, err := GenerateDemo(c)
	if err != nil {
		return err
	}
	report := stdout
	if c.Out == "" {
		// stdout carries the documents alone, so that it can be piped.
		report = stderr
		body := map[string]any{}
		for _, f := range d.Files {
			body[f.Name] = f.Doc
		}
		b, err := json.MarshalIndent(body, "", "  ")
		if err != nil {
			return err
		}
		if _, err := stdout.Write(append(b, '\n')); err != nil {
			return err
		}
	} else if err := d.write(c.Out); err != nil {
		return err
	}
	_, err = io.WriteString(report, d.report(c))
	return err
}

// DemoFile is one generated document and the request that submits it.
type DemoFile struct {
	// Name is the file name, e.g. order.json.
	Name string
	Doc  ceb.Document
	// Path is the API path it is posted to; Sender the party code whose
	// key posts it.
	Path, Sender string
}

// Demo is a generated declaration: its files and what customs will make of
// them.
type Demo struct {
	Files []DemoFile
	// Lines says what was computed and what customs will decide, one
	// statement a line.
	Lines []string
	// Decision is the status customs will give: for an import list 800,
	// 300 or 100; for an export list 120 (then 800 and 899 on arrival and
	// departure) or 100; for a return application 120 or 100.
	Decision string
}

// demoRefs are the reference data clearance and export decide with.
type demoRefs struct {
	tariff  *tariff.Table
	rules   *rules.Set
	export  *exportrule.Reference
	parties *party.Directory
}

func loadDemoRefs(c DemoConfig) (demoRefs, error) {
	var r demoRefs
	var err error
	if r.tariff, err = loadTariff(c.Tariff); err != nil {
		return r, err
	}
	if r.rules, err = loadRules(c.Rules); err != nil {
		return r, err
	}
	if r.export, err = loadExport(c.Export); err != nil {
		return r, err
	}
	r.parties, err = party.Load(bytes.NewReader(deploy.Parties))
	return r, err
}

// GenerateDemo builds the declaration c describes and checks it with the
// rules customs applies: inventory.Decide for an import (with the buyer's
// quota empty: the real ledger may hold earlier purchases), export.Check
// for an export, refund.CheckLines and refund.Restore for a return.
func GenerateDemo(c DemoConfig) (*Demo, error) {
	refs, err := loadDemoRefs(c)
	if err != nil {
		return nil, err
	}
	var d *Demo
	switch c.Kind {
	case DemoExport:
		d, err = demoExport(c, refs)
	case DemoReturn:
		d, err = demoReturn(c, refs)
	default:
		d, err = demoImport(c, refs)
	}
	if err != nil {
		return nil, err
	}
	// What the gateway would refuse is the user's value, not a decision.
	var problems []string
	for _, f := range d.Files {
		for _, e := range ceb.ValidateDocument(f.Doc, f.Name) {
			problems = append(problems, e.Error())
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("the gateway would refuse these documents: %s", strings.Join(problems, "; "))
	}
	return d, nil
}

// name returns the name of the party code: the fixture's own name
// when the code is the fixture's, else the parties file's.
func (r demoRefs) name(code, fixtureCode, fixtureName string) string {
	if code == fixtureCode {
		return fixtureName
	}
	if p, ok := r.parties.ByCode(code); ok && p.Name != "" {
		return p.Name
	}
	return "示例企业 " + code
}

// buyerID returns the buyer's ID number: 17 digits get the check character
// identity.Check accepts, 18 characters are checked with it.
func buyerID(id string, now time.Time) (string, error) {
	id = identity.Normalize(id)
	if len(id) == identity.Length-1 {
		// The one check character identity.Check accepts is the right one:
		// clearance's own computation, not a copy of it.
		for _, c := range "0123456789X" {
			if identity.Check(id+string(c), now) == nil {
				return id + string(c), nil
			}
		}
	}
	if err := identity.Check(id, now); err != nil {
		return "", fmt.Errorf("--buyer-id: %w", err)
	}
	return id, nil
}

// goodsLine is one goods line: its unit price, quantity, their total, the
// legal quantity (qty1) and the item's name.
type goodsLine struct {
	Price, Qty, TotalPrice, Qty1 ceb.Amount
	Item                         string
}

// chooseLines returns the goods lines c asks for: the first n of the
// fixture's (n the longest of the prices and quantities given, all of them
// when none), with the prices and quantities given, each total their
// product and each legal quantity the fixture's per unit times the new
// quantity.
func chooseLines(c DemoConfig, fixture []goodsLine) ([]goodsLine, error) {
	n := max(len(c.Prices), len(c.Qtys))
	if n == 0 {
		n = len(fixture)
	}
	if n > len(fixture) {
		return nil, fmt.Errorf("--price/--qty: at most %d goods lines", len(fixture))
	}
	pick := func(vs []decimal.Decimal, k int, fixture ceb.Amount) decimal.Decimal {
		if k < len(vs) {
			return vs[k]
		}
		return fixture.Decimal
	}
	out := make([]goodsLine, n)
	for k, f := range fixture[:n] {
		p, q := pick(c.Prices, k, f.Price), pick(c.Qtys, k, f.Qty)
		perUnit := f.Qty1.Decimal.Div(f.Qty.Decimal)
		out[k] = goodsLine{Price: money(p), Qty: ceb.NewAmount(q), TotalPrice: money(p.Mul(q)),
			Qty1: quantity(perUnit.Mul(q)), Item: f.Item}
	}
	return out, nil
}

// totals returns the lines' Σ totalPrice, Σ qty, Σ qty1 and the goodsInfo
// of a waybill ("item*qty,…").
func totals(lines []goodsLine) (value, qty, qty1 decimal.Decimal, info string) {
	var items []string
	for _, g := range lines {
		value, qty, qty1 = value.Add(g.TotalPrice.Decimal), qty.Add(g.Qty.Decimal), qty1.Add(g.Qty1.Decimal)
		items = append(items, g.Item+"*"+g.Qty.String())
	}
	return value, qty, qty1, strings.Join(items, ",")
}

// quantity is q as CEB writes it: at most the five decimals of N19,5,
// without the trailing zeros a division leaves (0.9, not 0.9000000000000000).
func quantity(q decimal.Decimal) ceb.Amount {
	return ceb.NewAmount(decimal.RequireFromString(q.Round(5).String()))
}

// money is an amount written with at least two decimals; it never rounds.
func money(d decimal.Decimal) ceb.Amount {
	if d.Exponent() > -2 {
		d = d.Round(2)
	}
	return ceb.NewAmount(d)
}

// demoImport builds the import declaration c describes on the cebtest
// fixture, and decides it as clearance does.
func demoImport(c DemoConfig, refs demoRefs) (*Demo, error) {
	decl, out, err := buildImport(c, refs)
	if err != nil {
		return nil, err
	}
	d := &Demo{Decision: out.Status, Files: []DemoFile{
		{"order.json", decl.o, "/v1/import/orders", decl.o.OrderHead.EbpCode},
		{"payment.json", decl.p, "/v1/import/payments", decl.p.PaymentHead.PayCode},
		{"waybill.json", decl.l, "/v1/import/waybills", decl.l.LogisticsHead.LogisticsCode},
		{"inventory.json", decl.i, "/v1/import/inventories", decl.i.InventoryHead.AgentCode},
	}}
	d.Lines = append(d.Lines, importFigures(decl, out)...)
	d.Lines = append(d.Lines, importDecision(out))
	return d, nil
}

// buildImport returns the four documents and clearance's decision on them.
func buildImport(c DemoConfig, refs demoRefs) (*importDecl, inventory.Outcome, error) {
	o, p, l, i := cebtest.Set(c.OrderNo)
	decl := &importDecl{o, p, l, i}
	oh, ph, lh, ih := &o.OrderHead, &p.PaymentHead, &l.LogisticsHead, &i.InventoryHead
	app := ceb.FormatAppTime(c.Date)
	oh.AppTime, ph.AppTime, lh.AppTime, ih.AppTime = app, app, app, app
	ph.PayTime = ceb.FormatAppTime(c.Date.Add(-5 * time.Minute))
	ih.DeclTime = ceb.FormatDate(c.Date)

	oh.EbpCode, ph.EbpCode, ih.EbpCode = c.Platform, c.Platform, c.Platform
	oh.EbpName = refs.name(c.Platform, cebtest.EbpCode, cebtest.EbpName)
	ph.EbpName, ih.EbpName = oh.EbpName, oh.EbpName
	oh.EbcCode, ih.EbcCode = c.Enterprise, c.Enterprise
	oh.EbcName = refs.name(c.Enterprise, cebtest.EbcCode, cebtest.EbcName)
	ih.EbcName = oh.EbcName
	oh.PayCode, ph.PayCode = c.Pay, c.Pay
	oh.PayName = refs.name(c.Pay, cebtest.PayCode, cebtest.PayName)
	ph.PayName = oh.PayName
	lh.LogisticsCode, ih.LogisticsCode = c.Logistics, c.Logistics
	lh.LogisticsName = refs.name(c.Logistics, cebtest.LogisticsCode, cebtest.LogisticsName)
	ih.LogisticsName = lh.LogisticsName
	ih.AgentCode, ih.AssureCode = c.Agent, c.Agent
	ih.AgentName = refs.name(c.Agent, cebtest.AgentCode, cebtest.AgentName)

	id, err := buyerID(c.BuyerID, c.Date)
	if err != nil {
		return nil, inventory.Outcome{}, err
	}
	oh.BuyerIdNumber, ph.PayerIdNumber, ih.BuyerIdNumber = id, id, id
	name, phone := c.BuyerName, c.BuyerPhone
	oh.BuyerName, oh.Consignee, ph.PayerName, lh.Consignee, ih.BuyerName = name, name, name, name, name
	oh.BuyerTelephone, oh.ConsigneeTelephone, ph.Telephone, lh.ConsigneeTelephone, ih.BuyerTelephone = phone, phone, phone, phone, phone

	var fixture []goodsLine
	for k, ol := range o.OrderList {
		fixture = append(fixture, goodsLine{ol.Price, ol.Qty, ol.TotalPrice, i.InventoryList[k].Qty1, ol.ItemName})
	}
	chosen, err := chooseLines(c, fixture)
	if err != nil {
		return nil, inventory.Outcome{}, err
	}
	o.OrderList, i.InventoryList = o.OrderList[:len(chosen)], i.InventoryList[:len(chosen)]
	for k, g := range chosen {
		ol, il := &o.OrderList[k], &i.InventoryList[k]
		ol.Price, ol.Qty, ol.TotalPrice = g.Price, g.Qty, g.TotalPrice
		il.Price, il.Qty, il.TotalPrice, il.Qty1 = g.Price, g.Qty, g.TotalPrice, g.Qty1
	}
	// The legal unit of formula is the kilogram: Σ qty1 is the net weight.
	goodsValue, _, net, info := totals(chosen)
	oh.GoodsValue = money(goodsValue)
	oh.Freight, lh.Freight, ih.Freight = money(c.Freight), money(c.Freight), money(c.Freight)
	lh.InsuredFee, ih.InsuredFee = ceb.NewAmount(c.InsuredFee), ceb.NewAmount(c.InsuredFee)
	oh.Discount = ceb.NewAmount(c.Discount)
	ih.NetWeight = ceb.NewAmount(net)
	ih.GrossWeight = ceb.NewAmount(net.Add(importPackaging))
	lh.Weight, lh.GoodsInfo = ih.GrossWeight, info

	// The tax the platform collects is the tax customs assesses: decide
	// once to learn it, put it on the order and payment, decide again.
	paid := func(tax decimal.Decimal) {
		oh.TaxTotal = money(tax)
		oh.ActuralPaid = money(goodsValue.Add(c.Freight).Add(tax).Sub(c.Discount))
		ph.AmountPaid = oh.ActuralPaid
	}
	decide := func() inventory.Outcome {
		return inventory.Decide(inventory.Input{
			Docs:   match.Documents{Order: o, Payment: p, Waybill: l, Inventory: i},
			Tariff: refs.tariff, Rules: refs.rules, Ledger: &quota.Ledger{},
			ListKey: "demo", BuyersAtAddress: 1, Now: c.Date,
		})
	}
	paid(decimal.Zero)
	out := decide()
	if out.Tax != nil {
		paid(out.Tax.Total)
		out = decide()
	}
	return decl, out, nil
}

// importFigures states the sums and the tax of decl.
func importFigures(decl *importDecl, out inventory.Outcome) []string {
	oh, ih := decl.o.OrderHead, decl.i.InventoryHead
	lines := []string{fmt.Sprintf("goods %s + freight %s + insurance %s", oh.GoodsValue, oh.Freight, ih.InsuredFee)}
	if a := out.Tax; a != nil {
		lines[0] = fmt.Sprintf("dutiable value %s = %s; tax %s (%s: duty %s, VAT %s, consumption tax %s)",
			money(a.DutiableValue), lines[0], money(a.Total), a.Regime, money(a.Duty), money(a.VAT), money(a.Consumption))
	}
	lines = append(lines, fmt.Sprintf("acturalPaid = amountPaid = goods %s + freight %s + tax %s − discount %s = %s",
		oh.GoodsValue, oh.Freight, oh.TaxTotal, oh.Discount, oh.ActuralPaid))
	lines = append(lines, fmt.Sprintf("buyer %s, dated %s", mask.ID(ih.BuyerIdNumber), ih.DeclTime))
	return lines
}

func importDecision(out inventory.Outcome) string {
	switch out.Status {
	case inventory.StatusReleased:
		return "customs will release it: 2, 120, 399, 800 (with the buyer's annual quota as yet unused)"
	case inventory.StatusReview:
		var hits []string
		for _, h := range out.Hits {
			hits = append(hits, h.RuleID)
		}
		return "customs will hold it for an officer's review (300): risk rule " + strings.Join(hits, ", ")
	default:
		return "customs will reject it (100): " + out.Info()
	}
}

// demoReturn builds the return (CEB625) of the import c describes, listed
// as invtNo, and says what it will give back once accepted.
func demoReturn(c DemoConfig, refs demoRefs) (*Demo, error) {
	decl, out, err := buildImport(c, refs)
	if err != nil {
		return nil, err
	}
	if out.Tax == nil {
		return nil, fmt.Errorf("customs rejects the import these flags describe, so there is nothing to return: %s", out.Info())
	}
	r := cebtest.Refund(decl.i, c.InvtNo)
	app := ceb.FormatAppTime(c.Date)
	r.InvtRefundHead.AppTime = app
	// A list may be returned in several parts: each return its own guid.
	r.InvtRefundHead.Guid = cebtest.GUID("refund", c.OrderNo, c.InvtNo, app)
	var orig refund.Original
	for k, l := range decl.i.InventoryList {
		t := out.Tax.Lines[k]
		orig.Lines = append(orig.Lines, refund.OriginalLine{Gnum: l.Gnum, Gcode: l.Gcode, Gname: l.Gname, Qty: l.Qty.Decimal,
			DutiableValue: t.DutiableValue, Duty: t.Duty, VAT: t.VAT, Consumption: t.Consumption})
	}
	var lines []refund.Line
	kept := r.InvtRefundList[:0]
	for _, l := range r.InvtRefundList {
		if c.Returned != nil {
			q, ok := c.Returned[l.Gnum]
			if !ok {
				continue
			}
			l.Qty = ceb.NewAmount(q)
		}
		kept = append(kept, l)
		lines = append(lines, refund.Line{Gnum: l.Gnum, Gcode: l.Gcode, Qty: l.Qty.Decimal})
	}
	if len(kept) == 0 || c.Returned != nil && len(kept) != len(c.Returned) {
		return nil, errors.New("--return: name lines of the list by their gnum")
	}
	r.InvtRefundList = kept
	d := &Demo{Decision: inventory.StatusAccepted, Files: []DemoFile{{"return.json", r, "/v1/import/returns", r.InvtRefundHead.AgentCode}}}
	if errs := refund.CheckLines(orig, lines); len(errs) > 0 {
		d.Decision = inventory.StatusRejected
		d.Lines = append(d.Lines, "customs will reject it (100): "+string(errs[0].Code)+": "+errs[0].Message)
		return d, nil
	}
	a := refund.Restore(orig, lines)
	d.Lines = append(d.Lines,
		fmt.Sprintf("return of list %s (order %s), applied for %s", c.InvtNo, c.OrderNo, r.InvtRefundHead.AppTime),
		fmt.Sprintf("once the warehouse sorts it resaleable: quota %s given back, tax %s not levied (duty %s, VAT %s, consumption tax %s)",
			money(a.Value), money(a.Tax), money(a.Duty), money(a.VAT), money(a.Consumption)),
		"customs will answer 2, then 120 if it comes by the end of the 30th day after the release (100 -902003 later)")
	return d, nil
}

// demoExport builds the 9610 export c describes on the cebtest fixture,
// with its arrival and departure, and checks it as export does.
func demoExport(c DemoConfig, refs demoRefs) (*Demo, error) {
	o, r, l, i := cebtest.ExportSet(c.OrderNo)
	oh, ih := &o.OrderHead, &i.InventoryHead
	app := ceb.FormatAppTime(c.Date)
	oh.AppTime, r.AppTime, l.AppTime, ih.AppTime = app, app, app, app
	r.AccountingDate, ih.IeDate = app, ceb.FormatDate(c.Date)

	oh.EbpCode, r.EbpCode, ih.EbpCode = c.Platform, c.Platform, c.Platform
	oh.EbpName = refs.name(c.Platform, cebtest.EbpCode, cebtest.EbpName)
	r.EbpName, ih.EbpName = oh.EbpName, oh.EbpName
	oh.EbcCode, r.EbcCode, l.EbcCode, ih.EbcCode = c.Enterprise, c.Enterprise, c.Enterprise, c.Enterprise
	oh.EbcName = refs.name(c.Enterprise, cebtest.EbcCode, cebtest.EbcName)
	r.EbcName, l.EbcName, ih.EbcName = oh.EbcName, oh.EbcName, oh.EbcName
	r.PayCode = c.Pay
	r.PayName = refs.name(c.Pay, cebtest.PayCode, cebtest.PayName)
	l.LogisticsCode, ih.LogisticsCode = c.Logistics, c.Logistics
	l.LogisticsName = refs.name(c.Logistics, cebtest.LogisticsCode, cebtest.LogisticsName)
	ih.LogisticsName = l.LogisticsName
	ih.AgentCode = c.Agent
	ih.AgentName = refs.name(c.Agent, cebtest.AgentCode, cebtest.AgentName)

	var fixture []goodsLine
	for k, ol := range o.OrderList {
		fixture = append(fixture, goodsLine{ol.Price, ol.Qty, ol.TotalPrice, i.InventoryList[k].Qty1, ol.ItemName})
	}
	chosen, err := chooseLines(c, fixture)
	if err != nil {
		return nil, err
	}
	o.OrderList, i.InventoryList = o.OrderList[:len(chosen)], i.InventoryList[:len(chosen)]
	for k, g := range chosen {
		o.OrderList[k].Price, o.OrderList[k].Qty, o.OrderList[k].TotalPrice = g.Price, g.Qty, g.TotalPrice
		il := &i.InventoryList[k]
		il.Price, il.Qty, il.TotalPrice, il.Qty1 = g.Price, g.Qty, g.TotalPrice, g.Qty1
	}
	goodsValue, pieces, _, info := totals(chosen)
	oh.GoodsValue = money(goodsValue)
	oh.Freight, l.Freight, ih.Freight = money(c.Freight), money(c.Freight), money(c.Freight)
	l.InsuredFee, ih.InsuredFee = ceb.NewAmount(c.InsuredFee), ceb.NewAmount(c.InsuredFee)
	r.Charge = money(goodsValue.Add(c.Freight))
	net := pieces.Mul(exportPieceKg)
	ih.NetWeight, ih.GrossWeight = ceb.NewAmount(net), ceb.NewAmount(net.Add(exportPackaging))
	l.GrossWeight, l.GoodsInfo = ih.GrossWeight, info

	arrival, departure := cebtest.Arrival(l), cebtest.Departure(l)
	arrival.ArrivalHead.AppTime = app
	next := ceb.FormatAppTime(c.Date.Add(24 * time.Hour))
	departure.DepartureHead.AppTime, departure.DepartureHead.LeaveTime = next, next

	d := &Demo{Decision: inventory.StatusAccepted, Files: []DemoFile{
		{"order.json", o, "/v1/export/orders", oh.EbpCode},
		{"receipt.json", r, "/v1/export/receipts", r.PayCode},
		{"waybill.json", l, "/v1/export/waybills", l.LogisticsCode},
		{"inventory.json", i, "/v1/export/inventories", ih.AgentCode},
		{"arrival.json", arrival, "/v1/export/arrivals", l.LogisticsCode},
		{"departure.json", departure, "/v1/export/departures", l.LogisticsCode},
	}}
	value := fmt.Sprintf("goods %s + freight %s = charge %s (currency %s)", oh.GoodsValue, oh.Freight, r.Charge, oh.Currency)
	if cny, err := refs.export.ToCNY(goodsValue, oh.Currency, c.Date); err == nil {
		value += fmt.Sprintf("; goods %s CNY on %s", money(cny.Round(2)), ih.IeDate)
	}
	d.Lines = append(d.Lines, value)
	errs := exportrule.Check(exportrule.Documents{Order: o, Receipt: r, Waybill: l, Inventory: i}, refs.export, c.Date)
	if len(errs) > 0 {
		d.Decision = inventory.StatusRejected
		d.Lines = append(d.Lines, "customs will reject the list (100): "+string(errs[0].Code)+": "+errs[0].Message)
		return d, nil
	}
	d.Lines = append(d.Lines, "customs will accept the list (2, 120), release it on the arrival (800) and close it on the departure (899)")
	return d, nil
}

// write writes the files into dir, which it creates.
func (d *Demo) write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, f := range d.Files {
		b, err := json.MarshalIndent(f.Doc, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, f.Name), append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// report is the text that says what was computed, what customs will do
// and how to post the files with the demo keys.
func (d *Demo) report(c DemoConfig) string {
	var b strings.Builder
	where := c.Out
	if where == "" {
		where = "stdout"
	}
	fmt.Fprintf(&b, "cbec demo: %s %s, %d file(s) to %s\n", c.Kind, c.OrderNo, len(d.Files), where)
	for _, l := range d.Lines {
		fmt.Fprintf(&b, "  %s\n", l)
	}
	dir := c.Out
	if dir == "" {
		dir = "DIR"
	}
	fmt.Fprintf(&b, "post them (a running cbec, demo keys):\n")
	for _, f := range d.Files {
		fmt.Fprintf(&b, "  curl -s -X POST localhost:8080%s -H 'Authorization: Bearer %s' -H 'Content-Type: application/json' --data-binary @%s\n",
			f.Path, demoKey(f.Sender), filepath.Join(dir, f.Name))
	}
	if c.Kind == DemoExport {
		fmt.Fprintf(&b, "  (the arrival once the list is 120, the departure once it is 800)\n")
	}
	return b.String()
}

// demoKey is the demo API key of the party code, or a placeholder.
func demoKey(code string) string {
	for _, k := range deploy.DemoKeys() {
		if k.Code == code {
			return k.Key
		}
	}
	return "<API key of " + code + ">"
}
