package errcode

import "sort"

// The codes, their statuses and meanings are written once, in codes.json;
// codes.go and the catalogue of docs/errors.md are generated from it.
//go:generate go run ./internal/gen -json codes.json -go codes.go -doc ../../docs/errors.md

// Entry describes one code of the catalogue. HTTP is the status number the
// gateway answers with; the package names numbers rather than importing
// net/http, so that domain packages returning these errors depend on no
// transport.
type Entry struct {
	Code Code
	HTTP int
	// Text is the code's meaning in English: the problem document's title
	// and the "meaning" column of docs/errors.md.
	Text string
	// TextZh is the same meaning in Chinese, which the bilingual review
	// desk shows. Every code has both (the generator refuses an empty one).
	TextZh string
}

// Catalogue returns every code cbec can return, sorted by code, for the
// error documentation and its test.
func Catalogue() []Entry {
	out := make([]Entry, 0, len(catalogue))
	for _, e := range catalogue {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}
