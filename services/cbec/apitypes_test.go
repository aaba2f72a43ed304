package main

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/httpapi"
	"github.com/cbec/cbec/pkg/receipt"
	"github.com/cbec/cbec/pkg/refund"
	"github.com/cbec/cbec/pkg/tax"
	"github.com/cbec/cbec/pkg/webhook"
	"github.com/cbec/cbec/pkg/zone"
	"github.com/cbec/cbec/services/export"
	"github.com/cbec/cbec/services/gateway"
	"github.com/cbec/cbec/services/returns"
	"github.com/cbec/cbec/services/review"
	rulesadmin "github.com/cbec/cbec/services/rules"
	"github.com/cbec/cbec/services/webhooks"
)

// apiTypes names the Go type behind each hand-written component schema of
// docs/openapi.yaml: the value a handler encodes as its answer, or decodes
// from a request body. TestOpenAPISchemasMatchGoTypes holds each schema to
// its type's JSON fields.
var apiTypes = map[string]reflect.Type{
	"SubmitResponse":      reflect.TypeFor[gateway.SubmitResponse](),
	"Result":              reflect.TypeFor[gateway.Result](),
	"Error":               reflect.TypeFor[errcode.Error](),
	"Detail":              reflect.TypeFor[errcode.Detail](),
	"Problem":             reflect.TypeFor[httpapi.Problem](),
	"ReceiptsPage":        reflect.TypeFor[gateway.ReceiptsResponse](),
	"ReceiptRecord":       reflect.TypeFor[receipt.Record](),
	"InventoryView":       reflect.TypeFor[gateway.InventoryView](),
	"Assessment":          reflect.TypeFor[tax.Assessment](),
	"TaxBill":             reflect.TypeFor[tax.Bill](),
	"Clock":               reflect.TypeFor[gateway.ClockRequest](),
	"ExportList":          reflect.TypeFor[export.List](),
	"ExportSummary":       reflect.TypeFor[export.Declaration](),
	"Parcel":              reflect.TypeFor[returns.Parcel](),
	"Arrival":             reflect.TypeFor[returns.Arrival](),
	"Sorting":             reflect.TypeFor[returns.Sorting](),
	"SortResult":          reflect.TypeFor[returns.SortResult](),
	"ShipmentReport":      reflect.TypeFor[returns.ShipmentReport](),
	"ReturnRecord":        reflect.TypeFor[returns.Record](),
	"Restored":            reflect.TypeFor[refund.Amounts](),
	"ListReturns":         reflect.TypeFor[returns.ListReturns](),
	"Zone":                reflect.TypeFor[zone.Zone](),
	"Warehouse":           reflect.TypeFor[zone.Warehouse](),
	"Registry":            reflect.TypeFor[registryAnswer](),
	"ReviewAction":        reflect.TypeFor[review.ActionRequest](),
	"ReviewList":          reflect.TypeFor[review.ListResponse](),
	"ReviewCase":          reflect.TypeFor[review.CaseView](),
	"ReviewClaim":         reflect.TypeFor[review.Claim](),
	"ReviewAudit":         reflect.TypeFor[review.AuditEntry](),
	"ReviewSnapshot":      reflect.TypeFor[review.Snapshot](),
	"ReviewBulkRelease":   reflect.TypeFor[review.BulkReleaseRequest](),
	"ReviewReassignQueue": reflect.TypeFor[review.ReassignQueueRequest](),
	"ReviewBulkResponse":  reflect.TypeFor[review.BulkResponse](),
	"ReviewBulkResult":    reflect.TypeFor[review.BulkResult](),
	"ReviewRebuild":       reflect.TypeFor[review.RebuildResponse](),
	"WebhookRequest":      reflect.TypeFor[webhook.Request](),
	"WebhookFields":       reflect.TypeFor[webhook.Subscription](),
	"WebhookSubscription": reflect.TypeFor[webhook.Subscription](),
	"WebhookState":        reflect.TypeFor[webhook.State](),
	"WebhookView":         reflect.TypeFor[webhooks.View](),
	"WebhookList":         reflect.TypeFor[webhooks.ListResponse](),
	"BacktestRequest":     reflect.TypeFor[rulesadmin.BacktestRequest](),
	"BacktestReport":      reflect.TypeFor[rulesadmin.Report](),
	"ActivateRequest":     reflect.TypeFor[rulesadmin.ActivateRequest](),
	"RulesActive":         reflect.TypeFor[rulesadmin.Active](),
}

