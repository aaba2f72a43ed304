package ceb

// Inventory is the CEB621 business node: the import inventory list
// (申报清单) the declaring agent files for an order.
type Inventory struct {
	InventoryHead InventoryHead   `xml:"InventoryHead" json:"InventoryHead" validate:"required"`
	InventoryList []InventoryList `xml:"InventoryList" json:"InventoryList" validate:"required,min=1,max=99,dive"`
}

// InventoryHead is the head of a CEB621 inventory list. The elements that
// only one trade mode requires (emsNo, areaCode/areaName for 1210;
// trafNo, voyageNo, billNo for 9610) are optional here and checked by the
// domain rules.
type InventoryHead struct {
	AppHead
	OrderNo          string `xml:"orderNo" json:"orderNo" validate:"required,max=60"`
	EbpCode          string `xml:"ebpCode" json:"ebpCode" validate:"required,max=18"`
	EbpName          string `xml:"ebpName" json:"ebpName" validate:"required,max=100"`
	EbcCode          string `xml:"ebcCode" json:"ebcCode" validate:"required,max=18"`
	EbcName          string `xml:"ebcName" json:"ebcName" validate:"required,max=100"`
	LogisticsNo      string `xml:"logisticsNo" json:"logisticsNo" validate:"required,max=60"`
	LogisticsCode    string `xml:"logisticsCode" json:"logisticsCode" validate:"required,max=18"`
	LogisticsName    string `xml:"logisticsName" json:"logisticsName" validate:"required,max=100"`
	CopNo            string `xml:"copNo,omitempty" json:"copNo,omitempty" validate:"omitempty,max=20"`
	PreNo            string `xml:"preNo,omitempty" json:"preNo,omitempty" validate:"omitempty,max=18"`
	AssureCode       string `xml:"assureCode" json:"assureCode" validate:"required,max=30"`
	EmsNo            string `xml:"emsNo,omitempty" json:"emsNo,omitempty" validate:"omitempty,max=30"`
	InvtNo           string `xml:"invtNo,omitempty" json:"invtNo,omitempty" validate:"omitempty,max=18"`
	IeFlag           string `xml:"ieFlag" json:"ieFlag" validate:"required,eq=I"`
	DeclTime         string `xml:"declTime" json:"declTime" validate:"required,len=8,date8"`
	CustomsCode      string `xml:"customsCode" json:"customsCode" validate:"required,len=4"`
	PortCode         string `xml:"portCode" json:"portCode" validate:"required,len=4"`
	IeDate           string `xml:"ieDate,omitempty" json:"ieDate,omitempty" validate:"omitempty,len=8,date8"`
	BuyerIdType      string `xml:"buyerIdType" json:"buyerIdType" validate:"required,eq=1"`
	BuyerIdNumber    string `xml:"buyerIdNumber" json:"buyerIdNumber" validate:"required,max=60"`
	BuyerName        string `xml:"buyerName" json:"buyerName" validate:"required,max=60"`
	BuyerTelephone   string `xml:"buyerTelephone" json:"buyerTelephone" validate:"required,max=30"`
	ConsigneeAddress string `xml:"consigneeAddress" json:"consigneeAddress" validate:"required,max=200"`
	AgentCode        string `xml:"agentCode" json:"agentCode" validate:"required,max=18"`
	AgentName        string `xml:"agentName" json:"agentName" validate:"required,max=100"`
	AreaCode         string `xml:"areaCode,omitempty" json:"areaCode,omitempty" validate:"omitempty,max=18"`
	AreaName         string `xml:"areaName,omitempty" json:"areaName,omitempty" validate:"omitempty,max=100"`
	TradeMode        string `xml:"tradeMode" json:"tradeMode" validate:"required,len=4"`
	TrafMode         string `xml:"trafMode" json:"trafMode" validate:"required,len=1"`
	TrafNo           string `xml:"trafNo,omitempty" json:"trafNo,omitempty" validate:"omitempty,max=100"`
	VoyageNo         string `xml:"voyageNo,omitempty" json:"voyageNo,omitempty" validate:"omitempty,max=32"`
	BillNo           string `xml:"billNo,omitempty" json:"billNo,omitempty" validate:"omitempty,max=37"`
	LoctNo           string `xml:"loctNo,omitempty" json:"loctNo,omitempty" validate:"omitempty,max=10"`
	LicenseNo        string `xml:"licenseNo,omitempty" json:"licenseNo,omitempty" validate:"omitempty,max=19"`
	Country          string `xml:"country" json:"country" validate:"required,len=3"`
	Freight          Amount `xml:"freight" json:"freight" validate:"required,amount"`
	InsuredFee       Amount `xml:"insuredFee" json:"insuredFee" validate:"required,amount"`
	Currency         string `xml:"currency" json:"currency" validate:"required,eq=142"`
	WrapType         string `xml:"wrapType,omitempty" json:"wrapType,omitempty" validate:"omitempty,len=1"`
	PackNo           int    `xml:"packNo" json:"packNo" validate:"required,eq=1"`
	GrossWeight      Amount `xml:"grossWeight" json:"grossWeight" validate:"required,amount"`
	NetWeight        Amount `xml:"netWeight" json:"netWeight" validate:"required,amount"`
	Note             string `xml:"note,omitempty" json:"note,omitempty" validate:"omitempty,max=1000"`
}

