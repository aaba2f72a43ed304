package receipt_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/natstest"
	"github.com/cbec/cbec/pkg/receipt"
	"github.com/nats-io/nats.go/jetstream"
)

var at = time.Date(2026, 11, 11, 0, 0, 0, 0, time.UTC)

func orderReturn(n int) *ceb.OrderReturn {
	return &ceb.OrderReturn{Guid: fmt.Sprintf("00000000-0000-0000-0000-%012d", n), EbpCode: "1500000001", EbcCode: "1500000002",
		OrderNo: fmt.Sprintf("G-%d", n), ReturnStatus: "120", ReturnTime: ceb.FormatReturnTime(at), ReturnInfo: "stored"}
}

// sendAll sends n receipts to party from n goroutines released together,
// and fails on any error.
func sendAll(t *testing.T, g *receipt.Gatherer, party string, from, n int) {
	t.Helper()
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := from; i < from+n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if err := g.Send(t.Context(), fmt.Sprintf("in/%d/120", i), orderReturn(i), at, party); err != nil {
				t.Errorf("receipt %d: %v", i, err)
			}
		}()
	}
	close(start)
	wg.Wait()
}

// read returns party's receipts and how many messages carried them.
func read(t *testing.T, js jetstream.JetStream, party string) (orderNos map[string]int, messages int) {
	t.Helper()
	recs, err := receipt.NewReader(js).Read(t.Context(), party, "", 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	orderNos = map[string]int{}
	cursors := map[uint64]int{}
	for _, r := range recs {
		d, err := r.Document()
		if err != nil {
			t.Fatal(err)
		}
		orderNos[d.(*ceb.OrderReturn).OrderNo]++
		cursors[r.Cursor]++
	}
	for _, n := range cursors {
		if n > receipt.MaxGathered {
			t.Fatalf("a message carries %d receipts, more than %d", n, receipt.MaxGathered)
		}
	}
	return orderNos, len(cursors)
}

func setup(t *testing.T) (jetstream.JetStream, *receipt.Gatherer) {
	t.Helper()
	_, _, js := natstest.Setup(t)
	return js, receipt.NewGatherer(receipt.NewOutbox(js))
}

// TestGathererSharesMessages: receipts sent at once to one party travel in
// fewer messages than receipts, none above MaxGathered, each receipt
// exactly once; another party's never share them.
func TestGathererSharesMessages(t *testing.T) {
	js, g := setup(t)
	const n = 250
	sendAll(t, g, "1500000001", 0, n)
	sendAll(t, g, "1500000009", n, 3)
	got, messages := read(t, js, "1500000001")
	if len(got) != n {
		t.Fatalf("%d distinct receipts, want %d", len(got), n)
	}
	for no, c := range got {
		if c != 1 {
			t.Fatalf("%s received %d times", no, c)
		}
	}
	if messages >= n || messages < n/receipt.MaxGathered {
		t.Fatalf("%d receipts in %d messages: not gathered", n, messages)
	}
	if other, _ := read(t, js, "1500000009"); len(other) != 3 || other["G-0"] != 0 {
		t.Fatalf("the other party's receipts: %v", other)
	}
}

// TestGathererSendsTheSameReceiptsOnce: a receipt sent again alone (its
// message redelivered with nothing else waiting) has the same message id
// and is stored once.
func TestGathererSendsTheSameReceiptsOnce(t *testing.T) {
	js, g := setup(t)
	for range 2 {
		if err := g.Send(t.Context(), "in/7/120", orderReturn(7), at, "1500000001"); err != nil {
			t.Fatal(err)
		}
	}
	if got, messages := read(t, js, "1500000001"); got["G-7"] != 1 || messages != 1 {
		t.Fatalf("receipts %v in %d messages", got, messages)
	}
}

// TestGathererReportsAFailedPublication: every receipt of a message that
// could not be stored gets the error (here: no CEB_OUT stream at all).
func TestGathererReportsAFailedPublication(t *testing.T) {
	s := natstest.RunServer(t)
	_, js := natstest.Connect(t, s)
	g := receipt.NewGatherer(receipt.NewOutbox(js))
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, 5)
	for i := range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- g.Send(ctx, fmt.Sprintf("in/%d/120", i), orderReturn(i), at, "1500000001")
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err == nil {
			t.Fatal("a receipt without a stream to store it in reported success")
		}
	}
	if _, err := js.Stream(ctx, broker.StreamOut); err == nil {
		t.Fatal("CEB_OUT exists: the test stores nothing on purpose")
	}
}
