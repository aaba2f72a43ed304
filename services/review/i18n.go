package review

import (
	"net/http"
	"strings"
	"time"

	"github.com/cbec/cbec/pkg/clock"
	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/risk"
)

// Lang is the desk's language: "en" or "zh".
type Lang string

// Languages of the desk.
const (
	English Lang = "en"
	Chinese Lang = "zh"
)

// messages are the desk's texts, English and Chinese. A key missing here
// shows as itself, which a test catches; so does a text in one language
// only. The other texts the desk shows come with their own language pairs:
// the risk rules' reasons from the rules file (risk.Hit) and the meaning of
// each error code from pkg/errcode.
var messages = map[string][2]string{
	"title":                    {"Review desk", "人工审核台"},
	"customs":                  {"China Customs · cross-border e-commerce", "中国海关 · 跨境电商零售进口"},
	"skip":                     {"Skip to content", "跳到正文"},
	"signin":                   {"Sign in", "登录"},
	"signin.intro":             {"Sign in with your officer API key. The session lasts one shift (8 hours).", "请使用关员 API 密钥登录。会话有效期为一个班次（8 小时）。"},
	"signin.key":               {"API key", "API 密钥"},
	"signin.bad":               {"Unknown API key.", "API 密钥无效。"},
	"signin.forbidden":         {"This key is not a customs officer's: it cannot use the review desk.", "该密钥不属于海关关员，不能使用审核台。"},
	"signout":                  {"Sign out", "退出"},
	"signedin":                 {"Signed in as", "当前用户"},
	"supervisor":               {"supervisor", "科长"},
	"officer":                  {"officer", "关员"},
	"queue":                    {"Queue", "待审队列"},
	"filter":                   {"Filter", "筛选"},
	"filter.status":            {"Status", "状态"},
	"filter.platform":          {"Platform (ebpCode)", "电商平台代码"},
	"filter.rule":              {"Rule", "风险规则"},
	"filter.minAge":            {"Waiting at least (minutes)", "等待至少（分钟）"},
	"filter.claimedBy":         {"Claimed by", "认领人"},
	"filter.decidedBy":         {"Decided by", "处理人"},
	"filter.any":               {"any", "全部"},
	"filter.me":                {"me", "我"},
	"filter.none":              {"nobody", "未认领"},
	"filter.reset":             {"Reset", "重置"},
	"cases.none":               {"No case matches.", "没有符合条件的案件。"},
	"page.next":                {"Next page", "下一页"},
	"page.prev":                {"Previous page", "上一页"},
	"bulk.select":              {"Select", "选择"},
	"bulk.reason":              {"Reason for the selected releases", "批量放行理由"},
	"bulk.release.selected":    {"Release the selected cases of rule", "放行所选案件，规则"},
	"bulk.release":             {"Bulk release", "批量放行"},
	"bulk.reassign":            {"Reassign an officer's queue", "转交关员的全部认领"},
	"bulk.from":                {"Claims of officer", "原认领关员"},
	"bulk.to":                  {"to officer", "转交给关员"},
	"bulk.done":                {"Done", "已完成"},
	"bulk.failed":              {"failed", "未完成"},
	"bulk.case":                {"Case", "案件"},
	"bulk.outcome":             {"Outcome", "结果"},
	"bulk.back":                {"Back to the queue", "返回待审队列"},
	"col.order":                {"Order", "订单编号"},
	"col.platform":             {"Platform", "电商平台"},
	"col.status":               {"Status", "状态"},
	"col.rules":                {"Rules", "命中规则"},
	"col.age":                  {"Waiting", "等待"},
	"col.claim":                {"Claimed by", "认领人"},
	"col.value":                {"Dutiable value", "完税价格"},
	"col.invtNo":               {"List no.", "清单编号"},
	"minutes":                  {"min", "分钟"},
	"case":                     {"Case", "案件"},
	"case.back":                {"Back to the queue", "返回队列"},
	"case.hits":                {"Why it was flagged", "命中的风险规则"},
	"case.rulesVersion":        {"rules version", "规则版本"},
	"case.claim":               {"Claim", "认领"},
	"case.claimedBy":           {"Claimed by %s until %s", "%s 已认领，至 %s"},
	"case.unclaimed":           {"Not claimed", "未认领"},
	"case.pending":             {"Decision %s by %s sent to clearance; waiting for the receipt.", "%[2]s 的决定（%[1]s）已发送通关系统，等待回执。"},
	"case.closed":              {"This case is decided.", "本案件已处理完毕。"},
	"case.claimFirst":          {"Claim the case to decide it.", "请先认领本案件再作决定。"},
	"case.claimedOther":        {"Another officer holds this case.", "本案件已由其他关员认领。"},
	"case.documents":           {"Documents side by side", "单证对比"},
	"case.differ":              {"values differ", "数值不一致"},
	"case.missing":             {"missing", "缺失"},
	"case.lines":               {"Goods lines", "商品明细"},
	"case.tax":                 {"Tax", "税款"},
	"case.quota":               {"Buyer's annual quota", "订购人年度交易限值"},
	"case.history":             {"Receipt history", "回执记录"},
	"case.notes":               {"Notes", "备注"},
	"case.notes.none":          {"No notes.", "暂无备注。"},
	"case.audit":               {"Audit trail", "操作记录"},
	"case.audit.none":          {"No action yet.", "暂无操作。"},
	"case.actions":             {"Actions", "操作"},
	"doc.order":                {"Order (CEB311)", "订单 (CEB311)"},
	"doc.payment":              {"Payment (CEB411)", "支付单 (CEB411)"},
	"doc.waybill":              {"Waybill (CEB511)", "运单 (CEB511)"},
	"doc.inventory":            {"Inventory list (CEB621)", "清单 (CEB621)"},
	"doc.field":                {"Field", "字段"},
	"quota.buyer":              {"Buyer ID (masked)", "订购人证件号（脱敏）"},
	"quota.used":               {"Used in %d", "%d 年已用"},
	"quota.annual":             {"Annual limit", "年度限值"},
	"quota.thisList":           {"Counted for this list", "本清单计入"},
	"tax.dutiable":             {"Dutiable value", "完税价格"},
	"tax.duty":                 {"Customs duty", "关税"},
	"tax.vat":                  {"VAT", "增值税"},
	"tax.consumption":          {"Consumption tax", "消费税"},
	"tax.total":                {"Tax total", "应征税款"},
	"line.gnum":                {"No.", "序号"},
	"line.gcode":               {"HS code", "商品编码"},
	"line.name":                {"Goods", "商品名称"},
	"line.qty":                 {"Qty (order / list)", "数量（订单/清单）"},
	"line.price":               {"Price (order / list)", "单价（订单/清单）"},
	"line.total":               {"Total (order / list)", "总价（订单/清单）"},
	"line.tax":                 {"Tax", "税款"},
	"hist.status":              {"Status", "状态"},
	"hist.info":                {"Receipt text", "回执信息"},
	"hist.time":                {"Time", "时间"},
	"audit.seq":                {"#", "序号"},
	"audit.action":             {"Action", "操作"},
	"audit.officer":            {"Officer", "关员"},
	"audit.time":               {"Time", "时间"},
	"audit.before":             {"Before", "操作前"},
	"audit.after":              {"After", "操作后"},
	"audit.detail":             {"Detail", "说明"},
	"note.add":                 {"Add a note", "添加备注"},
	"note.text":                {"Note", "备注内容"},
	"confirm":                  {"Confirm", "确认"},
	"cancel":                   {"Cancel", "取消"},
	"confirm.title":            {"Confirm: %s", "确认操作：%s"},
	"confirm.question":         {"Do you want to %s case %s?", "确定对案件 %[2]s 执行「%[1]s」？"},
	"reason":                   {"Reason", "理由"},
	"reason.required":          {"Reason (required; the platform reads it in the receipt)", "理由（必填，将写入回执通知企业）"},
	"reason.optional":          {"Reason (optional)", "理由（选填）"},
	"result":                   {"Inspection result", "查验结果"},
	"detainStatus":             {"Detention", "扣留类型"},
	"reassign.to":              {"Reassign to officer", "改派给关员"},
	"done":                     {"Done: %s.", "已完成：%s。"},
	"done.decision":            {"Decision sent: %s. Clearance applies it and sends the receipt to the platform.", "决定已发送：%s。通关系统将处理并向企业发送回执。"},
	"error":                    {"Error", "错误"},
	"error.back":               {"Back", "返回"},
	"lang.switch":              {"中文", "English"},
	"action.claim":             {"claim", "认领"},
	"action.unclaim":           {"release claim", "取消认领"},
	"action.release":           {"release", "放行"},
	"action.reject":            {"reject", "退单"},
	"action.inspect":           {"order inspection", "布控查验"},
	"action.inspection-result": {"record inspection result", "录入查验结果"},
	"action.notes":             {"add note", "添加备注"},
	"action.reassign":          {"reassign", "改派"},
	"status.open":              {"Open", "待处理"},
	"status.closed":            {"Closed", "已处理"},
	"status.all":               {"All", "全部"},
	"status.2":                 {"Declared", "电子口岸申报中"},
	"status.100":               {"Rejected", "海关退单"},
	"status.120":               {"Accepted", "海关入库"},
	"status.300":               {"In review", "人工审核"},
	"status.399":               {"Concluded", "海关审结"},
	"status.500":               {"Under inspection", "查验"},
	"status.501":               {"Detained: to clearance", "扣留移送通关"},
	"status.502":               {"Detained: to anti-smuggling", "扣留移送缉私"},
	"status.503":               {"Detained: to legal", "扣留移送法规"},
	"status.599":               {"Detained: other", "其他扣留"},
	"status.800":               {"Released", "放行"},
	"status.cancelled":         {"Cancelled", "已撤销"},
	"field.orderNo":            {"Order no.", "订单编号"},
	"field.ebpCode":            {"Platform code", "电商平台代码"},
	"field.ebcCode":            {"Enterprise code", "电商企业代码"},
	"field.buyerName":          {"Buyer / payer name", "订购人/支付人姓名"},
	"field.buyerIdNumber":      {"Buyer / payer ID number", "订购人/支付人证件号"},
	"field.buyerTelephone":     {"Buyer / payer phone", "订购人/支付人电话"},
	"field.consignee":          {"Consignee", "收货人"},
	"field.consigneeTelephone": {"Consignee phone", "收货人电话"},
	"field.consigneeAddress":   {"Consignee address", "收货地址"},
	"field.payCode":            {"Payment company", "支付企业代码"},
	"field.payTransactionId":   {"Payment transaction", "支付交易编号"},
	"field.goodsValue":         {"Goods value", "商品价格"},
	"field.freight":            {"Freight", "运杂费"},
	"field.insuredFee":         {"Insurance", "保费"},
	"field.discount":           {"Discount", "非现金抵扣"},
	"field.taxTotal":           {"Tax (order)", "代扣税款"},
	"field.paid":               {"Amount paid", "实际支付金额"},
	"field.payTime":            {"Paid at", "支付时间"},
	"field.logisticsCode":      {"Logistics company", "物流企业代码"},
	"field.logisticsNo":        {"Waybill no.", "物流运单编号"},
	"field.grossWeight":        {"Gross weight (kg)", "毛重（千克）"},
	"field.netWeight":          {"Net weight (kg)", "净重（千克）"},
	"field.tradeMode":          {"Trade mode", "贸易方式"},
	"field.customsCode":        {"Customs", "申报海关"},
	"field.declTime":           {"Declared on", "申报日期"},
}

