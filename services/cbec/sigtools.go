package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/emmansun/gmsm/smx509"

	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/dsig"
)

// maxSignedDocument is the largest message sign and verify read: the
// gateway takes no larger message either, and a bound keeps a wrong file
// piped in by mistake from filling memory.
const maxSignedDocument = 10 << 20

// RunKeygen is `cbec keygen --key FILE --cert FILE`: it makes an SM2 key
// and a self-signed SM2/SM3 certificate so that an integrator can try
// signing and verifying before the electronic port's CA has issued the
// real ones. The key is written 0600 (it signs in the holder's name), the
// certificate 0644 (it is handed to whoever verifies). It refuses to
// overwrite either file: replacing a key that a counterpart has
// registered breaks every later signature, so it must be deliberate.
func RunKeygen(args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("cbec keygen", flag.ContinueOnError)
	flags.SetOutput(stderr)
	keyFile := flags.String("key", "", "file to write the SM2 private key to (PEM PKCS #8, mode 0600)")
	certFile := flags.String("cert", "", "file to write the self-signed SM2/SM3 certificate to (PEM, mode 0644)")
	name := flags.String("name", "cbec test signer", "the certificate's subject common name")
	days := flags.Int("days", 365, "days the certificate is valid")
	flags.Usage = func() {
		_, _ = fmt.Fprint(flags.Output(), `usage: cbec keygen --key FILE --cert FILE [--name CN] [--days N]

Writes a TEST SM2 key and a self-signed SM2/SM3 certificate. Production
certificates come from the electronic port's CA. The OpenSSL 3 equivalent:

  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:SM2 -out key.pem
  openssl req -new -x509 -key key.pem -sm3 -sigopt distid:1234567812345678 -subj /CN=NAME -days 365 -out cert.pem

`)
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		return err
	}
	switch {
	case flags.NArg() > 0:
		return fmt.Errorf("keygen: unexpected arguments %v", flags.Args())
	case *keyFile == "" || *certFile == "":
		return errors.New("keygen: --key and --cert are required")
	case *keyFile == *certFile:
		return errors.New("keygen: --key and --cert must be different files")
	case *days <= 0:
		return fmt.Errorf("keygen: --days %d: must be positive", *days)
	}
	for _, f := range []string{*keyFile, *certFile} {
		if _, err := os.Lstat(f); err == nil {
			return fmt.Errorf("keygen: %s exists; remove it to make a new key and certificate", f)
		}
	}
	// Valid from an hour ago, so that a verifier whose clock is a little
	// behind accepts a certificate made a moment ago.
	now := time.Now()
	notAfter := now.AddDate(0, 0, *days)
	keyPEM, certPEM, err := dsig.GenerateSM2(*name, now.Add(-time.Hour), notAfter)
	if err != nil {
		return fmt.Errorf("keygen: %w", err)
	}
	if err := writeNew(*keyFile, keyPEM, 0o600); err != nil {
		return fmt.Errorf("keygen: %w", err)
	}
	if err := writeNew(*certFile, certPEM, 0o644); err != nil {
		// A key without its certificate is of no use, and left behind it
		// would make the next attempt refuse.
		_ = os.Remove(*keyFile)
		return fmt.Errorf("keygen: %w", err)
	}
	_, err = fmt.Fprintf(stdout, "cbec: wrote a TEST SM2 key to %s and a self-signed certificate (CN=%s, valid until %s) to %s; production certificates come from the electronic port's CA\n",
		*keyFile, *name, notAfter.UTC().Format(time.DateOnly), *certFile)
	return err
}

// writeNew writes a file that must not exist yet (O_EXCL, so that a file
// made between the check and the write is not overwritten either) with
// exactly mode perm: the umask may not loosen the key, nor make the
// certificate unreadable to the service that verifies with it.
func writeNew(name string, data []byte, perm os.FileMode) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(perm)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(name)
	}
	return err
}

// RunSign is `cbec sign --key FILE --cert FILE < doc.xml > signed.xml`: it
// adds the enveloped SM2/SM3 (or RSA) signature customs require to a CEB
// message, so that an integrator can sign what they send without writing
// XML-DSig code of their own, and check their own signer against it.
func RunSign(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("cbec sign", flag.ContinueOnError)
	flags.SetOutput(stderr)
	keyFile := flags.String("key", "", "PEM private key (SM2 or RSA; PKCS #8, SEC 1 or PKCS #1)")
	certFile := flags.String("cert", "", "PEM certificate of the key (the first CERTIFICATE block)")
	flags.Usage = func() {
		_, _ = fmt.Fprint(flags.Output(), "usage: cbec sign --key FILE --cert FILE < doc.xml > signed.xml\n\nSigns the CEB message on stdin (enveloped XML signature) and writes it to stdout.\n\n")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		return err
	}
	switch {
	case flags.NArg() > 0:
		return fmt.Errorf("sign: unexpected arguments %v", flags.Args())
	case *keyFile == "" || *certFile == "":
		return errors.New("sign: --key and --cert are required")
	}
	keyPEM, err := os.ReadFile(*keyFile)
	if err != nil {
		return fmt.Errorf("sign: --key: %w", err)
	}
	certPEM, err := os.ReadFile(*certFile)
	if err != nil {
		return fmt.Errorf("sign: --cert: %w", err)
	}
	// Parsed one by one rather than with dsig.LoadSigner, so that an error
	// names the file at fault.
	key, err := dsig.ParsePrivateKey(keyPEM)
	if err != nil {
		return fmt.Errorf("sign: --key %s: %w", *keyFile, err)
	}
	certs, err := dsig.ParseCertificates(certPEM)
	if err != nil {
		return fmt.Errorf("sign: --cert %s: %w", *certFile, err)
	}
	signer, err := dsig.NewSigner(key, certs[0])
	if err != nil {
		return fmt.Errorf("sign: --key %s, --cert %s: %w", *keyFile, *certFile, err)
	}
	doc, err := readDocument(stdin)
	if err != nil {
		return fmt.Errorf("sign: %w", err)
	}
	signed, err := signer.Sign(doc)
	if err != nil {
		return fmt.Errorf("sign: %w", err)
	}
	_, err = stdout.Write(signed)
	return err
}

