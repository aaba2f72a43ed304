package dsig

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // rsa-sha1 of older CEB senders
	"crypto/sha256"
	"encoding/asn1"
	"encoding/base64"
	"math/big"
	"time"

	"github.com/beevik/etree"
	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"
)

// Options are what a verification checks a signature against.
type Options struct {
	// Certificates are the signer's registered certificates: the signature
	// must be made with one of them. A certificate carried in the message
	// (KeyInfo) is only used to pick one of these.
	Certificates []*smx509.Certificate
	// Now is the time the certificate must be valid at.
	Now time.Time
}

// Verified is a signature that verified.
type Verified struct {
	// Certificate is the registered certificate that verified it.
	Certificate *smx509.Certificate
	// Method is the signature method's URI.
	Method string
}

// Verify checks the enveloped signature of doc: the digest of the document
// without its ds:Signature, the signature over the canonical SignedInfo,
// and that the certificate is one of opts.Certificates, valid at opts.Now.
// A failure is an *Error whose Reason says which check failed.
func Verify(doc []byte, opts Options) (*Verified, error) {
	d, err := parse(doc)
	if err != nil {
		return nil, fail(Malformed, "the document cannot be parsed: %v", err)
	}
	root := d.Root()
	sigs := dsChildren(root, "Signature")
	switch len(sigs) {
	case 0:
		return nil, fail(Unsigned, "the message carries no ds:Signature")
	case 1:
	default:
		return nil, fail(Malformed, "the message carries %d ds:Signature elements, want 1", len(sigs))
	}
	s, err := readSignature(sigs[0])
	if err != nil {
		return nil, err
	}

	// Reference validation: the document as signed.
	canon, err := withoutSignature(root, sigs[0], s.refC14N)
	if err != nil {
		return nil, fail(Malformed, "canonicalisation failed: %v", err)
	}
	h := digests[s.digestMethod]()
	h.Write(canon)
	if !bytes.Equal(h.Sum(nil), s.digest) {
		return nil, fail(DigestMismatch, "the document's digest differs from the signed DigestValue: the data was changed after signing")
	}

	// Signature validation over the canonical SignedInfo, which keeps the
	// namespaces it inherits from the message.
	signed, err := s.c14n.Canonicalize(s.signedInfo)
	if err != nil {
		return nil, fail(Malformed, "canonicalisation of SignedInfo failed: %v", err)
	}
	candidates := opts.Certificates
	if s.cert != nil {
		candidates = nil
		for _, c := range opts.Certificates {
			if bytes.Equal(c.Raw, s.cert) {
				candidates = append(candidates, c)
			}
		}
		if len(candidates) == 0 {
			return nil, fail(UnknownCertificate, "the message is signed with a certificate not registered for its sender")
		}
	}
	if len(candidates) == 0 {
		return nil, fail(UnknownCertificate, "no certificate is registered for the sender")
	}
	for _, c := range candidates {
		if !verifyValue(s.method, c.PublicKey, signed, s.value) {
			continue
		}
		if opts.Now.Before(c.NotBefore) || opts.Now.After(c.NotAfter) {
			return nil, fail(Expired, "the signing certificate (serial %s) is valid from %s to %s, not at %s",
				c.SerialNumber.Text(16), c.NotBefore.UTC().Format(time.RFC3339), c.NotAfter.UTC().Format(time.RFC3339), opts.Now.UTC().Format(time.RFC3339))
		}
		return &Verified{Certificate: c, Method: s.method}, nil
	}
	if s.cert != nil {
		return nil, fail(BadSignature, "SignatureValue does not verify with the message's certificate")
	}
	return nil, fail(BadSignature, "SignatureValue does not verify with any certificate registered for the sender")
}

// signature is a parsed ds:Signature.
type signature struct {
	signedInfo   *etree.Element
	c14n         canonicalizerT
	refC14N      canonicalizerT
	method       string
	digestMethod string
	digest       []byte
	value        []byte
	cert         []byte // DER of KeyInfo/X509Data/X509Certificate, if any
}

