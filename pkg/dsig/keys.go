package dsig

import (
	"crypto"
	"crypto/rand"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"
)

// ParseCertificates reads every CERTIFICATE block of PEM data (SM2 or RSA
// X.509). It fails on data holding none, or on a block that does not parse.
func ParseCertificates(data []byte) ([]*smx509.Certificate, error) {
	var out []*smx509.Certificate
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := smx509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("certificate %d: %w", len(out)+1, err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, errors.New("no PEM CERTIFICATE block")
	}
	return out, nil
}

// ParsePrivateKey reads a PEM private key: PKCS #8 ("PRIVATE KEY", as
// OpenSSL 3 writes SM2 and RSA keys), SEC 1 ("EC PRIVATE KEY", SM2) or
// PKCS #1 ("RSA PRIVATE KEY").
func ParsePrivateKey(data []byte) (crypto.Signer, error) {
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return nil, errors.New("no PEM private key block")
		}
		var (
			k   any
			err error
		)
		switch b.Type {
		case "PRIVATE KEY":
			k, err = smx509.ParsePKCS8PrivateKey(b.Bytes)
		case "EC PRIVATE KEY":
			k, err = smx509.ParseTypedECPrivateKey(b.Bytes)
		case "RSA PRIVATE KEY":
			k, err = smx509.ParsePKCS1PrivateKey(b.Bytes)
		default:
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("private key: %w", err)
		}
		switch k := k.(type) {
		case *sm2.PrivateKey:
			return k, nil
		case crypto.Signer:
			return k, nil
		}
		return nil, fmt.Errorf("private key: %T is not a signing key", k)
	}
}

// LoadSigner builds a Signer from a PEM key and a PEM certificate (the
// first CERTIFICATE block).
func LoadSigner(keyPEM, certPEM []byte) (*Signer, error) {
	key, err := ParsePrivateKey(keyPEM)
	if err != nil {
		return nil, err
	}
	certs, err := ParseCertificates(certPEM)
	if err != nil {
		return nil, err
	}
	return NewSigner(key, certs[0])
}

// GenerateSM2 makes a test SM2 key and a self-signed SM2/SM3 certificate
// for name, valid from notBefore to notAfter, both PEM (the key PKCS #8).
// Production certificates come from the electronic port's CA.
func GenerateSM2(name string, notBefore, notAfter time.Time) (keyPEM, certPEM []byte, err error) {
	key, err := sm2.GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		return nil, nil, err
	}
	tmpl := &smx509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              smx509.KeyUsageDigitalSignature | smx509.KeyUsageContentCommitment,
		BasicConstraintsValid: true,
	}
	der, err := smx509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	p8, err := smx509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: p8}),
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), nil
}
