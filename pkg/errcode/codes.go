package errcode

import (
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
	// OrderDuplicateGnum is -301002: a gnum appears twice in the order body.
	OrderDuplicateGnum Code = "-301002"
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
	// ReturnDeclarant is -625013: the return's declaring unit is not the
	// original list's.
	ReturnDeclarant Code = "-625013"
	// ReturnItem is -625209: no item with that (gnum, gcode) in the original list.
	ReturnItem Code = "-625209"

	// SignatureInvalid is 1001: the signature does not verify, or is not
	// made with one of the sender's registered certificates.
	SignatureInvalid Code = "1001"
	// CertificateExpired is 1002: the signing certificate is not valid now.
	CertificateExpired Code = "1002"
	// SignatureMismatch is 1004: the data and the signature do not match
	// (the content changed after signing).
	SignatureMismatch Code = "1004"
	// InventorySignature is -621029: an inventory list's signature failed
	// verification (any of the above, named in the message).
	InventorySignature Code = "-621029"
)

// Project codes of returns and the return-center warehouse (-902xxx).
const (
	// ReturnUnknownList: the return names no inventory list of this order and buyer.
	ReturnUnknownList Code = "-902001"
	// ReturnNotReleased: the original list is not released (800).
	ReturnNotReleased Code = "-902002"
	// ReturnLate: the application came after the end of the 30th day after release (D7).
	ReturnLate Code = "-902003"
	// ReturnQuantity: a returned quantity exceeds the original minus what was already returned.
	ReturnQuantity Code = "-902004"
	// ReturnNoWarehouse: no eligible return-center warehouse serves the original list's zone (D8).
	ReturnNoWarehouse Code = "-902005"
	// WarehouseUnknown: the warehouse is not registered.
	WarehouseUnknown Code = "-902006"
	// WarehouseInactive: the warehouse is deactivated.
	WarehouseInactive Code = "-902007"
	// WarehouseDishonest: the warehouse operator's credit rating is dishonest (失信).
	WarehouseDishonest Code = "-902008"
	// WarehouseZone: the warehouse is not in the original list's zone.
	WarehouseZone Code = "-902009"
	// ReturnSite: a 9610 return must go back to the original supervision site.
	ReturnSite Code = "-902010"
	// ArrivalLate: the goods arrived after the end of the 45th day after release (D7).
	ArrivalLate Code = "-902011"
	// ReturnState: the warehouse event does not fit the return's state.
	ReturnState Code = "-902012"
	// ReturnExpired: the goods did not arrive by the end of the 45th day (D7).
	ReturnExpired Code = "-902013"
	// NotResaleable: sorting found the goods not resaleable; they must be shipped out of the zone.
	NotResaleable Code = "-902014"
)

