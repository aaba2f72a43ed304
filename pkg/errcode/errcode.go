// Package errcode holds cbec's one error type and its one table of stable
// codes. A code is the CEB error code where the customs specification has one
// (for example -301010, "same order number exists") and a project code in the
// documented range -9xxxxx where it has none (domain decision D9).
//
// Transports map a code to their own status with HTTPStatus; the domain never
// imports a transport.
package errcode

import (
	"errors"
	"fmt"
)

// Code is a stable error code as carried on receipts, problem documents and
// NATS error headers.
type Code string

// Detail names one offending element of a document, by its CEB element path.
type Detail struct {
	Path    string `json:"path"`
	Rule    string `json:"rule,omitempty"`
	Message string `json:"message"`
}

// Error is the error type every cbec package returns for a failure a caller
// can act on. It carries the code, a human message and, for validation
// failures, the offending element paths.
type Error struct {
	Code    Code     `json:"code"`
	Message string   `json:"message"`
	Details []Detail `json:"details,omitempty"`

	// cause is the underlying failure of an error made by Wrap or As: for
	// the log, never for the caller (it is neither in Message nor in the
	// JSON form).
	cause error
}

// Error implements error.
func (e *Error) Error() string {
	if e.Message == "" {
		return string(e.Code)
	}
	return string(e.Code) + ": " + e.Message
}

// New returns an error with the code and a formatted message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an error with the code and a formatted message that keeps
// cause for the log only. Use it where an internal failure (a NATS or
// storage error) stops a request: the message tells the caller what to do,
// cause tells the operator why, and the two never mix.
func Wrap(code Code, cause error, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), cause: cause}
}

// Cause returns the underlying failure kept by Wrap or As, or nil.
func (e *Error) Cause() error { return e.cause }

// Unwrap returns the cause, so that errors.Is and errors.As see the failure
// behind an error of Wrap or As (a NATS timeout, a broker.Poison verdict).
// The error's own code still wins: Of and As find the outermost *Error.
func (e *Error) Unwrap() error { return e.cause }

// Violation is the error of a failed named check (e.g. "X05"): the message
// starts with the check, and path, when given, names the offending element.
// The cross-document checkers of import and export report with it.
func Violation(code Code, check, path, format string, args ...any) *Error {
	msg := check + ": " + fmt.Sprintf(format, args...)
	e := &Error{Code: code, Message: msg}
	if path != "" {
		e.Details = []Detail{{Path: path, Rule: check, Message: msg}}
	}
	return e
}

// WithDetails returns a copy of e carrying the details.
func (e *Error) WithDetails(d ...Detail) *Error {
	c := *e
	c.Details = append(append([]Detail(nil), e.Details...), d...)
	return &c
}

// Of returns the code of err: the code of the first *Error in its chain, or
// Internal for any other non-nil error.
func Of(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// As returns err as an *Error, wrapping an uncoded error as Internal with a
// message that does not leak its text to callers; the uncoded error is kept
// as the cause, for the log.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: Internal, Message: "internal error", cause: err}
}

// HTTPStatus maps a code to the HTTP status the gateway answers with. It is
// the one code→HTTP table of the project; unknown codes are business
// rejections (422) when negative CEB codes, else 500.
func HTTPStatus(c Code) int {
	if e, ok := catalogue[c]; ok {
		return e.HTTP
	}
	if len(c) > 1 && c[0] == '-' {
		return 422
	}
	return 500
}

// Describe returns the catalogue's description of a code ("" if unknown).
func Describe(c Code) string { return catalogue[c].Text }

// DescribeZh returns the catalogue's Chinese description of a code ("" if
// unknown), for the Chinese review desk.
func DescribeZh(c Code) string { return catalogue[c].TextZh }