// InventoryList is one goods line of a CEB621 inventory list; gnum matches
// the order line one-to-one.
type InventoryList struct {
	Gnum         int    `xml:"gnum" json:"gnum" validate:"required,min=1"`
	ItemRecordNo string `xml:"itemRecordNo,omitempty" json:"itemRecordNo,omitempty" validate:"omitempty,max=30"`
	ItemNo       string `xml:"itemNo,omitempty" json:"itemNo,omitempty" validate:"omitempty,max=20"`
	ItemName     string `xml:"itemName,omitempty" json:"itemName,omitempty" validate:"omitempty,max=250"`
	Gcode        string `xml:"gcode" json:"gcode" validate:"required,len=10"`
	Gname        string `xml:"gname" json:"gname" validate:"required,max=250"`
	Gmodel       string `xml:"gmodel" json:"gmodel" validate:"required,max=510"`
	BarCode      string `xml:"barCode,omitempty" json:"barCode,omitempty" validate:"omitempty,max=50"`
	Country      string `xml:"country" json:"country" validate:"required,len=3"`
	TradeCountry string `xml:"tradeCountry,omitempty" json:"tradeCountry,omitempty" validate:"omitempty,max=3"`
	Currency     string `xml:"currency" json:"currency" validate:"required,eq=142"`
	Qty          Amount `xml:"qty" json:"qty" validate:"required,amount"`
	Unit         string `xml:"unit" json:"unit" validate:"required,len=3"`
	Qty1         Amount `xml:"qty1" json:"qty1" validate:"required,amount"`
	Unit1        string `xml:"unit1" json:"unit1" validate:"required,len=3"`
	Qty2         Amount `xml:"qty2,omitempty" json:"qty2,omitzero" validate:"omitempty,amount"`
	Unit2        string `xml:"unit2,omitempty" json:"unit2,omitempty" validate:"omitempty,len=3"`
	Price        Amount `xml:"price" json:"price" validate:"required,amount"`
	TotalPrice   Amount `xml:"totalPrice" json:"totalPrice" validate:"required,amount"`
	Note         string `xml:"note,omitempty" json:"note,omitempty" validate:"omitempty,max=1000"`
}

// MsgType is CEB621.
func (i *Inventory) MsgType() MsgType { return CEB621 }

// GUID is the head guid.
func (i *Inventory) GUID() string { return i.InventoryHead.Guid }

// AppType is the head appType.
func (i *Inventory) AppType() string { return i.InventoryHead.AppType }

// SenderCode is the declaring agent's agentCode.
func (i *Inventory) SenderCode() string { return i.InventoryHead.AgentCode }

// BusinessKey is [ebpCode, orderNo]: one inventory list per order, as
// customs keys it (-621004 for a second declaration).
func (i *Inventory) BusinessKey() []string {
	return []string{i.InventoryHead.EbpCode, i.InventoryHead.OrderNo}
}
