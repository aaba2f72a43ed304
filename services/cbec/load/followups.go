package load

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/ceb/cebtest"
)

// followDecision polls the list until it is decided and counts the
// decision; it returns the status ("" when undecided in time).
func (g *Generator) followDecision(ctx context.Context, d *Import) string {
	var v struct {
		Status string `json:"status"`
		InvtNo string `json:"invtNo"`
	}
	path := "/v1/import/inventories/" + d.Inventory.InventoryHead.EbpCode + "/" + d.Inventory.InventoryHead.OrderNo
	if !poll(ctx, decideWithin, func() bool {
		v.Status = ""
		if !g.getJSON(ctx, path, g.cfg.Keys.Agent, &v) {
			return false
		}
		switch v.Status {
		case "", "2", "120", "399":
			return false
		}
		return true
	}) {
		return ""
	}
	switch v.Status {
	case "800":
		g.released.Add(1)
	case "100":
		g.refused.Add(1)
	default: // 300 review, 500 inspection
		g.reviewed.Add(1)
	}
	g.sample(v.Status, d.Inventory.InventoryHead.OrderNo)
	d.Inventory.InventoryHead.InvtNo = v.InvtNo
	return v.Status
}

// returnGoods files a return of one unit of one line of the released list
// d, then reports the parcel's arrival at the warehouse and its sorting.
func (g *Generator) returnGoods(ctx context.Context, rnd *rand.Rand, d *Import) {
	invtNo := d.Inventory.InventoryHead.InvtNo
	if invtNo == "" || !pause(ctx, time.Duration(500+rnd.IntN(1500))*time.Millisecond) {
		return
	}
	r := cebtest.Refund(d.Inventory, invtNo)
	r.InvtRefundHead.AppTime = ceb.FormatAppTime(time.Now())
	line := r.InvtRefundList[rnd.IntN(len(r.InvtRefundList))]
	line.Qty = ceb.MustAmount("1")
	r.InvtRefundList = []ceb.InvtRefundList{line}
	k := g.cfg.Keys
	if !g.submit(ctx, "/v1/import/returns", k.Agent, []any{r})[0] {
		return
	}

	var rec struct {
		GUID    string            `json:"guid"`
		Status  string            `json:"status"`
		History []json.RawMessage `json:"history"`
	}
	path := "/v1/returns/lists/" + r.InvtRefundHead.AgentCode + "/" + invtNo
	if !poll(ctx, decideWithin, func() bool {
		var l struct {
			Returns []json.RawMessage `json:"returns"`
		}
		if !g.getJSON(ctx, path, k.Agent, &l) {
			return false
		}
		for _, raw := range l.Returns {
			if json.Unmarshal(raw, &rec) == nil && rec.GUID == r.InvtRefundHead.Guid {
				return rec.Status != "requested" || len(rec.History) >= 2
			}
		}
		return false
	}) {
		return
	}
	if rec.Status != "requested" {
		g.returnsRejected.Add(1)
		return
	}
	// The parcel travels to the warehouse of the list's zone.
	if !pause(ctx, time.Duration(1000+rnd.IntN(2000))*time.Millisecond) {
		return
	}
	parcel := map[string]any{
		"warehouseCode": g.cfg.Warehouse,
		"logisticsCode": r.InvtRefundHead.LogisticsCode,
		"logisticsNo":   r.InvtRefundHead.LogisticsNo,
	}
	if code := g.postJSON(ctx, "/v1/returns/arrivals", k.Warehouse, parcel, nil); code != http.StatusOK {
		if code != 0 {
			g.httpErrors.Add(1)
		}
		return
	}
	parcel["lines"] = []map[string]any{{"gnum": line.Gnum, "resaleable": rnd.Float64() < 0.9}}
	var sorted struct {
		Status string `json:"status"`
	}
	if code := g.postJSON(ctx, "/v1/returns/sortings", k.Warehouse, parcel, &sorted); code != http.StatusOK {
		if code != 0 {
			g.httpErrors.Add(1)
		}
		return
	}
	if sorted.Status == "accepted" {
		g.returnsAccepted.Add(1)
		g.sample("returned", d.Inventory.InventoryHead.OrderNo)
	} else {
		g.returnsRejected.Add(1)
	}
}

// followExport waits for the export list's acceptance, then sends the
// arrival at the supervised site and, a little later, the departure.
func (g *Generator) followExport(ctx context.Context, rnd *rand.Rand, orderNo string, l *ceb.ExportLogistics) {
	k := g.cfg.Keys
	path := "/v1/export/lists/" + cebtest.EbpCode + "/" + orderNo
	wait := func(want string) bool {
		var v struct {
			Status string `json:"status"`
		}
		ok := poll(ctx, decideWithin, func() bool {
			v.Status = ""
			return g.getJSON(ctx, path, k.Agent, &v) && (v.Status == want || v.Status == "100" || v.Status == "cancelled")
		})
		if ok && v.Status != want {
			g.exportsRefused.Add(1)
			return false
		}
		return ok
	}
	if !wait("120") || !pause(ctx, time.Duration(1000+rnd.IntN(2000))*time.Millisecond) {
		return
	}
	a := cebtest.Arrival(l)
	a.ArrivalHead.AppTime = ceb.FormatAppTime(time.Now())
	if !g.submit(ctx, "/v1/export/arrivals", k.Logistics, []any{a})[0] {
		return
	}
	if !wait("800") || !pause(ctx, time.Duration(1000+rnd.IntN(2000))*time.Millisecond) {
		return
	}
	dep := cebtest.Departure(l)
	now := time.Now()
	dep.DepartureHead.AppTime, dep.DepartureHead.LeaveTime = ceb.FormatAppTime(now), ceb.FormatAppTime(now)
	if g.submit(ctx, "/v1/export/departures", k.Logistics, []any{dep})[0] && wait("899") {
		g.closed.Add(1)
		g.sample("export-closed", orderNo)
	}
}
