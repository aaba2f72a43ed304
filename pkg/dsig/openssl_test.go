package dsig_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emmansun/gmsm/sm3"
	"github.com/emmansun/gmsm/smx509"

	"github.com/cbec/cbec/pkg/dsig"
	"github.com/cbec/cbec/pkg/tooltest"
)

// openssl runs OpenSSL 3 and fails the test on an error.
func openssl(t *testing.T, bin string, args ...string) []byte {
	t.Helper()
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// TestOpenSSLVerifiesWhatCbecSigns signs with cbec and checks the
// signature over the canonical SignedInfo with OpenSSL's SM2/SM3 and the
// certificate cbec generated.
func TestOpenSSLVerifiesWhatCbecSigns(t *testing.T) {
	bin := tooltest.Need(t, "openssl")
	dir := t.TempDir()
	keyPEM, certPEM, err := dsig.GenerateSM2("1500000001", time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	s, err := dsig.LoadSigner(keyPEM, certPEM)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := s.Sign(order(t))
	if err != nil {
		t.Fatal(err)
	}
	signedInfo, value, err := dsig.SignedInfo(signed)
	if err != nil {
		t.Fatal(err)
	}
	der, err := dsig.RawToDER(value)
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, "cert.pem", certPEM)
	write(t, dir, "signedinfo", signedInfo)
	write(t, dir, "sig.der", der)
	out := openssl(t, bin, "pkeyutl", "-verify", "-certin", "-inkey", filepath.Join(dir, "cert.pem"), "-rawin", "-digest", "sm3",
		"-pkeyopt", "distid:1234567812345678", "-in", filepath.Join(dir, "signedinfo"), "-sigfile", filepath.Join(dir, "sig.der"))
	if !bytes.Contains(out, []byte("Signature Verified Successfully")) {
		t.Fatalf("openssl: %s", out)
	}
	// A changed byte of SignedInfo fails with OpenSSL too: the check above
	// could not pass by accident.
	signedInfo[len(signedInfo)/2] ^= 1
	write(t, dir, "signedinfo", signedInfo)
	if out, err := exec.Command(bin, "pkeyutl", "-verify", "-certin", "-inkey", filepath.Join(dir, "cert.pem"), "-rawin", "-digest", "sm3",
		"-pkeyopt", "distid:1234567812345678", "-in", filepath.Join(dir, "signedinfo"), "-sigfile", filepath.Join(dir, "sig.der")).CombinedOutput(); err == nil {
		t.Fatalf("openssl verified a changed SignedInfo: %s", out)
	}
}

// TestCbecVerifiesWhatOpenSSLSigns makes the key and self-signed
// certificate with OpenSSL, has OpenSSL sign the canonical SignedInfo, and
// verifies the message with cbec.
func TestCbecVerifiesWhatOpenSSLSigns(t *testing.T) {
	bin := tooltest.Need(t, "openssl")
	dir := t.TempDir()
	key, cert := filepath.Join(dir, "key.pem"), filepath.Join(dir, "cert.pem")
	openssl(t, bin, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:SM2", "-out", key)
	openssl(t, bin, "req", "-new", "-x509", "-key", key, "-sm3", "-sigopt", "distid:1234567812345678",
		"-subj", "/CN=1500000001", "-days", "30", "-out", cert)
	keyPEM, certPEM := read(t, key), read(t, cert)
	s, err := dsig.LoadSigner(keyPEM, certPEM)
	if err != nil {
		t.Fatalf("OpenSSL's SM2 key and certificate: %v", err)
	}
	// cbec lays out the signature; OpenSSL makes its value.
	signed, err := s.Sign(order(t))
	if err != nil {
		t.Fatal(err)
	}
	signedInfo, ours, err := dsig.SignedInfo(signed)
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, "signedinfo", signedInfo)
	openssl(t, bin, "pkeyutl", "-sign", "-inkey", key, "-rawin", "-digest", "sm3", "-pkeyopt", "distid:1234567812345678",
		"-in", filepath.Join(dir, "signedinfo"), "-out", filepath.Join(dir, "sig.der"))
	raw, err := dsig.DERToRaw(read(t, filepath.Join(dir, "sig.der")))
	if err != nil {
		t.Fatal(err)
	}
	theirs := bytes.Replace(signed, []byte(base64.StdEncoding.EncodeToString(ours)), []byte(base64.StdEncoding.EncodeToString(raw)), 1)
	if bytes.Equal(theirs, signed) {
		t.Fatal("SignatureValue not replaced")
	}
	certs, err := dsig.ParseCertificates(certPEM)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dsig.Verify(theirs, dsig.Options{Certificates: certs, Now: time.Now()}); err != nil {
		t.Fatalf("OpenSSL's signature: %v", err)
	}
	// The DER value OpenSSL wrote verifies as it is, too.
	derValue := bytes.Replace(signed, []byte(base64.StdEncoding.EncodeToString(ours)), []byte(base64.StdEncoding.EncodeToString(read(t, filepath.Join(dir, "sig.der")))), 1)
	if _, err := dsig.Verify(derValue, dsig.Options{Certificates: certs, Now: time.Now()}); err != nil {
		t.Fatalf("OpenSSL's DER signature value: %v", err)
	}
}

// TestDigestIsOverLibxml2sCanonicalForm checks cbec's canonicalisation
// against libxml2's: the SM3 of `xmllint --c14n` of the unsigned message
// is the DigestValue cbec signs.
func TestDigestIsOverLibxml2sCanonicalForm(t *testing.T) {
	xmllint := tooltest.Need(t, "xmllint")
	dir := t.TempDir()
	doc := order(t)
	write(t, dir, "doc.xml", doc)
	canon, err := exec.Command(xmllint, "--c14n", filepath.Join(dir, "doc.xml")).Output()
	if err != nil {
		t.Fatal(err)
	}
	p := newParty(t, "1500000001")
	signed, err := p.signer.Sign(doc)
	if err != nil {
		t.Fatal(err)
	}
	sum := sm3.Sum(canon)
	if !bytes.Contains(signed, []byte("<ds:DigestValue>"+base64.StdEncoding.EncodeToString(sum[:])+"</ds:DigestValue>")) {
		t.Fatalf("DigestValue is not the SM3 of libxml2's canonical form (%x)", sha256.Sum256(canon))
	}
	if _, err := dsig.Verify(signed, dsig.Options{Certificates: []*smx509.Certificate{p.cert}, Now: now}); err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, dir, name string, b []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
