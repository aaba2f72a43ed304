package clearance_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/identity"
	st "github.com/cbec/cbec/services/servicetest"
	"github.com/nats-io/nats.go/jetstream"
)

// buyerID returns a valid GB 11643 ID number for buyer n.
func buyerID(n int) string {
	base := fmt.Sprintf("500112198%d%02d%02d%03d", n%10, 1+n/10%12, 1+n/120%28, n/3360%1000)
	return base + string(identity.CheckCode(base))
}

// distinctSet is a cebtest set for buyer n at an address of its own.
func distinctSet(orderNo string, n int) st.Set {
	s := st.NewSet(orderNo)
	id, addr := buyerID(n), "重庆市渝北区示例大道"+strconv.Itoa(n)+"号"
	s.O.OrderHead.BuyerIdNumber, s.P.PaymentHead.PayerIdNumber, s.I.InventoryHead.BuyerIdNumber = id, id, id
	s.O.OrderHead.ConsigneeAddress, s.L.LogisticsHead.ConsigneeAddress, s.I.InventoryHead.ConsigneeAddress = addr, addr, addr
	return s
}

// request is one prepared submission: a batch already encoded, so that the
// timed part of a benchmark spends nothing on the clients' JSON. kind is
// the JSON endpoint; empty for a CEB XML message.
type request struct {
	kind, key string
	n         int
	body      []byte
}

// prepare encodes the sets' orders, payments, waybills and lists in batches
// of 100, dealt round-robin to clients platforms.
func prepare(b *testing.B, sets []st.Set, clients int) [][]request {
	const batch = 100
	out := make([][]request, clients)
	for k, from := 0, 0; from < len(sets); k, from = k+1, from+batch {
		part := sets[from:min(from+batch, len(sets))]
		add := func(kind, key string, pick func(st.Set) ceb.Declaration) {
			docs := make([]ceb.Declaration, len(part))
			for i, s := range part {
				docs[i] = pick(s)
			}
			body, err := json.Marshal(docs)
			if err != nil {
				b.Fatal(err)
			}
			out[k%clients] = append(out[k%clients], request{kind, key, len(part), body})
		}
		add("orders", st.KeyEBP, func(s st.Set) ceb.Declaration { return s.O })
		add("payments", st.KeyPay, func(s st.Set) ceb.Declaration { return s.P })
		add("waybills", st.KeyLogistics, func(s st.Set) ceb.Declaration { return s.L })
		add("inventories", st.KeyAgent, func(s st.Set) ceb.Declaration { return s.I })
	}
	return out
}

// submit posts each client's requests in order, the clients concurrently;
// every document must be accepted.
func submit(b *testing.B, h *st.Harness, clients [][]request) {
	var wg sync.WaitGroup
	for _, reqs := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, r := range reqs {
				path, ctype := "/v1/import/"+r.kind, "application/json"
				if r.kind == "" { // a CEB XML message (prepareXML)
					path, ctype = "/v1/ceb", "application/xml"
				}
				code, body, _ := h.Do("POST", path, r.key, ctype, r.body)
				if code != http.StatusAccepted || bytes.Contains(body, []byte(`"status":"rejected"`)) {
					b.Errorf("%s: %d %s", r.kind, code, body)
				}
			}
		}()
	}
	wg.Wait()
}

