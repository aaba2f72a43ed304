package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/nats-io/nats-server/v2/server"
	"go.yaml.in/yaml/v3"
)

// The deployment files these tests hold against the binary.
const (
	composePath           = "../../docker-compose.yml"
	dockerfile            = "deploy/Dockerfile" // relative to the repository root
	prometheusComposePath = "../../deploy/prometheus/prometheus-compose.yml"
	natsDir               = "../../deploy/nats"
)

// composeFile is the part of docker-compose.yml the tests read.
type composeFile struct {
	Services map[string]composeService `yaml:"services"`
}

type composeService struct {
	Image       string         `yaml:"image"`
	Build       composeBuild   `yaml:"build"`
	Command     stringList     `yaml:"command"`
	Environment composeEnv     `yaml:"environment"`
	Volumes     []composeMount `yaml:"volumes"`
	Ports       []string       `yaml:"ports"`
	EnvFile     stringList     `yaml:"env_file"`
}

// composeBuild is `build: <context>` or `build: {context, dockerfile}`.
type composeBuild struct {
	Set        bool
	Context    string
	Dockerfile string
}

func (b *composeBuild) UnmarshalYAML(n *yaml.Node) error {
	b.Set = true
	if n.Kind == yaml.ScalarNode {
		b.Context = n.Value
		return nil
	}
	var v struct {
		Context    string `yaml:"context"`
		Dockerfile string `yaml:"dockerfile"`
	}
	if err := n.Decode(&v); err != nil {
		return err
	}
	b.Context, b.Dockerfile = v.Context, v.Dockerfile
	return nil
}

// File is the Dockerfile the build uses, relative to the compose file.
func (b composeBuild) File() string {
	if !b.Set {
		return ""
	}
	ctx := b.Context
	if ctx == "" {
		ctx = "."
	}
	f := b.Dockerfile
	if f == "" {
		f = "Dockerfile"
	}
	return path.Clean(path.Join(ctx, f))
}

// stringList is a command given as a list or as one string.
type stringList []string

func (l *stringList) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*l = strings.Fields(n.Value)
		return nil
	}
	var v []string
	if err := n.Decode(&v); err != nil {
		return err
	}
	*l = v
	return nil
}

// composeEnv is an environment given as a map or as a list of K=V.
type composeEnv map[string]string

func (e *composeEnv) UnmarshalYAML(n *yaml.Node) error {
	*e = composeEnv{}
	if n.Kind == yaml.SequenceNode {
		var v []string
		if err := n.Decode(&v); err != nil {
			return err
		}
		for _, kv := range v {
			k, val, _ := strings.Cut(kv, "=")
			(*e)[k] = val
		}
		return nil
	}
	var v map[string]string
	if err := n.Decode(&v); err != nil {
		return err
	}
	for k, val := range v {
		(*e)[k] = val
	}
	return nil
}

// composeMount is a volume in short (src:dst[:mode]) or long syntax.
type composeMount struct {
	Source, Target string
}

func (m *composeMount) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		parts := strings.Split(n.Value, ":")
		if len(parts) < 2 {
			return fmt.Errorf("volume %q: want source:target", n.Value)
		}
		m.Source, m.Target = parts[0], parts[1]
		return nil
	}
	var v struct {
		Source string `yaml:"source"`
		Target string `yaml:"target"`
	}
	if err := n.Decode(&v); err != nil {
		return err
	}
	m.Source, m.Target = v.Source, v.Target
	return nil
}

// hostFile maps a container path to the repository file mounted there
// (directly or inside a mounted directory), or "".
func (s composeService) hostFile(target string) string {
	for _, m := range s.Volumes {
		if !strings.HasPrefix(m.Source, ".") {
			continue // a named volume
		}
		if m.Target == target {
			return path.Clean(m.Source)
		}
		if rest, ok := strings.CutPrefix(target, strings.TrimSuffix(m.Target, "/")+"/"); ok {
			return path.Join(m.Source, rest)
		}
	}
	return ""
}

