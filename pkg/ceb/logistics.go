package ceb

// Logistics is the CEB511 business node: an electronic waybill sent by the
// logistics enterprise.
type Logistics struct {
	LogisticsHead LogisticsHead `xml:"LogisticsHead" json:"LogisticsHead" validate:"required"`
}

// LogisticsHead is the content of a CEB511 waybill.
type LogisticsHead struct {
	AppHead
	LogisticsCode      string `xml:"logisticsCode" json:"logisticsCode" validate:"required,max=18"`
	LogisticsName      string `xml:"logisticsName" json:"logisticsName" validate:"required,max=100"`
	LogisticsNo        string `xml:"logisticsNo" json:"logisticsNo" validate:"required,max=60"`
	BillNo             string `xml:"billNo,omitempty" json:"billNo,omitempty" validate:"omitempty,max=37"`
	OrderNo            string `xml:"orderNo" json:"orderNo" validate:"required,max=60"`
	Freight            Amount `xml:"freight,omitempty" json:"freight,omitzero" validate:"omitempty,amount"`
	InsuredFee         Amount `xml:"insuredFee,omitempty" json:"insuredFee,omitzero" validate:"omitempty,amount"`
	Currency           string `xml:"currency" json:"currency" validate:"required,eq=142"`
	Weight             Amount `xml:"weight" json:"weight" validate:"required,amount"`
	PackNo             int    `xml:"packNo" json:"packNo" validate:"required,eq=1"`
	GoodsInfo          string `xml:"goodsInfo,omitempty" json:"goodsInfo,omitempty" validate:"omitempty,max=200"`
	Consignee          string `xml:"consignee" json:"consignee" validate:"required,max=100"`
	ConsigneeAddress   string `xml:"consigneeAddress" json:"consigneeAddress" validate:"required,max=200"`
	ConsigneeTelephone string `xml:"consigneeTelephone" json:"consigneeTelephone" validate:"required,max=50"`
	Note               string `xml:"note,omitempty" json:"note,omitempty" validate:"omitempty,max=1000"`
}

// MsgType is CEB511.
func (l *Logistics) MsgType() MsgType { return CEB511 }

// GUID is the head guid.
func (l *Logistics) GUID() string { return l.LogisticsHead.Guid }

// AppType is the head appType.
func (l *Logistics) AppType() string { return l.LogisticsHead.AppType }

// SenderCode is the logistics enterprise's logisticsCode.
func (l *Logistics) SenderCode() string { return l.LogisticsHead.LogisticsCode }

// BusinessKey is [logisticsCode, logisticsNo].
func (l *Logistics) BusinessKey() []string {
	return []string{l.LogisticsHead.LogisticsCode, l.LogisticsHead.LogisticsNo}
}
