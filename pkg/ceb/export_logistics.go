package ceb

import "strconv"

// ExportLogistics is the CEB505 business node: an export waybill sent by
// the logistics enterprise. The XSD makes it flat (no head); because the
// AppType method shadows the embedded field, set it as l.AppHead.AppType.
// ebcCode/ebcName/ebcTelephone name the consignor (收发货人).
type ExportLogistics struct {
	AppHead
	LogisticsCode string `xml:"logisticsCode" json:"logisticsCode" validate:"required,max=18"`
	LogisticsName string `xml:"logisticsName" json:"logisticsName" validate:"required,max=100"`
	LogisticsNo   string `xml:"logisticsNo" json:"logisticsNo" validate:"required,max=32"`
	Freight       Amount `xml:"freight" json:"freight" validate:"required,amount"`
	InsuredFee    Amount `xml:"insuredFee" json:"insuredFee" validate:"required,amount"`
	Currency      string `xml:"currency" json:"currency" validate:"required,len=3"`
	GrossWeight   Amount `xml:"grossWeight" json:"grossWeight" validate:"required,amount"`
	PackNo        int    `xml:"packNo" json:"packNo" validate:"required,min=1,max=999999999"`
	GoodsInfo     string `xml:"goodsInfo" json:"goodsInfo" validate:"required,max=200"`
	EbcCode       string `xml:"ebcCode,omitempty" json:"ebcCode,omitempty" validate:"omitempty,max=18"`
	EbcName       string `xml:"ebcName,omitempty" json:"ebcName,omitempty" validate:"omitempty,max=100"`
	EbcTelephone  string `xml:"ebcTelephone,omitempty" json:"ebcTelephone,omitempty" validate:"omitempty,max=50"`
	Note          string `xml:"note,omitempty" json:"note,omitempty" validate:"omitempty,max=1000"`
}

// MsgType is CEB505.
func (l *ExportLogistics) MsgType() MsgType { return CEB505 }

// GUID is the node guid.
func (l *ExportLogistics) GUID() string { return l.Guid }

// AppType is the node appType.
func (l *ExportLogistics) AppType() string { return l.AppHead.AppType }

// SenderCode is the logistics enterprise's logisticsCode.
func (l *ExportLogistics) SenderCode() string { return l.LogisticsCode }

// BusinessKey is [logisticsCode, logisticsNo].
func (l *ExportLogistics) BusinessKey() []string { return []string{l.LogisticsCode, l.LogisticsNo} }

// Arrival is the CEB507 business node: the arrival (运抵单) of export
// waybills at the supervised site. The XSD allows a head without lines.
type Arrival struct {
	ArrivalHead ArrivalHead   `xml:"ArrivalHead" json:"ArrivalHead" validate:"required"`
	ArrivalList []ArrivalList `xml:"ArrivalList" json:"ArrivalList,omitempty" validate:"dive"`
}

// ArrivalHead is the head of a CEB507 arrival. operatorCode/Name is the
// supervised-site operator (the postal enterprise for postal transport);
// domesticTrafNo the domestic vehicle (e.g. truck plate); msgCount and
// msgSeqNo number the parts of a split declaration (1 and 1 unsplit).
type ArrivalHead struct {
	AppHead
	CustomsCode    string `xml:"customsCode" json:"customsCode" validate:"required,len=4"`
	CopNo          string `xml:"copNo" json:"copNo" validate:"required,max=30"`
	PreNo          string `xml:"preNo,omitempty" json:"preNo,omitempty" validate:"omitempty,len=18"`
	OperatorCode   string `xml:"operatorCode" json:"operatorCode" validate:"required,max=18"`
	OperatorName   string `xml:"operatorName" json:"operatorName" validate:"required,max=100"`
	LoctNo         string `xml:"loctNo,omitempty" json:"loctNo,omitempty" validate:"omitempty,max=10"`
	IeFlag         string `xml:"ieFlag" json:"ieFlag" validate:"required,eq=E"`
	TrafMode       string `xml:"trafMode" json:"trafMode" validate:"required,len=1"`
	BillNo         string `xml:"billNo,omitempty" json:"billNo,omitempty" validate:"omitempty,max=37"`
	DomesticTrafNo string `xml:"domesticTrafNo" json:"domesticTrafNo" validate:"required,max=100"`
	LogisticsCode  string `xml:"logisticsCode" json:"logisticsCode" validate:"required,max=18"`
	LogisticsName  string `xml:"logisticsName" json:"logisticsName" validate:"required,max=100"`
	MsgCount       int    `xml:"msgCount" json:"msgCount" validate:"required,min=1,max=999999999"`
	MsgSeqNo       int    `xml:"msgSeqNo" json:"msgSeqNo" validate:"required,min=1,max=999999999"`
	Note           string `xml:"note,omitempty" json:"note,omitempty" validate:"omitempty,max=1000"`
}

