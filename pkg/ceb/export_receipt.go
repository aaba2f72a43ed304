package ceb

// ExportOrderReturn is the CEB304 receipt for an export order.
type ExportOrderReturn struct {
	Guid         string `xml:"guid" json:"guid" validate:"required,len=36"`
	EbpCode      string `xml:"ebpCode" json:"ebpCode" validate:"required,max=18"`
	EbcCode      string `xml:"ebcCode" json:"ebcCode" validate:"required,max=18"`
	OrderNo      string `xml:"orderNo" json:"orderNo" validate:"required,max=60"`
	ReturnStatus string `xml:"returnStatus" json:"returnStatus" validate:"required,max=10"`
	ReturnTime   string `xml:"returnTime" json:"returnTime" validate:"required,len=17,datetime17"`
	ReturnInfo   string `xml:"returnInfo" json:"returnInfo" validate:"required,max=1000"`
}

// ReceiptsReturn is the CEB404 receipt for a receipt of payment.
type ReceiptsReturn struct {
	Guid         string `xml:"guid" json:"guid" validate:"required,len=36"`
	EbcCode      string `xml:"ebcCode" json:"ebcCode" validate:"required,max=18"`
	OrderNo      string `xml:"orderNo" json:"orderNo" validate:"required,max=60"`
	PayNo        string `xml:"payNo,omitempty" json:"payNo,omitempty" validate:"omitempty,max=60"`
	ReturnStatus string `xml:"returnStatus" json:"returnStatus" validate:"required,max=10"`
	ReturnTime   string `xml:"returnTime" json:"returnTime" validate:"required,len=17,datetime17"`
	ReturnInfo   string `xml:"returnInfo" json:"returnInfo" validate:"required,max=1000"`
}

// ExportLogisticsReturn is the CEB506 receipt for an export waybill.
type ExportLogisticsReturn struct {
	Guid          string `xml:"guid" json:"guid" validate:"required,len=36"`
	LogisticsCode string `xml:"logisticsCode" json:"logisticsCode" validate:"required,max=18"`
	LogisticsNo   string `xml:"logisticsNo" json:"logisticsNo" validate:"required,max=32"`
	ReturnStatus  string `xml:"returnStatus" json:"returnStatus" validate:"required,max=10"`
	ReturnTime    string `xml:"returnTime" json:"returnTime" validate:"required,len=17,datetime17"`
	ReturnInfo    string `xml:"returnInfo" json:"returnInfo" validate:"required,max=1000"`
}

// ArrivalReturn is the CEB508 receipt for an arrival. The XSD requires
// an 18-character preNo (the E-Port number) and billNo, both optional in
// the arrival itself.
type ArrivalReturn struct {
	Guid          string `xml:"guid" json:"guid" validate:"required,len=36"`
	OperatorCode  string `xml:"operatorCode" json:"operatorCode" validate:"required,max=18"`
	LogisticsCode string `xml:"logisticsCode" json:"logisticsCode" validate:"required,max=18"`
	PreNo         string `xml:"preNo" json:"preNo" validate:"required,len=18"`
	CopNo         string `xml:"copNo" json:"copNo" validate:"required,max=30"`
	BillNo        string `xml:"billNo" json:"billNo" validate:"required,max=37"`
	MsgSeqNo      int    `xml:"msgSeqNo" json:"msgSeqNo" validate:"required,min=1,max=999999999"`
	ReturnStatus  string `xml:"returnStatus" json:"returnStatus" validate:"required,max=10"`
	ReturnTime    string `xml:"returnTime" json:"returnTime" validate:"required,len=17,datetime17"`
	ReturnInfo    string `xml:"returnInfo" json:"returnInfo" validate:"required,max=1000"`
}

// DepartureReturn is the CEB510 receipt for a departure; the XSD requires
// an 18-character preNo.
type DepartureReturn struct {
	Guid          string `xml:"guid" json:"guid" validate:"required,len=36"`
	LogisticsCode string `xml:"logisticsCode" json:"logisticsCode" validate:"required,max=18"`
	CopNo         string `xml:"copNo" json:"copNo" validate:"required,max=30"`
	PreNo         string `xml:"preNo" json:"preNo" validate:"required,len=18"`
	MsgSeqNo      int    `xml:"msgSeqNo" json:"msgSeqNo" validate:"required,min=1,max=999999999"`
	ReturnStatus  string `xml:"returnStatus" json:"returnStatus" validate:"required,max=10"`
	ReturnTime    string `xml:"returnTime" json:"returnTime" validate:"required,len=17,datetime17"`
	ReturnInfo    string `xml:"returnInfo" json:"returnInfo" validate:"required,max=1000"`
}

