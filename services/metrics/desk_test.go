package metrics_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/clock"
	"github.com/cbec/cbec/pkg/inventory"
	"github.com/cbec/cbec/pkg/natstest"
	"github.com/cbec/cbec/pkg/risk"
	"github.com/cbec/cbec/pkg/svc"
	"github.com/cbec/cbec/pkg/telemetry"
	"github.com/cbec/cbec/services/metrics"
	st "github.com/cbec/cbec/services/servicetest"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
)

// deskBench is a bare server with nothing but the metrics service, so that
// the test publishes exactly the desk's events and knows every answer.
type deskBench struct {
	t   *testing.T
	e   *broker.Embedded
	js  jetstream.JetStream
	env *svc.Env
	clk *clock.Settable
}

func newDeskBench(t *testing.T) *deskBench {
	e, nc, js := natstest.RunSecured(t)
	env, err := st.NewEnv(nc, js)
	if err != nil {
		t.Fatal(err)
	}
	return &deskBench{t: t, e: e, js: js, env: env, clk: env.DevClock}
}

// start runs a metrics service of its own, as a restarted process would.
func (b *deskBench) start() (svc.Service, *prometheus.Registry) {
	b.t.Helper()
	env := *b.env
	env.NC, env.JS = natstest.ConnectAs(b.t, b.e, metrics.Name)
	env.Registry = telemetry.NewRegistry()
	env.Mux = svc.NewRouter()
	s, err := metrics.New(context.Background(), &env)
	if err != nil {
		b.t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		b.t.Fatal(err)
	}
	b.t.Cleanup(func() { _ = s.Stop(context.Background()) })
	return s, env.Registry
}

func (b *deskBench) publish(subject string, v any) {
	b.t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		b.t.Fatal(err)
	}
	if _, err := b.js.Publish(context.Background(), subject, data); err != nil {
		b.t.Fatal(err)
	}
}

// requested holds list key for review at at, by rules.
func (b *deskBench) requested(key string, at time.Time, rules ...string) {
	var hits []risk.Hit
	for _, r := range rules {
		hits = append(hits, risk.Hit{RuleID: r, Action: risk.Review})
	}
	state, _ := json.Marshal(map[string]any{"hits": hits})
	b.publish(broker.EventSubject("review", "requested"), inventory.Notice{Key: key, Status: "300", At: at, State: state})
}

// audit publishes a review desk audit entry of officer.
func (b *deskBench) audit(officer, key, action string, at, requested time.Time, decision string) {
	e := map[string]any{"case": key, "action": action, "officer": officer, "at": at, "requestedAt": requested}
	if decision != "" {
		e["decision"] = inventory.ReviewDecision{Key: key, Decision: decision, Officer: officer}
	}
	b.publish("cbec.audit."+officer, e)
}

func (b *deskBench) decided(officer, key, decision string) {
	b.publish(broker.EventSubject("review", "decided"), inventory.ReviewDecision{Key: key, Decision: decision, Officer: officer})
}

// histogram reads the histogram name with labels from reg; nil if absent.
func histogram(t *testing.T, reg *prometheus.Registry, name string, labels map[string]string) *dto.Histogram {
	t.Helper()
	return metric(t, reg, name, labels).GetHistogram()
}

// deskWant are the desk's numbers after the bench's traffic.
var deskWant = []struct {
	name   string
	labels map[string]string
	want   float64
}{
	{"cbec_rule_hits_total", map[string]string{"rule": "R001", "action": "review"}, 4},
	{"cbec_rule_hits_total", map[string]string{"rule": "R002", "action": "review"}, 1},
	{"cbec_rule_hits_total", map[string]string{"rule": "R006", "action": "reject"}, 1},
	{"cbec_review_rule_outcomes_total", map[string]string{"rule": "R001", "outcome": "released"}, 1},
	{"cbec_review_rule_outcomes_total", map[string]string{"rule": "R001", "outcome": "rejected"}, 1},
	{"cbec_review_rule_outcomes_total", map[string]string{"rule": "R002", "outcome": "rejected"}, 1},
	{"cbec_review_rule_outcomes_total", map[string]string{"rule": "R001", "outcome": "withdrawn"}, 1},
	{"cbec_review_decisions_total", map[string]string{"officer": "OFFICER01", "decision": "release"}, 1},
	// An officer code outside the parties file is not a label value.
	{"cbec_review_decisions_total", map[string]string{"officer": "other", "decision": "reject"}, 1},
	{"cbec_rule_hits_total", map[string]string{"rule": "R003", "action": "review"}, 2},
	{"cbec_review_queue_age_cases", map[string]string{"age": "0-1h"}, 1},
	{"cbec_review_queue_age_cases", map[string]string{"age": "1-4h"}, 1},
	{"cbec_review_queue_age_cases", map[string]string{"age": "4-24h"}, 1},
	{"cbec_review_queue_age_cases", map[string]string{"age": "24h+"}, 1},
}

