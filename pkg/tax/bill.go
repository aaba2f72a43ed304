package tax

import "github.com/shopspring/decimal"

// Bill is one electronic tax bill: one Tax element of the CEB816Message
// (电子税单数据报文). Field names, order and JSON/XML names are the XSD's
// TaxHeadRd and TaxListRd elements; amounts are decimal strings.
type Bill struct {
	TaxHeadRd TaxHeadRd   `xml:"TaxHeadRd" json:"TaxHeadRd"`
	TaxListRd []TaxListRd `xml:"TaxListRd" json:"TaxListRd"`
}

// TaxHeadRd is the head of a tax bill (电子税单表头).
type TaxHeadRd struct {
	// Guid is the bill's 36-character upper-case unique id.
	Guid string `xml:"guid" json:"guid"`
	// ReturnTime is YYYYMMDDhhmmssSSS (ceb.FormatReturnTime).
	ReturnTime string `xml:"returnTime" json:"returnTime"`
	// InvtNo is the customs number of the inventory list.
	InvtNo string `xml:"invtNo" json:"invtNo"`
	// TaxNo is the tax bill number.
	TaxNo string `xml:"taxNo" json:"taxNo"`
	// CustomsTax, ValueAddedTax and ConsumptionTax are the head totals.
	CustomsTax     string `xml:"customsTax" json:"customsTax"`
	ValueAddedTax  string `xml:"valueAddedTax" json:"valueAddedTax"`
	ConsumptionTax string `xml:"consumptionTax" json:"consumptionTax"`
	// Status is 1 generated, 2 summarized, 3 void.
	Status string `xml:"status" json:"status"`
	// EntDutyNo is the payment notice number (缴款书编号), optional.
	EntDutyNo string `xml:"entDutyNo,omitempty" json:"entDutyNo,omitempty"`
	// Note is a free remark, optional.
	Note string `xml:"note,omitempty" json:"note,omitempty"`
	// AssureCode is the tax guarantor, optional.
	AssureCode string `xml:"assureCode,omitempty" json:"assureCode,omitempty"`
	// EbcCode is the e-commerce enterprise, optional.
	EbcCode string `xml:"ebcCode,omitempty" json:"ebcCode,omitempty"`
	// LogisticsCode is the logistics enterprise, optional.
	LogisticsCode string `xml:"logisticsCode,omitempty" json:"logisticsCode,omitempty"`
	// AgentCode is the declaring agent, optional.
	AgentCode string `xml:"agentCode,omitempty" json:"agentCode,omitempty"`
	// CustomsCode is the 4-digit declaring customs, optional.
	CustomsCode string `xml:"customsCode,omitempty" json:"customsCode,omitempty"`
}

// TaxListRd is one line of a tax bill (电子税单表体).
type TaxListRd struct {
	Gnum  int    `xml:"gnum" json:"gnum"`
	Gcode string `xml:"gcode" json:"gcode"`
	// TaxPrice is the line's dutiable value (完税总价格).
	TaxPrice       string `xml:"taxPrice" json:"taxPrice"`
	CustomsTax     string `xml:"customsTax" json:"customsTax"`
	ValueAddedTax  string `xml:"valueAddedTax" json:"valueAddedTax"`
	ConsumptionTax string `xml:"consumptionTax" json:"consumptionTax"`
}

// BillStatusGenerated is TaxHeadRd status 1 (已生成), the status of a new
// bill.
const BillStatusGenerated = "1"

// BillHead carries the identifying values of a bill that the assessment
// does not know. The XSD's TaxHeadRd has no orderNo or ebpCode, so a bill
// is tied to its order through InvtNo.
type BillHead struct {
	Guid          string
	ReturnTime    string // YYYYMMDDhhmmssSSS
	InvtNo        string
	TaxNo         string
	Status        string // "" means BillStatusGenerated
	EntDutyNo     string
	Note          string
	AssureCode    string
	EbcCode       string
	LogisticsCode string
	AgentCode     string
	CustomsCode   string
}

// NewBill shapes an assessment as a CEB816 tax bill. Lines keep the
// assessment's order; each line's gcode is the assessed Line's Gcode.
func NewBill(a Assessment, head BillHead) Bill {
	status := head.Status
	if status == "" {
		status = BillStatusGenerated
	}
	b := Bill{
		TaxHeadRd: TaxHeadRd{
			Guid:           head.Guid,
			ReturnTime:     head.ReturnTime,
			InvtNo:         head.InvtNo,
			TaxNo:          head.TaxNo,
			CustomsTax:     money(a.Duty),
			ValueAddedTax:  money(a.VAT),
			ConsumptionTax: money(a.Consumption),
			Status:         status,
			EntDutyNo:      head.EntDutyNo,
			Note:           head.Note,
			AssureCode:     head.AssureCode,
			EbcCode:        head.EbcCode,
			LogisticsCode:  head.LogisticsCode,
			AgentCode:      head.AgentCode,
			CustomsCode:    head.CustomsCode,
		},
		TaxListRd: make([]TaxListRd, len(a.Lines)),
	}
	for i, l := range a.Lines {
		b.TaxListRd[i] = TaxListRd{
			Gnum:           l.Gnum,
			Gcode:          l.Gcode,
			TaxPrice:       money(l.DutiableValue),
			CustomsTax:     money(l.Duty),
			ValueAddedTax:  money(l.VAT),
			ConsumptionTax: money(l.Consumption),
		}
	}
	return b
}

// money writes an amount with two decimals ("0.00", "76.01"), or with all
// its significant decimals when it has more (the XSD allows five, and a
// dutiable value keeps the digits of its totalPrice).
func money(d decimal.Decimal) string {
	if d.Equal(d.Round(fen)) {
		return d.StringFixed(fen)
	}
	return d.String()
}
