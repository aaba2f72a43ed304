package broker

import (
	"errors"

	"github.com/nats-io/nats.go/jetstream"
)

// ErrConflict is a lost compare-and-set: someone else wrote first.
var ErrConflict = errors.New("concurrent update")

// IsConflict reports whether err is a key-value write that lost a
// compare-and-set (create of an existing key, update at an old revision).
func IsConflict(err error) bool {
	var apiErr *jetstream.APIError
	return errors.Is(err, ErrConflict) || errors.Is(err, jetstream.ErrKeyExists) ||
		(errors.As(err, &apiErr) && apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence)
}

// MaxCASAttempts bounds the retries of a read-modify-write against
// concurrent writers before the work is handed back for redelivery.
const MaxCASAttempts = 16
