// Package refdata reads cbec's reference-data files (parties, rules, zones,
// export reference data) strictly: an unknown field, an empty file or a
// second YAML document is refused rather than silently ignored, since each
// is most likely a mistake in a file that steers customs decisions.
package refdata

import (
	"errors"
	"io"

	"go.yaml.in/yaml/v3"
)

// Decode reads exactly one YAML document from r into v, refusing fields v
// does not have.
func Decode(r io.Reader, v any) error {
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return errors.New("empty")
		}
		return err
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return errors.New("more than one YAML document")
	}
	return nil
}
