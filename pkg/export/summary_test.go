package export_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/ceb/cebtest"
	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/export"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// monthLists generates 60 released export lists around March 2025: three
// consignors, two producer/sellers, three countries of arrival (USA, UK,
// Japan), two exit customs, two transport modes, five currencies (USD
// across its 2025-03-17 rate change, EUR, GBP, JPY, CNY) and three units;
// every seventh list has statisticsFlag A, and some are released at the
// edges of the neighbouring months.
func monthLists() []export.Released {
	consignors := []string{"1500000101", "1500000102", "1500000103"}
	owners := []string{"1500000201", "1500000202"}
	countries := []string{"502", "303", "116"}
	ports := []string{"8001", "8013"}
	currencies := []string{"502", "300", "303", "116", "142"}
	type good struct{ gcode, name, unit, unit1 string }
	goods := []good{
		{"8518300000", "蓝牙耳机", "007", "007"},
		{"3926909090", "塑料手机壳", "007", "035"},
		{"6109100021", "棉制T恤衫", "011", "011"},
		{"0902301000", "红茶", "035", "035"},
	}
	var out []export.Released
	for n := range 60 {
		orderNo := fmt.Sprintf("G-%02d", n)
		_, _, _, inv := cebtest.ExportSet(orderNo)
		h := &inv.InventoryHead
		// m numbers the lists of one consignor; lists 2j and 2j+1 of a
		// consignor differ only by producer/seller (and item names), so
		// that summaryFlag 1 merges them and summaryFlag 2 does not.
		m := n / 3
		h.EbcCode = consignors[n%3]
		h.OwnerCode = owners[m%2]
		h.Country = countries[(m/2)%3]
		h.PortCode = ports[(m/6)%2]
		h.TrafMode = "5"
		if m%10 >= 8 {
			h.TrafMode = "6"
		}
		if n%7 == 6 {
			h.StatisticsFlag = "A"
		}
		cur := currencies[(m/2+n%3)%5]
		inv.InventoryList = nil
		for k := range 1 + (m/2)%3 {
			g := goods[(m/2+k)%4]
			qty := decimal.NewFromInt(int64(1 + (n+k)%4))
			price := decimal.New(int64(250+37*n+11*k), -2) // 2.50 and up, in cents
			total := price.Mul(qty)
			name := g.name
			if n%2 == 1 {
				name += "(款式" + fmt.Sprint(n%3) + ")" // original names differ; categories do not
			}
			inv.InventoryList = append(inv.InventoryList, ceb.ExportInventoryList{
				Gnum: k + 1, ItemNo: fmt.Sprintf("SKU-%d-%d", n, k), ItemName: name, Gcode: g.gcode, Gname: g.name,
				Gmodel: "示例", BarCode: "6901234567892", Country: h.Country, Currency: cur,
				Qty: ceb.NewAmount(qty), Qty1: ceb.NewAmount(qty), Unit: g.unit, Unit1: g.unit1,
				Price: ceb.NewAmount(price), TotalPrice: ceb.NewAmount(total),
			})
		}
		// Releases spread over March, including both of its edges and the
		// USD rate change; lists 0-3 fall just outside it.
		at := sh(2025, 3, 1+n%31, (7*n)%24, n%60, 0, 0)
		switch n {
		case 0:
			at = sh(2025, 2, 28, 23, 59, 59, 999999999)
		case 1:
			at = sh(2025, 4, 1, 0, 0, 0, 0)
		case 2:
			at = time.Date(2025, 3, 31, 16, 0, 0, 0, time.UTC) // 2025-04-01 00:00 Shanghai
		case 3:
			at = sh(2025, 2, 10, 12, 0, 0, 0)
		case 4:
			at = sh(2025, 3, 1, 0, 0, 0, 0)
		case 5:
			at = sh(2025, 3, 31, 23, 59, 59, 999999999)
		case 8:
			at = time.Date(2025, 2, 28, 16, 0, 0, 0, time.UTC) // 2025-03-01 00:00 Shanghai
		}
		out = append(out, export.Released{Inventory: inv, InvtNo: cebtest.ExportInvtNo(orderNo), ReleasedAt: at})
	}
	return out
}

