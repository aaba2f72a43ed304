package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/tooltest"
	"github.com/compose-spec/compose-go/v2/loader"
	composetypes "github.com/compose-spec/compose-go/v2/types"
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

// cbecImage returns the container that builds deploy/Dockerfile and the
// image it tags; "" when none does.
func cbecImage(c composeFile) (builder, image string) {
	for name, s := range c.Services {
		if s.Build.File() == dockerfile {
			return name, s.Image
		}
	}
	return "", ""
}

// cbecContainers returns the containers that run the image built from
// deploy/Dockerfile, by name.
func cbecContainers(c composeFile) map[string]composeService {
	out := map[string]composeService{}
	builder, image := cbecImage(c)
	for name, s := range c.Services {
		if name == builder || (image != "" && s.Image == image && !s.Build.Set) {
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
			t.Errorf("docker-compose.yml: container %q does not run the image built from %s (image %q, build %+v)", name, dockerfile, s.Image, s.Build)
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
		t.Fatalf("docker-compose.yml: no container runs the image built from %s", dockerfile)
	}
	for name, s := range cbec {
		if s.Build.Set && s.Build.Context != "." {
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

// composeProject makes the directory docker-compose.yml runs in, as a user
// has it after `cbec secrets --dir secrets`: its secrets/ (env_file must
// exist for either Compose to read the file) and the repository's deploy/.
func composeProject(t *testing.T) string {
	t.Helper()
	dir := filepath.Dir(composeSecrets(t))
	deployDir, err := filepath.Abs("../../deploy")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(deployDir, filepath.Join(dir, "deploy")); err != nil {
		t.Fatal(err)
	}
	return dir
}

// loadComposeV2 loads docker-compose.yml with compose-go, the loader of
// Compose v2 (`docker compose config` runs it): the Compose Specification's
// schema, interpolation, merges, env files and the consistency checks.
func loadComposeV2(t *testing.T) *composetypes.Project {
	t.Helper()
	file, err := filepath.Abs(composePath)
	if err != nil {
		t.Fatal(err)
	}
	p, err := loader.LoadWithContext(context.Background(), composetypes.ConfigDetails{
		WorkingDir:  composeProject(t),
		ConfigFiles: []composetypes.ConfigFile{{Filename: file}},
		Environment: composetypes.Mapping{},
	}, func(o *loader.Options) { o.SetProjectName("cbec", true) })
	if err != nil {
		t.Fatalf("Compose v2 (compose-go) refuses docker-compose.yml: %v", err)
	}
	return p
}

func TestComposeConfigV2(t *testing.T) {
	p := loadComposeV2(t)
	for _, name := range append([]string{"nats"}, ServiceNames()...) {
		if _, ok := p.Services[name]; !ok {
			t.Errorf("Compose v2 loads no service %q (it has %v)", name, p.ServiceNames())
		}
	}
}

// TestComposeConfigV1 runs `docker-compose config` of Compose v1 (Debian's
// docker-compose 1.29, which .ci/run installs): it checks the file against
// v1's own copy of the schema, which knows nothing of what came later.
func TestComposeConfigV1(t *testing.T) {
	bin := tooltest.Need(t, "docker-compose")
	file, err := filepath.Abs(composePath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--project-directory", composeProject(t), "-f", file, "config", "--services")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("docker-compose (v1) config refuses docker-compose.yml: %v\n%s", err, out)
	}
	for _, name := range append([]string{"nats"}, ServiceNames()...) {
		if !slices.Contains(strings.Fields(string(out)), name) {
			t.Errorf("docker-compose (v1) config lists services %q; want %s among them", out, name)
		}
	}
}

// TestComposeBuildsOneImage: one container builds deploy/Dockerfile and
// tags the image, every cbec container runs that image, none builds again.
func TestComposeBuildsOneImage(t *testing.T) {
	p := loadComposeV2(t)
	var builders []string
	for name, s := range p.Services {
		if s.Build != nil {
			builders = append(builders, name)
		}
	}
	if len(builders) != 1 {
		t.Fatalf("containers %v build an image; want exactly one, building %s once for every cbec service", builders, dockerfile)
	}
	b := p.Services[builders[0]]
	// The context is the project directory: the repository root, which
	// the Dockerfile's `COPY . .` and `go build ./services/cbec` need.
	if b.Build.Dockerfile != dockerfile || b.Build.Context != p.WorkingDir {
		t.Errorf("container %q builds %s in %s; want %s in the project directory %s", builders[0], b.Build.Dockerfile, b.Build.Context, dockerfile, p.WorkingDir)
	}
	if b.Image == "" || !imagePinned(b.Image) {
		t.Errorf("container %q builds image %q; want it tagged with a version (cbec:X.Y.Z), which the other containers and deploy/k8s run", builders[0], b.Image)
	}
	for _, name := range ServiceNames() {
		if s, ok := p.Services[name]; ok && s.Image != b.Image {
			t.Errorf("container %q runs image %q; want %q, the one %q builds", name, s.Image, b.Image, builders[0])
		}
	}
}

// TestComposeHealthAndOrder: NATS and every cbec container have a health
// check, and the cbec containers start once NATS is healthy, the gateway
// (intake) after every other service, and all after the container that
// builds their image (Compose v1 makes images ready in start order).
func TestComposeHealthAndOrder(t *testing.T) {
	p := loadComposeV2(t)
	nats, ok := p.Services["nats"]
	if !ok {
		t.Fatal("no nats container")
	}
	if nats.HealthCheck == nil || !strings.Contains(strings.Join(nats.HealthCheck.Test, " "), ":8222/healthz") {
		t.Errorf("nats container: health check %v; want the monitoring port's /healthz (8222, deploy/nats/nats.conf)", nats.HealthCheck)
	}
	entry := dockerfileDirective(t, "ENTRYPOINT")
	var builder string
	for name, s := range p.Services {
		if s.Build != nil {
			builder = name
		}
	}
	for _, name := range ServiceNames() {
		s, ok := p.Services[name]
		if !ok {
			continue // TestComposeRunsEveryService says so
		}
		_, port, _ := strings.Cut(*s.Environment[EnvName("http-addr")], ":")
		want := []string{"CMD", strings.Trim(strings.Trim(entry, "[]"), `"`), "probe", "http://127.0.0.1:" + port + "/readyz"}
		if s.HealthCheck == nil || !slices.Equal(s.HealthCheck.Test, want) {
			t.Errorf("container %q: health check %v; want %q (its own /readyz, on its HTTP port)", name, s.HealthCheck, want)
		}
		if d, ok := s.DependsOn["nats"]; !ok || d.Condition != composetypes.ServiceConditionHealthy {
			t.Errorf("container %q: depends_on nats %+v; want condition service_healthy: cbec exits when NATS is not there at start", name, s.DependsOn["nats"])
		}
		if _, ok := s.DependsOn[builder]; name != builder && !ok {
			t.Errorf("container %q does not depend on %q, which builds its image: Compose v1 would pull the image instead of waiting for the build", name, builder)
		}
		if name == "gateway" {
			continue
		}
		if _, ok := p.Services["gateway"].DependsOn[name]; !ok {
			t.Errorf("the gateway does not depend on %q: intake would take documents before the service that handles them runs", name)
		}
	}
	// The probe the health checks run is a command of the binary.
	if err := Run(context.Background(), []string{"probe", "-h"}, func(string) string { return "" }, io.Discard, io.Discard); err != nil {
		t.Errorf("cbec probe -h: %v; the health checks run `cbec probe`", err)
	}
}

// dockerfileDirective returns the argument of the last instruction of the
// Dockerfile with that name.
func dockerfileDirective(t *testing.T, instr string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("../..", dockerfile))
	if err != nil {
		t.Fatal(err)
	}
	var arg string
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, instr+" "); ok {
			arg = strings.TrimSpace(rest)
		}
	}
	if arg == "" {
		t.Fatalf("%s has no %s", dockerfile, instr)
	}
	return arg
}

// imagePinned: a version tag (never latest), or a tag and its digest.
func imagePinned(image string) bool {
	ref, digest, hasDigest := strings.Cut(image, "@")
	if hasDigest && !regexp.MustCompile(`^sha256:[0-9a-f]{64}$`).MatchString(digest) {
		return false
	}
	i := strings.LastIndex(ref, ":")
	if i < 0 || i < strings.LastIndex(ref, "/") {
		return false // no tag: the registry's latest
	}
	tag := ref[i+1:]
	if tag == "latest" {
		return false
	}
	return hasDigest || regexp.MustCompile(`^v?[0-9]+(\.[0-9]+)+`).MatchString(tag)
}

// goMod returns the go directive of go.mod and the version it requires of
// module.
func goMod(t *testing.T, module string) (goVersion, modVersion string) {
	t.Helper()
	b, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 2 && f[0] == "go":
			goVersion = f[1]
		case len(f) >= 2 && f[0] == module:
			modVersion = f[1]
		case len(f) >= 3 && f[0] == "require" && f[1] == module:
			modVersion = f[2]
		}
	}
	if goVersion == "" || modVersion == "" {
		t.Fatalf("go.mod: go %q, %s %q", goVersion, module, modVersion)
	}
	return goVersion, modVersion
}

