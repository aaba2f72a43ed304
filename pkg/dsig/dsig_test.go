package dsig_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emmansun/gmsm/smx509"

	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/ceb/cebtest"
	"github.com/cbec/cbec/pkg/dsig"
)

var now = time.Date(2026, 11, 11, 0, 0, 0, 0, time.UTC)

// party is a key and certificate valid for a year around now.
type party struct {
	signer *dsig.Signer
	cert   *smx509.Certificate
}

func newParty(t testing.TB, name string) party {
	t.Helper()
	keyPEM, certPEM, err := dsig.GenerateSM2(name, now.AddDate(0, -6, 0), now.AddDate(0, 6, 0))
	if err != nil {
		t.Fatal(err)
	}
	s, err := dsig.LoadSigner(keyPEM, certPEM)
	if err != nil {
		t.Fatal(err)
	}
	return party{signer: s, cert: s.Certificate()}
}

// order is an unsigned CEB311 message as a platform writes it.
func order(t testing.TB) []byte {
	t.Helper()
	o, _, _, _ := cebtest.Set("SIGNED0001")
	b, err := ceb.EncodeXML(cebtest.Message(o))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func reason(err error) dsig.Reason {
	var e *dsig.Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return 0
}

func TestSignedMessageVerifiesAndStillDecodes(t *testing.T) {
	p := newParty(t, "1500000001")
	signed, err := p.signer.Sign(order(t))
	if err != nil {
		t.Fatal(err)
	}
	v, err := dsig.Verify(signed, dsig.Options{Certificates: []*smx509.Certificate{p.cert}, Now: now})
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if v.Method != dsig.SM2SM3 || v.Certificate != p.cert {
		t.Errorf("verified %+v", v)
	}
	m, err := ceb.DecodeXML(signed)
	if err != nil {
		t.Fatalf("the signed message no longer decodes: %v", err)
	}
	if len(m.Signature) == 0 || len(m.Documents) != 1 {
		t.Errorf("decoded %d documents, signature %d bytes", len(m.Documents), len(m.Signature))
	}
	if _, err := p.signer.Sign(signed); err == nil {
		t.Error("signing a signed message again: want an error")
	}
}

func TestEveryChangeOfTheSignedContentFails(t *testing.T) {
	p := newParty(t, "1500000001")
	signed, err := p.signer.Sign(order(t))
	if err != nil {
		t.Fatal(err)
	}
	opts := dsig.Options{Certificates: []*smx509.Certificate{p.cert}, Now: now}
	// From the root's start tag: the XML declaration and the whitespace
	// around the root are not part of the canonical document.
	start := bytes.Index(signed, []byte("<CEB311Message"))
	end := bytes.Index(signed, []byte("<ds:Signature"))
	if start < 0 || end < 0 {
		t.Fatal("unexpected layout")
	}
	checked := 0
	for i := start; i < end; i++ {
		c := append([]byte(nil), signed...)
		if c[i] == 'X' {
			c[i] = 'Y'
		} else {
			c[i] = 'X'
		}
		if _, err := dsig.Verify(c, opts); err == nil {
			t.Fatalf("byte %d (%q) changed, still verifies", i, signed[i])
		} else if r := reason(err); r != dsig.DigestMismatch && r != dsig.Malformed {
			t.Fatalf("byte %d changed: reason %v, want digest mismatch (or malformed)", i, r)
		}
		checked++
	}
	if checked < 500 {
		t.Fatalf("checked only %d bytes", checked)
	}
}

func TestVerificationFailuresCarryTheirReason(t *testing.T) {
	a, b := newParty(t, "1500000001"), newParty(t, "1500000003")
	doc := order(t)
	signedA, err := a.signer.Sign(doc)
	if err != nil {
		t.Fatal(err)
	}
	signedB, err := b.signer.Sign(doc)
	if err != nil {
		t.Fatal(err)
	}
	certA := []*smx509.Certificate{a.cert}
	b64 := func(der []byte) string { return strings.TrimSpace(string(pemBody(der))) }
	swapped := bytes.Replace(signedA, []byte(b64(a.cert.Raw)), []byte(b64(b.cert.Raw)), 1)
	if bytes.Equal(swapped, signedA) {
		t.Fatal("certificate not found in the signed message")
	}
	noKeyInfo := cut(signedB, "<ds:KeyInfo>", "</ds:KeyInfo>")
	tamperedValue := replaceBetween(signedA, "<ds:SignatureValue>", "</ds:SignatureValue>", func(v string) string {
		return flip(v)
	})
	tamperedDigest := replaceBetween(signedA, "<ds:DigestValue>", "</ds:DigestValue>", flip)
	for _, tc := range []struct {
		name  string
		doc   []byte
		certs []*smx509.Certificate
		at    time.Time
		want  dsig.Reason
	}{
		{"unsigned", doc, certA, now, dsig.Unsigned},
		{"signed by another party", signedB, certA, now, dsig.UnknownCertificate},
		{"another party's key without KeyInfo", noKeyInfo, certA, now, dsig.BadSignature},
		{"certificate swapped for the party's", replaceCert(signedB, b.cert, a.cert), certA, now, dsig.BadSignature},
		{"certificate swapped for another's", swapped, certA, now, dsig.UnknownCertificate},
		{"SignatureValue changed", tamperedValue, certA, now, dsig.BadSignature},
		{"DigestValue changed", tamperedDigest, certA, now, dsig.DigestMismatch},
		{"certificate expired", signedA, certA, now.AddDate(1, 0, 0), dsig.Expired},
		{"certificate not yet valid", signedA, certA, now.AddDate(-1, 0, 0), dsig.Expired},
		{"no certificate registered", signedA, nil, now, dsig.UnknownCertificate},
		{"two signatures", bytes.Replace(signedA, []byte("</CEB311Message>"), append(sigOf(signedA), "</CEB311Message>"...), 1), certA, now, dsig.Malformed},
		{"reference to a part", bytes.Replace(signedA, []byte(`URI=""`), []byte(`URI="#x"`), 1), certA, now, dsig.Malformed},
		{"unknown algorithm", bytes.Replace(signedA, []byte(dsig.SM2SM3), []byte("urn:none"), 1), certA, now, dsig.Malformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := dsig.Verify(tc.doc, dsig.Options{Certificates: tc.certs, Now: tc.at})
			if got := reason(err); got != tc.want {
				t.Fatalf("reason %v (%v), want %v", got, err, tc.want)
			}
		})
	}
}

