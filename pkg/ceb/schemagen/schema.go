package main

import (
	"bytes"
	"encoding/json"
)

// Schema is the part of a JSON Schema (draft 2020-12) the generator writes.
// Its fields are in the order a reader looks for them, and properties and
// definitions keep the order of the Go struct, so that the committed files
// read like the types they come from and diff cleanly.
type Schema struct {
	Schema      string `json:"$schema,omitempty"`
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
	Ref         string `json:"$ref,omitempty"`
	// Type is a string, or a list of them for a value that may also be
	// null or a number.
	Type       any       `json:"type,omitempty"`
	Const      any       `json:"const,omitempty"`
	Enum       []string  `json:"enum,omitempty"`
	MinLength  *int      `json:"minLength,omitempty"`
	MaxLength  *int      `json:"maxLength,omitempty"`
	Pattern    string    `json:"pattern,omitempty"`
	Minimum    *int      `json:"minimum,omitempty"`
	Maximum    *int      `json:"maximum,omitempty"`
	AnyOf      []*Schema `json:"anyOf,omitempty"`
	Items      *Schema   `json:"items,omitempty"`
	MinItems   *int      `json:"minItems,omitempty"`
	MaxItems   *int      `json:"maxItems,omitempty"`
	Properties *Ordered  `json:"properties,omitempty"`
	Required   []string  `json:"required,omitempty"`
	// DependentSchemas holds, by the name of a field, what its presence
	// asks of the object: a field required_with another.
	DependentSchemas map[string]*Schema `json:"dependentSchemas,omitempty"`
	If               *Schema            `json:"if,omitempty"`
	Then             *Schema            `json:"then,omitempty"`
	// AdditionalProperties is false on every object: the gateway refuses
	// unknown fields.
	AdditionalProperties *bool    `json:"additionalProperties,omitempty"`
	Defs                 *Ordered `json:"$defs,omitempty"`
}

// Ordered is a JSON object of schemas that keeps its insertion order.
type Ordered struct {
	keys []string
	vals map[string]*Schema
}

// Set adds or replaces name.
func (o *Ordered) Set(name string, s *Schema) {
	if o.vals == nil {
		o.vals = map[string]*Schema{}
	}
	if _, ok := o.vals[name]; !ok {
		o.keys = append(o.keys, name)
	}
	o.vals[name] = s
}

// Get returns the schema of name, or nil.
func (o *Ordered) Get(name string) *Schema { return o.vals[name] }

// Len is the number of entries.
func (o *Ordered) Len() int { return len(o.keys) }

// MarshalJSON writes the entries in insertion order.
func (o *Ordered) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		vb, err := json.Marshal(o.vals[k])
		if err != nil {
			return nil, err
		}
		b.Write(kb)
		b.WriteByte(':')
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func ptr[T any](v T) *T { return &v }
