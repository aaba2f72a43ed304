package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultProbeURL is what `cbec probe` checks without an argument: the
// readiness of the process in the same container, on the image's
// CBEC_HTTP_ADDR port (deploy/Dockerfile).
const DefaultProbeURL = "http://127.0.0.1:8080/readyz"

// RunProbe is `cbec probe [--timeout 3s] [URL]`: one GET of URL, success
// when it answers 200. It is the health check of the cbec containers
// (docker-compose.yml): the image has no shell, curl or wget, so the binary
// checks its own process. /readyz (the default) says the services run and
// NATS with JetStream answers; /healthz only that the process serves HTTP.
func RunProbe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("cbec probe", flag.ContinueOnError)
	fs.SetOutput(stderr)
	timeout := fs.Duration("timeout", 3*time.Second, "how long to wait for the answer")
	fs.Usage = func() {
		_, _ = fmt.Fprintf(fs.Output(), "usage: cbec probe [--timeout 3s] [URL]\n\nGET URL (default %s) and exit 0 on 200, 1 otherwise: a container's health check.\n\n", DefaultProbeURL)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	target := DefaultProbeURL
	switch fs.NArg() {
	case 0:
	case 1:
		target = fs.Arg(0)
	default:
		return fmt.Errorf("probe: one URL, not %v", fs.Args())
	}
	if *timeout <= 0 {
		return fmt.Errorf("probe: --timeout %v: want a duration above 0", *timeout)
	}
	u, err := url.Parse(target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("probe: %q is not an http:// or https:// URL", target)
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return fmt.Errorf("probe: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("probe %s: no answer within %v", target, *timeout)
		}
		return fmt.Errorf("probe: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	// The answer is a word (ok, ready) or a problem document; a line of it
	// is enough for `docker inspect`'s health log.
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	line, _, _ := strings.Cut(strings.TrimSpace(string(body)), "\n")
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("probe %s: %s %s", target, resp.Status, line)
	}
	_, err = fmt.Fprintf(stdout, "%s: %s %s\n", target, resp.Status, line)
	return err
}
