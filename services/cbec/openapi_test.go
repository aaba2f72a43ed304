package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

const openAPIPath = "../../docs/openapi.yaml"

// openAPIMethods are the operation keys of an OpenAPI path item.
var openAPIMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// apiDoc is the part of docs/openapi.yaml the test reads; the whole document
// is kept as a generic tree too, to resolve $refs.
type apiDoc struct {
	OpenAPI string                    `yaml:"openapi"`
	Paths   map[string]map[string]any `yaml:"paths"`
	tree    map[string]any
}

func loadOpenAPI(t *testing.T) apiDoc {
	t.Helper()
	b, err := os.ReadFile(openAPIPath)
	if err != nil {
		t.Fatal(err)
	}
	var d apiDoc
	if err := yaml.Unmarshal(b, &d); err != nil {
		t.Fatalf("%s: %v", openAPIPath, err)
	}
	if err := yaml.Unmarshal(b, &d.tree); err != nil {
		t.Fatalf("%s: %v", openAPIPath, err)
	}
	if !strings.HasPrefix(d.OpenAPI, "3.1") {
		t.Errorf("%s: openapi %q, want 3.1.x", openAPIPath, d.OpenAPI)
	}
	return d
}

// operations returns "METHOD /path" for every documented operation.
func (d apiDoc) operations() []string {
	var out []string
	for p, item := range d.Paths {
		for _, m := range openAPIMethods {
			if _, ok := item[m]; ok {
				out = append(out, strings.ToUpper(m)+" "+p)
			}
		}
	}
	slices.Sort(out)
	return out
}

var wildcard = regexp.MustCompile(`\{([A-Za-z0-9_]+)(\.\.\.)?\}`)

// routeOperation turns a ServeMux pattern into the OpenAPI form: "{$}"
// dropped, "{name...}" written "{name}". A pattern without a method
// answers every method; it is returned with method "".
func routeOperation(pattern string) (method, path string) {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		method, path = "", pattern
	}
	path = strings.TrimSpace(path)
	if !strings.HasPrefix(path, "/") {
		// A host-qualified pattern ("example.com/x"): the path is after the host.
		if i := strings.Index(path, "/"); i >= 0 {
			path = path[i:]
		}
	}
	path = strings.ReplaceAll(path, "{$}", "")
	path = wildcard.ReplaceAllString(path, "{$1}")
	return method, path
}

func TestOpenAPIMatchesRoutes(t *testing.T) {
	m := startMain(t, t.TempDir())
	defer m.Close(context.Background())
	doc := loadOpenAPI(t)
	documented := doc.operations()
	if len(documented) == 0 {
		t.Fatalf("%s documents no operation", openAPIPath)
	}

	routed := map[string]bool{}
	for _, pattern := range m.router.Patterns() {
		method, path := routeOperation(pattern)
		if method == "" {
			// Any method: documented if the path has at least one operation.
			found := false
			for _, op := range documented {
				if strings.HasSuffix(op, " "+path) {
					routed[op] = true
					found = true
				}
			}
			if !found {
				t.Errorf("route %q (any method) is not documented: add path %s to %s", pattern, path, openAPIPath)
			}
			continue
		}
		op := method + " " + path
		routed[op] = true
		if !slices.Contains(documented, op) {
			t.Errorf("route %q is not documented: add operation %s under paths.%q in %s", pattern, strings.ToLower(method), path, openAPIPath)
		}
	}
	for _, op := range documented {
		if !routed[op] {
			t.Errorf("%s documents %q but the program routes no such pattern (routes: %v)", openAPIPath, op, m.router.Patterns())
		}
	}
}

