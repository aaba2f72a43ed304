package load

import (
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cbec/cbec/pkg/ceb"
)

var (
	// plainShare is how close to the single limit a plain declaration may
	// come: 90 %, well under risk rule R001's 95 %.
	plainShare = decimal.RequireFromString("0.9")
	// grossFactor and packaging make a parcel's gross weight of its net.
	grossFactor = decimal.RequireFromString("1.15")
	packaging   = decimal.RequireFromString("0.10")
)

// plain builds a consistent declaration of 1 to 3 lines for a random buyer,
// its dutiable value at most 90 % of the single limit unless a single
// expensive item.
func (g *Generator) plain(orderNo string, now time.Time) *Import {
	n := 1
	if x := g.rnd.Float64(); x > 0.5 {
		n = 2
		if x > 0.85 {
			n = 3
		}
	}
	var items []item
	seen := map[string]bool{}
	for len(items) < n {
		it := g.pickItem()
		if seen[it.g.gcode] {
			continue
		}
		seen[it.g.gcode] = true
		if it.price.GreaterThan(g.single.Div(decimal.NewFromInt(2))) {
			// Expensive goods come alone, one at a time.
			it.qty, items = 1, []item{it}
			break
		}
		items = append(items, it)
	}
	freight := decimal.RequireFromString(freights[g.rnd.IntN(len(freights))])
	value := func() decimal.Decimal {
		v := freight
		for _, it := range items {
			v = v.Add(it.total())
		}
		return v
	}
	plainCap := g.single.Mul(plainShare)
	for len(items) > 1 && value().GreaterThan(plainCap) {
		items = items[:len(items)-1]
	}
	for items[0].qty > 1 && value().GreaterThan(plainCap) {
		items[0].qty--
	}
	return g.build(orderNo, now, items, freight)
}

// NearLimit builds a consistent declaration of one goods line for a random
// buyer whose dutiable value is 95.2–99.8 % of the single limit, so that
// risk rule R001 holds it for review (300).
func (g *Generator) NearLimit(orderNo string, now time.Time) *Import {
	gd := g.goods[g.expens[g.rnd.IntN(len(g.expens))]]
	freight := decimal.RequireFromString(freights[g.rnd.IntN(len(freights))])
	// In steps of 0.02 %: whole yuan under a limit of 5,000.
	share := decimal.New(9520+2*int64(g.rnd.IntN(230)), -4)
	target := g.single.Mul(share).Round(0).Sub(freight)
	qty := target.Div(gd.price).Floor().IntPart()
	qty = min(max(qty, 1), 30)
	price := target.Div(decimal.NewFromInt(qty)).Round(2)
	return g.build(orderNo, now, []item{{g: gd, qty: qty, price: price, brand: brands[g.rnd.IntN(len(brands))]}}, freight)
}

// spoil makes one value of d inconsistent, so that customs rejects it (100).
func (g *Generator) spoil(d *Import) {
	switch g.rnd.IntN(3) {
	case 0: // X05: the payment is not what the order says was paid
		off := decimal.New(int64(1+g.rnd.IntN(999)), -2) // 0.01 … 9.99
		d.Payment.PaymentHead.AmountPaid = ceb.NewAmount(d.Payment.PaymentHead.AmountPaid.Decimal.Add(off))
	case 1: // X13: the list declares another quantity than the order
		l := &d.Inventory.InventoryList[0]
		qty := l.Qty.Decimal.Add(decimal.NewFromInt(1))
		l.Qty, l.TotalPrice = ceb.NewAmount(qty), ceb.NewAmount(l.Price.Decimal.Mul(qty))
	default: // X09: the waybill's consignee telephone differs from the order's
		lh := &d.Waybill.LogisticsHead
		lh.ConsigneeTelephone = "139" + lh.ConsigneeTelephone[3:]
		if lh.ConsigneeTelephone == d.Order.OrderHead.ConsigneeTelephone {
			lh.ConsigneeTelephone = "137" + lh.ConsigneeTelephone[3:]
		}
	}
}

