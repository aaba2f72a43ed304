package ceb

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-playground/validator/v10"
)

// FieldError is one structural validation failure.
type FieldError struct {
	// Path locates the element by CEB element names and zero-based
	// indexes, e.g. "Order[0].OrderList[2].qty" or "BaseTransfer.copCode";
	// the root attributes are "guid" and "version".
	Path string `json:"path"`
	// Rule is the failed rule: required, required_with, max, min, len, eq,
	// oneof, gtefield, amount, datetime14, date8, datetime17, type,
	// excluded; utf8 (bytes that are not UTF-8 text), control (a control
	// character other than tab and line feed), xmlchar (another character
	// XML cannot carry, U+FFFE or U+FFFF), duplicate (an element the schema
	// allows once, or a JSON key, given twice).
	Rule string `json:"rule"`
	// Param is the rule's parameter, e.g. "18" for max=18.
	Param string `json:"param,omitempty"`
	// Message is a human-readable sentence, e.g. "qty is required".
	Message string `json:"message"`
}

// Error formats the failure as "path: message".
func (e FieldError) Error() string { return e.Path + ": " + e.Message }

// Limits of the message envelope set by the XSD.
const (
	MaxDocuments       = 100 // business nodes per message (CEB900: exactly 1)
	MaxListItems       = 99  // OrderList, InventoryList, InvtRefundList per import node
	MaxExportListItems = 100 // OrderList, InventoryList per export node; other export lists are unbounded
	MaxBaseSubscribe   = 5   // BaseSubscribe per message
)

// validate is the package's single validator; validator.Validate caches
// struct metadata and is safe for concurrent use once configured.
var validate = newValidator()

func newValidator() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled(), validator.WithTagNameFuncBlankOmit())
	// Paths use XML element names. Embedded structs (AppHead) get a blank
	// name, which WithTagNameFuncBlankOmit drops from the path, so that
	// their fields read as direct children as they are in the XML.
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		if f.Anonymous {
			return ""
		}
		name, _, _ := strings.Cut(f.Tag.Get("xml"), ",")
		if name == "" || name == "-" {
			return f.Name
		}
		return name
	})
	// An absent Amount validates as a missing value (nil), a present one as
	// its text, so required/omitempty and the amount rule work on it.
	v.RegisterCustomTypeFunc(func(rv reflect.Value) any {
		a := rv.Interface().(Amount)
		if !a.Valid {
			return nil
		}
		return a.Decimal.String()
	}, Amount{})
	must(v.RegisterValidation("amount", func(fl validator.FieldLevel) bool {
		return amountProblem(fl.Field().String()) == ""
	}))
	must(v.RegisterValidation("datetime14", func(fl validator.FieldLevel) bool {
		_, err := ParseAppTime(fl.Field().String())
		return err == nil
	}))
	must(v.RegisterValidation("date8", func(fl validator.FieldLevel) bool {
		_, err := ParseDate(fl.Field().String())
		return err == nil
	}))
	must(v.RegisterValidation("datetime17", func(fl validator.FieldLevel) bool {
		_, err := ParseReturnTime(fl.Field().String())
		return err == nil
	}))
	// CEB623 allows appType 1 only, while the shared AppHead allows 1/2/3.
	v.RegisterStructValidation(func(sl validator.StructLevel) {
		c := sl.Current().Interface().(InvtCancel)
		if at := c.AppHead.AppType; at == "2" || at == "3" {
			sl.ReportError(at, "appType", "AppType", "eq", "1")
		}
	}, InvtCancel{})
	// CEB701 startTime/endTime: the pair (required_with on the fields)
	// must not end before it starts; both are YYYYMMDDhhmmss, so text order
	// is time order.
	v.RegisterStructValidation(func(sl validator.StructLevel) {
		h := sl.Current().Interface().(SummaryApplyHead)
		if h.StartTime != "" && h.EndTime != "" && h.EndTime < h.StartTime {
			sl.ReportError(h.EndTime, "endTime", "EndTime", "gtefield", "startTime")
		}
	}, SummaryApplyHead{})
	return v
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

// amountProblem returns why s is not a valid decimal(19,5) amount, or "".
// s is decimal.Decimal's String form: an optional minus, digits and an
// optional fraction without trailing zeros, so it counts value digits as
// XSD totalDigits/fractionDigits do.
func amountProblem(s string) string {
	if strings.HasPrefix(s, "-") {
		return "must not be negative"
	}
	intPart, frac, _ := strings.Cut(s, ".")
	intPart = strings.TrimLeft(intPart, "0")
	switch {
	case len(frac) > 5:
		return "must have at most 5 decimal places"
	case len(intPart) > 14:
		return "must have at most 14 integer digits"
	}
	return ""
}

