// Package grafana holds cbec's Grafana dashboards as code.
//
// The dashboards are built with the Grafana Foundation SDK
// (github.com/grafana/grafana-foundation-sdk/go) and committed as JSON under
// deploy/grafana/dashboards/, where Grafana's file provider
// (deploy/grafana/provisioning/dashboards/cbec.yml) loads them. A test keeps
// the committed JSON in step with [Dashboards]; after changing a panel,
// regenerate the files with
//
//	go run ./deploy/grafana/gen
//
// or equivalently
//
//	go test ./deploy/grafana -run TestCommittedDashboards -update
//
// Every panel queries the Prometheus datasource with uid [DatasourceUID] and
// uses only the metrics listed in docs/metrics.md. [Queries] lists every panel
// target so that CI can evaluate them against a real Prometheus, after
// substituting Grafana's interval variables with [Expand].
package grafana

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/variants"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/gauge"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"
)

const (
	// DatasourceUID is the uid of the Prometheus datasource every panel
	// queries; deploy/grafana/provisioning/datasources/prometheus.yml
	// provisions it.
	DatasourceUID = "prometheus"
	// Refresh is the auto-refresh interval of every dashboard.
	Refresh = "30s"
	// Tag is set on every cbec dashboard; the dashboards link to each other
	// through it.
	Tag = "cbec"
)

// Query is one panel target: its PromQL expression (with Grafana's
// $__rate_interval and $__range variables left in; see [Expand]), the title
// of the panel it belongs to and the file name of the dashboard, as in the
// keys of [Dashboards].
type Query struct {
	Dashboard string
	Panel     string
	Expr      string
}

// board is one dashboard: the file it is written to and how it is built.
type board struct {
	file  string
	uid   string
	title string
	desc  string
	build func(*builder)
}

// boards lists cbec's dashboards in a fixed order.
func boards() []board {
	return []board{
		{"volumes.json", "cbec-volumes", "cbec / Volumes",
			"Import and export declarations and released value: over time, by trade mode, by customs code, and the year's value against the target.",
			volumes},
		{"clearance.json", "cbec-clearance", "cbec / Clearance pipeline",
			"Documents and decisions, decision latency, consumer lag, HTTP errors, JetStream and NATS.",
			clearance},
		{"review.json", "cbec-review", "cbec / Review desk",
			"Manual review queue and its age, the rates of review, inspection and detention, officers' claim and decision times and decisions, and risk rules' hit rates and outcomes.",
			review},
		{"returns.json", "cbec-returns", "cbec / Returns center",
			"Returns by bonded zone and outcome, and the annual quota they restore.",
			returns},
	}
}

// Dashboards builds cbec's four dashboards and returns their JSON, indented
// and newline-terminated, keyed by file name: volumes.json, clearance.json,
// review.json and returns.json.
func Dashboards() (map[string][]byte, error) {
	out := make(map[string][]byte)
	for _, b := range boards() {
		d, err := b.dashboard()
		if err != nil {
			return nil, fmt.Errorf("dashboard %s: %w", b.file, err)
		}
		data, err := json.MarshalIndent(d, "", "  ")
		if err != nil {
			return nil, fmt.Errorf("dashboard %s: %w", b.file, err)
		}
		out[b.file] = append(data, '\n')
	}
	return out, nil
}

// Queries returns every panel target of every dashboard, read back from the
// JSON that [Dashboards] produces, in dashboard and panel order.
func Queries() ([]Query, error) {
	files, err := Dashboards()
	if err != nil {
		return nil, err
	}
	var qs []Query
	for _, b := range boards() {
		var d struct {
			Panels []struct {
				Title   string `json:"title"`
				Targets []struct {
					Expr string `json:"expr"`
				} `json:"targets"`
			} `json:"panels"`
		}
		if err := json.Unmarshal(files[b.file], &d); err != nil {
			return nil, fmt.Errorf("dashboard %s: %w", b.file, err)
		}
		for _, p := range d.Panels {
			for _, t := range p.Targets {
				qs = append(qs, Query{Dashboard: b.file, Panel: p.Title, Expr: t.Expr})
			}
		}
	}
	return qs, nil
}

