package ceb

// ExportInventory is the CEB603 business node: the export inventory list
// (出口申报清单) the declaring agent files for an order; customs releases
// each list on its own (清单核放).
type ExportInventory struct {
	InventoryHead ExportInventoryHead   `xml:"InventoryHead" json:"InventoryHead" validate:"required"`
	InventoryList []ExportInventoryList `xml:"InventoryList" json:"InventoryList" validate:"required,min=1,max=100,dive"`
}

// ExportInventoryHead is the head of a CEB603 inventory list. ebcCode is
// the consignor (收发货人) and ownerCode the producer/seller (生产销售单位);
// portCode is the exit customs; statisticsFlag is A (simplified
// declaration, no summary) or B (summary declaration); country is the
// country of arrival; freight and insuredFee are totals (fFlag, iFlag 3)
// in any currency. The elements only a trade mode needs (iacCode/iacName
// and emsNo for special-zone export, itemRecordNo on the lines) are
// optional here and checked by the domain rules.
type ExportInventoryHead struct {
	AppHead
	CustomsCode    string `xml:"customsCode" json:"customsCode" validate:"required,len=4"`
	EbpCode        string `xml:"ebpCode" json:"ebpCode" validate:"required,max=18"`
	EbpName        string `xml:"ebpName" json:"ebpName" validate:"required,max=100"`
	OrderNo        string `xml:"orderNo" json:"orderNo" validate:"required,max=60"`
	LogisticsCode  string `xml:"logisticsCode" json:"logisticsCode" validate:"required,max=18"`
	LogisticsName  string `xml:"logisticsName" json:"logisticsName" validate:"required,max=100"`
	LogisticsNo    string `xml:"logisticsNo" json:"logisticsNo" validate:"required,max=32"`
	CopNo          string `xml:"copNo" json:"copNo" validate:"required,max=30"`
	PreNo          string `xml:"preNo,omitempty" json:"preNo,omitempty" validate:"omitempty,len=18"`
	InvtNo         string `xml:"invtNo,omitempty" json:"invtNo,omitempty" validate:"omitempty,max=20"`
	IeFlag         string `xml:"ieFlag" json:"ieFlag" validate:"required,eq=E"`
	PortCode       string `xml:"portCode" json:"portCode" validate:"required,len=4"`
	IeDate         string `xml:"ieDate" json:"ieDate" validate:"required,len=8,date8"`
	StatisticsFlag string `xml:"statisticsFlag" json:"statisticsFlag" validate:"required,oneof=A B"`
	AgentCode      string `xml:"agentCode" json:"agentCode" validate:"required,max=18"`
	AgentName      string `xml:"agentName" json:"agentName" validate:"required,max=100"`
	EbcCode        string `xml:"ebcCode" json:"ebcCode" validate:"required,max=18"`
	EbcName        string `xml:"ebcName" json:"ebcName" validate:"required,max=100"`
	OwnerCode      string `xml:"ownerCode" json:"ownerCode" validate:"required,max=18"`
	OwnerName      string `xml:"ownerName" json:"ownerName" validate:"required,max=100"`
	IacCode        string `xml:"iacCode,omitempty" json:"iacCode,omitempty" validate:"omitempty,max=18"`
	IacName        string `xml:"iacName,omitempty" json:"iacName,omitempty" validate:"omitempty,max=100"`
	EmsNo          string `xml:"emsNo,omitempty" json:"emsNo,omitempty" validate:"omitempty,max=30"`
	TradeMode      string `xml:"tradeMode" json:"tradeMode" validate:"required,len=4"`
	TrafMode       string `xml:"trafMode" json:"trafMode" validate:"required,len=1"`
	TrafName       string `xml:"trafName,omitempty" json:"trafName,omitempty" validate:"omitempty,max=100"`
	VoyageNo       string `xml:"voyageNo,omitempty" json:"voyageNo,omitempty" validate:"omitempty,max=32"`
	BillNo         string `xml:"billNo,omitempty" json:"billNo,omitempty" validate:"omitempty,max=37"`
	TotalPackageNo string `xml:"totalPackageNo,omitempty" json:"totalPackageNo,omitempty" validate:"omitempty,max=37"`
	LoctNo         string `xml:"loctNo,omitempty" json:"loctNo,omitempty" validate:"omitempty,max=10"`
	LicenseNo      string `xml:"licenseNo,omitempty" json:"licenseNo,omitempty" validate:"omitempty,max=19"`
	Country        string `xml:"country" json:"country" validate:"required,len=3"`
	POD            string `xml:"POD" json:"POD" validate:"required,min=3,max=4"`
	Freight        Amount `xml:"freight" json:"freight" validate:"required,amount"`
	FCurrency      string `xml:"fCurrency" json:"fCurrency" validate:"required,len=3"`
	FFlag          string `xml:"fFlag" json:"fFlag" validate:"required,eq=3"`
	InsuredFee     Amount `xml:"insuredFee" json:"insuredFee" validate:"required,amount"`
	ICurrency      string `xml:"iCurrency" json:"iCurrency" validate:"required,len=3"`
	IFlag          string `xml:"iFlag" json:"iFlag" validate:"required,eq=3"`
	WrapType       string `xml:"wrapType" json:"wrapType" validate:"required,len=1"`
	PackNo         int    `xml:"packNo" json:"packNo" validate:"required,min=1,max=999999999"`
	GrossWeight    Amount `xml:"grossWeight" json:"grossWeight" validate:"required,amount"`
	NetWeight      Amount `xml:"netWeight" json:"netWeight" validate:"required,amount"`
	Note           string `xml:"note,omitempty" json:"note,omitempty" validate:"omitempty,max=1000"`
}

