package broker_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/natstest"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// TestBatchGetterAnswersAsKeyValueGet holds the batched reads to the
// bucket's own Get: value and revision of live keys, not found for keys
// never written, deleted or purged — alone, and many at once.
func TestBatchGetterAnswersAsKeyValueGet(t *testing.T) {
	_, nc, js := natstest.Setup(t)
	ctx := context.Background()
	kv, err := js.KeyValue(ctx, broker.BucketInventory)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for i := range 60 {
		k := fmt.Sprintf("t.key%02d", i)
		keys = append(keys, k)
		if _, err := kv.Put(ctx, k, []byte(fmt.Sprintf("v%d", i))); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := kv.Put(ctx, "t.key00", []byte("v0-second")); err != nil { // a later revision
		t.Fatal(err)
	}
	if err := kv.Delete(ctx, "t.key01"); err != nil {
		t.Fatal(err)
	}
	if err := kv.Purge(ctx, "t.key02"); err != nil {
		t.Fatal(err)
	}
	keys = append(keys, "t.never", "t.never.either")
	g, err := broker.NewBatchGetter(nc, broker.BucketInventory)
	if err != nil {
		t.Fatal(err)
	}
	check := func(key string) error {
		want, werr := kv.Get(ctx, key)
		v, rev, found, err := g.Get(ctx, key)
		switch {
		case err != nil:
			return fmt.Errorf("%s: %w", key, err)
		case errors.Is(werr, jetstream.ErrKeyNotFound):
			if found {
				return fmt.Errorf("%s: found %q, want not found", key, v)
			}
		case werr != nil:
			return werr
		case !found || string(v) != string(want.Value()) || rev != want.Revision():
			return fmt.Errorf("%s: %q rev %d found %v, want %q rev %d", key, v, rev, found, want.Value(), want.Revision())
		}
		return nil
	}
	// One at a time: every batch holds a single read.
	for _, k := range keys {
		if err := check(k); err != nil {
			t.Error(err)
		}
	}
	// All at once, each key asked several times.
	var wg sync.WaitGroup
	errs := make(chan error, 4*len(keys))
	for range 4 {
		for _, k := range keys {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := check(k); err != nil {
					errs <- err
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// Keys that would be wildcards, or are no keys at all, are refused.
	for _, bad := range []string{"t.*", "t.>", "", ".t", "t.", "t..x", "t x"} {
		if _, _, _, err := g.Get(ctx, bad); err == nil {
			t.Errorf("key %q accepted", bad)
		}
	}
	// A bucket with none of the keys answers not found for all.
	if _, _, found, err := g.Get(ctx, "nothing.here"); err != nil || found {
		t.Errorf("absent key: found %v, %v", found, err)
	}
	if err := g.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := g.Get(ctx, "t.key03"); !errors.Is(err, broker.ErrGetterClosed) {
		t.Errorf("read after Close: %v", err)
	}
}

// TestStreamGetterReadsAKeyWhateverItsLastToken reads CEB_IN as the
// document store does: the last message of ceb.in.<key>.*, found whoever
// sent it, with its headers — batched (direct gets), and from the leader
// when direct gets are off, as on a cluster.
func TestStreamGetterReadsAKeyWhateverItsLastToken(t *testing.T) {
	for _, direct := range []bool{true, false} {
		t.Run(fmt.Sprintf("direct=%v", direct), func(t *testing.T) {
			_, nc, js := natstest.Setup(t)
			ctx := context.Background()
			st, err := js.Stream(ctx, broker.StreamIn)
			if err != nil {
				t.Fatal(err)
			}
			cfg := st.CachedInfo().Config
			cfg.AllowDirect = direct
			if _, err := js.UpdateStream(ctx, cfg); err != nil {
				t.Fatal(err)
			}
			publish := func(key, party, body string) uint64 {
				m := &nats.Msg{Subject: broker.InSubject(key, party), Data: []byte(body), Header: nats.Header{}}
				m.Header.Set("Cbec-Party", party)
				a, err := js.PublishMsg(ctx, m)
				if err != nil {
					t.Fatal(err)
				}
				return a.Sequence
			}
			publish("ceb311.A.1", "A", "first")
			last := publish("ceb311.A.1", "A", "second")
			other := publish("ceb511.L.9", "L", "waybill")
			g, err := broker.NewStreamGetter(nc, broker.StreamIn, broker.InPrefix)
			if err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			for range 50 {
				wg.Go(func() {
					for key, want := range map[string]struct {
						body  string
						seq   uint64
						party string
					}{"ceb311.A.1": {"second", last, "A"}, "ceb511.L.9": {"waybill", other, "L"}, "ceb311.A.2": {}} {
						m, found, err := g.GetMsg(ctx, key)
						switch {
						case err != nil:
							t.Errorf("%s: %v", key, err)
						case want.seq == 0 && found:
							t.Errorf("%s: found %q, want none", key, m.Data)
						case want.seq != 0 && (!found || string(m.Data) != want.body || m.Seq != want.seq || m.Header.Get("Cbec-Party") != want.party):
							t.Errorf("%s: %q seq %d party %q found %v, want %+v", key, m.Data, m.Seq, m.Header.Get("Cbec-Party"), found, want)
						}
					}
				})
			}
			wg.Wait()
		})
	}
}
