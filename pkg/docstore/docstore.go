// Package docstore keeps every accepted inbound document in the CBEC_DOCS
// key-value bucket under its business key. The entry is the duplicate guard
// for the document's whole lifetime (JetStream's own duplicate window is
// minutes) and points at the CEB_IN message that carries the accepted
// version, so consumers can tell the accepted version from a rejected or
// superseded copy.
package docstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/ceb"
	"github.com/nats-io/nats.go/jetstream"
)

// Headers of an inbound document message on CEB_IN.
const (
	HeaderMsgType = "Cbec-Msg-Type"
	HeaderParty   = "Cbec-Party"
	HeaderKey     = "Cbec-Key"
	HeaderAppType = "Cbec-App-Type"
	// HeaderAcceptedAt is when the gateway accepted the document (RFC 3339,
	// the service clock): time windows are judged at this instant.
	HeaderAcceptedAt = "Cbec-Accepted-At"
)

// Entry is the stored form of one accepted document.
type Entry struct {
	MsgType ceb.MsgType `json:"msgType"`
	// Party is the code of the party that submitted it.
	Party string `json:"party"`
	// Seq is the CEB_IN sequence of the accepted version.
	Seq uint64 `json:"seq"`
	// Prev are the sequences of earlier accepted versions that appType 2
	// replaced; they were acknowledged too and still get their receipts.
	Prev []uint64 `json:"prev,omitempty"`
	// Hash is the SHA-256 of Doc (Digest): what tells a sender's
	// resubmission of this very document from another one under its key.
	Hash       string          `json:"hash"`
	AcceptedAt time.Time       `json:"acceptedAt"`
	Doc        json.RawMessage `json:"doc,omitempty"`
}

// Encode is json.Marshal of the entry, with Doc, the gateway's own
// encoding of the document, appended as it is (ceb.MarshalWith): last, so
// that Admit's meta finds seq and prev before it.
func (e Entry) Encode() ([]byte, error) {
	doc := e.Doc
	e.Doc = nil
	return ceb.MarshalWith(e, "doc", doc)
}

// Digest is the hex SHA-256 of a document's canonical form: the gateway's
// own JSON encoding of the decoded document (Entry.Doc), so that the same
// document sent as XML or as JSON, with other whitespace, element order or
// number spelling, has one digest. The guid, appType and appTime are part
// of the document and so of its digest.
func Digest(doc []byte) string {
	sum := sha256.Sum256(doc)
	return hex.EncodeToString(sum[:])
}

// MsgID is the Nats-Msg-Id of the CEB_IN message that carries the document
// with the given digest under key: JetStream drops a second copy of the
// same document inside its duplicate window, and only of the same document.
func MsgID(key, digest string) string { return key + "/" + digest }

// Holds reports whether the entry's current version is the very document
// party sent with that digest: a resubmission of it changes nothing and is
// answered as the first submission was. An entry without a digest cannot
// tell, and holds no document it could be matched with.
func (e Entry) Holds(party, digest string) bool {
	return e.Hash != "" && e.Hash == digest && e.Party == party
}

// Accepted reports whether the CEB_IN message seq carries a version of this
// document that was acknowledged to its sender: the current one or one it
// replaced. Any other copy was never acknowledged and must be ignored.
func (e Entry) Accepted(seq uint64) bool {
	return seq == e.Seq || slices.Contains(e.Prev, seq)
}

// Key returns the bucket key of a declaration: its message type and business
// key. Returns are keyed by guid too: one inventory may see several partial
// returns.
func Key(d ceb.Declaration) string {
	parts := d.BusinessKey()
	if d.MsgType() == ceb.CEB625 {
		parts = append(parts, d.GUID())
	}
	return KeyOf(d.MsgType(), parts...)
}

// KeyOf builds the key of a document of type t from its business key values.
func KeyOf(t ceb.MsgType, parts ...string) string {
	return strings.ToLower(string(t)) + "." + broker.Key(parts...)
}

// UsedKey is the marker that a waybill has been used by an inventory list.
func UsedKey(logisticsCode, logisticsNo string) string {
	return "used." + KeyOf(ceb.CEB511, logisticsCode, logisticsNo)
}

// Store reads and writes the bucket.
type Store struct {
	// KV is the bucket, for writes.
	KV jetstream.KeyValue
	// reads batches the reads of concurrent callers (every consumer of
	// CEB_IN reads an entry per message).
	reads *broker.BatchGetter
}

// Open binds the CBEC_DOCS bucket. Its batched reads subscribe on js's
// connection for as long as the connection lives: a service's HTTP
// handlers may read after its consumers stopped.
func Open(ctx context.Context, js jetstream.JetStream) (*Store, error) {
	kv, err := js.KeyValue(ctx, broker.BucketDocs)
	if err != nil {
		return nil, err
	}
	reads, err := broker.NewBatchGetter(js.Conn(), broker.BucketDocs)
	if err != nil {
		return nil, err
	}
	return &Store{KV: kv, reads: reads}, nil
}

// Get returns the entry and its revision, or ok=false when absent.
func (s *Store) Get(ctx context.Context, key string) (e Entry, rev uint64, ok bool, err error) {
	v, rev, ok, err := s.reads.Get(ctx, key)
	if err != nil || !ok {
		return Entry{}, 0, false, err
	}
	if err := broker.Decode(v, &e); err != nil {
		return Entry{}, 0, false, err
	}
	return e, rev, true, nil
}

// GetDoc decodes the document stored under key into doc, in one pass over
// the entry (the entry's other fields are not kept); ok is false when absent.
func (s *Store) GetDoc(ctx context.Context, key string, doc ceb.Declaration) (ok bool, err error) {
	v, _, ok, err := s.reads.Get(ctx, key)
	if err != nil || !ok {
		return false, err
	}
	found, err := broker.DecodeField(v, "doc", doc)
	switch {
	case err != nil:
		return false, fmt.Errorf("%s: %w", key, err)
	case !found:
		return false, fmt.Errorf("%s: the entry holds no document", key)
	}
	return true, nil
}

// Exists reports whether key is present.
func (s *Store) Exists(ctx context.Context, key string) (bool, error) {
	_, _, ok, err := s.reads.Get(ctx, key)
	return ok, err
}