// ValidateDocument checks one business node against the XSD rules and
// returns its failures with paths prefixed by path (e.g. "Order[3]" gives
// "Order[3].OrderHead.orderNo"). It returns nil when d is valid. Text that
// is not UTF-8 fails rule utf8 and text with a character XML cannot carry
// (U+FFFE) rule xmlchar: EncodeXML would write U+FFFD in its place. Text
// with a control character other than tab and line feed (C0, carriage
// return included, DEL, C1) fails rule control: no CEB field is meant to
// hold one.
func ValidateDocument(d Document, path string) []FieldError {
	if d == nil || reflect.ValueOf(d).IsNil() {
		return []FieldError{{Path: path, Rule: "required", Message: nodeName(path) + " is required"}}
	}
	return append(structErrors(d, path), textErrors(reflect.ValueOf(d), path)...)
}

var amountType = reflect.TypeFor[Amount]()

// textErrors reports each string below v that XML cannot carry as it is,
// by its element path below path. It builds a path only for a failure, as
// it runs on every document.
func textErrors(v reflect.Value, path string) []FieldError {
	w := textWalker{path: []string{path}}
	w.walk(v)
	return w.errs
}

type textWalker struct {
	path []string // the element path, in pieces: "Order[0]", ".OrderList", "[", "2", "]"
	errs []FieldError
}

func (w *textWalker) walk(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			w.walk(v.Elem())
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			switch {
			case !f.IsExported() || f.Type == amountType || f.Type == xmlElementType:
				// XMLElement is markup (ExtendMessage's free XML), not text:
				// DecodeXML has checked its characters.
			case f.Anonymous:
				// An embedded struct (AppHead) adds no element, as in the
				// validator's paths.
				w.walk(v.Field(i))
			default:
				name, _, _ := strings.Cut(f.Tag.Get("xml"), ",")
				w.path = append(w.path, ".", name)
				w.walk(v.Field(i))
				w.path = w.path[:len(w.path)-2]
			}
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			w.path = append(w.path, "[", strconv.Itoa(i), "]")
			w.walk(v.Index(i))
			w.path = w.path[:len(w.path)-3]
		}
	case reflect.String:
		s := v.String()
		for i := 0; i < len(s); {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				w.fail("utf8", "is not UTF-8 text")
				return
			}
			if rule := charRule(r); rule != "" {
				w.fail(rule, fmt.Sprintf("must not contain %U", r))
				return
			}
			i += n
		}
	}
}

func (w *textWalker) fail(rule, what string) {
	path := strings.Join(w.path, "")
	w.errs = append(w.errs, FieldError{Path: path, Rule: rule, Message: nodeName(path) + " " + what})
}

// isXMLChar reports whether XML 1.0 allows r in text (its Char production).
func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

// Validate checks a whole message: the root attributes, the number and
// type of the business nodes, every node (ValidateDocument), and the
// envelope (BaseTransfer required in the declarations and absent from
// receipts, BaseSubscribe 0..5, ExtendMessage), the text of all of them
// as ValidateDocument checks a node's, and the elements DecodeXML found
// repeated where the schema allows one (rule duplicate). It returns nil
// when m is valid.
//
// ds:Signature is deliberately not checked: the XSD requires it in
// CEB621/623/625 (and when appStatus is 2), but this project does not
// verify signatures, so an unsigned declaration is structurally valid.
// export.xsd makes it optional everywhere.
func Validate(m *Message) []FieldError {
	if m == nil {
		return []FieldError{{Path: "", Rule: "required", Message: "message is required"}}
	}
	info, ok := msgInfos[m.Type]
	if !ok {
		return []FieldError{{Path: "", Rule: "oneof", Message: fmt.Sprintf("unknown message type %q", m.Type)}}
	}
	var errs []FieldError
	add := func(path, rule, param, msg string) {
		errs = append(errs, FieldError{Path: path, Rule: rule, Param: param, Message: msg})
	}

	switch n := utf8.RuneCountInString(m.GUID); {
	case m.GUID == "":
		add("guid", "required", "", "guid is required")
	case n != 36:
		add("guid", "len", "36", "guid must be exactly 36 characters")
	}
	switch n := utf8.RuneCountInString(m.Version); {
	case n == 0:
		add("version", "required", "", "version is required")
	case n > 10:
		add("version", "max", "10", "version must be at most 10 characters")
	}
	errs = append(errs, textErrors(reflect.ValueOf(m.GUID), "guid")...)
	errs = append(errs, textErrors(reflect.ValueOf(m.Version), "version")...)

	maxDocs := MaxDocuments
	if m.Type == CEB900 {
		maxDocs = 1
	}
	switch n := len(m.Documents); {
	case n == 0:
		add(info.node, "required", "", fmt.Sprintf("%s is required: a %s carries at least one", info.node, m.Type.RootName()))
	case n > maxDocs:
		add(info.node, "max", fmt.Sprint(maxDocs), fmt.Sprintf("%s must contain at most %d %s", m.Type.RootName(), maxDocs, info.node))
	}
	for i, d := range m.Documents {
		path := fmt.Sprintf("%s[%d]", info.node, i)
		if d != nil && !reflect.ValueOf(d).IsNil() && d.MsgType() != m.Type {
			add(path, "type", string(m.Type), fmt.Sprintf("%s is a %s document, not %s", path, d.MsgType(), m.Type))
			continue
		}
		errs = append(errs, ValidateDocument(d, path)...)
	}

	if info.inbound {
		if m.BaseTransfer == nil {
			add("BaseTransfer", "required", "", "BaseTransfer is required")
		} else {
			errs = append(errs, structErrors(m.BaseTransfer, "BaseTransfer")...)
			errs = append(errs, textErrors(reflect.ValueOf(m.BaseTransfer), "BaseTransfer")...)
		}
		if len(m.BaseSubscribe) > MaxBaseSubscribe {
			add("BaseSubscribe", "max", fmt.Sprint(MaxBaseSubscribe), fmt.Sprintf("BaseSubscribe must contain at most %d items", MaxBaseSubscribe))
		}
		for i := range m.BaseSubscribe {
			path := fmt.Sprintf("BaseSubscribe[%d]", i)
			errs = append(errs, structErrors(&m.BaseSubscribe[i], path)...)
			errs = append(errs, textErrors(reflect.ValueOf(&m.BaseSubscribe[i]), path)...)
		}
		if m.ExtendMessage != nil {
			errs = append(errs, structErrors(m.ExtendMessage, "ExtendMessage")...)
			errs = append(errs, textErrors(reflect.ValueOf(m.ExtendMessage), "ExtendMessage")...)
		}
	} else {
		for _, part := range []struct {
			name    string
			present bool
		}{
			{"BaseTransfer", m.BaseTransfer != nil},
			{"BaseSubscribe", len(m.BaseSubscribe) > 0},
			{"ExtendMessage", m.ExtendMessage != nil},
			{"Signature", len(m.Signature) > 0},
		} {
			if part.present {
				add(part.name, "excluded", "", fmt.Sprintf("%s is not allowed in %s", part.name, m.Type.RootName()))
			}
		}
	}
	return append(errs, m.dups...)
}

