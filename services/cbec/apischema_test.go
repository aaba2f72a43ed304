package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The documents are compiled under these URLs, so that the relative $refs
// of docs/openapi.yaml ("schemas/CEB311.json") find docs/schemas.
const (
	specURL    = "file:///cbec/docs/openapi.yaml"
	schemasURL = "file:///cbec/docs/schemas/"
	schemasDir = "../../docs/schemas"
)

// apiSpec is docs/openapi.yaml with the generated schemas it refers to,
// ready to validate bodies against the schema at any place of the document.
type apiSpec struct {
	apiDoc
	c     *jsonschema.Compiler
	mu    sync.Mutex
	cache map[string]*jsonschema.Schema
}

func loadSpec(t *testing.T) *apiSpec {
	t.Helper()
	s := &apiSpec{apiDoc: loadOpenAPI(t), c: jsonschema.NewCompiler(), cache: map[string]*jsonschema.Schema{}}
	s.c.DefaultDraft(jsonschema.Draft2020)
	if err := s.c.AddResource(specURL, jsonValue(t, s.tree)); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(schemasDir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no schemas in %s: %v", schemasDir, err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if err := s.c.AddResource(schemasURL+filepath.Base(f), v); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// jsonValue turns a YAML tree into the JSON values the validator takes.
func jsonValue(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("%s is not JSON-compatible: %v", openAPIPath, err)
	}
	out, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// validate checks the JSON body against the schema at ptr, a JSON pointer
// into openapi.yaml ("#/components/schemas/Problem") or a file of
// docs/schemas ("schemas/CEB311.json").
func (s *apiSpec) validate(ptr string, body []byte) error {
	s.mu.Lock()
	sch, ok := s.cache[ptr]
	if !ok {
		url := specURL + ptr
		if !strings.HasPrefix(ptr, "#") {
			url = schemasURL + strings.TrimPrefix(ptr, "schemas/")
		}
		var err error
		if sch, err = s.c.Compile(url); err != nil {
			s.mu.Unlock()
			return fmt.Errorf("compile %s: %w", ptr, err)
		}
		s.cache[ptr] = sch
	}
	s.mu.Unlock()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	return sch.Validate(v)
}

// pointer escapes tokens into a JSON pointer.
func pointer(tokens ...string) string {
	var b strings.Builder
	b.WriteString("#")
	for _, t := range tokens {
		b.WriteString("/")
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1"))
	}
	return b.String()
}

// operation finds the documented operation of a request path: the path
// template whose segments match, literal segments preferred to parameters
// ("/v1/import/inventories/{ebpCode}/{orderNo}" over a template with more
// parameters).
func (s *apiSpec) operation(method, path string) (tmpl string, op map[string]any, ok bool) {
	segs := strings.Split(path, "/")
	best := -1
	for p, item := range s.Paths {
		ts := strings.Split(p, "/")
		if len(ts) != len(segs) {
			continue
		}
		literal := 0
		for i := range ts {
			switch {
			case strings.HasPrefix(ts[i], "{"):
			case ts[i] == segs[i]:
				literal++
			default:
				literal = -1
			}
			if literal < 0 {
				break
			}
		}
		o, has := item[strings.ToLower(method)].(map[string]any)
		if literal > best && has {
			best, tmpl, op = literal, p, o
		}
	}
	return tmpl, op, best >= 0
}

// response resolves the documented response of an operation for status
// (following a $ref to components/responses) and returns the place of
// its schema for mediaType, "" when the response has no such content.
func (s *apiSpec) response(tmpl, method string, status int, mediaType string) (schemaPtr string, documented bool) {
	op := s.Paths[tmpl][strings.ToLower(method)].(map[string]any)
	resps, _ := op["responses"].(map[string]any)
	code := strconv.Itoa(status)
	r, ok := resps[code].(map[string]any)
	if !ok {
		return "", false
	}
	base := pointer("paths", tmpl, strings.ToLower(method), "responses", code)
	if ref, ok := r["$ref"].(string); ok {
		v, err := s.resolve(ref)
		if err != nil {
			return "", false
		}
		r, _ = v.(map[string]any)
		base = ref
	}
	content, _ := r["content"].(map[string]any)
	mt, ok := content[mediaType].(map[string]any)
	if !ok {
		return "", true
	}
	if _, ok := mt["schema"]; !ok {
		return "", true
	}
	return base + pointer("content", mediaType, "schema")[1:], true
}

// checkingTransport is an http.RoundTripper that holds every exchange to
// docs/openapi.yaml: the request must be a documented operation, a JSON
// request body valid by its schema; the response's status documented for
// the operation (or the router's 404 and 405, which the document states
// once for all), its JSON body valid by the schema of its media type.
type checkingTransport struct {
	t    *testing.T
	spec *apiSpec
	mu   sync.Mutex
	seen map[string]int // "METHOD template status" → count
}

func newCheckingTransport(t *testing.T, spec *apiSpec) *checkingTransport {
	return &checkingTransport{t: t, spec: spec, seen: map[string]int{}}
}

// RoundTrip sends the request and checks both sides.
func (c *checkingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		reqBody = b
		req.Body = io.NopCloser(bytes.NewReader(b))
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err := c.check(req, reqBody, resp, body); err != nil {
		c.t.Errorf("%s %s → %d: %v\n%.2000s", req.Method, req.URL.Path, resp.StatusCode, err, body)
	}
	return resp, nil
}

func (c *checkingTransport) check(req *http.Request, reqBody []byte, resp *http.Response, body []byte) error {
	tmpl, op, ok := c.spec.operation(req.Method, req.URL.Path)
	if !ok {
		if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusMethodNotAllowed {
			return c.spec.validate("#/components/schemas/Problem", body)
		}
		return fmt.Errorf("no operation %s %s in %s", req.Method, req.URL.Path, openAPIPath)
	}
	c.mu.Lock()
	c.seen[fmt.Sprintf("%s %s %d", req.Method, tmpl, resp.StatusCode)]++
	c.mu.Unlock()
	if mt := mediaType(req.Header.Get("Content-Type")); mt == "application/json" && len(reqBody) > 0 {
		rb, _ := op["requestBody"].(map[string]any)
		content, _ := rb["content"].(map[string]any)
		if _, ok := content[mt]; !ok {
			return fmt.Errorf("%s takes no JSON body in %s", tmpl, openAPIPath)
		}
		if err := c.spec.validate(pointer("paths", tmpl, strings.ToLower(req.Method), "requestBody", "content", mt, "schema"), reqBody); err != nil {
			return fmt.Errorf("request body: %w", err)
		}
	}
	mt := mediaType(resp.Header.Get("Content-Type"))
	ptr, documented := c.spec.response(tmpl, req.Method, resp.StatusCode, mt)
	if !documented {
		return fmt.Errorf("status %d is not documented for %s %s", resp.StatusCode, req.Method, tmpl)
	}
	if ptr == "" {
		if len(body) > 0 && mt != "" {
			return fmt.Errorf("a %s body is not documented for status %d", mt, resp.StatusCode)
		}
		return nil
	}
	if mt == "application/json" || mt == "application/problem+json" {
		return c.spec.validate(ptr, body)
	}
	return nil
}

func mediaType(ct string) string {
	mt, _, _ := mime.ParseMediaType(ct)
	return mt
}

// operations returns the operations seen, sorted ("GET /v1/receipts 200").
func (c *checkingTransport) operations() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, 0, len(c.seen))
	for k := range c.seen {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestDemoDocumentsValidate holds every document of deploy/demo — the
// README's walk-throughs post them — to the schemas of the API: each is
// an import or an export declaration as docs/openapi.yaml describes it.
func TestDemoDocumentsValidate(t *testing.T) {
	spec := loadSpec(t)
	var files []string
	err := filepath.WalkDir("../../deploy/demo", func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".json") {
			files = append(files, path)
		}
		return err
	})
	if err != nil || len(files) == 0 {
		t.Fatalf("no demo documents: %v", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		imp := spec.validate("#/components/schemas/ImportDocument", b)
		exp := spec.validate("#/components/schemas/ExportDocument", b)
		if imp != nil && exp != nil {
			t.Errorf("%s is neither an import nor an export declaration:\nimport: %v\nexport: %v", f, imp, exp)
		}
	}
}
