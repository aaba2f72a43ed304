package load

import (
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cbec/cbec/pkg/tariff"
)

// goods is a tariff line as a product: how it is sold and priced.
type goods struct {
	line    tariff.Line
	gcode   string          // 10 digits
	price   decimal.Decimal // typical unit price, CNY
	unit    string          // declared unit (JGS-20)
	unit1   string          // legal unit
	q1      decimal.Decimal // quantity in unit1 per unit
	kg      decimal.Decimal // net weight per unit
	spec    string
	limited bool // an annual quantity limit applies
}

// profile is how goods of an HS prefix are sold.
type profile struct {
	prefix, unit, unit1, q1, kg, price, spec string
}

// profiles by HS prefix, longest first where they overlap; the default is
// the last. Units are JGS-20: 122 罐, 142 瓶, 136 袋, 140 盒, 011 件, 025
// 双, 008 只, 007 个, 001 台; legal units 035 千克, 095 升.
var profiles = []profile{
	{"1901", "122", "035", "0.9", "0.9", "220", "900克/罐"},
	{"0402", "136", "035", "1", "1", "150", "1千克/袋"},
	{"0409", "142", "035", "0.5", "0.5", "80", "500克/瓶"},
	{"0306", "140", "035", "1", "1", "160", "1千克/盒"},
	{"08", "136", "035", "0.5", "0.5", "70", "500克/袋"},
	{"0901", "136", "035", "0.25", "0.25", "60", "250克/袋"},
	{"1006", "136", "035", "5", "5", "60", "5千克/袋"},
	{"1701", "136", "035", "1", "1", "20", "1千克/袋"},
	{"15", "142", "035", "0.5", "0.5", "90", "500毫升/瓶"},
	{"18", "140", "035", "0.3", "0.3", "60", "300克/盒"},
	{"21", "142", "035", "0.2", "0.2", "150", "200克/瓶"},
	{"2204", "142", "095", "0.75", "1.2", "120", "750毫升/瓶"},
	{"29", "142", "035", "0.2", "0.2", "130", "120粒/瓶"},
	{"3303", "142", "035", "0.1", "0.1", "400", "100毫升/瓶"},
	{"3305", "142", "035", "0.5", "0.5", "80", "500毫升/瓶"},
	{"33", "140", "035", "0.05", "0.05", "180", "50毫升/盒"},
	{"61", "011", "011", "1", "0.3", "150", "M码"},
	{"62", "011", "011", "1", "0.4", "260", "M码"},
	{"64", "025", "025", "1", "0.9", "500", "42码"},
	{"71", "007", "007", "1", "0.05", "1500", "925银"},
	{"91", "008", "008", "1", "0.15", "2000", "表径40毫米"},
	{"8471", "001", "001", "1", "1.5", "6000", "13英寸"},
	{"8517", "001", "001", "1", "0.2", "2000", "智能手表"},
	{"8518", "007", "007", "1", "0.3", "800", "无线"},
	{"85", "001", "001", "1", "1", "600", "220V"},
	{"", "007", "035", "0.5", "0.5", "100", "标准装"},
}

// catalogue turns the tariff lines valid for 1210 on the day of now into
// goods, priced at their reference price where they have one.
func catalogue(tb *tariff.Table, now time.Time) []goods {
	var out []goods
	for _, l := range tb.Lines() {
		if !l.Allows("1210") || !l.ValidOn(now) {
			continue
		}
		var p profile
		for _, p = range profiles {
			if strings.HasPrefix(l.HSCode, p.prefix) {
				break
			}
		}
		gd := goods{
			line: l, gcode: (l.HSCode + "0000000000")[:10], unit: p.unit, unit1: p.unit1,
			q1: decimal.RequireFromString(p.q1), kg: decimal.RequireFromString(p.kg),
			price: decimal.RequireFromString(p.price), spec: p.spec,
		}
		if l.ReferencePrice.Valid {
			gd.price = l.ReferencePrice.Decimal
		}
		if l.AnnualQtyLimit.Valid {
			gd.limited = true
			gd.unit1 = l.QtyUnit
		}
		out = append(out, gd)
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].gcode < out[b].gcode })
	return out
}

// item is one goods line of a declaration.
type item struct {
	g     goods
	qty   int64
	price decimal.Decimal
	brand string
}

func (it item) total() decimal.Decimal { return it.price.Mul(decimal.NewFromInt(it.qty)) }

var (
	brands   = []string{"北岸", "Alpenhof", "Kiwi Farm", "Maple Lane", "Sakura", "Nordvik", "Aussie Gold", "Seoul Glow", "Bella Terra", "Swiss Peak"}
	origins  = []string{"303", "304", "305", "307", "116", "133", "502", "601", "609", "501"}
	freights = []string{"0", "0", "5.00", "8.00", "10.00", "12.00", "15.00", "20.00"}
)

// pickItem draws one goods line, priced within ±30 % of its typical price.
func (g *Generator) pickItem() item {
	gd := g.goods[g.rnd.IntN(len(g.goods))]
	f := decimal.NewFromFloat(0.7 + 0.6*g.rnd.Float64())
	price := gd.price.Mul(f).Round(2)
	qty := int64(1 + g.rnd.IntN(3))
	if price.LessThan(decimal.NewFromInt(50)) {
		qty = int64(1 + g.rnd.IntN(6))
	}
	if gd.limited {
		qty = 1 // a bag a time keeps buyers under the annual quantity
	}
	return item{g: gd, qty: qty, price: price, brand: brands[g.rnd.IntN(len(brands))]}
}

// shortName is a tariff line's name without its parenthesised remarks.
func shortName(s string) string {
	if n := strings.IndexAny(s, "(（"); n > 0 {
		s = s[:n]
	}
	return truncate(s, 20)
}

// truncate cuts s to at most n characters.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

func brandIndex(b string) int {
	for n, x := range brands {
		if x == b {
			return n
		}
	}
	return 0
}
