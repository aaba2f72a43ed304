package main

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"reflect"
	"strconv"
	"strings"

	"github.com/cbec/cbec/pkg/ceb"
)

// draft is the JSON Schema dialect of the files, the one OpenAPI 3.1 uses.
const draft = "https://json-schema.org/draft/2020-12/schema"

// Generate returns the schema of every message type's business node in
// JSON, by file name ("CEB311.json"), each file self-contained: the node
// is its root, the types below it are in $defs. src is the directory of
// package ceb's sources, read for the doc comments.
func Generate(src string) (map[string][]byte, error) {
	docs, err := typeDocs(src)
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, t := range ceb.MsgTypes() {
		rt := reflect.TypeOf(ceb.NewDocument(t)).Elem()
		g := &generator{docs: docs, defs: &Ordered{}}
		root := g.object(rt)
		root.Schema = draft
		root.Title = fmt.Sprintf("%s %s (%s)", t, t.NodeName(), direction(t))
		if g.defs.Len() > 0 {
			root.Defs = g.defs
		}
		b, err := json.MarshalIndent(root, "", "  ")
		if err != nil {
			return nil, fmt.Errorf("%s: %w", t, err)
		}
		out[string(t)+".json"] = append(b, '\n')
	}
	return out, nil
}

func direction(t ceb.MsgType) string {
	if t.IsDeclaration() {
		return "declaration"
	}
	return "receipt"
}

// typeDocs reads the doc comment of every type of package ceb in src,
// shortened to its first sentence.
func typeDocs(src string) (map[string]string, error) {
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, src, nil, parser.ParseComments) //nolint:staticcheck // one directory, no build constraints to honour
	if err != nil {
		return nil, err
	}
	p, ok := pkgs["ceb"]
	if !ok {
		return nil, fmt.Errorf("no package ceb in %s", src)
	}
	files := make([]*ast.File, 0, len(p.Files))
	for _, f := range p.Files {
		files = append(files, f)
	}
	dp, err := doc.NewFromFiles(fset, files, "github.com/cbec/cbec/pkg/ceb")
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, t := range dp.Types {
		out[t.Name] = firstSentence(t.Name, t.Doc)
	}
	return out, nil
}

// generator builds one file's schemas; defs collects the named types below
// the root.
type generator struct {
	docs map[string]string
	defs *Ordered
}

var amountType = reflect.TypeFor[ceb.Amount]()

// structRules are rules package ceb checks in a struct-level validation
// (validate.go) rather than in a tag, written as tags for the generator:
// a cancellation's appType is 1 only.
var structRules = map[reflect.Type]map[string]string{
	reflect.TypeFor[ceb.InvtCancel](): {"appType": "eq=1"},
}

// object is the schema of struct type t: its fields (embedded ones, the
// AppHead, as fields of t, as encoding/json flattens them), which of them
// are required, and no other property.
func (g *generator) object(t reflect.Type) *Schema {
	s := &Schema{Type: "object", Description: g.docs[t.Name()], Properties: &Ordered{}, AdditionalProperties: ptr(false)}
	g.fields(t, t, s)
	return s
}

func (g *generator) fields(owner, t reflect.Type, s *Schema) {
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		if f.Anonymous {
			g.fields(owner, f.Type, s)
			continue
		}
		name, jsonOmit := jsonName(f)
		if name == "" {
			continue
		}
		tag := f.Tag.Get("validate")
		if extra := structRules[owner][name]; extra != "" {
			tag += "," + extra
		}
		r := parseRules(tag)
		s.Properties.Set(name, g.property(f.Type, r, jsonOmit))
		if r.has("required") {
			s.Required = append(s.Required, name)
		}
		if other := r.get("required_with"); other != "" {
			// Present together: the field is required once the other is given.
			of, ok := owner.FieldByName(other)
			if !ok {
				panic(fmt.Sprintf("%s.%s: required_with names no field %s", owner.Name(), f.Name, other))
			}
			// The Go rule counts a value as given when it is not empty, so
			// the schema does too: an empty other field asks nothing.
			on, _ := jsonName(of)
			if s.DependentSchemas == nil {
				s.DependentSchemas = map[string]*Schema{}
			}
			s.DependentSchemas[on] = &Schema{
				If:   &Schema{Properties: props(on, &Schema{MinLength: ptr(1)})},
				Then: &Schema{Required: []string{name}, Properties: props(name, &Schema{MinLength: ptr(1)})},
			}
		}
	}
}

// props is a properties keyword of one property.
func props(name string, s *Schema) *Ordered {
	o := &Ordered{}
	o.Set(name, s)
	return o
}

// jsonName is the field's JSON name ("" when not encoded) and whether the
// encoder omits it when empty.
func jsonName(f reflect.StructField) (string, bool) {
	tag := f.Tag.Get("json")
	name, opts, _ := strings.Cut(tag, ",")
	if name == "-" && opts == "" {
		return "", false
	}
	if name == "" {
		name = f.Name
	}
	return name, strings.Contains(","+opts+",", ",omitempty,")
}

