package clearance_test

import (
	"fmt"
	"net/http"
	"runtime/debug"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/ceb/cebtest"
	st "github.com/cbec/cbec/services/servicetest"
	"github.com/nats-io/nats.go/jetstream"
)

// buyerID returns a valid GB 11643 ID number for buyer n.
func buyerID(n int) string {
	base := fmt.Sprintf("500112198%d%02d%02d%03d", n%10, 1+n/10%12, 1+n/120%28, n/3360%1000)
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(base[i]-'0') * w
	}
	return base + string("10X98765432"[sum%11])
}

// distinctSet is a cebtest set for buyer n at an address of its own.
func distinctSet(orderNo string, n int) st.Set {
	s := st.NewSet(orderNo)
	id, addr := buyerID(n), "重庆市渝北区示例大道"+strconv.Itoa(n)+"号"
	s.O.OrderHead.BuyerIdNumber, s.P.PaymentHead.PayerIdNumber, s.I.InventoryHead.BuyerIdNumber = id, id, id
	s.O.OrderHead.ConsigneeAddress, s.L.LogisticsHead.ConsigneeAddress, s.I.InventoryHead.ConsigneeAddress = addr, addr, addr
	return s
}

// BenchmarkDeclarations measures the whole import pipeline on one machine:
// each operation is one declaration — order, payment, waybill and inventory
// list submitted over HTTP in batches of 100, stored on JetStream, matched,
// checked, taxed, counted and released with its receipts. It reports
// declarations per second from the first submission to the last release.
//
//	go test ./services/clearance/ -run '^$' -bench Declarations -benchtime 4000x
func BenchmarkDeclarations(b *testing.B) {
	// The binary runs with GOGC 400 (services/cbec GCPercent); so does this.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	h := st.New(b)
	const batch = 100
	var sets []st.Set
	for n := range b.N {
		sets = append(sets, distinctSet(fmt.Sprintf("BENCH-%07d", n), n))
	}
	b.ResetTimer()
	start := time.Now()
	// Several platforms submit at once, each its own batches.
	const clients = 4
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for from := c * batch; from < len(sets); from += clients * batch {
				part := sets[from:min(from+batch, len(sets))]
				post := func(kind, key string, pick func(st.Set) ceb.Declaration) {
					docs := make([]ceb.Declaration, len(part))
					for i, s := range part {
						docs[i] = pick(s)
					}
					code, r, body := h.SubmitJSON(kind, key, docs)
					if code != http.StatusAccepted || r.Accepted != len(part) {
						b.Errorf("%s: %d %s", kind, code, body)
					}
				}
				post("orders", st.KeyEBP, func(s st.Set) ceb.Declaration { return s.O })
				post("payments", st.KeyPay, func(s st.Set) ceb.Declaration { return s.P })
				post("waybills", st.KeyLogistics, func(s st.Set) ceb.Declaration { return s.L })
				post("inventories", st.KeyAgent, func(s st.Set) ceb.Declaration { return s.I })
			}
		}()
	}
	wg.Wait()
	if b.Failed() {
		return
	}
	// Wait for every release: count the 800 events.
	for {
		st, err := h.JS.Stream(b.Context(), broker.StreamEvents)
		if err != nil {
			b.Fatal(err)
		}
		released := broker.EventSubject("inventory", "released")
		info, err := st.Info(b.Context(), jetstream.WithSubjectFilter(released))
		if err != nil {
			b.Fatal(err)
		}
		// State.Msgs counts the whole stream; the filter fills Subjects.
		n := info.State.Subjects[released]
		if int(n) >= b.N {
			break
		}
		if time.Since(start) > 10*time.Minute {
			b.Fatalf("%d of %d released", n, b.N)
		}
		time.Sleep(20 * time.Millisecond)
	}
	elapsed := time.Since(start)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "decl/s")
	_ = cebtest.EbpCode
}
