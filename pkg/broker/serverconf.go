package broker

import (
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"
)

// UserAll is the user of a process that runs every service on one
// connection to an external server (the union of every grant).
const UserAll = "cbec"

// TLSFiles names a certificate, its key and a CA bundle.
type TLSFiles struct {
	Cert, Key string
	// CA verifies the peer; on a server it also makes client certificates
	// required (routes: the other nodes').
	CA string
}

// Cluster is the route configuration of a clustered server.
type Cluster struct {
	Name   string
	Listen string
	// Routes are the host:port of every node's route listener.
	Routes []string
	// User and Password authenticate routes both ways (in the route URLs,
	// so not for configuration variables); or
	User, Password string
	// TLS with a CA authenticates routes by certificate: each node must
	// present one the CA signed.
	TLS *TLSFiles
}

// ServerConfig is the security-relevant configuration of a cbec NATS server:
// its accounts, users with their permissions, the auth callout, TLS and
// routes. One renderer serves the embedded server and the files under
// deploy/nats, so the two cannot drift apart.
type ServerConfig struct {
	// Header is written first, each line as a comment.
	Header string
	Name   string
	// Listen is host:port for clients; "" renders none (in-process only).
	Listen string
	// Monitor is the monitoring host:port; "" renders none.
	Monitor  string
	StoreDir string
	// SyncInterval is when JetStream's file store fsyncs: SyncAlways (after
	// every write) or a Go duration such as "1s" ("" = the server's default,
	// 2m). See ParseSync.
	SyncInterval string
	// MaxMemoryStore and MaxFileStore bound JetStream ("" = the server's
	// defaults), e.g. "256MB", "20GB".
	MaxMemoryStore, MaxFileStore string
	// Passwords are the users' secrets by user name (UserAdmin, UserAuth,
	// UserAll and every service); a value starting with '$' is rendered as
	// a NATS configuration variable (an environment reference), any other
	// quoted. bcrypt hashes are accepted by the server as they are.
	Passwords map[string]string
	// CalloutIssuer is the public account nkey that signs callout answers
	// ('$' variables allowed).
	CalloutIssuer string
	// Setup lets service users create and update cbec's streams (external
	// deployments, where every process sets them up at start).
	Setup   bool
	TLS     *TLSFiles
	Cluster *Cluster
}

// Users returns every user name the configuration defines, in a stable
// order: the admin, the callout's user, the all-services user and each
// service.
func Users() []string {
	users := []string{UserAdmin, UserAuth, UserAll}
	for _, g := range Grants() {
		users = append(users, g.Service)
	}
	return users
}

