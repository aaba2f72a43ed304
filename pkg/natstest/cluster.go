package natstest

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"
)

// Cluster is a JetStream cluster of secured servers, configured as cbec's
// deployments are (broker.ServerConfig: the same accounts, users and
// grants), on loopback ports, each with its store in a temporary
// directory. Nodes can be stopped and started again on their store.
type Cluster struct {
	t testing.TB
	// Servers are the in-process nodes (nil entries when nodes are
	// processes).
	Servers   []*server.Server
	opts      []*server.Options
	texts     []string
	passwords map[string]string

	// procs are the nodes' processes, when they run as processes.
	procs []*exec.Cmd
	admin *nats.Conn
}

// serveVar names the variable that turns a test binary into a nats-server
// running the configuration file it names (ServeIfChild).
const serveVar = "NATSTEST_SERVE"

// ServeIfChild, called first in a TestMain, runs a nats-server from the
// configuration file NATSTEST_SERVE names when it is set, and exits when
// the server does; otherwise it returns at once. RunSecuredClusterProcesses
// starts its nodes this way.
func ServeIfChild() {
	path := os.Getenv(serveVar)
	if path == "" {
		return
	}
	opts, err := server.ProcessConfigFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "nats node:", err)
		os.Exit(1)
	}
	opts.NoLog = true
	s, err := server.NewServer(opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "nats node:", err)
		os.Exit(1)
	}
	s.Start()
	s.WaitForShutdown()
	os.Exit(0)
}

// RunSecuredClusterProcesses is RunSecuredCluster with each node a process
// of its own — this test binary, whose TestMain calls ServeIfChild — so
// that Stop is a SIGKILL: a node that dies hands nothing over, where a
// shutdown would first transfer the leadership of its streams.
func RunSecuredClusterProcesses(t testing.TB, n int) *Cluster {
	t.Helper()
	return runSecuredCluster(t, n, true)
}

// freePorts returns n ports free at the time of asking.
func freePorts(t testing.TB, n int) []int {
	t.Helper()
	ports := make([]int, n)
	for i := range ports {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ports[i] = l.Addr().(*net.TCPAddr).Port
		_ = l.Close()
	}
	return ports
}

// RunSecuredCluster starts n nodes and waits until JetStream has a meta
// leader. With n = 1 it is one server as deploy/nats/nats.conf runs it: no
// cluster, and service users that set up the streams themselves.
func RunSecuredCluster(t testing.TB, n int) *Cluster {
	t.Helper()
	return runSecuredCluster(t, n, false)
}

func runSecuredCluster(t testing.TB, n int, procs bool) *Cluster {
	t.Helper()
	c := &Cluster{t: t, passwords: map[string]string{}}
	if procs {
		c.procs = make([]*exec.Cmd, n)
	}
	for _, u := range broker.Users() {
		c.passwords[u] = "test-" + u
	}
	issuer, err := nkeys.CreateAccount()
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := issuer.PublicKey()
	client, route := freePorts(t, n), freePorts(t, n)
	var routes []string
	for _, p := range route {
		routes = append(routes, fmt.Sprintf("127.0.0.1:%d", p))
	}
	for i := range n {
		sc := broker.ServerConfig{
			Name: fmt.Sprintf("n%d", i+1), Listen: fmt.Sprintf("127.0.0.1:%d", client[i]),
			StoreDir: t.TempDir(), Passwords: c.passwords, CalloutIssuer: pub, Setup: true,
		}
		if n > 1 {
			sc.Cluster = &broker.Cluster{Name: "cbec-test", Listen: routes[i], Routes: routes, User: "route", Password: "route-secret"}
		}
		text, err := sc.Render()
		if err != nil {
			t.Fatal(err)
		}
		opts := &server.Options{}
		if err := opts.ProcessConfigString(text); err != nil {
			t.Fatal(err)
		}
		opts.NoLog, opts.NoSigs = true, true
		c.opts = append(c.opts, opts)
		c.texts = append(c.texts, text)
		c.Servers = append(c.Servers, nil)
	}
	for i := range n {
		c.Start(i)
	}
	t.Cleanup(func() {
		if c.admin != nil {
			c.admin.Close()
		}
		for i := range c.Servers {
			c.Stop(i)
		}
	})
	if n > 1 {
		c.WaitForMetaLeader()
	}
	return c
}

// Start starts node i (again) on its store.
func (c *Cluster) Start(i int) {
	c.t.Helper()
	if c.procs != nil {
		c.startProcess(i)
		return
	}
	s, err := server.NewServer(c.opts[i].Clone())
	if err != nil {
		c.t.Fatalf("node %d: %v", i, err)
	}
	go s.Start()
	if !s.ReadyForConnections(20 * time.Second) {
		c.t.Fatalf("node %d not ready", i)
	}
	c.Servers[i] = s
}

