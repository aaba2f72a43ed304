package docstore

import (
	"bytes"
	"context"
	"errors"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/nats-io/nats.go/jetstream"
)

// OrphanAfter is how long a message on CEB_IN may wait for the CBEC_DOCS
// entry that makes it an accepted version. The gateway writes that entry
// microseconds after the message. If the gateway died in between, the
// sender's retry inside JetStream's duplicate window maps to this very
// message and writes the entry then; past the window no retry can, and the
// copy, never acknowledged to anyone, is dropped.
const OrphanAfter = broker.DuplicateWindow + time.Minute

// Admission is what Admit found out about a CEB_IN message.
type Admission struct {
	// Seq is the message's CEB_IN sequence.
	Seq uint64
	// OK reports an accepted version: the current one, or one that appType 2
	// replaced (acknowledged too, so it still gets its receipt).
	OK bool
	// Current reports that the message carries the version the entry holds
	// now, so its body may stand in for reading the entry's document.
	Current bool
}

// Admit tells a CEB_IN consumer whether m carries an accepted version of its
// document. A message still waiting for its entry gets a Retry error; a copy
// never acknowledged is not admitted (OK false, nil error: acknowledge and
// ignore it).
func (s *Store) Admit(ctx context.Context, m jetstream.Msg) (Admission, error) {
	md, err := m.Metadata()
	if err != nil {
		return Admission{}, broker.Poison(err)
	}
	seq := md.Sequence.Stream
	key := m.Headers().Get(HeaderKey)
	var (
		e     Entry
		found bool
	)
	get := func() error {
		v, _, ok, err := s.reads.Get(ctx, key)
		if err != nil {
			return err
		}
		found = ok
		if !ok {
			return nil
		}
		e.Seq, e.Prev, err = meta(v)
		if err != nil {
			return broker.Poison(err)
		}
		return nil
	}
	// The gateway guards the key microseconds after storing the message,
	// so a fresh message usually finds its entry after a moment's wait;
	// waiting here in-process costs far less than a redelivery.
	for wait := time.Millisecond; ; wait *= 2 {
		if err := get(); err != nil {
			return Admission{Seq: seq}, err
		}
		if found && e.Accepted(seq) {
			return Admission{Seq: seq, OK: true, Current: seq == e.Seq}, nil
		}
		if found && seq < e.Seq || wait > 32*time.Millisecond || time.Since(md.Timestamp) > time.Second {
			break
		}
		time.Sleep(wait)
	}
	age := time.Since(md.Timestamp)
	if (!found || seq > e.Seq) && age < OrphanAfter {
		delay := 50 * time.Millisecond
		if age > time.Second {
			delay = 5 * time.Second
		}
		return Admission{Seq: seq}, broker.Retry(errors.New("document entry not written yet"), delay)
	}
	return Admission{Seq: seq}, nil
}

// meta reads an entry's seq and prev without decoding its document: the
// entry is encoded with them before its hash and document (Entry's field
// order), and a consumer admits every message by them, so only the
// leading fields are decoded. The fields before the hash are a message
// type and a party code, which cannot hold the quoted `,"hash":`.
func meta(b []byte) (seq uint64, prev []uint64, err error) {
	var m struct {
		Seq  uint64   `json:"seq"`
		Prev []uint64 `json:"prev"`
	}
	head := b
	if i := bytes.Index(b, []byte(`,"hash":`)); i > 0 {
		head = append(b[:i:i], '}')
	}
	if err := broker.Decode(head, &m); err != nil {
		return 0, nil, err
	}
	return m.Seq, m.Prev, nil
}
