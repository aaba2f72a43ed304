package dsig

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // rsa-sha1 for legacy RSA keys only
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/beevik/etree"
	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"

	"github.com/cbec/cbec/pkg/ceb"
)

var errBadDER = errors.New("dsig: malformed DER signature")

// Signer signs messages with one key and its certificate. The method
// follows the key: SM2 keys sign with the 2022 edition's sm2-sm3 over an
// SM3 digest; RSA keys with rsa-sha1 over a SHA-1 digest, which is what
// older receivers accept (weak: use SM2 keys).
type Signer struct {
	key          crypto.Signer
	cert         *smx509.Certificate
	method       string
	digestMethod string
}

// NewSigner binds key to cert; the certificate must hold key's public key.
func NewSigner(key crypto.Signer, cert *smx509.Certificate) (*Signer, error) {
	if key == nil || cert == nil {
		return nil, errors.New("dsig: signer needs a key and a certificate")
	}
	s := &Signer{key: key, cert: cert}
	switch k := key.(type) {
	case *sm2.PrivateKey:
		s.method, s.digestMethod = SM2SM3, DigestSM3
		if !k.PublicKey.Equal(cert.PublicKey) {
			return nil, errors.New("dsig: the certificate does not hold the SM2 key's public key")
		}
	case *rsa.PrivateKey:
		s.method, s.digestMethod = RSASHA1, DigestSHA1
		if !k.PublicKey.Equal(cert.PublicKey) {
			return nil, errors.New("dsig: the certificate does not hold the RSA key's public key")
		}
	default:
		return nil, fmt.Errorf("dsig: %T keys are not supported; use SM2 or RSA", key)
	}
	return s, nil
}

// Certificate returns the signing certificate.
func (s *Signer) Certificate() *smx509.Certificate { return s.cert }

// Method returns the signature method's URI.
func (s *Signer) Method() string { return s.method }

// Sign returns doc with an enveloped ds:Signature added: after the last
// child of the root, or for export messages (export.xsd) before
// ExtendMessage. doc must not be signed already. The content is kept as
// parsed; the output may differ from doc in syntax (quoting, empty
// elements) but not in canonical form.
func (s *Signer) Sign(doc []byte) ([]byte, error) {
	d, err := parse(doc)
	if err != nil {
		return nil, fmt.Errorf("dsig: %w", err)
	}
	root := d.Root()
	if isDocumentSigned(root) {
		return nil, errors.New("dsig: the document is signed already")
	}
	c, _ := canonicalizer(C14N10)
	canon, err := c.Canonicalize(root)
	if err != nil {
		return nil, fmt.Errorf("dsig: %w", err)
	}
	h := digests[s.digestMethod]()
	h.Write(canon)

	sig := etree.NewElement("ds:Signature")
	sig.CreateAttr("xmlns:ds", Namespace)
	si := sig.CreateElement("ds:SignedInfo")
	si.CreateElement("ds:CanonicalizationMethod").CreateAttr("Algorithm", C14N10)
	si.CreateElement("ds:SignatureMethod").CreateAttr("Algorithm", s.method)
	ref := si.CreateElement("ds:Reference")
	ref.CreateAttr("URI", "")
	ref.CreateElement("ds:Transforms").CreateElement("ds:Transform").CreateAttr("Algorithm", Enveloped)
	ref.CreateElement("ds:DigestMethod").CreateAttr("Algorithm", s.digestMethod)
	ref.CreateElement("ds:DigestValue").SetText(base64.StdEncoding.EncodeToString(h.Sum(nil)))
	sv := sig.CreateElement("ds:SignatureValue")
	ki := sig.CreateElement("ds:KeyInfo")
	ki.CreateElement("ds:KeyName").SetText(strings.ToUpper(s.cert.SerialNumber.Text(16)))
	ki.CreateElement("ds:X509Data").CreateElement("ds:X509Certificate").SetText(base64.StdEncoding.EncodeToString(s.cert.Raw))
	root.InsertChildAt(signaturePosition(root), sig)

	// SignedInfo is canonicalised in place, so that it carries the
	// namespaces it inherits from the root, as a verifier will see it.
	signed, err := c.Canonicalize(si)
	if err != nil {
		return nil, fmt.Errorf("dsig: %w", err)
	}
	value, err := s.signValue(signed)
	if err != nil {
		return nil, err
	}
	sv.SetText(base64.StdEncoding.EncodeToString(value))
	var out bytes.Buffer
	if _, err := d.WriteTo(&out); err != nil {
		return nil, fmt.Errorf("dsig: %w", err)
	}
	return out.Bytes(), nil
}

// signValue signs the canonical SignedInfo.
func (s *Signer) signValue(data []byte) ([]byte, error) {
	switch k := s.key.(type) {
	case *sm2.PrivateKey:
		der, err := k.Sign(rand.Reader, data, sm2.DefaultSM2SignerOpts)
		if err != nil {
			return nil, fmt.Errorf("dsig: %w", err)
		}
		return derToRaw(der)
	case *rsa.PrivateKey:
		sum := sha1.Sum(data) //nolint:gosec // rsa-sha1 for legacy RSA keys only
		return rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA1, sum[:])
	}
	return nil, fmt.Errorf("dsig: %T keys are not supported", s.key)
}

// signaturePosition is the child index where ds:Signature goes: export
// messages (export.xsd) put it before ExtendMessage, every other root —
// import messages and the DXP envelope — last.
func signaturePosition(root *etree.Element) int {
	if t, ok := ceb.MsgTypeOf(root.Tag); ok && t.IsExport() {
		for i, tok := range root.Child {
			if el, ok := tok.(*etree.Element); ok && el.Tag == "ExtendMessage" {
				return i
			}
		}
	}
	return len(root.Child)
}
