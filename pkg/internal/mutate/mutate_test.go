package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// writeModule writes a module of its own with one package, so that the
// runner is tested on code whose mutants are known, without the network
// (it has no dependency) and without touching this repository.
func writeModule(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	files["go.mod"] = "module example.com/limits\n\ngo 1.26\n"
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const limitsSource = `package limits

// Over reports whether p is over the limit; the limit itself passes.
func Over(p, limit int) bool { return p > limit }

// Label names a value.
func Label(s string) string { return "value " + s }

var sizes = [2]int{1, 3}

// Both is a && b.
func Both(a, b, c bool) bool { return a || b && c }
`

// limitsTest misses the boundary: nothing tests p == limit.
const limitsTest = `package limits

import "testing"

func TestOver(t *testing.T) {
	if !Over(6, 5) || Over(4, 5) {
		t.Fatal("Over")
	}
	if Label("x") != "value x" || sizes[1] != 3 {
		t.Fatal("Label")
	}
	if !Both(true, false, false) || Both(false, true, false) || !Both(false, true, true) {
		t.Fatal("Both")
	}
}
`

func TestMutantsAreChosenByType(t *testing.T) {
	dir := writeModule(t, map[string]string{"limits.go": limitsSource, "limits_test.go": limitsTest})
	p, err := Load(dir, ".")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range p.Mutants {
		got = append(got, m.Func+": "+m.Desc)
	}
	for _, want := range []string{
		"Over: > → >=", "Over: > → <=", "var: 1 → 2", "var: 2 → 1", "Both: || → &&", "Both: && → ||",
	} {
		if !slices.Contains(got, want) {
			t.Errorf("no mutant %q in %q", want, got)
		}
	}
	for _, m := range p.Mutants {
		if m.Func == "Label" && m.Kind == "arithmetic" {
			t.Errorf("string concatenation mutated: %s", m)
		}
	}
	// && binds tighter than ||: swapping the && must not regroup the
	// operands into (a || b) || c.
	for _, m := range p.Mutants {
		if m.Func == "Both" && m.Desc == "&& → ||" {
			src := string(m.Apply(p.Sources[m.File]))
			if !strings.Contains(src, "a || ((b) || (c))") {
				t.Errorf("&& → || gives %q", src[strings.Index(src, "func Both"):])
			}
		}
	}
}

// TestRunJudgesEachMutant runs the tests of the module against each
// mutant: the untested boundary survives, the others are killed, one that
// does not compile is not viable, and the files on disk never change.
func TestRunJudgesEachMutant(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and tests a dozen mutants")
	}
	dir := writeModule(t, map[string]string{"limits.go": limitsSource, "limits_test.go": limitsTest})
	p, err := Load(dir, ".")
	if err != nil {
		t.Fatal(err)
	}
	r := &Runner{Dir: dir, Pkg: p.ImportPath, Tmp: t.TempDir(), Timeout: time.Minute}
	ctx := context.Background()
	_, cov, err := r.Baseline(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Result{
		"Over: > → >=":  Survived,
		"Over: > → <=":  Killed,
		"var: 2 → 1":    NotViable, // [1]int{1, 3} has too many elements
		"Both: || → &&": Killed,
		"Both: && → ||": Killed,
	}
	for _, m := range p.Mutants {
		w, ok := want[m.Func+": "+m.Desc]
		if !ok {
			continue
		}
		if !cov.Covered(m.File, m.Line, m.Col) {
			t.Errorf("%s: not covered", m)
		}
		res, err := r.Run(ctx, m, p.Sources[m.File], 0)
		if err != nil {
			t.Fatal(err)
		}
		if res != w {
			t.Errorf("%s: %s, want %s", m, res, w)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "limits.go")); string(b) != limitsSource {
		t.Fatal("the source file on disk was changed")
	}
}

func TestCoverage(t *testing.T) {
	prof := filepath.Join(t.TempDir(), "cover.out")
	text := "mode: set\nexample.com/limits/limits.go:4.30,4.49 1 1\nexample.com/limits/limits.go:7.37,7.60 1 0\n"
	if err := os.WriteFile(prof, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := ReadCoverage(prof)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		line, col int
		want      bool
	}{
		{4, 40, true}, {7, 40, false}, {7, 37, false}, {7, 61, true}, {9, 1, true},
	} {
		if got := c.Covered("/any/dir/limits.go", tc.line, tc.col); got != tc.want {
			t.Errorf("Covered(%d:%d) = %v, want %v", tc.line, tc.col, got, tc.want)
		}
	}
}

func TestReadEquivalent(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.txt")
	text := "# comment\n\npkg/a/a.go | F | 0 → 1 | 0 -- only the sign is read\n"
	if err := os.WriteFile(good, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	known, err := readEquivalent(good)
	if err != nil || known["pkg/a/a.go | F | 0 → 1 | 0"] != "only the sign is read" || len(known) != 1 {
		t.Fatalf("readEquivalent = %v, %v", known, err)
	}
	bad := filepath.Join(dir, "bad.txt")
	if err := os.WriteFile(bad, []byte("pkg/a/a.go | F | 0 → 1 | 0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := readEquivalent(bad); err == nil || !strings.Contains(err.Error(), "bad.txt:1") {
		t.Fatalf("a mutant without its reason: %v", err)
	}
	if known, err := readEquivalent(filepath.Join(dir, "none.txt")); err != nil || len(known) != 0 {
		t.Fatalf("a missing file: %v, %v", known, err)
	}
}

// TestEquivalentListIsCurrent: every mutant equivalent.txt explains still
// exists, so that the list does not keep excuses for code that is gone.
func TestEquivalentListIsCurrent(t *testing.T) {
	known, err := readEquivalent("equivalent.txt")
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	loaded := map[string]bool{}
	for key := range known {
		file := strings.TrimSpace(strings.Split(key, "|")[0])
		pkg := "./" + filepath.Dir(file)
		if loaded[pkg] {
			continue
		}
		loaded[pkg] = true
		p, err := Load("../../..", pkg)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range p.Mutants {
			keys[m.Key()] = true
		}
	}
	for key := range known {
		if !keys[key] {
			t.Errorf("equivalent.txt explains a mutant that no longer exists: %s", key)
		}
	}
}
