package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/ceb/cebtest"
	"github.com/cbec/cbec/pkg/identity"
	"github.com/cbec/cbec/pkg/inventory"
	"github.com/cbec/cbec/pkg/mask"
	"github.com/cbec/cbec/pkg/refund"
	"github.com/cbec/cbec/services/cbec/load"
)

// importPackaging is what the demo's import parcel weighs beyond its
// goods: a parcel of formula cans, half a kilogram of box and padding.
var importPackaging = decimal.RequireFromString("0.5")

// buyerID returns the buyer's ID number: 17 digits get identity.CheckCode's
// check character, and the number is checked as clearance checks it.
func buyerID(id string, now time.Time) (string, error) {
	id = identity.Normalize(id)
	if len(id) == identity.Length-1 && strings.Trim(id, "0123456789") == "" {
		id += string(identity.CheckCode(id))
	}
	if err := identity.Check(id, now); err != nil {
		return "", fmt.Errorf("--buyer-id: %w", err)
	}
	return id, nil
}

// demoImport builds the import declaration c describes on the cebtest
// fixture, and decides it as clearance does.
func demoImport(c DemoConfig, refs demoRefs) (*Demo, error) {
	decl, out, err := buildImport(c, refs)
	if err != nil {
		return nil, err
	}
	d := &Demo{Decision: out.Status, Files: []DemoFile{
		{"order.json", decl.Order, "/v1/import/orders", decl.Order.OrderHead.EbpCode},
		{"payment.json", decl.Payment, "/v1/import/payments", decl.Payment.PaymentHead.PayCode},
		{"waybill.json", decl.Waybill, "/v1/import/waybills", decl.Waybill.LogisticsHead.LogisticsCode},
		{"inventory.json", decl.Inventory, "/v1/import/inventories", decl.Inventory.InventoryHead.AgentCode},
	}}
	d.Lines = append(d.Lines, importFigures(decl, out)...)
	d.Lines = append(d.Lines, importDecision(out))
	return d, nil
}

// buildImport returns the four documents and clearance's decision on them.
func buildImport(c DemoConfig, refs demoRefs) (*load.Import, inventory.Outcome, error) {
	decl := load.NewImport(c.OrderNo)
	o, p, l, i := decl.Order, decl.Payment, decl.Waybill, decl.Inventory
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

	chosen, err := chooseLines(c, load.ImportLines(o, i))
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
	goodsValue, _, net, info := load.Totals(chosen)
	oh.GoodsValue = load.Money(goodsValue)
	oh.Freight, lh.Freight, ih.Freight = load.Money(c.Freight), load.Money(c.Freight), load.Money(c.Freight)
	lh.InsuredFee, ih.InsuredFee = ceb.NewAmount(c.InsuredFee), ceb.NewAmount(c.InsuredFee)
	oh.Discount = ceb.NewAmount(c.Discount)
	ih.NetWeight = ceb.NewAmount(net)
	ih.GrossWeight = ceb.NewAmount(net.Add(importPackaging))
	lh.Weight, lh.GoodsInfo = ih.GrossWeight, info

	// The tax the platform collects is the tax customs assesses.
	out := decl.Settle(load.Refs{Tariff: refs.tariff, Rules: refs.rules}, c.Date)
	return decl, out, nil
}

// importFigures states the sums and the tax of decl.
func importFigures(decl *load.Import, out inventory.Outcome) []string {
	oh, ih := decl.Order.OrderHead, decl.Inventory.InventoryHead
	lines := []string{fmt.Sprintf("goods %s + freight %s + insurance %s", oh.GoodsValue, oh.Freight, ih.InsuredFee)}
	if a := out.Tax; a != nil {
		lines[0] = fmt.Sprintf("dutiable value %s = %s; tax %s (%s: duty %s, VAT %s, consumption tax %s)",
			load.Money(a.DutiableValue), lines[0], load.Money(a.Total), a.Regime, load.Money(a.Duty), load.Money(a.VAT), load.Money(a.Consumption))
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
	r := cebtest.Refund(decl.Inventory, c.InvtNo)
	app := ceb.FormatAppTime(c.Date)
	r.InvtRefundHead.AppTime = app
	// A list may be returned in several parts: each return its own guid.
	r.InvtRefundHead.Guid = cebtest.GUID("refund", c.OrderNo, c.InvtNo, app)
	var orig refund.Original
	for k, l := range decl.Inventory.InventoryList {
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
			load.Money(a.Value), load.Money(a.Tax), load.Money(a.Duty), load.Money(a.VAT), load.Money(a.Consumption)),
		"customs will answer 2, then 120 if it comes by the end of the 30th day after the release (100 -902003 later)")
	return d, nil
}
