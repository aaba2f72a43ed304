package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cbec/cbec/deploy"
	"github.com/cbec/cbec/pkg/ceb/cebtest"
	"github.com/cbec/cbec/pkg/docstore"
	"github.com/cbec/cbec/pkg/natstest"
	"github.com/cbec/cbec/services/cbec/load"
	rulesadmin "github.com/cbec/cbec/services/rules"
	"github.com/cbec/cbec/services/servicetest"
	"github.com/nats-io/nats.go/jetstream"
)

// backtestRules is the embedded rules file with R001 relaxed for
// addresses marked VIP and a new rule R900 holding addresses marked
// BTMARK: the candidate of TestBacktestWeek.
func backtestRules(t *testing.T) string {
	t.Helper()
	r001 := "expr: decl.valueFen * 100 >= limit.singleFen * 95 && decl.valueFen <= limit.singleFen\n"
	text := string(deploy.Rules)
	if !strings.Contains(text, r001) {
		t.Fatal("deploy/rules.yaml's R001 changed: update backtestRules")
	}
	text = strings.Replace(text, r001, strings.TrimSuffix(r001, "\n")+` && !(decl.consigneeAddress contains "VIP")`+"\n", 1)
	return text + `
  - id: R900
    description:
      zh: 收货地址带有回测标记。
      en: The consignee address carries the backtest mark.
    expr: decl.consigneeAddress contains "BTMARK"
    action: review
`
}

// weekDecl is one generated declaration of the week.
type weekDecl struct {
	orderNo string
	near    bool   // just under the single limit: R001 holds it
	mark    string // appended to the consignee address
}

