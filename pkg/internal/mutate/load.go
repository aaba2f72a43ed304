package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Package is one package to mutate: its sources parsed and type-checked,
// so that mutants are chosen by type (no arithmetic on strings, decimal
// comparisons only on decimals).
type Package struct {
	ImportPath string
	Dir        string
	// Rel is Dir from the module root.
	Rel     string
	Mutants []Mutant
	// Sources maps each file's absolute path to its content.
	Sources map[string][]byte
}

// listed is what `go list -json` says of a package.
type listed struct {
	ImportPath string
	Dir        string
	Export     string
	GoFiles    []string
	Module     *struct{ Dir string }
}

// goList runs `go list -json` with args in dir and decodes the stream.
func goList(dir string, args ...string) ([]listed, error) {
	cmd := exec.Command("go", append([]string{"list", "-json"}, args...)...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list %s: %w\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	var ps []listed
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listed
		if err := dec.Decode(&p); err == io.EOF {
			return ps, nil
		} else if err != nil {
			return nil, err
		}
		ps = append(ps, p)
	}
}

// Load parses and type-checks the package named by pattern (a directory
// such as ./pkg/tax, relative to dir) and lists its mutants. Test files are
// not mutated: they are the judges.
func Load(dir, pattern string) (*Package, error) {
	ps, err := goList(dir, pattern)
	if err != nil {
		return nil, err
	}
	if len(ps) != 1 {
		return nil, fmt.Errorf("%s names %d packages, want one", pattern, len(ps))
	}
	lp := ps[0]
	root := lp.Dir
	if lp.Module != nil {
		root = lp.Module.Dir
	}
	// Export data of every dependency, compiled (or taken from the build
	// cache) by the go command, for the type checker.
	deps, err := goList(dir, "-export", "-deps", pattern)
	if err != nil {
		return nil, err
	}
	exports := map[string]string{}
	for _, d := range deps {
		exports[d.ImportPath] = d.Export
	}
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		f, ok := exports[path]
		if !ok || f == "" {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(f)
	})
	p := &Package{ImportPath: lp.ImportPath, Dir: lp.Dir, Sources: map[string][]byte{}}
	p.Rel, _ = filepath.Rel(root, lp.Dir)
	var files []*ast.File
	for _, name := range lp.GoFiles {
		abs := filepath.Join(lp.Dir, name)
		src, err := os.ReadFile(abs)
		if err != nil {
			return nil, err
		}
		f, err := parser.ParseFile(fset, abs, src, parser.ParseComments)
		if err != nil {
			return nil, err
		}
		p.Sources[abs] = src
		files = append(files, f)
	}
	info := &types.Info{
		Types:      map[ast.Expr]types.TypeAndValue{},
		Uses:       map[*ast.Ident]types.Object{},
		Selections: map[*ast.SelectorExpr]*types.Selection{},
	}
	conf := types.Config{Importer: imp}
	if _, err := conf.Check(lp.ImportPath, fset, files, info); err != nil {
		return nil, fmt.Errorf("type-check %s: %w", lp.ImportPath, err)
	}
	for i, f := range files {
		abs := filepath.Join(lp.Dir, lp.GoFiles[i])
		rel, _ := filepath.Rel(root, abs)
		p.Mutants = append(p.Mutants, Mutants(fset, f, info, p.Sources[abs], rel, abs)...)
	}
	return p, nil
}
