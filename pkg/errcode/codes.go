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
	// Text is the code's meaning in English: the problem document's title
	// and the "meaning" column of docs/errors.md.
	Text string
	// TextZh is the same meaning in Chinese, which the bilingual review
	// desk shows. Every code has both (a test walks the catalogue).
	TextZh string
}

var catalogue = map[Code]Entry{}

// reg adds a code with its status and its meaning in English and Chinese.
func reg(c Code, status int, text, textZh string) {
	catalogue[c] = Entry{Code: c, HTTP: status, Text: text, TextZh: textZh}
}

func init() {
	reg(MessageFormat, 400, "message format error: the body cannot be parsed",
		"报文格式错误：无法解析报文")
	reg(SchemaInvalid, 400, "message does not satisfy the CEB schema",
		"报文不符合 CEB 报文规范（XSD）")
	reg(OrderExists, 409, "an order with the same ebpCode and orderNo exists",
		"已存在相同电商平台代码和订单编号的订单")
	reg(OrderDuplicateGnum, 422, "a gnum appears twice in the order body",
		"订单表体商品序号（gnum）重复")
	reg(OrderUsed, 409, "the order is already used by a declared inventory list",
		"订单已被已申报的清单使用")
	reg(PaymentExists, 409, "a payment with the same payCode and payTransactionId exists",
		"已存在相同支付企业代码和支付交易编号的支付单")
	reg(PaymentUsed, 409, "the payment's order is already used by a declared inventory list",
		"支付单对应的订单已被已申报的清单使用")
	reg(WaybillExists, 409, "a waybill with the same logisticsCode and logisticsNo exists",
		"已存在相同物流企业代码和运单编号的运单")
	reg(InventoryExists, 409, "an inventory list for the same ebpCode and orderNo is already declared",
		"相同电商平台代码和订单编号的清单已申报")
	reg(InventoryUnknown, 404, "the inventory list to modify does not exist",
		"要修改的清单不存在")
	reg(InventoryLocked, 409, "the inventory list's state forbids modification",
		"清单当前状态不允许修改")
	reg(CancelExists, 409, "a cancellation of this inventory list is already declared",
		"该清单的撤销申请已申报")
	reg(ReturnExists, 409, "this return application is already declared",
		"该退货申请已申报")
	reg(SignatureInvalid, 400, "invalid signature, or not made with one of the sender's registered certificates",
		"签名无效，或非以发送方备案证书签名")
	reg(CertificateExpired, 400, "the signing certificate has expired or is not yet valid",
		"签名证书已过期或尚未生效")
	reg(SignatureMismatch, 400, "the data and the signature do not match",
		"数据与签名不一致")
	reg(InventorySignature, 400, "the inventory list's signature failed verification",
		"清单签名验证失败")
	reg(InventoryValidation, 422, "the inventory list fails customs validation",
		"清单未通过海关校验")
	reg(OverSingleLimit, 422, "the purchase exceeds the single-transaction limit",
		"交易金额超过单次交易限值")
	reg(OverAnnualLimit, 422, "the buyer's used quota plus this purchase exceeds the annual limit",
		"订购人年度已用额度加本次交易超过年度交易限值")
	reg(DuplicateGnum, 422, "a gnum appears twice in the list body",
		"清单表体商品序号（gnum）重复")
	reg(CancelUnknown, 404, "no inventory list with that invtNo",
		"不存在该清单编号的清单")
	reg(CancelForbidden, 409, "the inventory list's state forbids cancellation",
		"清单当前状态不允许撤销")
	reg(ReturnDeclarant, 422, "the return's declaring unit is not the original list's",
		"退货申报单位与原清单申报单位不一致")
	reg(ReturnItem, 422, "no item with that (gnum, gcode) in the original list",
		"原清单中没有该商品序号和商品编码的商品")
	reg(ReturnUnknownList, 422, "the return names no inventory list of this order and buyer",
		"退货申请所指订单和订购人没有对应的清单")
	reg(ReturnNotReleased, 422, "the original inventory list is not released",
		"原清单尚未放行")
	reg(ReturnLate, 422, "the return application came after the 30-day window (D7)",
		"退货申请超过 30 日期限（D7）")
	reg(ReturnQuantity, 422, "a returned quantity exceeds the original minus what was already returned",
		"退货数量超过原清单数量减去已退数量")
	reg(ReturnNoWarehouse, 422, "no eligible return-center warehouse serves the original list's zone (D8)",
		"原清单所在区域没有符合条件的退货中心仓（D8）")
	reg(WarehouseUnknown, 422, "the warehouse is not registered",
		"仓库未登记")
	reg(WarehouseInactive, 422, "the warehouse is deactivated",
		"仓库已停用")
	reg(WarehouseDishonest, 422, "the warehouse operator's credit rating is dishonest (失信)",
		"仓库经营企业信用等级为失信企业")
	reg(WarehouseZone, 422, "the warehouse is not in the original list's zone",
		"仓库不在原清单所在区域")
	reg(ReturnSite, 422, "a 9610 return must go back to the original supervision site",
		"9610 退货须退回原监管场所")
	reg(ArrivalLate, 422, "the goods arrived after the 45-day window (D7)",
		"退货商品超过 45 日期限才运抵（D7）")
	reg(ReturnState, 409, "the application or warehouse event does not fit the current state of the return",
		"申请或仓库事件与退货当前状态不符")
	reg(ReturnExpired, 422, "the goods did not arrive within the 45-day window (D7)",
		"退货商品未在 45 日期限内运抵（D7）")
	reg(NotResaleable, 422, "the goods are not resaleable and must be shipped out of the zone",
		"退货商品不能二次销售，须运出区域")
	reg(LinePrice, 422, "X01: an order line's totalPrice is not price × qty",
		"X01：订单商品总价不等于单价 × 数量")
	reg(GoodsValue, 422, "X02: the order lines' totalPrice do not sum to goodsValue",
		"X02：订单商品总价之和不等于商品价格（goodsValue）")
	reg(ActuralPaid, 422, "X03: acturalPaid is not goodsValue + freight + taxTotal − discount",
		"X03：实际支付金额不等于商品价格 + 运杂费 + 代扣税款 − 非现金抵扣金额")
	reg(PaymentOrder, 422, "X04: the payment does not identify the order",
		"X04：支付单与订单不对应")
	reg(AmountPaid, 422, "X05: the payment's amountPaid differs from the order's acturalPaid",
		"X05：支付单支付金额与订单实际支付金额不一致")
	reg(PayerBuyer, 422, "X06: the payer is not the buyer (name or ID number)",
		"X06：支付人不是订购人（姓名或证件号码不一致）")
	reg(PaymentRef, 422, "X07: the order's payCode or payTransactionId differ from the payment's",
		"X07：订单的支付企业代码或支付交易编号与支付单不一致")
	reg(WaybillOrder, 422, "X08: the waybill does not identify the order",
		"X08：运单与订单不对应")
	reg(Consignee, 422, "X09: consignee, phone or address differ between order and waybill",
		"X09：订单与运单的收货人、电话或地址不一致")
	reg(InventoryOrder, 422, "X10: the inventory list does not tie to its order",
		"X10：清单与订单不对应")
	reg(InventoryWaybill, 422, "X11: the inventory list does not tie to its waybill",
		"X11：清单与运单不对应")
	reg(GnumSet, 422, "X12: list and order lines do not match one-to-one by gnum",
		"X12：清单与订单的商品序号不能一一对应")
	reg(LineMismatch, 422, "X13: a list line differs from its order line",
		"X13：清单商品与订单商品不一致")
	reg(InventoryBuyer, 422, "X14: the list's buyer or consignee address differ from the order's",
		"X14：清单的订购人或收货地址与订单不一致")
	reg(BondedFields, 422, "X15: a 1210 list lacks emsNo, areaCode/areaName, itemRecordNo or country 142",
		"X15：1210 清单缺少账册编号、区内企业代码/名称、商品备案号或原产国 142")
	reg(DirectFields, 422, "X15: a 9610 list lacks trafNo, voyageNo or billNo",
		"X15：9610 清单缺少运输工具编号、航班航次号或提运单号")
	reg(NotOnPositiveList, 422, "X17: the gcode is not on the positive list",
		"X17：商品编码不在跨境电商零售进口商品清单内")
	reg(OutsideListDates, 422, "X17: the positive-list line is not valid on the declaration date",
		"X17：商品清单条目在申报日期不在有效期内")
	reg(ModeNotAllowed, 422, "X17: the positive-list line does not allow the trade mode",
		"X17：商品清单条目不允许该贸易方式")
	reg(AnnualQuantity, 422, "the buyer's annual quantity limit of a tariff line would be exceeded",
		"订购人该税号商品的年度数量限值将被超过")
	reg(BuyerID, 422, "the buyer ID number fails GB 11643 (D12)",
		"订购人身份证件号码不符合 GB 11643（D12）")
	reg(Incomplete, 422, "order, payment or waybill still missing when the wait ran out",
		"等待期满，订单、支付单或运单仍未到齐")
	reg(RiskRejected, 422, "a risk rule with action reject fired",
		"触发退单类风险规则")
	reg(OfficerRejected, 422, "a customs officer rejected the declaration on review",
		"海关关员审核退单")
	reg(ReviewClaimed, 409, "another officer holds the claim on the review case",
		"该审核案件已由其他关员认领")
	reg(ReviewDecided, 409, "the review case is already decided or has a decision on its way",
		"该审核案件已处理，或其决定正在发送通关系统")
	reg(ReviewNotClaimant, 409, "the officer does not hold the claim on the review case",
		"关员未认领该审核案件")
	reg(ReviewStatus, 409, "the review action does not fit the inventory list's status",
		"该审核操作与清单当前状态不符")
	reg(ReviewCSRF, 403, "missing or wrong CSRF token of the desk session",
		"审核台会话的 CSRF 令牌缺失或错误")
	reg(ExportInventoryOrder, 422, "E01: the export list does not tie to its order",
		"E01：出口清单与订单不对应")
	reg(ExportInventoryWaybill, 422, "E02: the export list does not tie to its waybill",
		"E02：出口清单与运单不对应")
	reg(ExportReceiptOrder, 422, "E03: the receipt of payment does not identify the order",
		"E03：收款单与订单不对应")
	reg(ExportCharge, 422, "E04: the receipt's charge or currency differs from the order's goodsValue + freight",
		"E04：收款金额或币制与订单商品价格 + 运杂费不一致")
	reg(ExportGnumSet, 422, "E05: export list and order lines do not match one-to-one by gnum",
		"E05：出口清单与订单的商品序号不能一一对应")
	reg(ExportLineMismatch, 422, "E06: an export list line differs from its order line",
		"E06：出口清单商品与订单商品不一致")
	reg(ExportOrderCurrency, 422, "E07: an order line's currency differs from the order's currency",
		"E07：订单商品币制与订单币制不一致")
	reg(ExportLinePrice, 422, "E08: an export order or list line's totalPrice is not price × qty",
		"E08：出口订单或清单商品总价不等于单价 × 数量")
	reg(ExportGoodsValue, 422, "E09: the export order lines' totalPrice do not sum to goodsValue",
		"E09：出口订单商品总价之和不等于商品价格（goodsValue）")
	reg(ExportTradeMode, 422, "E10: the list's tradeMode is not an export trade mode",
		"E10：清单贸易方式不是出口贸易方式")
	reg(ExportModeFields, 422, "E11: the list lacks an element its trade mode requires",
		"E11：清单缺少其贸易方式要求的项目")
	reg(ExportOrderType, 422, "E12: the order's orderType does not fit the list's trade mode",
		"E12：订单类型与清单贸易方式不符")
	reg(ExportSimplified, 422, "E13: statisticsFlag A for goods needing a licence, with export duty or export refund",
		"E13：涉证、涉出口关税或涉出口退税商品不能按统计标志 A 简化申报")
	reg(ExportProhibited, 422, "E14: the goods are prohibited or restricted for export",
		"E14：商品属于禁止或限制出口商品")
	reg(ExportParties, 422, "E15: the consignor (ebcCode) or producer/seller (ownerCode) is missing",
		"E15：缺少收发货人（ebcCode）或生产销售单位（ownerCode）")
	reg(CurrencyUnknown, 422, "E16: the currency is not in the rate table (D11)",
		"E16：汇率表中没有该币制（D11）")
	reg(CurrencyNoRate, 422, "E16: the rate table has no rate of the currency on that date (D11)",
		"E16：汇率表中没有该币制当日的汇率（D11）")
	reg(SummaryRequest, 400, "the summary month, summaryFlag or inventory lists are invalid",
		"汇总月份、汇总标志或清单无效")
	reg(Unauthenticated, 401, "missing or unknown API key",
		"缺少 API 密钥或密钥无效")
	reg(Forbidden, 403, "the party may not submit or read this document",
		"该企业无权提交或查询此单证")
	reg(NotFound, 404, "not found",
		"未找到")
	reg(UnsupportedMediaType, 415, "unsupported content type",
		"不支持的内容类型")
	reg(TooLarge, 413, "body or batch too large",
		"报文体或批次过大")
	reg(TooManyRequests, 429, "too many requests",
		"请求过于频繁")
	reg(MethodNotAllowed, 405, "method not allowed on this path",
		"该路径不支持此请求方法")
	reg(BadRequest, 400, "invalid request parameter",
		"请求参数无效")
	reg(AppTypeUnsupported, 422, "appType 3 (delete) is not accepted; cancel an inventory list with CEB623",
		"不接受报送类型 3（删除）；撤销清单请用 CEB623")
	reg(DocumentExists, 409, "a document with the same business key exists",
		"已存在相同业务编号的单证")
	reg(NothingToChange, 404, "appType 2 names a document that does not exist",
		"报送类型 2（变更）所指单证不存在")
	reg(DocumentUsed, 409, "appType 2 names a document already used by a declaration",
		"报送类型 2（变更）所指单证已被申报使用")
	reg(SignatureRequired, 400, "the party's documents must be signed CEB XML; unsigned messages and JSON are refused",
		"该企业的单证须为已签名的 CEB XML；不接受未签名报文和 JSON")
	reg(DevClockDisabled, 403, "the development clock is not enabled",
		"开发时钟未启用")
	reg(Unavailable, 503, "storage temporarily unavailable; retry later",
		"存储暂时不可用，请稍后重试")
	reg(Overloaded, 503, "intake is refusing while decisions are behind; retry after Retry-After",
		"决策处理积压，暂停受理；请在 Retry-After 后重试")
	reg(Internal, 500, "internal error",
		"系统内部错误")
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
