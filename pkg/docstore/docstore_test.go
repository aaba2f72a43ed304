package docstore

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/nats-io/nats.go"
)

func TestHoldsTheVeryDocumentOnly(t *testing.T) {
	doc := []byte(`{"OrderHead":{"guid":"G","appType":"1","orderNo":"O-1"}}`)
	sum := sha256.Sum256(doc)
	if Digest(doc) != hex.EncodeToString(sum[:]) {
		t.Fatalf("Digest %s is not the SHA-256 of the document", Digest(doc))
	}
	at := time.Date(2025, 3, 10, 2, 0, 0, 0, time.UTC)
	h := nats.Header{}
	h.Set(HeaderMsgType, "CEB311")
	h.Set(HeaderParty, "P")
	h.Set(HeaderDigest, Digest(doc))
	h.Set(HeaderAppType, "1")
	h.Set(HeaderAcceptedAt, at.Format(time.RFC3339Nano))
	e := EntryOf(broker.Msg{Data: doc, Header: h, Seq: 3})
	if e.MsgType != "CEB311" || e.Party != "P" || e.Seq != 3 || e.AppType != "1" || !e.AcceptedAt.Equal(at) || string(e.Doc) != string(doc) {
		t.Fatalf("EntryOf: %+v", e)
	}
	for _, c := range []struct {
		party, digest string
		want          bool
	}{
		{"P", Digest(doc), true},
		{"Q", Digest(doc), false},
		{"P", Digest([]byte(`{"OrderHead":{"guid":"H","appType":"1","orderNo":"O-1"}}`)), false},
		{"P", "", false},
	} {
		if got := e.Holds(c.party, c.digest); got != c.want {
			t.Errorf("Holds(%q, %.8s) = %v", c.party, c.digest, got)
		}
	}
	// A message without a digest cannot tell: whatever comes is not known
	// to be its document.
	h.Del(HeaderDigest)
	if old := EntryOf(broker.Msg{Data: doc, Header: h, Seq: 3}); old.Holds("P", "") || old.Holds("P", Digest(doc)) {
		t.Fatal("an entry without a digest matched a document")
	}
}
