package deploy

import _ "embed"

// Tariff is the sample positive list with its tax rates (SAMPLE DATA), the
// default of --tariff; pkg/tariff.Load reads it. Its "#" banner lines
// before the CSV header say it is not an official copy.
//
//go:embed tariff.csv
var Tariff []byte
