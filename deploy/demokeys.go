package deploy

import "github.com/cbec/cbec/pkg/party"

// DemoKey is one documented API key of the embedded demo parties file.
type DemoKey struct {
	Key  string
	Code string
	Role party.Role
}

// DemoKeys returns the demo keys of parties.yaml, printed at start and shown
// in README.md. A test proves each one authenticates as its party.
func DemoKeys() []DemoKey {
	return []DemoKey{
		{Key: "demo-platform", Code: "1105910159", Role: party.Role("ebp")},
		{Key: "demo-ebp-sample", Code: "1101110325", Role: party.Role("ebp")},
		{Key: "demo-pay-sample", Code: "1101110323", Role: party.Role("pay")},
		{Key: "demo-logistics", Code: "1101180326", Role: party.Role("logistics")},
		{Key: "demo-ebp", Code: "1500000001", Role: party.Role("ebp")},
		{Key: "demo-ebc", Code: "1500000002", Role: party.Role("ebc")},
		{Key: "demo-pay", Code: "1500000003", Role: party.Role("pay")},
		{Key: "demo-logistics-cq", Code: "1500000004", Role: party.Role("logistics")},
		{Key: "demo-agent", Code: "1500000005", Role: party.Role("agent")},
		{Key: "demo-warehouse", Code: "5000000001", Role: party.Role("warehouse")},
		{Key: "demo-site", Code: "5000000002", Role: party.Role("warehouse")},
		{Key: "demo-officer", Code: "OFFICER01", Role: party.Role("officer")},
		{Key: "demo-supervisor", Code: "SUPER01", Role: party.Role("supervisor")},
		{Key: "demo-operator", Code: "OPS01", Role: party.Role("operator")},
	}
}