// build assembles the four consistent documents of a declaration of items
// for a random buyer, dated now: amounts add up (price × qty, goodsValue),
// weights are plausible, and what the buyer paid is settled with the tax
// customs assesses (Import.Settle): the CBEC rates, or the general ones for
// a single item over the single limit.
func (g *Generator) build(orderNo string, now time.Time, items []item, freight decimal.Decimal) *Import {
	d := NewImport(orderNo)
	b := g.Buyer(g.rnd.IntN(g.cfg.Buyers))
	appTime := ceb.FormatAppTime(now)
	oh, ph, lh, ih := &d.Order.OrderHead, &d.Payment.PaymentHead, &d.Waybill.LogisticsHead, &d.Inventory.InventoryHead
	oh.AppTime, ph.AppTime, lh.AppTime, ih.AppTime = appTime, appTime, appTime, appTime
	ph.PayTime = ceb.FormatAppTime(now.Add(-time.Duration(1+g.rnd.IntN(30)) * time.Minute))
	ih.DeclTime = ceb.FormatDate(now)

	oh.BuyerRegNo, oh.BuyerName, oh.BuyerTelephone, oh.BuyerIdNumber = b.RegNo, b.Name, b.Phone, b.ID
	oh.Consignee, oh.ConsigneeTelephone, oh.ConsigneeAddress, oh.ConsigneeDistrict = b.Name, b.Phone, b.Address, b.District
	ph.PayerIdNumber, ph.PayerName, ph.Telephone = b.ID, b.Name, b.Phone
	lh.Consignee, lh.ConsigneeTelephone, lh.ConsigneeAddress = b.Name, b.Phone, b.Address
	ih.BuyerIdNumber, ih.BuyerName, ih.BuyerTelephone, ih.ConsigneeAddress = b.ID, b.Name, b.Phone, b.Address

	d.Order.OrderList, d.Inventory.InventoryList = nil, nil
	goodsValue, net := decimal.Zero, decimal.Zero
	var info []string
	for n, it := range items {
		qty := decimal.NewFromInt(it.qty)
		sku := fmt.Sprintf("SKU-%s-%02d", it.g.line.HSCode, 1+brandIndex(it.brand))
		name := it.brand + " " + shortName(it.g.line.Name) + " " + it.g.spec
		model := "品名:" + shortName(it.g.line.Name) + "|品牌:" + it.brand + "|规格:" + it.g.spec
		country := origins[fnvOf(it.brand)%uint64(len(origins))]
		d.Order.OrderList = append(d.Order.OrderList, ceb.OrderList{
			Gnum: n + 1, ItemNo: sku, ItemName: name, Gmodel: model, Unit: it.g.unit,
			Qty: ceb.NewAmount(qty), Price: ceb.NewAmount(it.price), TotalPrice: ceb.NewAmount(it.total()),
			Currency: "142", Country: country,
		})
		d.Inventory.InventoryList = append(d.Inventory.InventoryList, ceb.InventoryList{
			Gnum: n + 1, ItemRecordNo: fmt.Sprintf("8001W%07d", fnvOf(sku)%10_000_000), ItemNo: sku, ItemName: name,
			Gcode: it.g.gcode, Gname: name, Gmodel: model, Country: country, Currency: "142",
			Qty: ceb.NewAmount(qty), Unit: it.g.unit, Qty1: ceb.NewAmount(it.g.q1.Mul(qty)), Unit1: it.g.unit1,
			Price: ceb.NewAmount(it.price), TotalPrice: ceb.NewAmount(it.total()),
		})
		goodsValue = goodsValue.Add(it.total())
		net = net.Add(it.g.kg.Mul(qty))
		info = append(info, shortName(it.g.line.Name)+"*"+qty.String())
	}
	gross := net.Mul(grossFactor).Add(packaging).Round(2)
	net = net.Round(3)

	discount := decimal.Zero
	if g.rnd.Float64() < 0.2 {
		discount = goodsValue.Mul(decimal.NewFromFloat(0.02 + 0.08*g.rnd.Float64())).Round(2)
	}
	oh.GoodsValue, oh.Freight, oh.Discount = ceb.NewAmount(goodsValue), ceb.NewAmount(freight), ceb.NewAmount(discount)
	lh.Freight, lh.Weight = ceb.NewAmount(freight), ceb.NewAmount(gross)
	lh.GoodsInfo = truncate(strings.Join(info, ","), 60)
	ih.Freight, ih.GrossWeight, ih.NetWeight = ceb.NewAmount(freight), ceb.NewAmount(gross), ceb.NewAmount(net)
	d.Settle(g.refs, now)
	return d
}
