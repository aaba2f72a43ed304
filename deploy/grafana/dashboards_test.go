package grafana

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

var update = flag.Bool("update", false, "rewrite deploy/grafana/dashboards/*.json from Dashboards()")

// dashboardsDir is where the generated JSON is committed.
const dashboardsDir = "dashboards"

// metrics are the metrics the services expose (docs/metrics.md), by type.
// Dashboards may use nothing else.
var metrics = map[string]string{
	"cbec_http_requests_total":               "counter",
	"cbec_http_request_duration_seconds":     "histogram",
	"cbec_nats_connected":                    "gauge",
	"cbec_stream_messages":                   "gauge",
	"cbec_stream_bytes":                      "gauge",
	"cbec_consumer_pending_messages":         "gauge",
	"cbec_consumer_ack_pending_messages":     "gauge",
	"cbec_consumer_redelivered_messages":     "gauge",
	"cbec_gateway_documents_total":           "counter",
	"cbec_clearance_decisions_total":         "counter",
	"cbec_clearance_decision_seconds":        "histogram",
	"cbec_export_summaries":                  "gauge",
	"cbec_declarations_total":                "counter",
	"cbec_declaration_value_cny_total":       "counter",
	"cbec_tax_assessed_cny_total":            "counter",
	"cbec_returns_total":                     "counter",
	"cbec_quota_restored_cny_total":          "counter",
	"cbec_review_queue_cases":                "gauge",
	"cbec_review_oldest_case_age_seconds":    "gauge",
	"cbec_review_queue_age_cases":            "gauge",
	"cbec_review_claim_seconds":              "histogram",
	"cbec_review_decision_seconds":           "histogram",
	"cbec_review_decisions_total":            "counter",
	"cbec_rule_hits_total":                   "counter",
	"cbec_review_rule_outcomes_total":        "counter",
	"cbec_trade_value_year_cny":              "gauge",
	"cbec_trade_target_year_cny":             "gauge",
	"cbec_webhook_deliveries_total":          "counter",
	"cbec_webhook_delivery_duration_seconds": "histogram",
	"cbec_webhook_subscriptions":             "gauge",
	// The Go runtime's and the process's, from every registry.
	"go_cpu_classes_gc_total_cpu_seconds_total": "counter",
	"go_cpu_classes_total_cpu_seconds_total":    "counter",
	"process_resident_memory_bytes":             "gauge",
}

// seriesInfo is what a query may do with a series: its metric, and whether
// it only makes sense under rate or increase.
type seriesInfo struct {
	metric     string
	cumulative bool
}

// series maps every series name a query may select to its metric and
// whether it only makes sense under rate or increase (counters and
// histogram buckets, sums and counts).
func series() map[string]struct {
	metric     string
	cumulative bool
} {
	out := make(map[string]struct {
		metric     string
		cumulative bool
	})
	for name, typ := range metrics {
		switch typ {
		case "histogram":
			for _, suffix := range []string{"_bucket", "_sum", "_count"} {
				out[name+suffix] = seriesInfo{name, true}
			}
		default:
			out[name] = seriesInfo{name, typ == "counter"}
		}
	}
	return out
}

// functions are the PromQL functions and aggregations the dashboards may
// call.
var functions = map[string]bool{
	"sum": true, "min": true, "max": true, "avg": true, "count": true, "topk": true,
	"rate": true, "increase": true, "histogram_quantile": true, "vector": true,
	"scalar": true, "clamp_min": true, "time": true,
}

// keywords are PromQL's binary operators and modifiers spelt as words.
var keywords = map[string]bool{"and": true, "or": true, "unless": true, "bool": true, "offset": true}

