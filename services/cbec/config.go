package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/httpapi"
	"github.com/cbec/cbec/pkg/svc"
	"github.com/cbec/cbec/pkg/webhook"
)

// DefaultMaxBacklog is the default --intake-max-backlog: 30,000 documents,
// some 7,500 declarations — 5 s of the whole system's measured throughput
// on 2 cores (1,500 declarations/s, docs/architecture.md), and under a
// minute on a machine ten times slower. A sender is told to wait rather
// than a decision being minutes late, and the backlog's memory (in the
// consumers' buffers and the stream's cache) stays small.
const DefaultMaxBacklog = 30_000

// Config is the binary's configuration: flags, each with a CBEC_* environment
// twin (CBEC_HTTP_ADDR for --http-addr); a flag given on the command line
// wins over its twin.
type Config struct {
	HTTPAddr   string
	NATSURL    string
	NATSListen string
	// NATSCreds is the credentials file of this process's NATS user with
	// --nats-url: a .creds file, an nkey seed, or one line user:password.
	NATSCreds string
	// NATSTLSCert and NATSTLSKey are the embedded listener's certificate,
	// or this process's client certificate with --nats-url.
	NATSTLSCert, NATSTLSKey string
	// NATSTLSCA verifies the external server (--nats-url).
	NATSTLSCA string
	// NATSCalloutCreds and NATSCalloutSeed make this process answer the
	// external server's auth callout: the callout user's credentials and
	// the issuer account's nkey seed (files).
	NATSCalloutCreds, NATSCalloutSeed string
	DataDir                           string
	// Sync is when the embedded server's JetStream store fsyncs: "always"
	// or an interval (broker.ParseSync); empty = broker.DefaultSync.
	Sync     string
	Services []string
	Parties  string
	Tariff   string
	Rules    string
	Zones    string
	Export   string
	DevClock bool
	// QuotaSecret keys the quota ledger's buyer HMAC (D6).
	QuotaSecret string
	// SweepInterval is how often timed sweeps run.
	SweepInterval time.Duration
	Replicas      int
	Rate          float64
	// AuthFailRate and AuthFailBurst limit failed authentications per
	// client address (failures per second, and at once).
	AuthFailRate  float64
	AuthFailBurst int
	// TradeTarget is the annual trade target in CNY for the volume metrics.
	TradeTarget float64
	// Intake bounds the gateway's backpressure (--intake-max-*).
	Intake svc.IntakeLimits
	// Webhooks configures the delivery of receipts to callback URLs
	// (--webhook-*).
	Webhooks webhook.Config
	// SigningKey and SigningCert are the PEM files of customs' key and
	// certificate that sign the receipts emitted as XML.
	SigningKey, SigningCert string
	// LogLevel is one of logLevels; empty = info.
	LogLevel string
	// LogFormat is one of logFormats; empty = text.
	LogFormat string
}

// The values --log-level and --log-format take.
var (
	logLevels  = []string{"debug", "info", "warn", "error"}
	logFormats = []string{"text", "json"}
)

// ParseConfig reads args and the environment. With -h or --help it writes
// the flags (usageRun) to out and returns flag.ErrHelp; any other error
// names the flag, the value and, for a value read from the environment,
// the variable.
func ParseConfig(args []string, getenv func(string) string, out io.Writer) (Config, error) {
	var c Config
	var services string
	fs := flag.NewFlagSet("cbec", flag.ContinueOnError)
	// The error is returned (and printed once, by main) rather than
	// followed by the whole usage: -h prints that.
	fs.SetOutput(io.Discard)
	registerFlags(fs, &c, &services)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usageRun(out, fs)
			return c, err
		}
		return c, fmt.Errorf("%w (cbec -h lists the flags)", err)
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	fromEnv := map[string]bool{}
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] {
			return
		}
		name := EnvName(f.Name)
		if v := getenv(name); v != "" {
			if err := f.Value.Set(v); err != nil && envErr == nil {
				envErr = fmt.Errorf("%s=%q: %w", name, v, err)
			}
			set[f.Name] = true
			fromEnv[f.Name] = true
		}
	})
	if envErr != nil {
		return c, envErr
	}
	if set["sync"] && c.NATSURL != "" {
		return c, errors.New("--sync applies to the embedded server; an external server syncs as its configuration says (sync_interval, deploy/nats)")
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %v (cbec help lists the commands)", fs.Args())
	}
	if services == "all" || services == "" {
		c.Services = ServiceNames()
	} else {
		for _, s := range strings.Split(services, ",") {
			s = strings.TrimSpace(s)
			if !slices.Contains(ServiceNames(), s) {
				return c, fmt.Errorf("--services: unknown service %q (have %s)", s, strings.Join(ServiceNames(), ", "))
			}
			if !slices.Contains(c.Services, s) {
				c.Services = append(c.Services, s)
			}
		}
	}
	err := c.Validate()
	// A value from the environment is named where it came from: the
	// operator looks for it in a unit or compose file, not a command line.
	var bad *badFlag
	if errors.As(err, &bad) && fromEnv[bad.flag] {
		bad.env = EnvName(bad.flag)
	}
	return c, err
}

