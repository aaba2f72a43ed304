package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"sort"
	"strconv"
	"strings"
)

// Mutant is one small change to one source file of a package: the kind of
// slip a reviewer would not notice, which the package's tests must notice.
type Mutant struct {
	// Rel is the file's path from the module root, for reports.
	Rel string
	// File is the file's absolute path, the key of the go command's overlay.
	File string
	// Line and Col locate the changed token.
	Line, Col int
	// Func is the enclosing function ("Ledger.GiveBack"), or "const"/"var"
	// for package-level declarations.
	Func string
	// Kind groups the mutants: boundary, negation, arithmetic, boolean,
	// constant, rounding.
	Kind string
	// Desc says what changed, e.g. "> → >=".
	Desc string
	// Snippet is the source line of the change, trimmed, so that a report
	// names the mutant in words and not only by position, and a mutant
	// keeps its name when lines elsewhere in the file move.
	Snippet string
	// Occurrence numbers mutants alike in all of the above (the same
	// change to two equal tokens of one line) from 1; 0 when unique.
	Occurrence int

	edits []edit
}

// edit replaces src[start:end] with text.
type edit struct {
	start, end int
	text       string
}

// String is the mutant in one line: its Key with the line and column
// after the file name, so that equivalent.txt takes a report's line with
// the position removed.
func (m Mutant) String() string {
	return fmt.Sprintf("%s:%d:%d | %s", m.Rel, m.Line, m.Col, m.name())
}

// Key names the mutant independently of line numbers, so that a list of
// equivalent mutants survives edits elsewhere in the file.
func (m Mutant) Key() string { return m.Rel + " | " + m.name() }

func (m Mutant) name() string {
	n := m.Func + " | " + m.Desc + " | " + m.Snippet
	if m.Occurrence > 0 {
		n += " | #" + strconv.Itoa(m.Occurrence)
	}
	return n
}

// Apply returns src with the mutant's edits made.
func (m Mutant) Apply(src []byte) []byte {
	edits := append([]edit(nil), m.edits...)
	sort.Slice(edits, func(i, j int) bool { return edits[i].start > edits[j].start })
	out := append([]byte(nil), src...)
	for _, e := range edits {
		out = append(out[:e.start], append([]byte(e.text), out[e.end:]...)...)
	}
	return out
}

// Operators swapped on Go's own comparisons, and the method pairs that are
// the same slip on shopspring/decimal and time.Time values, where this
// project's money and dates are compared.
var (
	boundaryOp = map[token.Token]token.Token{token.LSS: token.LEQ, token.LEQ: token.LSS, token.GTR: token.GEQ, token.GEQ: token.GTR}
	negateOp   = map[token.Token]token.Token{
		token.LSS: token.GEQ, token.LEQ: token.GTR, token.GTR: token.LEQ, token.GEQ: token.LSS,
		token.EQL: token.NEQ, token.NEQ: token.EQL,
	}
	arithOp = map[token.Token]token.Token{
		token.ADD: token.SUB, token.SUB: token.ADD, token.MUL: token.QUO, token.QUO: token.MUL, token.REM: token.MUL,
		token.ADD_ASSIGN: token.SUB_ASSIGN, token.SUB_ASSIGN: token.ADD_ASSIGN,
		token.MUL_ASSIGN: token.QUO_ASSIGN, token.QUO_ASSIGN: token.MUL_ASSIGN,
		token.INC: token.DEC, token.DEC: token.INC,
	}
	boolOp = map[token.Token]token.Token{token.LAND: token.LOR, token.LOR: token.LAND}

	// decimalMethods: for each method of decimal.Decimal, its boundary
	// twin, its negation ("!" = the call negated) and its arithmetic twin.
	decimalMethods = map[string]methodMutation{
		"GreaterThan":        {boundary: "GreaterThanOrEqual", negate: "LessThanOrEqual"},
		"GreaterThanOrEqual": {boundary: "GreaterThan", negate: "LessThan"},
		"LessThan":           {boundary: "LessThanOrEqual", negate: "GreaterThanOrEqual"},
		"LessThanOrEqual":    {boundary: "LessThan", negate: "GreaterThan"},
		"Equal":              {negate: "!"},
		"IsPositive":         {boundary: "!IsNegative", negate: "!"},
		"IsNegative":         {boundary: "!IsPositive", negate: "!"},
		"IsZero":             {negate: "!"},
		"Add":                {arith: "Sub"},
		"Sub":                {arith: "Add"},
		"Mul":                {arith: "Div"},
		"Div":                {arith: "Mul"},
	}
	timeMethods = map[string]methodMutation{
		"Before": {boundary: "!After", negate: "!"},
		"After":  {boundary: "!Before", negate: "!"},
		"Equal":  {negate: "!"},
	}
	decimalFuncs = map[string]string{"Min": "Max", "Max": "Min"}
)