// TestBacktestWeek generates a week of declarations on the dev clock,
// each day a plain one, one near the single limit (R001) and one marked
// for the candidate's R900, the first three days also a near-limit one
// marked VIP (which the candidate's R001 lets pass), and one declaration
// after the window; officers release, reject and inspect four of the
// held lists. The backtest of the week then reports the exact counts per
// rule, over the API, the CLI and the desk page.
func TestBacktestWeek(t *testing.T) {
	m := startMain(t, t.TempDir(), "--dev-clock")
	defer m.Close(context.Background())
	base := m.HTTPURL()
	gen := buyers(t, base, "18")
	setClock := func(at time.Time) {
		t.Helper()
		body, _ := json.Marshal(map[string]string{"now": at.Format(time.RFC3339)})
		if code, b, _ := do(t, "POST", base+"/v1/admin/clock", "demo-operator", "application/json", body); code != http.StatusOK {
			t.Fatalf("clock: %d %s", code, b)
		}
	}
	submit := func(n int, d weekDecl) { t.Helper(); submitDecl(t, base, gen.Buyer(1000+n), d) }
	status := func(orderNo string) string { return listStatus(t, base, orderNo) }
	waitStatus := func(orderNo, want string) {
		t.Helper()
		natstest.Eventually(t, 30*time.Second, func() bool { return status(orderNo) == want },
			"%s: status %s, want %s", orderNo, status(orderNo), want)
	}

	// Days 25 h 10 min apart: a buyer's declarations of one day are never
	// in the 24 hours before another's, and seven of them fit a week.
	start := time.Now().UTC().Truncate(24 * time.Hour).Add(48*time.Hour + 2*time.Hour)
	day := func(d int) time.Time { return start.Add(time.Duration(d) * (24*time.Hour + 10*time.Minute)) }
	n := 0
	var held []string
	for d := range 7 {
		decls := []weekDecl{
			{orderNo: fmt.Sprintf("BT-%d-PLAIN", d)},
			{orderNo: fmt.Sprintf("BT-%d-NEAR", d), near: true},
			{orderNo: fmt.Sprintf("BT-%d-MARK", d), mark: " BTMARK"},
		}
		if d < 3 {
			decls = append(decls, weekDecl{orderNo: fmt.Sprintf("BT-%d-VIP", d), near: true, mark: " VIP"})
		}
		for i, wd := range decls {
			setClock(day(d).Add(time.Duration(i) * time.Minute))
			submit(n, wd)
			n++
		}
		held = append(held, decls[1].orderNo)
	}
	// After the window: replayed by no backtest of the week.
	setClock(day(7))
	submit(n, weekDecl{orderNo: "BT-LATE-NEAR", near: true})
	for d := range 7 {
		waitStatus(fmt.Sprintf("BT-%d-PLAIN", d), "800")
		waitStatus(fmt.Sprintf("BT-%d-MARK", d), "800")
		waitStatus(fmt.Sprintf("BT-%d-NEAR", d), "300")
	}

	// Officers release two held lists, reject one and order one inspected.
	for i, action := range []string{"release", "release", "reject", "inspect"} {
		caseURL := base + "/v1/review/cases/" + docstore.InventoryKey(cebtest.EbpCode, held[i])
		natstest.Eventually(t, 30*time.Second, func() bool {
			code, _, _ := do(t, "GET", caseURL, "demo-officer", "", nil)
			return code == http.StatusOK
		}, "case of %s", held[i])
		if code, b, _ := do(t, "POST", caseURL+"/claim", "demo-officer", "", nil); code != http.StatusOK {
			t.Fatalf("claim %s: %d %s", held[i], code, b)
		}
		body := []byte(`{"reason":"backtest week"}`)
		if code, b, _ := do(t, "POST", caseURL+"/"+action, "demo-officer", "application/json", body); code != http.StatusAccepted {
			t.Fatalf("%s %s: %d %s", action, held[i], code, b)
		}
	}
	waitStatus(held[0], "800")
	waitStatus(held[1], "800")
	waitStatus(held[2], "100")
	waitStatus(held[3], "500")

	from, to := start.Add(-time.Hour), start.Add(7*24*time.Hour-time.Hour)
	req := rulesadmin.BacktestRequest{Rules: backtestRules(t), From: from, To: to}
	code, b, _ := do(t, "POST", base+"/v1/admin/rules/backtest", "demo-supervisor", "application/json", jsonBody(t, req))
	if code != http.StatusOK {
		t.Fatalf("backtest: %d %s", code, b)
	}
	var rep rulesadmin.Report
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Declarations != 24 || rep.Incomplete != 0 || rep.Held != 14 || rep.HeldInForce != 10 || rep.HeldByNewOnly != 7 || rep.HeldByOldOnly != 3 {
		t.Errorf("totals: %d declarations (%d incomplete), held %d, in force %d, new only %d, old only %d; want 24 (0), 14, 10, 7, 3",
			rep.Declarations, rep.Incomplete, rep.Held, rep.HeldInForce, rep.HeldByNewOnly, rep.HeldByOldOnly)
	}
	want := map[string]rulesadmin.RuleReport{
		"R001": {Hits: 7, Released: 2, Rejected: 1, Inspected: 1, InForce: 10, Added: 0, Removed: 3},
		"R900": {Hits: 7, InForce: 0, Added: 7},
	}
	for _, r := range rep.Rules {
		w, ok := want[r.RuleID]
		if !ok {
			if r.Hits != 0 || r.InForce != 0 {
				t.Errorf("%s: %d hits, %d in force; want none", r.RuleID, r.Hits, r.InForce)
			}
			continue
		}
		delete(want, r.RuleID)
		if r.Hits != w.Hits || r.Released != w.Released || r.Rejected != w.Rejected || r.Inspected != w.Inspected ||
			r.InForce != w.InForce || r.Added != w.Added || r.Removed != w.Removed || len(r.Lists) != w.Hits {
			t.Errorf("%s: %+v, want %+v", r.RuleID, r, w)
		}
	}
	if len(want) > 0 {
		t.Errorf("rules missing from the report: %v", want)
	}
	for _, r := range rep.Rules {
		if r.RuleID == "R900" && !strings.Contains(strings.Join(r.Lists, " "), docstore.InventoryKey(cebtest.EbpCode, "BT-0-MARK")) {
			t.Errorf("R900 lists %v, want BT-0-MARK among them", r.Lists)
		}
	}

	// The CLI prints the same report as a table.
	file := filepath.Join(t.TempDir(), "new.yaml")
	if err := os.WriteFile(file, []byte(req.Rules), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := Run(context.Background(), []string{"rules", "backtest", "--rules", file, "--from", from.Format(time.RFC3339),
		"--to", to.Format(time.RFC3339), "--url", base, "--key", "demo-operator"}, func(string) string { return "" }, &out, io.Discard); err != nil {
		t.Fatalf("cbec rules backtest: %v", err)
	}
	if !strings.Contains(out.String(), "24 declarations") || !hasRow(out.String(), "R900 review 7") {
		t.Errorf("cbec rules backtest printed:\n%s", out.String())
	}

	// The desk page runs the same backtest from its form.
	form := url.Values{"rules": {req.Rules}, "from": {from.Format("2006-01-02T15:04")}, "to": {to.Format("2006-01-02T15:04")}}
	code, b, _ = do(t, "POST", base+"/review/rules/backtest", "demo-supervisor", "application/x-www-form-urlencoded", []byte(form.Encode()))
	if code != http.StatusOK || !strings.Contains(string(b), "<td>R900</td><td>review</td><td>7</td>") {
		t.Errorf("desk backtest: %d %.2000s", code, b)
	}
}

// TestBacktestRefuses checks the refusals of a backtest: a rules file with
// an error names its line, a window longer than a week and a caller who
// is neither operator nor supervisor are refused.
func TestBacktestRefuses(t *testing.T) {
	m := startMain(t, t.TempDir())
	defer m.Close(context.Background())
	base := m.HTTPURL()
	now := time.Now().UTC()
	bad := strings.Replace(string(deploy.Rules), "action: reject", "action: rejcet", 1)
	for _, c := range []struct {
		name, key string
		req       rulesadmin.BacktestRequest
		code      int
		detail    string
	}{
		{"bad rules", "demo-operator", rulesadmin.BacktestRequest{Rules: bad, From: now.Add(-time.Hour), To: now}, 400, `risk rule R006 (line `},
		{"long window", "demo-operator", rulesadmin.BacktestRequest{Rules: string(deploy.Rules), From: now.Add(-8 * 24 * time.Hour), To: now}, 400, "longer than 168h0m0s"},
		{"reversed window", "demo-supervisor", rulesadmin.BacktestRequest{Rules: string(deploy.Rules), From: now, To: now.Add(-time.Hour)}, 400, "is not before"},
		{"officer", "demo-officer", rulesadmin.BacktestRequest{Rules: string(deploy.Rules), From: now.Add(-time.Hour), To: now}, 403, "operator or a customs supervisor"},
		{"empty store", "demo-operator", rulesadmin.BacktestRequest{Rules: string(deploy.Rules), From: now.Add(-time.Hour), To: now}, 200, `"declarations":0`},
	} {
		code, b, _ := do(t, "POST", base+"/v1/admin/rules/backtest", c.key, "application/json", jsonBody(t, c.req))
		if code != c.code || !strings.Contains(string(b), c.detail) {
			t.Errorf("%s: %d %s, want %d with %q", c.name, code, b, c.code, c.detail)
		}
	}
}

// hasRow reports whether the printed table has a row whose columns,
// spaces collapsed, begin with the words of prefix.
func hasRow(table, prefix string) bool {
	for _, line := range strings.Split(table, "\n") {
		if strings.HasPrefix(strings.Join(strings.Fields(line), " ")+" ", prefix+" ") {
			return true
		}
	}
	return false
}

// submitDecl submits the cebtest declaration d describes for buyer b, each
// document from its rightful sender.
func submitDecl(t *testing.T, base string, b load.Buyer, d weekDecl) {
	t.Helper()
	s := servicetest.NewSet(d.orderNo)
	if d.near {
		s.Scale("8.5") // just under the single limit, as the access matrix's held list
	}
	// Every declaration its own buyer and address, so that no rule of a
	// buyer's or an address's activity fires.
	oh, ph, lh, ih := &s.O.OrderHead, &s.P.PaymentHead, &s.L.LogisticsHead, &s.I.InventoryHead
	addr := b.Address + d.mark
	oh.BuyerRegNo, oh.BuyerName, oh.BuyerTelephone, oh.BuyerIdNumber = b.RegNo, b.Name, b.Phone, b.ID
	oh.Consignee, oh.ConsigneeTelephone, oh.ConsigneeAddress = b.Name, b.Phone, addr
	ph.PayerIdNumber, ph.PayerName, ph.Telephone = b.ID, b.Name, b.Phone
	lh.Consignee, lh.ConsigneeTelephone, lh.ConsigneeAddress = b.Name, b.Phone, addr
	ih.BuyerIdNumber, ih.BuyerName, ih.BuyerTelephone, ih.ConsigneeAddress = b.ID, b.Name, b.Phone, addr
	for _, x := range []struct {
		kind, key string
		doc       any
	}{{"orders", "demo-ebp", s.O}, {"payments", "demo-pay", s.P}, {"waybills", "demo-logistics-cq", s.L}, {"inventories", "demo-agent", s.I}} {
		if code, body, _ := do(t, "POST", base+"/v1/import/"+x.kind, x.key, "application/json", jsonBody(t, x.doc)); code != http.StatusAccepted && code != http.StatusOK {
			t.Fatalf("%s %s: %d %s", d.orderNo, x.kind, code, body)
		}
	}
}

// listStatus is the status of the list of orderNo, "" before it is declared.
func listStatus(t *testing.T, base, orderNo string) string {
	t.Helper()
	code, b, _ := do(t, "GET", base+"/v1/import/inventories/"+cebtest.EbpCode+"/"+orderNo, "demo-agent", "", nil)
	var v struct{ Status string }
	if code == http.StatusOK {
		_ = json.Unmarshal(b, &v)
	}
	return v.Status
}

// TestActivateRulesWithoutRestart backtests a rules file with a new rule,
// activates it over the API in the running program and sees the next
// declaration held by the new rule, its case recording the version; the
// activation is on CBEC_AUDIT and GET /v1/admin/rules shows it, and a
// restart starts on it. An activation without a matching backtest, or by
// a supervisor, is refused.
func TestActivateRulesWithoutRestart(t *testing.T) {
	dir := t.TempDir()
	m := startMain(t, dir)
	defer func() { _ = m.Close(context.Background()) }()
	base := m.HTTPURL()
	gen := buyers(t, base, "19")
	candidate := backtestRules(t)

	// Before: the file the program started with, version 0, and a marked
	// declaration passes.
	var act rulesadmin.Active
	code, b, _ := do(t, "GET", base+"/v1/admin/rules", "demo-supervisor", "", nil)
	if err := json.Unmarshal(b, &act); code != http.StatusOK || err != nil || act.Version != 0 || act.Rules != string(deploy.Rules) {
		t.Fatalf("rules in force at start: %d %.300s", code, b)
	}
	submitDecl(t, base, gen.Buyer(1), weekDecl{orderNo: "ACT-BEFORE", mark: " BTMARK"})
	natstest.Eventually(t, 30*time.Second, func() bool { return listStatus(t, base, "ACT-BEFORE") == "800" }, "ACT-BEFORE released")

	now := time.Now().UTC()
	code, b, _ = do(t, "POST", base+"/v1/admin/rules/backtest", "demo-operator", "application/json",
		jsonBody(t, rulesadmin.BacktestRequest{Rules: candidate, From: now.Add(-time.Hour), To: now.Add(time.Minute)}))
	var rep rulesadmin.Report
	if err := json.Unmarshal(b, &rep); code != http.StatusOK || err != nil || rep.Declarations != 1 {
		t.Fatalf("backtest: %d %.500s", code, b)
	}

	for _, c := range []struct {
		name, key string
		req       rulesadmin.ActivateRequest
		code      int
		detail    string
	}{
		{"supervisor", "demo-supervisor", rulesadmin.ActivateRequest{Rules: candidate, BacktestID: rep.ID}, 403, "only an operator"},
		{"no backtest", "demo-operator", rulesadmin.ActivateRequest{Rules: candidate}, 400, "name the backtest"},
		{"unknown backtest", "demo-operator", rulesadmin.ActivateRequest{Rules: candidate, BacktestID: "bt-20200101T000000Z-00000000"}, 404, "no backtest"},
		{"another file", "demo-operator", rulesadmin.ActivateRequest{Rules: string(deploy.Rules), BacktestID: rep.ID}, 400, "not the one backtest"},
	} {
		code, b, _ := do(t, "POST", base+"/v1/admin/rules", c.key, "application/json", jsonBody(t, c.req))
		if code != c.code || !strings.Contains(string(b), c.detail) {
			t.Errorf("%s: %d %s, want %d with %q", c.name, code, b, c.code, c.detail)
		}
	}

	code, b, _ = do(t, "POST", base+"/v1/admin/rules", "demo-operator", "application/json",
		jsonBody(t, rulesadmin.ActivateRequest{Rules: candidate, BacktestID: rep.ID}))
	if err := json.Unmarshal(b, &act); code != http.StatusOK || err != nil || act.Version == 0 {
		t.Fatalf("activate: %d %.300s", code, b)
	}
	version := act.Version
	code, b, _ = do(t, "GET", base+"/v1/admin/rules", "demo-operator", "", nil)
	if err := json.Unmarshal(b, &act); code != http.StatusOK || err != nil || act.Version != version || act.Rules != candidate ||
		act.BacktestID != rep.ID || act.By != "OPS01" || act.Digest != rep.Digest {
		t.Fatalf("rules in force: %d %.300s", code, b)
	}

	// The next marked declaration is held by R900, no restart; its case
	// records the version that held it.
	submitDecl(t, base, gen.Buyer(2), weekDecl{orderNo: "ACT-AFTER", mark: " BTMARK"})
	natstest.Eventually(t, 30*time.Second, func() bool { return listStatus(t, base, "ACT-AFTER") == "300" }, "ACT-AFTER held")
	caseURL := base + "/v1/review/cases/" + docstore.InventoryKey(cebtest.EbpCode, "ACT-AFTER")
	var cv struct {
		Hits []struct {
			RuleID       string `json:"ruleId"`
			RulesVersion uint64 `json:"rulesVersion"`
		} `json:"hits"`
	}
	natstest.Eventually(t, 30*time.Second, func() bool {
		code, b, _ := do(t, "GET", caseURL, "demo-officer", "", nil)
		return code == http.StatusOK && json.Unmarshal(b, &cv) == nil
	}, "case of ACT-AFTER")
	if len(cv.Hits) != 1 || cv.Hits[0].RuleID != "R900" || cv.Hits[0].RulesVersion != version {
		t.Errorf("case hits %+v, want R900 of version %d", cv.Hits, version)
	}

	// The desk's case page shows it too.
	if code, b, _ := do(t, "GET", base+"/review/cases/"+docstore.InventoryKey(cebtest.EbpCode, "ACT-AFTER")+"?lang=en", "demo-officer", "", nil); code != http.StatusOK ||
		!strings.Contains(string(b), fmt.Sprintf("(rules version %d)", version)) {
		t.Errorf("case page: %d, no rules version %d", code, version)
	}

	// The desk's queue filter offers the new rule.
	if code, b, _ := do(t, "GET", base+"/review/?lang=en", "demo-officer", "", nil); code != http.StatusOK || !strings.Contains(string(b), `value="R900"`) {
		t.Errorf("queue page: %d, no filter option of R900", code)
	}

	// The activation is on CBEC_AUDIT.
	cons, err := m.js.OrderedConsumer(context.Background(), "CBEC_AUDIT", jetstream.OrderedConsumerConfig{FilterSubjects: []string{"cbec.audit.OPS01"}})
	if err != nil {
		t.Fatal(err)
	}
	msg, err := cons.Next(jetstream.FetchMaxWait(5 * time.Second))
	if err != nil {
		t.Fatalf("no audit record of the activation: %v", err)
	}
	var audit rulesadmin.Audit
	if err := json.Unmarshal(msg.Data(), &audit); err != nil || audit.Action != rulesadmin.ActionActivate || audit.Version != version ||
		audit.BacktestID != rep.ID || audit.Digest != rep.Digest || audit.Actor != "OPS01" {
		t.Errorf("audit record %s (%v)", msg.Data(), err)
	}

	// A restart starts on the version in force, not on --rules.
	if err := m.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	m = startMain(t, dir)
	base = m.HTTPURL()
	code, b, _ = do(t, "GET", base+"/v1/admin/rules", "demo-operator", "", nil)
	if err := json.Unmarshal(b, &act); code != http.StatusOK || err != nil || act.Version != version || act.Rules != candidate {
		t.Fatalf("rules in force after the restart: %d %.300s", code, b)
	}
	submitDecl(t, base, gen.Buyer(3), weekDecl{orderNo: "ACT-RESTART", mark: " BTMARK"})
	natstest.Eventually(t, 30*time.Second, func() bool { return listStatus(t, base, "ACT-RESTART") == "300" }, "ACT-RESTART held after the restart")
}

// buyers is a load generator of base whose buyers of seed the tests use.
func buyers(t *testing.T, base, seed string) *load.Generator {
	t.Helper()
	lc, err := ParseLoadConfig([]string{"--url", base, "--seed", seed}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	gen, err := NewLoad(lc, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	return gen
}
