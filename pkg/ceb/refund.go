package ceb

// InvtRefund is the CEB625 business node: a return application for goods
// of a released inventory list.
type InvtRefund struct {
	InvtRefundHead InvtRefundHead   `xml:"InvtRefundHead" json:"InvtRefundHead" validate:"required"`
	InvtRefundList []InvtRefundList `xml:"InvtRefundList" json:"InvtRefundList" validate:"required,min=1,max=99,dive"`
}

// InvtRefundHead is the head of a CEB625 return application.
type InvtRefundHead struct {
	AppHead
	CustomsCode    string `xml:"customsCode" json:"customsCode" validate:"required,len=4"`
	OrderNo        string `xml:"orderNo" json:"orderNo" validate:"required,max=60"`
	EbpCode        string `xml:"ebpCode" json:"ebpCode" validate:"required,max=18"`
	EbpName        string `xml:"ebpName" json:"ebpName" validate:"required,max=100"`
	EbcCode        string `xml:"ebcCode" json:"ebcCode" validate:"required,max=18"`
	EbcName        string `xml:"ebcName" json:"ebcName" validate:"required,max=100"`
	LogisticsNo    string `xml:"logisticsNo" json:"logisticsNo" validate:"required,max=60"`
	LogisticsCode  string `xml:"logisticsCode" json:"logisticsCode" validate:"required,max=18"`
	LogisticsName  string `xml:"logisticsName" json:"logisticsName" validate:"required,max=100"`
	CopNo          string `xml:"copNo,omitempty" json:"copNo,omitempty" validate:"omitempty,max=20"`
	PreNo          string `xml:"preNo,omitempty" json:"preNo,omitempty" validate:"omitempty,max=18"`
	InvtNo         string `xml:"invtNo" json:"invtNo" validate:"required,max=18"`
	BuyerIdType    string `xml:"buyerIdType" json:"buyerIdType" validate:"required,eq=1"`
	BuyerIdNumber  string `xml:"buyerIdNumber" json:"buyerIdNumber" validate:"required,max=60"`
	BuyerName      string `xml:"buyerName" json:"buyerName" validate:"required,max=60"`
	BuyerTelephone string `xml:"buyerTelephone" json:"buyerTelephone" validate:"required,max=30"`
	AgentCode      string `xml:"agentCode" json:"agentCode" validate:"required,max=18"`
	AgentName      string `xml:"agentName" json:"agentName" validate:"required,max=100"`
	Reason         string `xml:"reason" json:"reason" validate:"required,max=1000"`
	Note           string `xml:"note,omitempty" json:"note,omitempty" validate:"omitempty,max=1000"`
}

// InvtRefundList is one returned goods line; gnum and gcode refer to the
// line of the original inventory list.
type InvtRefundList struct {
	Gnum  int    `xml:"gnum" json:"gnum" validate:"required,min=1"`
	Gcode string `xml:"gcode" json:"gcode" validate:"required,len=10"`
	Gname string `xml:"gname" json:"gname" validate:"required,max=250"`
	Qty   Amount `xml:"qty" json:"qty" validate:"required,amount"`
	Unit  string `xml:"unit" json:"unit" validate:"required,len=3"`
	Note  string `xml:"note,omitempty" json:"note,omitempty" validate:"omitempty,max=1000"`
}

// MsgType is CEB625.
func (r *InvtRefund) MsgType() MsgType { return CEB625 }

// GUID is the head guid.
func (r *InvtRefund) GUID() string { return r.InvtRefundHead.Guid }

// AppType is the head appType.
func (r *InvtRefund) AppType() string { return r.InvtRefundHead.AppType }

// SenderCode is the declaring agent's agentCode.
func (r *InvtRefund) SenderCode() string { return r.InvtRefundHead.AgentCode }

// BusinessKey is [agentCode, invtNo] of the original list.
func (r *InvtRefund) BusinessKey() []string {
	return []string{r.InvtRefundHead.AgentCode, r.InvtRefundHead.InvtNo}
}
