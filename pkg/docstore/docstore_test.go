package docstore

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"
)

func TestHoldsTheVeryDocumentOnly(t *testing.T) {
	doc := []byte(`{"OrderHead":{"guid":"G","appType":"1","orderNo":"O-1"}}`)
	sum := sha256.Sum256(doc)
	if Digest(doc) != hex.EncodeToString(sum[:]) {
		t.Fatalf("Digest %s is not the SHA-256 the entries hold", Digest(doc))
	}
	e := Entry{MsgType: "CEB311", Party: "P", Seq: 3, Hash: Digest(doc), Doc: doc}
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
	// An entry stored without a digest decodes, and cannot tell: whatever
	// comes is not known to be its document.
	var old Entry
	if err := json.Unmarshal([]byte(`{"msgType":"CEB311","party":"P","seq":3,"acceptedAt":"2025-03-10T02:00:00Z","doc":{"OrderHead":{}}}`), &old); err != nil {
		t.Fatal(err)
	}
	if old.Holds("P", "") || old.Holds("P", Digest(old.Doc)) {
		t.Fatal("an entry without a digest matched a document")
	}
	if MsgID("ceb311.k", "d") != "ceb311.k/d" {
		t.Fatal(MsgID("ceb311.k", "d"))
	}
}
