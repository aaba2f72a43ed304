package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/ceb/cebtest"
)

const schemasDir = "../../../docs/schemas"

// TestSchemasAreGenerated keeps docs/schemas in step with the Go types:
// after changing a type or a validate tag, run `go generate ./pkg/ceb`.
func TestSchemasAreGenerated(t *testing.T) {
	want, err := Generate("..")
	if err != nil {
		t.Fatal(err)
	}
	if len(want) != len(ceb.MsgTypes()) {
		t.Fatalf("%d schemas for %d message types", len(want), len(ceb.MsgTypes()))
	}
	have, err := filepath.Glob(filepath.Join(schemasDir, generatedGlob))
	if err != nil {
		t.Fatal(err)
	}
	for i := range have {
		have[i] = filepath.Base(have[i])
	}
	slices.Sort(have)
	if !slices.Equal(have, names(want)) {
		t.Errorf("docs/schemas holds %v, the generator writes %v: run go generate ./pkg/ceb", have, names(want))
	}
	for name, b := range want {
		got, err := os.ReadFile(filepath.Join(schemasDir, name))
		if err != nil {
			continue // reported above
		}
		if !bytes.Equal(got, b) {
			t.Errorf("docs/schemas/%s differs from the Go types: run go generate ./pkg/ceb", name)
		}
	}
}

// TestWriteReplacesStaleFiles runs the command's write into a directory
// holding a schema of a message type that no longer exists and a file the
// generator does not own.
func TestWriteReplacesStaleFiles(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"CEB999.json", "README.md"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := write("..", dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "CEB999.json")); !os.IsNotExist(err) {
		t.Errorf("stale CEB999.json kept: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "README.md")); err != nil {
		t.Errorf("README.md removed: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "CEB311.json")); err != nil {
		t.Errorf("CEB311.json not written: %v", err)
	}
}

// compile returns the schema of message type mt from the generated files.
func compile(t *testing.T, files map[string][]byte, mt ceb.MsgType) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(files[string(mt)+".json"]))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	url := "file:///schemas/" + string(mt) + ".json"
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(url)
	if err != nil {
		t.Fatalf("%s: %v", mt, err)
	}
	return s
}

// fixtures are the test declarations of package cebtest, valid by
// ceb.ValidateDocument.
func fixtures() []ceb.Document {
	o, p, l, i := cebtest.Set("SCHEMA-1")
	eo, r, el, ei := cebtest.ExportSet("SCHEMA-1")
	return []ceb.Document{o, p, l, i, cebtest.Cancel(i, cebtest.InvtNo("SCHEMA-1")), cebtest.Refund(i, cebtest.InvtNo("SCHEMA-1")),
		eo, r, el, ei, cebtest.ExportCancel(ei, cebtest.ExportInvtNo("SCHEMA-1")), cebtest.Arrival(el), cebtest.Departure(el),
		cebtest.SummaryApply(cebtest.ExportInvtNo("SCHEMA-1")), cebtest.SummaryResult(ei, cebtest.ExportInvtNo("SCHEMA-1"))}
}

// TestFixturesValidate: every cebtest document, as the gateway would read
// it in JSON, is valid by its schema.
func TestFixturesValidate(t *testing.T) {
	files, err := Generate("..")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range fixtures() {
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		v, _ := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err := compile(t, files, d.MsgType()).Validate(v); err != nil {
			t.Errorf("%s fixture: %v", d.MsgType(), err)
		}
	}
}

