package review_test

import (
	"context"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cbec/cbec/pkg/ceb/cebtest"
	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/inventory"
	reviewrule "github.com/cbec/cbec/pkg/review"
	"github.com/cbec/cbec/pkg/tooltest"
	"github.com/cbec/cbec/services/review"
	"github.com/cbec/cbec/services/servicetest"
	"github.com/chromedp/chromedp"
)

// browser starts Debian's headless chromium (or $CBEC_CHROMIUM) with a
// fresh profile. Without chromium the test is skipped, or fails with
// CI=true (pkg/tooltest). -short leaves browser tests out.
func browser(t *testing.T) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped with -short")
	}
	path := tooltest.Need(t, "chromium")
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1440, 1000),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
	})
	return ctx
}

// do runs browser steps, failing the test on the first error.
func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("browser: %s: %v", what, err)
	}
}

// get runs a browser action that reads a value.
func get[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("browser: %s: %v", what, err)
	}
	return v
}

// artifact writes a test artifact under the test's temporary directory and,
// when CBEC_ARTIFACTS names a directory, copies it there for CI to keep.
func artifact(t *testing.T, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv("CBEC_ARTIFACTS"); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("artifact %s (%d bytes)", p, len(b))
	return p
}

// TestDeskInBrowser works two flagged declarations from sign-in to
// decision in a real browser: sign in with the keyboard, filter the queue,
// open a case, release it, reject another with a reason, read the audit
// trail, and check the receipts the platform gets.
func TestDeskInBrowser(t *testing.T) {
	ctx := browser(t)
	h := newHarness(t)
	older := flagged(t, h, "RV-WEB-1")
	h.Clock.Advance(20 * time.Minute)
	newer := flagged(t, h, "RV-WEB-2")
	rows := func() int {
		return get(t, ctx, "rows", chromedp.Evaluate[int](`document.querySelectorAll("tr.case-row").length`))
	}

	// Sign in: the key field has the focus; Enter submits.
	do(t, ctx, "sign in",
		chromedp.Navigate(h.URL+"/review/?lang=en"),
		chromedp.WaitVisible(chromedp.ID("key")),
		chromedp.SendKeys(chromedp.ID("key"), servicetest.KeyOfficer+"\r"),
		chromedp.WaitVisible(chromedp.ID("queue")),
	)
	if who := get(t, ctx, "officer", chromedp.Text(chromedp.ID("officer"))); who != "OFFICER01" {
		t.Fatalf("signed in as %q", who)
	}
	if n, r := get(t, ctx, "count", chromedp.Text(chromedp.ID("count-open"))), rows(); n != "2" || r != 2 {
		t.Fatalf("queue: open count %q, %d rows", n, r)
	}

	// Filter: only the case waiting 15 minutes or more.
	do(t, ctx, "filter",
		chromedp.SetValue(chromedp.ID("f-age"), "15"),
		chromedp.Click(chromedp.ID("apply")),
		chromedp.WaitVisible(chromedp.CSS(`tr.case-row[data-key="`+older+`"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`tr.case-row[data-key="`+newer+`"]`)),
	)
	if r := rows(); r != 1 {
		t.Fatalf("filtered queue has %d rows, want 1", r)
	}

	// Open the case: documents side by side, rule hits, masked buyer.
	do(t, ctx, "open case",
		chromedp.Click(chromedp.CSS("a.case-link")),
		chromedp.WaitVisible(chromedp.ID("documents")),
	)
	if hits := get(t, ctx, "hits", chromedp.Text(chromedp.ID("hits"))); !strings.Contains(hits, "R001") {
		t.Errorf("hits %q", hits)
	}
	page := get(t, ctx, "page", chromedp.Text(chromedp.CSS("body")))
	for _, full := range []string{cebtest.BuyerIDNumber, cebtest.BuyerTelephone, cebtest.BuyerName} {
		if strings.Contains(page, full) {
			t.Errorf("case page shows %q in full", full)
		}
	}
	if !strings.Contains(page, "130*************35") {
		t.Error("case page lacks the masked buyer ID")
	}

	// Claim, then release through the confirmation page.
	do(t, ctx, "claim",
		chromedp.Click(chromedp.ID("act-claim")),
		chromedp.WaitVisible(chromedp.ID("act-release")),
	)
	shot := get(t, ctx, "screenshot", chromedp.FullScreenshot(100))
	artifact(t, "review-case-claimed.png", shot)
	if os.Getenv("CBEC_UPDATE_SCREENSHOT") != "" {
		if err := os.WriteFile("../../docs/review-desk.png", shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	do(t, ctx, "release",
		chromedp.Click(chromedp.ID("act-release")),
		chromedp.WaitVisible(chromedp.ID("confirm")),
		chromedp.Click(chromedp.ID("confirm")),
		chromedp.WaitVisible(chromedp.ID("flash")),
	)

	// Reject the other case with a reason.
	do(t, ctx, "reject",
		chromedp.Navigate(h.URL+"/review/cases/"+newer),
		chromedp.WaitVisible(chromedp.ID("act-claim")),
		chromedp.Click(chromedp.ID("act-claim")),
		chromedp.WaitVisible(chromedp.ID("act-reject")),
		chromedp.Click(chromedp.ID("act-reject")),
		chromedp.WaitVisible(chromedp.ID("reason")),
		chromedp.SendKeys(chromedp.ID("reason"), "申报价格明显偏低 declared price implausibly low"),
		chromedp.Click(chromedp.ID("confirm")),
		chromedp.WaitVisible(chromedp.ID("flash")),
	)

	// The platform gets its receipts: 800 for the one, 100 for the other.
	waitReceipt(t, h, "RV-WEB-1", inventory.StatusReleased)
	rej := waitReceipt(t, h, "RV-WEB-2", inventory.StatusRejected)
	if !strings.Contains(rej.Info(), "declared price implausibly low") {
		t.Errorf("100 receipt info %q", rej.Info())
	}
	waitStatus(t, h, older, inventory.StatusReleased)
	waitStatus(t, h, newer, inventory.StatusRejected)

	// The released case shows its new status and its audit trail.
	do(t, ctx, "audit trail",
		chromedp.Navigate(h.URL+"/review/cases/"+older),
		chromedp.WaitVisible(chromedp.ID("audit")),
	)
	status := get(t, ctx, "status", chromedp.Text(chromedp.ID("case-status")))
	actions := get(t, ctx, "audit rows", chromedp.Evaluate[string](`Array.from(document.querySelectorAll("tr.audit-row")).map(r => r.dataset.action).join(",")`))
	audit := get(t, ctx, "audit", chromedp.Text(chromedp.ID("audit")))
	if status != "Released" || actions != "claim,release" || !strings.Contains(audit, "OFFICER01") {
		t.Errorf("released case: status %q, audit %q", status, actions)
	}
	artifact(t, "review-case-released.png", get(t, ctx, "screenshot", chromedp.FullScreenshot(100)))

	// Chinese, by the switch on the page.
	do(t, ctx, "chinese",
		chromedp.Click(chromedp.ID("lang-switch")),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="zh-CN"]`)),
	)
	if s := get(t, ctx, "status zh", chromedp.Text(chromedp.ID("case-status"))); s != "放行" {
		t.Errorf("status in Chinese %q", s)
	}
	// The rule's reason in Chinese too, from the rules file's zh text.
	set := defaultRules(t)
	r001 := set.Risk.Rules()[0]
	if hits := get(t, ctx, "hits zh", chromedp.Text(chromedp.ID("hits"))); !strings.Contains(hits, "R001") ||
		!strings.Contains(hits, r001.Description.Zh) || strings.Contains(hits, r001.Description.En) {
		t.Errorf("hits on the Chinese desk %q, want R001's Chinese text %q", hits, r001.Description.Zh)
	}
	// The rejected case's receipt keeps its words; the desk gives the
	// code's meaning in Chinese beside them.
	do(t, ctx, "rejected case in Chinese",
		chromedp.Navigate(h.URL+"/review/cases/"+newer),
		chromedp.WaitVisible(chromedp.ID("history")),
	)
	if hist := get(t, ctx, "history zh", chromedp.Text(chromedp.ID("history"))); !strings.Contains(hist, "declared price implausibly low") ||
		!strings.Contains(hist, errcode.DescribeZh(errcode.OfficerRejected)) {
		t.Errorf("history of the rejected case on the Chinese desk %q", hist)
	}
}

