package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// collectionDir holds the request collection: .http files in the format
// of the JetBrains HTTP client and VS Code's REST Client.
const collectionDir = "../../docs/http"

// httpRequest is one request of a collection file.
type httpRequest struct {
	file, title string
	line        int
	name        string // "# @name x": later requests read its response as {{x.response.body.$.field}}
	method, url string
	header      http.Header
	body        string // inline body, or
	bodyFile    string // "< path", relative to the .http file
	waitFor     string // "# wait-for: text": repeat until the response body holds text
	madeBy      string // "# made-by: command": the body file is written by a command first
	from        string // "# from: path": the inline body is this file, its @PLACEHOLDERS@ filled in
	status      int    // "# expect: 202": the status to get (default: any 2xx)
}

// parseCollection reads a .http file: file variables ("@host = …"),
// requests separated by "###" lines, comments ("#", "//") with the
// annotations "# @name", "# made-by:", "# from:", "# wait-for:" and
// "# expect:".
func parseCollection(path string) (vars map[string]string, reqs []httpRequest, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	vars = map[string]string{}
	var cur *httpRequest
	inBody := false
	var body []string
	flush := func() {
		if cur != nil && cur.method != "" {
			text := strings.TrimSpace(strings.Join(body, "\n"))
			if f, ok := strings.CutPrefix(text, "< "); ok && !strings.Contains(f, "\n") {
				cur.bodyFile = strings.TrimSpace(f)
			} else {
				cur.body = text
			}
			reqs = append(reqs, *cur)
		}
		cur, inBody, body = nil, false, nil
	}
	title := ""
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trim := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trim, "###"):
			flush()
			title = strings.TrimSpace(strings.TrimPrefix(trim, "###"))
			continue
		case inBody:
			body = append(body, line)
			continue
		case strings.HasPrefix(trim, "#") || strings.HasPrefix(trim, "//"):
			c := strings.TrimSpace(strings.TrimLeft(trim, "#/"))
			if cur == nil {
				cur = &httpRequest{file: filepath.Base(path), title: title, header: http.Header{}}
			}
			if v, ok := strings.CutPrefix(c, "@name "); ok {
				cur.name = strings.TrimSpace(v)
			}
			if v, ok := strings.CutPrefix(c, "made-by:"); ok {
				cur.madeBy = strings.TrimSpace(v)
			}
			if v, ok := strings.CutPrefix(c, "from:"); ok {
				cur.from = strings.TrimSpace(v)
			}
			if v, ok := strings.CutPrefix(c, "wait-for:"); ok {
				cur.waitFor = strings.TrimSpace(v)
			}
			if v, ok := strings.CutPrefix(c, "expect:"); ok {
				if cur.status, err = strconv.Atoi(strings.TrimSpace(v)); err != nil {
					return nil, nil, fmt.Errorf("%s:%d: expect: %w", path, n, err)
				}
			}
			continue
		case strings.HasPrefix(trim, "@") && (cur == nil || cur.method == ""):
			k, v, ok := strings.Cut(trim[1:], "=")
			if !ok {
				return nil, nil, fmt.Errorf("%s:%d: a variable needs =", path, n)
			}
			vars[strings.TrimSpace(k)] = strings.TrimSpace(v)
			continue
		case trim == "":
			if cur != nil && cur.method != "" {
				inBody = true
			}
			continue
		}
		if cur == nil {
			cur = &httpRequest{file: filepath.Base(path), title: title, header: http.Header{}}
		}
		if cur.method == "" {
			f := strings.Fields(trim)
			if len(f) < 2 {
				return nil, nil, fmt.Errorf("%s:%d: want METHOD URL, got %q", path, n, trim)
			}
			cur.method, cur.url, cur.line = f[0], f[1], n
			continue
		}
		k, v, ok := strings.Cut(trim, ":")
		if !ok {
			return nil, nil, fmt.Errorf("%s:%d: want a header, got %q", path, n, trim)
		}
		cur.header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	flush()
	return vars, reqs, sc.Err()
}

func collectionFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(collectionDir, "*.http"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no .http files in %s: %v", collectionDir, err)
	}
	return files
}

var placeholder = regexp.MustCompile(`\{\{([^}]+)\}\}`)

