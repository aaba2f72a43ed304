// Package deploy holds cbec's deployment files and the embedded defaults of
// its reference data. Each embedded file can be replaced at run time by a
// path given on the command line (--parties, --tariff, --rules, --zones,
// --export). Only the binary (services/cbec) and tests read these bytes
// and pass them to the loaders in pkg/: the arrow runs from deploy down to
// pkg, never back (pkg/deps_test.go).
package deploy

import _ "embed"

// Parties is the demo parties file (SAMPLE DATA), the default of --parties.
//
//go:embed parties.yaml
var Parties []byte
