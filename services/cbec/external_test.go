package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/ceb/cebtest"
	"github.com/cbec/cbec/pkg/natstest"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// runDeployedNATS starts a nats-server from deploy/nats/nats.conf, as
// docker-compose runs it, with the secrets `cbec secrets` wrote into dir
// in its environment, on a random port with its store in a temporary
// directory; with certs, clients must use TLS.
func runDeployedNATS(t *testing.T, dir string, certs *testCerts) *server.Server {
	t.Helper()
	setEnvFile(t, filepath.Join(dir, SecretsNATSEnv))
	opts, err := server.ProcessConfigFile(filepath.Join(natsDir, "nats.conf"))
	if err != nil {
		t.Fatal(err)
	}
	opts.Host, opts.Port, opts.HTTPPort = "127.0.0.1", -1, 0
	opts.StoreDir, opts.NoLog, opts.NoSigs = t.TempDir(), true, true
	if certs != nil {
		opts.TLSConfig, err = server.GenTLSConfig(&server.TLSConfigOpts{CertFile: certs.Cert, KeyFile: certs.Key})
		if err != nil {
			t.Fatal(err)
		}
		opts.TLS = true
	}
	return natstest.RunServerWith(t, opts)
}

// setEnvFile sets, for the test, the variables of an env file as `cbec
// secrets` writes them (one NAME=value a line).
func setEnvFile(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		k, v, _ := strings.Cut(line, "=")
		t.Setenv(k, v)
	}
}

