package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/ceb/cebtest"
	"github.com/cbec/cbec/pkg/dsig"
)

// keypair runs `cbec keygen` into dir and returns the key and certificate
// files.
func keypair(t *testing.T, dir, name string, extra ...string) (key, cert string) {
	t.Helper()
	key, cert = filepath.Join(dir, name+".key"), filepath.Join(dir, name+".pem")
	var out bytes.Buffer
	if err := RunKeygen(append([]string{"--key", key, "--cert", cert, "--name", name}, extra...), &out, io.Discard); err != nil {
		t.Fatalf("keygen: %v", err)
	}
	return key, cert
}

// orderMessage is an unsigned CEB311 message as a platform writes it.
func orderMessage(t *testing.T) []byte {
	t.Helper()
	o, _, _, _ := cebtest.Set("X1")
	b, err := ceb.EncodeXML(cebtest.Message(o))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sign(t *testing.T, key, cert string, doc []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := RunSign([]string{"--key", key, "--cert", cert}, bytes.NewReader(doc), &out, io.Discard); err != nil {
		t.Fatalf("sign: %v", err)
	}
	return out.Bytes()
}

// verify runs `cbec verify` and returns its stdout, stderr and error.
func verify(doc []byte, args ...string) (stdout, stderr string, err error) {
	var o, e bytes.Buffer
	err = RunVerify(args, bytes.NewReader(doc), &o, &e)
	return o.String(), e.String(), err
}

func TestKeygenWritesModesAndRefusesToOverwrite(t *testing.T) {
	dir := t.TempDir()
	key, cert := filepath.Join(dir, "k.pem"), filepath.Join(dir, "c.pem")
	var out bytes.Buffer
	if err := RunKeygen([]string{"--key", key, "--cert", cert, "--name", "1500000001", "--days", "30"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "electronic port's CA") || strings.Count(out.String(), "\n") != 1 {
		t.Errorf("keygen printed %q, want one line naming the electronic port's CA", out.String())
	}
	for f, want := range map[string]os.FileMode{key: 0o600, cert: 0o644} {
		st, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", f, st.Mode().Perm(), want)
		}
	}
	keyPEM, _ := os.ReadFile(key)
	certPEM, _ := os.ReadFile(cert)
	s, err := dsig.LoadSigner(keyPEM, certPEM)
	if err != nil {
		t.Fatalf("the written key and certificate do not load: %v", err)
	}
	c := s.Certificate()
	if c.Subject.CommonName != "1500000001" || s.Method() != dsig.SM2SM3 {
		t.Errorf("certificate CN %q, method %s", c.Subject.CommonName, s.Method())
	}
	if d := time.Until(c.NotAfter); d < 29*24*time.Hour || d > 31*24*time.Hour {
		t.Errorf("certificate valid until %v, want in 30 days", c.NotAfter)
	}

	// Either file existing is refused, and neither is touched.
	other := filepath.Join(dir, "other.pem")
	for _, args := range [][]string{{"--key", key, "--cert", other}, {"--key", other, "--cert", cert}} {
		err := RunKeygen(args, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "exists") {
			t.Errorf("keygen %v: %v, want refusal to overwrite", args, err)
		}
		if _, err := os.Stat(other); err == nil {
			t.Errorf("keygen %v wrote %s though it refused", args, other)
		}
	}
	if after, _ := os.ReadFile(key); !bytes.Equal(after, keyPEM) {
		t.Error("the key was overwritten")
	}
}

// TestKeygenSignVerifyHelp goes through Run, so that it checks the
// dispatch too.
func TestKeygenSignVerifyHelp(t *testing.T) {
	for _, cmd := range []string{"keygen", "sign", "verify"} {
		var stderr bytes.Buffer
		err := Run(context.Background(), []string{cmd, "-h"}, func(string) string { return "" }, io.Discard, &stderr)
		if err != nil || !strings.Contains(stderr.String(), "usage: cbec "+cmd) || !strings.Contains(stderr.String(), "-cert") {
			t.Errorf("%s -h: %v, printed %q", cmd, err, stderr.String())
		}
		if cmd == "keygen" && !strings.Contains(stderr.String(), "-sigopt distid:1234567812345678") {
			t.Errorf("keygen -h does not give the OpenSSL commands: %q", stderr.String())
		}
	}
}

func TestKeygenSignVerifyRoundTrip(t *testing.T) {
	dir := t.TempDir()
	key, cert := keypair(t, dir, "1500000001")
	doc := orderMessage(t)
	signed := sign(t, key, cert, doc)
	if !bytes.Contains(signed, []byte("<ds:Signature")) {
		t.Fatalf("sign wrote no ds:Signature:\n%s", signed)
	}
	stdout, stderr, err := verify(signed, "--cert", cert)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if stdout != string(signed) {
		t.Error("verify did not write the signed input unchanged")
	}
	if !strings.HasPrefix(stderr, "signature verified: "+dsig.SM2SM3+", certificate 1500000001 serial ") ||
		!strings.Contains(stderr, "valid until ") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("verify printed %q", stderr)
	}

	// Signing twice is refused; so is something that is not XML.
	for in, want := range map[string]string{string(signed): "signed already", "order X1, 564.00 CNY\n": "not an XML document"} {
		err := RunSign([]string{"--key", key, "--cert", cert}, strings.NewReader(in), io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("sign of %.20q…: %v, want %q", in, err, want)
		}
	}
}

