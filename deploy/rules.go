package deploy

import _ "embed"

// Rules is the default rules file (limits, windows and risk rules; DEFAULT
// and SAMPLE values, see its header), the default of --rules. It is embedded
// so that the binary runs with no file beside it.
//
//go:embed rules.yaml
var Rules []byte