// TestSchemasAgreeWithValidate holds each schema to package ceb's own
// validation, document by document: an instance built from the schema
// alone is valid by ceb.ValidateDocument; and each change that breaks one
// keyword of the schema — a required field removed, a text one character
// too long or short, a value outside its enumeration or pattern, a number
// or list out of bounds, an unknown field — is refused by the schema and
// by the Go decoder and validator alike. Removing an optional field passes
// both.
func TestSchemasAgreeWithValidate(t *testing.T) {
	files, err := Generate("..")
	if err != nil {
		t.Fatal(err)
	}
	for _, mt := range ceb.MsgTypes() {
		t.Run(string(mt), func(t *testing.T) {
			var root map[string]any
			if err := json.Unmarshal(files[string(mt)+".json"], &root); err != nil {
				t.Fatal(err)
			}
			sch := compile(t, files, mt)
			defs, _ := root["$defs"].(map[string]any)
			s := synth{defs: defs}
			inst := s.value(root)
			check := func(what string, v any, wantValid bool) {
				t.Helper()
				b, _ := json.Marshal(v)
				jv, _ := jsonschema.UnmarshalJSON(bytes.NewReader(b))
				schemaErr := sch.Validate(jv)
				goErr := goValidate(mt, b)
				if (schemaErr == nil) != wantValid || (goErr == nil) != wantValid {
					t.Errorf("%s: want valid=%v; schema: %v; ceb: %v\n%s", what, wantValid, schemaErr, goErr, b)
				}
			}
			check("built from the schema", inst, true)
			n := 0
			for _, m := range mutations(root, defs, inst, "") {
				check(m.what, m.apply(), m.valid)
				n++
			}
			if n < 5 {
				t.Errorf("only %d mutations: the walk misses the schema's keywords", n)
			}
		})
	}
}

// goValidate decodes b as package ceb does (unknown fields refused) and
// validates the document.
func goValidate(mt ceb.MsgType, b []byte) error {
	d := ceb.NewDocument(mt)
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(d); err != nil {
		return err
	}
	if errs := ceb.ValidateDocument(d, ""); len(errs) > 0 {
		return fmt.Errorf("%v", errs)
	}
	return nil
}

// synth builds the smallest instance of a generated schema: required
// properties only, one item per list, and for each value the first thing
// its keywords allow.
type synth struct{ defs map[string]any }

func (s synth) resolve(sch map[string]any) map[string]any {
	if ref, ok := sch["$ref"].(string); ok {
		d, _ := s.defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any)
		return d
	}
	return sch
}

// times are valid values of the time patterns (the Go validator also
// parses them as dates).
var times = map[string]string{`^[0-9]{14}$`: "20250310100000", `^[0-9]{8}$`: "20250310", `^[0-9]{17}$`: "20250310100000000"}

func (s synth) value(sch map[string]any) any {
	sch = s.resolve(sch)
	if c, ok := sch["const"]; ok {
		return c
	}
	if e, ok := sch["enum"].([]any); ok {
		return e[0]
	}
	if any_, ok := sch["anyOf"].([]any); ok {
		first, _ := any_[0].(map[string]any)
		if c, ok := first["const"]; ok && c == "" {
			return ""
		}
		return s.value(first) // an amount or null: the amount
	}
	if _, ok := sch["type"].([]any); ok { // Amount
		return "1.5"
	}
	if p, ok := sch["pattern"].(string); ok {
		return times[p]
	}
	if typ, ok := sch["type"].(string); ok || sch["minLength"] != nil {
		switch typ {
		case "object":
			out := map[string]any{}
			props, _ := sch["properties"].(map[string]any)
			req, _ := sch["required"].([]any)
			for _, r := range req {
				p, _ := props[r.(string)].(map[string]any)
				out[r.(string)] = s.value(p)
			}
			return out
		case "array":
			items, _ := sch["items"].(map[string]any)
			return []any{s.value(items)}
		case "integer":
			if m, ok := sch["minimum"].(float64); ok {
				return m
			}
			return 1.0
		default: // a string, or the non-empty branch of an optional one
			n := 1
			if m, ok := sch["minLength"].(float64); ok {
				n = int(m)
			}
			return strings.Repeat("x", n)
		}
	}
	panic(fmt.Sprintf("synth: %v", sch))
}

type mutation struct {
	what  string
	valid bool
	apply func() any // returns a changed copy of the whole instance
}