func TestSignRefusesWrongKeyAndLargeInput(t *testing.T) {
	dir := t.TempDir()
	keyA, certA := keypair(t, dir, "a")
	_, certB := keypair(t, dir, "b")
	doc := orderMessage(t)
	err := RunSign([]string{"--key", keyA, "--cert", certB}, bytes.NewReader(doc), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "public key") {
		t.Errorf("sign with another's certificate: %v", err)
	}
	err = RunSign([]string{"--key", filepath.Join(dir, "none.key"), "--cert", certA}, bytes.NewReader(doc), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "--key") {
		t.Errorf("sign with a missing key: %v", err)
	}
	big := append(bytes.Repeat([]byte(" "), maxSignedDocument), doc...)
	err = RunSign([]string{"--key", keyA, "--cert", certA}, bytes.NewReader(big), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "larger than 10 MiB") {
		t.Errorf("sign of %d bytes: %v", len(big), err)
	}
}

func TestVerifyFailures(t *testing.T) {
	dir := t.TempDir()
	key, cert := keypair(t, dir, "signer", "--days", "10")
	_, otherCert := keypair(t, dir, "other")
	signed := sign(t, key, cert, orderMessage(t))
	tampered := bytes.Replace(signed, []byte("<goodsValue>564.00<"), []byte("<goodsValue>565.00<"), 1)
	if bytes.Equal(tampered, signed) {
		t.Fatal("the order has no goodsValue 564.00 to change")
	}
	for _, c := range []struct {
		name string
		doc  []byte
		args []string
		want string
	}{
		{"another certificate", signed, []string{"--cert", otherCert}, "verify: unknown certificate: "},
		{"changed content", tampered, []string{"--cert", cert}, "verify: digest mismatch: "},
		{"after expiry", signed, []string{"--cert", cert, "--at", time.Now().AddDate(0, 0, 11).Format(time.RFC3339)}, "verify: certificate expired: "},
		{"unsigned", orderMessage(t), []string{"--cert", cert}, "verify: unsigned: "},
	} {
		stdout, _, err := verify(c.doc, c.args...)
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
		if stdout != "" {
			t.Errorf("%s: wrote %d bytes to stdout on failure", c.name, len(stdout))
		}
	}

	// Among several certificates, in one file or several, the signer's is found.
	bundle := filepath.Join(dir, "bundle.pem")
	a, _ := os.ReadFile(otherCert)
	b, _ := os.ReadFile(cert)
	if err := os.WriteFile(bundle, append(a, b...), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"--cert", bundle}, {"--cert", otherCert, "--cert", cert}} {
		if _, _, err := verify(signed, args...); err != nil {
			t.Errorf("verify %v: %v", args, err)
		}
	}
}

func TestVerifyDxpMsgWritesTheReceipt(t *testing.T) {
	dir := t.TempDir()
	key, cert := keypair(t, dir, "customs")
	inner := orderMessage(t)
	env, err := ceb.EncodeDxpMsg(ceb.DxpMsg{
		CopMsgID: "3096F8F2-3498-C0C1-5EF6-B75B050C59F9", SenderID: "DXPEDCCEB0000002",
		ReceiverIDs: []string{"DXPENT0000000001"}, Created: time.Now(), MsgType: "CEB311", Data: inner,
	})
	if err != nil {
		t.Fatal(err)
	}
	signed := sign(t, key, cert, env)
	stdout, stderr, err := verify(signed, "--cert", cert)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if stdout != string(inner) {
		t.Errorf("verify wrote %q, want the carried message", stdout)
	}
	if !strings.HasPrefix(stderr, "signature verified: ") {
		t.Errorf("verify printed %q", stderr)
	}
}