// readSignature checks the structure CEB signatures have and reads it. It
// accepts only a Reference to the whole document (URI="") with the
// enveloped transform, so that what verifies is the message itself and not
// some other part of it.
func readSignature(sig *etree.Element) (*signature, error) {
	si, err := dsChild(sig, "SignedInfo")
	if err != nil {
		return nil, fail(Malformed, "%v", err)
	}
	cm, err := dsChild(si, "CanonicalizationMethod")
	if err != nil {
		return nil, fail(Malformed, "%v", err)
	}
	c14n, ok := canonicalizer(cm.SelectAttrValue("Algorithm", ""))
	if !ok {
		return nil, fail(Malformed, "CanonicalizationMethod %q is not C14N 1.0", cm.SelectAttrValue("Algorithm", ""))
	}
	sm, err := dsChild(si, "SignatureMethod")
	if err != nil {
		return nil, fail(Malformed, "%v", err)
	}
	method := sm.SelectAttrValue("Algorithm", "")
	if !signatureMethods[method] {
		return nil, fail(Malformed, "SignatureMethod %q is not supported", method)
	}
	ref, err := dsChild(si, "Reference")
	if err != nil {
		return nil, fail(Malformed, "%v", err)
	}
	if uri, ok := attr(ref, "URI"); !ok || uri != "" {
		return nil, fail(Malformed, `the Reference must have URI="" (the whole message)`)
	}
	refC14N, err := referenceTransforms(ref)
	if err != nil {
		return nil, err
	}
	dm, err := dsChild(ref, "DigestMethod")
	if err != nil {
		return nil, fail(Malformed, "%v", err)
	}
	digestMethod := dm.SelectAttrValue("Algorithm", "")
	if _, ok := digests[digestMethod]; !ok {
		return nil, fail(Malformed, "DigestMethod %q is not supported", digestMethod)
	}
	dv, err := dsChild(ref, "DigestValue")
	if err != nil {
		return nil, fail(Malformed, "%v", err)
	}
	digest, err := base64.StdEncoding.DecodeString(text(dv))
	if err != nil {
		return nil, fail(Malformed, "DigestValue is not base64")
	}
	sv, err := dsChild(sig, "SignatureValue")
	if err != nil {
		return nil, fail(Malformed, "%v", err)
	}
	value, err := base64.StdEncoding.DecodeString(text(sv))
	if err != nil {
		return nil, fail(Malformed, "SignatureValue is not base64")
	}
	s := &signature{signedInfo: si, c14n: c14n, refC14N: refC14N, method: method, digestMethod: digestMethod, digest: digest, value: value}
	for _, ki := range dsChildren(sig, "KeyInfo") {
		for _, xd := range dsChildren(ki, "X509Data") {
			for _, xc := range dsChildren(xd, "X509Certificate") {
				der, err := base64.StdEncoding.DecodeString(text(xc))
				if err != nil {
					return nil, fail(Malformed, "X509Certificate is not base64")
				}
				if s.cert != nil && !bytes.Equal(s.cert, der) {
					return nil, fail(Malformed, "KeyInfo carries more than one certificate")
				}
				s.cert = der
			}
		}
	}
	return s, nil
}

// referenceTransforms checks the Reference's transforms — the enveloped
// transform, optionally followed by C14N 1.0 — and returns the
// canonicalisation of the document they end with (C14N 1.0 without
// comments unless named otherwise, as XML-DSig converts a node-set).
func referenceTransforms(ref *etree.Element) (canonicalizerT, error) {
	ts, err := dsChild(ref, "Transforms")
	if err != nil {
		return nil, fail(Malformed, "%v", err)
	}
	list := dsChildren(ts, "Transform")
	if len(list) == 0 || list[0].SelectAttrValue("Algorithm", "") != Enveloped {
		return nil, fail(Malformed, "the first Transform must be the enveloped signature")
	}
	c, _ := canonicalizer(C14N10)
	switch len(list) {
	case 1:
	case 2:
		var ok bool
		if c, ok = canonicalizer(list[1].SelectAttrValue("Algorithm", "")); !ok {
			return nil, fail(Malformed, "Transform %q is not supported", list[1].SelectAttrValue("Algorithm", ""))
		}
	default:
		return nil, fail(Malformed, "the Reference has %d transforms, want the enveloped one and at most a C14N 1.0", len(list))
	}
	return c, nil
}

