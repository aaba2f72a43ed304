package main

import (
	"fmt"

	"github.com/cbec/cbec/pkg/broker"
)

// NATS configuration variables of the TLS files of deploy/nats/cluster.
const (
	NATSTLSCertVar = "CBEC_NATS_TLS_CERT"
	NATSTLSKeyVar  = "CBEC_NATS_TLS_KEY"
	NATSTLSCAVar   = "CBEC_NATS_TLS_CA"
)

// deployNATS are the nats-server configurations shipped under deploy/nats,
// by path relative to the repository, each rendered from the same
// broker.ServerConfig as the embedded server: TestNATSConfigs holds the
// files to it, and `go test ./services/cbec -run TestNATSConfigs -update`
// writes them. Every secret is a variable the server reads from its
// environment (`cbec secrets` makes them); no file holds one.
func deployNATS() map[string]broker.ServerConfig {
	passwords := map[string]string{}
	for _, u := range broker.Users() {
		passwords[u] = "$" + NATSPasswordVar(u)
	}
	base := func(name string) broker.ServerConfig {
		return broker.ServerConfig{
			Name: name, Listen: "0.0.0.0:4222", Monitor: "0.0.0.0:8222", StoreDir: "/data",
			MaxMemoryStore: "256MB", MaxFileStore: "20GB",
			// Fixed in the file, not a variable: a variable must be set
			// or the server refuses to start, and one holding 2m would be
			// read as 2,000,000 seconds (broker.ParseSync).
			SyncInterval: broker.DefaultSync,
			Passwords:    passwords, CalloutIssuer: "$" + NATSIssuerVar, Setup: true,
		}
	}
	out := map[string]broker.ServerConfig{}
	single := base("cbec-nats")
	single.Header = `NATS server for cbec: one node with JetStream (docker-compose.yml).
GENERATED from pkg/broker (ServerConfig) by TestNATSConfigs -update: edit the code, not this file.

No anonymous access. cbec's services log in as their own users, each confined
to the subjects it uses; parties log in with their API key through the auth
callout that a cbec process answers (--nats-callout-creds). The passwords and
the callout issuer come from the environment: ` + "`cbec secrets --dir secrets`" + ` writes
them to secrets/nats.env. Keep the monitoring port (8222) off public networks.
For TLS and a 3-node cluster see cluster/ and docs/security.md.

Durability: sync_interval ` + broker.DefaultSync + `, as the embedded server's --sync. A 202 survives
a crash of the server; a power loss may lose what was acknowledged in the last
` + broker.DefaultSync + `. sync_interval: always makes a 202 survive power loss, at about a sixth
of the throughput (docs/operations.md, Durability).`
	out["deploy/nats/nats.conf"] = single
	routes := []string{"nats-1:6222", "nats-2:6222", "nats-3:6222"}
	tls := &broker.TLSFiles{Cert: "$" + NATSTLSCertVar, Key: "$" + NATSTLSKeyVar, CA: "$" + NATSTLSCAVar}
	for i := 1; i <= 3; i++ {
		name := fmt.Sprintf("nats-%d", i)
		c := base(name)
		c.TLS = tls
		c.Cluster = &broker.Cluster{Name: "cbec", Listen: "0.0.0.0:6222", Routes: routes, TLS: tls}
		c.Header = fmt.Sprintf(`NATS server %s of cbec's 3-node JetStream cluster (nats-1, nats-2, nats-3).
GENERATED from pkg/broker (ServerConfig) by TestNATSConfigs -update: edit the code, not this file.

Each node has its own store on /data, clients on 4222 (TLS only), monitoring
on 8222 and routes on 6222, authenticated by certificate: a node must present
one signed by the cluster's CA. The nodes find each other by the host names
nats-1, nats-2 and nats-3. JetStream needs two of the three nodes up.

Environment: the passwords and callout issuer of `+"`cbec secrets`"+` (nats.env),
and %s, %s, %s: this node's certificate, its key
and the CA (PEM files). Start every cbec process with --replicas 3 and
--nats-url tls://nats-1:4222,tls://nats-2:4222,tls://nats-3:4222 --nats-tls-ca <ca>.

Durability: sync_interval %s. With R3 a 202 means two of the three nodes
hold the document, so it survives a crash or power loss of any one node; it
may be lost only if two nodes lose power within %s after it was acknowledged.
Keep the nodes on separate power, or set sync_interval: always
(docs/operations.md, Durability).`, name, NATSTLSCertVar, NATSTLSKeyVar, NATSTLSCAVar, broker.DefaultSync, broker.DefaultSync)
		out[fmt.Sprintf("deploy/nats/cluster/%s.conf", name)] = c
	}
	return out
}
