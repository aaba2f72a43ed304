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

	// InventoryValidation is -621001: the list fails customs validation
	// (here: it carries a pre-entry number that E-Port did not assign).
	InventoryValidation Code = "-621001"
	// OverSingleLimit is -621005: the purchase exceeds the single-transaction limit.
	OverSingleLimit Code = "-621005"
	// OverAnnualLimit is -621018: the buyer's used quota plus this purchase
	// exceeds the annual limit.
	OverAnnualLimit Code = "-621018"
	// DuplicateGnum is -621027: a gnum appears twice in the list body.
	DuplicateGnum Code = "-621027"
	// CancelUnknown is -623003: no inventory list with that invtNo.
	CancelUnknown Code = "-623003"
	// CancelForbidden is -623005: the list's state forbids cancellation.
	CancelForbidden Code = "-623005"
)

// Project codes of the retail import checks (D9, D14): every check of the
// three documents and the inventory list has its own code.
const (
	// LinePrice (X01): an order line's totalPrice is not price × qty.
	LinePrice Code = "-901001"
	// GoodsValue (X02): the order lines' totalPrice do not sum to goodsValue.
	GoodsValue Code = "-901002"
	// ActuralPaid (X03): acturalPaid is not goodsValue + freight + taxTotal − discount.
	ActuralPaid Code = "-901003"
	// PaymentOrder (X04): the payment does not identify the order.
	PaymentOrder Code = "-901004"
	// AmountPaid (X05): the payment's amountPaid differs from the order's acturalPaid.
	AmountPaid Code = "-901005"
	// PayerBuyer (X06): the payer is not the buyer (name or ID number, D13).
	PayerBuyer Code = "-901006"
	// PaymentRef (X07): the order's payCode or payTransactionId differ from the payment's.
	PaymentRef Code = "-901007"
	// WaybillOrder (X08): the waybill does not identify the order.
	WaybillOrder Code = "-901008"
	// Consignee (X09): consignee, phone or address differ between order and waybill.
	Consignee Code = "-901009"
	// InventoryOrder (X10): the list does not tie to its order (orderNo, ebpCode, ebcCode).
	InventoryOrder Code = "-901010"
	// InventoryWaybill (X11): the list does not tie to its waybill (logisticsNo, logisticsCode).
	InventoryWaybill Code = "-901011"
	// GnumSet (X12): list and order lines do not match one-to-one by gnum.
	GnumSet Code = "-901012"
	// LineMismatch (X13): a list line differs from its order line (name, qty, unit, price, totalPrice).
	LineMismatch Code = "-901013"
	// InventoryBuyer (X14): the list's buyer or consignee address differ from the order's.
	InventoryBuyer Code = "-901014"
	// BondedFields (X15): a 1210 list lacks emsNo, areaCode/areaName, itemRecordNo or country 142.
	BondedFields Code = "-901015"
	// DirectFields (X15): a 9610 list lacks trafNo, voyageNo or billNo.
	DirectFields Code = "-901016"
	// NotOnPositiveList (X17): the gcode is not on the positive list.
	NotOnPositiveList Code = "-901017"
	// OutsideListDates (X17): the positive-list line is not valid on the declaration date.
	OutsideListDates Code = "-901018"
	// ModeNotAllowed (X17): the positive-list line does not allow the trade mode.
	ModeNotAllowed Code = "-901019"
	// AnnualQuantity: the buyer's annual quantity limit of a tariff line would be exceeded.
	AnnualQuantity Code = "-901020"
	// BuyerID (D12): the buyer ID number fails GB 11643.
	BuyerID Code = "-901021"
	// Incomplete: order, payment or waybill still missing when the wait ran out.
	Incomplete Code = "-901022"
	// RiskRejected: a risk rule with action reject fired.
	RiskRejected Code = "-901030"
	// OfficerRejected: a customs officer rejected the declaration on review.
	OfficerRejected Code = "-901031"
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
	reg(InventoryValidation, http.StatusUnprocessableEntity, "the inventory list fails customs validation")
	reg(OverSingleLimit, http.StatusUnprocessableEntity, "the purchase exceeds the single-transaction limit")
	reg(OverAnnualLimit, http.StatusUnprocessableEntity, "the buyer's used quota plus this purchase exceeds the annual limit")
	reg(DuplicateGnum, http.StatusUnprocessableEntity, "a gnum appears twice in the list body")
	reg(CancelUnknown, http.StatusNotFound, "no inventory list with that invtNo")
	reg(CancelForbidden, http.StatusConflict, "the inventory list's state forbids cancellation")
	reg(LinePrice, http.StatusUnprocessableEntity, "X01: an order line's totalPrice is not price × qty")
	reg(GoodsValue, http.StatusUnprocessableEntity, "X02: the order lines' totalPrice do not sum to goodsValue")
	reg(ActuralPaid, http.StatusUnprocessableEntity, "X03: acturalPaid is not goodsValue + freight + taxTotal − discount")
	reg(PaymentOrder, http.StatusUnprocessableEntity, "X04: the payment does not identify the order")
	reg(AmountPaid, http.StatusUnprocessableEntity, "X05: the payment's amountPaid differs from the order's acturalPaid")
	reg(PayerBuyer, http.StatusUnprocessableEntity, "X06: the payer is not the buyer (name or ID number)")
	reg(PaymentRef, http.StatusUnprocessableEntity, "X07: the order's payCode or payTransactionId differ from the payment's")
	reg(WaybillOrder, http.StatusUnprocessableEntity, "X08: the waybill does not identify the order")
	reg(Consignee, http.StatusUnprocessableEntity, "X09: consignee, phone or address differ between order and waybill")
	reg(InventoryOrder, http.StatusUnprocessableEntity, "X10: the inventory list does not tie to its order")
	reg(InventoryWaybill, http.StatusUnprocessableEntity, "X11: the inventory list does not tie to its waybill")
	reg(GnumSet, http.StatusUnprocessableEntity, "X12: list and order lines do not match one-to-one by gnum")
	reg(LineMismatch, http.StatusUnprocessableEntity, "X13: a list line differs from its order line")
	reg(InventoryBuyer, http.StatusUnprocessableEntity, "X14: the list's buyer or consignee address differ from the order's")
	reg(BondedFields, http.StatusUnprocessableEntity, "X15: a 1210 list lacks emsNo, areaCode/areaName, itemRecordNo or country 142")
	reg(DirectFields, http.StatusUnprocessableEntity, "X15: a 9610 list lacks trafNo, voyageNo or billNo")
	reg(NotOnPositiveList, http.StatusUnprocessableEntity, "X17: the gcode is not on the positive list")
	reg(OutsideListDates, http.StatusUnprocessableEntity, "X17: the positive-list line is not valid on the declaration date")
	reg(ModeNotAllowed, http.StatusUnprocessableEntity, "X17: the positive-list line does not allow the trade mode")
	reg(AnnualQuantity, http.StatusUnprocessableEntity, "the buyer's annual quantity limit of a tariff line would be exceeded")
	reg(BuyerID, http.StatusUnprocessableEntity, "the buyer ID number fails GB 11643 (D12)")
	reg(Incomplete, http.StatusUnprocessableEntity, "order, payment or waybill still missing when the wait ran out")
	reg(RiskRejected, http.StatusUnprocessableEntity, "a risk rule with action reject fired")
	reg(OfficerRejected, http.StatusUnprocessableEntity, "a customs officer rejected the declaration on review")
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
