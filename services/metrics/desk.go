package metrics

import (
	"context"
	"encoding/json"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/inventory"
	"github.com/cbec/cbec/pkg/party"
	"github.com/cbec/cbec/pkg/risk"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
)

// The review desk's numbers: how deep and how old the queue is, how long a
// case waits for an officer and for a decision, what each officer decides,
// and what becomes of the cases each risk rule holds. The rules' share of
// cases released unchanged tells analysts which rules to retire.
//
// Rule hits and outcomes come from CBEC_EVENTS (review.requested holds the
// rules, review.decided the officer's decision: one stream, so always in
// order); claim and decision times from the review desk's audit entries on
// CBEC_AUDIT, which carry the case's request time, so neither stream waits
// for the other.

// claimForget is how long after its request a claimed case that never got
// a final decision (withdrawn while claimed) is kept to tell a first claim
// from a later one; after that it is forgotten, so the map stays bounded.
const claimForget = 30 * 24 * time.Hour

// waitBuckets are the upper bounds, in seconds, of the claim and decision
// time histograms: a minute to a week, the range of a desk's service level.
var waitBuckets = []float64{60, 300, 900, 1800, 3600, 2 * 3600, 4 * 3600, 8 * 3600, 24 * 3600, 48 * 3600, 7 * 24 * 3600}

// ageBuckets are the review queue's age buckets: a case of age a is in the
// first bucket whose bound exceeds a.
var ageBuckets = []struct {
	label string
	below time.Duration
}{{"0-1h", time.Hour}, {"1-4h", 4 * time.Hour}, {"4-24h", 24 * time.Hour}, {"24h+", 1<<63 - 1}}

// Outcomes of a rule's hit, by the officer's first decision on the case.
const (
	outcomeReleased  = "released" // released by an officer without inspection: the rule held for nothing
	outcomeRejected  = "rejected"
	outcomeInspected = "inspected"
	outcomeWithdrawn = "withdrawn" // the list left review (cancelled) before any decision
)

// outcomes maps a review decision to the outcome of the rules that held it.
var outcomes = map[string]string{
	inventory.DecisionRelease: outcomeReleased,
	inventory.DecisionReject:  outcomeRejected,
	inventory.DecisionInspect: outcomeInspected,
}

// hist is a histogram as kept in the snapshot: observations per bucket of
// waitBuckets (the last slot counts those above every bound), their count
// and sum.
type hist struct {
	Counts []uint64 `json:"counts"`
	Count  uint64   `json:"count"`
	Sum    float64  `json:"sum"`
}

// observe adds one observation of v seconds.
func (h *hist) observe(v float64) {
	if len(h.Counts) != len(waitBuckets)+1 {
		h.Counts = make([]uint64, len(waitBuckets)+1)
	}
	i := 0
	for i < len(waitBuckets) && v > waitBuckets[i] {
		i++
	}
	h.Counts[i]++
	h.Count++
	h.Sum += v
}

// metric is h as a Prometheus histogram with the label values lvs.
func (h *hist) metric(d *prometheus.Desc, lvs ...string) prometheus.Metric {
	buckets := make(map[float64]uint64, len(waitBuckets))
	var cum uint64
	for i, b := range waitBuckets {
		if i < len(h.Counts) {
			cum += h.Counts[i]
		}
		buckets[b] = cum
	}
	return prometheus.MustNewConstHistogram(d, h.Count, h.Sum, buckets, lvs...)
}

// desk holds the review desk's aggregates other than counters.
type desk struct {
	// held are the rule ids that held each list waiting for its first
	// decision.
	held map[string][]string
	// claimed are the cases claimed at least once and not yet finally
	// decided, with their request time: a later claim is not a first one.
	claimed map[string]time.Time
	// claim times the first claim; decide times decisions by action.
	claim  hist
	decide map[string]*hist
	// auditAt is the time of the last audit entry applied: the clock by
	// which claimed is pruned, the same on every replay.
	auditAt time.Time
}

func newDesk() desk {
	return desk{held: map[string][]string{}, claimed: map[string]time.Time{}, decide: map[string]*hist{}}
}

