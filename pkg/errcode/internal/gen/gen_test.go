package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// TestGeneratedFilesInStep keeps codes.go and docs/errors.md in step with
// codes.json: it generates both in memory and fails while a committed file
// differs (run `go generate ./pkg/errcode`).
func TestGeneratedFilesInStep(t *testing.T) {
	const goFile, docFile = "../../codes.go", "../../../../docs/errors.md"
	want, err := generate("../../codes.json", docFile)
	if err != nil {
		t.Fatal(err)
	}
	for path, w := range map[string][]byte{goFile: want.goSrc, docFile: want.doc} {
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, w) {
			t.Errorf("%s differs from what codes.json generates (first difference at line %d); run go generate ./pkg/errcode", path, firstDiffLine(got, w))
		}
	}
}

func firstDiffLine(a, b []byte) int {
	la, lb := bytes.Split(a, []byte("\n")), bytes.Split(b, []byte("\n"))
	for i := range min(len(la), len(lb)) {
		if !bytes.Equal(la[i], lb[i]) {
			return i + 1
		}
	}
	return min(len(la), len(lb)) + 1
}

// valid is a table of one group of two codes that Load accepts; the cases
// of TestLoadRefuses each break one thing in it.
const valid = `{"comment": "c", "groups": [{"doc": "Some codes.", "section": "Project codes", "codes": [
 {"name": "NotFound", "code": "-900404", "http": 404, "doc": "NotFound: no such thing.", "text": "not found", "textZh": "未找到", "when": "an unknown path"},
 {"name": "Internal", "code": "-900500", "http": 500, "doc": "Internal is an unexpected failure.", "text": "internal error", "textZh": "系统内部错误", "when": "a bug"}
]}]}`

func TestLoadRefuses(t *testing.T) {
	if _, err := Load([]byte(valid)); err != nil {
		t.Fatalf("the valid table: %v", err)
	}
	cases := []struct{ name, from, to, want string }{
		{"unknown field", `"when": "a bug"`, `"when": "a bug", "status": 500`, "status"},
		{"repeated field", `"http": 500,`, `"http": 500, "http": 503,`, "http"},
		{"code twice", `"-900500"`, `"-900404"`, "used twice"},
		{"name twice", `"name": "Internal"`, `"name": "NotFound"`, "used twice"},
		{"not a code", `"-900500"`, `"-90050x"`, "not a number"},
		{"not a Go name", `"name": "Internal"`, `"name": "internal"`, "exported Go identifier"},
		{"not an error status", `"http": 500`, `"http": 302`, "not an error status"},
		{"doc of another name", `"Internal is`, `"Intern is`, "start with the name"},
		{"no Chinese", `"textZh": "系统内部错误"`, `"textZh": ""`, "textZh is empty"},
		{"pipe in a cell", `"when": "a bug"`, `"when": "a | b"`, "when holds a |"},
		{"line break in a cell", `"text": "not found"`, `"text": "not\nfound"`, "text holds a | or a line break"},
	}
	for _, c := range cases {
		in := strings.Replace(valid, c.from, c.to, 1)
		if in == valid {
			t.Fatalf("%s: the case changes nothing", c.name)
		}
		_, err := Load([]byte(in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want one naming %q", c.name, err, c.want)
		}
	}
}

func TestSectionsMustNotSplit(t *testing.T) {
	g := func(section, name, code string) Group {
		return Group{Doc: "d", Section: section, Codes: []Code{{Name: name, Code: code, HTTP: 422, Doc: name + " d", Text: "t", TextZh: "t", When: "w"}}}
	}
	ok := &Table{Groups: []Group{g("A", "One", "-1"), g("A", "Two", "-2"), g("B", "Three", "-3")}}
	if err := ok.check(); err != nil {
		t.Fatalf("sections in one run each: %v", err)
	}
	split := &Table{Groups: []Group{g("A", "One", "-1"), g("B", "Two", "-2"), g("A", "Three", "-3")}}
	if err := split.check(); err == nil || !strings.Contains(err.Error(), "split") {
		t.Fatalf("a split section: err = %v", err)
	}
}

func TestGoSourceAndCatalogue(t *testing.T) {
	tab, err := Load([]byte(valid))
	if err != nil {
		t.Fatal(err)
	}
	src, err := GoSource(tab)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		header,
		"// Some codes.\nconst (\n\t// NotFound: no such thing.\n\tNotFound Code = \"-900404\"\n",
		`NotFound: {Code: NotFound, HTTP: 404, Text: "not found", TextZh: "未找到"},`,
	} {
		if !strings.Contains(string(src), want) {
			t.Errorf("codes.go lacks %q:\n%s", want, src)
		}
	}
	md := string(Catalogue(tab))
	wantMD := "\n### Project codes\n\n| code | HTTP | meaning | returned when |\n| --- | --- | --- | --- |\n" +
		"| `-900404` | 404 | not found | an unknown path |\n| `-900500` | 500 | internal error | a bug |\n"
	if md != wantMD {
		t.Errorf("catalogue:\n%s\nwant:\n%s", md, wantMD)
	}
}

func TestCommentWraps(t *testing.T) {
	var b bytes.Buffer
	long := strings.Repeat("word ", 30)
	comment(&b, "\t", long)
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) < 2 {
		t.Fatalf("a %d-character comment on one line", len(long))
	}
	for _, l := range lines {
		if n := len(strings.TrimPrefix(l, "\t// ")); n > commentWidth || !strings.HasPrefix(l, "\t// ") {
			t.Errorf("line %q (%d characters of text)", l, n)
		}
	}
	if got := strings.Join(strings.Fields(strings.ReplaceAll(b.String(), "//", "")), " "); got != strings.TrimSpace(long) {
		t.Errorf("wrapping lost words: %q", got)
	}
}

func TestSpliceKeepsThePage(t *testing.T) {
	page := "# Errors\n\nintro\n\n" + beginMarker + "\nold rows\n" + endMarker + "\n\nafter\n"
	got, err := Splice([]byte(page), []byte("\nnew rows\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := "# Errors\n\nintro\n\n" + beginMarker + "\n\nnew rows\n\n" + endMarker + "\n\nafter\n"
	if string(got) != want {
		t.Errorf("Splice:\n%s\nwant:\n%s", got, want)
	}
	for name, bad := range map[string]string{
		"no markers":    "# Errors\n",
		"no end":        beginMarker + "\nrows\n",
		"reversed":      endMarker + "\n" + beginMarker + "\n",
		"twice a begin": beginMarker + "\n" + beginMarker + "\n" + endMarker + "\n",
	} {
		if _, err := Splice([]byte(bad), nil); err == nil {
			t.Errorf("%s: Splice accepted the page", name)
		}
	}
}
