// Package metrics is the aggregate-volume service: it reads every domain
// event on CBEC_EVENTS and turns them into the numbers operators watch —
// declarations and their value by direction, trade mode, customs and
// platform, tax assessed, returns and quota restored, the review queue, and
// the year's trade against its target — served on /metrics.
//
// The aggregates are rebuilt from the stream at start (an ordered consumer
// from the first event), so a restart never makes a counter go backwards,
// and each event is applied once by its stream sequence, so a redelivery
// never counts twice. Run one replica: every replica counts everything.
package metrics

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/clock"
	"github.com/cbec/cbec/pkg/inventory"
	"github.com/cbec/cbec/pkg/svc"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/shopspring/decimal"
)

// Name is the service's name for --services.
const Name = "metrics"

// DefaultTarget is the default annual trade target in CNY: Chongqing's 2025
// goal of 70 billion yuan of cross-border e-commerce trade.
const DefaultTarget = 70_000_000_000

// Metrics is the aggregate-volume service.
type Metrics struct {
	env  *svc.Env
	cc   jetstream.ConsumeContext
	mu   sync.Mutex
	last uint64 // stream sequence of the last event applied

	declarations *prometheus.CounterVec
	value        *prometheus.CounterVec
	tax          *prometheus.CounterVec
	returns      *prometheus.CounterVec
	restored     *prometheus.CounterVec

	// review holds the lists waiting for an officer and since when.
	review map[string]time.Time
	// year holds the released value per year and direction.
	year map[int]map[string]decimal.Decimal
}

// New builds the metrics service and registers its collectors.
func New(_ context.Context, env *svc.Env) (svc.Service, error) {
	m := &Metrics{
		env: env, review: map[string]time.Time{}, year: map[int]map[string]decimal.Decimal{},
		declarations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cbec_declarations_total",
			Help: "Declaration steps reached, by direction (import, export), trade mode, customs code, platform and status.",
		}, []string{"direction", "trade_mode", "customs_code", "platform", "status"}),
		value: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cbec_declaration_value_cny_total",
			Help: "Value of released declarations in CNY (import: dutiable value; export: list value at the day's rate).",
		}, []string{"direction", "trade_mode", "customs_code"}),
		tax: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cbec_tax_assessed_cny_total",
			Help: "Retail import tax assessed on released declarations, by kind (duty, vat, consumption), in CNY.",
		}, []string{"kind"}),
		returns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cbec_returns_total",
			Help: "Return applications by zone and outcome (requested, accepted, rejected, expired).",
		}, []string{"zone", "outcome"}),
		restored: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cbec_quota_restored_cny_total",
			Help: "Annual quota given back to buyers by accepted returns, by zone, in CNY.",
		}, []string{"zone"}),
	}
	env.Registry.MustRegister(m.declarations, m.value, m.tax, m.returns, m.restored, m)
	return m, nil
}

// Name implements svc.Service.
func (m *Metrics) Name() string { return Name }

// Start replays CBEC_EVENTS from the first event and follows it.
func (m *Metrics) Start(ctx context.Context) error {
	cons, err := m.env.JS.OrderedConsumer(ctx, broker.StreamEvents, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{"cbec.evt.>"},
	})
	if err != nil {
		return err
	}
	cc, err := cons.Consume(func(msg jetstream.Msg) { m.apply(msg) })
	if err != nil {
		return err
	}
	m.cc = cc
	return nil
}

// Stop stops following the stream.
func (m *Metrics) Stop(context.Context) error {
	if m.cc != nil {
		m.cc.Stop()
	}
	return nil
}

// Notice payloads of the export and return events, as far as counted.
type exportNotice struct {
	Key    string    `json:"key"`
	Status string    `json:"status"`
	At     time.Time `json:"at"`
	List   struct {
		EbpCode     string          `json:"ebpCode"`
		CustomsCode string          `json:"customsCode"`
		TradeMode   string          `json:"tradeMode"`
		ValueCNY    decimal.Decimal `json:"valueCny"`
	} `json:"list"`
}

// releasedTax is the part of a released list's state the metrics count:
// the totals of its tax assessment (the field names of tax.Assessment).
type releasedTax struct {
	Tax *struct {
		DutiableValue decimal.Decimal `json:"dutiableValue"`
		Duty          decimal.Decimal `json:"customsTax"`
		VAT           decimal.Decimal `json:"valueAddedTax"`
		Consumption   decimal.Decimal `json:"consumptionTax"`
	} `json:"tax"`
}

type returnNotice struct {
	Status  string `json:"status"`
	Receipt string `json:"receipt"`
	Zone    string `json:"zone"`
	Record  struct {
		Restored *struct {
			Value decimal.Decimal `json:"value"`
		} `json:"restored"`
	} `json:"record"`
}