func summarize(t *testing.T, lists []export.Released, summaryFlag, itemNameFlag string) []export.Summary {
	t.Helper()
	s, err := export.Summarize(lists, "2025-03", summaryFlag, itemNameFlag, defaultRef(t))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSummaryGolden(t *testing.T) {
	lists := monthLists()
	got := map[string][]export.Summary{
		"summaryFlag2_itemNameFlag1": summarize(t, lists, "2", "1"),
		"summaryFlag1_category":      summarize(t, lists, "1", ""),
	}
	// summaryFlag 1 merges the lists of the two producer/sellers into
	// fewer declarations, whose lines then sum several lists.
	groups := func(ss []export.Summary) (n, merged int) {
		for _, s := range ss {
			for _, g := range s.Groups {
				n++
				for _, l := range g.Lines {
					if len(l.Members) > 1 {
						merged++
					}
				}
			}
		}
		return n, merged
	}
	n1, merged1 := groups(got["summaryFlag1_category"])
	n2, _ := groups(got["summaryFlag2_itemNameFlag1"])
	if n1 >= n2 || merged1 == 0 {
		t.Errorf("summaryFlag 1: %d groups, %d merged lines; summaryFlag 2: %d groups", n1, merged1, n2)
	}
	b, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, '\n')
	golden := filepath.Join("testdata", "summary-2025-03.golden.json")
	if *update {
		if err := os.WriteFile(golden, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(b, want) {
		t.Errorf("summary differs from %s; run go test ./pkg/export -update and review the diff\ngot:\n%s", golden, b)
	}
}

// TestSummaryInvariants checks the golden summary independently of the
// file: membership, grouping keys, exact sums and CNY conversion.
func TestSummaryInvariants(t *testing.T) {
	ref := defaultRef(t)
	lists := monthLists()
	start, end := sh(2025, 3, 1, 0, 0, 0, 0), sh(2025, 4, 1, 0, 0, 0, 0)
	byInvt := map[string]export.Released{}
	wantLines := map[string]bool{} // invtNo/gnum of every qualifying line
	for _, r := range lists {
		byInvt[r.InvtNo] = r
		if r.Inventory.InventoryHead.StatisticsFlag == "B" && !r.ReleasedAt.Before(start) && r.ReleasedAt.Before(end) {
			for _, l := range r.Inventory.InventoryList {
				wantLines[fmt.Sprintf("%s/%d", r.InvtNo, l.Gnum)] = true
			}
		}
	}
	if len(wantLines) == 0 {
		t.Fatal("fixture has no qualifying line")
	}
	for _, flags := range [][2]string{{"1", "1"}, {"2", "1"}, {"1", ""}, {"2", "0"}} {
		t.Run("summaryFlag"+flags[0]+"_itemNameFlag"+flags[1], func(t *testing.T) {
			sums := summarize(t, lists, flags[0], flags[1])
			if len(sums) != 3 {
				t.Fatalf("%d summaries, want one per consignor (3)", len(sums))
			}
			seen := map[string]bool{}
			for _, s := range sums {
				if s.Month != "2025-03" || !s.Due.Equal(sh(2025, 4, 16, 0, 0, 0, 0)) {
					t.Errorf("summary %s: month %s due %v", s.Consignor, s.Month, s.Due)
				}
				for _, g := range s.Groups {
					if g.Key.EbcCode != s.Consignor {
						t.Errorf("group %v in the summary of %s", g.Key, s.Consignor)
					}
					if (flags[0] == "2") != (g.Key.OwnerCode != "") {
						t.Errorf("summaryFlag %s: group key %v", flags[0], g.Key)
					}
					groupCNY := decimal.Zero
					for k, sl := range g.Lines {
						if sl.Gseqno != k+1 {
							t.Errorf("line %d has gseqno %d", k, sl.Gseqno)
						}
						qty, total, cny := decimal.Zero, decimal.Zero, decimal.Zero
						for _, m := range sl.Members {
							key := fmt.Sprintf("%s/%d", m.InvtNo, m.Gnum)
							if !wantLines[key] {
								t.Errorf("line %s summarised but not a March B line", key)
							}
							if seen[key] {
								t.Errorf("line %s summarised twice", key)
							}
							seen[key] = true
							r := byInvt[m.InvtNo]
							h := &r.Inventory.InventoryHead
							want := export.GroupKey{EbcCode: h.EbcCode, Country: h.Country, PortCode: h.PortCode, TrafMode: h.TrafMode}
							if flags[0] == "2" {
								want.OwnerCode = h.OwnerCode
							}
							if want != g.Key {
								t.Errorf("list %s with key %v in group %v", m.InvtNo, want, g.Key)
							}
							il := r.Inventory.InventoryList[m.Gnum-1]
							if il.Gcode != sl.Gcode || il.Currency != sl.Currency || il.Unit != sl.Unit {
								t.Errorf("line %s (%s %s %s) on summary line %s %s %s", key, il.Gcode, il.Currency, il.Unit, sl.Gcode, sl.Currency, sl.Unit)
							}
							if flags[1] == "1" && il.ItemName != sl.ItemName {
								t.Errorf("itemNameFlag 1: line %s item %q on summary line %q", key, il.ItemName, sl.ItemName)
							}
							if flags[1] != "1" && il.Gname != sl.ItemName {
								t.Errorf("category: line %s gname %q on summary line %q", key, il.Gname, sl.ItemName)
							}
							qty = qty.Add(il.Qty.Decimal)
							total = total.Add(il.TotalPrice.Decimal)
							c, err := ref.ToCNY(il.TotalPrice.Decimal, il.Currency, r.ReleasedAt)
							if err != nil {
								t.Fatal(err)
							}
							cny = cny.Add(c)
						}
						if !qty.Equal(sl.Qty) || !total.Equal(sl.TotalPrice) || !cny.Equal(sl.TotalPriceCNY) {
							t.Errorf("line %d sums qty %s total %s CNY %s, want %s %s %s", sl.Gseqno, sl.Qty, sl.TotalPrice, sl.TotalPriceCNY, qty, total, cny)
						}
						groupCNY = groupCNY.Add(sl.TotalPriceCNY)
					}
					if !groupCNY.Equal(g.TotalPriceCNY) {
						t.Errorf("group %v CNY %s, want %s", g.Key, g.TotalPriceCNY, groupCNY)
					}
				}
			}
			if len(seen) != len(wantLines) {
				t.Errorf("%d lines summarised, want %d", len(seen), len(wantLines))
			}
		})
	}
}

func TestSummaryCNYAcrossRateChange(t *testing.T) {
	_, _, _, inv := cebtest.ExportSet("R-1")
	_, _, _, inv2 := cebtest.ExportSet("R-2")
	lists := []export.Released{
		{Inventory: inv, InvtNo: "A1", ReleasedAt: sh(2025, 3, 16, 23, 59, 59, 0)},
		{Inventory: inv2, InvtNo: "A2", ReleasedAt: sh(2025, 3, 17, 0, 0, 0, 0)},
	}
	s := summarize(t, lists, "1", "1")
	if len(s) != 1 || len(s[0].Groups) != 1 || len(s[0].Groups[0].Lines) != 2 {
		t.Fatalf("summary %+v", s)
	}
	l := s[0].Groups[0].Lines[0] // 3926909090: 15.00 USD per list
	// 15.00 × 7.1884 = 107.826 → 107.83; 15.00 × 7.1720 = 107.58.
	if l.Gcode != "3926909090" || !l.TotalPrice.Equal(decimal.RequireFromString("30")) ||
		!l.TotalPriceCNY.Equal(decimal.RequireFromString("215.41")) || !l.Qty.Equal(decimal.NewFromInt(6)) {
		t.Errorf("line %+v", l)
	}
	if got := s[0].Groups[0].InvtNos; !reflect.DeepEqual(got, []string{"A1", "A2"}) {
		t.Errorf("invtNos %v", got)
	}
	rl := s[0].Groups[0].ResultList()
	if len(rl) != 4 || rl[0].Gseqno != 1 || rl[0].InvtNo != "A1" || rl[0].Gcode != "3926909090" || rl[0].Gnum != 2 ||
		rl[0].LogisticsNo != inv.InventoryHead.LogisticsNo || rl[3].Gseqno != 2 || rl[3].InvtNo != "A2" {
		t.Errorf("ResultList %+v", rl)
	}
}

func TestSummaryDeterministic(t *testing.T) {
	lists := monthLists()
	want := summarize(t, lists, "2", "")
	rng := rand.New(rand.NewPCG(1, 2))
	for range 5 {
		rng.Shuffle(len(lists), func(i, j int) { lists[i], lists[j] = lists[j], lists[i] })
		if got := summarize(t, lists, "2", ""); !reflect.DeepEqual(got, want) {
			t.Fatal("summary depends on the order of the lists")
		}
	}
}

func TestSummarizeErrors(t *testing.T) {
	ref := defaultRef(t)
	lists := monthLists()
	_, _, _, bad := cebtest.ExportSet("BAD")
	bad.InventoryList[0].Currency = "999"
	_, _, _, noQty := cebtest.ExportSet("NOQTY")
	noQty.InventoryList[1].Qty = ceb.Amount{}
	tests := []struct {
		name         string
		lists        []export.Released
		month, flag  string
		code         errcode.Code
		wantContains string
	}{
		{"month without zero", lists, "2025-3", "1", errcode.SummaryRequest, "YYYY-MM"},
		{"month 13", lists, "2025-13", "1", errcode.SummaryRequest, "YYYY-MM"},
		{"a line without qty", []export.Released{{Inventory: noQty, InvtNo: "Q1", ReleasedAt: sh(2025, 3, 5, 0, 0, 0, 0)}},
			"2025-03", "1", errcode.SummaryRequest, "Q1 InventoryList[gnum=2] has no qty or totalPrice"},
		{"summaryFlag 3", lists, "2025-03", "3", errcode.SummaryRequest, "summaryFlag"},
		{"duplicate invtNo", append(lists[:2:2], lists[1]), "2025-03", "1", errcode.SummaryRequest, "twice"},
		{"nil inventory", []export.Released{{InvtNo: "X"}}, "2025-03", "1", errcode.SummaryRequest, "no inventory"},
		{"unknown currency", []export.Released{{Inventory: bad, InvtNo: "B1", ReleasedAt: sh(2025, 3, 5, 0, 0, 0, 0)}},
			"2025-03", "1", errcode.CurrencyUnknown, "B1 InventoryList[gnum=1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := export.Summarize(tt.lists, tt.month, tt.flag, "1", ref)
			if errcode.Of(err) != tt.code {
				t.Fatalf("error %v, want code %s", err, tt.code)
			}
			if !bytes.Contains([]byte(err.Error()), []byte(tt.wantContains)) {
				t.Errorf("error %q does not contain %q", err, tt.wantContains)
			}
		})
	}
	// An unknown currency outside the month does not matter.
	s, err := export.Summarize([]export.Released{{Inventory: bad, InvtNo: "B1", ReleasedAt: sh(2025, 4, 5, 0, 0, 0, 0)}}, "2025-03", "1", "1", ref)
	if err != nil || s != nil {
		t.Errorf("list of April: %v, %v", s, err)
	}
}

func TestDueAndOverdue(t *testing.T) {
	due := export.Due("2025-03")
	if want := sh(2025, 4, 16, 0, 0, 0, 0); !due.Equal(want) {
		t.Errorf("Due(2025-03) = %v, want %v", due, want)
	}
	if got, want := export.Due("2025-12"), sh(2026, 1, 16, 0, 0, 0, 0); !got.Equal(want) {
		t.Errorf("Due(2025-12) = %v, want %v", got, want)
	}
	if !export.Due("2025-3").IsZero() || export.Overdue("bad", sh(2030, 1, 1, 0, 0, 0, 0)) {
		t.Error("an invalid month has a due date")
	}
	tests := []struct {
		now  time.Time
		want bool
	}{
		{sh(2025, 4, 1, 0, 0, 0, 0), false},
		{sh(2025, 4, 15, 0, 0, 0, 0), false},
		{sh(2025, 4, 15, 23, 59, 59, 999999999), false},
		{time.Date(2025, 4, 15, 15, 59, 59, 0, time.UTC), false},
		{sh(2025, 4, 16, 0, 0, 0, 0), true},
		{time.Date(2025, 4, 15, 16, 0, 0, 0, time.UTC), true},
		{sh(2025, 5, 1, 0, 0, 0, 0), true},
	}
	for _, tt := range tests {
		if got := export.Overdue("2025-03", tt.now); got != tt.want {
			t.Errorf("Overdue(2025-03, %v) = %v, want %v", tt.now, got, tt.want)
		}
	}
	if got := export.MonthOf(time.Date(2025, 3, 31, 16, 0, 0, 0, time.UTC)); got != "2025-04" {
		t.Errorf("MonthOf = %s, want the Shanghai month 2025-04", got)
	}
}

func TestWindow(t *testing.T) {
	mk := func(at time.Time) export.Released { return export.Released{InvtNo: at.String(), ReleasedAt: at} }
	start, end := sh(2025, 3, 10, 0, 0, 0, 0), sh(2025, 3, 20, 23, 59, 59, 0)
	in := []export.Released{
		mk(sh(2025, 3, 9, 23, 59, 59, 999999999)), // before
		mk(start),                                  // first instant
		mk(sh(2025, 3, 15, 12, 0, 0, 0)),           // inside
		mk(sh(2025, 3, 20, 23, 59, 59, 999999999)), // within end's second
		mk(sh(2025, 3, 21, 0, 0, 0, 0)),            // after
	}
	got := export.Window(start, end, in)
	if len(got) != 3 || got[0].InvtNo != in[1].InvtNo || got[2].InvtNo != in[3].InvtNo {
		t.Errorf("Window = %v", got)
	}
	if got := export.Window(end, start, in); got != nil {
		t.Errorf("reversed window = %v", got)
	}
}
