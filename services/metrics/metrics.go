// Package metrics is the aggregate-volume service: it reads every domain
// event on CBEC_EVENTS and turns them into the numbers operators watch —
// declarations and their value by direction, trade mode, customs and
// platform, tax assessed, returns and quota restored, the review queue, and
// the year's trade against its target — served on /metrics.
//
// The service keeps aggregates, never events. Every SnapshotEvery it writes
// them, with the stream sequence of the last event applied, to the bucket
// CBEC_METRICS; at start it restores that snapshot and replays only the
// events after it (an ordered consumer from the next sequence; from the
// first event when there is no snapshot), so a restart neither makes a
// counter go backwards nor costs time or memory in proportion to history.
// Each event is applied once by its stream sequence, so a redelivery never
// counts twice. The review desk's audit entries on CBEC_AUDIT are followed
// the same way, by their own sequence (desk.go). Run one replica: every
// replica counts everything.
package metrics

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/clock"
	"github.com/cbec/cbec/pkg/inventory"
	"github.com/cbec/cbec/pkg/risk"
	"github.com/cbec/cbec/pkg/svc"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/shopspring/decimal"
)

// SnapshotEvery is how often the aggregates are written to CBEC_METRICS
// (when an event was applied since); a restart replays at most that much
// of the stream, plus what arrived while the service was down.
const SnapshotEvery = 10 * time.Second

// snapshotKey is the snapshot's key in CBEC_METRICS.
const snapshotKey = "aggregates"

// snapshot is the aggregates as of stream sequence Seq of CBEC_EVENTS.
type snapshot struct {
	Seq      uint64                             `json:"seq"`
	Counters map[string][]sample                `json:"counters"`
	Review   map[string]time.Time               `json:"review"`
	Year     map[int]map[string]decimal.Decimal `json:"year"`
	// Desk is the review desk's aggregates and the CBEC_AUDIT sequence
	// they are as of; absent in snapshots of older versions.
	Desk *deskSnapshot `json:"desk,omitempty"`
}

// sample is one counter of a vector: its labels and value.
type sample struct {
	Labels map[string]string `json:"labels"`
	Value  float64           `json:"value"`
}

// Name is the service's name for --services.
const Name = "metrics"

// DefaultTarget is the default annual trade target in CNY: Chongqing's 2025
// goal of 70 billion yuan of cross-border e-commerce trade.
const DefaultTarget = 70_000_000_000

// Metrics is the aggregate-volume service.
type Metrics struct {
	env  *svc.Env
	cc   jetstream.ConsumeContext
	ac   jetstream.ConsumeContext // the audit entries' consumer
	mu   sync.Mutex
	last uint64 // stream sequence of the last event applied
	// auditLast is the CBEC_AUDIT sequence of the last audit entry applied.
	auditLast uint64

	kv    jetstream.KeyValue
	saved uint64 // sequence of the last snapshot written
	// auditSaved is the CBEC_AUDIT sequence of the last snapshot written.
	auditSaved uint64
	stop       chan struct{}
	done       chan struct{}

	declarations *prometheus.CounterVec
	value        *prometheus.CounterVec
	tax          *prometheus.CounterVec
	returns      *prometheus.CounterVec
	restored     *prometheus.CounterVec

	// review holds the lists waiting for an officer and since when.
	review map[string]time.Time
	// year holds the released value per year and direction.
	year map[int]map[string]decimal.Decimal
	// desk holds the review desk's rule holds, claims and wait times;
	// deskVec its counters.
	desk    desk
	deskVec deskCounters
}