// T returns the text of key in the language.
func (l Lang) T(key string) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	if l == Chinese {
		return m[1]
	}
	return m[0]
}

// Status names a CEB622 status or a queue tab.
func (l Lang) Status(s string) string { return l.T("status." + s) }

// Action names an action.
func (l Lang) Action(a string) string { return l.T("action." + a) }

// Hit is a risk rule's reason in the language. A hit recorded before the
// rules were bilingual has no Chinese text (and no current rule to borrow
// one from, see withChinese): it shows in English rather than not at all.
func (l Lang) Hit(h risk.Hit) string {
	if l == Chinese && h.DescriptionZh != "" {
		return h.DescriptionZh
	}
	return h.Description
}

// Rule is a rule's reason in the language.
func (l Lang) Rule(t risk.Text) string {
	if l == Chinese {
		return t.Zh
	}
	return t.En
}

// Code is the meaning of an error code in the language, "" for a code the
// catalogue does not know.
func (l Lang) Code(c errcode.Code) string {
	if l == Chinese {
		return errcode.DescribeZh(c)
	}
	return errcode.Describe(c)
}

// Reason is the meaning, in the language, of the code a receipt text starts
// with ("-621005: dutiable value …"), or "". Receipts keep the words
// clearance gave them; the desk adds the code's meaning in the officer's
// language beside them.
func (l Lang) Reason(info string) string {
	code, _, ok := strings.Cut(info, ":")
	if !ok {
		return ""
	}
	return l.Code(errcode.Code(code))
}

// Time formats t in China time, where the officers work.
func (l Lang) Time(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(clock.Shanghai).Format("2006-01-02 15:04:05")
}

// lang picks the language: ?lang=, then the cookie a switch set, then
// Accept-Language; English by default. A ?lang= choice is kept in the
// cookie.
func lang(w http.ResponseWriter, req *http.Request) Lang {
	parse := func(s string) (Lang, bool) {
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "zh", "zh-cn", "zh-hans":
			return Chinese, true
		case "en":
			return English, true
		}
		return "", false
	}
	if l, ok := parse(req.URL.Query().Get("lang")); ok {
		setCookie(w, req, langCookie, string(l), 365*24*time.Hour)
		return l
	}
	if ck, err := req.Cookie(langCookie); err == nil {
		if l, ok := parse(ck.Value); ok {
			return l
		}
	}
	for _, part := range strings.Split(req.Header.Get("Accept-Language"), ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.HasPrefix(strings.ToLower(tag), "zh") {
			return Chinese
		}
		if strings.HasPrefix(strings.ToLower(tag), "en") {
			return English
		}
	}
	return English
}