func loadCompose(t *testing.T) composeFile {
	t.Helper()
	b, err := os.ReadFile(composePath)
	if err != nil {
		t.Fatal(err)
	}
	var c composeFile
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatalf("%s: %v", composePath, err)
	}
	if len(c.Services) == 0 {
		t.Fatalf("%s: no services", composePath)
	}
	return c
}

// cbecContainers returns the containers built from deploy/Dockerfile, by name.
func cbecContainers(c composeFile) map[string]composeService {
	out := map[string]composeService{}
	for name, s := range c.Services {
		if s.Build.File() == dockerfile {
			out[name] = s
		}
	}
	return out
}

// containerConfig parses a container's configuration exactly as the binary
// in the container would: its command as arguments, its environment as the
// CBEC_* twins.
// secretsDir is where compose expects `cbec secrets` to have written.
const secretsDir = "./secrets"

// composeSecrets runs `cbec secrets` into a temporary directory, standing
// for the ./secrets a user makes before `docker compose up`.
func composeSecrets(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "secrets")
	if err := RunSecrets([]string{"--dir", dir}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	return dir
}

// secretFile maps a compose source under ./secrets to the file in secrets,
// or "" when source is not a secret.
func secretFile(source, secrets string) string {
	rest, ok := strings.CutPrefix(path.Clean(source), "secrets/")
	if !ok {
		return ""
	}
	return filepath.Join(secrets, rest)
}

