package broker_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/natstest"
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