// ExportInventoryList is one goods line of a CEB603 inventory list; gnum
// matches the order line. itemName is the name the summary declaration
// uses as the tax-refund name; country is the final destination.
type ExportInventoryList struct {
	Gnum         int    `xml:"gnum" json:"gnum" validate:"required,min=1,max=99999"`
	ItemNo       string `xml:"itemNo" json:"itemNo" validate:"required,max=20"`
	ItemRecordNo string `xml:"itemRecordNo,omitempty" json:"itemRecordNo,omitempty" validate:"omitempty,max=30"`
	ItemName     string `xml:"itemName,omitempty" json:"itemName,omitempty" validate:"omitempty,max=250"`
	Gcode        string `xml:"gcode" json:"gcode" validate:"required,len=10"`
	Gname        string `xml:"gname" json:"gname" validate:"required,max=250"`
	Gmodel       string `xml:"gmodel" json:"gmodel" validate:"required,max=250"`
	BarCode      string `xml:"barCode" json:"barCode" validate:"required,max=50"`
	Country      string `xml:"country" json:"country" validate:"required,len=3"`
	Currency     string `xml:"currency" json:"currency" validate:"required,len=3"`
	Qty          Amount `xml:"qty" json:"qty" validate:"required,amount"`
	Qty1         Amount `xml:"qty1" json:"qty1" validate:"required,amount"`
	Qty2         Amount `xml:"qty2,omitempty" json:"qty2,omitzero" validate:"omitempty,amount"`
	Unit         string `xml:"unit" json:"unit" validate:"required,len=3"`
	Unit1        string `xml:"unit1" json:"unit1" validate:"required,len=3"`
	Unit2        string `xml:"unit2,omitempty" json:"unit2,omitempty" validate:"omitempty,max=3"`
	Price        Amount `xml:"price" json:"price" validate:"required,amount"`
	TotalPrice   Amount `xml:"totalPrice" json:"totalPrice" validate:"required,amount"`
	Note         string `xml:"note,omitempty" json:"note,omitempty" validate:"omitempty,max=1000"`
}

// MsgType is CEB603.
func (i *ExportInventory) MsgType() MsgType { return CEB603 }

// GUID is the head guid.
func (i *ExportInventory) GUID() string { return i.InventoryHead.Guid }

// AppType is the head appType.
func (i *ExportInventory) AppType() string { return i.InventoryHead.AppType }

// SenderCode is the declaring agent's agentCode.
func (i *ExportInventory) SenderCode() string { return i.InventoryHead.AgentCode }

// BusinessKey is [ebpCode, orderNo]: one inventory list per order, as for
// import (the CEB604 receipt carries ebpCode and orderNo).
func (i *ExportInventory) BusinessKey() []string {
	return []string{i.InventoryHead.EbpCode, i.InventoryHead.OrderNo}
}

// ExportInvtCancel is the CEB605 business node: an application to cancel
// an export inventory list (撤销申请单). The XSD makes it flat (no head);
// because the AppType method shadows the embedded field, set it as
// c.AppHead.AppType.
type ExportInvtCancel struct {
	AppHead
	CustomsCode string `xml:"customsCode" json:"customsCode" validate:"required,len=4"`
	CopNo       string `xml:"copNo" json:"copNo" validate:"required,max=30"`
	PreNo       string `xml:"preNo,omitempty" json:"preNo,omitempty" validate:"omitempty,len=18"`
	InvtNo      string `xml:"invtNo" json:"invtNo" validate:"required,max=20"`
	Reason      string `xml:"reason" json:"reason" validate:"required,max=1000"`
	AgentCode   string `xml:"agentCode" json:"agentCode" validate:"required,max=18"`
	AgentName   string `xml:"agentName" json:"agentName" validate:"required,max=100"`
	EbcCode     string `xml:"ebcCode" json:"ebcCode" validate:"required,max=18"`
	EbcName     string `xml:"ebcName" json:"ebcName" validate:"required,max=100"`
	Note        string `xml:"note,omitempty" json:"note,omitempty" validate:"omitempty,max=1000"`
}

// MsgType is CEB605.
func (c *ExportInvtCancel) MsgType() MsgType { return CEB605 }

// GUID is the node guid.
func (c *ExportInvtCancel) GUID() string { return c.Guid }

// AppType is the node appType.
func (c *ExportInvtCancel) AppType() string { return c.AppHead.AppType }

// SenderCode is the declaring agent's agentCode.
func (c *ExportInvtCancel) SenderCode() string { return c.AgentCode }

// BusinessKey is [agentCode, invtNo] of the list being cancelled.
func (c *ExportInvtCancel) BusinessKey() []string { return []string{c.AgentCode, c.InvtNo} }
