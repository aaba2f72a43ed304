package dsig_test

import (
	"bytes"
	"testing"

	"github.com/emmansun/gmsm/smx509"

	"github.com/cbec/cbec/pkg/dsig"
)

// FuzzVerify feeds Verify arbitrary bytes, starting from a signed message:
// it must never panic, every failure must carry a Reason, and nothing but
// the signed message itself (or a change outside its signed content)
// verifies.
func FuzzVerify(f *testing.F) {
	p := newParty(f, "1500000001")
	signed, err := p.signer.Sign(order(f))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(signed)
	f.Add([]byte(`<a><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"/></a>`))
	f.Add([]byte("not xml"))
	opts := dsig.Options{Certificates: []*smx509.Certificate{p.cert}, Now: now}
	f.Fuzz(func(t *testing.T, doc []byte) {
		v, err := dsig.Verify(doc, opts)
		if err != nil {
			if reason(err) == 0 {
				t.Fatalf("failure without a reason: %v", err)
			}
			return
		}
		if v.Certificate != p.cert {
			t.Fatal("verified with another certificate")
		}
		// What verifies must carry the signed content: the order number
		// of the signed message.
		if !bytes.Contains(doc, []byte("SIGNED0001")) {
			t.Fatalf("verified a message without the signed content:\n%s", doc)
		}
	})
}
