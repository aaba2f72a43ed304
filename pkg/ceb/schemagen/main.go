// Command schemagen writes the JSON Schema (draft 2020-12) of every CEB
// document in its JSON form — each declaration parties submit and each
// receipt customs sends back — from the Go types of package ceb: the JSON
// names from the json tags, the rules from the validate tags (required,
// max and min, len, eq, oneof, the amount and time formats, dive), the
// descriptions from the types' doc comments. docs/openapi.yaml refers to
// the files, one per message type (docs/schemas/CEB311.json …).
//
// Run it from pkg/ceb with `go generate` after changing a type or a tag;
// TestSchemasAreGenerated fails while the committed files differ from
// what it writes.
//
//	go run ./schemagen -src . -out ../../docs/schemas
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

func main() {
	src := flag.String("src", ".", "directory of package ceb's sources, for the doc comments")
	out := flag.String("out", "../../docs/schemas", "directory to write the schemas to")
	flag.Parse()
	if err := write(*src, *out); err != nil {
		fmt.Fprintln(os.Stderr, "schemagen:", err)
		os.Exit(1)
	}
}

// write replaces the generated files in out with the schemas of src and
// removes generated files of message types that no longer exist.
func write(src, out string) error {
	files, err := Generate(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	old, err := filepath.Glob(filepath.Join(out, generatedGlob))
	if err != nil {
		return err
	}
	for _, f := range old {
		if _, ok := files[filepath.Base(f)]; !ok {
			if err := os.Remove(f); err != nil {
				return err
			}
		}
	}
	for name, b := range files {
		cur, err := os.ReadFile(filepath.Join(out, name))
		if err == nil && bytes.Equal(cur, b) {
			continue
		}
		if err := os.WriteFile(filepath.Join(out, name), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// generatedGlob matches the files Generate writes, and no other file of
// docs/schemas.
const generatedGlob = "CEB[0-9][0-9][0-9].json"

// names returns the file names of files, sorted.
func names(files map[string][]byte) []string {
	out := make([]string, 0, len(files))
	for n := range files {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// firstSentence is the doc comment's first sentence with the Go type's
// name turned into prose: "Order is the CEB311 business node: …" becomes
// "The CEB311 business node: …".
func firstSentence(typeName, text string) string {
	text = strings.Join(strings.Fields(text), " ")
	if i := strings.Index(text, ". "); i >= 0 {
		text = text[:i+1]
	}
	if rest, ok := strings.CutPrefix(text, typeName+" is "); ok && rest != "" {
		text = strings.ToUpper(rest[:1]) + rest[1:]
	}
	return text
}
