package risk

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Text is an officer-readable text in Chinese and English. The review desk
// is bilingual, so a rule's reason must be readable in both languages; a
// rule with either one missing is refused at load rather than shown in the
// wrong language.
type Text struct {
	// Zh is the Chinese text (简体中文).
	Zh string `yaml:"zh" json:"zh"`
	// En is the English text.
	En string `yaml:"en" json:"en"`
}

// missing names the languages t lacks, "" when it has both.
func (t Text) missing() string {
	var m []string
	if strings.TrimSpace(t.Zh) == "" {
		m = append(m, "zh (Chinese)")
	}
	if strings.TrimSpace(t.En) == "" {
		m = append(m, "en (English)")
	}
	return strings.Join(m, " and ")
}

// UnmarshalYAML reads a {zh: …, en: …} mapping. Any other shape — a plain
// string as rules files had before the texts were bilingual, another key, a
// language given twice — is refused naming its line, since the strict
// decoder's own checks do not reach inside a custom unmarshaler.
func (t *Text) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: a text is a mapping {zh: …, en: …} with the Chinese and the English text", n.Line)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if v.Kind != yaml.ScalarNode {
			return fmt.Errorf("line %d: text %s: not a string", v.Line, k.Value)
		}
		switch k.Value {
		case "zh":
			t.Zh = v.Value
		case "en":
			t.En = v.Value
		default:
			return fmt.Errorf("line %d: text: unknown language %q (want zh and en)", k.Line, k.Value)
		}
	}
	return nil
}

// specKeys are the fields of a rule in the rules file.
var specKeys = []string{"id", "description", "expr", "action"}

// UnmarshalYAML reads one rule, noting its line for the errors of Compile.
// It refuses a field it does not know, naming the line: decoding through a
// custom unmarshaler escapes the strict decoder's unknown-field check.
func (s *Spec) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: a risk rule is a mapping of %s", n.Line, strings.Join(specKeys, ", "))
	}
	for i := 0; i < len(n.Content); i += 2 {
		if k := n.Content[i]; !slices.Contains(specKeys, k.Value) {
			return fmt.Errorf("line %d: risk rule: unknown field %q (want %s)", k.Line, k.Value, strings.Join(specKeys, ", "))
		}
	}
	type plain Spec // without this method, so that Decode does not recurse
	if err := n.Decode((*plain)(s)); err != nil {
		return err
	}
	s.Line = n.Line
	return nil
}
