package load

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/ceb/cebtest"
)

// The export goods of cebtest.ExportSet weigh 0.1 kg a piece and are packed
// with 0.15 kg: the fixture's own weights.
var (
	exportPieceKg   = decimal.RequireFromString("0.1")
	exportPackaging = decimal.RequireFromString("0.15")
)

// ExportGoods puts lines on a 9610 export built on cebtest.ExportSet, whose
// freight is already set: the order's and the list's lines (the first
// len(lines) of the fixture's), the goods value, the receipt's charge
// (goods + freight, what the buyer paid), the waybill's goodsInfo and the
// weights, net by the piece and gross with the packaging.
func ExportGoods(o *ceb.ExportOrder, r *ceb.Receipts, l *ceb.ExportLogistics, i *ceb.ExportInventory, lines []Line) {
	o.OrderList, i.InventoryList = o.OrderList[:len(lines)], i.InventoryList[:len(lines)]
	for k, g := range lines {
		ol, il := &o.OrderList[k], &i.InventoryList[k]
		ol.Price, ol.Qty, ol.TotalPrice = g.Price, g.Qty, g.TotalPrice
		il.Price, il.Qty, il.TotalPrice, il.Qty1 = g.Price, g.Qty, g.TotalPrice, g.Qty1
	}
	goodsValue, pieces, _, info := Totals(lines)
	o.OrderHead.GoodsValue = Money(goodsValue)
	r.Charge = Money(goodsValue.Add(o.OrderHead.Freight.Decimal))
	ih := &i.InventoryHead
	net := pieces.Mul(exportPieceKg)
	ih.NetWeight, ih.GrossWeight = ceb.NewAmount(net), ceb.NewAmount(net.Add(exportPackaging))
	l.GrossWeight, l.GoodsInfo = ih.GrossWeight, info
}

// exportDocs builds a 9610 export of the cebtest goods in quantities of its
// own (1 to 4 of each), dated now: order, receipt of payment, waybill and
// list.
func (g *Generator) exportDocs(orderNo string, now time.Time) []submission {
	o, r, l, i := cebtest.ExportSet(orderNo)
	appTime, day := ceb.FormatAppTime(now), ceb.FormatDate(now)
	o.OrderHead.AppTime, r.AppTime, l.AppTime, i.InventoryHead.AppTime = appTime, appTime, appTime, appTime
	r.AccountingDate, i.InventoryHead.IeDate = appTime, day
	lines := ExportLines(o, i)
	for n, ln := range lines {
		lines[n] = ln.At(ln.Price.Decimal, decimal.NewFromInt(int64(1+g.rnd.IntN(4))))
	}
	ExportGoods(o, r, l, i, lines)
	k := g.cfg.Keys
	return []submission{
		{path: "/v1/export/orders", key: k.EBP, doc: o},
		{path: "/v1/export/receipts", key: k.Pay, doc: r},
		{path: "/v1/export/waybills", key: k.Logistics, doc: l},
		{path: "/v1/export/inventories", key: k.Agent, doc: i},
	}
}
