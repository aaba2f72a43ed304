package ceb

import "strconv"

// SummaryApply is the CEB701 business node: the summary application
// (汇总申请单) by which the declaring agent asks customs to summarise
// released B-type export lists into customs declarations. The body lists
// the inventory numbers; the XSD allows none when startTime/endTime select
// the lists.
type SummaryApply struct {
	SummaryApplyHead SummaryApplyHead   `xml:"SummaryApplyHead" json:"SummaryApplyHead" validate:"required"`
	SummaryApplyList []SummaryApplyList `xml:"SummaryApplyList" json:"SummaryApplyList,omitempty" validate:"dive"`
}

// SummaryApplyHead is the head of a CEB701 summary application.
// summaryFlag is 1 (by consignor) or 2 (by consignor and producer/seller);
// itemNameFlag 1 summarises by the lists' original item names (the XSD
// requires one character; other values mean by commodity category name).
// startTime and endTime, when given, come as a pair with endTime not
// before startTime, and select the lists instead of the body.
type SummaryApplyHead struct {
	AppHead
	CustomsCode   string `xml:"customsCode" json:"customsCode" validate:"required,len=4"`
	CopNo         string `xml:"copNo" json:"copNo" validate:"required,max=30"`
	PreNo         string `xml:"preNo,omitempty" json:"preNo,omitempty" validate:"omitempty,max=18"`
	SumNo         string `xml:"sumNo,omitempty" json:"sumNo,omitempty" validate:"omitempty,max=18"`
	AgentCode     string `xml:"agentCode" json:"agentCode" validate:"required,max=18"`
	AgentName     string `xml:"agentName" json:"agentName" validate:"required,max=100"`
	EbcCode       string `xml:"ebcCode" json:"ebcCode" validate:"required,max=18"`
	EbcName       string `xml:"ebcName" json:"ebcName" validate:"required,max=100"`
	DeclAgentCode string `xml:"declAgentCode" json:"declAgentCode" validate:"required,max=18"`
	DeclAgentName string `xml:"declAgentName" json:"declAgentName" validate:"required,max=100"`
	StartTime     string `xml:"startTime,omitempty" json:"startTime,omitempty" validate:"required_with=EndTime,omitempty,len=14,datetime14"`
	EndTime       string `xml:"endTime,omitempty" json:"endTime,omitempty" validate:"required_with=StartTime,omitempty,len=14,datetime14"`
	LoctNo        string `xml:"loctNo,omitempty" json:"loctNo,omitempty" validate:"omitempty,max=10"`
	SummaryFlag   string `xml:"summaryFlag" json:"summaryFlag" validate:"required,oneof=1 2"`
	ItemNameFlag  string `xml:"itemNameFlag" json:"itemNameFlag" validate:"required,len=1"`
	MsgCount      int    `xml:"msgCount" json:"msgCount" validate:"required,min=1,max=999999999"`
	MsgSeqNo      int    `xml:"msgSeqNo" json:"msgSeqNo" validate:"required,min=1,max=999999999"`
	Note          string `xml:"note,omitempty" json:"note,omitempty" validate:"omitempty,max=1000"`
}

// SummaryApplyList names one inventory list of a CEB701 application.
type SummaryApplyList struct {
	InvtNo string `xml:"invtNo" json:"invtNo" validate:"required,max=20"`
}

// MsgType is CEB701.
func (s *SummaryApply) MsgType() MsgType { return CEB701 }

// GUID is the head guid.
func (s *SummaryApply) GUID() string { return s.SummaryApplyHead.Guid }

// AppType is the head appType.
func (s *SummaryApply) AppType() string { return s.SummaryApplyHead.AppType }

// SenderCode is the declaring agent's agentCode.
func (s *SummaryApply) SenderCode() string { return s.SummaryApplyHead.AgentCode }

// BusinessKey is [agentCode, copNo, msgSeqNo]: the parts of a split
// application share copNo and differ by msgSeqNo, as its CEB702 receipt
// identifies them.
func (s *SummaryApply) BusinessKey() []string {
	h := &s.SummaryApplyHead
	return []string{h.AgentCode, h.CopNo, strconv.Itoa(h.MsgSeqNo)}
}

