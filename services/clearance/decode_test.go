package clearance_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/docstore"
	"github.com/cbec/cbec/pkg/inventory"
	"github.com/cbec/cbec/pkg/quota"
	"github.com/cbec/cbec/pkg/receipt"
	st "github.com/cbec/cbec/services/servicetest"
)

// decodesAlike decodes b into a fresh value from mk with encoding/json and
// with broker.Decode, and fails unless both read the same (compared by
// encoding the two results again).
func decodesAlike[T any](t *testing.T, what string, b []byte, mk func() T) T {
	t.Helper()
	v1, v2 := mk(), mk()
	if err := json.Unmarshal(b, v1); err != nil {
		t.Fatalf("%s: encoding/json: %v", what, err)
	}
	if err := broker.Decode(b, v2); err != nil {
		t.Fatalf("%s: broker.Decode: %v\n%s", what, err, b)
	}
	e1, err1 := json.Marshal(v1)
	e2, err2 := json.Marshal(v2)
	if err1 != nil || err2 != nil || !bytes.Equal(e1, e2) {
		t.Fatalf("%s decodes differently:\nencoding/json %s\nbroker.Decode %s", what, e1, e2)
	}
	return v2
}

// TestStoredDataDecodesAlike runs a released and a rejected declaration
// through the services and reads everything they stored — document
// entries, states, ledger rows, address records, events, receipts — with
// broker.Decode and with encoding/json, which wrote it: the stored data's
// decoder must read exactly what its encoder wrote.
func TestStoredDataDecodesAlike(t *testing.T) {
	h := st.New(t)
	ok := st.NewSet("DEC-OK")
	h.Submit(ok)
	bad := st.NewSet("DEC-BAD")
	bad.P.PaymentHead.AmountPaid = ceb.MustAmount("1")
	h.Submit(bad)
	if v := h.WaitDecided("DEC-OK"); v.Status != inventory.StatusReleased {
		t.Fatalf("DEC-OK: %s %s", v.Status, v.Code)
	}
	if v := h.WaitDecided("DEC-BAD"); v.Status != inventory.StatusRejected {
		t.Fatalf("DEC-BAD: %s", v.Status)
	}
	ctx := t.Context()
	values := func(bucket string) map[string][]byte {
		kv, err := h.JS.KeyValue(ctx, bucket)
		if err != nil {
			t.Fatal(err)
		}
		keys, err := kv.Keys(ctx)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string][]byte{}
		for _, k := range keys {
			e, err := kv.Get(ctx, k)
			if err != nil {
				t.Fatal(err)
			}
			out[k] = e.Value()
		}
		return out
	}
	var docs, states, rows int
	in, err := h.JS.Stream(ctx, broker.StreamIn)
	if err != nil {
		t.Fatal(err)
	}
	inInfo, err := in.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for seq := inInfo.State.FirstSeq; seq <= inInfo.State.LastSeq; seq++ {
		m, err := in.GetMsg(ctx, seq)
		if err != nil {
			t.Fatal(err)
		}
		mt := ceb.MsgType(m.Header.Get(docstore.HeaderMsgType))
		decodesAlike(t, m.Subject, m.Data, func() ceb.Document { return ceb.NewDocument(mt) })
		docs++
	}
	for k, v := range values(broker.BucketInventory) {
		if strings.HasPrefix(k, "inv.") {
			decodesAlike(t, k, v, func() *inventory.State { return &inventory.State{} })
			states++
		}
	}
	for k, v := range values(broker.BucketQuota) {
		switch {
		case strings.HasPrefix(k, "q."):
			decodesAlike(t, k, v, func() *quota.Ledger { return &quota.Ledger{} })
			rows++
		case strings.HasPrefix(k, "addr."):
			decodesAlike(t, k, v, func() *[]string { return &[]string{} })
		}
	}
	if docs != 8 || states != 2 || rows == 0 {
		t.Fatalf("read %d documents, %d states, %d ledger rows; want 8, 2 and some", docs, states, rows)
	}
	events, receipts := 0, 0
	for _, stream := range []string{broker.StreamEvents, broker.StreamOut} {
		s, err := h.JS.Stream(ctx, stream)
		if err != nil {
			t.Fatal(err)
		}
		info, err := s.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for seq := info.State.FirstSeq; seq <= info.State.LastSeq; seq++ {
			m, err := s.GetMsg(ctx, seq)
			if err != nil {
				t.Fatal(err)
			}
			if stream == broker.StreamEvents {
				n := decodesAlike(t, m.Subject, m.Data, func() *inventory.Notice { return &inventory.Notice{} })
				if len(n.State) > 0 {
					decodesAlike(t, m.Subject+" state", n.State, func() *inventory.State { return &inventory.State{} })
				}
				events++
				continue
			}
			body := decodesAlike(t, m.Subject, m.Data, func() *[]json.RawMessage { return &[]json.RawMessage{} })
			mt := ceb.MsgType(m.Header.Get(receipt.HeaderMsgType))
			for _, r := range *body {
				decodesAlike(t, m.Subject+" receipt", r, func() ceb.Document { return ceb.NewDocument(mt) })
				receipts++
			}
		}
	}
	if events == 0 || receipts == 0 {
		t.Fatalf("%d events, %d receipt messages", events, receipts)
	}
}
