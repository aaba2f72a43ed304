package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/cbec/cbec/services/cbec/load"
)

// LoadConfig is the configuration of `cbec load` (the generator's).
type LoadConfig = load.Config

// LoadKeys are the API keys `cbec load` submits with, one per role.
type LoadKeys = load.Keys

// LoadStats counts what a `cbec load` run did.
type LoadStats = load.Stats

// ParseLoadConfig reads the flags of `cbec load`; each defaults to
// load.Defaults.
func ParseLoadConfig(args []string, stderr io.Writer) (LoadConfig, error) {
	c := load.Defaults()
	d := c
	fs := flag.NewFlagSet("cbec load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.URL, "url", d.URL, "base URL of the cbec HTTP API; the only address contacted")
	fs.Float64Var(&c.Rate, "rate", d.Rate, "declarations (import and export) per second")
	fs.DurationVar(&c.Duration, "duration", d.Duration, "how long to send declarations; 0 = until interrupted")
	fs.Int64Var(&c.Seed, "seed", d.Seed, "seed of buyers, goods and shares (the same seed gives the same traffic)")
	fs.IntVar(&c.Batch, "batch", d.Batch, "documents per request (1..100)")
	fs.IntVar(&c.Buyers, "buyers", d.Buyers, "number of distinct buyers")
	fs.StringVar(&c.Keys.EBP, "ebp-key", d.Keys.EBP, "API key of the platform 1500000001 (orders)")
	fs.StringVar(&c.Keys.Pay, "pay-key", d.Keys.Pay, "API key of the payment company 1500000003 (payments, receipts of payment)")
	fs.StringVar(&c.Keys.Logistics, "logistics-key", d.Keys.Logistics, "API key of the logistics company 1500000004 (waybills, arrivals, departures)")
	fs.StringVar(&c.Keys.Agent, "agent-key", d.Keys.Agent, "API key of the declaring agent 1500000005 (inventory lists, returns)")
	fs.StringVar(&c.Keys.Warehouse, "warehouse-key", d.Keys.Warehouse, "API key of the return-center warehouse operator")
	fs.StringVar(&c.Warehouse, "warehouse", d.Warehouse, "registry code of the return-center warehouse of the lists' zone")
	fs.Float64Var(&c.ExportShare, "export-share", d.ExportShare, "share of declarations that are 9610 exports")
	fs.Float64Var(&c.NearLimitShare, "near-limit-share", d.NearLimitShare, "share of declarations near the 5,000 CNY single limit (held for review)")
	fs.Float64Var(&c.InconsistentShare, "inconsistent-share", d.InconsistentShare, "share of declarations inconsistent on purpose (rejected)")
	fs.Float64Var(&c.ReturnShare, "return-share", d.ReturnShare, "share of the other imports returned once released")
	fs.DurationVar(&c.Drain, "drain", d.Drain, "how long follow-ups (arrivals, departures, returns) may run after the last declaration")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	return c, c.Validate()
}

// RunLoad is `cbec load`: it parses args, generates traffic until the
// duration is over or ctx ends, and prints a summary every 10 s and at the
// end.
func RunLoad(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := ParseLoadConfig(args, stderr)
	if err != nil {
		return err
	}
	g, err := NewLoad(cfg, stdout)
	if err != nil {
		return err
	}
	_, err = g.Run(ctx)
	return err
}

// NewLoad returns a generator for cfg that prints its summaries to out,
// with the reference data cbec runs with by default: the embedded tariff
// and rules.
func NewLoad(cfg LoadConfig, out io.Writer) (*load.Generator, error) {
	refs, err := loadRefs()
	if err != nil {
		return nil, err
	}
	return load.New(cfg, refs, out)
}

// loadRefs are the embedded tariff and rules, as the generator's goods,
// limits and tax come from them.
func loadRefs() (load.Refs, error) {
	t, err := loadTariff("")
	if err != nil {
		return load.Refs{}, err
	}
	r, err := loadRules("")
	if err != nil {
		return load.Refs{}, err
	}
	return load.Refs{Tariff: t, Rules: r}, nil
}