// SummaryResult is the CEB792 business node: the summary result
// (汇总结果单) customs sends to the agent and consignor, one per summary
// declaration, listing which inventory lines went into which summary line.
// It is not a receipt answering one declaration and carries no
// returnStatus (see decState).
type SummaryResult struct {
	SummaryResultHead SummaryResultHead   `xml:"SummaryResultHead" json:"SummaryResultHead" validate:"required"`
	SummaryResultList []SummaryResultList `xml:"SummaryResultList" json:"SummaryResultList,omitempty" validate:"dive"`
}

// SummaryResultHead is the head of a CEB792 summary result: sumNo is the
// summary application number, opDate the processing time
// (YYYYMMDDhhmmssSSS), declSeqNo the unified number of the resulting
// customs declaration and entryId its number once assigned; decState is
// the declaration's state as customs reports it.
type SummaryResultHead struct {
	Guid          string `xml:"guid" json:"guid" validate:"required,len=36"`
	CustomsCode   string `xml:"customsCode" json:"customsCode" validate:"required,len=4"`
	SumNo         string `xml:"sumNo" json:"sumNo" validate:"required,len=18"`
	OpDate        string `xml:"opDate" json:"opDate" validate:"required,len=17,datetime17"`
	DeclSeqNo     string `xml:"declSeqNo" json:"declSeqNo" validate:"required,len=18"`
	DecTmpNo      string `xml:"decTmpNo,omitempty" json:"decTmpNo,omitempty" validate:"omitempty,len=18"`
	DecPreNo      string `xml:"decPreNo,omitempty" json:"decPreNo,omitempty" validate:"omitempty,len=18"`
	EntryId       string `xml:"entryId,omitempty" json:"entryId,omitempty" validate:"omitempty,len=18"`
	DecState      string `xml:"decState" json:"decState" validate:"required,max=3"`
	AgentCode     string `xml:"agentCode" json:"agentCode" validate:"required,max=18"`
	AgentName     string `xml:"agentName" json:"agentName" validate:"required,max=100"`
	EbcCode       string `xml:"ebcCode" json:"ebcCode" validate:"required,max=18"`
	EbcName       string `xml:"ebcName" json:"ebcName" validate:"required,max=100"`
	DeclAgentCode string `xml:"declAgentCode" json:"declAgentCode" validate:"required,max=18"`
	DeclAgentName string `xml:"declAgentName" json:"declAgentName" validate:"required,max=100"`
	GrossWeight   Amount `xml:"grossWeight" json:"grossWeight" validate:"required,amount"`
	NetWeight     Amount `xml:"netWeight" json:"netWeight" validate:"required,amount"`
	MsgCount      int    `xml:"msgCount" json:"msgCount" validate:"required,min=1,max=999999999"`
	MsgSeqNo      int    `xml:"msgSeqNo" json:"msgSeqNo" validate:"required,min=1,max=999999999"`
	Note          string `xml:"note,omitempty" json:"note,omitempty" validate:"omitempty,max=1000"`
}

// SummaryResultList links one inventory line (invtNo, gnum) to the summary
// line gseqno of the declaration.
type SummaryResultList struct {
	InvtNo      string `xml:"invtNo" json:"invtNo" validate:"required,max=20"`
	LogisticsNo string `xml:"logisticsNo" json:"logisticsNo" validate:"required,max=32"`
	Gseqno      int    `xml:"gseqno" json:"gseqno" validate:"required,min=1,max=99999"`
	Gnum        int    `xml:"gnum" json:"gnum" validate:"required,min=1,max=99999"`
	Gcode       string `xml:"gcode" json:"gcode" validate:"required,len=10"`
}

// MsgType is CEB792.
func (s *SummaryResult) MsgType() MsgType { return CEB792 }

// GUID is the head guid.
func (s *SummaryResult) GUID() string { return s.SummaryResultHead.Guid }