var (
	reString   = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|` + "`[^`]*`")
	reMatchers = regexp.MustCompile(`\{[^}]*\}`)
	reRange    = regexp.MustCompile(`\[[^\]]*\]`)
	reGrouping = regexp.MustCompile(`\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)`)
	reIdent    = regexp.MustCompile(`[A-Za-z_:][A-Za-z0-9_:]*`)
	reCall     = regexp.MustCompile(`^\s*\(`)
	// reRangeCall is a function applied to a range selector.
	reRangeCall = regexp.MustCompile(`\b([a-z_]+)\(\s*([A-Za-z_:][A-Za-z0-9_:]*)\s*\[([^\]]*)\]`)
)

// selectedSeries parses the series names out of a PromQL expression: what is
// left once strings, label matchers, range selectors and grouping clauses
// are removed, and function names, keywords and numbers are skipped. It
// fails the test on a function it does not know.
func selectedSeries(t *testing.T, q Query) []string {
	t.Helper()
	e := reString.ReplaceAllString(q.Expr, `""`)
	e = reMatchers.ReplaceAllString(e, " ")
	e = reRange.ReplaceAllString(e, " ")
	e = reGrouping.ReplaceAllString(e, " ")
	var names []string
	for _, loc := range reIdent.FindAllStringIndex(e, -1) {
		word := e[loc[0]:loc[1]]
		if loc[0] > 0 && strings.ContainsRune("0123456789.", rune(e[loc[0]-1])) {
			continue // exponent or suffix of a number, as in 1e3
		}
		if reCall.MatchString(e[loc[1]:]) {
			if !functions[word] {
				t.Errorf("%s / %s: unexpected function %s in %s", q.Dashboard, q.Panel, word, q.Expr)
			}
			continue
		}
		if keywords[word] || word == "Inf" || word == "NaN" {
			continue
		}
		names = append(names, word)
	}
	return names
}

// TestCommittedDashboards fails when deploy/grafana/dashboards/ differs from
// what Dashboards builds; -update rewrites the files.
func TestCommittedDashboards(t *testing.T) {
	files, err := Dashboards()
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := WriteDashboards(dashboardsDir); err != nil {
			t.Fatal(err)
		}
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(dashboardsDir, name))
		if err != nil {
			t.Errorf("%v (run go run ./deploy/grafana/gen)", err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s/%s differs from Dashboards(); run go run ./deploy/grafana/gen (or this test with -update)", dashboardsDir, name)
		}
	}
	committed, err := filepath.Glob(filepath.Join(dashboardsDir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range committed {
		if _, ok := files[filepath.Base(path)]; !ok {
			t.Errorf("%s is not built by Dashboards(); remove it", path)
		}
	}
}

// TestDashboardsJSON checks the structure of every dashboard: valid JSON,
// distinct uids, the shared refresh, unique panel ids and titles, and every
// panel and target on the provisioned Prometheus.
func TestDashboardsJSON(t *testing.T) {
	files, err := Dashboards()
	if err != nil {
		t.Fatal(err)
	}
	wantFiles := []string{"clearance.json", "returns.json", "review.json", "volumes.json"}
	var gotFiles []string
	for name := range files {
		gotFiles = append(gotFiles, name)
	}
	sort.Strings(gotFiles)
	if strings.Join(gotFiles, " ") != strings.Join(wantFiles, " ") {
		t.Fatalf("dashboards = %v, want %v", gotFiles, wantFiles)
	}

	type ref struct {
		Type string `json:"type"`
		UID  string `json:"uid"`
	}
	uids := map[string]string{}
	for _, name := range gotFiles {
		if !json.Valid(files[name]) {
			t.Errorf("%s: invalid JSON", name)
			continue
		}
		var d struct {
			UID     string `json:"uid"`
			Title   string `json:"title"`
			Refresh string `json:"refresh"`
			Panels  []struct {
				ID         int    `json:"id"`
				Type       string `json:"type"`
				Title      string `json:"title"`
				Datasource *ref   `json:"datasource"`
				Targets    []struct {
					Datasource *ref   `json:"datasource"`
					Expr       string `json:"expr"`
					RefID      string `json:"refId"`
				} `json:"targets"`
			} `json:"panels"`
		}
		if err := json.Unmarshal(files[name], &d); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if d.UID == "" || d.Title == "" {
			t.Errorf("%s: uid %q, title %q: want both", name, d.UID, d.Title)
		}
		if other, dup := uids[d.UID]; dup {
			t.Errorf("%s and %s share uid %q", other, name, d.UID)
		}
		uids[d.UID] = name
		if d.Refresh != Refresh {
			t.Errorf("%s: refresh %q, want %q", name, d.Refresh, Refresh)
		}
		ids, titles := map[int]bool{}, map[string]bool{}
		queries := 0
		for _, p := range d.Panels {
			if ids[p.ID] || p.ID == 0 {
				t.Errorf("%s: panel %q: id %d missing or not unique", name, p.Title, p.ID)
			}
			ids[p.ID] = true
			if p.Type == "row" {
				continue
			}
			if titles[p.Title] || p.Title == "" {
				t.Errorf("%s: panel title %q empty or not unique", name, p.Title)
			}
			titles[p.Title] = true
			if p.Datasource == nil || p.Datasource.UID != DatasourceUID || p.Datasource.Type != "prometheus" {
				t.Errorf("%s / %s: datasource %+v, want prometheus uid %q", name, p.Title, p.Datasource, DatasourceUID)
			}
			if len(p.Targets) == 0 {
				t.Errorf("%s / %s: no targets", name, p.Title)
			}
			for _, tg := range p.Targets {
				queries++
				if tg.Datasource == nil || tg.Datasource.UID != DatasourceUID {
					t.Errorf("%s / %s / %s: datasource %+v, want uid %q", name, p.Title, tg.RefID, tg.Datasource, DatasourceUID)
				}
				if strings.TrimSpace(tg.Expr) == "" {
					t.Errorf("%s / %s / %s: empty expression", name, p.Title, tg.RefID)
				}
			}
		}
		if queries == 0 {
			t.Errorf("%s: no queries", name)
		}
	}
}

// TestQueriesUseKnownMetrics checks that every query selects only metrics
// the services expose, and that every metric appears on some panel.
func TestQueriesUseKnownMetrics(t *testing.T) {
	qs, err := Queries()
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) == 0 {
		t.Fatal("no queries")
	}
	known := series()
	used := map[string]bool{}
	for _, q := range qs {
		names := selectedSeries(t, q)
		if len(names) == 0 {
			t.Errorf("%s / %s: no metric in %s", q.Dashboard, q.Panel, q.Expr)
		}
		for _, n := range names {
			s, ok := known[n]
			if !ok {
				t.Errorf("%s / %s: unknown metric %s in %s", q.Dashboard, q.Panel, n, q.Expr)
				continue
			}
			used[s.metric] = true
		}
	}
	for m := range metrics {
		if !used[m] {
			t.Errorf("metric %s is on no panel", m)
		}
	}
}

// TestQueriesUseGrafanaIntervals checks that counters and histograms are
// only read through rate(...[$__rate_interval]) or
// increase(...[$__range]), and that no other range selector is used.
func TestQueriesUseGrafanaIntervals(t *testing.T) {
	qs, err := Queries()
	if err != nil {
		t.Fatal(err)
	}
	known := series()
	want := map[string]string{"rate": "$__rate_interval", "increase": "$__range"}
	for _, q := range qs {
		e := reString.ReplaceAllString(q.Expr, `""`)
		e = reMatchers.ReplaceAllString(e, "")
		calls := reRangeCall.FindAllStringSubmatch(e, -1)
		if n := len(reRange.FindAllString(e, -1)); n != len(calls) {
			t.Errorf("%s / %s: %d range selectors, %d inside a function call: %s", q.Dashboard, q.Panel, n, len(calls), q.Expr)
		}
		inRange := map[string]int{}
		for _, c := range calls {
			fn, name, rng := c[1], c[2], c[3]
			if want[fn] == "" {
				t.Errorf("%s / %s: %s over a range; use rate or increase: %s", q.Dashboard, q.Panel, fn, q.Expr)
			} else if rng != want[fn] {
				t.Errorf("%s / %s: %s(%s[%s]), want [%s]: %s", q.Dashboard, q.Panel, fn, name, rng, want[fn], q.Expr)
			}
			inRange[name]++
		}
		all := map[string]int{}
		for _, n := range selectedSeries(t, q) {
			all[n]++
		}
		for n, count := range all {
			if known[n].cumulative && inRange[n] != count {
				t.Errorf("%s / %s: cumulative %s read without rate or increase: %s", q.Dashboard, q.Panel, n, q.Expr)
			}
		}
	}
}

// TestExpand checks the substitution of Grafana's interval variables.
func TestExpand(t *testing.T) {
	cases := []struct{ in, want string }{
		{`rate(x[$__rate_interval])`, `rate(x[1m])`},
		{`rate(x[${__rate_interval}])`, `rate(x[1m])`},
		{`rate(x[$__interval])`, `rate(x[1m])`},
		{`increase(x[$__range])`, `increase(x[1h])`},
		{`increase(x[${__range}]) / $__range_s`, `increase(x[1h]) / $__range_s`},
		{`sum(x)`, `sum(x)`},
	}
	for _, c := range cases {
		if got := Expand(c.in, "1m", "1h"); got != c.want {
			t.Errorf("Expand(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	qs, err := Queries()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range qs {
		if e := Expand(q.Expr, "2m", "1h"); strings.Contains(e, "$") {
			t.Errorf("%s / %s: variable left after Expand: %s", q.Dashboard, q.Panel, e)
		}
	}
}

// TestProvisioning checks that Grafana's provisioning matches the
// dashboards: the datasource uid they reference and the dashboard path.
func TestProvisioning(t *testing.T) {
	var ds struct {
		Datasources []struct {
			UID  string `yaml:"uid"`
			Type string `yaml:"type"`
		} `yaml:"datasources"`
	}
	readYAML(t, "provisioning/datasources/prometheus.yml", &ds)
	found := false
	for _, d := range ds.Datasources {
		found = found || (d.UID == DatasourceUID && d.Type == "prometheus")
	}
	if !found {
		t.Errorf("provisioning/datasources/prometheus.yml: no prometheus datasource with uid %q", DatasourceUID)
	}

	var dp struct {
		Providers []struct {
			Type    string `yaml:"type"`
			Options struct {
				Path string `yaml:"path"`
			} `yaml:"options"`
		} `yaml:"providers"`
	}
	readYAML(t, "provisioning/dashboards/cbec.yml", &dp)
	if len(dp.Providers) != 1 || dp.Providers[0].Type != "file" || dp.Providers[0].Options.Path != "/var/lib/grafana/dashboards" {
		t.Errorf("provisioning/dashboards/cbec.yml: providers %+v, want one file provider at /var/lib/grafana/dashboards", dp.Providers)
	}
}

// readYAML decodes the YAML file at path into v.
func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
