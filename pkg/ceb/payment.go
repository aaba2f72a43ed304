package ceb

// Payment is the CEB411 business node: a payment voucher sent by the
// payment enterprise.
type Payment struct {
	PaymentHead PaymentHead `xml:"PaymentHead" json:"PaymentHead" validate:"required"`
}

// PaymentHead is the content of a CEB411 payment.
type PaymentHead struct {
	AppHead
	PayCode          string `xml:"payCode" json:"payCode" validate:"required,max=18"`
	PayName          string `xml:"payName" json:"payName" validate:"required,max=100"`
	PayTransactionId string `xml:"payTransactionId" json:"payTransactionId" validate:"required,max=60"`
	OrderNo          string `xml:"orderNo" json:"orderNo" validate:"required,max=60"`
	EbpCode          string `xml:"ebpCode" json:"ebpCode" validate:"required,max=18"`
	EbpName          string `xml:"ebpName" json:"ebpName" validate:"required,max=100"`
	PayerIdType      string `xml:"payerIdType" json:"payerIdType" validate:"required,eq=1"`
	PayerIdNumber    string `xml:"payerIdNumber" json:"payerIdNumber" validate:"required,max=60"`
	PayerName        string `xml:"payerName" json:"payerName" validate:"required,max=60"`
	Telephone        string `xml:"telephone,omitempty" json:"telephone,omitempty" validate:"omitempty,max=60"`
	AmountPaid       Amount `xml:"amountPaid" json:"amountPaid" validate:"required,amount"`
	Currency         string `xml:"currency" json:"currency" validate:"required,eq=142"`
	PayTime          string `xml:"payTime" json:"payTime" validate:"required,len=14,datetime14"`
	Note             string `xml:"note,omitempty" json:"note,omitempty" validate:"omitempty,max=1000"`
}

// MsgType is CEB411.
func (p *Payment) MsgType() MsgType { return CEB411 }

// GUID is the head guid.
func (p *Payment) GUID() string { return p.PaymentHead.Guid }

// AppType is the head appType.
func (p *Payment) AppType() string { return p.PaymentHead.AppType }

// SenderCode is the payment enterprise's payCode.
func (p *Payment) SenderCode() string { return p.PaymentHead.PayCode }

// BusinessKey is [payCode, payTransactionId].
func (p *Payment) BusinessKey() []string {
	return []string{p.PaymentHead.PayCode, p.PaymentHead.PayTransactionId}
}
