package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cbec/cbec/deploy"
	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/ceb/cebtest"
	"github.com/cbec/cbec/pkg/clock"
	exportrule "github.com/cbec/cbec/pkg/export"
	"github.com/cbec/cbec/pkg/party"
	"github.com/cbec/cbec/pkg/rules"
	"github.com/cbec/cbec/pkg/tariff"
)

// The kinds of declaration `cbec demo` writes.
const (
	DemoImport = "import" // order, payment, waybill and 1210 inventory list
	DemoExport = "export" // 9610 order, receipt of payment, waybill, list, arrival, departure
	DemoReturn = "return" // the CEB625 return of the import the same flags describe
)

// DemoConfig is the configuration of `cbec demo`: what to generate and the
// values the user chose; every other number is computed from them.
type DemoConfig struct {
	// Kind is DemoImport, DemoExport or DemoReturn.
	Kind string
	// Out is the directory the files are written to; "" prints them.
	Out string
	// OrderNo names the declaration; every other number of it (guids,
	// payment serial, waybill number) derives from it.
	OrderNo string
	// Date is when the documents are dated (application, payment,
	// declaration), Asia/Shanghai on the documents.
	Date time.Time
	// BuyerID is the buyer's GB 11643 ID number: 18 characters, or its
	// first 17 digits to have the check character computed.
	BuyerID, BuyerName, BuyerPhone string
	// Prices and Qtys are the goods lines' unit prices and quantities, by
	// line (at most the fixture's two lines; fewer drop the others).
	Prices, Qtys []decimal.Decimal
	// Freight, InsuredFee and Discount are the head amounts (Discount is
	// import only).
	Freight, InsuredFee, Discount decimal.Decimal
	// Platform, Enterprise, Pay, Logistics and Agent are the parties'
	// customs codes (ebpCode, ebcCode, payCode, logisticsCode, agentCode).
	Platform, Enterprise, Pay, Logistics, Agent string
	// InvtNo is the released list's customs number (return only); Returned
	// the returned quantity by gnum, every line in full when empty.
	InvtNo   string
	Returned map[int]decimal.Decimal
	// Tariff, Rules and Export are reference files as clearance and export
	// take them ("" for the embedded ones).
	Tariff, Rules, Export string
}

