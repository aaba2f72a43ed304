package broker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
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
	cc      jetstream.ConsumeContext
	name    string
	msgs    chan jetstream.Msg
	workers sync.WaitGroup
	// mu guards closing msgs against a delivery racing a timed-out Stop.
	mu     sync.RWMutex
	closed bool
	once   sync.Once
	err    error
}

// deliver hands m to the workers, or back to the server once stopping.
func (c *Consumer) deliver(m jetstream.Msg) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.closed {
		_ = m.Nak()
		return
	}
	c.msgs <- m
}

// StartConsumer creates or updates the durable consumer cfg on stream and
// runs h on every message, on workers goroutines at once (at least 1):
// messages of one consumer are independent, and a handler spends most of its
// time waiting for JetStream, so concurrency is what gives throughput. Every
// handler must therefore be safe against a concurrent handler for the same
// business key (compare-and-set). Replicas of a service share the durable,
// so each message goes to one of them.
func StartConsumer(ctx context.Context, js jetstream.JetStream, stream string, cfg jetstream.ConsumerConfig, log *slog.Logger, workers int, h Handler) (*Consumer, error) {
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
	c := &Consumer{name: cfg.Durable, msgs: make(chan jetstream.Msg)}
	handle := func(m jetstream.Msg) {
		// A handler has until the ack wait: past it the message is
		// redelivered anyway. The deadline also spares nats.go a timer of
		// its own for every request the handler makes.
		ctx, cancel := context.WithTimeout(hctx, cfg.AckWait)
		err := h(ctx, m)
		cancel()
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
	}
	for range max(workers, 1) {
		c.workers.Add(1)
		go func() {
			defer c.workers.Done()
			for m := range c.msgs {
				handle(m)
			}
		}()
	}
	cc, err := cons.Consume(c.deliver, jetstream.PullMaxMessages(512))
	if err != nil {
		close(c.msgs)
		c.workers.Wait()
		return nil, fmt.Errorf("consume %s: %w", cfg.Durable, err)
	}
	c.cc = cc
	return c, nil
}

// Stop drains the consumer: it stops pulling, lets the messages in hand
// finish and returns when they have, or when ctx ends. Later calls return
// the first call's result.
func (c *Consumer) Stop(ctx context.Context) error {
	c.once.Do(func() { c.err = c.stop(ctx) })
	return c.err
}

func (c *Consumer) stop(ctx context.Context) error {
	c.cc.Drain()
	var err error
	select {
	case <-c.cc.Closed():
	case <-ctx.Done():
		c.cc.Stop()
		err = ctx.Err()
	}
	// No more deliveries: let the workers finish what they hold.
	c.mu.Lock()
	c.closed = true
	close(c.msgs)
	c.mu.Unlock()
	done := make(chan struct{})
	go func() { c.workers.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		err = ctx.Err()
	}
	return err
}

// StreamSeq is m's sequence in its stream; a message without metadata is
// poison.
func StreamSeq(m jetstream.Msg) (uint64, error) {
	md, err := m.Metadata()
	if err != nil {
		return 0, Poison(err)
	}
	return md.Sequence.Stream, nil
}
