package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cbec/cbec/pkg/tooltest"
)

// The README's walk-throughs, each run as it is written: its sh block is
// taken from README.md and run with bash and curl from the repository
// root, against a whole cbec (real embedded NATS) that the test starts, on
// a port of its own instead of the README's 8080, with the development
// clock where the walk-through moves time. Each test then checks what the
// README says the reader will see: the claims in the block's comments
// against what the block printed.

// readmeBlock returns the first sh block after the README heading (a line
// "## heading" or "### heading").
func readmeBlock(t *testing.T, heading string) string {
	t.Helper()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile("(?s)\n#{2,3} " + regexp.QuoteMeta(heading) + "\n.*?```sh\n(.*?)```").FindSubmatch(readme)
	if block == nil {
		t.Fatalf("README has no sh block under %q", heading)
	}
	return string(block[1])
}

// cbecWrapper returns an executable that is cbec: this test binary with
// its arguments in CBEC_TEST_CHILD_ARGS (see TestMain), for the blocks'
// CBEC variable.
func cbecWrapper(t *testing.T) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	wrapper := filepath.Join(t.TempDir(), "cbec")
	if err := os.WriteFile(wrapper, []byte("#!/bin/sh\n"+
		"args=$(printf '%s\\037' \"$@\")\n"+
		childArgs+"=\"${args%?}\" exec "+exe+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return wrapper
}

// walkThrough runs script as a reader's shell would (bash, stopping at the
// first failing command, but without pipefail, as interactively), from the
// repository root, with the README's localhost:8080 replaced by addr and
// the official samples found where sharedDir finds them; it returns what
// the script printed and fails the test if it fails or runs over 90 s.
func walkThrough(t *testing.T, script, addr string) string {
	t.Helper()
	curl := tooltest.Need(t, "curl")
	script = strings.ReplaceAll(script, "localhost:8080", addr)
	if shared := os.Getenv("CBEC_SHARED"); shared != "" {
		script = strings.ReplaceAll(script, "S=../shared/", "S="+shared+"/")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-eu", "-c", script)
	// The script and whatever it starts in the background (the signed
	// walk-through's cbec) form a process group of their own, all ended
	// when the script overruns, so that nothing outlives the test.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(), "CBEC="+cbecWrapper(t), "PATH="+filepath.Dir(curl)+":"+os.Getenv("PATH"))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Start()
	if err == nil {
		// A script that failed half-way may have left its background
		// cbec running.
		defer func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }()
		err = cmd.Wait()
	}
	if err != nil {
		t.Fatalf("the walk-through failed: %v\n%s", err, out.String())
	}
	return out.String()
}

// startWalkThrough starts a whole cbec for a walk-through and returns its
// host:port.
func startWalkThrough(t *testing.T, extra ...string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a whole cbec (-short)")
	}
	m := startMain(t, t.TempDir(), extra...)
	t.Cleanup(func() { _ = m.Close(context.Background()) })
	u, err := url.Parse(m.HTTPURL())
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

// claim is something the README's block says the reader will see, in the
// README's words, and how it shows in the block's output.
type claim struct{ readme, output string }

// checkClaims fails the test for a claim the block does not make or its
// output does not bear out.
func checkClaims(t *testing.T, block, out string, claims []claim) {
	t.Helper()
	for _, c := range claims {
		if !strings.Contains(block, c.readme) {
			t.Errorf("the README no longer says %q", c.readme)
		}
		if !strings.Contains(out, c.output) {
			t.Errorf("the README says %q, but the output lacks %q:\n%s", c.readme, c.output, out)
		}
	}
}

// printedReceipt is one receipt of a page the walk-through printed.
type printedReceipt struct {
	GUID, ReturnStatus, ReturnInfo, SumNo string
}

// printedReceipts returns the receipts of msgType on the last receipts
// page of that type that out holds, in order.
func printedReceipts(t *testing.T, out, msgType string) []printedReceipt {
	t.Helper()
	var last []printedReceipt
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var page struct {
			Receipts []struct {
				MsgType string `json:"msgType"`
				Receipt struct {
					GUID         string `json:"guid"`
					ReturnStatus string `json:"returnStatus"`
					ReturnInfo   string `json:"returnInfo"`
					SumNo        string `json:"sumNo"`
				} `json:"receipt"`
			} `json:"receipts"`
		}
		if !strings.HasPrefix(sc.Text(), `{"receipts":`) || json.Unmarshal(sc.Bytes(), &page) != nil ||
			len(page.Receipts) == 0 || page.Receipts[0].MsgType != msgType {
			continue
		}
		last = last[:0]
		for _, r := range page.Receipts {
			last = append(last, printedReceipt{r.Receipt.GUID, r.Receipt.ReturnStatus, r.Receipt.ReturnInfo, r.Receipt.SumNo})
		}
	}
	if len(last) == 0 {
		t.Fatalf("the walk-through printed no %s receipts:\n%s", msgType, out)
	}
	return last
}

