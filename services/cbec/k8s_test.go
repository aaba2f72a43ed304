package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/nats-io/nats-server/v2/server"
	appsv1 "k8s.io/api/apps/v1"

	"github.com/cbec/cbec/deploy/k8s"
	"github.com/cbec/cbec/pkg/tooltest"
)

// k8sOverlay is the kustomization docs/operations.md applies.
const k8sOverlay = "../../deploy/k8s/overlays/cluster"

// k8sTree builds the overlay with stand-ins for what the operator makes:
// the secrets of `cbec secrets`, a NATS CA, and the shipped parties and
// rules files for config/.
func k8sTree(t *testing.T) (*k8s.Tree, string) {
	t.Helper()
	tree, err := k8s.Build(k8sOverlay)
	if err != nil {
		t.Fatal(err)
	}
	secrets := composeSecrets(t)
	certs := makeCerts(t)
	tree.Sources = map[string]string{}
	for _, g := range tree.Generated {
		for _, src := range append(slices.Collect(maps.Values(g.Files)), g.Envs...) {
			rel, err := filepath.Rel(k8sOverlay, src)
			if err != nil {
				t.Fatal(err)
			}
			dir, file := filepath.Split(filepath.ToSlash(rel))
			switch {
			case dir == "secrets/" && strings.HasPrefix(file, "nats-"):
				tree.Sources[src] = map[string]string{"nats-ca.crt": certs.CA, "nats-tls.crt": certs.Cert, "nats-tls.key": certs.Key}[file]
			case dir == "secrets/":
				tree.Sources[src] = filepath.Join(secrets, file)
			case dir == "config/":
				tree.Sources[src] = filepath.Join("../../deploy", file)
			}
		}
	}
	return tree, secrets
}

// TestK8sRunsEveryService: every service of the binary has a Deployment
// named after it, whose container the binary would start with exactly
// that configuration: its own NATS user, the cluster with TLS and three
// replicas, the operator's parties and rules.
func TestK8sRunsEveryService(t *testing.T) {
	tree, secrets := k8sTree(t)
	deployments := map[string]*appsv1.Deployment{}
	for _, s := range tree.Objects {
		if d, ok := s.Object.(*appsv1.Deployment); ok {
			deployments[d.Name] = d
		}
	}
	for _, name := range ServiceNames() {
		d, ok := deployments[name]
		if !ok {
			t.Errorf("deploy/k8s: no Deployment %q for service %q: add one (base/%s.yaml, with its Secret cbec-%s in the overlay)", name, name, name, name)
			continue
		}
		pod := d.Spec.Template.Spec
		c := pod.Containers[0]
		env := tree.Env(c)
		files := tree.MountedFiles(pod, c)
		for k, v := range env {
			if src, ok := files[v]; ok {
				env[k] = src
			}
		}
		cfg, err := ParseConfig(c.Args, func(k string) string { return env[k] }, io.Discard)
		if err != nil {
			t.Errorf("Deployment %s: the binary would refuse its configuration: %v", name, err)
			continue
		}
		if !slices.Equal(cfg.Services, []string{name}) {
			t.Errorf("Deployment %s runs services %v", name, cfg.Services)
		}
		if want := filepath.Join(secrets, name+".creds"); cfg.NATSCreds != want {
			t.Errorf("Deployment %s logs in to NATS with %s; want its own user's %s", name, cfg.NATSCreds, want)
		}
		if cfg.Replicas != 3 || cfg.NATSTLSCA == "" || !strings.HasPrefix(cfg.NATSURL, "tls://") {
			t.Errorf("Deployment %s: replicas %d, NATS %q, CA %q; want 3 replicas on the cluster over TLS", name, cfg.Replicas, cfg.NATSURL, cfg.NATSTLSCA)
		}
		if cfg.Parties == "" || cfg.Rules == "" {
			t.Errorf("Deployment %s: parties %q, rules %q; want the operator's files, not the embedded demo", name, cfg.Parties, cfg.Rules)
		}
		if (name == "clearance" || name == "returns") && cfg.QuotaSecret == "" {
			t.Errorf("Deployment %s has no quota secret: it names buyers in the quota ledger, the same in every process", name)
		}
		if name == "gateway" && (cfg.NATSCalloutCreds != filepath.Join(secrets, "auth.creds") || cfg.NATSCalloutSeed != filepath.Join(secrets, SecretsCalloutSeed)) {
			t.Errorf("Deployment gateway: callout credentials %q and seed %q; want the auth user's and the issuer's from cbec secrets", cfg.NATSCalloutCreds, cfg.NATSCalloutSeed)
		}
	}
	for name := range deployments {
		if !slices.Contains(ServiceNames(), name) {
			t.Errorf("deploy/k8s: Deployment %q is no service of the binary (%v)", name, ServiceNames())
		}
	}
}

