package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/cbec/cbec/deploy"
	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/clock"
	"github.com/cbec/cbec/pkg/dsig"
	"github.com/cbec/cbec/pkg/httpapi"
	"github.com/cbec/cbec/pkg/party"
	ruleset "github.com/cbec/cbec/pkg/rules"
	"github.com/cbec/cbec/pkg/svc"
	"github.com/cbec/cbec/pkg/telemetry"
	"github.com/cbec/cbec/services/clearance"
	"github.com/cbec/cbec/services/returns"
	"github.com/cbec/cbec/services/review"
	rulesadmin "github.com/cbec/cbec/services/rules"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// command is a subcommand: `cbec <name> [flags]`. commands is the one list
// of them that Run dispatches on and `cbec help` prints.
type command struct {
	name string
	// summary is the command's line in `cbec help`.
	summary string
	// run runs the command with the arguments after its name. Asked for
	// help (-h), it prints its usage and returns flag.ErrHelp, which Run
	// turns into success.
	run func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

// commands lists cbec's subcommands, "run" (the default) first. getenv is
// the environment "run" reads its flags' twins from.
func commands(getenv func(string) string) []command {
	var cmds []command
	cmds = []command{
		{"run", "run the services, with an embedded NATS server unless --nats-url (the default command)",
			func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
				return runProgram(ctx, args, getenv, stdout, stderr)
			}},
		{"load", "send generated declarations to a running cbec at a steady rate and report decisions and latency", RunLoad},
		{"demo", "write a fresh consistent declaration (import, export or return) to post, every dependent number computed", RunDemo},
		{"bench", "measure the bus ceiling, the pipeline's maximum and fixed rates, and optionally a soak", RunBench},
		{"secrets", "write every secret of an external deployment (docker-compose, deploy/nats) into a directory", withoutContext(RunSecrets)},
		{"rules", "backtest a candidate rules file against the stored declarations of a window: cbec rules backtest --rules new.yaml --from … --to …", RunRules},
		{"probe", "check a running cbec over HTTP (default its own /readyz) and exit 0 on 200: a container's health check", RunProbe},
		{"keygen", "write a TEST SM2 key and self-signed certificate for trying CEB signatures", withoutContext(RunKeygen)},
		// sign and verify are filters: the message comes on stdin, which
		// Run does not otherwise take.
		{"sign", "sign a CEB message read on stdin (enveloped SM2/SM3 or RSA signature)", withStdin(RunSign)},
		{"verify", "verify the signature of a CEB message or signed receipt read on stdin", withStdin(RunVerify)},
		{"receive", "a local webhook endpoint for trying webhooks: verifies each delivery's signature and prints it", RunReceive},
		{"version", "print the version, VCS revision and Go version (also --version)", RunVersion},
		{"help", "print this help, or a command's: cbec help <command> (also -h, --help)",
			func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
				return runHelp(ctx, cmds, args, stdout, stderr)
			}},
	}
	return cmds
}

// withoutContext adapts a command that needs no context to the table.
func withoutContext(run func(args []string, stdout, stderr io.Writer) error) func(context.Context, []string, io.Writer, io.Writer) error {
	return func(_ context.Context, args []string, stdout, stderr io.Writer) error {
		return run(args, stdout, stderr)
	}
}

// withStdin adapts a filter command, which reads the process's stdin.
func withStdin(run func(args []string, stdin io.Reader, stdout, stderr io.Writer) error) func(context.Context, []string, io.Writer, io.Writer) error {
	return func(_ context.Context, args []string, stdout, stderr io.Writer) error {
		return run(args, os.Stdin, stdout, stderr)
	}
}

// Run runs the command args name (see commands), "run" when args start with
// a flag or are empty; -h, --help and --version are the help and version
// commands, as Go users expect. Help asked for is success (nil).
func Run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	name, rest := "run", args
	if len(args) > 0 {
		switch a := args[0]; {
		case a == "-h" || a == "-help" || a == "--help":
			name, rest = "help", args[1:]
		case a == "-version" || a == "--version":
			name, rest = "version", args[1:]
		case !strings.HasPrefix(a, "-"):
			name, rest = a, args[1:]
		}
	}
	cmds := commands(getenv)
	i := slices.IndexFunc(cmds, func(c command) bool { return c.name == name })
	if i < 0 {
		return fmt.Errorf("unknown command %q; cbec help lists them", name)
	}
	if err := cmds[i].run(ctx, rest, stdout, stderr); !errors.Is(err, flag.ErrHelp) {
		return err
	}
	return nil
}

