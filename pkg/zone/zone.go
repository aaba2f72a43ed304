// Package zone is the registry of special customs supervision zones, the
// return-center warehouses inside them (GACC 2021 No.70, domain §16) and the
// supervision sites that receive 9610 returns, and decides which of them may
// receive the returned goods of an inventory list (decision D8).
//
// The registry is reference data loaded from a YAML file (--zones, default
// deploy/zones.yaml, sample data). A Registry is an immutable value: With
// and Deactivate return a new Registry and leave the receiver untouched, so
// a service can swap a pointer on change and its readers never lock.
package zone

import (
	"fmt"
	"github.com/cbec/cbec/pkg/refdata"
	"io"
	"regexp"
	"slices"

	"go.yaml.in/yaml/v3"

	"github.com/cbec/cbec/pkg/errcode"
)

// Trade modes whose returns the registry routes (domain §1).
const (
	// TradeModeBonded is 1210, online bonded import: returns go to a
	// return-center warehouse in the original list's zone.
	TradeModeBonded = "1210"
	// TradeModeDirect is 9610, direct purchase import: returns go back to
	// the original supervision site.
	TradeModeDirect = "9610"
)

// CreditRating is the customs credit rating of a warehouse's operator
// (海关企业信用等级).
type CreditRating string

// Credit ratings. Only Dishonest bars a return-center warehouse (No.70
// clause 3); the others are recorded for reporting.
const (
	// Advanced is 高级认证企业 (AEO).
	Advanced CreditRating = "advanced"
	// General is 一般信用企业.
	General CreditRating = "general"
	// Dishonest is 失信企业.
	Dishonest CreditRating = "dishonest"
)

// Kind tells what a registered place receives.
type Kind string

// Kinds of places.
const (
	// ReturnCenter is a return-center warehouse (退货中心仓) inside a special
	// customs supervision zone: it receives 1210 returns of its zone.
	ReturnCenter Kind = "return-center"
	// Site is a customs supervision site (监管作业场所) receiving the 9610
	// returns of the customs it serves.
	Site Kind = "site"
)

// Zone is a special customs supervision zone (here a comprehensive bonded
// zone, 综合保税区).
type Zone struct {
	// Code is the registry's code of the zone; official zone codes are not
	// published (§18), so it is configuration.
	Code string `yaml:"code" json:"code"`
	// Name is the zone's name.
	Name string `yaml:"name" json:"name"`
	// AreaCodes are the customs codes of the zone's bonded warehouse
	// enterprises: a 1210 list's areaCode (区内仓储企业) tells its zone.
	AreaCodes []string `yaml:"areaCodes,omitempty" json:"areaCodes,omitempty"`
	// CustomsCodes are the customs (JGS/T 18) supervising the zone.
	CustomsCodes []string `yaml:"customsCodes,omitempty" json:"customsCodes,omitempty"`
}

// Warehouse is a return-center warehouse or a 9610 supervision site.
type Warehouse struct {
	// Code is the registry's code of the warehouse.
	Code string `yaml:"code" json:"code"`
	// Name is the warehouse's name.
	Name string `yaml:"name" json:"name"`
	// Zone is the code of the zone the warehouse is in; required for a
	// return-center warehouse, optional for a site.
	Zone string `yaml:"zone,omitempty" json:"zone,omitempty"`
	// OperatorCode is the customs code of the operating enterprise, the
	// party that reports the warehouse's events.
	OperatorCode string `yaml:"operatorCode" json:"operatorCode"`
	// CreditRating is the operator's customs credit rating.
	CreditRating CreditRating `yaml:"creditRating" json:"creditRating"`
	// FilingNo is the customs filing (备案) of the facility; required for a
	// return-center warehouse, whose facilities customs verifies and files
	// before it operates (§16).
	FilingNo string `yaml:"filingNo,omitempty" json:"filingNo,omitempty"`
	// Active is false once the warehouse is suspended; it stays registered
	// so that past returns keep naming it.
	Active bool `yaml:"active" json:"active"`
	// Kind tells whether it receives 1210 or 9610 returns.
	Kind Kind `yaml:"kind" json:"kind"`
	// CustomsCodes are, for a site, the customs whose 9610 returns it
	// receives.
	CustomsCodes []string `yaml:"customsCodes,omitempty" json:"customsCodes,omitempty"`
}

