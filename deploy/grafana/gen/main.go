// Command gen writes cbec's Grafana dashboards, as built by package
// github.com/cbec/cbec/deploy/grafana, into deploy/grafana/dashboards/.
// Run it from the repository root after changing a panel:
//
//	go run ./deploy/grafana/gen
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/cbec/cbec/deploy/grafana"
)

func main() {
	dir := flag.String("dir", "deploy/grafana/dashboards", "directory to write the dashboard JSON files into")
	flag.Parse()
	if err := grafana.WriteDashboards(*dir); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