// containerConfig is the configuration the binary would take in the
// container: its command, environment and env files, with the secret files
// mounted into it found in secrets.
func containerConfig(s composeService, secrets string) (Config, error) {
	env := map[string]string{}
	for _, f := range s.EnvFile {
		b, err := os.ReadFile(secretFile(f, secrets))
		if err != nil {
			return Config{}, fmt.Errorf("env_file %s: %w", f, err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			k, v, _ := strings.Cut(line, "=")
			env[k] = v
		}
	}
	for k, v := range s.Environment {
		if src := s.hostFile(v); strings.HasPrefix(v, "/run/secrets/") {
			if src == "" {
				return Config{}, fmt.Errorf("%s=%s is not mounted", k, v)
			}
			v = secretFile(src, secrets)
		}
		env[k] = v
	}
	return ParseConfig(s.Command, func(k string) string { return env[k] }, io.Discard)
}

// explicitServices returns what the container names with --services, or
// CBEC_SERVICES; nil when it names nothing (and so would run every service).
func explicitServices(s composeService) []string {
	list := s.Environment[EnvName("services")]
	for i, a := range s.Command {
		a = strings.TrimPrefix(a, "-")
		if v, ok := strings.CutPrefix(a, "-services="); ok {
			list = v
		} else if v, ok := strings.CutPrefix(a, "services="); ok {
			list = v
		} else if (a == "-services" || a == "services") && i+1 < len(s.Command) {
			list = s.Command[i+1]
		}
	}
	if list == "" {
		return nil
	}
	return strings.Split(list, ",")
}

func TestComposeRunsEveryService(t *testing.T) {
	c := loadCompose(t)
	cbec := cbecContainers(c)
	for _, name := range ServiceNames() {
		s, ok := c.Services[name]
		if !ok {
			t.Errorf("docker-compose.yml: no container %q for service %q: add one built from %s with command [\"--services=%s\"]", name, name, dockerfile, name)
			continue
		}
		if _, ok := cbec[name]; !ok {
			t.Errorf("docker-compose.yml: container %q is not built from %s (build: %+v)", name, dockerfile, s.Build)
		}
		if !slices.Contains(s.Command, "--services="+name) {
			t.Errorf("docker-compose.yml: container %q has command %q; want it to run --services=%s", name, s.Command, name)
		}
	}
}

func TestComposeContainersRunKnownServices(t *testing.T) {
	c := loadCompose(t)
	secrets := composeSecrets(t)
	cbec := cbecContainers(c)
	if len(cbec) == 0 {
		t.Fatalf("docker-compose.yml: no container is built from %s", dockerfile)
	}
	for name, s := range cbec {
		if s.Build.Context != "." {
			t.Errorf("container %q: build context %q; %s builds ./services/cbec and needs the repository root (.)", name, s.Build.Context, dockerfile)
		}
		picked := explicitServices(s)
		if picked == nil {
			t.Errorf("container %q names no --services: it would run every service, twice over with the other containers", name)
			continue
		}
		for _, p := range picked {
			if !slices.Contains(ServiceNames(), p) {
				t.Errorf("container %q runs --services=%s: %q is not one of %v", name, strings.Join(picked, ","), p, ServiceNames())
			}
		}
		cfg, err := containerConfig(s, secrets)
		if err != nil {
			t.Errorf("container %q: the binary would refuse its configuration: %v", name, err)
			continue
		}
		if cfg.NATSURL == "" {
			t.Errorf("container %q: no CBEC_NATS_URL: it would start its own embedded NATS instead of sharing the nats container", name)
		} else if host := natsHost(cfg.NATSURL); c.Services[host].Image == "" {
			t.Errorf("container %q: CBEC_NATS_URL %q names %q, which is no container of the compose file", name, cfg.NATSURL, host)
		}
		if cfg.NATSCreds == "" {
			t.Errorf("container %q: no CBEC_NATS_CREDS: it would connect anonymously, which the server refuses", name)
		} else if want := filepath.Join(secrets, picked[0]+".creds"); len(picked) == 1 && cfg.NATSCreds != want {
			t.Errorf("container %q logs in with %s; want its own user's %s", name, cfg.NATSCreds, want)
		}
		if !strings.HasPrefix(cfg.HTTPAddr, "0.0.0.0:") && !strings.HasPrefix(cfg.HTTPAddr, ":") {
			t.Errorf("container %q: HTTP address %q is not reachable from outside the container", name, cfg.HTTPAddr)
		}
	}
}

func natsHost(url string) string {
	first, _, _ := strings.Cut(url, ",")
	_, hostPort, _ := strings.Cut(first, "://")
	host, _, _ := strings.Cut(hostPort, ":")
	return host
}

func TestComposeGatewayPublishesHTTP(t *testing.T) {
	c := loadCompose(t)
	gw, ok := c.Services["gateway"]
	if !ok {
		t.Skip("no gateway container (reported by TestComposeRunsEveryService)")
	}
	for _, p := range gw.Ports {
		if strings.HasSuffix(p, ":8080") || p == "8080" {
			return
		}
	}
	t.Errorf("gateway container publishes %v; want port 8080 published", gw.Ports)
}

func TestComposeNATSRunsJetStream(t *testing.T) {
	c := loadCompose(t)
	n, ok := c.Services["nats"]
	if !ok {
		t.Fatal("docker-compose.yml: no nats container")
	}
	if !slices.Contains(n.Command, "-js") && !slices.Contains(n.Command, "--jetstream") {
		t.Errorf("nats container command %q: want -js (JetStream)", n.Command)
	}
	i := slices.IndexFunc(n.Command, func(a string) bool { return a == "-c" || a == "--config" })
	if i < 0 || i+1 >= len(n.Command) {
		t.Fatalf("nats container command %q: want -c <config file>", n.Command)
	}
	src := n.hostFile(n.Command[i+1])
	if src == "" {
		t.Fatalf("nats container: config %s is not mounted from the repository", n.Command[i+1])
	}
	secrets := composeSecrets(t)
	if len(n.EnvFile) != 1 || secretFile(n.EnvFile[0], secrets) != filepath.Join(secrets, SecretsNATSEnv) {
		t.Fatalf("nats container: env_file %v; want %s/%s, its passwords", n.EnvFile, secretsDir, SecretsNATSEnv)
	}
	setEnvFile(t, filepath.Join(secrets, SecretsNATSEnv))
	opts, err := server.ProcessConfigFile(filepath.Join("../..", src))
	if err != nil {
		t.Fatalf("nats container config %s: %v", src, err)
	}
	for _, p := range n.Ports {
		if strings.HasSuffix(p, ":8222") || !strings.HasPrefix(p, "127.0.0.1:") {
			t.Errorf("nats container publishes %q: only the client port, on 127.0.0.1, may be published", p)
		}
	}
	if !opts.JetStream {
		t.Errorf("%s does not enable JetStream", src)
	}
	if opts.StoreDir == "" {
		t.Errorf("%s: JetStream has no store_dir", src)
	} else if !slices.ContainsFunc(n.Volumes, func(m composeMount) bool { return m.Target == opts.StoreDir }) {
		t.Errorf("nats container: the JetStream store %s is not on a volume; a restart would lose every stream", opts.StoreDir)
	}
}

func TestComposeMountedFilesExist(t *testing.T) {
	c := loadCompose(t)
	secrets := composeSecrets(t)
	for name, s := range c.Services {
		for _, m := range s.Volumes {
			if !strings.HasPrefix(m.Source, ".") {
				continue
			}
			file := filepath.Join("../..", m.Source)
			if f := secretFile(m.Source, secrets); f != "" {
				file = f // made by cbec secrets, never in the repository
			}
			if _, err := os.Stat(file); err != nil {
				t.Errorf("container %q mounts %s: %v", name, m.Source, err)
			}
		}
	}
	if _, err := os.Stat(filepath.Join("../..", dockerfile)); err != nil {
		t.Error(err)
	}
}

func TestPrometheusComposeScrapesEveryContainer(t *testing.T) {
	b, err := os.ReadFile(prometheusComposePath)
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		ScrapeConfigs []struct {
			JobName       string `yaml:"job_name"`
			StaticConfigs []struct {
				Targets []string `yaml:"targets"`
			} `yaml:"static_configs"`
		} `yaml:"scrape_configs"`
	}
	if err := yaml.Unmarshal(b, &cfg); err != nil {
		t.Fatalf("%s: %v", prometheusComposePath, err)
	}
	var targets []string
	for _, sc := range cfg.ScrapeConfigs {
		if sc.JobName != "cbec" {
			continue
		}
		for _, st := range sc.StaticConfigs {
			targets = append(targets, st.Targets...)
		}
	}
	var want []string
	for name := range cbecContainers(loadCompose(t)) {
		want = append(want, name+":8080")
	}
	slices.Sort(targets)
	slices.Sort(want)
	if !slices.Equal(targets, want) {
		t.Errorf("%s job cbec scrapes %v; the cbec containers of docker-compose.yml are %v", prometheusComposePath, targets, want)
	}
}