// property is the schema of one field of type t with its validate rules.
// jsonOmit tells whether the encoder leaves an empty value out: when it
// does not, an optional list is written as null.
func (g *generator) property(t reflect.Type, r rules, jsonOmit bool) *Schema {
	switch {
	case t == amountType:
		g.amountDef()
		ref := &Schema{Ref: "#/$defs/Amount"}
		if r.has("required") {
			return ref
		}
		// An absent amount is encoded as null.
		return &Schema{AnyOf: []*Schema{ref, {Type: "null"}}}
	case t.Kind() == reflect.String:
		return stringSchema(r)
	case t.Kind() == reflect.Int:
		return intSchema(r)
	case t.Kind() == reflect.Slice:
		s := &Schema{Type: "array", Items: g.ref(t.Elem())}
		if v, ok := r.int("min"); ok {
			s.MinItems = &v
		}
		if v, ok := r.int("max"); ok {
			s.MaxItems = &v
		}
		if !r.has("required") && !jsonOmit {
			s.Type = []string{"array", "null"}
		}
		return s
	case t.Kind() == reflect.Struct:
		return g.ref(t)
	}
	panic(fmt.Sprintf("schemagen: no schema for Go type %s", t))
}

// ref defines struct type t in $defs (once) and refers to it.
func (g *generator) ref(t reflect.Type) *Schema {
	if t.Kind() != reflect.Struct {
		panic(fmt.Sprintf("schemagen: list of %s", t))
	}
	if g.defs.Get(t.Name()) == nil {
		g.defs.Set(t.Name(), &Schema{}) // reserve the name and its place
		g.defs.Set(t.Name(), g.object(t))
	}
	return &Schema{Ref: "#/$defs/" + t.Name()}
}

// amountPattern is a decimal(19,5) in text: at most 14 integer and 5
// fraction digits, no sign, no exponent.
const amountPattern = `^[0-9]{1,14}(\.[0-9]{1,5})?$`

func (g *generator) amountDef() {
	if g.defs.Get("Amount") != nil {
		return
	}
	g.defs.Set("Amount", &Schema{
		Description: "A decimal(19,5) amount, quantity or weight: a string (\"564.00\", kept as written) " +
			"or a JSON number, not negative, at most 14 integer and 5 decimal digits. cbec writes it as a string.",
		Type:    []string{"string", "number"},
		Pattern: amountPattern,
		Minimum: ptr(0),
	})
}

// timeFormats are the CEB time rules, their text pattern and description.
var timeFormats = map[string][2]string{
	"datetime14": {`^[0-9]{14}$`, "A time YYYYMMDDhhmmss (China time)."},
	"date8":      {`^[0-9]{8}$`, "A date YYYYMMDD."},
	"datetime17": {`^[0-9]{17}$`, "A time YYYYMMDDhhmmssSSS (China time)."},
}

// stringSchema turns the rules of a string field into keywords. An
// optional field (omitempty) may be empty whatever its other rules say,
// so the rules that refuse "" apply to a non-empty value only.
func stringSchema(r rules) *Schema {
	s := &Schema{Type: "string"}
	inner := &Schema{} // what a non-empty value must satisfy
	if v, ok := r.int("len"); ok {
		s.MaxLength, inner.MinLength = ptr(v), ptr(v)
	}
	if v, ok := r.int("max"); ok {
		s.MaxLength = &v
	}
	if v, ok := r.int("min"); ok && v > 0 {
		inner.MinLength = &v
	}
	if v := r.get("eq"); v != "" {
		inner.Const = v
	}
	if v := r.get("oneof"); v != "" {
		inner.Enum = strings.Fields(v)
	}
	for rule, f := range timeFormats {
		if r.has(rule) {
			inner.Pattern, s.Description = f[0], f[1]
			s.MaxLength, inner.MinLength = nil, nil // the pattern says it
		}
	}
	if inner.Const != nil {
		inner.Enum = nil // a struct rule narrowed the tag's oneof
	}
	if inner.Const != nil || inner.Enum != nil {
		s.MaxLength, inner.MinLength = nil, nil // the values say it
	}
	if r.has("required") && inner.MinLength == nil && inner.Pattern == "" && inner.Const == nil && inner.Enum == nil {
		inner.MinLength = ptr(1)
	}
	empty := inner.MinLength == nil && inner.Pattern == "" && inner.Const == nil && inner.Enum == nil
	switch {
	case empty:
	case r.has("omitempty"):
		s.AnyOf = []*Schema{{Const: ""}, inner}
	default:
		s.MinLength, s.Pattern, s.Const, s.Enum = inner.MinLength, inner.Pattern, inner.Const, inner.Enum
	}
	return s
}

func intSchema(r rules) *Schema {
	s := &Schema{Type: "integer"}
	if v, ok := r.int("min"); ok {
		s.Minimum = &v
	}
	if v, ok := r.int("max"); ok {
		s.Maximum = &v
	}
	if v, ok := r.int("eq"); ok {
		s.Const, s.Minimum, s.Maximum = v, nil, nil
	}
	return s
}

// rules are the parsed rules of a validate tag, by name (required, max …)
// with their parameters; dive and the custom format rules have none.
type rules map[string]string

func parseRules(tag string) rules {
	r := rules{}
	for _, part := range strings.Split(tag, ",") {
		if part == "" {
			continue
		}
		name, param, _ := strings.Cut(part, "=")
		r[name] = param
	}
	return r
}

func (r rules) has(name string) bool {
	_, ok := r[name]
	return ok
}

func (r rules) get(name string) string { return r[name] }

func (r rules) int(name string) (int, bool) {
	v, ok := r[name]
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		panic(fmt.Sprintf("schemagen: rule %s=%s is not a number", name, v))
	}
	return n, true
}