// ExportInventoryReturn is the CEB604 receipt for an export inventory
// list. The XSD requires an 18-character preNo and the invtNo customs
// assigned (up to 20 characters).
type ExportInventoryReturn struct {
	Guid           string `xml:"guid" json:"guid" validate:"required,len=36"`
	AgentCode      string `xml:"agentCode" json:"agentCode" validate:"required,max=18"`
	CopNo          string `xml:"copNo" json:"copNo" validate:"required,max=30"`
	PreNo          string `xml:"preNo" json:"preNo" validate:"required,len=18"`
	InvtNo         string `xml:"invtNo" json:"invtNo" validate:"required,max=20"`
	EbcCode        string `xml:"ebcCode" json:"ebcCode" validate:"required,max=18"`
	EbpCode        string `xml:"ebpCode" json:"ebpCode" validate:"required,max=18"`
	OrderNo        string `xml:"orderNo" json:"orderNo" validate:"required,max=60"`
	StatisticsFlag string `xml:"statisticsFlag" json:"statisticsFlag" validate:"required,oneof=A B"`
	ReturnStatus   string `xml:"returnStatus" json:"returnStatus" validate:"required,max=10"`
	ReturnTime     string `xml:"returnTime" json:"returnTime" validate:"required,len=17,datetime17"`
	ReturnInfo     string `xml:"returnInfo" json:"returnInfo" validate:"required,max=1000"`
}

// ExportInvtCancelReturn is the CEB606 receipt for a cancellation; invtNo
// is the cancelled list. The XSD requires an 18-character preNo.
type ExportInvtCancelReturn struct {
	Guid         string `xml:"guid" json:"guid" validate:"required,len=36"`
	AgentCode    string `xml:"agentCode" json:"agentCode" validate:"required,max=18"`
	CopNo        string `xml:"copNo" json:"copNo" validate:"required,max=30"`
	PreNo        string `xml:"preNo" json:"preNo" validate:"required,len=18"`
	InvtNo       string `xml:"invtNo" json:"invtNo" validate:"required,max=20"`
	ReturnStatus string `xml:"returnStatus" json:"returnStatus" validate:"required,max=10"`
	ReturnTime   string `xml:"returnTime" json:"returnTime" validate:"required,len=17,datetime17"`
	ReturnInfo   string `xml:"returnInfo" json:"returnInfo" validate:"required,max=1000"`
}

// SummaryReturn is the CEB702 receipt for a summary application. The XSD
// requires an 18-character preNo and allows the 18-character sumNo customs
// assigns.
type SummaryReturn struct {
	Guid         string `xml:"guid" json:"guid" validate:"required,len=36"`
	AgentCode    string `xml:"agentCode" json:"agentCode" validate:"required,max=18"`
	EbcCode      string `xml:"ebcCode" json:"ebcCode" validate:"required,max=18"`
	CopNo        string `xml:"copNo" json:"copNo" validate:"required,max=30"`
	PreNo        string `xml:"preNo" json:"preNo" validate:"required,len=18"`
	SumNo        string `xml:"sumNo,omitempty" json:"sumNo,omitempty" validate:"omitempty,len=18"`
	MsgSeqNo     int    `xml:"msgSeqNo" json:"msgSeqNo" validate:"required,min=1,max=999999999"`
	ReturnStatus string `xml:"returnStatus" json:"returnStatus" validate:"required,max=10"`
	ReturnTime   string `xml:"returnTime" json:"returnTime" validate:"required,len=17,datetime17"`
	ReturnInfo   string `xml:"returnInfo" json:"returnInfo" validate:"required,max=1000"`
}

// MsgType is CEB304.
func (r *ExportOrderReturn) MsgType() MsgType { return CEB304 }

// GUID is the guid of the answered order.
func (r *ExportOrderReturn) GUID() string { return r.Guid }

// MsgType is CEB404.
func (r *ReceiptsReturn) MsgType() MsgType { return CEB404 }

// GUID is the guid of the answered receipt of payment.
func (r *ReceiptsReturn) GUID() string { return r.Guid }