// WriteDashboards writes the JSON of [Dashboards] into dir, one file per
// dashboard, creating dir if needed.
func WriteDashboards(dir string) error {
	files, err := Dashboards()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := os.WriteFile(filepath.Join(dir, name), files[name], 0o644); err != nil {
			return err
		}
	}
	return nil
}

// grafanaVar matches the Grafana variables that Expand replaces, in both the
// $name and ${name} forms. The word boundary keeps $__range_ms, $__range_s
// and $__interval_ms out.
var grafanaVar = regexp.MustCompile(`\$(?:__(rate_interval|interval|range)\b|\{__(rate_interval|interval|range)\})`)

// Expand replaces Grafana's interval variables in a panel expression with
// concrete Prometheus durations so the expression can be sent to Prometheus'
// HTTP API directly: $__rate_interval and $__interval become rateInterval
// (for example "1m", which should be at least four scrape intervals), and
// $__range becomes rangeDur (for example "1h", the span an instant query
// should cover). The ${name} forms are replaced too; any other variable,
// such as $__range_s, is left as it is.
func Expand(expr string, rateInterval, rangeDur string) string {
	return grafanaVar.ReplaceAllStringFunc(expr, func(m string) string {
		if strings.Contains(m, "range") {
			return rangeDur
		}
		return rateInterval
	})
}

// datasource is the reference to the provisioned Prometheus.
func datasource() common.DataSourceRef {
	return common.DataSourceRef{Type: cog.ToPtr("prometheus"), Uid: cog.ToPtr(DatasourceUID)}
}

// dashboard builds b with the settings every cbec dashboard shares.
//
// It uses the classic (v1) dashboard schema, the one Grafana's file provider
// loads without feature flags, although the SDK marks it deprecated in
// favour of dashboardv2.
//
//nolint:staticcheck // classic schema, see above
func (b board) dashboard() (dashboard.Dashboard, error) {
	db := dashboard.NewDashboardBuilder(b.title).
		Uid(b.uid).
		Description(b.desc).
		Tags([]string{Tag}).
		Refresh(Refresh).
		Time("now-6h", "now").
		Timezone(common.TimeZoneBrowser).
		Tooltip(dashboard.DashboardCursorSyncCrosshair).
		Readonly().
		Link(dashboard.NewDashboardLinkBuilder("cbec").
			Type(dashboard.DashboardLinkTypeDashboards).
			Tags([]string{Tag}).
			Icon("external link").
			Tooltip("cbec dashboards").
			AsDropdown(false).
			KeepTime(true))
	bb := &builder{db: db}
	b.build(bb)
	return db.Build()
}

// builder adds panels to a dashboard, numbering them.
type builder struct {
	db *dashboard.DashboardBuilder //nolint:staticcheck // classic schema, see board.dashboard
	id uint32
}

// nextID returns the id of the next panel.
func (b *builder) nextID() uint32 {
	b.id++
	return b.id
}

// target is one Prometheus query of a panel.
type target struct {
	expr   string
	legend string
}

// q returns a target with the given expression and legend format.
func q(expr, legend string) target { return target{expr: expr, legend: legend} }

// queries turns targets into SDK query builders, lettered A, B, … and
// instant when the panel shows a single value.
func queries(instant bool, ts []target) []cog.Builder[variants.Dataquery] {
	out := make([]cog.Builder[variants.Dataquery], 0, len(ts))
	for i, t := range ts {
		qb := prometheus.NewDataqueryBuilder().
			Datasource(datasource()).
			RefId(string(rune('A' + i))).
			Expr(t.expr).
			LegendFormat(t.legend)
		if instant {
			qb = qb.Instant()
		} else {
			qb = qb.Range()
		}
		out = append(out, qb)
	}
	return out
}