// TestDeskBulkInBrowser pages the queue both ways, releases two ticked
// cases of rule R001 in one form, and as a supervisor moves an officer's
// claims to another officer, all in a real browser.
func TestDeskBulkInBrowser(t *testing.T) {
	ctx := browser(t)
	h := newHarness(t)
	a := flagged(t, h, "RV-WEBBULK-1")
	h.Clock.Advance(time.Minute)
	b := flagged(t, h, "RV-WEBBULK-2")
	h.Clock.Advance(time.Minute)
	c := flagged(t, h, "RV-WEBBULK-3")
	keyOf := func(sel string) string {
		return get(t, ctx, "row key", chromedp.Evaluate[string](`document.querySelector("`+sel+`").dataset.key`))
	}

	do(t, ctx, "sign in",
		chromedp.Navigate(h.URL+"/review/?lang=en"),
		chromedp.WaitVisible(chromedp.ID("key")),
		chromedp.SendKeys(chromedp.ID("key"), servicetest.KeyOfficer+"\r"),
		chromedp.WaitVisible(chromedp.ID("queue")),
		chromedp.Navigate(h.URL+"/review/?limit=1"),
		chromedp.WaitVisible(chromedp.ID("next-page")),
	)
	// Pages of one case: forward to the second, back to the first.
	do(t, ctx, "next page", chromedp.Click(chromedp.ID("next-page")), chromedp.WaitVisible(chromedp.ID("prev-page")))
	if k := keyOf("tr.case-row"); k != b {
		t.Fatalf("second page shows %s, want %s", k, b)
	}
	do(t, ctx, "previous page", chromedp.Click(chromedp.ID("prev-page")), chromedp.WaitNotPresent(chromedp.ID("prev-page")))
	if k := keyOf("tr.case-row"); k != a {
		t.Fatalf("first page again shows %s, want %s", k, a)
	}

	// The queue of one rule offers the bulk release: tick a and c.
	do(t, ctx, "bulk release",
		chromedp.Navigate(h.URL+"/review/?rule=R001"),
		chromedp.WaitVisible(chromedp.ID("bulk-release-submit")),
		chromedp.Click(chromedp.CSS(`tr[data-key="`+a+`"] input.select-case`)),
		chromedp.Click(chromedp.CSS(`tr[data-key="`+c+`"] input.select-case`)),
		chromedp.SendKeys(chromedp.ID("bulk-reason"), "invoices checked"),
		chromedp.Click(chromedp.ID("bulk-release-submit")),
		chromedp.WaitVisible(chromedp.ID("bulk-results")),
	)
	if done := get(t, ctx, "done", chromedp.Text(chromedp.ID("bulk-done"))); done != "2" {
		t.Errorf("bulk release done %q, want 2", done)
	}
	rowsDone := get(t, ctx, "result rows", chromedp.Evaluate[string](`Array.from(document.querySelectorAll("tr.bulk-row")).map(r => r.dataset.key + "=" + r.dataset.done).join(" ")`))
	if rowsDone != a+"=true "+c+"=true" {
		t.Errorf("bulk results %q", rowsDone)
	}
	waitStatus(t, h, a, inventory.StatusReleased)
	waitStatus(t, h, c, inventory.StatusReleased)

	// OFFICER01 claims b; the supervisor moves OFFICER01's claims to
	// OFFICER02.
	mustAct(t, h, servicetest.KeyOfficer, b, reviewrule.ActionClaim, nil, http.StatusOK)
	do(t, ctx, "supervisor",
		chromedp.Click(chromedp.ID("signout")),
		chromedp.WaitVisible(chromedp.ID("key")),
		chromedp.SendKeys(chromedp.ID("key"), servicetest.KeySuper+"\r"),
		chromedp.WaitVisible(chromedp.ID("reassign-queue-submit")),
		chromedp.SendKeys(chromedp.ID("reassign-from"), "OFFICER01"),
		chromedp.SendKeys(chromedp.ID("reassign-to"), "OFFICER02"),
		chromedp.Click(chromedp.ID("reassign-queue-submit")),
		chromedp.WaitVisible(chromedp.ID("bulk-results")),
	)
	if done := get(t, ctx, "moved", chromedp.Text(chromedp.ID("bulk-done"))); done != "1" {
		t.Errorf("reassigned %q, want 1", done)
	}
	if v := getCase(t, h, b); v.Claim == nil || v.Claim.Officer != "OFFICER02" {
		t.Errorf("claim of %s after the move: %+v", b, v.Claim)
	}
}

