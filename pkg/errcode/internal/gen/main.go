// Command gen writes cbec's error codes from their one table,
// pkg/errcode/codes.json: the constants and the code table of
// pkg/errcode/codes.go, and the catalogue tables of docs/errors.md (between
// its marker comments; the rest of the page is left as it is). This is how
// nats-server generates its JetStream errors from one JSON file: a code,
// its HTTP status, its meanings and its documentation are written once.
//
// Run it from pkg/errcode with `go generate` after editing codes.json;
// TestGeneratedFilesInStep fails while the committed files differ from
// what it writes.
//
//	go run ./internal/gen -json codes.json -go codes.go -doc ../../docs/errors.md
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
)

func main() {
	in := flag.String("json", "codes.json", "the table of codes")
	goOut := flag.String("go", "codes.go", "the Go file to write")
	docOut := flag.String("doc", "../../docs/errors.md", "the page whose catalogue to rewrite")
	flag.Parse()
	if err := run(*in, *goOut, *docOut); err != nil {
		fmt.Fprintln(os.Stderr, "errcode gen:", err)
		os.Exit(1)
	}
}

// run generates both files and writes those that changed, nothing when
// anything fails.
func run(in, goOut, docOut string) error {
	files, err := generate(in, docOut)
	if err != nil {
		return err
	}
	for path, b := range map[string][]byte{goOut: files.goSrc, docOut: files.doc} {
		if cur, err := os.ReadFile(path); err == nil && bytes.Equal(cur, b) {
			continue
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// outputs are the generated contents of codes.go and docs/errors.md.
type outputs struct{ goSrc, doc []byte }

// generate reads the table at in and the page at doc, and returns what
// codes.go and the page must hold.
func generate(in, doc string) (outputs, error) {
	b, err := os.ReadFile(in)
	if err != nil {
		return outputs{}, err
	}
	t, err := Load(b)
	if err != nil {
		return outputs{}, fmt.Errorf("%s: %w", in, err)
	}
	goSrc, err := GoSource(t)
	if err != nil {
		return outputs{}, fmt.Errorf("codes.go does not format: %w", err)
	}
	page, err := os.ReadFile(doc)
	if err != nil {
		return outputs{}, err
	}
	page, err = Splice(page, Catalogue(t))
	if err != nil {
		return outputs{}, fmt.Errorf("%s: %w", doc, err)
	}
	return outputs{goSrc: goSrc, doc: page}, nil
}
