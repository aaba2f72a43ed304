package broker

import (
	"context"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// Wait waits until JetStream has stored every message of futures — the
// acknowledgements of asynchronous publications, awaited together — and
// returns the first failure, which names its subject.
func Wait(ctx context.Context, futures ...jetstream.PubAckFuture) error {
	for _, f := range futures {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			return fmt.Errorf("publish to %s: %w", f.Msg().Subject, err)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}