// TestDeskRefusesOtherParties signs a platform key in through the browser.
func TestDeskRefusesOtherParties(t *testing.T) {
	ctx := browser(t)
	h := newHarness(t)
	do(t, ctx, "platform sign-in",
		chromedp.Navigate(h.URL+"/review/login?lang=zh"),
		chromedp.WaitVisible(chromedp.ID("key")),
		chromedp.SendKeys(chromedp.ID("key"), servicetest.KeyEBP+"\r"),
		chromedp.WaitVisible(chromedp.ID("error")),
	)
	if text := get(t, ctx, "error", chromedp.Text(chromedp.ID("error"))); !strings.Contains(text, "不属于海关关员") {
		t.Errorf("refusal %q", text)
	}
	// Still on the sign-in page: no session was made.
	do(t, ctx, "desk", chromedp.Navigate(h.URL+"/review/"), chromedp.WaitVisible(chromedp.ID("key")))
	if code, _, _ := h.Do("GET", "/v1/review/cases", servicetest.KeyEBP, "", nil); code != http.StatusForbidden {
		t.Errorf("platform key on the API: %d", code)
	}
}

// textKey finds the literal keys the templates pass to .L.T.
var textKey = regexp.MustCompile(`\.L\.T "([^"]+)"`)

// TestTemplatesHaveEveryText renders nothing but checks that every key the
// templates use has both languages.
func TestTemplatesHaveEveryText(t *testing.T) {
	err := fs.WalkDir(os.DirFS("templates"), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(filepath.Join("templates", p))
		if err != nil {
			return err
		}
		for _, m := range textKey.FindAllStringSubmatch(string(b), -1) {
			if !review.HasText(m[1]) {
				t.Errorf("%s: text %q has no translation", p, m[1])
			}
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
}
