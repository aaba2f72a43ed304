package inventory

// ListID names an inventory list and the parties that declared it: the
// fields every record about a list carries — its state, its events, the
// review desk's case and the case's view — written once here and embedded
// in each, so that their JSON stays flat.
type ListID struct {
	// EbpCode and OrderNo are the list's business key (the platform and
	// its order).
	EbpCode string `json:"ebpCode"`
	OrderNo string `json:"orderNo"`
	// EbcCode is the e-commerce enterprise, AgentCode the declaring agent:
	// with the platform, the list's readers.
	EbcCode   string `json:"ebcCode"`
	AgentCode string `json:"agentCode"`
	// InvtNo is the customs list number, assigned when the checks pass.
	InvtNo string `json:"invtNo,omitempty"`
	// CustomsCode is the customs office, TradeMode 1210 or 9610.
	CustomsCode string `json:"customsCode,omitempty"`
	TradeMode   string `json:"tradeMode,omitempty"`
}
