package dsig

import (
	"crypto/sha1" //nolint:gosec // rsa-sha1 and the legacy sha1 digest are what older CEB senders use; verified for interoperability
	"crypto/sha256"
	"hash"

	"github.com/emmansun/gmsm/sm3"
)

// Namespace is the XML namespace of ds:Signature.
const Namespace = "http://www.w3.org/2000/09/xmldsig#"

// Algorithm identifiers (URIs) of the signatures cbec reads and writes.
const (
	// C14N10 is inclusive Canonical XML 1.0 without comments, the
	// CanonicalizationMethod of every CEB signature.
	C14N10 = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
	// C14N10Comments is the same with comments kept.
	C14N10Comments = C14N10 + "#WithComments"
	// Enveloped is the enveloped-signature transform: the digest covers the
	// document without its ds:Signature element.
	Enveloped = Namespace + "enveloped-signature"

	// SM2SM3 is the 2022 edition's signature method: SM2 over SM3.
	SM2SM3 = "http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3"
	// DigestSM3 is the 2022 edition's digest method.
	DigestSM3 = "http://www.chinaport.gov.cn/2022/04/xmldsig#sm3"
	// LegacySM2SM3 is the signature method older senders name in the W3C
	// namespace, usually with a SHA-1 digest.
	LegacySM2SM3 = Namespace + "sm2-sm3"
	// RSASHA1 is the RSA PKCS #1 v1.5 signature over SHA-1 of older senders.
	RSASHA1 = Namespace + "rsa-sha1"
	// RSASHA256 is RSA PKCS #1 v1.5 over SHA-256 (RFC 6931).
	RSASHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
	// DigestSHA1 is the SHA-1 digest method.
	DigestSHA1 = Namespace + "sha1"
	// DigestSHA256 is the SHA-256 digest method.
	DigestSHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
)

// digests are the digest methods a Reference may name.
var digests = map[string]func() hash.Hash{
	DigestSM3:    sm3.New,
	DigestSHA1:   sha1.New,
	DigestSHA256: sha256.New,
}

// signatureMethods are the signature methods SignedInfo may name.
var signatureMethods = map[string]bool{SM2SM3: true, LegacySM2SM3: true, RSASHA1: true, RSASHA256: true}

// isSM2 reports whether the method is an SM2 one.
func isSM2(method string) bool { return method == SM2SM3 || method == LegacySM2SM3 }