// registryAnswer is the JSON of GET /v1/returns/warehouses, which the
// handler writes as a map of the registry's zones and warehouses
// (services/returns/registry.go).
type registryAnswer struct {
	Zones      []zone.Zone      `json:"zones"`
	Warehouses []zone.Warehouse `json:"warehouses"`
}

// untypedSchemas are the component schemas that describe no Go struct's
// JSON, and why.
var untypedSchemas = map[string]string{
	"CEBMessage":     "a CEB XML message, a string",
	"ImportDocument": "the generated schemas of docs/schemas, kept in step with pkg/ceb by go generate",
	"ExportDocument": "the generated schemas of docs/schemas, kept in step with pkg/ceb by go generate",
	"MsgType":        "a string",
	"ReceiptType":    "a string",
	"ReturnStatus":   "a string (refund.Status)",
	"DeskForm":       "an HTML form of the review desk, not JSON",
}

// TestOpenAPISchemasMatchGoTypes holds every hand-written component schema
// to the Go type it describes (apiTypes), nested objects included: the
// schema's properties (through $ref and allOf) are exactly the type's JSON
// field names, a field always written (no omitempty or omitzero) is
// required and a field left out when empty is not, and every object is
// closed (additionalProperties or, with allOf, unevaluatedProperties
// false), so that an answer with a field the document does not know fails
// the validation of TestHTTPCollectionRuns. A schema other schemas extend
// with allOf stays open: its extenders close it.
func TestOpenAPISchemasMatchGoTypes(t *testing.T) {
	doc := loadOpenAPI(t)
	schemas, _ := doc.tree["components"].(map[string]any)["schemas"].(map[string]any)
	if len(schemas) == 0 {
		t.Fatalf("%s has no component schemas", openAPIPath)
	}
	for name := range schemas {
		_, typed := apiTypes[name]
		_, untyped := untypedSchemas[name]
		if typed == untyped {
			t.Errorf("component schema %s: name its Go type in apiTypes, or say in untypedSchemas why it has none", name)
		}
	}
	c := &typeCheck{t: t, doc: doc, bases: allOfBases(doc.tree)}
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for n := range apiTypes {
			if !yield(n) {
				return
			}
		}
	}) {
		s, ok := schemas[name]
		if !ok {
			t.Errorf("apiTypes names %s, which is no component schema of %s", name, openAPIPath)
			continue
		}
		c.object(name, s, apiTypes[name], c.bases[name])
	}
}

// typeCheck compares schemas with Go types, reporting to t.
type typeCheck struct {
	t     *testing.T
	doc   apiDoc
	bases map[string]bool // components some allOf extends
}

// object compares the object schema node with the struct type t; base
// says the schema is extended by allOf and must stay open.
func (c *typeCheck) object(where string, node any, t reflect.Type, base bool) {
	s, err := c.doc.shape(node)
	if err != nil {
		c.t.Errorf("%s: %v", where, err)
		return
	}
	switch {
	case base && s.closed:
		c.t.Errorf("%s: closed, but allOf extends it: the extenders' own properties would fail it", where)
	case !base && !s.closed:
		c.t.Errorf("%s: open: add additionalProperties: false (unevaluatedProperties: false beside allOf), "+
			"so that an answer with a field the schema does not document fails", where)
	}
	fields := jsonFields(t)
	for _, f := range fields {
		p, ok := s.props[f.name]
		if !ok {
			c.t.Errorf("%s: no property %q for the field %s.%s (%s)", where, f.name, t, f.goName, f.typ)
			continue
		}
		if f.always && !s.required[f.name] {
			c.t.Errorf("%s: %q is not required, but %s always has it (no omitempty): list it in required", where, f.name, t)
		}
		if !f.always && s.required[f.name] {
			c.t.Errorf("%s: %q is required, but %s leaves it out when empty", where, f.name, t)
		}
		c.value(where+"."+f.name, p, f.typ)
	}
	for name := range s.props {
		if !slices.ContainsFunc(fields, func(f goField) bool { return f.name == name }) {
			c.t.Errorf("%s: property %q is not a JSON field of %s", where, name, t)
		}
	}
}