// apply counts one event, once.
func (m *Metrics) apply(msg jetstream.Msg) {
	md, err := msg.Metadata()
	if err != nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if md.Sequence.Stream <= m.last {
		return
	}
	m.last = md.Sequence.Stream
	// cbec.evt.<entity>.<event>
	parts := strings.Split(msg.Subject(), ".")
	if len(parts) != 4 {
		return
	}
	entity, event := parts[2], parts[3]
	switch entity {
	case "inventory", "review":
		var n inventory.Notice
		if broker.Decode(msg.Data(), &n) != nil {
			return
		}
		if entity == "review" {
			if event == "requested" {
				m.review[n.Key] = n.At
				m.declarations.WithLabelValues("import", n.TradeMode, n.CustomsCode, n.EbpCode, "review").Inc()
			}
			return
		}
		if event != "declared" && event != "accepted" && event != "concluded" {
			delete(m.review, n.Key) // decided, inspected or withdrawn: no longer waiting
		}
		if event == "concluded" {
			return
		}
		m.declarations.WithLabelValues("import", n.TradeMode, n.CustomsCode, n.EbpCode, event).Inc()
		if event == "released" && len(n.State) > 0 {
			// Only the tax totals: decoding the whole state (lines, history,
			// rule hits) for them cost more than counting the event.
			var st releasedTax
			if broker.Decode(n.State, &st) == nil && st.Tax != nil {
				m.value.WithLabelValues("import", n.TradeMode, n.CustomsCode).Add(st.Tax.DutiableValue.InexactFloat64())
				m.tax.WithLabelValues("duty").Add(st.Tax.Duty.InexactFloat64())
				m.tax.WithLabelValues("vat").Add(st.Tax.VAT.InexactFloat64())
				m.tax.WithLabelValues("consumption").Add(st.Tax.Consumption.InexactFloat64())
				m.addYear(n.At, "import", st.Tax.DutiableValue)
			}
		}
	case "export":
		var n exportNotice
		if broker.Decode(msg.Data(), &n) != nil {
			return
		}
		m.declarations.WithLabelValues("export", n.List.TradeMode, n.List.CustomsCode, n.List.EbpCode, event).Inc()
		if event == "released" {
			m.value.WithLabelValues("export", n.List.TradeMode, n.List.CustomsCode).Add(n.List.ValueCNY.InexactFloat64())
			m.addYear(n.At, "export", n.List.ValueCNY)
		}
	case "return":
		var n returnNotice
		if broker.Decode(msg.Data(), &n) != nil {
			return
		}
		switch event {
		case "requested", "rejected", "expired":
			// A requested return is answered twice (2, then 120 or 100):
			// count the application once, at its first step.
			if event == "requested" && n.Receipt != "2" {
				return
			}
			m.returns.WithLabelValues(n.Zone, event).Inc()
		case "accepted":
			m.returns.WithLabelValues(n.Zone, event).Inc()
			if n.Record.Restored != nil {
				m.restored.WithLabelValues(n.Zone).Add(n.Record.Restored.Value.InexactFloat64())
			}
		}
	}
}

// addYear adds a released value to its Asia/Shanghai calendar year.
func (m *Metrics) addYear(at time.Time, direction string, v decimal.Decimal) {
	y := at.In(clock.Shanghai).Year()
	if m.year[y] == nil {
		m.year[y] = map[string]decimal.Decimal{}
	}
	m.year[y][direction] = m.year[y][direction].Add(v)
}

var (
	queueDesc  = prometheus.NewDesc("cbec_review_queue_cases", "Declarations waiting for a customs officer (review requested, not yet decided).", nil, nil)
	oldestDesc = prometheus.NewDesc("cbec_review_oldest_case_age_seconds", "Age of the oldest declaration waiting for an officer (0 when none waits).", nil, nil)
	yearDesc   = prometheus.NewDesc("cbec_trade_value_year_cny", "Value of declarations released this calendar year (Asia/Shanghai), in CNY.", []string{"direction"}, nil)
	targetDesc = prometheus.NewDesc("cbec_trade_target_year_cny", "The annual cross-border e-commerce trade target, in CNY.", nil, nil)
)

// Describe implements prometheus.Collector for the gauges computed at scrape.
func (m *Metrics) Describe(ch chan<- *prometheus.Desc) {
	ch <- queueDesc
	ch <- oldestDesc
	ch <- yearDesc
	ch <- targetDesc
}

// Collect implements prometheus.Collector: the review queue's depth and age
// and the year's value are computed at scrape time against the clock.
func (m *Metrics) Collect(ch chan<- prometheus.Metric) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.env.Clock.Now()
	oldest := 0.0
	for _, since := range m.review {
		if age := now.Sub(since).Seconds(); age > oldest {
			oldest = age
		}
	}
	ch <- prometheus.MustNewConstMetric(queueDesc, prometheus.GaugeValue, float64(len(m.review)))
	ch <- prometheus.MustNewConstMetric(oldestDesc, prometheus.GaugeValue, oldest)
	y := m.year[now.In(clock.Shanghai).Year()]
	for _, dir := range []string{"import", "export"} {
		ch <- prometheus.MustNewConstMetric(yearDesc, prometheus.GaugeValue, y[dir].InexactFloat64(), dir)
	}
	target := m.env.TradeTarget
	if target <= 0 {
		target = DefaultTarget
	}
	ch <- prometheus.MustNewConstMetric(targetDesc, prometheus.GaugeValue, target)
}