// TestComposeImagesPinned: every image compose runs and every base image of
// deploy/Dockerfile is pinned; NATS is the version of the server embedded
// in cbec, the build's Go the version go.mod names.
func TestComposeImagesPinned(t *testing.T) {
	p := loadComposeV2(t)
	goVersion, natsVersion := goMod(t, "github.com/nats-io/nats-server/v2")
	for name, s := range p.Services {
		if !imagePinned(s.Image) {
			t.Errorf("container %q: image %q is not pinned (a version tag, or a tag and its digest)", name, s.Image)
		}
	}
	tag := func(image string) string {
		ref, _, _ := strings.Cut(image, "@")
		return ref[strings.LastIndex(ref, ":")+1:]
	}
	nats := p.Services["nats"].Image
	if v := strings.TrimPrefix(natsVersion, "v"); tag(nats) != v && !strings.HasPrefix(tag(nats), v+"-") {
		t.Errorf("nats container runs %s; cbec embeds nats-server %s (go.mod): run the same server in both", nats, natsVersion)
	}
	b, err := os.ReadFile(filepath.Join("../..", dockerfile))
	if err != nil {
		t.Fatal(err)
	}
	var golang bool
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || f[0] != "FROM" {
			continue
		}
		if !imagePinned(f[1]) {
			t.Errorf("%s: FROM %s is not pinned (a version tag, or a tag and its digest)", dockerfile, f[1])
		}
		if strings.HasPrefix(f[1], "golang:") {
			golang = true
			if tag(f[1]) != goVersion && !strings.HasPrefix(tag(f[1]), goVersion+"-") {
				t.Errorf("%s builds with %s; go.mod says go %s", dockerfile, f[1], goVersion)
			}
		}
	}
	if !golang {
		t.Errorf("%s: no golang build stage", dockerfile)
	}
	for _, c := range []struct {
		image string
		want  bool
	}{
		{"nats:2.15.2-alpine", true},
		{"nats", false},
		{"nats:latest", false},
		{"nats:alpine", false},
		{"gcr.io/distroless/static-debian12:nonroot", false},
		{"gcr.io/distroless/static-debian12:nonroot@sha256:" + strings.Repeat("ab", 32), true},
		{"nats:latest@sha256:" + strings.Repeat("ab", 32), false},
		{"nats:2.15.2@sha256:short", false},
		{"localhost:5000/cbec", false},
		{"localhost:5000/cbec:0.1.0", true},
	} {
		if got := imagePinned(c.image); got != c.want {
			t.Errorf("imagePinned(%q) = %v, want %v", c.image, got, c.want)
		}
	}
}