// ParseDemoConfig reads the flags of `cbec demo`; now is the default date.
func ParseDemoConfig(args []string, now time.Time, stderr io.Writer) (DemoConfig, error) {
	c := DemoConfig{Date: now}
	fs := flag.NewFlagSet("cbec demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.Kind, "kind", DemoImport, "what to write: import (order, payment, waybill, inventory list), export (9610, to the departure) or return (CEB625 of the import these flags describe)")
	fs.StringVar(&c.Out, "out", "", "directory to write the JSON files to (created); without it they are printed as one JSON object")
	fs.StringVar(&c.OrderNo, "order-no", "", "order number, a new one per declaration (default DEMO-<date and time>)")
	fs.Func("date", "date of the documents, RFC 3339 (default now)", func(s string) error {
		t, err := time.Parse(time.RFC3339, s)
		c.Date = t
		return err
	})
	fs.StringVar(&c.BuyerID, "buyer-id", cebtest.BuyerIDNumber, "buyer's ID number: 18 characters, or the first 17 digits and the check character is computed")
	fs.StringVar(&c.BuyerName, "buyer-name", cebtest.BuyerName, "buyer's name (also payer and consignee)")
	fs.StringVar(&c.BuyerPhone, "buyer-phone", cebtest.BuyerTelephone, "buyer's telephone")
	fs.Func("price", "unit prices of the goods lines, comma-separated (default the demo's 198.00,168.00 CNY; export 25.00,5.00 USD)", decimalsFlag(&c.Prices))
	fs.Func("qty", "quantities of the goods lines, comma-separated (default 2,1; export 2,3)", decimalsFlag(&c.Qtys))
	c.Freight, c.InsuredFee, c.Discount = decimal.RequireFromString(cebtest.Freight), decimal.Zero, decimal.Zero
	fs.Func("freight", "freight (default 10.00; export 8.00)", decimalFlag(&c.Freight))
	fs.Func("insured-fee", "insurance (default 0)", decimalFlag(&c.InsuredFee))
	fs.Func("discount", "discount the platform grants (import, default 0)", decimalFlag(&c.Discount))
	fs.StringVar(&c.Platform, "platform", cebtest.EbpCode, "e-commerce platform's code (ebpCode)")
	fs.StringVar(&c.Enterprise, "enterprise", cebtest.EbcCode, "e-commerce enterprise's code (ebcCode; the consignor of an export)")
	fs.StringVar(&c.Pay, "pay", cebtest.PayCode, "payment company's code (payCode)")
	fs.StringVar(&c.Logistics, "logistics", cebtest.LogisticsCode, "logistics company's code (logisticsCode)")
	fs.StringVar(&c.Agent, "agent", cebtest.AgentCode, "declaring agent's code (agentCode)")
	fs.StringVar(&c.InvtNo, "invt-no", "", "return: the released list's customs number (invtNo of its CEB622 120 receipt)")
	fs.Func("return", "return: returned quantities as gnum:qty, comma-separated (default every line in full)", returnedFlag(&c.Returned))
	fs.StringVar(&c.Tariff, "tariff", "", "tariff CSV clearance runs with (default the embedded deploy/tariff.csv)")
	fs.StringVar(&c.Rules, "rules", "", "rules YAML clearance runs with (default the embedded deploy/rules.yaml)")
	fs.StringVar(&c.Export, "export", "", "export reference data export runs with (default the embedded deploy/export.yaml)")
	fs.Usage = func() {
		_, _ = fmt.Fprint(fs.Output(), `usage: cbec demo [--kind import|export|return] [--out DIR] [flags]

Writes a fresh, consistent declaration: change one value and every number
that depends on it (line totals, goods value, the tax, what was paid, the
check character of the buyer's ID, weights, dates) is computed again with
the code clearance and export decide with. It says what customs will
decide and how to post the files with the demo keys.

`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	switch c.Kind {
	case DemoImport, DemoReturn:
	case DemoExport:
		// The export fixture's own default freight (USD) unless chosen.
		if !flagSet(fs, "freight") {
			c.Freight = decimal.RequireFromString(cebtest.ExportFreight)
		}
	default:
		return c, fmt.Errorf("--kind %q: want import, export or return", c.Kind)
	}
	if c.Kind == DemoReturn && c.InvtNo == "" {
		return c, errors.New("--kind return needs --invt-no, the list's customs number (invtNo of its 120 receipt)")
	}
	if c.OrderNo == "" {
		c.OrderNo = "DEMO-" + c.Date.In(clock.Shanghai).Format("20060102150405")
	}
	return c, nil
}

func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func decimalFlag(d *decimal.Decimal) func(string) error {
	return func(s string) error {
		v, err := decimal.NewFromString(s)
		if err != nil || v.IsNegative() {
			return fmt.Errorf("%q is not an amount", s)
		}
		*d = v
		return nil
	}
}

func decimalsFlag(ds *[]decimal.Decimal) func(string) error {
	return func(s string) error {
		*ds = nil
		for _, part := range strings.Split(s, ",") {
			var v decimal.Decimal
			if err := decimalFlag(&v)(strings.TrimSpace(part)); err != nil {
				return err
			}
			*ds = append(*ds, v)
		}
		return nil
	}
}

func returnedFlag(m *map[int]decimal.Decimal) func(string) error {
	return func(s string) error {
		*m = map[int]decimal.Decimal{}
		for _, part := range strings.Split(s, ",") {
			g, q, ok := strings.Cut(strings.TrimSpace(part), ":")
			n, err := strconv.Atoi(g)
			var qty decimal.Decimal
			if !ok || err != nil || decimalFlag(&qty)(q) != nil {
				return fmt.Errorf("%q: want gnum:qty", part)
			}
			(*m)[n] = qty
		}
		return nil
	}
}

// RunDemo is `cbec demo`: it writes (or prints) a fresh consistent
// declaration and reports what customs will decide.
func RunDemo(_ context.Context, args []string, stdout, stderr io.Writer) error {
	c, err := ParseDemoConfig(args, clock.System{}.Now(), stderr)
	if err != nil {
		return err
	}
	d, err := GenerateDemo(c)
	if err != nil {
		return err
	}
	report := stdout
	if c.Out == "" {
		// stdout carries the documents alone, so that it can be piped.
		report = stderr
		body := map[string]any{}
		for _, f := range d.Files {
			body[f.Name] = f.Doc
		}
		b, err := json.MarshalIndent(body, "", "  ")
		if err != nil {
			return err
		}
		if _, err := stdout.Write(append(b, '\n')); err != nil {
			return err
		}
	} else if err := d.write(c.Out); err != nil {
		return err
	}
	_, err = io.WriteString(report, d.report(c))
	return err
}

// DemoFile is one generated document and the request that submits it.
type DemoFile struct {
	// Name is the file name, e.g. order.json.
	Name string
	Doc  ceb.Document
	// Path is the API path it is posted to; Sender the party code whose
	// key posts it.
	Path, Sender string
}

// Demo is a generated declaration: its files and what customs will make of
// them.
type Demo struct {
	Files []DemoFile
	// Lines says what was computed and what customs will decide, one
	// statement a line.
	Lines []string
	// Decision is the status customs will give: for an import list 800,
	// 300 or 100; for an export list 120 (then 800 and 899 on arrival and
	// departure) or 100; for a return application 120 or 100.
	Decision string
}

// demoRefs are the reference data clearance and export decide with.
type demoRefs struct {
	tariff  *tariff.Table
	rules   *rules.Set
	export  *exportrule.Reference
	parties *party.Directory
}

func loadDemoRefs(c DemoConfig) (demoRefs, error) {
	var r demoRefs
	var err error
	if r.tariff, err = loadTariff(c.Tariff); err != nil {
		return r, err
	}
	if r.rules, err = loadRules(c.Rules); err != nil {
		return r, err
	}
	if r.export, err = loadExport(c.Export); err != nil {
		return r, err
	}
	r.parties, err = party.Load(bytes.NewReader(deploy.Parties))
	return r, err
}

// GenerateDemo builds the declaration c describes and checks it with the
// rules customs applies: inventory.Decide for an import (with the buyer's
// quota empty: the real ledger may hold earlier purchases), export.Check
// for an export, refund.CheckLines and refund.Restore for a return.
func GenerateDemo(c DemoConfig) (*Demo, error) {
	refs, err := loadDemoRefs(c)
	if err != nil {
		return nil, err
	}
	var d *Demo
	switch c.Kind {
	case DemoExport:
		d, err = demoExport(c, refs)
	case DemoReturn:
		d, err = demoReturn(c, refs)
	default:
		d, err = demoImport(c, refs)
	}
	if err != nil {
		return nil, err
	}
	// What the gateway would refuse is the user's value, not a decision.
	var problems []string
	for _, f := range d.Files {
		for _, e := range ceb.ValidateDocument(f.Doc, f.Name) {
			problems = append(problems, e.Error())
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("the gateway would refuse these documents: %s", strings.Join(problems, "; "))
	}
	return d, nil
}

// name returns the name of the party code: the fixture's own name
// when the code is the fixture's, else the parties file's.
func (r demoRefs) name(code, fixtureCode, fixtureName string) string {
	if code == fixtureCode {
		return fixtureName
	}
	if p, ok := r.parties.ByCode(code); ok && p.Name != "" {
		return p.Name
	}
	return "示例企业 " + code
}

// write writes the files into dir, which it creates.
func (d *Demo) write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, f := range d.Files {
		b, err := json.MarshalIndent(f.Doc, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, f.Name), append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// report is the text that says what was computed, what customs will do
// and how to post the files with the demo keys.
func (d *Demo) report(c DemoConfig) string {
	var b strings.Builder
	where := c.Out
	if where == "" {
		where = "stdout"
	}
	fmt.Fprintf(&b, "cbec demo: %s %s, %d file(s) to %s\n", c.Kind, c.OrderNo, len(d.Files), where)
	for _, l := range d.Lines {
		fmt.Fprintf(&b, "  %s\n", l)
	}
	dir := c.Out
	if dir == "" {
		dir = "DIR"
	}
	fmt.Fprintf(&b, "post them (a running cbec, demo keys):\n")
	for _, f := range d.Files {
		fmt.Fprintf(&b, "  curl -s -X POST localhost:8080%s -H 'Authorization: Bearer %s' -H 'Content-Type: application/json' --data-binary @%s\n",
			f.Path, demoKey(f.Sender), filepath.Join(dir, f.Name))
	}
	if c.Kind == DemoExport {
		fmt.Fprintf(&b, "  (the arrival once the list is 120, the departure once it is 800)\n")
	}
	return b.String()
}

// demoKey is the demo API key of the party code, or a placeholder.
func demoKey(code string) string {
	for _, k := range deploy.DemoKeys() {
		if k.Code == code {
			return k.Key
		}
	}
	return "<API key of " + code + ">"
}
