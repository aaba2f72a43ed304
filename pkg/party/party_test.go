package party_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cbec/cbec/deploy"
	"github.com/cbec/cbec/pkg/dsig"
	"github.com/cbec/cbec/pkg/party"
)

func TestDemoPartiesAuthenticateWithTheirDocumentedKeys(t *testing.T) {
	d, err := party.Load(strings.NewReader(string(deploy.Parties)))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range deploy.DemoKeys() {
		p, ok := d.Authenticate(k.Key)
		if !ok {
			t.Fatalf("demo key %q does not authenticate", k.Key)
		}
		if p.Code != k.Code {
			t.Errorf("key %q → %s, want %s", k.Key, p.Code, k.Code)
		}
		if !p.Has(k.Role) {
			t.Errorf("party %s lacks documented role %s", p.Code, k.Role)
		}
	}
	if _, ok := d.Authenticate("wrong"); ok {
		t.Fatal("unknown key authenticated")
	}
	if _, ok := d.Authenticate(""); ok {
		t.Fatal("empty key authenticated")
	}
}

func TestLoadRefusesBadFiles(t *testing.T) {
	h := party.HashKey("k")
	cases := map[string]string{
		"bad code":     "parties: [{code: 'a.b', name: x, roles: [ebp], keySha256: " + h + "}]",
		"bad hash":     "parties: [{code: A1, name: x, roles: [ebp], keySha256: abc}]",
		"no role":      "parties: [{code: A1, name: x, roles: [], keySha256: " + h + "}]",
		"unknown role": "parties: [{code: A1, name: x, roles: [king], keySha256: " + h + "}]",
		"dup code":     "parties: [{code: A1, name: x, roles: [ebp], keySha256: " + h + "}, {code: A1, name: y, roles: [ebp], keySha256: " + party.HashKey("j") + "}]",
		"shared key":   "parties: [{code: A1, name: x, roles: [ebp], keySha256: " + h + "}, {code: A2, name: y, roles: [ebp], keySha256: " + h + "}]",
		"unknown key":  "parties: [{code: A1, name: x, roles: [ebp], keySha256: " + h + ", extra: 1}]",
		"empty":        "parties: []",
	}
	for name, body := range cases {
		if _, err := party.Load(strings.NewReader(body)); err == nil {
			t.Errorf("%s: Load accepted %s", name, body)
		}
	}
}

func TestCertificatesAndSignaturePolicy(t *testing.T) {
	now := time.Now()
	_, certPEM, err := dsig.GenerateSM2("A1", now.Add(-time.Hour), now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	h := party.HashKey("k")
	indent := func(s string) string {
		return "        " + strings.ReplaceAll(strings.TrimSpace(s), "\n", "\n        ")
	}
	file := func(extra string) string {
		return "parties:\n  - code: A1\n    name: x\n    roles: [ebp]\n    keySha256: " + h + "\n" + extra
	}
	withCert := "    certificates:\n      - |\n" + indent(string(certPEM)) + "\n"
	d, err := party.Load(strings.NewReader(file(withCert + "    signatures: required\n")))
	if err != nil {
		t.Fatal(err)
	}
	p, _ := d.ByCode("A1")
	if len(p.Certs()) != 1 || p.Certs()[0].Subject.CommonName != "A1" || !p.SignaturesRequired() {
		t.Fatalf("certs %d, required %v", len(p.Certs()), p.SignaturesRequired())
	}
	d, err = party.Load(strings.NewReader(file("")))
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := d.ByCode("A1"); p.SignaturesRequired() || len(p.Certs()) != 0 {
		t.Fatal("the default policy is optional, with no certificate")
	}
	for name, extra := range map[string]string{
		"required without a certificate": "    signatures: required\n",
		"unknown policy":                 withCert + "    signatures: sometimes\n",
		"certificate not PEM":            "    certificates: [nonsense]\n",
	} {
		if _, err := party.Load(strings.NewReader(file(extra))); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
