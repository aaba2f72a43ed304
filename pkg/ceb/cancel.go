package ceb

// InvtCancel is the CEB623 business node: an application to withdraw an
// inventory list before release. The XSD makes it flat (no head, no body)
// and allows appType "1" only. Because the AppType method shadows the
// embedded field, set it as c.AppHead.AppType.
type InvtCancel struct {
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
}

// MsgType is CEB623.
func (c *InvtCancel) MsgType() MsgType { return CEB623 }

// GUID is the node guid.
func (c *InvtCancel) GUID() string { return c.Guid }

// AppType is the node appType (always "1" when valid).
func (c *InvtCancel) AppType() string { return c.AppHead.AppType }

// SenderCode is the declaring agent's agentCode.
func (c *InvtCancel) SenderCode() string { return c.AgentCode }

// BusinessKey is [agentCode, invtNo] of the list being cancelled.
func (c *InvtCancel) BusinessKey() []string { return []string{c.AgentCode, c.InvtNo} }