// RunVerify is `cbec verify --cert FILE [--cert FILE ...] < doc.xml`: it
// checks a message's enveloped signature against the certificates the
// signer is known by, as the gateway does, so that an integrator can test
// their signatures and check customs' signed receipts. On success it
// writes the verified document to stdout — for a DXP envelope the CEB
// message inside it, since that is what the signature vouches for and
// what the integrator wants — and one line about the signature to stderr.
// A failed verification is an error naming its reason.
func RunVerify(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("cbec verify", flag.ContinueOnError)
	flags.SetOutput(stderr)
	var certFiles fileList
	flags.Var(&certFiles, "cert", "PEM file of the signer's certificate(s); repeat for several files, a file may hold several")
	at := flags.String("at", "", "RFC 3339 time the certificate must be valid at (default now)")
	flags.Usage = func() {
		_, _ = fmt.Fprint(flags.Output(), "usage: cbec verify --cert FILE [--cert FILE ...] [--at TIME] < doc.xml > verified.xml\n\nVerifies the enveloped signature of the message on stdin and writes the verified\nmessage to stdout: for a DXP DxpMsg envelope (customs' receipts), the CEB message\nit carries; otherwise the input unchanged.\n\n")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		return err
	}
	switch {
	case flags.NArg() > 0:
		return fmt.Errorf("verify: unexpected arguments %v", flags.Args())
	case len(certFiles) == 0:
		return errors.New("verify: --cert is required")
	}
	now := time.Now()
	if *at != "" {
		t, err := time.Parse(time.RFC3339, *at)
		if err != nil {
			return fmt.Errorf("verify: --at: %w", err)
		}
		now = t
	}
	var certs []*smx509.Certificate
	for _, f := range certFiles {
		data, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("verify: --cert: %w", err)
		}
		cs, err := dsig.ParseCertificates(data)
		if err != nil {
			return fmt.Errorf("verify: --cert %s: %w", f, err)
		}
		certs = append(certs, cs...)
	}
	doc, err := readDocument(stdin)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	v, err := dsig.Verify(doc, dsig.Options{Certificates: certs, Now: now})
	if err != nil {
		var e *dsig.Error
		if errors.As(err, &e) {
			return fmt.Errorf("verify: %s: %w", e.Reason, err)
		}
		return fmt.Errorf("verify: %w", err)
	}
	out := doc
	if ceb.IsDxpMsg(doc) {
		m, err := ceb.DecodeDxpMsg(doc)
		if err != nil {
			return fmt.Errorf("verify: the signature verified but the envelope does not decode: %w", err)
		}
		out = m.Data
	}
	// The serial in upper-case hex, as Sign writes it in KeyName, so that
	// the two can be compared by eye.
	c := v.Certificate
	if _, err := fmt.Fprintf(stderr, "signature verified: %s, certificate %s serial %s, valid until %s\n",
		v.Method, c.Subject.CommonName, strings.ToUpper(c.SerialNumber.Text(16)), c.NotAfter.UTC().Format(time.RFC3339)); err != nil {
		return err
	}
	_, err = stdout.Write(out)
	return err
}

// readDocument reads a whole message, refusing one over maxSignedDocument
// rather than signing or verifying a truncated one, and input that does
// not even start like XML (a PEM or JSON file piped in by mistake) with a
// plainer message than the XML parser's.
func readDocument(r io.Reader) ([]byte, error) {
	doc, err := io.ReadAll(io.LimitReader(r, maxSignedDocument+1))
	if err != nil {
		return nil, err
	}
	if len(doc) > maxSignedDocument {
		return nil, fmt.Errorf("the document is larger than %d MiB", maxSignedDocument>>20)
	}
	if len(doc) == 0 {
		return nil, errors.New("no document on stdin")
	}
	if !bytes.HasPrefix(bytes.TrimLeft(doc, " \t\r\n\ufeff"), []byte("<")) {
		return nil, errors.New("stdin is not an XML document")
	}
	return doc, nil
}

// fileList is a repeatable file flag.
type fileList []string

func (l *fileList) String() string { return strings.Join(*l, ",") }

func (l *fileList) Set(s string) error {
	*l = append(*l, s)
	return nil
}