func TestOpenAPIOperationsAreComplete(t *testing.T) {
	doc := loadOpenAPI(t)
	ids := map[string]string{}
	for p, item := range doc.Paths {
		want := pathParams(p)
		shared := doc.paramNames(item["parameters"], "path")
		for _, m := range openAPIMethods {
			raw, ok := item[m]
			if !ok {
				continue
			}
			op, _ := raw.(map[string]any)
			name := strings.ToUpper(m) + " " + p
			if id, _ := op["operationId"].(string); id == "" {
				t.Errorf("%s: no operationId", name)
			} else if other, dup := ids[id]; dup {
				t.Errorf("%s and %s share operationId %q", name, other, id)
			} else {
				ids[id] = name
			}
			if resp, _ := op["responses"].(map[string]any); len(resp) == 0 {
				t.Errorf("%s: no responses", name)
			}
			got := append(doc.paramNames(op["parameters"], "path"), shared...)
			slices.Sort(got)
			got = slices.Compact(got)
			if !slices.Equal(got, want) {
				t.Errorf("%s: path parameters %v declared, the path has %v", name, got, want)
			}
		}
	}
}

func TestOpenAPIRefsResolve(t *testing.T) {
	doc := loadOpenAPI(t)
	var walk func(where string, v any)
	walk = func(where string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, c := range v {
				if k == "$ref" {
					ref, _ := c.(string)
					if strings.HasPrefix(ref, "schemas/") {
						// A generated schema (docs/schemas), whole.
						if _, err := os.Stat(filepath.Join(filepath.Dir(openAPIPath), ref)); err != nil || strings.Contains(ref, "#") {
							t.Errorf("%s: $ref %q is not a file of docs/schemas: %v", where, ref, err)
						}
						continue
					}
					if _, err := doc.resolve(ref); err != nil {
						t.Errorf("%s: %v", where, err)
					}
					continue
				}
				if k == "externalValue" {
					ref, _ := c.(string)
					if _, err := os.Stat(filepath.Join(filepath.Dir(openAPIPath), ref)); err != nil {
						t.Errorf("%s: externalValue: %v", where, err)
					}
					continue
				}
				walk(where+"."+k, c)
			}
		case []any:
			for i, c := range v {
				walk(fmt.Sprintf("%s[%d]", where, i), c)
			}
		}
	}
	walk("", doc.tree)
}

// pathParams returns the sorted {names} of an OpenAPI path.
func pathParams(p string) []string {
	var out []string
	for _, m := range wildcard.FindAllStringSubmatch(p, -1) {
		out = append(out, m[1])
	}
	slices.Sort(out)
	return out
}

// paramNames returns the names of the parameters in location in, following
// $refs.
func (d apiDoc) paramNames(list any, in string) []string {
	items, _ := list.([]any)
	var out []string
	for _, it := range items {
		p, _ := it.(map[string]any)
		if ref, ok := p["$ref"].(string); ok {
			r, err := d.resolve(ref)
			if err != nil {
				continue
			}
			p, _ = r.(map[string]any)
		}
		if p["in"] == in {
			if name, ok := p["name"].(string); ok {
				out = append(out, name)
			}
		}
	}
	return out
}

// resolve follows a local JSON pointer ("#/components/schemas/X").
func (d apiDoc) resolve(ref string) (any, error) {
	ptr, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil, fmt.Errorf("$ref %q is not local to the document", ref)
	}
	var cur any = d.tree
	for _, tok := range strings.Split(ptr, "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("$ref %q: %q is not an object", ref, tok)
		}
		if cur, ok = m[tok]; !ok {
			return nil, fmt.Errorf("$ref %q: no %q", ref, tok)
		}
	}
	return cur, nil
}

// TestOpenAPIDocumentsProblemStatuses holds the documented error responses
// to the statuses the handlers answer with: every 4xx and 5xx response is
// a problem document (the desk may offer an HTML page beside it).
func TestOpenAPIDocumentsProblemStatuses(t *testing.T) {
	doc := loadOpenAPI(t)
	for p, item := range doc.Paths {
		for _, m := range openAPIMethods {
			op, ok := item[m].(map[string]any)
			if !ok {
				continue
			}
			resp, _ := op["responses"].(map[string]any)
			for status, r := range resp {
				if !strings.HasPrefix(status, "4") && !strings.HasPrefix(status, "5") {
					continue
				}
				rm, _ := r.(map[string]any)
				if ref, ok := rm["$ref"].(string); ok {
					v, err := doc.resolve(ref)
					if err != nil {
						continue // reported by TestOpenAPIRefsResolve
					}
					rm, _ = v.(map[string]any)
				}
				content, _ := rm["content"].(map[string]any)
				if _, ok := content["application/problem+json"]; !ok {
					t.Errorf("%s %s: response %s is not application/problem+json", strings.ToUpper(m), p, status)
				}
				if n, err := strconv.Atoi(status); err != nil || http.StatusText(n) == "" {
					t.Errorf("%s %s: %s is no HTTP status", strings.ToUpper(m), p, status)
				}
			}
		}
	}
}

