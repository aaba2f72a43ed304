package errcode

import (
	"net/http"
	"sort"
)

// Official CEB codes (interface specification 2022-05, §7, and the DXP
// format codes) that cbec returns.
const (
	// MessageFormat is DXP 0001: the body cannot be parsed as a CEB message.
	MessageFormat Code = "0001"
	// SchemaInvalid is DXP 0002: the message does not satisfy the schema.
	SchemaInvalid Code = "0002"

	// OrderExists is -301010: an order with the same number exists.
	OrderExists Code = "-301010"
	// OrderUsed is -301011: the order is already used by a declared list.
	OrderUsed Code = "-301011"
	// PaymentExists is -401007: a payment with the same number exists.
	PaymentExists Code = "-401007"
	// PaymentUsed is -401008: the payment is already declared.
	PaymentUsed Code = "-401008"
	// WaybillExists is -504012: the waybill exists.
	WaybillExists Code = "-504012"
	// InventoryExists is -621004: the list is already declared.
	InventoryExists Code = "-621004"
	// InventoryUnknown is -621042: modifying a list that does not exist.
	InventoryUnknown Code = "-621042"
	// InventoryLocked is -621043: the list's state forbids modification.
	InventoryLocked Code = "-621043"
	// CancelExists is -623009: a cancellation of the list is already declared.
	CancelExists Code = "-623009"
	// ReturnExists is -625022: the return is already declared.
	ReturnExists Code = "-625022"
)

// Project codes (-9xxxxx, decision D9) for failures without an official code.
const (
	// Unauthenticated: no API key, or an unknown one.
	Unauthenticated Code = "-900401"
	// Forbidden: the party may not submit or read this document.
	Forbidden Code = "-900403"
	// NotFound: no such document or resource for this party.
	NotFound Code = "-900404"
	// UnsupportedMediaType: the body's content type is not accepted here.
	UnsupportedMediaType Code = "-900415"
	// TooLarge: the body or the batch exceeds its limit.
	TooLarge Code = "-900413"
	// TooManyRequests: the caller exceeded its rate.
	TooManyRequests Code = "-900429"
	// BadRequest: a query parameter or request field is invalid.
	BadRequest Code = "-900400"
	// AppTypeUnsupported: appType 3 (delete) is not accepted; cancel a list with CEB623.
	AppTypeUnsupported Code = "-900101"
	// NothingToChange: appType 2 names a document that does not exist.
	NothingToChange Code = "-900102"
	// DocumentUsed: appType 2 names a document already used by a declaration.
	DocumentUsed Code = "-900103"
	// DevClockDisabled: the development clock is off or not allowed.
	DevClockDisabled Code = "-900901"
	// Unavailable: storage is temporarily unavailable; retry later.
	Unavailable Code = "-900503"
	// Internal: an unexpected failure; the log has the cause.
	Internal Code = "-900500"
)

// Entry describes one code of the catalogue.
type Entry struct {
	Code Code
	HTTP int
	Text string
}

var catalogue = map[Code]Entry{}

func reg(c Code, status int, text string) {
	catalogue[c] = Entry{Code: c, HTTP: status, Text: text}
}

func init() {
	reg(MessageFormat, http.StatusBadRequest, "message format error: the body cannot be parsed")
	reg(SchemaInvalid, http.StatusBadRequest, "message does not satisfy the CEB schema")
	reg(OrderExists, http.StatusConflict, "an order with the same ebpCode and orderNo exists")
	reg(OrderUsed, http.StatusConflict, "the order is already used by a declared inventory list")
	reg(PaymentExists, http.StatusConflict, "a payment with the same payCode and payTransactionId exists")
	reg(PaymentUsed, http.StatusConflict, "the payment's order is already used by a declared inventory list")
	reg(WaybillExists, http.StatusConflict, "a waybill with the same logisticsCode and logisticsNo exists")
	reg(InventoryExists, http.StatusConflict, "an inventory list for the same ebpCode and orderNo is already declared")
	reg(InventoryUnknown, http.StatusNotFound, "the inventory list to modify does not exist")
	reg(InventoryLocked, http.StatusConflict, "the inventory list's state forbids modification")
	reg(CancelExists, http.StatusConflict, "a cancellation of this inventory list is already declared")
	reg(ReturnExists, http.StatusConflict, "this return application is already declared")
	reg(Unauthenticated, http.StatusUnauthorized, "missing or unknown API key")
	reg(Forbidden, http.StatusForbidden, "the party may not submit or read this document")
	reg(NotFound, http.StatusNotFound, "not found")
	reg(UnsupportedMediaType, http.StatusUnsupportedMediaType, "unsupported content type")
	reg(TooLarge, http.StatusRequestEntityTooLarge, "body or batch too large")
	reg(TooManyRequests, http.StatusTooManyRequests, "too many requests")
	reg(BadRequest, http.StatusBadRequest, "invalid request parameter")
	reg(AppTypeUnsupported, http.StatusUnprocessableEntity, "appType 3 (delete) is not accepted; cancel an inventory list with CEB623")
	reg(NothingToChange, http.StatusNotFound, "appType 2 names a document that does not exist")
	reg(DocumentUsed, http.StatusConflict, "appType 2 names a document already used by a declaration")
	reg(DevClockDisabled, http.StatusForbidden, "the development clock is not enabled")
	reg(Unavailable, http.StatusServiceUnavailable, "storage temporarily unavailable; retry later")
	reg(Internal, http.StatusInternalServerError, "internal error")
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