func statuses(rs []printedReceipt) string {
	var s []string
	for _, r := range rs {
		s = append(s, r.ReturnStatus)
	}
	return strings.Join(s, ",")
}

// TestSamplesWalkThrough runs the README's "Walk-through with curl": the
// four official import samples, two placeholders corrected, each accepted
// as the README says (6 identical orders, the payments, the waybill, the
// lists).
func TestSamplesWalkThrough(t *testing.T) {
	addr := startWalkThrough(t)
	_ = sharedDir(t) // the samples must be there
	out := walkThrough(t, readmeBlock(t, "Walk-through with curl"), addr)
	accepted := regexp.MustCompile(`"accepted":(\d+)`).FindAllStringSubmatch(out, -1)
	var got []string
	for _, a := range accepted {
		got = append(got, a[1])
	}
	if strings.Join(got, ",") != "6,10,1,5" {
		t.Fatalf("accepted per sample %v, want 6,10,1,5:\n%s", got, out)
	}
}

// TestImportWalkThrough runs "A declaration from order to release": the
// demo's four documents released (2, 120, 399, 800) with the tax the
// README names.
func TestImportWalkThrough(t *testing.T) {
	addr := startWalkThrough(t)
	block := readmeBlock(t, "A declaration from order to release")
	out := walkThrough(t, block, addr)
	if got := statuses(printedReceipts(t, out, "CEB622")); got != "2,120,399,800" {
		t.Fatalf("CEB622 receipts %s, want 2,120,399,800:\n%s", got, out)
	}
	checkClaims(t, block, out, []claim{
		{"valueAddedTax 52.23", `"valueAddedTax":"52.23"`},
		{"customsTax 0.00", `"customsTax":"0.00"`},
	})
}

// TestDemoWalkThrough runs "A declaration of your own": cbec demo with
// another price, quantities, freight and a buyer ID of 17 digits, its
// report as the README quotes it, and the declaration released.
func TestDemoWalkThrough(t *testing.T) {
	addr := startWalkThrough(t)
	block := readmeBlock(t, "A declaration of your own: `cbec demo`")
	out := walkThrough(t, block, addr)
	checkClaims(t, block, out, []claim{
		{"dutiable value 562.20 = goods 549.70 + freight 12.50 + insurance 0; tax 51.16 (cbec: ",
			"dutiable value 562.20 = goods 549.70 + freight 12.50 + insurance 0; tax 51.16 (cbec: "},
		{"acturalPaid = amountPaid = goods 549.70 + freight 12.50 + tax 51.16 − discount 0 = 613.36",
			"acturalPaid = amountPaid = goods 549.70 + freight 12.50 + tax 51.16 − discount 0 = 613.36"},
		{"buyer 110*************2X", "buyer 110*************2X"},
		{"customs will release it: 2, 120, 399, 800", "customs will release it: 2, 120, 399, 800"},
	})
	if !regexp.MustCompile(`DEMO-\d+ released`).MatchString(out) {
		t.Fatalf("the generated declaration was not released:\n%s", out)
	}
}

// TestReturnWalkThrough runs "Returns" with the development clock: the
// purchase released on day 0, the return of line 1 applied for on day 30
// (2, 120), arrived and sorted on day 45 (399) with the quota and tax the
// README names given back, and line 2 applied for on day 45, too late
// (2, 100 -902003).
func TestReturnWalkThrough(t *testing.T) {
	addr := startWalkThrough(t, "--dev-clock")
	block := readmeBlock(t, "Returns")
	out := walkThrough(t, block, addr)
	rs := printedReceipts(t, out, "CEB626")
	if got := statuses(rs); got != "2,120,399,2,100" {
		t.Fatalf("CEB626 receipts %s, want 2,120,399,2,100:\n%s", got, out)
	}
	if rs[0].GUID == rs[3].GUID || rs[3].GUID != rs[4].GUID {
		t.Fatalf("want the first three receipts for one return, the last two for another: %+v", rs)
	}
	if !strings.HasPrefix(rs[4].ReturnInfo, "-902003") {
		t.Fatalf("the late application's receipt says %q, want -902003", rs[4].ReturnInfo)
	}
	checkClaims(t, block, out, []claim{
		{"send the goods by 2025-04-24", "send the goods by 2025-04-24"},
		{"restored value 403.02", `"restored":{"lines":[{"gnum":1,"qty":"2","value":"403.02"`},
		{"tax 36.67 (not levied)", `"tax":"36.67"`},
		{"taxAssessed 52.23, taxNotLevied 36.67, taxDue 15.56", `"taxAssessed":"52.23","taxNotLevied":"36.67","taxDue":"15.56"`},
		{"the application was due by the end of 2025-04-09", "due by the end of 2025-04-09"},
	})
}