// Registry is a loaded set of zones and warehouses. It is immutable: its
// methods never change it, so it is safe for concurrent use without locks.
type Registry struct {
	zones    []Zone
	zoneIdx  map[string]int // zone code → index in zones
	areaZone map[string]int // area code → index in zones
	// warehouses keep the file's order (new ones are appended) so that
	// Encode writes a stable, diffable file.
	warehouses []Warehouse
	whIdx      map[string]int // warehouse code → index in warehouses
}

// Codes are used in subjects, URLs and metric labels, hence the plain
// character set; party codes follow pkg/party's pattern.
var (
	codePattern     = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)
	operatorPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,18}$`)
	customsPattern  = regexp.MustCompile(`^[0-9]{4}$`)
	areaPattern     = regexp.MustCompile(`^[A-Za-z0-9]{1,18}$`)
)

// file is the YAML layout read by Load. Active is a pointer so that a
// warehouse that forgets it is refused instead of silently inactive.
type file struct {
	Zones      []Zone         `yaml:"zones"`
	Warehouses []warehouseRaw `yaml:"warehouses"`
}

type warehouseRaw struct {
	Code         string       `yaml:"code"`
	Name         string       `yaml:"name"`
	Zone         string       `yaml:"zone"`
	OperatorCode string       `yaml:"operatorCode"`
	CreditRating CreditRating `yaml:"creditRating"`
	FilingNo     string       `yaml:"filingNo"`
	Active       *bool        `yaml:"active"`
	Kind         Kind         `yaml:"kind"`
	CustomsCodes []string     `yaml:"customsCodes"`
}

// encoded is the YAML layout written by Encode.
type encoded struct {
	Zones      []Zone      `yaml:"zones"`
	Warehouses []Warehouse `yaml:"warehouses"`
}

// Load reads a zones file (see deploy/zones.yaml) and refuses it whole on
// the first problem: unknown fields, more than one YAML document, a zone or
// warehouse code given twice, an area code in two zones, a reference to an
// unknown zone, an unknown credit rating or kind, a missing required field
// or a malformed code.
func Load(r io.Reader) (*Registry, error) {
	var f file
	if err := refdata.Decode(r, &f); err != nil {
		return nil, fmt.Errorf("zones file: %w", err)
	}

	reg := &Registry{
		zoneIdx:  make(map[string]int, len(f.Zones)),
		areaZone: map[string]int{},
		whIdx:    make(map[string]int, len(f.Warehouses)),
	}
	for i, z := range f.Zones {
		if err := validateZone(z); err != nil {
			return nil, fmt.Errorf("zones file: zone %d: %w", i+1, err)
		}
		if _, dup := reg.zoneIdx[z.Code]; dup {
			return nil, fmt.Errorf("zones file: zone %s listed twice", z.Code)
		}
		for _, a := range z.AreaCodes {
			if j, dup := reg.areaZone[a]; dup {
				// An area code must name one zone, or a list's zone
				// would be ambiguous.
				return nil, fmt.Errorf("zones file: area code %s is in zones %s and %s", a, reg.zones[j].Code, z.Code)
			}
			reg.areaZone[a] = len(reg.zones)
		}
		reg.zoneIdx[z.Code] = len(reg.zones)
		reg.zones = append(reg.zones, cloneZone(z))
	}
	for i, raw := range f.Warehouses {
		if raw.Active == nil {
			return nil, fmt.Errorf("zones file: warehouse %d (%s): active is missing", i+1, raw.Code)
		}
		w := Warehouse{
			Code: raw.Code, Name: raw.Name, Zone: raw.Zone, OperatorCode: raw.OperatorCode,
			CreditRating: raw.CreditRating, FilingNo: raw.FilingNo, Active: *raw.Active,
			Kind: raw.Kind, CustomsCodes: slices.Clone(raw.CustomsCodes),
		}
		if err := reg.validateWarehouse(w); err != nil {
			return nil, fmt.Errorf("zones file: warehouse %d: %w", i+1, err)
		}
		if _, dup := reg.whIdx[w.Code]; dup {
			return nil, fmt.Errorf("zones file: warehouse %s listed twice", w.Code)
		}
		reg.whIdx[w.Code] = len(reg.warehouses)
		reg.warehouses = append(reg.warehouses, w)
	}
	return reg, nil
}

func validateZone(z Zone) error {
	if !codePattern.MatchString(z.Code) {
		return fmt.Errorf("code %q must be 1-32 letters, digits, '_' or '-'", z.Code)
	}
	if z.Name == "" {
		return fmt.Errorf("%s: name is missing", z.Code)
	}
	for _, a := range z.AreaCodes {
		if !areaPattern.MatchString(a) {
			return fmt.Errorf("%s: area code %q must be 1-18 letters or digits", z.Code, a)
		}
	}
	if err := checkCustoms(z.CustomsCodes); err != nil {
		return fmt.Errorf("%s: %w", z.Code, err)
	}
	if d := firstDuplicate(z.AreaCodes); d != "" {
		return fmt.Errorf("%s: area code %s listed twice", z.Code, d)
	}
	return nil
}

// validateWarehouse checks w on its own and its zone reference against the
// registry's zones; it does not check that the code is new.
func (r *Registry) validateWarehouse(w Warehouse) error {
	if !codePattern.MatchString(w.Code) {
		return fmt.Errorf("code %q must be 1-32 letters, digits, '_' or '-'", w.Code)
	}
	if w.Name == "" {
		return fmt.Errorf("%s: name is missing", w.Code)
	}
	if !operatorPattern.MatchString(w.OperatorCode) {
		return fmt.Errorf("%s: operatorCode %q must be 1-18 letters, digits, '_' or '-'", w.Code, w.OperatorCode)
	}
	switch w.CreditRating {
	case Advanced, General, Dishonest:
	default:
		return fmt.Errorf("%s: creditRating %q is not advanced, general or dishonest", w.Code, w.CreditRating)
	}
	if err := checkCustoms(w.CustomsCodes); err != nil {
		return fmt.Errorf("%s: %w", w.Code, err)
	}
	if w.Zone != "" {
		if _, ok := r.zoneIdx[w.Zone]; !ok {
			return fmt.Errorf("%s: unknown zone %q", w.Code, w.Zone)
		}
	}
	switch w.Kind {
	case ReturnCenter:
		if w.Zone == "" {
			return fmt.Errorf("%s: a return-center warehouse needs its zone", w.Code)
		}
		if w.FilingNo == "" {
			return fmt.Errorf("%s: a return-center warehouse needs its customs filingNo", w.Code)
		}
	case Site:
		if len(w.CustomsCodes) == 0 {
			return fmt.Errorf("%s: a site needs the customsCodes it serves", w.Code)
		}
	default:
		return fmt.Errorf("%s: kind %q is not return-center or site", w.Code, w.Kind)
	}
	return nil
}

func checkCustoms(codes []string) error {
	for _, c := range codes {
		if !customsPattern.MatchString(c) {
			return fmt.Errorf("customs code %q must be 4 digits", c)
		}
	}
	if d := firstDuplicate(codes); d != "" {
		return fmt.Errorf("customs code %s listed twice", d)
	}
	return nil
}

func firstDuplicate(s []string) string {
	seen := make(map[string]bool, len(s))
	for _, x := range s {
		if seen[x] {
			return x
		}
		seen[x] = true
	}
	return ""
}

// The registry hands out copies so that no caller can change a value that
// other readers share.
func cloneZone(z Zone) Zone {
	z.AreaCodes = slices.Clone(z.AreaCodes)
	z.CustomsCodes = slices.Clone(z.CustomsCodes)
	return z
}

func cloneWarehouse(w Warehouse) Warehouse {
	w.CustomsCodes = slices.Clone(w.CustomsCodes)
	return w
}

// Zones returns the zones in file order.
func (r *Registry) Zones() []Zone {
	out := make([]Zone, len(r.zones))
	for i, z := range r.zones {
		out[i] = cloneZone(z)
	}
	return out
}

// Zone returns the zone with the code, or false.
func (r *Registry) Zone(code string) (Zone, bool) {
	i, ok := r.zoneIdx[code]
	if !ok {
		return Zone{}, false
	}
	return cloneZone(r.zones[i]), true
}

// Warehouses returns every registered warehouse and site, active or not, in
// file order with added ones last.
func (r *Registry) Warehouses() []Warehouse {
	out := make([]Warehouse, len(r.warehouses))
	for i, w := range r.warehouses {
		out[i] = cloneWarehouse(w)
	}
	return out
}

// Warehouse returns the warehouse or site with the code, or false.
func (r *Registry) Warehouse(code string) (Warehouse, bool) {
	i, ok := r.whIdx[code]
	if !ok {
		return Warehouse{}, false
	}
	return cloneWarehouse(r.warehouses[i]), true
}

// ZoneOfArea returns the zone of an inventory list's areaCode (the zone's
// bonded warehouse enterprise), or false when no zone lists it.
func (r *Registry) ZoneOfArea(areaCode string) (Zone, bool) {
	i, ok := r.areaZone[areaCode]
	if !ok {
		return Zone{}, false
	}
	return cloneZone(r.zones[i]), true
}

// With returns a registry in which w is added, or replaces the warehouse
// with the same code. w is validated like a file entry; an invalid one is
// refused with errcode.BadRequest and the receiver is unchanged either way.
func (r *Registry) With(w Warehouse) (*Registry, error) {
	w = cloneWarehouse(w)
	if err := r.validateWarehouse(w); err != nil {
		return nil, errcode.New(errcode.BadRequest, "warehouse: %v", err)
	}
	n := r.shallowCopy()
	if i, ok := n.whIdx[w.Code]; ok {
		n.warehouses[i] = w
		return n, nil
	}
	n.whIdx[w.Code] = len(n.warehouses)
	n.warehouses = append(n.warehouses, w)
	return n, nil
}

// Deactivate returns a registry in which the warehouse is inactive. The
// warehouse stays registered, so returns already routed to it keep a valid
// reference. An unknown code is refused with errcode.WarehouseUnknown.
func (r *Registry) Deactivate(code string) (*Registry, error) {
	i, ok := r.whIdx[code]
	if !ok {
		return nil, errcode.New(errcode.WarehouseUnknown, "warehouse %s is not registered", code)
	}
	n := r.shallowCopy()
	n.warehouses[i].Active = false
	return n, nil
}

// shallowCopy copies what With and Deactivate change (the warehouse slice
// and its index) and shares the zones, which never change after Load.
func (r *Registry) shallowCopy() *Registry {
	whIdx := make(map[string]int, len(r.whIdx)+1)
	for k, v := range r.whIdx {
		whIdx[k] = v
	}
	return &Registry{
		zones:      r.zones,
		zoneIdx:    r.zoneIdx,
		areaZone:   r.areaZone,
		warehouses: slices.Clone(r.warehouses),
		whIdx:      whIdx,
	}
}

// zoneLabel names a zone in messages: its code and name, or "unknown" when
// the list's areaCode matched no zone.
func (r *Registry) zoneLabel(code string) string {
	if code == "" {
		return "unknown"
	}
	if i, ok := r.zoneIdx[code]; ok {
		return code + " (" + r.zones[i].Name + ")"
	}
	return code
}

// Eligible reports whether the warehouse may receive the returned goods of
// an inventory list (D8), given the list's trade mode, its zone (from
// ZoneOfArea of its areaCode; empty when unknown) and its customsCode.
//
// For 1210 the warehouse must be registered, active, a return-center
// warehouse, with an operator not rated dishonest, in the list's zone. For
// 9610 it must be an active site serving the list's customs: the goods go
// back to the original supervision site, and No.70 does not cover 9610, so
// the credit rating is not checked. The checks run in that order and the
// first failure is returned as an *errcode.Error: WarehouseUnknown,
// WarehouseInactive, ReturnSite (wrong kind, or a site not serving that
// customs), WarehouseDishonest or WarehouseZone. Another trade mode is
// refused with BadRequest.
func (r *Registry) Eligible(warehouseCode, tradeMode, zoneCode, customsCode string) error {
	i, ok := r.whIdx[warehouseCode]
	if !ok {
		return errcode.New(errcode.WarehouseUnknown, "warehouse %s is not registered", warehouseCode)
	}
	w := &r.warehouses[i]
	name := w.Code + " (" + w.Name + ")"
	if !w.Active {
		return errcode.New(errcode.WarehouseInactive, "warehouse %s is deactivated", name)
	}
	switch tradeMode {
	case TradeModeBonded:
		if w.Kind != ReturnCenter {
			return errcode.New(errcode.ReturnSite,
				"warehouse %s is a 9610 supervision site; a 1210 return goes to a return-center warehouse in zone %s",
				name, r.zoneLabel(zoneCode))
		}
		if w.CreditRating == Dishonest {
			return errcode.New(errcode.WarehouseDishonest,
				"warehouse %s in zone %s: operator %s is rated dishonest (失信)",
				name, r.zoneLabel(w.Zone), w.OperatorCode)
		}
		if zoneCode == "" || w.Zone != zoneCode {
			return errcode.New(errcode.WarehouseZone,
				"warehouse %s is in zone %s, not in the original list's zone %s",
				name, r.zoneLabel(w.Zone), r.zoneLabel(zoneCode))
		}
		return nil
	case TradeModeDirect:
		if w.Kind != Site {
			return errcode.New(errcode.ReturnSite,
				"warehouse %s is a return-center warehouse in zone %s; a 9610 return goes back to the original supervision site of customs %s",
				name, r.zoneLabel(w.Zone), customsCode)
		}
		if !slices.Contains(w.CustomsCodes, customsCode) {
			return errcode.New(errcode.ReturnSite,
				"site %s does not serve customs %s, the original list's customs; a 9610 return goes back to the original supervision site",
				name, customsCode)
		}
		return nil
	default:
		return errcode.New(errcode.BadRequest, "trade mode %q: returns are routed only for 1210 and 9610", tradeMode)
	}
}

// AnyEligible reports whether some registered warehouse is Eligible for a
// list of the trade mode, zone and customs; when none is, a return cannot
// be routed (errcode.ReturnNoWarehouse).
func (r *Registry) AnyEligible(tradeMode, zoneCode, customsCode string) bool {
	for _, w := range r.warehouses {
		if r.Eligible(w.Code, tradeMode, zoneCode, customsCode) == nil {
			return true
		}
	}
	return false
}

// Encode writes the registry as a zones file that Load reads back to an
// equal registry, so that a service can persist changes made with With and
// Deactivate.
func (r *Registry) Encode(w io.Writer) error {
	if _, err := io.WriteString(w, "# Zones, return-center warehouses and supervision sites of cbec (pkg/zone),\n# written by zone.Registry.Encode.\n"); err != nil {
		return err
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(encoded{Zones: r.Zones(), Warehouses: r.Warehouses()}); err != nil {
		return fmt.Errorf("zones file: %w", err)
	}
	return enc.Close()
}