// New builds the metrics service and registers its collectors.
func New(_ context.Context, env *svc.Env) (svc.Service, error) {
	m := &Metrics{
		env: env, review: map[string]time.Time{}, year: map[int]map[string]decimal.Decimal{},
		desk: newDesk(), deskVec: newDeskCounters(),
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
	env.Registry.MustRegister(m.declarations, m.value, m.tax, m.returns, m.restored,
		m.deskVec.decisions, m.deskVec.hits, m.deskVec.outcomes, m)
	return m, nil
}

// Name implements svc.Service.
func (m *Metrics) Name() string { return Name }

// vectors are the counters a snapshot holds, by name.
func (m *Metrics) vectors() map[string]*prometheus.CounterVec {
	return map[string]*prometheus.CounterVec{
		"declarations": m.declarations, "value": m.value, "tax": m.tax, "returns": m.returns, "restored": m.restored,
		"reviewDecisions": m.deskVec.decisions, "ruleHits": m.deskVec.hits, "ruleOutcomes": m.deskVec.outcomes,
	}
}

// Start restores the last snapshot, replays CBEC_EVENTS after it and
// follows the stream, writing a snapshot every SnapshotEvery.
func (m *Metrics) Start(ctx context.Context) error {
	kv, err := m.env.JS.KeyValue(ctx, broker.BucketMetrics)
	if err != nil {
		return err
	}
	m.kv = kv
	if err := m.restore(ctx); err != nil {
		return err
	}
	cfg := jetstream.OrderedConsumerConfig{FilterSubjects: []string{"cbec.evt.>"}}
	if m.last > 0 {
		cfg.DeliverPolicy = jetstream.DeliverByStartSequencePolicy
		cfg.OptStartSeq = m.last + 1
	}
	cons, err := m.env.JS.OrderedConsumer(ctx, broker.StreamEvents, cfg)
	if err != nil {
		return err
	}
	cc, err := cons.Consume(func(msg jetstream.Msg) { m.apply(msg) })
	if err != nil {
		return err
	}
	m.cc = cc
	ac, err := m.followAudit(ctx)
	if err != nil {
		cc.Stop()
		m.cc = nil
		return err
	}
	m.ac = ac
	m.stop, m.done = make(chan struct{}), make(chan struct{})
	go m.snapshots()
	return nil
}

// Stop stops following the stream and writes a last snapshot. A second
// Stop does nothing.
func (m *Metrics) Stop(ctx context.Context) error {
	if m.cc == nil {
		return nil
	}
	m.cc.Stop()
	m.ac.Stop()
	m.cc, m.ac = nil, nil
	close(m.stop)
	<-m.done
	return m.save(ctx)
}

// snapshots writes a snapshot every SnapshotEvery until Stop.
func (m *Metrics) snapshots() {
	defer close(m.done)
	t := time.NewTicker(SnapshotEvery)
	defer t.Stop()
	for {
		select {
		case <-m.stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			if err := m.save(ctx); err != nil {
				m.env.Log.Warn("metrics snapshot not written", "err", err)
			}
			cancel()
		}
	}
}

// save writes the aggregates when an event was applied since the last
// snapshot. The snapshot is taken under the lock, so its counters are
// exactly those of its sequence.
func (m *Metrics) save(ctx context.Context) error {
	m.mu.Lock()
	if m.last == m.saved && m.auditLast == m.auditSaved {
		m.mu.Unlock()
		return nil
	}
	m.desk.prune()
	snap := snapshot{Seq: m.last, Counters: map[string][]sample{}, Review: m.review, Year: m.year, Desk: m.desk.snapshot(m.auditLast)}
	for name, vec := range m.vectors() {
		snap.Counters[name] = samples(vec)
	}
	b, err := json.Marshal(snap)
	m.mu.Unlock()
	if err != nil {
		return err
	}
	if _, err := m.kv.Put(ctx, snapshotKey, b); err != nil {
		return err
	}
	m.mu.Lock()
	m.saved = max(m.saved, snap.Seq)
	m.auditSaved = max(m.auditSaved, snap.Desk.AuditSeq)
	m.mu.Unlock()
	return nil
}

// samples reads every counter of vec.
func samples(vec *prometheus.CounterVec) []sample {
	ch := make(chan prometheus.Metric, 64)
	go func() { vec.Collect(ch); close(ch) }()
	var out []sample
	for c := range ch {
		var d dto.Metric
		if c.Write(&d) != nil || d.GetCounter() == nil {
			continue
		}
		s := sample{Labels: map[string]string{}, Value: d.GetCounter().GetValue()}
		for _, lp := range d.GetLabel() {
			s.Labels[lp.GetName()] = lp.GetValue()
		}
		out = append(out, s)
	}
	return out
}

// restore loads the last snapshot, unless there is none or it is ahead of
// the stream (a stream recreated since): then everything is replayed.
func (m *Metrics) restore(ctx context.Context) error {
	e, err := m.kv.Get(ctx, snapshotKey)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	var snap snapshot
	if err := json.Unmarshal(e.Value(), &snap); err != nil {
		m.env.Log.Warn("metrics snapshot unreadable; replaying every event", "err", err)
		return nil
	}
	st, err := m.env.JS.Stream(ctx, broker.StreamEvents)
	if err != nil {
		return err
	}
	if last := st.CachedInfo().State.LastSeq; snap.Seq > last {
		m.env.Log.Warn("metrics snapshot ahead of the stream; replaying every event", "snapshot", snap.Seq, "stream", last)
		return nil
	}
	if snap.Desk != nil {
		au, err := m.env.JS.Stream(ctx, broker.StreamAudit)
		if err != nil {
			return err
		}
		if last := au.CachedInfo().State.LastSeq; snap.Desk.AuditSeq > last {
			m.env.Log.Warn("metrics snapshot ahead of the audit stream; replaying every event", "snapshot", snap.Desk.AuditSeq, "stream", last)
			return nil
		}
	}
	vecs := m.vectors()
	for name, ss := range snap.Counters {
		vec, ok := vecs[name]
		if !ok {
			continue
		}
		for _, s := range ss {
			c, err := vec.GetMetricWith(s.Labels)
			if err != nil {
				continue // a label set of an older version
			}
			c.Add(s.Value)
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if snap.Review != nil {
		m.review = snap.Review
	}
	if snap.Year != nil {
		m.year = snap.Year
	}
	m.last, m.saved = snap.Seq, snap.Seq
	if snap.Desk != nil {
		m.desk.restore(snap.Desk)
		m.auditLast, m.auditSaved = snap.Desk.AuditSeq, snap.Desk.AuditSeq
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
	if entity == "review" && event == "decided" {
		m.decided(msg.Data())
		return
	}
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
				m.requested(n)
			}
			return
		}
		if event != "declared" && event != "accepted" && event != "concluded" {
			delete(m.review, n.Key) // decided, inspected or withdrawn: no longer waiting
			// A decision came first on review.decided; a list that leaves
			// review without one was withdrawn.
			m.outcome(n.Key, outcomeWithdrawn)
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
		if event == "rejected" && len(n.State) > 0 {
			var st heldHits
			if broker.Decode(n.State, &st) == nil {
				m.countHits(st.Hits, risk.Reject)
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
	ch <- queueAgeDesc
	ch <- claimDesc
	ch <- decideDesc
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
	m.collectDesk(ch, now)
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