// TestExportWalkThrough runs "Export" and then, in the same shell, "The
// month's summary", with the development clock and a quick sweep: the
// list accepted, released on arrival and closed on departure
// (2, 120, 800, 899), then the March summary due and declared (CEB702 120
// with its number, the CEB792 result).
func TestExportWalkThrough(t *testing.T) {
	addr := startWalkThrough(t, "--dev-clock", "--sweep-interval", "200ms")
	export, summary := readmeBlock(t, "Export"), readmeBlock(t, "The month's summary")
	out := walkThrough(t, export+summary, addr)
	for _, step := range []string{"list 120\n", "list 800\n", "list 899\n"} {
		if !strings.Contains(out, step) {
			t.Fatalf("the export never printed %q:\n%s", step, out)
		}
	}
	if got := statuses(printedReceipts(t, out, "CEB604")); got != "2,120,800,899" {
		t.Fatalf("CEB604 receipts %s, want 2,120,800,899:\n%s", got, out)
	}
	declared := printedReceipts(t, out, "CEB702")
	if len(declared) != 1 || declared[0].ReturnStatus != "120" || declared[0].SumNo == "" {
		t.Fatalf("CEB702 %+v, want one 120 with a sumNo", declared)
	}
	if !strings.Contains(out, `"sumNo":"`+declared[0].SumNo+`"`) || !strings.Contains(out, `"status":"declared"`) {
		t.Fatalf("the summary is not declared as %s:\n%s", declared[0].SumNo, out)
	}
	checkClaims(t, export+summary, out, []claim{
		{"valueCny 467.25", `"valueCny":"467.25"`},
		{"status due, due 2025-04-16T00:00:00+08:00", `"status":"due","due":"2025-04-16T00:00:00+08:00"`},
		{"蓝牙耳机 2 × 007 359.42 CNY", `"itemName":"蓝牙耳机","qty":"2","totalPrice":"50","totalPriceCNY":"359.42"`},
		{"塑料手机壳 3 × 007 107.83 CNY", `"itemName":"塑料手机壳","qty":"3","totalPrice":"15","totalPriceCNY":"107.83"`},
		{"totalPriceCNY 467.25", `"totalPriceCNY":"467.25"`},
		{"summary of 1 list(s) in 1 group(s)", "summary of 1 list(s) in 1 group(s)"},
	})
	if rs := printedReceipts(t, out, "CEB792"); len(rs) != 1 || rs[0].GUID != "" {
		// The CEB792 is a document, not a receipt: no returnStatus, its
		// guid in its head.
		t.Fatalf("CEB792 %+v, want one summary result", rs)
	}
}

// TestSignedWalkThrough runs the README's "Signed messages" block as it is
// written, with bash and curl, with this test binary standing in for cbec
// (the CBEC variable the block honours): keygen, a parties file requiring
// signatures, an unsigned order refused, a changed one refused, a signed
// one accepted, and customs' signed receipts verified.
func TestSignedWalkThrough(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a whole cbec (-short)")
	}
	script := readmeBlock(t, "Signed messages")
	// Another port than the README's, free now, so that a cbec the reader
	// runs on 8081 does not meet this one.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	script = strings.ReplaceAll(script, "127.0.0.1:8081", addr)
	// The block itself runs with pipefail, as it always has.
	out := walkThrough(t, "set -o pipefail\n"+script, "localhost:8080")
	// The three submissions' answers, in the README's order, then the
	// verification and the count of receipts it let through.
	for _, want := range []string{"400\n400\n202\n", "signature verified: http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3", "\n1\n"} {
		if !strings.Contains(out, want) {
			t.Fatalf("output lacks %q:\n%s", want, out)
		}
	}
}
