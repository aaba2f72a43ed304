package deploy

import _ "embed"

// Export is the default export reference data (SAMPLE DATA, see its
// header): the dated currency rate table to CNY (D11), the HS prefixes
// prohibited or restricted for export, the HS prefixes that may not use
// statisticsFlag A, and the elements each export trade mode requires. It is
// the default of --export, which the binary hands to pkg/export.Load (the
// rule packages import nothing above them). It is embedded so that the
// binary runs with no file beside it.
//
//go:embed export.yaml
var Export []byte
