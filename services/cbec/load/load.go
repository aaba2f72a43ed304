// Package load generates realistic customs traffic and sends it to a
// running cbec over its HTTP API: imports (plain, near the single limit,
// inconsistent on purpose), 9610 exports through their arrival and
// departure, and returns of released imports, each followed to its
// outcome. `cbec load` paces it (Generator); `cbec bench` drives
// declarations of the same kind as fast as cbec takes them or at fixed
// rates (Driver).
//
// Every dependent number of a document is computed with the code customs
// decides with, never a copy of a rule: the buyers' ID numbers end in
// identity.CheckCode's character, the tax is inventory.Decide's assessment
// (pkg/tax), the limits are the rules file's. The document builders that
// `cbec demo` shares (Import, Line, ExportGoods) live here too.
package load

import (
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/cbec/cbec/pkg/rules"
	"github.com/cbec/cbec/pkg/tariff"
)

// Keys are the API keys the generator submits with, one per role.
type Keys struct {
	EBP, Pay, Logistics, Agent, Warehouse string
}

// Config is what a Generator sends, where, and how fast.
type Config struct {
	// URL is the base URL of the system under load; nothing else is ever
	// contacted.
	URL string
	// Rate is the declarations (import and export) started per second.
	Rate float64
	// Duration is how long declarations are started; 0 runs until ctx ends.
	Duration time.Duration
	// Seed makes the run reproducible: buyers, goods, shares and orders.
	Seed int64
	// Batch is the most documents per request.
	Batch int
	// Buyers is the size of the buyer population.
	Buyers int
	// Keys are the API keys per role; Warehouse the registry code of the
	// return-center warehouse that receives the returned parcels.
	Keys      Keys
	Warehouse string
	// ExportShare, NearLimitShare and InconsistentShare are fractions of
	// all declarations: exports, imports sized within 5 % under the single
	// limit (risk rule R001: review), and imports with one value wrong on
	// purpose (rejected 100). ReturnShare is the fraction of the other
	// imports that the buyer returns once released.
	ExportShare, NearLimitShare, InconsistentShare, ReturnShare float64
	// Drain is how long the follow-ups (export arrivals and departures,
	// returns, decision polls) may still run once the last declaration has
	// been sent.
	Drain time.Duration
	// Report is the interval of the one-line summaries; 0 prints only the
	// final one.
	Report time.Duration
}

// Defaults is the configuration `cbec load` starts from: a cbec on this
// machine, 20 declarations a second for a minute, and the demo keys of
// deploy/parties.yaml for the Chongqing codes 1500000001…5 that
// pkg/ceb/cebtest uses, with the return-center warehouse of their zone.
func Defaults() Config {
	return Config{
		URL: "http://127.0.0.1:8080", Rate: 20, Duration: time.Minute, Seed: 1, Batch: 10, Buyers: 100000,
		Keys:        Keys{EBP: "demo-ebp", Pay: "demo-pay", Logistics: "demo-logistics-cq", Agent: "demo-agent", Warehouse: "demo-warehouse"},
		Warehouse:   "CQ-XY-RC01",
		ExportShare: 0.20, NearLimitShare: 0.05, InconsistentShare: 0.02, ReturnShare: 0.03,
		Drain: time.Minute, Report: 10 * time.Second,
	}
}

// Validate checks the configuration before anything is sent. Its messages
// name the flags of `cbec load`.
func (c Config) Validate() error {
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("--url %q: want http(s)://host[:port]", c.URL)
	}
	switch {
	case c.Rate <= 0:
		return errors.New("--rate must be positive")
	case c.Duration < 0:
		return errors.New("--duration must not be negative")
	case c.Batch < 1 || c.Batch > 100:
		return errors.New("--batch must be 1..100")
	case c.Buyers < 1:
		return errors.New("--buyers must be positive")
	case c.Drain < 0:
		return errors.New("--drain must not be negative")
	}
	for name, s := range map[string]float64{"export-share": c.ExportShare, "near-limit-share": c.NearLimitShare,
		"inconsistent-share": c.InconsistentShare, "return-share": c.ReturnShare} {
		if s < 0 || s > 1 {
			return fmt.Errorf("--%s must be within 0..1", name)
		}
	}
	if c.ExportShare+c.NearLimitShare+c.InconsistentShare > 1 {
		return errors.New("--export-share + --near-limit-share + --inconsistent-share must not exceed 1")
	}
	return nil
}

// Refs are the reference data clearance decides with: the generator draws
// its goods from the tariff, sizes declarations by the limits of the rules
// and assesses their tax with both, as inventory.Decide does.
type Refs struct {
	Tariff *tariff.Table
	Rules  *rules.Set
}
