package errcode_test

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/cbec/cbec/pkg/errcode"
)

// codeCell is the first cell of a catalogue row: a code in backquotes.
var codeCell = regexp.MustCompile("^`(-?[0-9]+)`$")

// TestErrorsDocumented keeps docs/errors.md in step with the catalogue:
// every code has a table row, and the row gives the code's HTTP status.
func TestErrorsDocumented(t *testing.T) {
	const doc = "../../docs/errors.md"
	b, err := os.ReadFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	rows := map[errcode.Code][]string{}
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "|") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		if len(cells) < 2 {
			continue
		}
		m := codeCell.FindStringSubmatch(strings.TrimSpace(cells[0]))
		if m == nil {
			continue // a row of another table
		}
		c := errcode.Code(m[1])
		if _, dup := rows[c]; dup {
			t.Errorf("%s: code %s has two rows", doc, c)
		}
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		rows[c] = cells
	}
	for _, e := range errcode.Catalogue() {
		row, ok := rows[e.Code]
		if !ok {
			t.Errorf("%s: code %s (%s, HTTP %d) has no row; add `| `%s` | %d | %s | ... |`", doc, e.Code, e.Text, e.HTTP, e.Code, e.HTTP, e.Text)
			continue
		}
		if row[1] != strconv.Itoa(e.HTTP) {
			t.Errorf("%s: code %s is listed with HTTP %q; the catalogue maps it to %d", doc, e.Code, row[1], e.HTTP)
		}
	}
	known := map[errcode.Code]bool{}
	for _, e := range errcode.Catalogue() {
		known[e.Code] = true
	}
	for c := range rows {
		if !known[c] {
			t.Errorf("%s: code %s has a row but is not in errcode.Catalogue(): add it to codes.go or remove the row", doc, c)
		}
	}
}
