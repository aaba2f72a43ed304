package ceb

// Order is the CEB311 business node: an electronic order sent by the
// e-commerce platform (or enterprise).
type Order struct {
	OrderHead OrderHead   `xml:"OrderHead" json:"OrderHead" validate:"required"`
	OrderList []OrderList `xml:"OrderList" json:"OrderList" validate:"required,min=1,max=99,dive"`
}

// OrderHead is the head of a CEB311 order.
type OrderHead struct {
	AppHead
	OrderType          string `xml:"orderType" json:"orderType" validate:"required,eq=I"`
	OrderNo            string `xml:"orderNo" json:"orderNo" validate:"required,max=60"`
	EbpCode            string `xml:"ebpCode" json:"ebpCode" validate:"required,max=18"`
	EbpName            string `xml:"ebpName" json:"ebpName" validate:"required,max=100"`
	EbcCode            string `xml:"ebcCode" json:"ebcCode" validate:"required,max=18"`
	EbcName            string `xml:"ebcName" json:"ebcName" validate:"required,max=100"`
	GoodsValue         Amount `xml:"goodsValue" json:"goodsValue" validate:"required,amount"`
	Freight            Amount `xml:"freight" json:"freight" validate:"required,amount"`
	Discount           Amount `xml:"discount" json:"discount" validate:"required,amount"`
	TaxTotal           Amount `xml:"taxTotal" json:"taxTotal" validate:"required,amount"`
	ActuralPaid        Amount `xml:"acturalPaid" json:"acturalPaid" validate:"required,amount"`
	Currency           string `xml:"currency" json:"currency" validate:"required,eq=142"`
	BuyerRegNo         string `xml:"buyerRegNo" json:"buyerRegNo" validate:"required,max=60"`
	BuyerName          string `xml:"buyerName" json:"buyerName" validate:"required,max=60"`
	BuyerTelephone     string `xml:"buyerTelephone" json:"buyerTelephone" validate:"required,max=30"`
	BuyerIdType        string `xml:"buyerIdType" json:"buyerIdType" validate:"required,eq=1"`
	BuyerIdNumber      string `xml:"buyerIdNumber" json:"buyerIdNumber" validate:"required,max=60"`
	PayCode            string `xml:"payCode,omitempty" json:"payCode,omitempty" validate:"omitempty,max=18"`
	PayName            string `xml:"payName,omitempty" json:"payName,omitempty" validate:"omitempty,max=100"`
	PayTransactionId   string `xml:"payTransactionId,omitempty" json:"payTransactionId,omitempty" validate:"omitempty,max=60"`
	BatchNumbers       string `xml:"batchNumbers,omitempty" json:"batchNumbers,omitempty" validate:"omitempty,max=100"`
	Consignee          string `xml:"consignee" json:"consignee" validate:"required,max=100"`
	ConsigneeTelephone string `xml:"consigneeTelephone" json:"consigneeTelephone" validate:"required,max=50"`
	ConsigneeAddress   string `xml:"consigneeAddress" json:"consigneeAddress" validate:"required,max=200"`
	ConsigneeDistrict  string `xml:"consigneeDistrict,omitempty" json:"consigneeDistrict,omitempty" validate:"omitempty,len=6"`
	Note               string `xml:"note,omitempty" json:"note,omitempty" validate:"omitempty,max=1000"`
}

// OrderList is one goods line of a CEB311 order.
type OrderList struct {
	Gnum         int    `xml:"gnum" json:"gnum" validate:"required,min=1"`
	ItemNo       string `xml:"itemNo,omitempty" json:"itemNo,omitempty" validate:"omitempty,max=30"`
	ItemName     string `xml:"itemName" json:"itemName" validate:"required,max=250"`
	Gmodel       string `xml:"gmodel" json:"gmodel" validate:"required,max=510"`
	ItemDescribe string `xml:"itemDescribe,omitempty" json:"itemDescribe,omitempty" validate:"omitempty,max=1000"`
	BarCode      string `xml:"barCode,omitempty" json:"barCode,omitempty" validate:"omitempty,max=50"`
	Unit         string `xml:"unit" json:"unit" validate:"required,len=3"`
	Qty          Amount `xml:"qty" json:"qty" validate:"required,amount"`
	Price        Amount `xml:"price" json:"price" validate:"required,amount"`
	TotalPrice   Amount `xml:"totalPrice" json:"totalPrice" validate:"required,amount"`
	Currency     string `xml:"currency" json:"currency" validate:"required,eq=142"`
	Country      string `xml:"country" json:"country" validate:"required,len=3"`
	Note         string `xml:"note,omitempty" json:"note,omitempty" validate:"omitempty,max=1000"`
}

// MsgType is CEB311.
func (o *Order) MsgType() MsgType { return CEB311 }

// GUID is the head guid.
func (o *Order) GUID() string { return o.OrderHead.Guid }

// AppType is the head appType.
func (o *Order) AppType() string { return o.OrderHead.AppType }

// SenderCode is the platform's ebpCode.
func (o *Order) SenderCode() string { return o.OrderHead.EbpCode }

// BusinessKey is [ebpCode, orderNo].
func (o *Order) BusinessKey() []string { return []string{o.OrderHead.EbpCode, o.OrderHead.OrderNo} }