// Project codes of the officer review desk (-903xxx).
const (
	// ReviewClaimed: another officer holds an unexpired claim on the case.
	ReviewClaimed Code = "-903001"
	// ReviewDecided: the case is already decided, or a decision is on its way to clearance.
	ReviewDecided Code = "-903002"
	// ReviewNotClaimant: the officer does not hold the case's claim (claim it first).
	ReviewNotClaimant Code = "-903003"
	// ReviewStatus: the action does not fit the list's status (an inspection result on a list in review).
	ReviewStatus Code = "-903004"
	// ReviewCSRF: a desk form or session request without the session's CSRF token.
	ReviewCSRF Code = "-903005"
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

// Project codes of retail and B2B export (-904xxx, D9, D14): every export
// check of the order, receipt of payment, waybill and inventory list has its
// own code, as do the reference-data look-ups and the summary declaration.
const (
	// ExportInventoryOrder (E01): the export list does not tie to its order (orderNo, ebpCode, ebcCode).
	ExportInventoryOrder Code = "-904001"
	// ExportInventoryWaybill (E02): the export list does not tie to its waybill (logisticsNo, logisticsCode).
	ExportInventoryWaybill Code = "-904002"
	// ExportReceiptOrder (E03): the receipt of payment does not identify the order (orderNo, ebpCode, ebcCode).
	ExportReceiptOrder Code = "-904003"
	// ExportCharge (E04): the receipt's charge or currency differs from the order's goodsValue + freight.
	ExportCharge Code = "-904004"
	// ExportGnumSet (E05): export list and order lines do not match one-to-one by gnum.
	ExportGnumSet Code = "-904005"
	// ExportLineMismatch (E06): an export list line differs from its order line (qty, unit, price, totalPrice, currency).
	ExportLineMismatch Code = "-904006"
	// ExportOrderCurrency (E07): an order line's currency differs from the order's currency.
	ExportOrderCurrency Code = "-904007"
	// ExportLinePrice (E08): an export order or list line's totalPrice is not price × qty.
	ExportLinePrice Code = "-904008"
	// ExportGoodsValue (E09): the export order lines' totalPrice do not sum to goodsValue.
	ExportGoodsValue Code = "-904009"
	// ExportTradeMode (E10): the list's tradeMode is not an export trade mode of the reference data.
	ExportTradeMode Code = "-904010"
	// ExportModeFields (E11): the list lacks an element its trade mode requires.
	ExportModeFields Code = "-904011"
	// ExportOrderType (E12): the order's orderType does not fit the list's trade mode.
	ExportOrderType Code = "-904012"
	// ExportSimplified (E13): statisticsFlag A for goods that need a licence, carry export duty or get an export refund.
	ExportSimplified Code = "-904013"
	// ExportProhibited (E14): a line's gcode is prohibited or restricted for export.
	ExportProhibited Code = "-904014"
	// ExportParties (E15): the consignor (ebcCode) or producer/seller (ownerCode) is missing.
	ExportParties Code = "-904015"
	// CurrencyUnknown (E16): the currency is not in the rate table (D11).
	CurrencyUnknown Code = "-904016"
	// CurrencyNoRate (E16): the rate table has no rate of the currency on that date (D11).
	CurrencyNoRate Code = "-904017"
	// SummaryRequest: the summary month, summaryFlag or lists are invalid.
	SummaryRequest Code = "-904020"
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
	// TooManyRequests: the caller exceeded its rate, or its address failed
	// authentication too often.
	TooManyRequests Code = "-900429"
	// MethodNotAllowed: the path exists but not with the request's method.
	MethodNotAllowed Code = "-900405"
	// BadRequest: a query parameter or request field is invalid.
	BadRequest Code = "-900400"
	// AppTypeUnsupported: appType 3 (delete) is not accepted; cancel a list with CEB623.
	AppTypeUnsupported Code = "-900101"
	// DocumentExists: a document with the same business key exists (export
	// documents, whose specification names no duplicate code).
	DocumentExists Code = "-900104"
	// NothingToChange: appType 2 names a document that does not exist.
	NothingToChange Code = "-900102"
	// DocumentUsed: appType 2 names a document already used by a declaration.
	DocumentUsed Code = "-900103"
	// SignatureRequired: the party's documents must be signed: an unsigned
	// CEB message, or JSON, which carries no signature.
	SignatureRequired Code = "-900105"
	// DevClockDisabled: the development clock is off or not allowed.
	DevClockDisabled Code = "-900901"
	// Unavailable: storage is temporarily unavailable; retry later.
	Unavailable Code = "-900503"
	// Overloaded: intake refuses while the work behind it (documents not
	// yet decided, or the inbound stream) passes its bound; retry after the
	// Retry-After delay.
	Overloaded Code = "-900550"
	// Internal: an unexpected failure; the log has the cause.
	Internal Code = "-900500"
)

// Entry describes one code of the catalogue. HTTP is the status number the
// gateway answers with; the package names numbers rather than importing
// net/http, so that domain packages returning these errors depend on no
// transport.
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
	reg(MessageFormat, 400, "message format error: the body cannot be parsed")
	reg(SchemaInvalid, 400, "message does not satisfy the CEB schema")
	reg(OrderExists, 409, "an order with the same ebpCode and orderNo exists")
	reg(OrderDuplicateGnum, 422, "a gnum appears twice in the order body")
	reg(OrderUsed, 409, "the order is already used by a declared inventory list")
	reg(PaymentExists, 409, "a payment with the same payCode and payTransactionId exists")
	reg(PaymentUsed, 409, "the payment's order is already used by a declared inventory list")
	reg(WaybillExists, 409, "a waybill with the same logisticsCode and logisticsNo exists")
	reg(InventoryExists, 409, "an inventory list for the same ebpCode and orderNo is already declared")
	reg(InventoryUnknown, 404, "the inventory list to modify does not exist")
	reg(InventoryLocked, 409, "the inventory list's state forbids modification")
	reg(CancelExists, 409, "a cancellation of this inventory list is already declared")
	reg(ReturnExists, 409, "this return application is already declared")
	reg(SignatureInvalid, 400, "invalid signature, or not made with one of the sender's registered certificates")
	reg(CertificateExpired, 400, "the signing certificate has expired or is not yet valid")
	reg(SignatureMismatch, 400, "the data and the signature do not match")
	reg(InventorySignature, 400, "the inventory list's signature failed verification")
	reg(InventoryValidation, 422, "the inventory list fails customs validation")
	reg(OverSingleLimit, 422, "the purchase exceeds the single-transaction limit")
	reg(OverAnnualLimit, 422, "the buyer's used quota plus this purchase exceeds the annual limit")
	reg(DuplicateGnum, 422, "a gnum appears twice in the list body")
	reg(CancelUnknown, 404, "no inventory list with that invtNo")
	reg(CancelForbidden, 409, "the inventory list's state forbids cancellation")
	reg(ReturnDeclarant, 422, "the return's declaring unit is not the original list's")
	reg(ReturnItem, 422, "no item with that (gnum, gcode) in the original list")
	reg(ReturnUnknownList, 422, "the return names no inventory list of this order and buyer")
	reg(ReturnNotReleased, 422, "the original inventory list is not released")
	reg(ReturnLate, 422, "the return application came after the 30-day window (D7)")
	reg(ReturnQuantity, 422, "a returned quantity exceeds the original minus what was already returned")
	reg(ReturnNoWarehouse, 422, "no eligible return-center warehouse serves the original list's zone (D8)")
	reg(WarehouseUnknown, 422, "the warehouse is not registered")
	reg(WarehouseInactive, 422, "the warehouse is deactivated")
	reg(WarehouseDishonest, 422, "the warehouse operator's credit rating is dishonest (失信)")
	reg(WarehouseZone, 422, "the warehouse is not in the original list's zone")
	reg(ReturnSite, 422, "a 9610 return must go back to the original supervision site")
	reg(ArrivalLate, 422, "the goods arrived after the 45-day window (D7)")
	reg(ReturnState, 409, "the application or warehouse event does not fit the current state of the return")
	reg(ReturnExpired, 422, "the goods did not arrive within the 45-day window (D7)")
	reg(NotResaleable, 422, "the goods are not resaleable and must be shipped out of the zone")
	reg(LinePrice, 422, "X01: an order line's totalPrice is not price × qty")
	reg(GoodsValue, 422, "X02: the order lines' totalPrice do not sum to goodsValue")
	reg(ActuralPaid, 422, "X03: acturalPaid is not goodsValue + freight + taxTotal − discount")
	reg(PaymentOrder, 422, "X04: the payment does not identify the order")
	reg(AmountPaid, 422, "X05: the payment's amountPaid differs from the order's acturalPaid")
	reg(PayerBuyer, 422, "X06: the payer is not the buyer (name or ID number)")
	reg(PaymentRef, 422, "X07: the order's payCode or payTransactionId differ from the payment's")
	reg(WaybillOrder, 422, "X08: the waybill does not identify the order")
	reg(Consignee, 422, "X09: consignee, phone or address differ between order and waybill")
	reg(InventoryOrder, 422, "X10: the inventory list does not tie to its order")
	reg(InventoryWaybill, 422, "X11: the inventory list does not tie to its waybill")
	reg(GnumSet, 422, "X12: list and order lines do not match one-to-one by gnum")
	reg(LineMismatch, 422, "X13: a list line differs from its order line")
	reg(InventoryBuyer, 422, "X14: the list's buyer or consignee address differ from the order's")
	reg(BondedFields, 422, "X15: a 1210 list lacks emsNo, areaCode/areaName, itemRecordNo or country 142")
	reg(DirectFields, 422, "X15: a 9610 list lacks trafNo, voyageNo or billNo")
	reg(NotOnPositiveList, 422, "X17: the gcode is not on the positive list")
	reg(OutsideListDates, 422, "X17: the positive-list line is not valid on the declaration date")
	reg(ModeNotAllowed, 422, "X17: the positive-list line does not allow the trade mode")
	reg(AnnualQuantity, 422, "the buyer's annual quantity limit of a tariff line would be exceeded")
	reg(BuyerID, 422, "the buyer ID number fails GB 11643 (D12)")
	reg(Incomplete, 422, "order, payment or waybill still missing when the wait ran out")
	reg(RiskRejected, 422, "a risk rule with action reject fired")
	reg(OfficerRejected, 422, "a customs officer rejected the declaration on review")
	reg(ReviewClaimed, 409, "another officer holds the claim on the review case")
	reg(ReviewDecided, 409, "the review case is already decided or has a decision on its way")
	reg(ReviewNotClaimant, 409, "the officer does not hold the claim on the review case")
	reg(ReviewStatus, 409, "the review action does not fit the inventory list's status")
	reg(ReviewCSRF, 403, "missing or wrong CSRF token of the desk session")
	reg(ExportInventoryOrder, 422, "E01: the export list does not tie to its order")
	reg(ExportInventoryWaybill, 422, "E02: the export list does not tie to its waybill")
	reg(ExportReceiptOrder, 422, "E03: the receipt of payment does not identify the order")
	reg(ExportCharge, 422, "E04: the receipt's charge or currency differs from the order's goodsValue + freight")
	reg(ExportGnumSet, 422, "E05: export list and order lines do not match one-to-one by gnum")
	reg(ExportLineMismatch, 422, "E06: an export list line differs from its order line")
	reg(ExportOrderCurrency, 422, "E07: an order line's currency differs from the order's currency")
	reg(ExportLinePrice, 422, "E08: an export order or list line's totalPrice is not price × qty")
	reg(ExportGoodsValue, 422, "E09: the export order lines' totalPrice do not sum to goodsValue")
	reg(ExportTradeMode, 422, "E10: the list's tradeMode is not an export trade mode")
	reg(ExportModeFields, 422, "E11: the list lacks an element its trade mode requires")
	reg(ExportOrderType, 422, "E12: the order's orderType does not fit the list's trade mode")
	reg(ExportSimplified, 422, "E13: statisticsFlag A for goods needing a licence, with export duty or export refund")
	reg(ExportProhibited, 422, "E14: the goods are prohibited or restricted for export")
	reg(ExportParties, 422, "E15: the consignor (ebcCode) or producer/seller (ownerCode) is missing")
	reg(CurrencyUnknown, 422, "E16: the currency is not in the rate table (D11)")
	reg(CurrencyNoRate, 422, "E16: the rate table has no rate of the currency on that date (D11)")
	reg(SummaryRequest, 400, "the summary month, summaryFlag or inventory lists are invalid")
	reg(Unauthenticated, 401, "missing or unknown API key")
	reg(Forbidden, 403, "the party may not submit or read this document")
	reg(NotFound, 404, "not found")
	reg(UnsupportedMediaType, 415, "unsupported content type")
	reg(TooLarge, 413, "body or batch too large")
	reg(TooManyRequests, 429, "too many requests")
	reg(MethodNotAllowed, 405, "method not allowed on this path")
	reg(BadRequest, 400, "invalid request parameter")
	reg(AppTypeUnsupported, 422, "appType 3 (delete) is not accepted; cancel an inventory list with CEB623")
	reg(DocumentExists, 409, "a document with the same business key exists")
	reg(NothingToChange, 404, "appType 2 names a document that does not exist")
	reg(DocumentUsed, 409, "appType 2 names a document already used by a declaration")
	reg(SignatureRequired, 400, "the party's documents must be signed CEB XML; unsigned messages and JSON are refused")
	reg(DevClockDisabled, 403, "the development clock is not enabled")
	reg(Unavailable, 503, "storage temporarily unavailable; retry later")
	reg(Overloaded, 503, "intake is refusing while decisions are behind; retry after Retry-After")
	reg(Internal, 500, "internal error")
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