// ArrivalList is one waybill of a CEB507 arrival.
type ArrivalList struct {
	Gnum           int    `xml:"gnum" json:"gnum" validate:"required,min=1,max=99999"`
	LogisticsNo    string `xml:"logisticsNo" json:"logisticsNo" validate:"required,max=32"`
	TotalPackageNo string `xml:"totalPackageNo,omitempty" json:"totalPackageNo,omitempty" validate:"omitempty,max=37"`
	Note           string `xml:"note,omitempty" json:"note,omitempty" validate:"omitempty,max=1000"`
}

// MsgType is CEB507.
func (a *Arrival) MsgType() MsgType { return CEB507 }

// GUID is the head guid.
func (a *Arrival) GUID() string { return a.ArrivalHead.Guid }

// AppType is the head appType.
func (a *Arrival) AppType() string { return a.ArrivalHead.AppType }

// SenderCode is the logistics enterprise's logisticsCode: the project lets
// the logistics enterprise declare arrivals and departures of its waybills
// (the site operator is named in operatorCode, not the sender).
func (a *Arrival) SenderCode() string { return a.ArrivalHead.LogisticsCode }

// BusinessKey is [logisticsCode, copNo, msgSeqNo]: the parts of a split
// arrival share copNo and differ by msgSeqNo, as its CEB508 receipt
// identifies them.
func (a *Arrival) BusinessKey() []string {
	h := &a.ArrivalHead
	return []string{h.LogisticsCode, h.CopNo, strconv.Itoa(h.MsgSeqNo)}
}

// Departure is the CEB509 business node: the departure (离境单) of export
// waybills from China.
type Departure struct {
	DepartureHead DepartureHead   `xml:"DepartureHead" json:"DepartureHead" validate:"required"`
	DepartureList []DepartureList `xml:"DepartureList" json:"DepartureList" validate:"required,min=1,dive"`
}

// DepartureHead is the head of a CEB509 departure; leaveTime is when the
// means of transport left (YYYYMMDDhhmmss).
type DepartureHead struct {
	AppHead
	CustomsCode   string `xml:"customsCode" json:"customsCode" validate:"required,len=4"`
	CopNo         string `xml:"copNo" json:"copNo" validate:"required,max=30"`
	PreNo         string `xml:"preNo,omitempty" json:"preNo,omitempty" validate:"omitempty,len=18"`
	LogisticsCode string `xml:"logisticsCode" json:"logisticsCode" validate:"required,max=18"`
	LogisticsName string `xml:"logisticsName" json:"logisticsName" validate:"required,max=100"`
	TrafMode      string `xml:"trafMode" json:"trafMode" validate:"required,len=1"`
	TrafName      string `xml:"trafName,omitempty" json:"trafName,omitempty" validate:"omitempty,max=100"`
	VoyageNo      string `xml:"voyageNo,omitempty" json:"voyageNo,omitempty" validate:"omitempty,max=32"`
	BillNo        string `xml:"billNo,omitempty" json:"billNo,omitempty" validate:"omitempty,max=37"`
	LeaveTime     string `xml:"leaveTime" json:"leaveTime" validate:"required,len=14,datetime14"`
	MsgCount      int    `xml:"msgCount" json:"msgCount" validate:"required,min=1,max=999999999"`
	MsgSeqNo      int    `xml:"msgSeqNo" json:"msgSeqNo" validate:"required,min=1,max=999999999"`
	Note          string `xml:"note,omitempty" json:"note,omitempty" validate:"omitempty,max=1000"`
}

// DepartureList is one waybill of a CEB509 departure.
type DepartureList struct {
	Gnum           int    `xml:"gnum" json:"gnum" validate:"required,min=1,max=99999"`
	TotalPackageNo string `xml:"totalPackageNo,omitempty" json:"totalPackageNo,omitempty" validate:"omitempty,max=37"`
	LogisticsNo    string `xml:"logisticsNo" json:"logisticsNo" validate:"required,max=32"`
	Note           string `xml:"note,omitempty" json:"note,omitempty" validate:"omitempty,max=1000"`
}

// MsgType is CEB509.
func (d *Departure) MsgType() MsgType { return CEB509 }

// GUID is the head guid.
func (d *Departure) GUID() string { return d.DepartureHead.Guid }

// AppType is the head appType.
func (d *Departure) AppType() string { return d.DepartureHead.AppType }

// SenderCode is the logistics enterprise's logisticsCode.
func (d *Departure) SenderCode() string { return d.DepartureHead.LogisticsCode }

// BusinessKey is [logisticsCode, copNo, msgSeqNo], as for Arrival.
func (d *Departure) BusinessKey() []string {
	h := &d.DepartureHead
	return []string{h.LogisticsCode, h.CopNo, strconv.Itoa(h.MsgSeqNo)}
}
