// Package deploy holds cbec's deployment files and the embedded defaults of
// its reference data. Each embedded file can be replaced at run time by a
// path given on the command line (--parties, --tariff, --rules, --zones).
package deploy

import _ "embed"

// Parties is the demo parties file (SAMPLE DATA), the default of --parties.
//
//go:embed parties.yaml
var Parties []byte