// Validate checks that every user has a secret and the callout an issuer.
func (c ServerConfig) Validate() error {
	var missing []string
	for _, u := range Users() {
		if c.Passwords[u] == "" {
			missing = append(missing, u)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("nats config: no password for %s", strings.Join(missing, ", "))
	}
	if c.CalloutIssuer == "" {
		return errors.New("nats config: the auth callout needs an issuer account key")
	}
	if c.SyncInterval != "" {
		if _, _, err := ParseSync(c.SyncInterval); err != nil {
			return fmt.Errorf("nats config: %w", err)
		}
	}
	if cl := c.Cluster; cl != nil {
		byPassword := cl.User != "" && cl.Password != "" && !strings.HasPrefix(cl.Password, "$")
		byCert := cl.TLS != nil && cl.TLS.CA != ""
		if !byPassword && !byCert {
			return errors.New("nats config: cluster routes must authenticate: a user and password, or TLS with a CA")
		}
	}
	return nil
}

// SyncAlways is the sync policy that fsyncs every JetStream write before
// the write is acknowledged.
const SyncAlways = "always"

// DefaultSync is cbec's sync policy where none is given: the embedded
// server's (--sync) and the shipped deploy/nats files'. Measured in
// docs/operations.md (Durability): within the benchmark's noise of the
// server's own 2m, while "always" decided about a sixth as many
// declarations a second.
const DefaultSync = "1s"

// ParseSync reads a JetStream sync policy as --sync and the servers'
// sync_interval take it: SyncAlways, or a positive Go duration ("1s",
// "2m") after which the file store fsyncs what it has written. A NATS
// configuration variable is refused: the server would read an unquoted
// 2m in its value as 2,000,000 seconds.
func ParseSync(s string) (always bool, interval time.Duration, err error) {
	if s == SyncAlways {
		return true, 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return false, 0, fmt.Errorf("sync %q: want %q or a positive duration such as 1s or 2m", s, SyncAlways)
	}
	return false, d, nil
}

// value renders a configuration value: a variable reference as it is,
// anything else quoted.
func value(v string) string {
	if strings.HasPrefix(v, "$") {
		return v
	}
	return quote(v)
}

func (t *TLSFiles) conf(indent string, verify bool) string {
	var b strings.Builder
	b.WriteString(indent + "tls {\n")
	fmt.Fprintf(&b, "%s  cert_file: %s\n", indent, value(t.Cert))
	fmt.Fprintf(&b, "%s  key_file: %s\n", indent, value(t.Key))
	if t.CA != "" {
		fmt.Fprintf(&b, "%s  ca_file: %s\n", indent, value(t.CA))
		if verify {
			fmt.Fprintf(&b, "%s  verify: true\n", indent)
		}
	}
	b.WriteString(indent + "}\n")
	return b.String()
}

// Render returns the configuration as nats-server configuration text.
func (c ServerConfig) Render() (string, error) {
	if err := c.Validate(); err != nil {
		return "", err
	}
	var b strings.Builder
	if c.Header != "" {
		for _, line := range strings.Split(strings.TrimRight(c.Header, "\n"), "\n") {
			b.WriteString(strings.TrimRight("# "+line, " ") + "\n")
		}
		b.WriteString("\n")
	}
	if c.Name != "" {
		fmt.Fprintf(&b, "server_name: %s\n", quote(c.Name))
	}
	if c.Listen != "" {
		fmt.Fprintf(&b, "listen: %s\n", quote(c.Listen))
	}
	if c.Monitor != "" {
		fmt.Fprintf(&b, "http: %s\n", quote(c.Monitor))
	}
	b.WriteString("# Intake publishes up to 100 documents of up to 10 MiB in total in one\n# submission; a single document stays far below this.\nmax_payload: 8MB\n")
	if c.TLS != nil {
		b.WriteString("# Clients connect over TLS only.\n")
		b.WriteString(c.TLS.conf("", false))
	}
	b.WriteString("\njetstream {\n")
	if c.StoreDir != "" {
		fmt.Fprintf(&b, "  store_dir: %s\n", value(c.StoreDir))
	}
	if c.SyncInterval != "" {
		// Quoted: the server reads an unquoted 2m as a size (2,000,000) and
		// that as seconds.
		fmt.Fprintf(&b, "  sync_interval: %s\n", quote(c.SyncInterval))
	}
	if c.MaxMemoryStore != "" {
		fmt.Fprintf(&b, "  max_memory_store: %s\n", c.MaxMemoryStore)
	}
	if c.MaxFileStore != "" {
		fmt.Fprintf(&b, "  max_file_store: %s\n", c.MaxFileStore)
	}
	b.WriteString("}\n\n")

	fmt.Fprintf(&b, "system_account: %s\n\naccounts {\n", AccountSystem)
	fmt.Fprintf(&b, "  %s {}\n\n", AccountSystem)

	fmt.Fprintf(&b, "  # cbec's streams and buckets and its service users, each confined to\n  # what its service uses (pkg/broker/access.go).\n  %s {\n    jetstream: enabled\n    users: [\n", AccountCBEC)
	fmt.Fprintf(&b, "      # The operator: sets up streams, may delete them (the audit stream too).\n")
	fmt.Fprintf(&b, "      { user: %s, password: %s }\n", UserAdmin, value(c.Passwords[UserAdmin]))
	all := make([]Grant, 0, len(Grants()))
	for _, g := range Grants() {
		all = append(all, g)
		fmt.Fprintf(&b, "      { user: %s, password: %s,\n        permissions: %s }\n", g.Service, value(c.Passwords[g.Service]), ServicePermissions(g, c.Setup).conf("        "))
	}
	fmt.Fprintf(&b, "      # A process running every service on one connection.\n")
	fmt.Fprintf(&b, "      { user: %s, password: %s,\n        permissions: %s }\n", UserAll, value(c.Passwords[UserAll]), ServicePermissions(Union(UserAll, all...), c.Setup).conf("        "))
	b.WriteString("    ]\n")
	fmt.Fprintf(&b, "    exports: [\n      { service: %s }\n      { stream: %s }\n    ]\n  }\n\n", quote(SubmitSubject), quote("ceb.out.>"))

	fmt.Fprintf(&b, "  # Parties, placed here by the auth callout with their API key: they see\n  # the submission service and receipts, and nothing of %s.\n", AccountCBEC)
	fmt.Fprintf(&b, "  %s {\n    imports: [\n      { service: { account: %s, subject: %s } }\n      { stream: { account: %s, subject: %s } }\n    ]\n  }\n\n",
		AccountParties, AccountCBEC, quote(SubmitSubject), AccountCBEC, quote("ceb.out.>"))

	fmt.Fprintf(&b, "  # The user that answers the auth callout (a cbec process).\n  %s {\n    users: [ { user: %s, password: %s } ]\n  }\n}\n\n", AccountAuth, UserAuth, value(c.Passwords[UserAuth]))

	users := Users()
	sort.Strings(users)
	fmt.Fprintf(&b, "# Every user above authenticates here; anyone else (parties) is asked of\n# cbec through the auth callout, which answers with the party's permissions\n# or refuses. There is no anonymous access.\n")
	fmt.Fprintf(&b, "authorization {\n  timeout: 2s\n  auth_callout {\n    issuer: %s\n    account: %s\n    auth_users: [ %s ]\n  }\n}\n", value(c.CalloutIssuer), AccountAuth, strings.Join(users, ", "))

	if cl := c.Cluster; cl != nil {
		fmt.Fprintf(&b, "\ncluster {\n  name: %s\n  listen: %s\n", quote(cl.Name), quote(cl.Listen))
		userInfo := ""
		if cl.User != "" {
			fmt.Fprintf(&b, "  authorization { user: %s, password: %s }\n", quote(cl.User), quote(cl.Password))
			userInfo = url.UserPassword(cl.User, cl.Password).String() + "@"
		}
		if cl.TLS != nil {
			b.WriteString("  # Routes present a certificate of the cluster's CA, and check the other's.\n")
			b.WriteString(cl.TLS.conf("  ", true))
		}
		b.WriteString("  # A node skips the route to itself, so every node can list the same routes.\n  routes: [\n")
		for _, r := range cl.Routes {
			fmt.Fprintf(&b, "    %s\n", quote("nats-route://"+userInfo+r))
		}
		b.WriteString("  ]\n}\n")
	}
	return b.String(), nil
}