// isJSON reports whether a media type carries JSON.
func isJSON(mt string) bool { return mt == "application/json" || strings.HasSuffix(mt, "+json") }

// mediaExamples returns the example values of a media type object, by
// name: "example", each of "examples" (its value, or its externalValue
// read relative to openapi.yaml).
func mediaExamples(t *testing.T, media map[string]any) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	enc := func(v any) []byte {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if v, ok := media["example"]; ok {
		out["example"] = enc(v)
	}
	exs, _ := media["examples"].(map[string]any)
	for name, e := range exs {
		em, _ := e.(map[string]any)
		switch {
		case em["value"] != nil:
			out[name] = enc(em["value"])
		case em["externalValue"] != nil:
			b, err := os.ReadFile(filepath.Join(filepath.Dir(openAPIPath), em["externalValue"].(string)))
			if err != nil {
				t.Fatal(err)
			}
			out[name] = b
		default:
			t.Errorf("example %s has neither value nor externalValue", name)
		}
	}
	return out
}

// TestOpenAPIExamplesValidate holds every example of docs/openapi.yaml to
// its schema — request bodies and responses, the shared responses once —
// and requires of every JSON operation of the API (/v1/…) an example of
// its request body and of a successful answer.
func TestOpenAPIExamplesValidate(t *testing.T) {
	spec := loadSpec(t)
	checked := map[string]bool{}
	// check validates the examples of the media type object at ptr and
	// returns how many it has.
	check := func(ptr string, mt string, media map[string]any) int {
		exs := mediaExamples(t, media)
		if !isJSON(mt) || checked[ptr] {
			return len(exs)
		}
		checked[ptr] = true
		for name, b := range exs {
			if err := spec.validate(ptr+"/schema", b); err != nil {
				t.Errorf("%s example %q: %v", ptr, name, err)
			}
		}
		return len(exs)
	}
	n := 0
	for p, item := range spec.Paths {
		for _, m := range openAPIMethods {
			op, ok := item[m].(map[string]any)
			if !ok {
				continue
			}
			name := strings.ToUpper(m) + " " + p
			api := strings.HasPrefix(p, "/v1/")
			rb, _ := op["requestBody"].(map[string]any)
			content, _ := rb["content"].(map[string]any)
			for mt, media := range content {
				c := check(pointer("paths", p, m, "requestBody", "content", mt), mt, media.(map[string]any))
				n += c
				if api && c == 0 {
					t.Errorf("%s: no example of its %s request body", name, mt)
				}
			}
			resps, _ := op["responses"].(map[string]any)
			okExamples := 0
			jsonOK := false
			for status, r := range resps {
				base := pointer("paths", p, m, "responses", status)
				rm, _ := r.(map[string]any)
				if ref, ok := rm["$ref"].(string); ok {
					v, err := spec.resolve(ref)
					if err != nil {
						continue // reported by TestOpenAPIRefsResolve
					}
					rm, base = v.(map[string]any), ref
				}
				content, _ := rm["content"].(map[string]any)
				for mt, media := range content {
					c := check(base+pointer("content", mt)[1:], mt, media.(map[string]any))
					n += c
					if strings.HasPrefix(status, "2") && isJSON(mt) {
						jsonOK = true
						okExamples += c
					}
				}
			}
			if api && jsonOK && okExamples == 0 {
				t.Errorf("%s: no example of a successful answer", name)
			}
		}
	}
	if n == 0 {
		t.Fatal("no example checked")
	}
}
