package deploy

import _ "embed"

// Rules is the default rules file (limits, windows and risk rules; DEFAULT
// and SAMPLE values, see its header), the default of --rules. It is embedded
// so that the binary runs with no file beside it; the binary hands it to
// pkg/rules.Load, which embeds nothing itself (the rule packages import
// nothing above them).
//
//go:embed rules.yaml
var Rules []byte