// traffic is six lists held for review — K1 (R001) just now, K2 (R001,
// R002) five hours ago, K3 (R001) thirty hours ago, K4 (R001) two hours
// ago, K6 (R003) ten minutes ago, K8 (R003) forty hours ago — and K5
// rejected by R006. K1 is claimed after 10 minutes, unclaimed, claimed
// again and released after 20 and leaves the queue; K2 is rejected by an
// officer unknown to the parties file (clearance has not yet applied it:
// still queued); K3 is withdrawn; K4 stays claimed. Then 30 minutes pass:
// the queue is K6 (40 min), K4 (2.5 h), K2 (5.5 h), K8 (40.5 h).
func (b *deskBench) traffic() {
	now := b.clk.Now()
	t1, t2, t3, t4 := now, now.Add(-5*time.Hour), now.Add(-30*time.Hour), now.Add(-2*time.Hour)
	b.requested("inv.K1", t1, "R001")
	b.requested("inv.K2", t2, "R001", "R002")
	b.requested("inv.K3", t3, "R001")
	b.requested("inv.K4", t4, "R001")
	b.requested("inv.K6", now.Add(-10*time.Minute), "R003")
	b.requested("inv.K8", now.Add(-40*time.Hour), "R003")
	rejected, _ := json.Marshal(map[string]any{"hits": []risk.Hit{{RuleID: "R006", Action: risk.Reject}}})
	b.publish(broker.EventSubject("inventory", "rejected"), inventory.Notice{Key: "inv.K5", Status: "100", At: now, State: rejected})

	b.audit("OFFICER01", "inv.K1", "claim", t1.Add(10*time.Minute), t1, "")
	b.audit("OFFICER01", "inv.K1", "unclaim", t1.Add(12*time.Minute), t1, "")
	b.audit("OFFICER01", "inv.K1", "claim", t1.Add(15*time.Minute), t1, "")
	b.audit("OFFICER01", "inv.K1", "release", t1.Add(20*time.Minute), t1, inventory.DecisionRelease)
	b.decided("OFFICER01", "inv.K1", inventory.DecisionRelease)
	b.publish(broker.EventSubject("inventory", "released"), inventory.Notice{Key: "inv.K1", Status: "800", At: now})
	b.audit("GHOST9", "inv.K2", "reject", t2.Add(time.Hour), t2, inventory.DecisionReject)
	b.decided("GHOST9", "inv.K2", inventory.DecisionReject)
	b.publish(broker.EventSubject("inventory", "cancelled"), inventory.Notice{Key: "inv.K3", Status: "100", At: now})
	b.audit("OFFICER01", "inv.K4", "claim", t4.Add(time.Hour), t4, "")
	// An operator's entry on the same stream is not the desk's.
	b.publish("cbec.audit.OPS01", map[string]any{"actor": "OPS01", "action": "warehouse.put", "at": now})
	b.clk.Set(now.Add(30 * time.Minute))
}

