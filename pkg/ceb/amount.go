package ceb

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// Amount is a CEB decimal(19,5) value (money, quantities, weights) that
// remembers whether it was present: a missing required amount is a
// validation error, while "0" is a valid amount. The zero Amount is absent.
//
// It is written the way it was read: "0.50" stays "0.50", so a decoded
// message re-encodes to the same text. In JSON it is accepted as a string
// ("123.45") or a number (123.45) and always emitted as a string; in XML
// an absent Amount emits no element.
type Amount struct {
	// Decimal is the value; meaningful only when Valid.
	Decimal decimal.Decimal
	// Valid reports whether the amount is present.
	Valid bool
}

// NewAmount returns the present amount d.
func NewAmount(d decimal.Decimal) Amount { return Amount{Decimal: d, Valid: true} }

// ParseAmount parses a decimal text such as "123.45" into a present amount.
// Surrounding white space is ignored; an empty text is an error.
func ParseAmount(s string) (Amount, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Amount{}, fmt.Errorf("ceb: empty amount")
	}
	// decimal.NewFromString also accepts exponents ("1e3"), which JSON
	// numbers may carry; the XSD lexical form never does, and EncodeXML
	// writes plain digits either way.
	d, err := decimal.NewFromString(s)
	if err != nil {
		return Amount{}, fmt.Errorf("ceb: invalid amount %q", s)
	}
	return NewAmount(d), nil
}

// MustAmount is ParseAmount for constants in fixtures and tests; it panics
// on an invalid text.
func MustAmount(s string) Amount {
	a, err := ParseAmount(s)
	if err != nil {
		panic(err)
	}
	return a
}

// String returns the amount's text, keeping its scale ("0.50"), or "" when
// absent.
func (a Amount) String() string {
	if !a.Valid {
		return ""
	}
	if exp := a.Decimal.Exponent(); exp < 0 {
		return a.Decimal.StringFixed(-exp)
	}
	return a.Decimal.String()
}

// Equal reports whether a and b are both absent, or both present with the
// same numeric value (so "1.50" equals "1.5").
func (a Amount) Equal(b Amount) bool {
	if a.Valid != b.Valid {
		return false
	}
	return !a.Valid || a.Decimal.Equal(b.Decimal)
}

// MarshalXML writes the element only when the amount is present, which is
// what omitempty would do if encoding/xml applied it to structs.
func (a Amount) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if !a.Valid {
		return nil
	}
	return e.EncodeElement(a.String(), start)
}

// UnmarshalXML reads the element's text; an empty element leaves the
// amount absent so that validation reports it rather than the parser.
func (a *Amount) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	var s string
	if err := d.DecodeElement(&s, &start); err != nil {
		return err
	}
	return a.setText(s, start.Name.Local)
}

// MarshalJSON emits the amount as a JSON string, or null when absent.
func (a Amount) MarshalJSON() ([]byte, error) {
	if !a.Valid {
		return []byte("null"), nil
	}
	return json.Marshal(a.String())
}

// UnmarshalJSON accepts a JSON string or number; null and "" leave the
// amount absent.
func (a *Amount) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*a = Amount{}
		return nil
	case len(b) > 1 && b[0] == '"' && b[len(b)-1] == '"' && bytes.IndexByte(b, '\\') < 0:
		// A decimal text has nothing to unescape: skip the JSON decoder.
		return a.setText(string(b[1:len(b)-1]), "")
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		return a.setText(s, "")
	case len(b) > 0 && (b[0] == '-' || (b[0] >= '0' && b[0] <= '9')):
		return a.setText(string(b), "")
	}
	return fmt.Errorf("ceb: amount must be a string or a number, got %s", b)
}

func (a *Amount) setText(s, element string) error {
	if strings.TrimSpace(s) == "" {
		*a = Amount{}
		return nil
	}
	v, err := ParseAmount(s)
	if err != nil {
		if element != "" {
			return fmt.Errorf("ceb: %s: invalid amount %q", element, strings.TrimSpace(s))
		}
		return err
	}
	*a = v
	return nil
}
