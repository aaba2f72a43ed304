package export

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sort"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/errcode"
	exportrule "github.com/cbec/cbec/pkg/export"
	"github.com/cbec/cbec/pkg/httpapi"
	"github.com/cbec/cbec/pkg/svc"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
)

func (x *Export) routes(mux *svc.Router) {
	mux.HandleFunc("GET /v1/export/lists/{ebpCode}/{orderNo}", x.handleList)
	mux.HandleFunc("GET /v1/export/summaries", x.handleSummaries)
}

// handleList answers an export list's state to its agent, platform,
// consignor and customs; anyone else gets the 404 of a missing list.
func (x *Export) handleList(w http.ResponseWriter, r *http.Request) {
	p, err := x.auth.Party(r)
	if err != nil {
		httpapi.WriteError(w, err, nil)
		return
	}
	var l List
	_, found, err := broker.GetJSON(r.Context(), x.kv, listKey(r.PathValue("ebpCode"), r.PathValue("orderNo")), &l)
	if err != nil {
		httpapi.WriteError(w, httpapi.StorageDown(err), nil)
		return
	}
	if !found || !p.IsCustoms() && !slices.Contains([]string{l.AgentCode, l.EbpCode, l.EbcCode}, p.Code) {
		httpapi.WriteError(w, errcode.New(errcode.NotFound, "no export list %s/%s for party %s", r.PathValue("ebpCode"), r.PathValue("orderNo"), p.Code), nil)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, l)
}

// SummariesResponse lists summary declarations.
type SummariesResponse struct {
	Summaries []Declaration `json:"summaries"`
}

// handleSummaries lists the summary declarations a party may see — its
// own as consignor or agent, all of them for customs — optionally of one
// month (?month=YYYY-MM) or only the overdue ones (?overdue=true).
func (x *Export) handleSummaries(w http.ResponseWriter, r *http.Request) {
	p, err := x.auth.Party(r)
	if err != nil {
		httpapi.WriteError(w, err, nil)
		return
	}
	q := r.URL.Query()
	onlyOverdue := q.Get("overdue") == "true"
	lister, err := x.kv.ListKeysFiltered(r.Context(), "sum.>")
	if err != nil && !errors.Is(err, jetstream.ErrNoKeysFound) {
		httpapi.WriteError(w, httpapi.StorageDown(err), nil)
		return
	}
	now := x.env.Clock.Now()
	out := SummariesResponse{Summaries: []Declaration{}}
	if lister != nil {
		for k := range lister.Keys() {
			var d Declaration
			if _, found, err := broker.GetJSON(r.Context(), x.kv, k, &d); err != nil || !found {
				continue
			}
			if !p.IsCustoms() && p.Code != d.Consignor && p.Code != d.AgentCode {
				continue
			}
			if m := q.Get("month"); m != "" && d.Month != m {
				continue
			}
			d.Overdue = exportrule.SummaryOverdue(d.Status, d.Month, now)
			if onlyOverdue && !d.Overdue {
				continue
			}
			out.Summaries = append(out.Summaries, d)
		}
	}
	sort.Slice(out.Summaries, func(i, j int) bool { return out.Summaries[i].Key < out.Summaries[j].Key })
	httpapi.WriteJSON(w, http.StatusOK, out)
}

var summariesDesc = prometheus.NewDesc("cbec_export_summaries", "Monthly summary declarations by state: due, declared, and overdue (due and past the 15th of the following month).", []string{"state"}, nil)

// summaryCollector counts the summary declarations at scrape time.
type summaryCollector struct{ x *Export }

// Describe implements prometheus.Collector.
func (c *summaryCollector) Describe(ch chan<- *prometheus.Desc) { ch <- summariesDesc }

// Collect implements prometheus.Collector.
func (c *summaryCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	counts := map[string]float64{exportrule.SummaryDue: 0, exportrule.SummaryDeclared: 0, "overdue": 0}
	lister, err := c.x.kv.ListKeysFiltered(ctx, "sum.>")
	if err == nil {
		now := c.x.env.Clock.Now()
		for k := range lister.Keys() {
			var d Declaration
			if _, found, err := broker.GetJSON(ctx, c.x.kv, k, &d); err != nil || !found {
				continue
			}
			counts[d.Status]++
			if exportrule.SummaryOverdue(d.Status, d.Month, now) {
				counts["overdue"]++
			}
		}
	}
	for state, n := range counts {
		ch <- prometheus.MustNewConstMetric(summariesDesc, prometheus.GaugeValue, n, state)
	}
}