// check asserts the desk's numbers on reg, waiting for the events to be
// applied.
func (b *deskBench) check(reg *prometheus.Registry) {
	b.t.Helper()
	t := b.t
	natstest.Eventually(t, 10*time.Second, func() bool {
		h := histogram(t, reg, "cbec_review_decision_seconds", map[string]string{"action": "reject"})
		return h != nil && value(t, reg, "cbec_review_rule_outcomes_total", map[string]string{"rule": "R001", "outcome": "withdrawn"}) == 1 &&
			value(t, reg, "cbec_rule_hits_total", map[string]string{"rule": "R006"}) == 1
	}, "desk events applied")
	for _, w := range deskWant {
		if got := value(t, reg, w.name, w.labels); got != w.want {
			t.Errorf("%s%v = %v, want %v", w.name, w.labels, got, w.want)
		}
	}
	// First claims only: K1 after 600 s (its second claim is not a first),
	// K4 after 3600 s.
	claim := histogram(t, reg, "cbec_review_claim_seconds", nil)
	if claim.GetSampleCount() != 2 || claim.GetSampleSum() != 4200 {
		t.Errorf("claim time: %d observations, sum %v; want 2, 4200", claim.GetSampleCount(), claim.GetSampleSum())
	}
	for _, bk := range claim.GetBucket() {
		if bk.GetUpperBound() == 900 && bk.GetCumulativeCount() != 1 {
			t.Errorf("claims within 15 min: %d, want 1", bk.GetCumulativeCount())
		}
	}
	rel := histogram(t, reg, "cbec_review_decision_seconds", map[string]string{"action": "release"})
	rej := histogram(t, reg, "cbec_review_decision_seconds", map[string]string{"action": "reject"})
	if rel.GetSampleCount() != 1 || rel.GetSampleSum() != 1200 || rej.GetSampleCount() != 1 || rej.GetSampleSum() != 3600 {
		t.Errorf("decision time: release %d/%v, reject %d/%v; want 1/1200, 1/3600",
			rel.GetSampleCount(), rel.GetSampleSum(), rej.GetSampleCount(), rej.GetSampleSum())
	}
}

// The desk's aggregates from events: rule hits and outcomes, decisions by
// officer, queue age buckets, and claim and decision times — each event
// once, through a restart from the snapshot and through a full replay.
func TestDeskAggregates(t *testing.T) {
	b := newDeskBench(t)
	first, reg := b.start()
	b.traffic()
	b.check(reg)
	problems, err := testutil.GatherAndLint(reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint %s: %s", p.Metric, p.Text)
	}

	// Restart from the snapshot written at Stop: the same numbers, and a
	// new claim and decision count once.
	if err := first.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, again := b.start()
	b.check(again)
	t4 := b.clk.Now().Add(-150 * time.Minute)
	b.audit("OFFICER01", "inv.K4", "claim", b.clk.Now(), t4, "") // not a first claim: the snapshot remembers
	b.audit("OFFICER01", "inv.K4", "release", b.clk.Now(), t4, inventory.DecisionRelease)
	b.decided("OFFICER01", "inv.K4", inventory.DecisionRelease)
	natstest.Eventually(t, 10*time.Second, func() bool {
		return value(t, again, "cbec_review_rule_outcomes_total", map[string]string{"rule": "R001", "outcome": "released"}) == 2
	}, "K4's release counted")
	if got := value(t, again, "cbec_review_decisions_total", map[string]string{"officer": "OFFICER01", "decision": "release"}); got != 2 {
		t.Errorf("OFFICER01 releases %v after the restart, want 2", got)
	}
	if c := histogram(t, again, "cbec_review_claim_seconds", nil).GetSampleCount(); c != 2 {
		t.Errorf("first claims %d after K4's second claim, want 2", c)
	}
	if rel := histogram(t, again, "cbec_review_decision_seconds", map[string]string{"action": "release"}); rel.GetSampleCount() != 2 {
		t.Errorf("release times %d, want 2", rel.GetSampleCount())
	}

	// With no snapshot, a new instance replays both streams to the same
	// numbers.
	kv, err := b.js.KeyValue(context.Background(), broker.BucketMetrics)
	if err != nil {
		t.Fatal(err)
	}
	if err := kv.Purge(context.Background(), "aggregates"); err != nil {
		t.Fatal(err)
	}
	_, replay := b.start()
	natstest.Eventually(t, 10*time.Second, func() bool {
		return value(t, replay, "cbec_review_rule_outcomes_total", map[string]string{"rule": "R001", "outcome": "released"}) == 2 &&
			histogram(t, replay, "cbec_review_claim_seconds", nil).GetSampleCount() == 2
	}, "replayed desk")
	for _, w := range deskWant {
		if got, want := value(t, replay, w.name, w.labels), value(t, again, w.name, w.labels); got != want {
			t.Errorf("replayed %s%v = %v, restored %v", w.name, w.labels, got, want)
		}
	}
}
