// Package docstore reads the accepted inbound documents by business key.
// Each document has a subject of its own on CEB_IN (broker.InSubject of its
// Key); the gateway stores a document only if that subject holds no
// message yet (a new document) or holds the version a change replaces
// (appType 2), with JetStream's per-subject expected sequence. So the one
// write is the store and the duplicate guard for the document's whole
// lifetime; every message on CEB_IN was acknowledged to its sender, and a
// subject's last message is the document's current version.
package docstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
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
	// HeaderDigest is the document's Digest: what tells a sender's
	// resubmission of this very document from another one under its key.
	HeaderDigest = "Cbec-Digest"
)

// Entry is one accepted version of a document, as CEB_IN holds it.
type Entry struct {
	MsgType ceb.MsgType
	// Party is the code of the party that submitted it.
	Party string
	// Seq is its CEB_IN sequence.
	Seq uint64
	// Hash is the SHA-256 of Doc (Digest).
	Hash       string
	AppType    string
	AcceptedAt time.Time
	// Doc is the gateway's JSON encoding of the document.
	Doc []byte
}

// EntryOf reads an entry from a CEB_IN message's body, headers and
// sequence.
func EntryOf(m broker.Msg) Entry {
	at, _ := time.Parse(time.RFC3339Nano, m.Header.Get(HeaderAcceptedAt))
	return Entry{
		MsgType: ceb.MsgType(m.Header.Get(HeaderMsgType)), Party: m.Header.Get(HeaderParty), Seq: m.Seq,
		Hash: m.Header.Get(HeaderDigest), AppType: m.Header.Get(HeaderAppType), AcceptedAt: at, Doc: m.Data,
	}
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

// Holds reports whether the entry is the very document party sent with
// that digest: a resubmission of it changes nothing and is answered as
// the first submission was. An entry without a digest cannot tell.
func (e Entry) Holds(party, digest string) bool {
	return e.Hash != "" && e.Hash == digest && e.Party == party
}

// Key returns the document key of a declaration: its message type and
// business key. Returns are keyed by guid too: one inventory may see
// several partial returns.
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

// UsedKey is the CBEC_DOCS marker that a waybill has been used by an
// inventory list.
func UsedKey(logisticsCode, logisticsNo string) string {
	return "used." + KeyOf(ceb.CEB511, logisticsCode, logisticsNo)
}

// Store reads the documents on CEB_IN and the used markers.
type Store struct {
	// docs batches the reads of documents by key (the last message of
	// their subject) of concurrent callers.
	docs *broker.BatchGetter
	// used reads CBEC_DOCS's markers.
	used *broker.BatchGetter
}

// Open binds CEB_IN and CBEC_DOCS. The batched reads subscribe on js's
// connection for as long as the connection lives: a service's HTTP
// handlers may read after its consumers stopped.
func Open(ctx context.Context, js jetstream.JetStream) (*Store, error) {
	docs, err := broker.NewStreamGetter(js.Conn(), broker.StreamIn, broker.InPrefix)
	if err != nil {
		return nil, err
	}
	used, err := broker.NewBatchGetter(js.Conn(), broker.BucketDocs)
	if err != nil {
		return nil, err
	}
	return &Store{docs: docs, used: used}, nil
}

// Get returns the current version of the document under key, or
// ok=false when none was accepted.
func (s *Store) Get(ctx context.Context, key string) (e Entry, ok bool, err error) {
	m, ok, err := s.docs.GetMsg(ctx, key)
	if err != nil || !ok {
		return Entry{}, false, err
	}
	return EntryOf(m), true, nil
}

// GetDoc decodes the current version of the document under key into doc;
// ok is false when absent.
func (s *Store) GetDoc(ctx context.Context, key string, doc ceb.Declaration) (ok bool, err error) {
	v, _, ok, err := s.docs.Get(ctx, key)
	if err != nil || !ok {
		return false, err
	}
	if err := broker.Decode(v, doc); err != nil {
		return false, fmt.Errorf("%s: %w", key, err)
	}
	return true, nil
}

// Exists reports whether a document is stored under key.
func (s *Store) Exists(ctx context.Context, key string) (bool, error) {
	_, _, ok, err := s.docs.Get(ctx, key)
	return ok, err
}

// Used reports whether an inventory list has named the waybill.
func (s *Store) Used(ctx context.Context, logisticsCode, logisticsNo string) (bool, error) {
	_, _, ok, err := s.used.Get(ctx, UsedKey(logisticsCode, logisticsNo))
	return ok, err
}
