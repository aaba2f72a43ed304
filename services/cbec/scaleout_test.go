package main

import (
	"bufio"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cbec/cbec/pkg/natstest"
)

// TestScaleOutThreeClearanceReplicas runs the services split, each in a
// process of its own, with three clearance replicas sharing the durable
// consumer, against a 3-node JetStream cluster with R3 streams and
// buckets: every declaration is decided exactly once, the quota ledger
// holds exactly what the lists count, and each replica took a share of the
// decisions.
func TestScaleOutThreeClearanceReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("a cluster and eight service processes: about a minute")
	}
	c := natstest.RunSecuredCluster(t, 3)
	start := func(name, addr string) *child {
		return startChild(t, "--services", name, "--nats-url", c.URLs(), "--nats-creds", c.CredsFile(name),
			"--replicas", "3", "--http-addr", addr, "--quota-secret", "scale-out-secret", "--log-level", "error")
	}
	var gateway string
	for _, name := range ServiceNames() {
		if name == "clearance" {
			continue
		}
		addr := testAddr(t)
		if name == "gateway" {
			gateway = "http://" + addr
		}
		start(name, addr)
	}
	var replicas []string
	for range 3 {
		addr := testAddr(t)
		replicas = append(replicas, "http://"+addr)
		start("clearance", addr)
	}
	js := adminJS(t, c)
	stats := runLoad(t, gateway, 40, 15*time.Second, 31)
	check(t, "scale-out, 3 clearance replicas", js, stats, 0)
	total := 0.0
	for i, url := range replicas {
		n := decisionsOf(t, url)
		t.Logf("clearance replica %d decided %.0f", i+1, n)
		if n == 0 {
			t.Errorf("clearance replica %d decided nothing: the durable consumer is not shared", i+1)
		}
		total += n
	}
	if total == 0 {
		t.Fatal("no decisions counted")
	}
}

// decisionsOf sums cbec_clearance_decisions_total on a process's /metrics.
func decisionsOf(t *testing.T, url string) float64 {
	t.Helper()
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	sum := 0.0
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "cbec_clearance_decisions_total{") {
			continue
		}
		f := strings.Fields(line)
		v, err := strconv.ParseFloat(f[len(f)-1], 64)
		if err == nil {
			sum += v
		}
	}
	return sum
}
