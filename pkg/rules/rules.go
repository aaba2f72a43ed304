// Package rules loads the rules file (--rules): the dated transaction
// limits, the time windows of the import flow and the customs risk rules.
// The file is refused whole on any error, so a service never runs on a
// half-understood configuration.
//
// The package holds no file of its own: the binary passes the bytes in —
// the --rules file, or the embedded default deploy.Rules
// (deploy/rules.yaml) — so that the rules import nothing above them.
package rules

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/cbec/cbec/pkg/refdata"
	"io"
	"time"

	"github.com/cbec/cbec/pkg/clock"
	"github.com/cbec/cbec/pkg/limit"
	"github.com/cbec/cbec/pkg/risk"
	"github.com/shopspring/decimal"
)

// Windows are the time limits of the import flow.
type Windows struct {
	// IncompleteAfter is how long an inventory list may wait for its order,
	// payment or waybill before it is rejected (-901022).
	IncompleteAfter time.Duration
	// ReviewClaimTTL is how long an officer's claim on a list held for
	// review lasts before another officer may take it.
	ReviewClaimTTL time.Duration
	// ReturnApplyDays is the last calendar day after release (800) on which
	// a return application is accepted (D7).
	ReturnApplyDays int
	// ReturnArriveDays is the last calendar day after release by which
	// returned goods must arrive at the warehouse (D7).
	ReturnArriveDays int
}

// Set is a loaded rules file. It is immutable and safe for concurrent use.
type Set struct {
	Limits  *limit.Table
	Windows Windows
	Risk    *risk.Engine
	// Version is the rules version (Versioned): 0 for the file the process
	// started with.
	Version uint64
	// Text is the file as loaded.
	Text string
}

// Versioned returns s as rules version v: its risk rules stamp their hits
// with v, so that a list held for review records the rules that held it.
func (s *Set) Versioned(v uint64) *Set {
	c := *s
	c.Version, c.Risk = v, s.Risk.WithVersion(v)
	return &c
}

// file mirrors the YAML. Dates, amounts and durations are read as the raw
// scalar text so that they are parsed here, with errors that name the field,
// and so that an amount never passes through a float.
type file struct {
	Limits  []limitRow  `yaml:"limits"`
	Windows *windowsRaw `yaml:"windows"`
	Risk    []risk.Spec `yaml:"risk"`
}

type limitRow struct {
	From   string `yaml:"from"`
	Single string `yaml:"single"`
	Annual string `yaml:"annual"`
}

type windowsRaw struct {
	IncompleteAfter  string `yaml:"incompleteAfter"`
	ReturnApplyDays  *int   `yaml:"returnApplyDays"`
	ReturnArriveDays *int   `yaml:"returnArriveDays"`
	ReviewClaimTTL   string `yaml:"reviewClaimTTL"`
}

// Load reads a rules file. It is strict: an unknown key, a missing or
// invalid field, a risk rule that does not compile or whose description
// lacks its Chinese or English text refuses the file, and the error names
// the field, or the rule id and the line where the rule starts.
func Load(r io.Reader) (*Set, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("rules file: %w", err)
	}
	s, err := load(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("rules file: %w", err)
	}
	s.Text = string(b)
	return s, nil
}

func load(r io.Reader) (*Set, error) {
	var f file
	if err := refdata.Decode(r, &f); err != nil {
		return nil, err
	}

	limits, err := loadLimits(f.Limits)
	if err != nil {
		return nil, err
	}
	w, err := loadWindows(f.Windows)
	if err != nil {
		return nil, err
	}
	engine, err := risk.Compile(f.Risk)
	if err != nil {
		return nil, fmt.Errorf("risk: %w", err)
	}
	return &Set{Limits: limits, Windows: w, Risk: engine}, nil
}

func loadLimits(raw []limitRow) (*limit.Table, error) {
	if len(raw) == 0 {
		return nil, errors.New("limits: no rows")
	}
	rows := make([]limit.Row, len(raw))
	for i, lr := range raw {
		if lr.From == "" {
			return nil, fmt.Errorf("limits[%d]: no from date", i)
		}
		from, err := time.ParseInLocation(time.DateOnly, lr.From, clock.Shanghai)
		if err != nil {
			return nil, fmt.Errorf("limits[%d]: from %q is not a date YYYY-MM-DD", i, lr.From)
		}
		single, err := amount(lr.Single)
		if err != nil {
			return nil, fmt.Errorf("limits[%d] (from %s): single: %w", i, lr.From, err)
		}
		annual, err := amount(lr.Annual)
		if err != nil {
			return nil, fmt.Errorf("limits[%d] (from %s): annual: %w", i, lr.From, err)
		}
		rows[i] = limit.Row{From: from, Single: single, Annual: annual}
	}
	t, err := limit.NewTable(rows)
	if err != nil {
		return nil, fmt.Errorf("limits: %w", err)
	}
	return t, nil
}

func amount(s string) (decimal.Decimal, error) {
	if s == "" {
		return decimal.Decimal{}, errors.New("missing")
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Decimal{}, fmt.Errorf("%q is not a decimal amount", s)
	}
	return d, nil
}

func loadWindows(raw *windowsRaw) (Windows, error) {
	if raw == nil {
		return Windows{}, errors.New("windows: missing")
	}
	var w Windows
	var err error
	if w.IncompleteAfter, err = duration("incompleteAfter", raw.IncompleteAfter); err != nil {
		return Windows{}, err
	}
	if w.ReviewClaimTTL, err = duration("reviewClaimTTL", raw.ReviewClaimTTL); err != nil {
		return Windows{}, err
	}
	if w.ReturnApplyDays, err = days("returnApplyDays", raw.ReturnApplyDays); err != nil {
		return Windows{}, err
	}
	if w.ReturnArriveDays, err = days("returnArriveDays", raw.ReturnArriveDays); err != nil {
		return Windows{}, err
	}
	// The goods cannot be due at the warehouse before the return may even be
	// applied for; such a pair is a typo, not a policy.
	if w.ReturnArriveDays < w.ReturnApplyDays {
		return Windows{}, fmt.Errorf("windows: returnArriveDays %d is before returnApplyDays %d",
			w.ReturnArriveDays, w.ReturnApplyDays)
	}
	return w, nil
}

func duration(name, s string) (time.Duration, error) {
	if s == "" {
		return 0, fmt.Errorf("windows.%s: missing", name)
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("windows.%s: %q is not a duration such as 30m or 24h", name, s)
	}
	if d <= 0 {
		return 0, fmt.Errorf("windows.%s: %s is not positive", name, s)
	}
	return d, nil
}

func days(name string, n *int) (int, error) {
	if n == nil {
		return 0, fmt.Errorf("windows.%s: missing", name)
	}
	if *n <= 0 {
		return 0, fmt.Errorf("windows.%s: %d is not positive", name, *n)
	}
	return *n, nil
}
