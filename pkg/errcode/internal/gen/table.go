package main

import (
	"errors"
	"fmt"
	"go/token"
	"regexp"
	"strings"

	jsonv2 "github.com/go-json-experiment/json"
)

// Table is codes.json: every error code of cbec, in groups.
type Table struct {
	// Comment tells a reader of the file what it is; the generator
	// ignores it.
	Comment string  `json:"comment"`
	Groups  []Group `json:"groups"`
}

// Group is one const block of codes.go, lying in one section of the
// catalogue in docs/errors.md.
type Group struct {
	// Doc is the const block's comment.
	Doc string `json:"doc"`
	// Section is the heading of the docs/errors.md table the group's codes
	// are listed in; groups of one section follow each other.
	Section string `json:"section"`
	Codes   []Code `json:"codes"`
}

// Code is one code with everything said about it.
type Code struct {
	// Name is the Go constant.
	Name string `json:"name"`
	// Code is the code itself: "0001", "-301010", "-900401".
	Code string `json:"code"`
	// HTTP is the status the gateway answers with.
	HTTP int `json:"http"`
	// Doc is the constant's doc comment, starting with its name.
	Doc string `json:"doc"`
	// Text is the meaning in English: the problem document's title and the
	// "meaning" column of docs/errors.md.
	Text string `json:"text"`
	// TextZh is the meaning in Chinese, shown by the bilingual review desk.
	TextZh string `json:"textZh"`
	// When is the "returned when" column of docs/errors.md, in Markdown.
	When string `json:"when"`
}

// codeRe is a CEB code as the specification writes them: digits, negative
// for a business rejection.
var codeRe = regexp.MustCompile(`^-?[0-9]+$`)

// Load reads codes.json strictly (no unknown or repeated names, which
// would be a typo that silently drops a field) and checks every entry: the
// generated Go must compile and the generated Markdown table must render.
func Load(b []byte) (*Table, error) {
	var t Table
	if err := jsonv2.Unmarshal(b, &t, jsonv2.RejectUnknownMembers(true)); err != nil {
		return nil, err
	}
	return &t, t.check()
}

func (t *Table) check() error {
	var errs []error
	names, codes, sections := map[string]bool{}, map[string]bool{}, map[string]bool{}
	prev := ""
	for i, g := range t.Groups {
		if g.Doc == "" || g.Section == "" || len(g.Codes) == 0 {
			errs = append(errs, fmt.Errorf("group %d: doc, section and codes are required", i))
		}
		if g.Section != prev && sections[g.Section] {
			errs = append(errs, fmt.Errorf("group %d: section %q is split by another section; put its groups together", i, g.Section))
		}
		sections[g.Section], prev = true, g.Section
		for _, c := range g.Codes {
			errs = append(errs, c.check()...)
			if names[c.Name] {
				errs = append(errs, fmt.Errorf("%s: the name is used twice", c.Name))
			}
			if codes[c.Code] {
				errs = append(errs, fmt.Errorf("%s: code %s is used twice", c.Name, c.Code))
			}
			names[c.Name], codes[c.Code] = true, true
		}
	}
	return errors.Join(errs...)
}

func (c Code) check() []error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s (%s): %s", c.Name, c.Code, fmt.Sprintf(format, args...)))
	}
	if !token.IsIdentifier(c.Name) || !token.IsExported(c.Name) {
		bad("the name is not an exported Go identifier")
	}
	if !codeRe.MatchString(c.Code) {
		bad("the code is not a number")
	}
	if c.HTTP < 400 || c.HTTP > 599 {
		bad("HTTP %d is not an error status", c.HTTP)
	}
	if !strings.HasPrefix(c.Doc, c.Name+" ") && !strings.HasPrefix(c.Doc, c.Name+":") {
		bad("the doc comment must start with the name")
	}
	for field, v := range map[string]string{"text": c.Text, "textZh": c.TextZh, "when": c.When} {
		switch {
		case strings.TrimSpace(v) == "":
			bad("%s is empty", field)
		case strings.ContainsAny(v, "|\n"):
			// Either would break the Markdown table row.
			bad("%s holds a | or a line break", field)
		}
	}
	return errs
}