// TestHTTPCollectionMatchesOpenAPI: every request of docs/http is a
// documented operation, and its body file exists.
func TestHTTPCollectionMatchesOpenAPI(t *testing.T) {
	spec := loadSpec(t)
	for _, f := range collectionFiles(t) {
		_, reqs, err := parseCollection(f)
		if err != nil {
			t.Fatal(err)
		}
		if len(reqs) == 0 {
			t.Errorf("%s holds no request", f)
		}
		for _, r := range reqs {
			// A value read at run time stands for one path segment.
			raw := placeholder.ReplaceAllString(r.url, "x")
			u, err := url.Parse(strings.Replace(raw, "x/", "http://h/", 1))
			if err != nil || !strings.HasPrefix(raw, "x/") {
				t.Errorf("%s:%d: the URL must start with {{host}}: %q", r.file, r.line, r.url)
				continue
			}
			if _, _, ok := spec.operation(r.method, u.Path); !ok {
				t.Errorf("%s:%d: %s %s is not an operation of %s", r.file, r.line, r.method, u.Path, openAPIPath)
			}
			if r.bodyFile != "" && r.madeBy == "" {
				if _, err := os.Stat(filepath.Join(collectionDir, r.bodyFile)); err != nil {
					t.Errorf("%s:%d: body file: %v", r.file, r.line, err)
				}
			}
			if r.from != "" {
				if err := sameBody(r.body, filepath.Join(collectionDir, r.from)); err != nil {
					t.Errorf("%s:%d: the body is not %s: %v", r.file, r.line, r.from, err)
				}
			}
		}
	}
}

// demoPlaceholder is a value a demo file leaves to the reader to fill in
// ("@INVTNO@", which the README's walk-through puts in with sed).
var demoPlaceholder = regexp.MustCompile(`@[A-Z]+@`)

// sameBody reports whether an inline JSON body is the JSON of the file,
// a {{…}} of the body standing where the file has an @PLACEHOLDER@: the
// collection repeats a demo file only where the reader must fill it in,
// and must not drift from it.
func sameBody(inline, path string) error {
	file, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var a, b any
	if err := json.Unmarshal([]byte(placeholder.ReplaceAllString(inline, "@@")), &a); err != nil {
		return fmt.Errorf("inline body: %w", err)
	}
	if err := json.Unmarshal([]byte(demoPlaceholder.ReplaceAllString(string(file), "@@")), &b); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if !reflect.DeepEqual(a, b) {
		return errors.New("they differ")
	}
	return nil
}

// collectionRuns are the walk-throughs of docs/http that
// TestHTTPCollectionRuns sends to the program, each to a cbec of its own;
// the files of one run go to the same cbec, in order (summary.http goes
// on from the export of export.http).
var collectionRuns = [][]string{
	{"import.http"},
	{"returns.http"},
	{"export.http", "summary.http"},
	{"webhooks.http"},
}

// collectionNotRun are the files of docs/http no run sends, and why.
var collectionNotRun = map[string]string{
	"samples.http": "its bodies are the official samples, corrected by a shell loop the file shows",
	"signed.http":  "its body is signed by cbec sign, against a second cbec that requires signatures (TestSignedWalkThrough runs the README's block)",
}

// TestHTTPCollectionRuns sends the collection's walk-throughs to the whole
// program, in order, as a reader of docs/http would — with the
// development clock the returns and export walk-throughs move, and a quick
// sweep, so that the month's summary is computed at once: each request
// answers its expected status (or 2xx), waits where it says, and every
// exchange is held to docs/openapi.yaml by the checking transport.
func TestHTTPCollectionRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a whole cbec (-short)")
	}
	spec := loadSpec(t)
	listed := map[string]int{}
	for _, run := range collectionRuns {
		for _, f := range run {
			listed[f]++
		}
	}
	for f := range collectionNotRun {
		listed[f]++
	}
	for _, f := range collectionFiles(t) {
		if n := listed[filepath.Base(f)]; n != 1 {
			t.Errorf("%s: in %d of collectionRuns and collectionNotRun, want exactly one", f, n)
		}
		delete(listed, filepath.Base(f))
	}
	for f := range listed {
		t.Errorf("%s is listed, but there is no such file in %s", f, collectionDir)
	}
	for _, run := range collectionRuns {
		t.Run(strings.Join(run, "+"), func(t *testing.T) {
			m := startMain(t, t.TempDir(), "--dev-clock", "--sweep-interval", "200ms")
			defer m.Close(context.Background())
			tr := newCheckingTransport(t, spec)
			client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
			for _, name := range run {
				vars, reqs, err := parseCollection(filepath.Join(collectionDir, name))
				if err != nil {
					t.Fatal(err)
				}
				vars["host"] = m.HTTPURL()
				responses := map[string][]byte{}
				for _, r := range reqs {
					body := runRequest(t, client, r, vars, responses)
					if r.name != "" {
						responses[r.name] = body
					}
				}
			}
			t.Logf("operations exercised: %v", tr.operations())
		})
	}
}