const decimalPath = "github.com/shopspring/decimal"

// methodMutation names the replacements of one method: a name, or "!" to
// negate the call, or "!Name" to negate a call of another method.
type methodMutation struct{ boundary, negate, arith string }

// generator walks one file and collects its mutants.
type generator struct {
	fset *token.FileSet
	info *types.Info
	src  []byte
	rel  string
	file string
	fn   string
	out  []Mutant
}

// Mutants lists every mutant of one parsed, type-checked file.
func Mutants(fset *token.FileSet, f *ast.File, info *types.Info, src []byte, rel, abs string) []Mutant {
	g := &generator{fset: fset, info: info, src: src, rel: rel, file: abs}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			g.fn = funcName(d)
			if d.Body != nil {
				ast.Inspect(d.Body, g.visit)
			}
		case *ast.GenDecl:
			if d.Tok != token.CONST && d.Tok != token.VAR {
				continue
			}
			g.fn = d.Tok.String()
			ast.Inspect(d, g.visit)
		}
	}
	sort.SliceStable(g.out, func(i, j int) bool {
		a, b := g.out[i], g.out[j]
		return a.Line < b.Line || a.Line == b.Line && a.Col < b.Col
	})
	return number(dedupe(g.out, src))
}

// number sets Occurrence where two mutants would otherwise share a Key.
func number(ms []Mutant) []Mutant {
	count := map[string]int{}
	for _, m := range ms {
		count[m.Key()]++
	}
	seen := map[string]int{}
	for i := range ms {
		k := ms[i].Key()
		if count[k] > 1 {
			seen[k]++
			ms[i].Occurrence = seen[k]
		}
	}
	return ms
}

// funcName is "Recv.Name" for a method, "Name" for a function.
func funcName(d *ast.FuncDecl) string {
	if d.Recv == nil || len(d.Recv.List) == 0 {
		return d.Name.Name
	}
	t := d.Recv.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	if ix, ok := t.(*ast.IndexExpr); ok {
		t = ix.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name + "." + d.Name.Name
	}
	return d.Name.Name
}

// dedupe drops mutants whose mutated source equals an earlier one's (e.g.
// "!" inserted before a call that already had one is the removal of it).
func dedupe(ms []Mutant, src []byte) []Mutant {
	seen := map[string]bool{string(src): true}
	out := ms[:0]
	for _, m := range ms {
		s := string(m.Apply(src))
		if seen[s] {
			continue
		}
		seen[s] = true
		out = append(out, m)
	}
	return out
}

func (g *generator) text(n ast.Node) string {
	return string(g.src[g.off(n.Pos()):g.off(n.End())])
}

func (g *generator) off(p token.Pos) int { return g.fset.Position(p).Offset }

// add records a mutant located at pos.
func (g *generator) add(pos token.Pos, kind, desc string, edits ...edit) {
	p := g.fset.Position(pos)
	start := bytes.LastIndexByte(g.src[:p.Offset], '\n') + 1
	end := p.Offset + bytes.IndexByte(g.src[p.Offset:], '\n')
	if end < p.Offset {
		end = len(g.src)
	}
	snippet := strings.Join(strings.Fields(string(g.src[start:end])), " ")
	g.out = append(g.out, Mutant{Rel: g.rel, File: g.file, Line: p.Line, Col: p.Column, Func: g.fn,
		Kind: kind, Desc: desc, Snippet: snippet, edits: edits})
}