// mutations returns, for the object schema sch and its instance obj at
// path, one change per keyword of each property, and recurses into the
// objects below (the first item of a list).
func mutations(sch map[string]any, defs map[string]any, root any, path string) []mutation {
	s := synth{defs: defs}
	sch = s.resolve(sch)
	props, _ := sch["properties"].(map[string]any)
	req := map[string]bool{}
	for _, r := range sch["required"].([]any) {
		req[r.(string)] = true
	}
	var out []mutation
	set := func(what string, valid bool, name string, v any, del bool) {
		out = append(out, mutation{what: path + "." + name + ": " + what, valid: valid, apply: func() any {
			cp := deepCopy(root)
			o := at(cp, path)
			if del {
				delete(o, name)
			} else {
				o[name] = v
			}
			return cp
		}})
	}
	set("unknown field", false, "bogus", "x", false)
	deps, _ := sch["dependentSchemas"].(map[string]any)
	for k := range deps {
		// A field required_with another, given alone.
		v := s.value(props[k].(map[string]any)["anyOf"].([]any)[1].(map[string]any))
		set("given without the field it needs", false, k, v, false)
	}
	names := make([]string, 0, len(props))
	for n := range props {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, name := range names {
		p := s.resolve(props[name].(map[string]any))
		if req[name] {
			set("required, removed", false, name, nil, true)
		} else {
			set("optional, removed", true, name, nil, true)
		}
		str := p
		if a, ok := p["anyOf"].([]any); ok {
			if first, _ := a[0].(map[string]any); first["const"] == "" {
				set(`optional, ""`, true, name, "", false)
				str = a[1].(map[string]any)
			}
		}
		if _, ok := str["const"]; ok {
			set("const, changed", false, name, "~", false)
		}
		if _, ok := str["enum"]; ok {
			set("not in enum", false, name, "~", false)
		}
		isAmount := props[name].(map[string]any)["$ref"] == "#/$defs/Amount"
		if _, ok := str["pattern"]; ok && !isAmount {
			set("pattern broken", false, name, "2025031", false)
		}
		if m, ok := p["maxLength"].(float64); ok {
			set("one character too long", false, name, strings.Repeat("x", int(m)+1), false)
			set("as long as allowed", true, name, strings.Repeat("x", int(m)), false)
		}
		if m, ok := str["minLength"].(float64); ok && m > 1 {
			set("one character too short", false, name, strings.Repeat("x", int(m)-1), false)
		}
		if m, ok := p["minimum"].(float64); ok && p["type"] == "integer" {
			set("below minimum", false, name, m-1, false)
			set("at minimum", true, name, m, false)
		}
		if m, ok := p["maximum"].(float64); ok {
			set("above maximum", false, name, m+1, false)
			set("at maximum", true, name, m, false)
		}
		if isAmount {
			set("amount negative", false, name, "-1", false)
			set("amount with 6 decimals", false, name, "1.123456", false)
			set("amount as a number", true, name, 12.5, false)
		}
		switch p["type"] {
		case "object":
			if req[name] {
				out = append(out, mutations(p, defs, root, path+"."+name)...)
			}
		case "array":
			items := s.resolve(p["items"].(map[string]any))
			if m, ok := p["minItems"].(float64); ok && m > 0 {
				set("too few items", false, name, []any{}, false)
			}
			if m, ok := p["maxItems"].(float64); ok {
				item := s.value(items)
				list := make([]any, int(m)+1)
				for i := range list {
					list[i] = item
				}
				set("too many items", false, name, list, false)
				set("as many items as allowed", true, name, list[1:], false)
			}
			if req[name] {
				out = append(out, mutations(items, defs, root, path+"."+name+"[0]")...)
			}
		}
	}
	return out
}

// at returns the object at path (".A.B[0].C") in v.
func at(v any, path string) map[string]any {
	for _, part := range strings.Split(strings.TrimPrefix(path, "."), ".") {
		if part == "" {
			continue
		}
		name, idx, list := strings.Cut(part, "[")
		v = v.(map[string]any)[name]
		if list {
			_ = idx
			v = v.([]any)[0]
		}
	}
	return v.(map[string]any)
}

func deepCopy(v any) any {
	b, _ := json.Marshal(v)
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}