// runProgram is `cbec run`: it parses the configuration, runs the program
// until ctx ends (SIGINT, SIGTERM) and shuts it down in order; SIGHUP
// reloads the parties file.
func runProgram(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := ParseConfig(args, getenv, stdout)
	if err != nil {
		return err
	}
	if getenv("GOGC") == "" {
		debug.SetGCPercent(GCPercent)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(systemMemoryLimit())
	}
	m := NewMain(cfg, stdout, stderr)
	if err := m.Run(ctx); err != nil {
		_ = m.Close(context.Background())
		return err
	}
	// SIGHUP reloads the parties file: revoked keys stop working at once.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for done := false; !done; {
		select {
		case <-hup:
			if err := m.Reload(); err != nil {
				m.Log.Error("reload", "err", err)
			}
		case <-ctx.Done():
			done = true
		}
	}
	_, _ = fmt.Fprintln(stdout, "cbec: shutting down")
	closeCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return m.Close(closeCtx)
}

// GCPercent is the garbage collector's target unless GOGC says otherwise.
// The process keeps little live data (state lives in JetStream) but
// allocates briskly on the decision path. Collecting at 3× the live heap
// instead of Go's 2× saves collector CPU; collecting later still (4×,
// 16×) measured slower again in the throughput benchmarks — a larger heap
// costs more in cache misses than the collections it spares.
const GCPercent = 200

// Main is the running program: the NATS connection (and embedded server),
// the services and the HTTP server.
type Main struct {
	Config Config
	Log    *slog.Logger
	stdout io.Writer

	server *broker.Embedded
	unlock func()
	nc     *nats.Conn
	js     jetstream.JetStream
	// conns are the services' own connections (embedded server), and the
	// auth callout's.
	conns   []*nats.Conn
	parties *party.Directory
	callout *callout
	// failures limits failed authentications per client address, over HTTP
	// and NATS alike (authFailures).
	failures     *httpapi.FailureLimiter
	failuresOnce sync.Once
	httpSrv      *http.Server
	httpLn       net.Listener
	services     []svc.Service
	router       *svc.Router
	// stopRules ends the watch of the rules in force (nil: none).
	stopRules func()
	ready     atomic.Bool
	demo      bool
}

// NewMain returns a program for cfg writing its banner to stdout and its
// logs to stderr.
func NewMain(cfg Config, stdout, stderr io.Writer) *Main {
	return &Main{Config: cfg, Log: newLogger(cfg, stderr), stdout: stdout}
}

