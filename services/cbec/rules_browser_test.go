package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cbec/cbec/pkg/natstest"
	"github.com/cbec/cbec/pkg/tooltest"
)

// TestBacktestPageInBrowser signs a supervisor in at the desk in headless
// chromium, fills the backtest form with the candidate rules and a window
// around one marked declaration, and reads the report's table: R900 would
// hold that one list, which the rules in force released.
func TestBacktestPageInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped with -short")
	}
	path := tooltest.Need(t, "chromium")
	m := startMain(t, t.TempDir())
	defer func() { _ = m.Close(context.Background()) }()
	base := m.HTTPURL()
	submitDecl(t, base, buyers(t, base, "20").Buyer(1), weekDecl{orderNo: "BROWSER-MARK", mark: " BTMARK"})
	natstest.Eventually(t, 30*time.Second, func() bool { return listStatus(t, base, "BROWSER-MARK") == "800" }, "BROWSER-MARK released")

	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), chromedp.ExecPath(path), chromedp.Headless,
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(t.TempDir()))
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	defer cancelTimeout()

	now := time.Now().UTC()
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/review/login?lang=en"),
		chromedp.WaitVisible(chromedp.ID("key")),
		chromedp.SendKeys(chromedp.ID("key"), "demo-supervisor\r"),
		chromedp.WaitVisible(chromedp.ID("officer")),
		chromedp.Navigate(base+"/review/rules/backtest"),
		chromedp.WaitVisible(chromedp.ID("rules")),
		chromedp.SetValue(chromedp.ID("rules"), backtestRules(t)),
		chromedp.SetValue(chromedp.ID("from"), now.Add(-time.Hour).Format("2006-01-02T15:04")),
		chromedp.SetValue(chromedp.ID("to"), now.Add(time.Hour).Format("2006-01-02T15:04")),
		chromedp.Click(chromedp.ID("run")),
		chromedp.WaitVisible(chromedp.ID("report")),
	); err != nil {
		t.Fatalf("backtest page: %v", err)
	}
	row, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`tr.rule-row[data-rule="R900"]`)))
	if err != nil {
		t.Fatalf("R900 row: %v", err)
	}
	summary, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main > p:nth-of-type(2)")))
	if err != nil {
		t.Fatalf("summary: %v", err)
	}
	// Rule, action, would stop, released, rejected, inspected, in force,
	// added, removed, then the list.
	if got := strings.Join(strings.Fields(row), " "); !strings.HasPrefix(got, "R900 review 1 0 0 0 0 1 0 inv.1500000001.BROWSER-MARK") {
		t.Errorf("R900 row: %q", got)
	}
	if !strings.Contains(summary, "1 declarations replayed") {
		t.Errorf("summary: %q", summary)
	}
}
