package load

import (
	"fmt"
	"hash/fnv"
	"io"
	"strconv"

	"github.com/cbec/cbec/pkg/identity"
)

// Buyer is a deterministic person of a seed's population: a valid GB 11643
// ID number, a name, a telephone and an address of their own.
type Buyer struct {
	N                               int
	ID, Name, Phone, RegNo          string
	District, DistrictName, Address string
}

var (
	districts = []struct{ code, name string }{
		{"500103", "重庆市渝中区"}, {"500105", "重庆市江北区"}, {"500106", "重庆市沙坪坝区"},
		{"500107", "重庆市九龙坡区"}, {"500108", "重庆市南岸区"}, {"500112", "重庆市渝北区"},
	}
	streets  = []string{"解放碑大道", "观音桥步行街", "三峡广场路", "杨家坪正街", "南坪东路", "新牌坊二路", "金开大道", "星光大道"}
	surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾")
	given    = []rune("伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华玉萍红娥玲")
)

// Buyer returns buyer n of the seed's population: the same n and seed give
// the same person, in every run. The ID number is born in one of the
// districts of Chongqing between 1960 and 2004, its check character
// identity.CheckCode's.
func (g *Generator) Buyer(n int) Buyer {
	x := fnvOf(strconv.FormatInt(g.cfg.Seed, 10) + "/" + strconv.Itoa(n))
	d := districts[x%uint64(len(districts))]
	x /= uint64(len(districts))
	year, month, day := 1960+int(x%45), 1+int(x/45%12), 1+int(x/540%28)
	first17 := fmt.Sprintf("%s%04d%02d%02d%03d", d.code, year, month, day, n%1000)
	name := string(surnames[x%uint64(len(surnames))]) + string(given[x/31%uint64(len(given))])
	if x%3 == 0 {
		name += string(given[x/997%uint64(len(given))])
	}
	return Buyer{
		N: n, ID: first17 + string(identity.CheckCode(first17)), Name: name,
		Phone:    fmt.Sprintf("13%09d", x%1_000_000_000),
		RegNo:    fmt.Sprintf("u%08d", n),
		District: d.code, DistrictName: d.name,
		Address: fmt.Sprintf("%s%s%d号%d栋%d室", d.name, streets[x/7%uint64(len(streets))], 1+n%500, 1+n/500, 101+int(x/13%20)),
	}
}

func fnvOf(s string) uint64 {
	h := fnv.New64a()
	_, _ = io.WriteString(h, s)
	return h.Sum64()
}