// registerFlags defines every flag of `cbec run` on fs, bound to c;
// --services lands in services as given, for ParseConfig to check. Each
// flag's environment twin is EnvName of its name.
func registerFlags(fs *flag.FlagSet, c *Config, services *string) {
	fs.StringVar(&c.HTTPAddr, "http-addr", "127.0.0.1:8080", "HTTP listen address (host:port)")
	fs.StringVar(&c.NATSURL, "nats-url", "", "external NATS URL(s), comma-separated (nats://, tls://, ws://, wss://); empty runs an embedded server")
	fs.StringVar(&c.NATSListen, "nats-listen", "127.0.0.1:4222", "address (host:port) the embedded NATS server listens on for outside clients; port -1 = any free port; empty = in-process only")
	fs.StringVar(&c.NATSCreds, "nats-creds", "", "with --nats-url: file with this process's NATS credentials (a .creds file, an nkey seed, or one line user:password)")
	fs.StringVar(&c.NATSTLSCert, "nats-tls-cert", "", "TLS certificate file: of the embedded server's listener, or this process's client certificate with --nats-url")
	fs.StringVar(&c.NATSTLSKey, "nats-tls-key", "", "key file of --nats-tls-cert")
	fs.StringVar(&c.NATSTLSCA, "nats-tls-ca", "", "with --nats-url: CA file that verifies the NATS server (use a tls:// URL)")
	fs.StringVar(&c.NATSCalloutCreds, "nats-callout-creds", "", "with --nats-url: credentials file of the auth callout user; this process then admits parties to NATS by API key")
	fs.StringVar(&c.NATSCalloutSeed, "nats-callout-seed", "", "with --nats-callout-creds: file with the nkey seed (SA...) of the callout issuer account")
	fs.StringVar(&c.DataDir, "data-dir", "./data", "data directory of the embedded NATS server (JetStream store)")
	fs.StringVar(&c.Sync, "sync", broker.DefaultSync, "when the embedded NATS server writes JetStream to disk (fsync): always (before each 202: it survives power loss, at about a sixth of the throughput) or an interval such as 1s (a 202 survives a crash of the process; power loss may lose up to the interval); an external server's is its sync_interval")
	fs.StringVar(services, "services", "all", "services to run: all, or a comma list of "+strings.Join(ServiceNames(), ","))
	fs.StringVar(&c.Parties, "parties", "", "parties file (YAML); empty = embedded demo parties (deploy/parties.yaml)")
	fs.StringVar(&c.Tariff, "tariff", "", "tariff and positive-list file (CSV); empty = embedded sample")
	fs.StringVar(&c.Rules, "rules", "", "limits and risk rules file; empty = embedded default")
	fs.StringVar(&c.Zones, "zones", "", "zones and return-center warehouses file; empty = embedded sample")
	fs.StringVar(&c.Export, "export", "", "export reference data (currencies and rates, prohibited and simplified goods, trade modes); empty = embedded sample")
	fs.BoolVar(&c.DevClock, "dev-clock", false, "enable POST /v1/admin/clock for operators (embedded NATS only)")
	fs.StringVar(&c.QuotaSecret, "quota-secret", "", "secret of the quota ledger's buyer HMAC; required with --nats-url (all processes share it); empty with the embedded server = a random secret kept in the data directory")
	fs.DurationVar(&c.SweepInterval, "sweep-interval", 30*time.Second, "how often timed sweeps run (incomplete declarations, expired returns); a positive duration")
	fs.IntVar(&c.Replicas, "replicas", 1, "replicas of every stream and bucket, 1..5 (3 on a NATS cluster)")
	fs.Float64Var(&c.TradeTarget, "trade-target", 70e9, "annual cross-border e-commerce trade target in CNY, shown against the year's value (default: Chongqing's 2025 goal)")
	fs.Float64Var(&c.Rate, "rate", 0, "HTTP requests per second allowed to one party; 0 = unlimited")
	fs.Float64Var(&c.AuthFailRate, "auth-fail-rate", httpapi.DefaultAuthFailRate, "failed authentications per second allowed to one client address (the connection's, X-Forwarded-For is not trusted) before 429; 0 = unlimited")
	fs.IntVar(&c.AuthFailBurst, "auth-fail-burst", httpapi.DefaultAuthFailBurst, "failed authentications one client address may make at once before --auth-fail-rate applies")
	fs.Int64Var(&c.Intake.MaxBacklog, "intake-max-backlog", DefaultMaxBacklog, "documents waiting for clearance, returns or export past which intake answers 503 with Retry-After, until below 80 %; 0 = no bound")
	fs.Int64Var(&c.Intake.MaxStreamBytes, "intake-max-stream-bytes", 0, "bytes of CEB_IN past which intake answers 503, until below 80 %; 0 = no bound")
	fs.Int64Var(&c.Intake.MaxStreamMsgs, "intake-max-stream-msgs", 0, "documents in CEB_IN past which intake answers 503, until below 80 %; 0 = no bound")
	fs.BoolVar(&c.Webhooks.Policy.AllowHTTP, "webhook-allow-http", false, "admit http:// webhook URLs (development); otherwise https only")
	fs.BoolVar(&c.Webhooks.Policy.AllowPrivate, "webhook-allow-private", false, "admit webhook URLs on loopback, private and link-local addresses (development); otherwise refused at registration and at each connection")
	fs.DurationVar(&c.Webhooks.Timeout, "webhook-timeout", webhook.DefaultTimeout, "bound of one webhook delivery attempt, connection included")
	fs.DurationVar(&c.Webhooks.Retry.Base, "webhook-retry-base", webhook.DefaultRetry.Base, "wait after a webhook delivery's first failure; it doubles with each further failure")
	fs.DurationVar(&c.Webhooks.Retry.Max, "webhook-retry-max", webhook.DefaultRetry.Max, "longest wait between attempts of a failing webhook delivery")
	fs.DurationVar(&c.Webhooks.Retry.For, "webhook-retry-for", webhook.DefaultRetry.For, "how long a failing webhook endpoint is retried before it is blocked, until an operator unblocks it")
	fs.StringVar(&c.SigningKey, "signing-key", "", "PEM private key (SM2, or RSA for legacy receivers) that signs every receipt emitted as XML, in a signed DxpMsg envelope (docs/signatures.md); empty = receipts unsigned")
	fs.StringVar(&c.SigningCert, "signing-cert", "", "PEM certificate of --signing-key, carried in each signature")
	fs.StringVar(&c.LogLevel, "log-level", "info", "log level: "+strings.Join(logLevels, ", "))
	fs.StringVar(&c.LogFormat, "log-format", "text", "log format on stderr: "+strings.Join(logFormats, ", ")+" (one JSON object a line)")
}

