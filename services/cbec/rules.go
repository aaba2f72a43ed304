package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	rulesadmin "github.com/cbec/cbec/services/rules"
)

// DefaultAdminKey is the API key `cbec rules` sends without --key: the
// demo operator of the README's parties file.
const DefaultAdminKey = "demo-operator"

// RunRules is `cbec rules backtest --rules new.yaml --from … --to …
// [--url … --key …]`: it sends the candidate rules file and the window to
// a running cbec's POST /v1/admin/rules/backtest and prints the report as
// a table, one row per rule.
func RunRules(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("cbec rules backtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	file := fs.String("rules", "", "the candidate rules file (the --rules format)")
	from := fs.String("from", "", "start of the window, RFC 3339 (e.g. 2026-11-30T00:00:00+08:00)")
	to := fs.String("to", "", "end of the window, RFC 3339; at most 7 days after --from")
	base := fs.String("url", "http://127.0.0.1:8080", "base URL of the cbec HTTP API")
	key := fs.String("key", DefaultAdminKey, "API key of an operator or a customs supervisor")
	fs.Usage = func() {
		_, _ = fmt.Fprint(fs.Output(), "usage: cbec rules backtest --rules new.yaml --from 2026-11-30T00:00:00Z --to 2026-12-07T00:00:00Z [--url …] [--key …]\n\n"+
			"Replay the declarations of the window through the candidate rules file and the rules in force\n"+
			"(POST /v1/admin/rules/backtest; read-only) and print what each rule would hold or reject.\n\n")
		fs.PrintDefaults()
	}
	if len(args) == 0 || args[0] != "backtest" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
			fs.Usage()
			return flag.ErrHelp
		}
		return fmt.Errorf("rules: want the subcommand backtest, not %q", strings.Join(args, " "))
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("rules backtest: unexpected arguments %v", fs.Args())
	}
	if *file == "" || *from == "" || *to == "" {
		return fmt.Errorf("rules backtest: --rules, --from and --to are required")
	}
	text, err := os.ReadFile(*file)
	if err != nil {
		return fmt.Errorf("--rules: %w", err)
	}
	var req rulesadmin.BacktestRequest
	req.Rules = string(text)
	if req.From, err = time.Parse(time.RFC3339, *from); err != nil {
		return fmt.Errorf("--from %q: not an RFC 3339 time", *from)
	}
	if req.To, err = time.Parse(time.RFC3339, *to); err != nil {
		return fmt.Errorf("--to %q: not an RFC 3339 time", *to)
	}
	body, err := json.Marshal(req)
	if err != nil {
		return err
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(*base, "/")+"/v1/admin/rules/backtest", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("--url: %w", err)
	}
	hr.Header.Set("Content-Type", "application/json")
	hr.Header.Set("Authorization", "Bearer "+*key)
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		return fmt.Errorf("rules backtest: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("rules backtest: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		var p struct {
			Detail string `json:"detail"`
		}
		_ = json.Unmarshal(b, &p)
		return fmt.Errorf("rules backtest: %s: %s", resp.Status, cmp.Or(p.Detail, strings.TrimSpace(string(b))))
	}
	var rep rulesadmin.Report
	if err := json.Unmarshal(b, &rep); err != nil {
		return fmt.Errorf("rules backtest: the answer: %w", err)
	}
	return printReport(stdout, &rep)
}

// printReport writes a backtest report as a summary line and a table.
func printReport(w io.Writer, rep *rulesadmin.Report) error {
	_, _ = fmt.Fprintf(w, "backtest %s: %d declarations from %s to %s (%d incomplete left out)\n",
		rep.ID, rep.Declarations, rep.From.Format(time.RFC3339), rep.To.Format(time.RFC3339), rep.Incomplete)
	_, _ = fmt.Fprintf(w, "held or rejected: %d by the candidate, %d by the rules in force; %d by the candidate only, %d by the rules in force only\n\n",
		rep.Held, rep.HeldInForce, rep.HeldByNewOnly, rep.HeldByOldOnly)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	_, _ = fmt.Fprintln(tw, "RULE\tACTION\tWOULD STOP\tRELEASED\tREJECTED\tINSPECTED\tIN FORCE\tADDED\tREMOVED")
	for _, r := range rep.Rules {
		_, _ = fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", r.RuleID, r.Action, r.Hits, r.Released, r.Rejected, r.Inspected, r.InForce, r.Added, r.Removed)
	}
	return tw.Flush()
}