// waitReleased polls until n lists are released (n 800 events).
func waitReleased(b *testing.B, h *st.Harness, n int) {
	released := broker.EventSubject("inventory", "released")
	deadline := time.Now().Add(10 * time.Minute)
	for {
		s, err := h.JS.Stream(b.Context(), broker.StreamEvents)
		if err != nil {
			b.Fatal(err)
		}
		info, err := s.Info(b.Context(), jetstream.WithSubjectFilter(released))
		if err != nil {
			b.Fatal(err)
		}
		// State.Msgs counts the whole stream; the filter fills Subjects.
		got := info.State.Subjects[released]
		if int(got) >= n {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d released", got, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// report states the rate since start and the CPU time per declaration
// since cpu0: on a machine of c cores, c seconds of CPU a second is the
// ceiling, so cpu-ms/decl tells the attainable rate even when the wall
// clock is disturbed by neighbours.
func report(b *testing.B, start time.Time, cpu0 time.Duration) {
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "decl/s")
	b.ReportMetric(float64(cpuTime(b)-cpu0)/float64(time.Millisecond)/float64(b.N), "cpu-ms/decl")
}

// profileTimed writes a CPU profile of the timed part of a benchmark to
// the file CBEC_BENCH_PROFILE names, if it names one: -cpuprofile would
// also profile the preparation (the batches' encoding, Decide's backlog). The returned func stops it.
func profileTimed(b *testing.B) func() {
	path := os.Getenv("CBEC_BENCH_PROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		b.Fatal(err)
	}
	return func() { pprof.StopCPUProfile(); _ = f.Close() }
}

// natsMsgs is how many messages the NATS server has received and sent: per
// declaration, a measure of the round trips a decision costs that the
// machine's speed does not blur.
func natsMsgs(b *testing.B, h *st.Harness) uint64 {
	v, err := h.Server.Varz(nil)
	if err != nil {
		b.Fatal(err)
	}
	return uint64(v.InMsgs + v.OutMsgs)
}

// sets returns n declarations of distinct buyers.
func sets(n int) []st.Set {
	out := make([]st.Set, 0, n)
	for i := range n {
		out = append(out, distinctSet(fmt.Sprintf("BENCH-%07d", i), i))
	}
	return out
}

// BenchmarkDeclarations measures the whole import pipeline on one machine:
// each operation is one declaration — order, payment, waybill and inventory
// list submitted over HTTP in batches of 100 (encoded before the timer
// starts) by four platforms at once,
// stored on JetStream, matched, checked, taxed, counted and released with
// its receipts. It reports declarations per second from the first
// submission to the last release; intake, clearance and the load clients
// share the machine's cores.
//
//	go test ./services/clearance/ -run '^$' -bench Declarations -benchtime 4000x
func BenchmarkDeclarations(b *testing.B) {
	// The binary runs with GOGC 200 (services/cbec GCPercent); so does this.
	defer debug.SetGCPercent(debug.SetGCPercent(200))
	h := st.New(b)
	timePipeline(b, h, prepare(b, sets(b.N), 4))
}

// timePipeline times the prepared requests through h, from the first
// submission to the b.N-th release, and reports the rate, the CPU and the
// NATS messages per declaration.
func timePipeline(b *testing.B, h *st.Harness, reqs [][]request) {
	b.ResetTimer()
	defer profileTimed(b)()
	msgs0 := natsMsgs(b, h)
	start, cpu0 := time.Now(), cpuTime(b)
	submit(b, h, reqs)
	if b.Failed() {
		return
	}
	waitReleased(b, h, b.N)
	report(b, start, cpu0)
	b.ReportMetric(float64(natsMsgs(b, h)-msgs0)/float64(b.N), "nats-msgs/decl")
}

// backlog starts the services with clearance stopped and submits b.N
// declarations: a queue for a clearance service to decide.
func backlog(b *testing.B) *st.Harness {
	h := st.New(b)
	if err := h.Clearance.Stop(b.Context()); err != nil {
		b.Fatal(err)
	}
	submit(b, h, prepare(b, sets(b.N), 4))
	return h
}

// BenchmarkDecide measures the clearance service alone: the declarations
// are submitted while it is stopped, then it is started on the backlog and
// timed until the last release — the rate at which one replica decides
// when intake runs elsewhere.
//
//	go test ./services/clearance/ -run '^$' -bench Decide -benchtime 4000x
func BenchmarkDecide(b *testing.B) {
	defer debug.SetGCPercent(debug.SetGCPercent(200))
	h := backlog(b)
	if b.Failed() {
		return
	}
	b.ResetTimer()
	defer profileTimed(b)()
	msgs0 := natsMsgs(b, h)
	start, cpu0 := time.Now(), cpuTime(b)
	h.RestartClearance()
	waitReleased(b, h, b.N)
	report(b, start, cpu0)
	b.ReportMetric(float64(natsMsgs(b, h)-msgs0)/float64(b.N), "nats-msgs/decl")
}