// deskSnapshot is the desk's part of the snapshot.
type deskSnapshot struct {
	AuditSeq uint64               `json:"auditSeq"`
	Held     map[string][]string  `json:"held"`
	Claimed  map[string]time.Time `json:"claimed"`
	Claim    hist                 `json:"claim"`
	Decide   map[string]*hist     `json:"decide"`
	AuditAt  time.Time            `json:"auditAt"`
}

func (d *desk) snapshot(auditSeq uint64) *deskSnapshot {
	return &deskSnapshot{AuditSeq: auditSeq, Held: d.held, Claimed: d.claimed, Claim: d.claim, Decide: d.decide, AuditAt: d.auditAt}
}

func (d *desk) restore(s *deskSnapshot) {
	if s.Held != nil {
		d.held = s.Held
	}
	if s.Claimed != nil {
		d.claimed = s.Claimed
	}
	if s.Decide != nil {
		d.decide = s.Decide
	}
	d.claim, d.auditAt = s.Claim, s.AuditAt
}

// deskCounters are the desk's counters, kept in the snapshot with the
// others.
type deskCounters struct {
	decisions *prometheus.CounterVec
	hits      *prometheus.CounterVec
	outcomes  *prometheus.CounterVec
}

func newDeskCounters() deskCounters {
	return deskCounters{
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cbec_review_decisions_total",
			Help: "Officers' review decisions by officer code (officers of the parties file; other for any other) and decision (release, reject, inspect, detain).",
		}, []string{"officer", "decision"}),
		hits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cbec_rule_hits_total",
			Help: "Risk rule hits on import declarations, by rule id and action (review: held for an officer; reject: refused).",
		}, []string{"rule", "action"}),
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cbec_review_rule_outcomes_total",
			Help: "What became of the declarations each risk rule held for review, by the officer's first decision: released (unchanged), rejected, inspected, or withdrawn before any decision.",
		}, []string{"rule", "outcome"}),
	}
}

// heldHits is the part of a list's state the desk counts: its rule hits.
type heldHits struct {
	Hits []risk.Hit `json:"hits"`
}

// countHits counts the hits of action in a list's state (a review request
// holds review hits; a rejection's state may also hold review hits that
// did not decide, which are not counted again). It returns the rule ids.
func (m *Metrics) countHits(hits []risk.Hit, action risk.Action) []string {
	var ids []string
	for _, h := range hits {
		if h.Action != action {
			continue
		}
		m.deskVec.hits.WithLabelValues(h.RuleID, string(action)).Inc()
		ids = append(ids, h.RuleID)
	}
	return ids
}

// requested records the rules that held a list for review.
func (m *Metrics) requested(n inventory.Notice) {
	var st heldHits
	if len(n.State) == 0 || broker.Decode(n.State, &st) != nil {
		return
	}
	if ids := m.countHits(st.Hits, risk.Review); len(ids) > 0 {
		m.desk.held[n.Key] = ids
	}
}

// decided counts an officer's decision, and the first decision on a case
// as the outcome of the rules that held it.
func (m *Metrics) decided(data []byte) {
	var d inventory.ReviewDecision
	if broker.Decode(data, &d) != nil || d.Decision == "" {
		return
	}
	m.deskVec.decisions.WithLabelValues(m.officer(d.Officer), d.Decision).Inc()
	m.outcome(d.Key, outcomes[d.Decision])
}

// outcome counts the outcome of the rules that held list key, if it still
// waits for its first decision.
func (m *Metrics) outcome(key, outcome string) {
	ids, ok := m.desk.held[key]
	if !ok || outcome == "" {
		return
	}
	for _, id := range ids {
		m.deskVec.outcomes.WithLabelValues(id, outcome).Inc()
	}
	delete(m.desk.held, key)
}

// officer is the officer label of code: the code of an officer of the
// parties file, else "other", so the label's values are bounded by the
// parties file and hold nothing but officer codes.
func (m *Metrics) officer(code string) string {
	if m.env.Parties != nil {
		if p, ok := m.env.Parties.ByCode(code); ok && p.Has(party.RoleOfficer) {
			return code
		}
	}
	return "other"
}