// swapTok replaces the operator token at pos.
func (g *generator) swapTok(pos token.Pos, kind string, from, to token.Token) {
	o := g.off(pos)
	g.add(pos, kind, from.String()+" → "+to.String(), edit{o, o + len(from.String()), to.String()})
}

func (g *generator) visit(n ast.Node) bool {
	switch x := n.(type) {
	case *ast.BinaryExpr:
		g.binary(x)
	case *ast.AssignStmt:
		if to, ok := arithOp[x.Tok]; ok {
			g.swapTok(x.TokPos, "arithmetic", x.Tok, to)
		}
	case *ast.IncDecStmt:
		g.swapTok(x.TokPos, "arithmetic", x.Tok, arithOp[x.Tok])
	case *ast.UnaryExpr:
		if x.Op == token.NOT || x.Op == token.SUB {
			kind := map[token.Token]string{token.NOT: "boolean", token.SUB: "arithmetic"}[x.Op]
			o := g.off(x.OpPos)
			g.add(x.OpPos, kind, "drop "+x.Op.String(), edit{o, o + 1, ""})
		}
	case *ast.BasicLit:
		g.literal(x)
	case *ast.IfStmt:
		g.condition(x.Cond)
	case *ast.ForStmt:
		g.condition(x.Cond)
	case *ast.Ident:
		if b, ok := g.info.Uses[x].(*types.Const); ok && b.Parent() == types.Universe && (x.Name == "true" || x.Name == "false") {
			to := map[string]string{"true": "false", "false": "true"}[x.Name]
			o := g.off(x.Pos())
			g.add(x.Pos(), "boolean", x.Name+" → "+to, edit{o, o + len(x.Name), to})
		}
	case *ast.CallExpr:
		g.call(x)
	}
	return true
}

func (g *generator) binary(x *ast.BinaryExpr) {
	if to, ok := boundaryOp[x.Op]; ok {
		g.swapTok(x.OpPos, "boundary", x.Op, to)
	}
	if to, ok := negateOp[x.Op]; ok {
		g.swapTok(x.OpPos, "negation", x.Op, to)
	}
	if to, ok := boolOp[x.Op]; ok {
		// Swapping the token alone would regroup the operands (a || b || c
		// becomes a || (b && c), since && binds tighter): keep the tree and
		// swap only this node's operator.
		g.add(x.OpPos, "boolean", x.Op.String()+" → "+to.String(),
			edit{g.off(x.Pos()), g.off(x.End()), "((" + g.text(x.X) + ") " + to.String() + " (" + g.text(x.Y) + "))"})
	}
	if to, ok := arithOp[x.Op]; ok && !g.isString(x) {
		g.swapTok(x.OpPos, "arithmetic", x.Op, to)
	}
}

func (g *generator) isString(e ast.Expr) bool {
	t := g.info.TypeOf(e)
	if t == nil {
		return false
	}
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&types.IsString != 0
}

// literal moves an integer constant by one either way.
func (g *generator) literal(x *ast.BasicLit) {
	if x.Kind != token.INT {
		return
	}
	v, err := strconv.ParseInt(strings.ReplaceAll(x.Value, "_", ""), 0, 64)
	if err != nil {
		return
	}
	o := g.off(x.Pos())
	for _, d := range []int64{1, -1} {
		to := strconv.FormatInt(v+d, 10)
		if v+d < 0 {
			to = "(" + to + ")"
		}
		g.add(x.Pos(), "constant", x.Value+" → "+strconv.FormatInt(v+d, 10), edit{o, o + len(x.Value), to})
	}
}