// attr returns an attribute without a prefix and whether it is present.
func attr(el *etree.Element, key string) (string, bool) {
	for _, a := range el.Attr {
		if a.Space == "" && a.Key == key {
			return a.Value, true
		}
	}
	return "", false
}

// verifyValue checks a signature value over data with pub.
func verifyValue(method string, pub any, data, sig []byte) bool {
	switch {
	case isSM2(method):
		ec, ok := pub.(*ecdsa.PublicKey)
		if !ok || !sm2.IsSM2PublicKey(ec) {
			return false
		}
		der := sig
		if len(sig) == 64 {
			var err error
			if der, err = rawToDER(sig); err != nil {
				return false
			}
		}
		return sm2.VerifyASN1WithSM2(ec, nil, data, der)
	case method == RSASHA1 || method == RSASHA256:
		rk, ok := pub.(*rsa.PublicKey)
		if !ok {
			return false
		}
		if method == RSASHA1 {
			sum := sha1.Sum(data) //nolint:gosec // rsa-sha1 of older CEB senders
			return rsa.VerifyPKCS1v15(rk, crypto.SHA1, sum[:], sig) == nil
		}
		sum := sha256.Sum256(data)
		return rsa.VerifyPKCS1v15(rk, crypto.SHA256, sum[:], sig) == nil
	}
	return false
}

// ecSignature is the DER form of an SM2 (or ECDSA) signature.
type ecSignature struct{ R, S *big.Int }

// rawToDER turns the 64-byte r‖s into DER.
func rawToDER(raw []byte) ([]byte, error) {
	return asn1.Marshal(ecSignature{R: new(big.Int).SetBytes(raw[:32]), S: new(big.Int).SetBytes(raw[32:])})
}

// derToRaw turns a DER signature into the 64-byte r‖s.
func derToRaw(der []byte) ([]byte, error) {
	var s ecSignature
	rest, err := asn1.Unmarshal(der, &s)
	if err != nil || len(rest) > 0 || s.R.Sign() <= 0 || s.S.Sign() <= 0 || s.R.BitLen() > 256 || s.S.BitLen() > 256 {
		return nil, errBadDER
	}
	out := make([]byte, 64)
	s.R.FillBytes(out[:32])
	s.S.FillBytes(out[32:])
	return out, nil
}

// SignedInfo returns the canonical SignedInfo of doc's signature and the
// decoded SignatureValue: the bytes the signature is made over and the
// signature itself, for checking them with other software (OpenSSL).
func SignedInfo(doc []byte) (signedInfo, value []byte, err error) {
	d, err := parse(doc)
	if err != nil {
		return nil, nil, fail(Malformed, "the document cannot be parsed: %v", err)
	}
	sig, err := dsChild(d.Root(), "Signature")
	if err != nil {
		return nil, nil, fail(Unsigned, "%v", err)
	}
	s, err := readSignature(sig)
	if err != nil {
		return nil, nil, err
	}
	signed, err := s.c14n.Canonicalize(s.signedInfo)
	if err != nil {
		return nil, nil, fail(Malformed, "canonicalisation of SignedInfo failed: %v", err)
	}
	return signed, s.value, nil
}

// RawToDER converts a 64-byte SM2 r‖s signature value to DER, the form
// OpenSSL reads.
func RawToDER(raw []byte) ([]byte, error) {
	if len(raw) != 64 {
		return nil, errBadDER
	}
	return rawToDER(raw)
}

// DERToRaw converts a DER SM2 signature, as OpenSSL writes it, to the
// 64-byte r‖s that CEB messages carry.
func DERToRaw(der []byte) ([]byte, error) { return derToRaw(der) }
