package export

import (
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/shopspring/decimal"
)

// Step is one step of a list's history; Receipt is the CEB604 status it is
// answered with ("" for steps without one).
type Step struct {
	Status  string    `json:"status"`
	Receipt string    `json:"receipt,omitempty"`
	Info    string    `json:"info,omitempty"`
	Time    time.Time `json:"time"`
}

// List is the stored state of one export inventory list (CEB603).
type List struct {
	Key            string `json:"key"`
	GUID           string `json:"guid"`
	EbpCode        string `json:"ebpCode"`
	OrderNo        string `json:"orderNo"`
	EbcCode        string `json:"ebcCode"`
	OwnerCode      string `json:"ownerCode"`
	AgentCode      string `json:"agentCode"`
	LogisticsCode  string `json:"logisticsCode"`
	LogisticsNo    string `json:"logisticsNo"`
	CustomsCode    string `json:"customsCode"`
	PortCode       string `json:"portCode"`
	TradeMode      string `json:"tradeMode"`
	StatisticsFlag string `json:"statisticsFlag"`
	InvtNo         string `json:"invtNo"`
	PreNo          string `json:"preNo"`
	CopNo          string `json:"copNo"`
	Status         string `json:"status"`
	Code           string `json:"code,omitempty"`
	InSeq          uint64 `json:"inSeq"`
	// ValueCNY is the list's value in CNY at acceptance (D11): Σ line
	// totalPrice converted at the day's rate, for the volume metrics.
	ValueCNY   decimal.Decimal `json:"valueCny"`
	ReleasedAt time.Time       `json:"releasedAt,omitzero"`
	DepartedAt time.Time       `json:"departedAt,omitzero"`
	History    []Step          `json:"history"`
	// By and From name the change last made and its first step, so that a
	// redelivery can complete its publications (as in clearance).
	By   string `json:"by,omitempty"`
	From int    `json:"from,omitempty"`
}

func (l *List) record(status, receipt, info string, at time.Time) {
	l.Status = status
	l.History = append(l.History, Step{Status: status, Receipt: receipt, Info: info, Time: at.UTC()})
}

// Keys of the CBEC_EXPORT bucket.
func listKey(ebpCode, orderNo string) string { return "list." + broker.Key(ebpCode, orderNo) }
func orderIndexKey(ebcCode, orderNo string) string {
	return "ord." + broker.Key(ebcCode, orderNo)
}
func waybillIndexKey(logisticsCode, logisticsNo string) string {
	return "lno." + broker.Key(logisticsCode, logisticsNo)
}
func invtNoKey(invtNo string) string { return "invt." + broker.Token(invtNo) }

// releasedKey indexes a released list under its Asia/Shanghai month and
// consignor, the grouping of the monthly summary declaration (D10).
func releasedKey(month, ebcCode, key string) string {
	return "rel." + broker.Key(month, ebcCode) + "." + key
}