func TestLegacyRSASHA1AndDERValuesVerify(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &smx509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "legacy"}, NotBefore: now.AddDate(-1, 0, 0), NotAfter: now.AddDate(1, 0, 0)}
	der, err := smx509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := smx509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	s, err := dsig.NewSigner(key, cert)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := s.Sign(order(t))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(signed, []byte(dsig.RSASHA1)) || !bytes.Contains(signed, []byte(dsig.DigestSHA1)) {
		t.Fatal("an RSA key signs rsa-sha1 over sha1")
	}
	if _, err := dsig.Verify(signed, dsig.Options{Certificates: []*smx509.Certificate{cert}, Now: now}); err != nil {
		t.Fatalf("rsa-sha1: %v", err)
	}
}

func TestExportSignatureGoesBeforeExtendMessage(t *testing.T) {
	p := newParty(t, "1500000001")
	doc := []byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<CEB303Message xmlns="http://www.chinaport.gov.cn/ceb" guid="A" version="1.0"><Order/><BaseTransfer/><ExtendMessage/></CEB303Message>`)
	signed, err := p.signer.Sign(doc)
	if err != nil {
		t.Fatal(err)
	}
	if s, e := bytes.Index(signed, []byte("<ds:Signature")), bytes.Index(signed, []byte("<ExtendMessage")); s < 0 || s > e {
		t.Fatalf("signature at %d, ExtendMessage at %d:\n%s", s, e, signed)
	}
	if _, err := dsig.Verify(signed, dsig.Options{Certificates: []*smx509.Certificate{p.cert}, Now: now}); err != nil {
		t.Fatal(err)
	}
}

func pemBody(der []byte) []byte {
	// The certificate as the message carries it: base64 on one line.
	b := pem.EncodeToMemory(&pem.Block{Type: "X", Bytes: der})
	lines := strings.Split(string(b), "\n")
	return []byte(strings.Join(lines[1:len(lines)-2], ""))
}

func replaceCert(doc []byte, from, to *smx509.Certificate) []byte {
	return bytes.Replace(doc, pemBody(from.Raw), pemBody(to.Raw), 1)
}

func cut(doc []byte, from, to string) []byte {
	i, j := bytes.Index(doc, []byte(from)), bytes.Index(doc, []byte(to))
	return append(append([]byte(nil), doc[:i]...), doc[j+len(to):]...)
}

func replaceBetween(doc []byte, from, to string, f func(string) string) []byte {
	i := bytes.Index(doc, []byte(from)) + len(from)
	j := bytes.Index(doc, []byte(to))
	out := append([]byte(nil), doc[:i]...)
	out = append(out, f(string(doc[i:j]))...)
	return append(out, doc[j:]...)
}

func sigOf(doc []byte) []byte {
	i, j := bytes.Index(doc, []byte("<ds:Signature")), bytes.Index(doc, []byte("</ds:Signature>"))
	return append([]byte(nil), doc[i:j+len("</ds:Signature>")]...)
}

// flip changes the first base64 character of v into another.
func flip(v string) string {
	if v[0] == 'A' {
		return "B" + v[1:]
	}
	return "A" + v[1:]
}

// BenchmarkVerify verifies a signed CEB311 message of one order and of
// 100 (the most a message holds): the per-message cost (the signature) and
// the per-document one (parsing, canonicalising and hashing the content).
//
//	go test ./pkg/dsig -run '^$' -bench Verify
func BenchmarkVerify(b *testing.B) {
	p := newParty(b, "1500000001")
	for _, n := range []int{1, 100} {
		docs := make([]ceb.Document, n)
		for i := range docs {
			o, _, _, _ := cebtest.Set("BENCH" + strings.Repeat("0", 6-len(itoa(i))) + itoa(i))
			docs[i] = o
		}
		doc, err := ceb.EncodeXML(cebtest.Message(docs...))
		if err != nil {
			b.Fatal(err)
		}
		signed, err := p.signer.Sign(doc)
		if err != nil {
			b.Fatal(err)
		}
		opts := dsig.Options{Certificates: []*smx509.Certificate{p.cert}, Now: now}
		b.Run(itoa(n)+"-orders", func(b *testing.B) {
			b.SetBytes(int64(len(signed)))
			for b.Loop() {
				if _, err := dsig.Verify(signed, opts); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/float64(n), "µs/doc")
		})
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