var update = flag.Bool("update", false, "rewrite generated files (deploy/nats/*.conf)")

// natsEnv sets what a deployed nats-server reads from its environment, as
// `cbec secrets` writes it, with TLS files made for the test.
func natsEnv(t *testing.T) {
	t.Helper()
	setEnvFile(t, filepath.Join(composeSecrets(t), SecretsNATSEnv))
	c := makeCerts(t)
	t.Setenv(NATSTLSCertVar, c.Cert)
	t.Setenv(NATSTLSKeyVar, c.Key)
	t.Setenv(NATSTLSCAVar, c.CA)
}

func TestNATSConfigs(t *testing.T) {
	for path, sc := range deployNATS() {
		want, err := sc.Render()
		if err != nil {
			t.Fatal(err)
		}
		file := filepath.Join("../..", path)
		if *update {
			if err := os.WriteFile(file, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(file)
		if err != nil || string(got) != want {
			t.Errorf("%s differs from what pkg/broker renders (%v): go test ./services/cbec -run TestNATSConfigs -update", path, err)
		}
	}
	natsEnv(t)
	single := filepath.Join(natsDir, "nats.conf")
	cluster := []string{
		filepath.Join(natsDir, "cluster", "nats-1.conf"),
		filepath.Join(natsDir, "cluster", "nats-2.conf"),
		filepath.Join(natsDir, "cluster", "nats-3.conf"),
	}
	found, err := filepath.Glob(filepath.Join(natsDir, "*.conf"))
	if err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob(filepath.Join(natsDir, "cluster", "*.conf"))
	found = append(found, more...)
	for _, f := range append([]string{single}, cluster...) {
		if !slices.Contains(found, f) {
			t.Errorf("missing %s", f)
		}
	}
	names := map[string]string{}
	for _, f := range found {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Error(err)
			continue
		}
		if !strings.Contains(strings.ToLower(string(b)), "jetstream") {
			t.Errorf("%s does not mention jetstream", f)
		}
		opts, err := server.ProcessConfigFile(f)
		if err != nil {
			t.Errorf("%s: nats-server refuses it: %v", f, err)
			continue
		}
		if !opts.JetStream || opts.StoreDir == "" {
			t.Errorf("%s: JetStream not enabled with a store_dir (jetstream=%v store_dir=%q)", f, opts.JetStream, opts.StoreDir)
		}
		if opts.HTTPPort != 8222 {
			t.Errorf("%s: monitoring port %d, want 8222", f, opts.HTTPPort)
		}
		if opts.AuthCallout == nil || opts.AuthCallout.Account != broker.AccountAuth || opts.NoAuthUser != "" {
			t.Errorf("%s: anonymous clients must be refused and parties asked of the auth callout", f)
		}
		if opts.MaxPayload < 8<<20 {
			t.Errorf("%s: max_payload %d is below the 8 MiB the embedded server accepts", f, opts.MaxPayload)
		}
		// The durability policy is stated in the file, and the server reads
		// it as cbec's default (docs/operations.md, Durability).
		always, interval, _ := broker.ParseSync(broker.DefaultSync)
		if !strings.Contains(string(b), "sync_interval: ") {
			t.Errorf("%s: no explicit sync_interval: the server's default would flush every 2 minutes", f)
		}
		if opts.SyncAlways != always || (!always && opts.SyncInterval != interval) {
			t.Errorf("%s: the server syncs always=%v every %v, want %s", f, opts.SyncAlways, opts.SyncInterval, broker.DefaultSync)
		}
		if !slices.Contains(cluster, f) {
			continue
		}
		if opts.ServerName == "" {
			t.Errorf("%s: a clustered JetStream server needs a server_name", f)
		} else if other, dup := names[opts.ServerName]; dup {
			t.Errorf("%s and %s share server_name %q", f, other, opts.ServerName)
		}
		names[opts.ServerName] = f
		if opts.Cluster.Name == "" || len(opts.Routes) < 2 {
			t.Errorf("%s: want a named cluster with routes to the other nodes (name %q, %d routes)", f, opts.Cluster.Name, len(opts.Routes))
		}
		if !strings.Contains(string(b), "--replicas 3") {
			t.Errorf("%s: document that cbec then runs with --replicas 3", f)
		}
		if opts.TLSConfig == nil || opts.Cluster.TLSConfig == nil || opts.Cluster.TLSConfig.ClientAuth != tls.RequireAndVerifyClientCert {
			t.Errorf("%s: clients and routes must use TLS, routes verified by certificate", f)
		}
	}
}

func TestComposeHasNoDefaultSecrets(t *testing.T) {
	b, err := os.ReadFile(composePath)
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(string(b), "\n") {
		l := strings.ToUpper(line)
		if strings.Contains(l, "CHANGE-ME") || (strings.Contains(l, ":-") && (strings.Contains(l, "SECRET") || strings.Contains(l, "PASSWORD"))) {
			t.Errorf("docker-compose.yml:%d: a default secret: %s", i+1, strings.TrimSpace(line))
		}
	}
}