// EnvName is the environment twin of a flag: http-addr → CBEC_HTTP_ADDR.
func EnvName(flagName string) string {
	return "CBEC_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// Validate checks the configuration before anything starts: each value on
// its own (checkValues), then the flags that go together or exclude each
// other, then that the files named exist.
func (c Config) Validate() error {
	if err := c.checkValues(); err != nil {
		return err
	}
	if c.NATSURL == "" && c.DataDir == "" {
		return errors.New("--data-dir is required with the embedded NATS server")
	}
	if c.DevClock && c.NATSURL != "" {
		return errors.New("--dev-clock is refused with an external NATS (--nats-url): it would move only this process's clock")
	}
	if c.NATSURL == "" && c.Replicas != 1 {
		return fmt.Errorf("--replicas %d needs a NATS cluster (--nats-url); the embedded server is one node", c.Replicas)
	}
	if c.NATSURL != "" && c.QuotaSecret == "" && (slices.Contains(c.Services, "clearance") || slices.Contains(c.Services, "returns")) {
		return errors.New("--quota-secret is required with --nats-url: every clearance and returns process must name buyers alike")
	}
	if c.NATSURL == "" && (c.NATSCreds != "" || c.NATSTLSCA != "" || c.NATSCalloutCreds != "") {
		return errors.New("--nats-creds, --nats-tls-ca and --nats-callout-creds need --nats-url: the embedded server makes its own credentials")
	}
	if (c.SigningKey == "") != (c.SigningCert == "") {
		return errors.New("--signing-key and --signing-cert go together")
	}
	if (c.NATSTLSCert == "") != (c.NATSTLSKey == "") {
		return errors.New("--nats-tls-cert and --nats-tls-key go together")
	}
	if c.NATSURL == "" && c.NATSTLSCert != "" && c.NATSListen == "" {
		return errors.New("--nats-tls-cert needs a listener (--nats-listen)")
	}
	if (c.NATSCalloutCreds == "") != (c.NATSCalloutSeed == "") {
		return errors.New("--nats-callout-creds and --nats-callout-seed go together")
	}
	for flagName, path := range map[string]string{"parties": c.Parties, "tariff": c.Tariff, "rules": c.Rules, "zones": c.Zones, "export": c.Export,
		"nats-creds": c.NATSCreds, "nats-tls-cert": c.NATSTLSCert, "nats-tls-key": c.NATSTLSKey, "nats-tls-ca": c.NATSTLSCA,
		"nats-callout-creds": c.NATSCalloutCreds, "nats-callout-seed": c.NATSCalloutSeed} {
		if path == "" {
			continue
		}
		if _, err := os.Stat(path); err != nil {
			return fmt.Errorf("--%s: %w", flagName, err)
		}
	}
	return nil
}

// badFlag is a flag value refused on its own: the error names the flag, the
// value and what the flag takes.
type badFlag struct {
	flag, value, want string
	// env is the environment variable the value came from, if it did.
	env string
}

func (e *badFlag) Error() string {
	from := ""
	if e.env != "" {
		from = " (from " + e.env + ")"
	}
	return fmt.Sprintf("--%s %q%s: %s", e.flag, e.value, from, e.want)
}

// checkValues checks every flag's value on its own, in the order of
// registerFlags.
func (c Config) checkValues() error {
	bad := func(flag, value, want string) error { return &badFlag{flag: flag, value: value, want: want} }
	num := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	if err := checkHostPort("http-addr", c.HTTPAddr); err != nil {
		return err
	}
	if c.NATSURL != "" {
		if err := checkNATSURLs(c.NATSURL); err != nil {
			return err
		}
	}
	// Port -1 asks the embedded server for a free port, as nats-server
	// reads it (the tests' way to run many at once).
	if c.NATSListen != "" && !strings.HasSuffix(c.NATSListen, ":-1") {
		if err := checkHostPort("nats-listen", c.NATSListen); err != nil {
			return err
		}
	}
	if c.Sync != "" {
		if _, _, err := broker.ParseSync(c.Sync); err != nil {
			return bad("sync", c.Sync, "want "+broker.SyncAlways+" or a positive duration such as 1s or 2m")
		}
	}
	switch {
	case c.SweepInterval <= 0:
		return bad("sweep-interval", c.SweepInterval.String(), "want a positive duration such as 30s")
	case c.Replicas < 1 || c.Replicas > 5:
		return bad("replicas", strconv.Itoa(c.Replicas), "want 1..5")
	case !finite(c.TradeTarget) || c.TradeTarget <= 0:
		return bad("trade-target", num(c.TradeTarget), "want a positive amount in CNY")
	case !finite(c.Rate) || c.Rate < 0:
		return bad("rate", num(c.Rate), "want requests per second, 0 (unlimited) or more")
	case !finite(c.AuthFailRate) || c.AuthFailRate < 0:
		return bad("auth-fail-rate", num(c.AuthFailRate), "want failures per second, 0 (unlimited) or more")
	case c.AuthFailRate > 0 && c.AuthFailBurst < 1:
		return bad("auth-fail-burst", strconv.Itoa(c.AuthFailBurst), "want 1 or more")
	case c.Intake.MaxBacklog < 0:
		return bad("intake-max-backlog", strconv.FormatInt(c.Intake.MaxBacklog, 10), "want 0 (no bound) or more")
	case c.Intake.MaxStreamBytes < 0:
		return bad("intake-max-stream-bytes", strconv.FormatInt(c.Intake.MaxStreamBytes, 10), "want 0 (no bound) or more")
	case c.Intake.MaxStreamMsgs < 0:
		return bad("intake-max-stream-msgs", strconv.FormatInt(c.Intake.MaxStreamMsgs, 10), "want 0 (no bound) or more")
	case c.Webhooks.Timeout <= 0:
		return bad("webhook-timeout", c.Webhooks.Timeout.String(), "want a positive duration such as 10s")
	case c.Webhooks.Retry.Base <= 0:
		return bad("webhook-retry-base", c.Webhooks.Retry.Base.String(), "want a positive duration such as 1s")
	case c.Webhooks.Retry.Max < c.Webhooks.Retry.Base:
		return bad("webhook-retry-max", c.Webhooks.Retry.Max.String(), "want a duration no shorter than --webhook-retry-base "+c.Webhooks.Retry.Base.String())
	case c.Webhooks.Retry.For <= 0:
		return bad("webhook-retry-for", c.Webhooks.Retry.For.String(), "want a positive duration such as 24h")
	case c.LogLevel != "" && !slices.Contains(logLevels, strings.ToLower(c.LogLevel)):
		return bad("log-level", c.LogLevel, "want "+strings.Join(logLevels, ", "))
	case c.LogFormat != "" && !slices.Contains(logFormats, strings.ToLower(c.LogFormat)):
		return bad("log-format", c.LogFormat, "want "+strings.Join(logFormats, " or "))
	}
	return nil
}

// checkHostPort checks a listen address: host:port with a numeric port,
// the host possibly empty (every interface).
func checkHostPort(flag, addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err == nil {
		_, err = strconv.ParseUint(port, 10, 16)
	}
	if err != nil {
		return &badFlag{flag: flag, value: addr, want: "want host:port, such as 127.0.0.1:8080 or :8080"}
	}
	return nil
}

// checkNATSURLs checks --nats-url: URLs separated by commas, each with a
// host and the scheme nats, tls, ws or wss (nats when left out, as the NATS
// client reads it). A password in a URL is not repeated in the error.
func checkNATSURLs(urls string) error {
	for _, s := range strings.Split(urls, ",") {
		s = strings.TrimSpace(s)
		full := s
		if !strings.Contains(full, "://") {
			full = "nats://" + full
		}
		u, err := url.Parse(full)
		if err == nil && u.Port() != "" {
			_, err = strconv.ParseUint(u.Port(), 10, 16)
		}
		if err != nil || !slices.Contains([]string{"nats", "tls", "ws", "wss"}, u.Scheme) || u.Hostname() == "" {
			return &badFlag{flag: "nats-url", value: withoutUserinfo(s), want: "want nats://host:port (or tls://, ws://, wss://), several separated by commas"}
		}
	}
	return nil
}

// withoutUserinfo hides what precedes '@' in a URL: a user and password.
func withoutUserinfo(s string) string {
	at := strings.LastIndex(s, "@")
	if at < 0 {
		return s
	}
	start := 0
	if i := strings.Index(s, "://"); i >= 0 && i < at {
		start = i + len("://")
	}
	return s[:start] + "***" + s[at:]
}