// TestK8sSecretsAreCbecSecrets: every Secret the overlay makes from its
// secrets/ directory is a file `cbec secrets` writes there, except the
// NATS certificates, which the operator makes (docs/operations.md); and
// every NATS user's password reaches the NATS nodes.
func TestK8sSecretsAreCbecSecrets(t *testing.T) {
	tree, secrets := k8sTree(t)
	written, err := os.ReadDir(secrets)
	if err != nil {
		t.Fatal(err)
	}
	var made []string
	for _, e := range written {
		made = append(made, e.Name())
	}
	for _, g := range tree.Generated {
		for _, src := range append(slices.Collect(maps.Values(g.Files)), g.Envs...) {
			rel, _ := filepath.Rel(k8sOverlay, src)
			file, ok := strings.CutPrefix(filepath.ToSlash(rel), "secrets/")
			if !ok || strings.HasPrefix(file, "nats-ca.") || strings.HasPrefix(file, "nats-tls.") {
				continue
			}
			if !slices.Contains(made, file) {
				t.Errorf("%s %s is made from secrets/%s, which `cbec secrets` does not write (it writes %v)", g.Kind, g.Name, file, made)
			}
		}
	}
	nats := tree.Generator("Secret", "nats-env")
	if nats == nil {
		t.Fatal("no Secret nats-env: the NATS nodes would have no passwords")
	}
	keys := tree.Keys(nats)
	want, err := os.ReadFile(filepath.Join(secrets, SecretsNATSEnv))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(want)), "\n") {
		k, _, _ := strings.Cut(line, "=")
		if !slices.Contains(keys, k) {
			t.Errorf("Secret nats-env has no %s (it has %v)", k, keys)
		}
	}
}

// docsBlock returns the sh block of docs/operations.md that contains
// marker.
func docsBlock(t *testing.T, marker string) string {
	t.Helper()
	doc, err := os.ReadFile("../../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllSubmatch(doc, -1) {
		if strings.Contains(string(m[1]), marker) {
			return string(m[1])
		}
	}
	t.Fatalf("docs/operations.md has no sh block with %q", marker)
	return ""
}

// TestK8sCertificateCommands runs the commands docs/operations.md gives
// for the NATS nodes' certificate, as written, and checks what they make:
// a certificate of the CA for the three node names, for servers and for
// clients (the routes present it too), that the shipped cluster
// configuration loads.
func TestK8sCertificateCommands(t *testing.T) {
	openssl := tooltest.Need(t, "openssl")
	root := t.TempDir()
	dir := filepath.Join(root, "deploy/k8s/overlays/cluster/secrets")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", "-euc", docsBlock(t, "nats-tls.crt"))
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(openssl)+string(os.PathListSeparator)+os.Getenv("PATH"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the certificate commands of docs/operations.md: %v\n%s", err, out)
	}
	file := func(name string) string { return filepath.Join(dir, name) }
	if _, err := tls.LoadX509KeyPair(file("nats-tls.crt"), file("nats-tls.key")); err != nil {
		t.Fatalf("nats-tls.crt and nats-tls.key: %v", err)
	}
	parse := func(name string) *x509.Certificate {
		b, err := os.ReadFile(file(name))
		if err != nil {
			t.Fatal(err)
		}
		block, _ := pem.Decode(b)
		if block == nil {
			t.Fatalf("%s: no PEM", name)
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	roots := x509.NewCertPool()
	roots.AddCert(parse("nats-ca.crt"))
	cert := parse("nats-tls.crt")
	for _, host := range []string{"nats-1", "nats-2", "nats-3"} {
		for _, usage := range []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth} {
			if _, err := cert.Verify(x509.VerifyOptions{DNSName: host, Roots: roots, KeyUsages: []x509.ExtKeyUsage{usage}}); err != nil {
				t.Errorf("nats-tls.crt for %s, usage %v: %v", host, usage, err)
			}
		}
	}
	setEnvFile(t, filepath.Join(composeSecrets(t), SecretsNATSEnv))
	t.Setenv(NATSTLSCertVar, file("nats-tls.crt"))
	t.Setenv(NATSTLSKeyVar, file("nats-tls.key"))
	t.Setenv(NATSTLSCAVar, file("nats-ca.crt"))
	if _, err := server.ProcessConfigFile(filepath.Join(natsDir, "cluster", "nats-1.conf")); err != nil {
		t.Errorf("deploy/nats/cluster/nats-1.conf with these files: %v", err)
	}
}
