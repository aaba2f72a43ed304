package broker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Handler processes one message. Returning nil acknowledges it; an error
// made with Poison terminates it (it will never succeed: redelivering it
// would only block its subject); an error made with Retry, or any other
// error, asks for redelivery after a delay.
type Handler func(ctx context.Context, m jetstream.Msg) error

type poisonError struct{ err error }

func (e *poisonError) Error() string { return "poison: " + e.err.Error() }
func (e *poisonError) Unwrap() error { return e.err }

// Poison marks err as permanent: the message is terminated, not retried.
func Poison(err error) error { return &poisonError{err} }

type retryError struct {
	err   error
	delay time.Duration
}

func (e *retryError) Error() string { return fmt.Sprintf("retry in %v: %v", e.delay, e.err) }
func (e *retryError) Unwrap() error { return e.err }

// Retry asks for redelivery after delay.
func Retry(err error, delay time.Duration) error { return &retryError{err, delay} }

// Consumer is a running durable consumer.
type Consumer struct {
	cc   jetstream.ConsumeContext
	name string
}

// StartConsumer creates or updates the durable consumer cfg on stream and
// runs h on every message. Replicas of a service share the durable, so each
// message goes to one of them.
func StartConsumer(ctx context.Context, js jetstream.JetStream, stream string, cfg jetstream.ConsumerConfig, log *slog.Logger, h Handler) (*Consumer, error) {
	if cfg.Durable == "" {
		return nil, errors.New("consumer: durable name required")
	}
	cfg.AckPolicy = jetstream.AckExplicitPolicy
	if cfg.AckWait == 0 {
		cfg.AckWait = 30 * time.Second
	}
	if cfg.MaxAckPending == 0 {
		cfg.MaxAckPending = 2000
	}
	cons, err := js.CreateOrUpdateConsumer(ctx, stream, cfg)
	if err != nil {
		return nil, fmt.Errorf("consumer %s on %s: %w", cfg.Durable, stream, err)
	}
	hctx := context.WithoutCancel(ctx)
	cc, err := cons.Consume(func(m jetstream.Msg) {
		err := h(hctx, m)
		var pe *poisonError
		var re *retryError
		switch {
		case err == nil:
			if aerr := m.Ack(); aerr != nil {
				log.Warn("ack failed", "consumer", cfg.Durable, "subject", m.Subject(), "err", aerr)
			}
		case errors.As(err, &pe):
			log.Error("message terminated", "consumer", cfg.Durable, "subject", m.Subject(), "err", err)
			_ = m.TermWithReason(pe.err.Error())
		case errors.As(err, &re):
			_ = m.NakWithDelay(re.delay)
		default:
			log.Warn("message will be redelivered", "consumer", cfg.Durable, "subject", m.Subject(), "err", err)
			_ = m.NakWithDelay(time.Second)
		}
	}, jetstream.PullMaxMessages(512))
	if err != nil {
		return nil, fmt.Errorf("consume %s: %w", cfg.Durable, err)
	}
	return &Consumer{cc: cc, name: cfg.Durable}, nil
}

// Stop drains the consumer: it stops pulling, lets the messages in hand
// finish and returns when they have, or when ctx ends.
func (c *Consumer) Stop(ctx context.Context) error {
	c.cc.Drain()
	select {
	case <-c.cc.Closed():
		return nil
	case <-ctx.Done():
		c.cc.Stop()
		return ctx.Err()
	}
}
