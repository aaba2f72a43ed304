package returns

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/refund"
	"github.com/nats-io/nats.go/jetstream"
)

// Sweep expires the returns whose goods did not arrive by the end of the
// 45th day after release (D7): receipt 100 with the reason, the reserved
// quantities released, nothing restored.
func (r *Returns) Sweep(ctx context.Context) error {
	lister, err := r.kv.ListKeysFiltered(ctx, pendingFilter)
	if err != nil {
		return err
	}
	var keys []string
	for k := range lister.Keys() {
		keys = append(keys, k)
	}
	now := r.env.Clock.Now()
	var errs []error
	for _, pk := range keys {
		kve, err := r.kv.Get(ctx, pk)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		by, err := time.Parse(time.RFC3339Nano, string(kve.Value()))
		if err != nil || !refund.Late(now, by) {
			continue
		}
		if err := r.expire(ctx, strings.TrimPrefix(pk, "pending."), now); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

const sweepBy = "sweep/"

func (r *Returns) expire(ctx context.Context, returnKey string, now time.Time) error {
	for range broker.MaxCASAttempts {
		var rec Record
		rev, found, err := load(ctx, r.kv, recordKey(returnKey), &rec)
		if err != nil {
			return err
		}
		if !found || !rec.Status.Can(refund.Expired) {
			// Arrived, decided, or gone: nothing to expire. A return this
			// sweep expired is completed should it have died midway.
			if found && strings.HasPrefix(rec.By, sweepBy) {
				if err := r.release(ctx, &rec, false); err != nil {
					return err
				}
				if err := r.replay(ctx, &rec, rec.By); err != nil {
					return err
				}
			}
			return r.kv.Delete(ctx, pendingKey(returnKey))
		}
		out, late := refund.Expire(rec.progress(), now)
		if !late {
			return nil // its window is still open: the mark stays
		}
		from := len(rec.History)
		rec.refuse(out, now)
		rec.By, rec.From = sweepBy+now.UTC().Format(time.RFC3339), from
		err = save(ctx, r.kv, recordKey(returnKey), &rec, rev)
		if errors.Is(err, broker.ErrConflict) {
			continue
		}
		if err != nil {
			return err
		}
		if err := r.release(ctx, &rec, false); err != nil {
			return err
		}
		if err := r.publish(ctx, &rec, from); err != nil {
			return err
		}
		return r.kv.Delete(ctx, pendingKey(returnKey))
	}
	return broker.ErrConflict
}