// row starts a new (expanded) row.
func (b *builder) row(title string) {
	b.db.WithRow(dashboard.NewRowBuilder(title).Id(b.nextID()))
}

// size is a panel's width (of 24) and height in grid units.
type size struct{ w, h uint32 }

var (
	wide    = size{24, 8}
	half    = size{12, 8}
	third   = size{8, 8}
	quarter = size{6, 5}
)

// timeSeries adds a time series panel.
func (b *builder) timeSeries(title, desc, unit string, sz size, ts ...target) {
	p := timeseries.NewPanelBuilder().
		Id(b.nextID()).
		Title(title).
		Description(desc).
		Datasource(datasource()).
		Targets(queries(false, ts)).
		Span(sz.w).
		Height(sz.h).
		Unit(unit).
		Min(0).
		FillOpacity(10).
		Legend(common.NewVizLegendOptionsBuilder().
			DisplayMode(common.LegendDisplayModeTable).
			Placement(common.LegendPlacementRight).
			ShowLegend(true).
			Calcs([]string{"mean", "lastNotNull"})).
		Tooltip(common.NewVizTooltipOptionsBuilder().
			Mode(common.TooltipDisplayModeMulti).
			Sort(common.SortOrderDescending))
	b.db.WithPanel(p)
}

// statPanel adds a stat panel showing the last value of each series;
// thresholds, if any, colour the background.
func (b *builder) statPanel(title, desc, unit string, sz size, th []dashboard.Threshold, ts ...target) {
	p := stat.NewPanelBuilder().
		Id(b.nextID()).
		Title(title).
		Description(desc).
		Datasource(datasource()).
		Targets(queries(true, ts)).
		Span(sz.w).
		Height(sz.h).
		Unit(unit).
		GraphMode(common.BigValueGraphModeNone).
		TextMode(common.BigValueTextModeValueAndName).
		Orientation(common.VizOrientationAuto).
		ReduceOptions(common.NewReduceDataOptionsBuilder().Calcs([]string{"lastNotNull"}))
	if th != nil {
		p = p.ColorMode(common.BigValueColorModeBackground).Thresholds(thresholds(th))
	} else {
		p = p.ColorMode(common.BigValueColorModeNone)
	}
	b.db.WithPanel(p)
}

// gaugePanel adds a gauge from min to max.
func (b *builder) gaugePanel(title, desc, unit string, sz size, lo, hi float64, th []dashboard.Threshold, ts ...target) {
	p := gauge.NewPanelBuilder().
		Id(b.nextID()).
		Title(title).
		Description(desc).
		Datasource(datasource()).
		Targets(queries(true, ts)).
		Span(sz.w).
		Height(sz.h).
		Unit(unit).
		Min(lo).
		Max(hi).
		ShowThresholdMarkers(true).
		Orientation(common.VizOrientationAuto).
		Thresholds(thresholds(th)).
		ReduceOptions(common.NewReduceDataOptionsBuilder().Calcs([]string{"lastNotNull"}))
	b.db.WithPanel(p)
}

// thresholds builds absolute thresholds from steps; the first step's value
// should be nil (the base colour).
func thresholds(steps []dashboard.Threshold) *dashboard.ThresholdsConfigBuilder {
	return dashboard.NewThresholdsConfigBuilder().Mode(dashboard.ThresholdsModeAbsolute).Steps(steps)
}

// step is a threshold: from value on, the colour.
type step struct {
	value float64
	color string
}

// steps returns absolute threshold steps: the base colour, then the others.
func steps(base string, more ...step) []dashboard.Threshold {
	out := []dashboard.Threshold{{Color: base}}
	for _, s := range more {
		out = append(out, dashboard.Threshold{Value: cog.ToPtr(s.value), Color: s.color})
	}
	return out
}