// condition negates an if or for condition that no other mutant negates:
// a boolean variable or a call of a predicate.
func (g *generator) condition(c ast.Expr) {
	switch c := c.(type) {
	case *ast.Ident:
		if c.Name == "true" || c.Name == "false" {
			return
		}
	case *ast.CallExpr:
		if _, ok := g.method(c); ok {
			return
		}
	default:
		return
	}
	o := g.off(c.Pos())
	g.add(c.Pos(), "negation", "negate condition", edit{o, o, "!"})
}

// method returns the mutations of a call of a decimal.Decimal or time.Time
// method, if c is one.
func (g *generator) method(c *ast.CallExpr) (methodMutation, bool) {
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if !ok {
		return methodMutation{}, false
	}
	s, ok := g.info.Selections[sel]
	if !ok || s.Kind() != types.MethodVal {
		return methodMutation{}, false
	}
	t := s.Recv()
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	named, ok := t.(*types.Named)
	if !ok || named.Obj().Pkg() == nil {
		return methodMutation{}, false
	}
	switch named.Obj().Pkg().Path() + "." + named.Obj().Name() {
	case decimalPath + ".Decimal":
		m, ok := decimalMethods[sel.Sel.Name]
		return m, ok
	case "time.Time":
		m, ok := timeMethods[sel.Sel.Name]
		return m, ok
	}
	return methodMutation{}, false
}

func (g *generator) call(c *ast.CallExpr) {
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if !ok {
		return
	}
	if f, ok := g.info.Uses[sel.Sel].(*types.Func); ok && f.Pkg() != nil && f.Pkg().Path() == decimalPath {
		if to, ok := decimalFuncs[sel.Sel.Name]; ok && f.Type().(*types.Signature).Recv() == nil {
			o := g.off(sel.Sel.Pos())
			g.add(sel.Sel.Pos(), "boundary", "decimal."+sel.Sel.Name+" → decimal."+to, edit{o, o + len(sel.Sel.Name), to})
		}
	}
	if m, ok := g.method(c); ok {
		g.methodCall(c, sel, "boundary", m.boundary)
		g.methodCall(c, sel, "negation", m.negate)
		g.methodCall(c, sel, "arithmetic", m.arith)
	}
	g.rounding(c, sel)
}

// methodCall renames the method, negates the call, or both.
func (g *generator) methodCall(c *ast.CallExpr, sel *ast.SelectorExpr, kind, to string) {
	if to == "" {
		return
	}
	name := sel.Sel.Name
	o := g.off(sel.Sel.Pos())
	var edits []edit
	desc := ""
	if strings.HasPrefix(to, "!") {
		start := g.off(c.Pos())
		edits = append(edits, edit{start, start, "!"})
		to = to[1:]
		desc = "!"
	}
	if to != "" {
		edits = append(edits, edit{o, o + len(name), to})
		desc += to
	} else {
		desc += name
	}
	g.add(sel.Sel.Pos(), kind, name+" → "+desc, edits...)
}

// rounding drops a decimal rounding: x.Round(n) becomes x, x.DivRound(y, n)
// becomes x.Div(y) and x.Neg() becomes x, the slips that move an amount by
// a fen.
func (g *generator) rounding(c *ast.CallExpr, sel *ast.SelectorExpr) {
	if !g.isDecimalMethod(sel) {
		return
	}
	switch sel.Sel.Name {
	case "Round", "Neg":
		g.add(sel.Sel.Pos(), "rounding", "drop ."+sel.Sel.Name+"()", edit{g.off(sel.X.End()), g.off(c.End()), ""})
	case "DivRound":
		if len(c.Args) == 2 {
			g.add(sel.Sel.Pos(), "rounding", "DivRound → Div", edit{g.off(sel.Sel.Pos()), g.off(c.End()), "Div(" + g.text(c.Args[0]) + ")"})
		}
	}
}

func (g *generator) isDecimalMethod(sel *ast.SelectorExpr) bool {
	s, ok := g.info.Selections[sel]
	if !ok || s.Kind() != types.MethodVal {
		return false
	}
	f, ok := s.Obj().(*types.Func)
	return ok && f.Pkg() != nil && f.Pkg().Path() == decimalPath
}
