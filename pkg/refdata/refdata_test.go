package refdata

import (
	"strings"
	"testing"
)

func TestDecodeIsStrict(t *testing.T) {
	var v struct {
		A int `yaml:"a"`
	}
	if err := Decode(strings.NewReader("a: 1\n"), &v); err != nil || v.A != 1 {
		t.Fatalf("valid: %v %d", err, v.A)
	}
	for name, in := range map[string]string{
		"unknown field":   "a: 1\nb: 2\n",
		"empty":           "",
		"two documents":   "a: 1\n---\na: 2\n",
		"not yaml at all": "a: [\n",
	} {
		if err := Decode(strings.NewReader(in), &v); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