// auditEntry is the part of a review desk audit entry the desk times.
// Other actors' entries (operators') have no case and are skipped.
type auditEntry struct {
	Case        string    `json:"case"`
	Action      string    `json:"action"`
	At          time.Time `json:"at"`
	RequestedAt time.Time `json:"requestedAt"`
	Decision    *struct {
		Decision string `json:"decision"`
	} `json:"decision"`
}

// applyAudit times one audit entry of CBEC_AUDIT, once.
func (m *Metrics) applyAudit(msg jetstream.Msg) {
	md, err := msg.Metadata()
	if err != nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if md.Sequence.Stream <= m.auditLast {
		return
	}
	m.auditLast = md.Sequence.Stream
	var e auditEntry
	if json.Unmarshal(msg.Data(), &e) != nil || e.Case == "" || e.RequestedAt.IsZero() {
		return
	}
	if e.At.After(m.desk.auditAt) {
		m.desk.auditAt = e.At
	}
	wait := max(e.At.Sub(e.RequestedAt).Seconds(), 0)
	switch {
	case e.Action == "claim" || e.Action == "reassign":
		// A supervisor's reassignment of an unclaimed case is its first
		// hold as much as an officer's own claim.
		if _, again := m.desk.claimed[e.Case]; !again {
			m.desk.claim.observe(wait)
			m.desk.claimed[e.Case] = e.RequestedAt
		}
	case e.Decision != nil:
		h := m.desk.decide[e.Action]
		if h == nil {
			h = &hist{}
			m.desk.decide[e.Action] = h
		}
		h.observe(wait)
		if e.Decision.Decision != inventory.DecisionInspect {
			delete(m.desk.claimed, e.Case) // final: no claim follows
		}
	}
}

// prune forgets claimed cases requested claimForget before the last audit
// entry: cases withdrawn while claimed, which no final decision removes.
func (d *desk) prune() {
	for k, at := range d.claimed {
		if d.auditAt.Sub(at) > claimForget {
			delete(d.claimed, k)
		}
	}
}

// followAudit starts the ordered consumer of the review desk's audit
// entries after sequence m.auditLast.
func (m *Metrics) followAudit(ctx context.Context) (jetstream.ConsumeContext, error) {
	cfg := jetstream.OrderedConsumerConfig{FilterSubjects: []string{"cbec.audit.>"}}
	if m.auditLast > 0 {
		cfg.DeliverPolicy = jetstream.DeliverByStartSequencePolicy
		cfg.OptStartSeq = m.auditLast + 1
	}
	cons, err := m.env.JS.OrderedConsumer(ctx, broker.StreamAudit, cfg)
	if err != nil {
		return nil, err
	}
	return cons.Consume(func(msg jetstream.Msg) { m.applyAudit(msg) })
}

var (
	queueAgeDesc = prometheus.NewDesc("cbec_review_queue_age_cases", "Declarations waiting for an officer, by age since review was requested (0-1h, 1-4h, 4-24h, 24h+).", []string{"age"}, nil)
	claimDesc    = prometheus.NewDesc("cbec_review_claim_seconds", "Time from a declaration's review request to its first claim by an officer.", nil, nil)
	decideDesc   = prometheus.NewDesc("cbec_review_decision_seconds", "Time from a declaration's review request to an officer's decision, by action (release, reject, inspect, inspection-result).", []string{"action"}, nil)
)

// collectDesk sends the desk's gauges and histograms; m.mu is held.
func (m *Metrics) collectDesk(ch chan<- prometheus.Metric, now time.Time) {
	counts := make([]int, len(ageBuckets))
	for _, since := range m.review {
		age := now.Sub(since)
		for i, b := range ageBuckets {
			if age < b.below {
				counts[i]++
				break
			}
		}
	}
	for i, b := range ageBuckets {
		ch <- prometheus.MustNewConstMetric(queueAgeDesc, prometheus.GaugeValue, float64(counts[i]), b.label)
	}
	ch <- m.desk.claim.metric(claimDesc)
	for action, h := range m.desk.decide {
		ch <- h.metric(decideDesc, action)
	}
}