// structErrors runs the validator on a struct pointer and converts its
// errors to FieldErrors under path.
func structErrors(s any, path string) []FieldError {
	err := validate.Struct(s)
	if err == nil {
		return nil
	}
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		return []FieldError{{Path: path, Rule: "invalid", Message: err.Error()}}
	}
	out := make([]FieldError, 0, len(verrs))
	for _, fe := range verrs {
		// The namespace starts with the Go type name ("Order.OrderList[2].qty");
		// the caller's path replaces it.
		ns := fe.Namespace()
		rest := ""
		if i := strings.IndexByte(ns, '.'); i >= 0 {
			rest = ns[i:]
		}
		p := path + rest
		if path == "" {
			p = strings.TrimPrefix(rest, ".")
		}
		out = append(out, FieldError{Path: p, Rule: fe.Tag(), Param: fe.Param(), Message: message(fe)})
	}
	return out
}

// nodeName is the last element name of a path, without index.
func nodeName(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		path = path[i+1:]
	}
	if i := strings.IndexByte(path, '['); i >= 0 {
		path = path[:i]
	}
	if path == "" {
		return "document"
	}
	return path
}

func message(fe validator.FieldError) string {
	name := fe.Field()
	p := fe.Param()
	isList := fe.Kind() == reflect.Slice
	switch fe.Tag() {
	case "required":
		return name + " is required"
	case "max":
		if isList {
			return fmt.Sprintf("%s must contain at most %s items", name, p)
		}
		return fmt.Sprintf("%s must be at most %s characters", name, p)
	case "min":
		switch fe.Kind() {
		case reflect.Slice:
			return fmt.Sprintf("%s must contain at least %s items", name, p)
		case reflect.String:
			return fmt.Sprintf("%s must be at least %s characters", name, p)
		}
		return fmt.Sprintf("%s must be at least %s", name, p)
	case "len":
		return fmt.Sprintf("%s must be exactly %s characters", name, p)
	case "eq":
		return fmt.Sprintf("%s must be %s", name, p)
	case "required_with":
		return fmt.Sprintf("%s is required with %s", name, lowerFirst(p))
	case "gtefield":
		return fmt.Sprintf("%s must not be before %s", name, p)
	case "oneof":
		return fmt.Sprintf("%s must be one of %s", name, strings.Join(strings.Fields(p), ", "))
	case "amount":
		return fmt.Sprintf("%s %s (decimal 19,5)", name, amountProblem(fmt.Sprint(fe.Value())))
	case "datetime14":
		return name + " must be a valid time in the form YYYYMMDDhhmmss"
	case "date8":
		return name + " must be a valid date in the form YYYYMMDD"
	case "datetime17":
		return name + " must be a valid time in the form YYYYMMDDhhmmssSSS"
	}
	return fmt.Sprintf("%s fails rule %s", name, fe.Tag())
}

// lowerFirst turns a Go field name from a rule parameter ("EndTime") into
// its element name ("endTime").
func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
