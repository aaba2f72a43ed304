package ceb

// NoEbpCode is the ebpCode a foreign platform without a customs code writes
// in an export order (CEB303 annotation: 境外平台企业如无法提供电商平台代码可填"无").
const NoEbpCode = "无"

// ExportOrder is the CEB303 business node: an export order (出口订单) sent
// by the e-commerce platform or enterprise.
type ExportOrder struct {
	OrderHead ExportOrderHead   `xml:"OrderHead" json:"OrderHead" validate:"required"`
	OrderList []ExportOrderList `xml:"OrderList" json:"OrderList" validate:"required,min=1,max=100,dive"`
}

// ExportOrderHead is the head of a CEB303 order. goodsValue is the FOB
// value of the goods, excluding freight, including non-cash deductions;
// currency is any JGS-20 currency code.
type ExportOrderHead struct {
	AppHead
	OrderType  string `xml:"orderType" json:"orderType" validate:"required,oneof=E B W"`
	OrderNo    string `xml:"orderNo" json:"orderNo" validate:"required,max=60"`
	EbpCode    string `xml:"ebpCode" json:"ebpCode" validate:"required,max=18"`
	EbpName    string `xml:"ebpName" json:"ebpName" validate:"required,max=100"`
	EbcCode    string `xml:"ebcCode" json:"ebcCode" validate:"required,max=18"`
	EbcName    string `xml:"ebcName" json:"ebcName" validate:"required,max=100"`
	GoodsValue Amount `xml:"goodsValue" json:"goodsValue" validate:"required,amount"`
	Freight    Amount `xml:"freight" json:"freight" validate:"required,amount"`
	Currency   string `xml:"currency" json:"currency" validate:"required,len=3"`
	Note       string `xml:"note,omitempty" json:"note,omitempty" validate:"omitempty,max=1000"`
}

// ExportOrderList is one goods line of a CEB303 order; gnum links it to the
// inventory line.
type ExportOrderList struct {
	Gnum         int    `xml:"gnum" json:"gnum" validate:"required,min=1,max=99999"`
	ItemNo       string `xml:"itemNo" json:"itemNo" validate:"required,max=30"`
	ItemName     string `xml:"itemName" json:"itemName" validate:"required,max=250"`
	ItemDescribe string `xml:"itemDescribe,omitempty" json:"itemDescribe,omitempty" validate:"omitempty,max=1000"`
	BarCode      string `xml:"barCode,omitempty" json:"barCode,omitempty" validate:"omitempty,max=50"`
	Unit         string `xml:"unit" json:"unit" validate:"required,len=3"`
	Currency     string `xml:"currency" json:"currency" validate:"required,len=3"`
	Qty          Amount `xml:"qty" json:"qty" validate:"required,amount"`
	Price        Amount `xml:"price" json:"price" validate:"required,amount"`
	TotalPrice   Amount `xml:"totalPrice" json:"totalPrice" validate:"required,amount"`
	Note         string `xml:"note,omitempty" json:"note,omitempty" validate:"omitempty,max=1000"`
}

// MsgType is CEB303.
func (o *ExportOrder) MsgType() MsgType { return CEB303 }

// GUID is the head guid.
func (o *ExportOrder) GUID() string { return o.OrderHead.Guid }

// AppType is the head appType.
func (o *ExportOrder) AppType() string { return o.OrderHead.AppType }

// SenderCode is the platform's ebpCode: the platform sends its orders, as
// for import. A foreign platform without a customs code writes NoEbpCode;
// the e-commerce enterprise then sends the order itself, so SenderCode is
// its ebcCode.
func (o *ExportOrder) SenderCode() string {
	if o.OrderHead.EbpCode == NoEbpCode {
		return o.OrderHead.EbcCode
	}
	return o.OrderHead.EbpCode
}

// BusinessKey is [sender, orderNo]: [ebpCode, orderNo], the order number
// being unique per platform, or [ebcCode, orderNo] for a platform without
// a code (see SenderCode), so that orders of different enterprises on
// foreign platforms do not collide on "无".
func (o *ExportOrder) BusinessKey() []string {
	return []string{o.SenderCode(), o.OrderHead.OrderNo}
}

// Receipts is the CEB403 business node: the receipt of payment (收款单)
// for an export order, reporting the money collected. The XSD makes it
// flat (no head); because the AppType method shadows the embedded field,
// set it as r.AppHead.AppType. payCode is required for domestic payment
// enterprises only; payName is "现金支付" when the payment was not online.
type Receipts struct {
	AppHead
	EbpCode        string `xml:"ebpCode" json:"ebpCode" validate:"required,max=18"`
	EbpName        string `xml:"ebpName" json:"ebpName" validate:"required,max=100"`
	EbcCode        string `xml:"ebcCode" json:"ebcCode" validate:"required,max=18"`
	EbcName        string `xml:"ebcName" json:"ebcName" validate:"required,max=100"`
	OrderNo        string `xml:"orderNo" json:"orderNo" validate:"required,max=60"`
	PayCode        string `xml:"payCode,omitempty" json:"payCode,omitempty" validate:"omitempty,max=18"`
	PayName        string `xml:"payName" json:"payName" validate:"required,max=100"`
	PayNo          string `xml:"payNo,omitempty" json:"payNo,omitempty" validate:"omitempty,max=60"`
	Charge         Amount `xml:"charge" json:"charge" validate:"required,amount"`
	Currency       string `xml:"currency" json:"currency" validate:"required,len=3"`
	AccountingDate string `xml:"accountingDate" json:"accountingDate" validate:"required,len=14,datetime14"`
	Note           string `xml:"note,omitempty" json:"note,omitempty" validate:"omitempty,max=1000"`
}

// MsgType is CEB403.
func (r *Receipts) MsgType() MsgType { return CEB403 }

// GUID is the node guid.
func (r *Receipts) GUID() string { return r.Guid }

// AppType is the node appType.
func (r *Receipts) AppType() string { return r.AppHead.AppType }

// SenderCode is the payment enterprise's payCode. Without one (a cash or
// foreign payment, which the XSD allows), the e-commerce enterprise that
// collected the money reports it, so SenderCode is its ebcCode.
func (r *Receipts) SenderCode() string {
	if r.PayCode == "" {
		return r.EbcCode
	}
	return r.PayCode
}

// BusinessKey is [ebcCode, orderNo]: one receipt of payment per order of
// an enterprise, the key the CEB404 receipt identifies it by (payNo is
// optional and cannot serve).
func (r *Receipts) BusinessKey() []string { return []string{r.EbcCode, r.OrderNo} }
