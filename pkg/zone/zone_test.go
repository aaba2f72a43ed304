package zone_test

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/cbec/cbec/deploy"
	"github.com/cbec/cbec/pkg/ceb/cebtest"
	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/zone"
)

func loadDefault(t *testing.T) *zone.Registry {
	t.Helper()
	r, err := zone.Load(bytes.NewReader(deploy.Zones))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestDefaultRegistry(t *testing.T) {
	r := loadDefault(t)
	if n := len(r.Zones()); n != 6 {
		t.Errorf("%d zones, want Chongqing's six", n)
	}
	z, ok := r.ZoneOfArea(cebtest.AreaCode)
	if !ok || z.Code != "CQ-XY" {
		t.Fatalf("zone of cebtest area %s: %+v %v, want CQ-XY", cebtest.AreaCode, z, ok)
	}
	if _, ok := r.ZoneOfArea("9999999999"); ok {
		t.Error("unknown area code has a zone")
	}
	if zz, ok := r.Zone("CQ-XY"); !ok || zz.Name != "西永综合保税区" {
		t.Errorf("Zone(CQ-XY) = %+v %v", zz, ok)
	}
	w, ok := r.Warehouse("CQ-XY-RC01")
	if !ok || w.OperatorCode != "5000000001" || w.Zone != "CQ-XY" || !w.Active || w.Kind != zone.ReturnCenter {
		t.Errorf("demo warehouse %+v %v", w, ok)
	}
	site, ok := r.Warehouse("CQ-SITE-8001")
	if !ok || site.OperatorCode != "5000000002" || site.Kind != zone.Site || !reflect.DeepEqual(site.CustomsCodes, []string{"8001"}) {
		t.Errorf("site %+v %v", site, ok)
	}

	// The cebtest list (1210, area 1500000006, customs 8001) has a
	// warehouse, and so does a 9610 list of customs 8001.
	if err := r.Eligible("CQ-XY-RC01", cebtest.TradeMode, z.Code, cebtest.CustomsCode); err != nil {
		t.Errorf("demo warehouse not eligible for the cebtest list: %v", err)
	}
	if err := r.Eligible("CQ-LL-RC01", "1210", "CQ-LL", "8002"); err != nil {
		t.Errorf("Lianglu warehouse not eligible: %v", err)
	}
	if err := r.Eligible("CQ-SITE-8001", "9610", "", "8001"); err != nil {
		t.Errorf("site not eligible for a 9610 list of 8001: %v", err)
	}
}

func TestEligibleRefusals(t *testing.T) {
	r := loadDefault(t)
	cases := []struct {
		name                           string
		warehouse, mode, zone, customs string
		want                           errcode.Code
		mentions                       []string
	}{
		{"unknown", "CQ-NOPE", "1210", "CQ-XY", "8001", errcode.WarehouseUnknown, []string{"CQ-NOPE"}},
		{"inactive", "CQ-WZ-RC01", "1210", "CQ-WZ", "8005", errcode.WarehouseInactive, []string{"CQ-WZ-RC01"}},
		{"dishonest operator", "CQ-JJ-RC01", "1210", "CQ-JJ", "8003", errcode.WarehouseDishonest, []string{"CQ-JJ-RC01", "5000000005", "CQ-JJ"}},
		{"other zone", "CQ-LL-RC01", "1210", "CQ-XY", "8001", errcode.WarehouseZone, []string{"CQ-LL-RC01", "CQ-LL", "CQ-XY"}},
		{"list zone unknown", "CQ-XY-RC01", "1210", "", "8001", errcode.WarehouseZone, []string{"CQ-XY-RC01", "unknown"}},
		{"site for a 1210 list", "CQ-SITE-8001", "1210", "CQ-XY", "8001", errcode.ReturnSite, []string{"CQ-SITE-8001", "CQ-XY"}},
		{"return center for a 9610 list", "CQ-XY-RC01", "9610", "", "8001", errcode.ReturnSite, []string{"CQ-XY-RC01", "8001"}},
		{"site of other customs", "CQ-SITE-8001", "9610", "", "8002", errcode.ReturnSite, []string{"CQ-SITE-8001", "8002"}},
		{"other trade mode", "CQ-XY-RC01", "1239", "CQ-XY", "8001", errcode.BadRequest, []string{"1239"}},
	}
	for _, c := range cases {
		err := r.Eligible(c.warehouse, c.mode, c.zone, c.customs)
		if got := errcode.Of(err); got != c.want {
			t.Errorf("%s: code %s (%v), want %s", c.name, got, err, c.want)
			continue
		}
		for _, m := range c.mentions {
			if !strings.Contains(err.Error(), m) {
				t.Errorf("%s: message %q does not name %s", c.name, err, m)
			}
		}
	}
}

func TestAnyEligible(t *testing.T) {
	r := loadDefault(t)
	cases := []struct {
		mode, zone, customs string
		want                bool
	}{
		{"1210", "CQ-XY", "8001", true},
		{"1210", "CQ-LL", "8002", true},
		{"1210", "CQ-WZ", "8005", false}, // only an inactive one
		{"1210", "CQ-JJ", "8003", false}, // only a dishonest one
		{"1210", "CQ-YC", "8006", false}, // none
		{"1210", "", "8001", false},
		{"9610", "", "8001", true},
		{"9610", "", "8002", false},
		{"1239", "CQ-XY", "8001", false},
	}
	for _, c := range cases {
		if got := r.AnyEligible(c.mode, c.zone, c.customs); got != c.want {
			t.Errorf("AnyEligible(%s, %s, %s) = %v, want %v", c.mode, c.zone, c.customs, got, c.want)
		}
	}
}

func TestWithAndDeactivateLeaveTheOriginal(t *testing.T) {
	r := loadDefault(t)
	before := r.Warehouses()

	off, err := r.Deactivate("CQ-XY-RC01")
	if err != nil {
		t.Fatal(err)
	}
	if errcode.Of(off.Eligible("CQ-XY-RC01", "1210", "CQ-XY", "8001")) != errcode.WarehouseInactive {
		t.Error("deactivated warehouse still eligible")
	}
	if off.AnyEligible("1210", "CQ-XY", "8001") {
		t.Error("Xiyong still has an eligible warehouse")
	}
	if err := r.Eligible("CQ-XY-RC01", "1210", "CQ-XY", "8001"); err != nil {
		t.Errorf("Deactivate changed the original: %v", err)
	}
	if _, err := r.Deactivate("CQ-NOPE"); errcode.Of(err) != errcode.WarehouseUnknown {
		t.Errorf("deactivating an unknown warehouse: %v", err)
	}

	yc := zone.Warehouse{Code: "CQ-YC-RC01", Name: "永川退货中心仓", Zone: "CQ-YC", OperatorCode: "5000000006",
		CreditRating: zone.General, FilingNo: "SAMPLE-YC-1", Active: true, Kind: zone.ReturnCenter}
	added, err := off.With(yc)
	if err != nil {
		t.Fatal(err)
	}
	if !added.AnyEligible("1210", "CQ-YC", "8006") {
		t.Error("added warehouse not eligible")
	}
	if r.AnyEligible("1210", "CQ-YC", "8006") || off.AnyEligible("1210", "CQ-YC", "8006") {
		t.Error("With changed an earlier registry")
	}
	if got := added.Warehouses(); got[len(got)-1].Code != "CQ-YC-RC01" || len(got) != len(before)+1 {
		t.Errorf("added warehouse not last: %+v", got)
	}

	// Replacing: the rating changes in the new registry only.
	ll, _ := r.Warehouse("CQ-LL-RC01")
	ll.CreditRating = zone.Dishonest
	replaced, err := r.With(ll)
	if err != nil {
		t.Fatal(err)
	}
	if errcode.Of(replaced.Eligible("CQ-LL-RC01", "1210", "CQ-LL", "8002")) != errcode.WarehouseDishonest {
		t.Error("replacement not applied")
	}
	if len(replaced.Warehouses()) != len(before) {
		t.Error("replacement added a warehouse")
	}
	if !reflect.DeepEqual(r.Warehouses(), before) {
		t.Error("With or Deactivate changed the original registry")
	}

	// Values handed out are copies.
	site, _ := r.Warehouse("CQ-SITE-8001")
	site.CustomsCodes[0] = "9999"
	r.Zones()[0].AreaCodes[0] = "x"
	if err := r.Eligible("CQ-SITE-8001", "9610", "", "8001"); err != nil {
		t.Errorf("changing a returned value changed the registry: %v", err)
	}
	if _, ok := r.ZoneOfArea(cebtest.AreaCode); !ok {
		t.Error("changing a returned zone changed the registry")
	}
}

func TestWithRefusesInvalidWarehouses(t *testing.T) {
	r := loadDefault(t)
	good := zone.Warehouse{Code: "CQ-FL-RC01", Name: "涪陵退货中心仓", Zone: "CQ-FL", OperatorCode: "5000000007",
		CreditRating: zone.Advanced, FilingNo: "SAMPLE-FL-1", Active: true, Kind: zone.ReturnCenter}
	cases := map[string]func(w *zone.Warehouse){
		"unknown zone":         func(w *zone.Warehouse) { w.Zone = "CQ-NOPE" },
		"no zone":              func(w *zone.Warehouse) { w.Zone = "" },
		"bad rating":           func(w *zone.Warehouse) { w.CreditRating = "excellent" },
		"no rating":            func(w *zone.Warehouse) { w.CreditRating = "" },
		"bad kind":             func(w *zone.Warehouse) { w.Kind = "depot" },
		"no filing":            func(w *zone.Warehouse) { w.FilingNo = "" },
		"no name":              func(w *zone.Warehouse) { w.Name = "" },
		"bad code":             func(w *zone.Warehouse) { w.Code = "a b" },
		"no operator":          func(w *zone.Warehouse) { w.OperatorCode = "" },
		"bad customs":          func(w *zone.Warehouse) { w.CustomsCodes = []string{"80011"} },
		"site without customs": func(w *zone.Warehouse) { w.Kind = zone.Site },
		"customs listed twice": func(w *zone.Warehouse) { w.Kind = zone.Site; w.CustomsCodes = []string{"8001", "8001"} },
	}
	for name, mutate := range cases {
		w := good
		mutate(&w)
		if _, err := r.With(w); errcode.Of(err) != errcode.BadRequest {
			t.Errorf("%s: %v, want %s", name, err, errcode.BadRequest)
		}
	}
	if _, err := r.With(good); err != nil {
		t.Errorf("valid warehouse refused: %v", err)
	}
}

func TestEncodeLoadRoundTrip(t *testing.T) {
	r := loadDefault(t)
	r, err := r.Deactivate("CQ-LL-RC01")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := r.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := zone.Load(&buf)
	if err != nil {
		t.Fatalf("Load(Encode): %v\n%s", err, buf.String())
	}
	if !reflect.DeepEqual(back.Zones(), r.Zones()) {
		t.Errorf("zones differ:\n%+v\n%+v", back.Zones(), r.Zones())
	}
	if !reflect.DeepEqual(back.Warehouses(), r.Warehouses()) {
		t.Errorf("warehouses differ:\n%+v\n%+v", back.Warehouses(), r.Warehouses())
	}
	if w, _ := back.Warehouse("CQ-LL-RC01"); w.Active {
		t.Error("deactivation lost in the round trip")
	}
}

func TestLoadRefusesBadFiles(t *testing.T) {
	const z = "zones:\n  - {code: CQ-XY, name: 西永, areaCodes: [\"1500000006\"], customsCodes: [\"8001\"]}\n"
	const rc = "  - {code: W1, name: w, zone: CQ-XY, operatorCode: \"5000000001\", creditRating: general, filingNo: F1, active: true, kind: return-center}\n"
	cases := map[string]string{
		"empty":                  "",
		"unknown field":          z + "warehouses:\n  - {code: W1, name: w, zone: CQ-XY, operatorCode: o, creditRating: general, filingNo: F1, active: true, kind: return-center, colour: red}\n",
		"unknown zone ref":       z + "warehouses:\n  - {code: W1, name: w, zone: CQ-LL, operatorCode: o, creditRating: general, filingNo: F1, active: true, kind: return-center}\n",
		"duplicate warehouse":    z + "warehouses:\n" + rc + rc,
		"duplicate zone":         z + "  - {code: CQ-XY, name: again}\n",
		"area code in two zones": z + "  - {code: CQ-LL, name: 两路, areaCodes: [\"1500000006\"]}\n",
		"bad rating":             z + "warehouses:\n  - {code: W1, name: w, zone: CQ-XY, operatorCode: o, creditRating: AA, filingNo: F1, active: true, kind: return-center}\n",
		"bad kind":               z + "warehouses:\n  - {code: W1, name: w, zone: CQ-XY, operatorCode: o, creditRating: general, filingNo: F1, active: true, kind: shop}\n",
		"active missing":         z + "warehouses:\n  - {code: W1, name: w, zone: CQ-XY, operatorCode: o, creditRating: general, filingNo: F1, kind: return-center}\n",
		"bad customs code":       "zones:\n  - {code: CQ-XY, name: 西永, customsCodes: [\"80A1\"]}\n",
		"zone without name":      "zones:\n  - {code: CQ-XY}\n",
		"two documents":          z + "---\n" + z,
		"not YAML":               "zones: [",
	}
	for name, text := range cases {
		if _, err := zone.Load(strings.NewReader(text)); err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
	if _, err := zone.Load(strings.NewReader(z + "warehouses:\n" + rc)); err != nil {
		t.Errorf("valid file refused: %v", err)
	}
}

// TestConcurrentReadersAndWriters runs readers on one registry while
// writers derive new ones; -race reports any shared mutation.
func TestConcurrentReadersAndWriters(t *testing.T) {
	r := loadDefault(t)
	done := make(chan struct{})
	for range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 200 {
				_ = r.AnyEligible("1210", "CQ-XY", "8001")
				_ = r.Warehouses()
			}
		}()
	}
	for i := range 200 {
		n, err := r.Deactivate("CQ-XY-RC01")
		if err != nil {
			t.Error(err)
			break
		}
		if _, err := n.With(zone.Warehouse{Code: "X" + string(rune('A'+i%26)), Name: "x", Zone: "CQ-XY", OperatorCode: "o",
			CreditRating: zone.General, FilingNo: "F", Active: true, Kind: zone.ReturnCenter}); err != nil {
			t.Error(err)
			break
		}
	}
	for range 4 {
		<-done
	}
}