// Stop shuts node i down, as a crash of its process would (the store stays).
func (c *Cluster) Stop(i int) {
	if c.procs != nil {
		if p := c.procs[i]; p != nil && p.ProcessState == nil {
			_ = p.Process.Kill()
			_ = p.Wait()
		}
		return
	}
	if s := c.Servers[i]; s != nil && s.Running() {
		s.Shutdown()
		s.WaitForShutdown()
	}
}

// WaitForMetaLeader waits until the running nodes agree on a JetStream meta
// leader.
func (c *Cluster) WaitForMetaLeader() {
	c.t.Helper()
	if c.procs != nil {
		// The account's JetStream answers once the meta group has a leader.
		Eventually(c.t, 30*time.Second, func() bool {
			_, err := c.Admin().Request("$JS.API.INFO", nil, time.Second)
			return err == nil
		}, "no JetStream meta leader")
		return
	}
	Eventually(c.t, 30*time.Second, func() bool {
		for _, s := range c.Servers {
			if s != nil && s.Running() && s.JetStreamIsLeader() {
				return true
			}
		}
		return false
	}, "no JetStream meta leader")
}

// URLs are the client URLs of every node, comma-separated, for --nats-url.
func (c *Cluster) URLs() string {
	var urls []string
	for _, o := range c.opts {
		urls = append(urls, fmt.Sprintf("nats://%s:%d", o.Host, o.Port))
	}
	return strings.Join(urls, ",")
}

// CredsFile writes user's credentials (user:password) into a file of the
// test's and returns its path, for --nats-creds.
func (c *Cluster) CredsFile(user string) string {
	c.t.Helper()
	path := filepath.Join(c.t.TempDir(), user+".creds")
	if err := os.WriteFile(path, broker.PasswordFile(user, c.passwords[user]), 0o600); err != nil {
		c.t.Fatal(err)
	}
	return path
}

// Credentials are user's credentials on the cluster.
func (c *Cluster) Credentials(user string) broker.Credentials {
	return broker.Credentials{User: user, Password: c.passwords[user], InboxPrefix: broker.InboxPrefix(user)}
}

// StreamLeader is the index of the node leading stream in cbec's account,
// or -1 while none does.
func (c *Cluster) StreamLeader(stream string) int {
	if c.procs != nil {
		m, err := c.Admin().Request("$JS.API.STREAM.INFO."+stream, nil, 2*time.Second)
		if err != nil {
			return -1
		}
		var info struct {
			Cluster struct {
				Leader string `json:"leader"`
			} `json:"cluster"`
		}
		if json.Unmarshal(m.Data, &info) != nil {
			return -1
		}
		return c.Node(info.Cluster.Leader)
	}
	for i, s := range c.Servers {
		if s != nil && s.Running() && s.JetStreamIsStreamLeader(broker.AccountCBEC, stream) {
			return i
		}
	}
	return -1
}

// Node is the index of the node named name ("n1" …), or -1.
func (c *Cluster) Node(name string) int {
	for i, o := range c.opts {
		if o.ServerName == name {
			return i
		}
	}
	return -1
}

// Admin is a connection of the admin user to the cluster (any node),
// reconnecting forever; closed when the test ends.
func (c *Cluster) Admin() *nats.Conn {
	c.t.Helper()
	if c.admin == nil {
		cr := c.Credentials(broker.UserAdmin)
		nc, err := nats.Connect(c.URLs(), nats.UserInfo(cr.User, cr.Password), nats.CustomInboxPrefix(cr.InboxPrefix),
			nats.MaxReconnects(-1), nats.ReconnectWait(100*time.Millisecond), nats.RetryOnFailedConnect(true))
		if err != nil {
			c.t.Fatal(err)
		}
		c.admin = nc
	}
	return c.admin
}

// startProcess runs node i as a process of this test binary and waits
// until its client port answers.
func (c *Cluster) startProcess(i int) {
	c.t.Helper()
	conf := filepath.Join(c.opts[i].StoreDir, "..", fmt.Sprintf("n%d.conf", i+1))
	if err := os.WriteFile(conf, []byte(c.texts[i]), 0o600); err != nil {
		c.t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		c.t.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), serveVar+"="+conf)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	c.procs[i] = cmd
	addr := net.JoinHostPort(c.opts[i].Host, strconv.Itoa(c.opts[i].Port))
	Eventually(c.t, 20*time.Second, func() bool {
		conn, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err != nil {
			return false
		}
		_ = conn.Close()
		return true
	}, "node %d never listened on %s", i+1, addr)
}