// value compares the schema of a property with the field's type: a struct
// as an object, a slice through its items; a reference to a typed
// component must be to the field's own type.
func (c *typeCheck) value(where string, node any, t reflect.Type) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if leafType(t) {
		return
	}
	m, _ := node.(map[string]any)
	if ref, ok := m["$ref"].(string); ok {
		if strings.HasPrefix(ref, "schemas/") {
			c.t.Errorf("%s: a generated CEB schema (%s) for the Go type %s", where, ref, t)
			return
		}
		name := strings.TrimPrefix(ref, "#/components/schemas/")
		if want, typed := apiTypes[name]; typed {
			if want != t {
				c.t.Errorf("%s: refers to %s, the schema of %s, for a field of type %s", where, name, want, t)
			}
			return
		}
		v, err := c.doc.resolve(ref)
		if err != nil {
			c.t.Errorf("%s: %v", where, err)
			return
		}
		m, _ = v.(map[string]any)
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		items, ok := m["items"]
		if !ok {
			c.t.Errorf("%s: no items for the elements of %s", where, t)
			return
		}
		c.value(where+"[]", items, t.Elem())
	case reflect.Struct:
		c.object(where, m, t, false)
	}
}

// leafType reports whether a value of t is written as a JSON scalar, or
// as something the schema describes by other means (a map, a raw
// message, any value): not compared field by field.
func leafType(t reflect.Type) bool {
	marshaler := reflect.TypeFor[json.Marshaler]()
	text := reflect.TypeFor[encoding.TextMarshaler]()
	if t.Implements(marshaler) || reflect.PointerTo(t).Implements(marshaler) ||
		t.Implements(text) || reflect.PointerTo(t).Implements(text) {
		return true
	}
	switch t.Kind() {
	case reflect.Struct:
		return false
	case reflect.Slice, reflect.Array:
		return t.Elem().Kind() == reflect.Uint8 // base64
	}
	return true
}

// goField is one JSON field of a Go struct.
type goField struct {
	name, goName string
	typ          reflect.Type
	always       bool // written even when empty: no omitempty, no omitzero
}

// jsonFields returns the fields encoding/json writes for a struct type:
// exported fields under their tag names, "-" skipped, untagged embedded
// structs flattened.
func jsonFields(t reflect.Type) []goField {
	var out []goField
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				out = append(out, jsonFields(ft)...)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		o := strings.Split(opts, ",")
		out = append(out, goField{name: name, goName: f.Name, typ: f.Type,
			always: !slices.Contains(o, "omitempty") && !slices.Contains(o, "omitzero")})
	}
	return out
}

// schemaShape is what an object schema says of its properties.
type schemaShape struct {
	props    map[string]any
	required map[string]bool
	// closed: additionalProperties or unevaluatedProperties false.
	closed bool
}

// shape collects the properties and required names of an object schema,
// following a local $ref and the members of allOf; it is closed when the
// schema (not a member) forbids other properties.
func (d apiDoc) shape(node any) (schemaShape, error) {
	m, ok := node.(map[string]any)
	if !ok {
		return schemaShape{}, fmt.Errorf("not a schema object: %v", node)
	}
	if ref, ok := m["$ref"].(string); ok {
		v, err := d.resolve(ref)
		if err != nil {
			return schemaShape{}, err
		}
		return d.shape(v)
	}
	s := schemaShape{props: map[string]any{}, required: map[string]bool{},
		closed: m["additionalProperties"] == false || m["unevaluatedProperties"] == false}
	props, _ := m["properties"].(map[string]any)
	for k, v := range props {
		s.props[k] = v
	}
	req, _ := m["required"].([]any)
	for _, r := range req {
		if name, ok := r.(string); ok {
			s.required[name] = true
		}
	}
	all, _ := m["allOf"].([]any)
	for i, member := range all {
		ms, err := d.shape(member)
		if err != nil {
			return schemaShape{}, fmt.Errorf("allOf[%d]: %w", i, err)
		}
		for k, v := range ms.props {
			s.props[k] = v
		}
		for k := range ms.required {
			s.required[k] = true
		}
	}
	return s, nil
}

// allOfBases returns the component schemas an allOf refers to anywhere in
// the document.
func allOfBases(tree any) map[string]bool {
	out := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if all, ok := v["allOf"].([]any); ok {
				for _, member := range all {
					m, _ := member.(map[string]any)
					if ref, ok := m["$ref"].(string); ok {
						out[strings.TrimPrefix(ref, "#/components/schemas/")] = true
					}
				}
			}
			for _, c := range v {
				walk(c)
			}
		case []any:
			for _, c := range v {
				walk(c)
			}
		}
	}
	walk(tree)
	return out
}
