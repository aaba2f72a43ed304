package deploy

import _ "embed"

// Zones is the sample registry of Chongqing's comprehensive bonded zones,
// return-center warehouses and 9610 supervision sites (SAMPLE DATA: zone
// codes, area codes and filings are invented, see its header), the default
// of --zones; pkg/zone.Load reads it. It is embedded so that the binary runs
// with no file beside it.
//
//go:embed zones.yaml
var Zones []byte