// runRequest sends r, repeating it while its wait-for text is missing (or
// what it waits for is not there yet: 404), and returns the response body.
func runRequest(t *testing.T, client *http.Client, r httpRequest, vars map[string]string, responses map[string][]byte) []byte {
	t.Helper()
	subst := func(s string) string {
		return placeholder.ReplaceAllStringFunc(s, func(m string) string {
			v, err := lookup(strings.TrimSpace(m[2:len(m)-2]), vars, responses)
			if err != nil {
				t.Fatalf("%s:%d: %v", r.file, r.line, err)
			}
			return v
		})
	}
	body := []byte(r.body)
	if r.bodyFile != "" {
		b, err := os.ReadFile(filepath.Join(collectionDir, r.bodyFile))
		if err != nil {
			t.Fatal(err)
		}
		body = b
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		req, err := http.NewRequest(r.method, subst(r.url), bytes.NewReader([]byte(subst(string(body)))))
		if err != nil {
			t.Fatalf("%s:%d: %v", r.file, r.line, err)
		}
		for k, vs := range r.header {
			for _, v := range vs {
				req.Header.Add(k, subst(v))
			}
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s:%d: %v", r.file, r.line, err)
		}
		got, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		ok := resp.StatusCode/100 == 2
		if r.status != 0 {
			ok = resp.StatusCode == r.status
		}
		// What a request waits for may not exist yet: a declaration is
		// stored once its service has read it from CEB_IN.
		notYet := r.waitFor != "" && resp.StatusCode == http.StatusNotFound
		if !ok && !notYet {
			t.Fatalf("%s:%d %q: %d %s", r.file, r.line, r.title, resp.StatusCode, got)
		}
		if ok && (r.waitFor == "" || bytes.Contains(got, []byte(r.waitFor))) {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s:%d %q: no %q in the answer after 15 s: %s", r.file, r.line, r.title, r.waitFor, got)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// lookup resolves a {{…}} placeholder: a file variable, or a field of a
// named response, "name.response.body.$.a.b[0].c".
func lookup(expr string, vars map[string]string, responses map[string][]byte) (string, error) {
	if v, ok := vars[expr]; ok {
		return placeholder.ReplaceAllStringFunc(v, func(m string) string {
			return vars[strings.TrimSpace(m[2:len(m)-2])]
		}), nil
	}
	name, path, ok := strings.Cut(expr, ".response.body.$")
	if !ok {
		return "", fmt.Errorf("unknown variable %q", expr)
	}
	raw, ok := responses[name]
	if !ok {
		return "", fmt.Errorf("no response named %q before", name)
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", fmt.Errorf("response %s is not JSON: %w", name, err)
	}
	for _, part := range strings.Split(strings.TrimPrefix(path, "."), ".") {
		key, idx, isIdx := strings.Cut(part, "[")
		obj, _ := v.(map[string]any)
		v = obj[key]
		if isIdx {
			i, _ := strconv.Atoi(strings.TrimSuffix(idx, "]"))
			list, _ := v.([]any)
			if i >= len(list) {
				return "", fmt.Errorf("%s: no item %d", expr, i)
			}
			v = list[i]
		}
	}
	switch v := v.(type) {
	case string:
		return v, nil
	case nil:
		return "", fmt.Errorf("%s: no such field in %s", expr, raw)
	default:
		return fmt.Sprint(v), nil
	}
}