// TestExternalNATSAsDeployed runs cbec against the shipped server
// configuration: every service on the all-services user, the auth callout
// answered by cbec with the callout user and issuer seed; parties admitted
// by API key, anonymous clients refused; over TLS.
func TestExternalNATSAsDeployed(t *testing.T) {
	secrets := filepath.Join(t.TempDir(), "secrets")
	if err := RunSecrets([]string{"--dir", secrets}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := RunSecrets([]string{"--dir", secrets}, io.Discard, io.Discard); err == nil {
		t.Fatal("cbec secrets overwrote existing secrets")
	}
	certs := makeCerts(t)
	s := runDeployedNATS(t, secrets, &certs)
	url := strings.Replace(s.ClientURL(), "nats://", "tls://", 1)

	quota, _ := os.ReadFile(filepath.Join(secrets, SecretsCBECEnv))
	_, quotaSecret, _ := strings.Cut(strings.TrimSpace(string(quota)), "=")
	m := runMain(t, "--http-addr", "127.0.0.1:0", "--nats-url", url, "--log-level", "warn",
		"--nats-creds", filepath.Join(secrets, broker.UserAll+".creds"), "--nats-tls-ca", certs.CA,
		"--nats-callout-creds", filepath.Join(secrets, broker.UserAuth+".creds"),
		"--nats-callout-seed", filepath.Join(secrets, SecretsCalloutSeed), "--quota-secret", quotaSecret)
	t.Cleanup(func() { _ = m.Close(context.Background()) })

	ca := nats.RootCAs(certs.CA)
	if nc, err := nats.Connect(url, ca, nats.MaxReconnects(0)); err == nil {
		nc.Close()
		t.Fatal("anonymous client connected to the deployed server")
	}
	var v violations
	nc := partyConn(t, url, "demo-ebp", cebtest.EbpCode, &v, ca)
	receipts, err := nc.SubscribeSync(broker.OutFilter(cebtest.EbpCode, ""))
	if err != nil {
		t.Fatal(err)
	}
	o, _, _, _ := cebtest.Set("NATS-EXT-1")
	if r := submitOverNATS(t, nc, "demo-ebp", "CEB311", o); r.Accepted != 1 {
		t.Fatalf("order over the deployed NATS: %+v", r)
	}
	msg, err := receipts.NextMsg(10 * time.Second)
	if err != nil || msg.Subject != broker.OutSubject(cebtest.EbpCode, string(ceb.CEB312)) {
		t.Fatalf("receipt: %v %v", msg, err)
	}
	if err := nc.Publish("ceb.in.ceb311."+cebtest.EbpCode, []byte("{}")); err != nil {
		t.Fatal(err)
	}
	_ = nc.Flush()
	deadline := time.Now().Add(5 * time.Second)
	for !v.has("ceb.in.ceb311."+cebtest.EbpCode) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if !v.has("ceb.in.ceb311." + cebtest.EbpCode) {
		t.Fatal("a party published into CEB_IN on the deployed server")
	}
	// The HTTP side of the same process answers too.
	if code, b, _ := do(t, "GET", m.HTTPURL()+"/readyz", "", "", nil); code != 200 {
		t.Fatalf("readyz: %d %s", code, b)
	}
}

// TestEmbeddedNATSOverTLS: with --nats-tls-cert the embedded listener
// speaks TLS only; a party that verifies it with the CA gets in with its key.
func TestEmbeddedNATSOverTLS(t *testing.T) {
	certs := makeCerts(t)
	m := startMain(t, t.TempDir(), "--nats-listen", "127.0.0.1:-1", "--nats-tls-cert", certs.Cert, "--nats-tls-key", certs.Key)
	t.Cleanup(func() { _ = m.Close(context.Background()) })
	url := strings.Replace(m.NATSURL(), "nats://", "tls://", 1)
	partyConn(t, url, "demo-agent", cebtest.AgentCode, nil, nats.RootCAs(certs.CA))
	if nc, err := nats.Connect(url, nats.Token("demo-agent"), nats.MaxReconnects(0)); err == nil {
		nc.Close()
		t.Fatal("connected without trusting the server's CA")
	}
}

// TestClusterRoutesNeedTheClusterCA starts two nodes from the shipped
// cluster configuration: they route to each other with certificates of the
// cluster's CA, while a node with a certificate of another CA is refused.
func TestClusterRoutesNeedTheClusterCA(t *testing.T) {
	natsEnv(t) // passwords, issuer and the cluster CA's files
	start := func(conf string, routes ...string) *server.Server {
		t.Helper()
		opts, err := server.ProcessConfigFile(filepath.Join(natsDir, "cluster", conf))
		if err != nil {
			t.Fatal(err)
		}
		opts.Host, opts.Port, opts.HTTPPort = "127.0.0.1", -1, 0
		opts.Cluster.Host, opts.Cluster.Port = "127.0.0.1", -1
		opts.StoreDir, opts.NoLog, opts.NoSigs = t.TempDir(), true, true
		opts.Routes = server.RoutesFromStr(strings.Join(routes, ","))
		return natstest.RunServerWith(t, opts)
	}
	n1 := start("nats-1.conf")
	route := "nats-route://" + n1.ClusterAddr().String()
	n2 := start("nats-2.conf", route)
	natstest.Eventually(t, 10*time.Second, func() bool { return n1.NumRoutes() > 0 && n2.NumRoutes() > 0 }, "nats-1 and nats-2 never routed")
	// routedTo reports whether n1 has a route to the server with id (route
	// pooling opens several per peer, so counting routes says nothing).
	routedTo := func(id string) bool {
		rz, err := n1.Routez(nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rz.Routes {
			if r.RemoteID == id {
				return true
			}
		}
		return false
	}
	if !routedTo(n2.ID()) {
		t.Fatal("nats-1 has no route to nats-2")
	}

	// A node whose certificate another CA signed.
	other := makeCerts(t)
	t.Setenv(NATSTLSCertVar, other.Cert)
	t.Setenv(NATSTLSKeyVar, other.Key)
	t.Setenv(NATSTLSCAVar, other.CA)
	n3 := start("nats-3.conf", route)
	// Refusal has no event to wait for: give the route a fair chance.
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		if n3.NumRoutes() > 0 || routedTo(n3.ID()) {
			t.Fatal("a node of another CA joined the cluster")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
