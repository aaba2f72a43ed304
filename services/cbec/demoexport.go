package main

import (
	"fmt"
	"time"

	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/ceb/cebtest"
	exportrule "github.com/cbec/cbec/pkg/export"
	"github.com/cbec/cbec/pkg/inventory"
	"github.com/cbec/cbec/services/cbec/load"
)

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

	chosen, err := chooseLines(c, load.ExportLines(o, i))
	if err != nil {
		return nil, err
	}
	oh.Freight, l.Freight, ih.Freight = load.Money(c.Freight), load.Money(c.Freight), load.Money(c.Freight)
	l.InsuredFee, ih.InsuredFee = ceb.NewAmount(c.InsuredFee), ceb.NewAmount(c.InsuredFee)
	load.ExportGoods(o, r, l, i, chosen)

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
	if cny, err := refs.export.ToCNY(oh.GoodsValue.Decimal, oh.Currency, c.Date); err == nil {
		value += fmt.Sprintf("; goods %s CNY on %s", load.Money(cny.Round(2)), ih.IeDate)
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