// MsgType is CEB506.
func (r *ExportLogisticsReturn) MsgType() MsgType { return CEB506 }

// GUID is the guid of the answered waybill.
func (r *ExportLogisticsReturn) GUID() string { return r.Guid }

// MsgType is CEB508.
func (r *ArrivalReturn) MsgType() MsgType { return CEB508 }

// GUID is the guid of the answered arrival.
func (r *ArrivalReturn) GUID() string { return r.Guid }

// MsgType is CEB510.
func (r *DepartureReturn) MsgType() MsgType { return CEB510 }

// GUID is the guid of the answered departure.
func (r *DepartureReturn) GUID() string { return r.Guid }

// MsgType is CEB604.
func (r *ExportInventoryReturn) MsgType() MsgType { return CEB604 }

// GUID is the guid of the answered inventory list.
func (r *ExportInventoryReturn) GUID() string { return r.Guid }

// MsgType is CEB606.
func (r *ExportInvtCancelReturn) MsgType() MsgType { return CEB606 }

// GUID is the guid of the answered cancellation.
func (r *ExportInvtCancelReturn) GUID() string { return r.Guid }

// MsgType is CEB702.
func (r *SummaryReturn) MsgType() MsgType { return CEB702 }

// GUID is the guid of the answered summary application.
func (r *SummaryReturn) GUID() string { return r.Guid }

// newExportReceipt is NewReceipt for the export declarations; rt is the
// formatted returnTime. It returns nil for any other document.
func newExportReceipt(d Declaration, status, info, rt string) Document {
	switch d := d.(type) {
	case *ExportOrder:
		h := &d.OrderHead
		return &ExportOrderReturn{Guid: h.Guid, EbpCode: h.EbpCode, EbcCode: h.EbcCode, OrderNo: h.OrderNo,
			ReturnStatus: status, ReturnTime: rt, ReturnInfo: info}
	case *Receipts:
		return &ReceiptsReturn{Guid: d.Guid, EbcCode: d.EbcCode, OrderNo: d.OrderNo, PayNo: d.PayNo,
			ReturnStatus: status, ReturnTime: rt, ReturnInfo: info}
	case *ExportLogistics:
		return &ExportLogisticsReturn{Guid: d.Guid, LogisticsCode: d.LogisticsCode, LogisticsNo: d.LogisticsNo,
			ReturnStatus: status, ReturnTime: rt, ReturnInfo: info}
	case *Arrival:
		h := &d.ArrivalHead
		return &ArrivalReturn{Guid: h.Guid, OperatorCode: h.OperatorCode, LogisticsCode: h.LogisticsCode,
			PreNo: h.PreNo, CopNo: h.CopNo, BillNo: h.BillNo, MsgSeqNo: h.MsgSeqNo,
			ReturnStatus: status, ReturnTime: rt, ReturnInfo: info}
	case *Departure:
		h := &d.DepartureHead
		return &DepartureReturn{Guid: h.Guid, LogisticsCode: h.LogisticsCode, CopNo: h.CopNo, PreNo: h.PreNo,
			MsgSeqNo: h.MsgSeqNo, ReturnStatus: status, ReturnTime: rt, ReturnInfo: info}
	case *ExportInventory:
		h := &d.InventoryHead
		return &ExportInventoryReturn{Guid: h.Guid, AgentCode: h.AgentCode, CopNo: h.CopNo, PreNo: h.PreNo,
			InvtNo: h.InvtNo, EbcCode: h.EbcCode, EbpCode: h.EbpCode, OrderNo: h.OrderNo, StatisticsFlag: h.StatisticsFlag,
			ReturnStatus: status, ReturnTime: rt, ReturnInfo: info}
	case *ExportInvtCancel:
		return &ExportInvtCancelReturn{Guid: d.Guid, AgentCode: d.AgentCode, CopNo: d.CopNo, PreNo: d.PreNo,
			InvtNo: d.InvtNo, ReturnStatus: status, ReturnTime: rt, ReturnInfo: info}
	case *SummaryApply:
		h := &d.SummaryApplyHead
		return &SummaryReturn{Guid: h.Guid, AgentCode: h.AgentCode, EbcCode: h.EbcCode, CopNo: h.CopNo,
			PreNo: h.PreNo, SumNo: h.SumNo, MsgSeqNo: h.MsgSeqNo,
			ReturnStatus: status, ReturnTime: rt, ReturnInfo: info}
	}
	return nil
}