// newLogger is the program's logger on w: --log-format's handler at
// --log-level (both checked by Validate; empty is text at info).
func newLogger(cfg Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if strings.EqualFold(cfg.LogFormat, "json") {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// Run starts NATS (embedded or connected), creates the streams and buckets,
// starts the services and the HTTP server, prints where everything is and
// returns; the program then runs until Close.
func (m *Main) Run(ctx context.Context) error {
	c := m.Config
	parties, err := m.loadParties()
	if err != nil {
		return err
	}
	tariffs, err := loadTariff(c.Tariff)
	if err != nil {
		return err
	}
	ruleSet, err := loadRules(c.Rules)
	if err != nil {
		return err
	}
	exportRef, err := loadExport(c.Export)
	if err != nil {
		return err
	}
	zones, err := readReference(c.Zones, deploy.Zones)
	if err != nil {
		return fmt.Errorf("--zones: %w", err)
	}
	m.parties = parties
	if err := m.connect(); err != nil {
		return err
	}
	setupCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := broker.Setup(setupCtx, m.js, broker.Options{Replicas: c.Replicas}); err != nil {
		return fmt.Errorf("jetstream setup: %w", err)
	}
	if err := broker.CheckStoreFormat(setupCtx, m.js); err != nil {
		return err
	}

	reg := telemetry.NewRegistry()
	reg.MustRegister(telemetry.NewJetStreamCollector(m.nc, m.js, readStreams(c.Services)...))
	mux := svc.NewRouter()
	m.router = mux
	env := &svc.Env{
		NC: m.nc, JS: m.js, Clock: clock.System{}, Log: m.Log, Registry: reg,
		Parties: parties, Mux: mux, Rate: c.Rate,
		Tariff: tariffs, Rules: ruleSet, Zones: zones, ExportRef: exportRef, SweepInterval: c.SweepInterval, TradeTarget: c.TradeTarget,
		Intake: c.Intake, Webhooks: c.Webhooks,
	}
	env.QuotaSecret, err = m.quotaSecret()
	if err != nil {
		return err
	}
	if env.Signer, err = loadSigner(c.SigningKey, c.SigningCert); err != nil {
		return err
	}

	if c.DevClock {
		env.DevClock = clock.NewSettable()
		env.Clock = env.DevClock
	}
	// The services that read the rules follow the versions operators
	// activate (CBEC_RULES), starting on the one in force.
	if slices.ContainsFunc(c.Services, func(s string) bool { return s == clearance.Name || s == returns.Name || s == review.Name }) {
		env.LiveRules = ruleset.NewLive(ruleSet)
		if m.stopRules, err = rulesadmin.Follow(setupCtx, m.js, env.LiveRules, m.Log); err != nil {
			return fmt.Errorf("rules in force: %w", err)
		}
	}
	for _, s := range services {
		if !slices.Contains(c.Services, s.name) {
			continue
		}
		senv, err := m.serviceEnv(env, s.name)
		if err != nil {
			return err
		}
		srv, err := s.New(setupCtx, senv)
		if err != nil {
			return fmt.Errorf("service %s: %w", s.name, err)
		}
		if err := srv.Start(ctx); err != nil {
			return fmt.Errorf("start %s: %w", s.name, err)
		}
		m.services = append(m.services, srv)
		// The rules administration (backtests) runs beside the review
		// desk, with its connection: it reads what the desk reads.
		if s.name == review.Name {
			if _, err := rulesadmin.Mount(setupCtx, senv); err != nil {
				return fmt.Errorf("rules administration: %w", err)
			}
		}
	}
	mux.HandleFunc(routeHealthz, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.HandleFunc(routeReadyz, m.handleReady)
	mux.Handle(routeMetrics, telemetry.Handler(reg))

	m.httpLn, err = net.Listen("tcp", c.HTTPAddr)
	if err != nil {
		return fmt.Errorf("http listen: %w", err)
	}
	m.httpSrv = &http.Server{
		Handler:           telemetry.NewHTTPMetrics(reg).WrapHandler(mux.ServeMux, m.httpMiddleware().Wrap(mux)),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	go func() {
		if err := m.httpSrv.Serve(m.httpLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.Log.Error("http server", "err", err)
		}
	}()
	m.ready.Store(true)
	m.banner()
	return nil
}

// loadSigner reads customs' signing key and certificate; none gives nil.
func loadSigner(keyFile, certFile string) (*dsig.Signer, error) {
	if keyFile == "" {
		return nil, nil
	}
	key, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, fmt.Errorf("--signing-key: %w", err)
	}
	cert, err := os.ReadFile(certFile)
	if err != nil {
		return nil, fmt.Errorf("--signing-cert: %w", err)
	}
	s, err := dsig.LoadSigner(key, cert)
	if err != nil {
		return nil, fmt.Errorf("--signing-key/--signing-cert: %w", err)
	}
	return s, nil
}

func (m *Main) loadParties() (*party.Directory, error) {
	data := deploy.Parties
	if m.Config.Parties != "" {
		b, err := os.ReadFile(m.Config.Parties)
		if err != nil {
			return nil, err
		}
		data = b
	} else {
		m.demo = true
	}
	return party.Load(bytes.NewReader(data))
}

// handleReady answers 200 once the services run and NATS with JetStream
// answers, else 503; 503 too while the gateway refuses submissions
// (backpressure), so that load balancers send them elsewhere.
func (m *Main) handleReady(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	problem := ""
	switch {
	case !m.ready.Load():
		problem = "starting"
	case !m.nc.IsConnected():
		problem = "nats " + m.nc.Status().String()
	default:
		if _, err := m.js.AccountInfo(ctx); err != nil {
			problem = "jetstream: " + err.Error()
			break
		}
		// JetStream answers for the account while a stream has lost its
		// leader (a node of a cluster down): intake then refuses every
		// document with 503, so the process is not ready either.
		st, err := m.js.Stream(ctx, broker.StreamIn)
		switch {
		case err != nil:
			problem = broker.StreamIn + ": " + err.Error()
		case st.CachedInfo().Cluster != nil && st.CachedInfo().Cluster.Leader == "":
			problem = broker.StreamIn + ": no leader"
		}
	}
	for _, s := range m.services {
		if r, ok := s.(interface{ Refusing() string }); ok && problem == "" {
			if reason := r.Refusing(); reason != "" {
				problem = "intake refusing: " + reason
			}
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if problem != "" {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, problem+"\n")
		return
	}
	_, _ = io.WriteString(w, "ready\n")
}

// HTTPURL is the base URL of the HTTP server.
func (m *Main) HTTPURL() string { return "http://" + m.httpLn.Addr().String() }

// NATSURL is where outside clients reach NATS, or "" when the embedded
// server is in-process only.
func (m *Main) NATSURL() string {
	if m.server == nil {
		return m.Config.NATSURL
	}
	if m.Config.NATSListen == "" {
		return ""
	}
	return m.server.ClientURL()
}

func (m *Main) banner() {
	var b strings.Builder
	fmt.Fprintf(&b, "cbec is running\n")
	fmt.Fprintf(&b, "  HTTP:      %s  (API under /v1, /healthz, /readyz, /metrics)\n", m.HTTPURL())
	switch {
	case m.server == nil:
		fmt.Fprintf(&b, "  NATS:      %s  (external)\n", m.Config.NATSURL)
	case m.NATSURL() == "":
		fmt.Fprintf(&b, "  NATS:      embedded, in-process only\n")
	default:
		fmt.Fprintf(&b, "  NATS:      %s  (embedded, JetStream; parties connect with their API key as token)\n", m.NATSURL())
	}
	if m.server != nil {
		dir, _ := filepath.Abs(m.Config.DataDir)
		fmt.Fprintf(&b, "  data dir:  %s\n", dir)
	}
	fmt.Fprintf(&b, "  services:  %s\n", strings.Join(m.Config.Services, ", "))
	if slices.Contains(m.Config.Services, "gateway") {
		if m.Config.SigningCert != "" {
			fmt.Fprintf(&b, "  receipts:  XML receipts signed (%s), in DxpMsg envelopes\n", m.Config.SigningCert)
		} else {
			fmt.Fprintf(&b, "  receipts:  UNSIGNED; start with --signing-key and --signing-cert to sign them (docs/signatures.md)\n")
		}
	}
	if m.Config.DevClock {
		fmt.Fprintf(&b, "  dev clock: on (POST /v1/admin/clock with an operator key)\n")
	}
	if m.demo {
		fmt.Fprintf(&b, "  parties:   embedded demo file deploy/parties.yaml (SAMPLE DATA); demo API keys:\n")
		for _, k := range deploy.DemoKeys() {
			fmt.Fprintf(&b, "    %-20s %-11s %s\n", k.Key, k.Code, k.Role)
		}
	} else {
		fmt.Fprintf(&b, "  parties:   %s\n", m.Config.Parties)
	}
	_, _ = io.WriteString(m.stdout, b.String())
}

// Close shuts down in order: stop HTTP intake, stop the services (NATS
// intake first, then drain the consumers so messages in hand finish), drain
// the connection (flushing what was published), stop the embedded server.
// A document acknowledged before Close is on disk; one not yet acknowledged
// was never accepted.
func (m *Main) Close(ctx context.Context) error {
	var errs []error
	m.ready.Store(false)
	if m.stopRules != nil {
		m.stopRules()
	}
	if m.httpSrv != nil {
		errs = append(errs, m.httpSrv.Shutdown(ctx))
	}
	for i := len(m.services) - 1; i >= 0; i-- {
		if err := m.services[i].Stop(ctx); err != nil {
			errs = append(errs, fmt.Errorf("stop %s: %w", m.services[i].Name(), err))
		}
	}
	if m.nc != nil {
		if err := m.nc.Drain(); err != nil {
			m.nc.Close()
		}
		for m.nc.IsDraining() && ctx.Err() == nil {
			time.Sleep(5 * time.Millisecond)
		}
	}
	for _, nc := range m.conns {
		if err := nc.Drain(); err != nil {
			nc.Close()
		}
	}
	for _, nc := range m.conns {
		for nc.IsDraining() && ctx.Err() == nil {
			time.Sleep(5 * time.Millisecond)
		}
	}
	if m.server != nil {
		m.server.Shutdown()
		m.server.WaitForShutdown()
	}
	if m.unlock != nil {
		m.unlock()
	}
	return errors.Join(errs...)
}

// readStreams are the streams the services of a process may read, in the
// catalogue's order: the ones whose size and consumers its /metrics
// reports. Asking for another would be a permissions violation at every
// scrape of a process running a few services as their own NATS user.
func readStreams(services []string) []string {
	var grants []broker.Grant
	for _, name := range services {
		if g, ok := broker.GrantOf(name); ok {
			grants = append(grants, g)
		}
	}
	u := broker.Union("", grants...)
	var out []string
	for _, sc := range broker.Streams(broker.Options{}) {
		if slices.Contains(u.Read, sc.Name) || slices.Contains(u.Write, sc.Name) {
			out = append(out, sc.Name)
		}
	}
	return out
}
