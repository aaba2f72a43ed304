package broker

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/nats-io/nats.go/jetstream"
)

// GetJSON reads the JSON value at key into v and returns its revision;
// found is false when the key is absent. A value that does not decode is
// poison: retrying will not mend it.
func GetJSON(ctx context.Context, kv jetstream.KeyValue, key string, v any) (rev uint64, found bool, err error) {
	kve, err := kv.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	if err := Decode(kve.Value(), v); err != nil {
		return 0, false, Poison(err)
	}
	return kve.Revision(), true, nil
}

// PutJSON writes v at key with compare-and-set on rev (0 = create); a lost
// race is ErrConflict.
func PutJSON(ctx context.Context, kv jetstream.KeyValue, key string, v any, rev uint64) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return PutBytes(ctx, kv, key, b, rev)
}

// PutBytes is PutJSON for a value already encoded, for a caller that uses
// the encoding again.
func PutBytes(ctx context.Context, kv jetstream.KeyValue, key string, b []byte, rev uint64) error {
	var err error
	if rev == 0 {
		_, err = kv.Create(ctx, key, b)
	} else {
		_, err = kv.Update(ctx, key, b, rev)
	}
	if IsConflict(err) {
		return ErrConflict
	}
	return err
}
