package review_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cbec/cbec/deploy"
	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/ceb/cebtest"
	"github.com/cbec/cbec/pkg/docstore"
	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/inventory"
	"github.com/cbec/cbec/pkg/natstest"
	"github.com/cbec/cbec/pkg/party"
	reviewrule "github.com/cbec/cbec/pkg/review"
	"github.com/cbec/cbec/pkg/svc"
	"github.com/cbec/cbec/services/review"
	"github.com/cbec/cbec/services/servicetest"
	"github.com/nats-io/nats.go/jetstream"
)

// KeyOfficer2 is a second officer, OFFICER02, added to the demo parties
// for the races between two officers.
const KeyOfficer2 = "test-officer-2"

// withSecondOfficer adds OFFICER02 to the demo parties.
func withSecondOfficer(env *svc.Env) {
	y := string(deploy.Parties) + fmt.Sprintf("\n  - code: \"OFFICER02\"\n    name: \"Second test officer\"\n    roles: [officer]\n    keySha256: %s\n", party.HashKey(KeyOfficer2))
	d, err := party.Load(strings.NewReader(y))
	if err != nil {
		panic(err)
	}
	env.Parties = d
}

func newHarness(t *testing.T) *servicetest.Harness {
	t.Helper()
	return servicetest.New(t, withSecondOfficer)
}

// flagged submits a set that rule R001 holds for review (a dutiable value
// just under the single limit) and waits for its case.
func flagged(t *testing.T, h *servicetest.Harness, orderNo string) string {
	t.Helper()
	s := servicetest.NewSet(orderNo)
	s.Scale("8.5")
	h.Submit(s)
	key := docstore.InventoryKey(cebtest.EbpCode, orderNo)
	natstest.Eventually(t, 15*time.Second, func() bool {
		code, _, _ := h.Do("GET", "/v1/review/cases/"+key, servicetest.KeyOfficer, "", nil)
		return code == http.StatusOK
	}, "no case for %s", orderNo)
	return key
}

func getCase(t *testing.T, h *servicetest.Harness, key string) review.CaseView {
	t.Helper()
	code, b, _ := h.Do("GET", "/v1/review/cases/"+key, servicetest.KeySuper, "", nil)
	if code != http.StatusOK {
		t.Fatalf("case %s: %d %s", key, code, b)
	}
	var v review.CaseView
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// waitStatus polls the case until clearance's step reached it, and, when
// that closed the case, until the queue's index no longer lists it: the
// index follows the case just after it is written.
func waitStatus(t *testing.T, h *servicetest.Harness, key, status string) review.CaseView {
	t.Helper()
	var v review.CaseView
	natstest.Eventually(t, 15*time.Second, func() bool {
		v = getCase(t, h, key)
		return v.Status == status && v.Pending == nil
	}, "case %s: status %s, want %s", key, v.Status, status)
	if !v.Open {
		natstest.Eventually(t, 15*time.Second, func() bool {
			return len(indexKeys(t, h, broker.BucketReviewIndex, "open.*."+key)) == 0
		}, "case %s closed, still in the queue's index", key)
	}
	return v
}

// act posts an action with an optional JSON body and returns the status
// and the problem code, if any.
func act(t *testing.T, h *servicetest.Harness, apiKey, key, action string, body any) (int, string) {
	t.Helper()
	var b []byte
	ctype := ""
	if body != nil {
		b, _ = json.Marshal(body)
		ctype = "application/json"
	}
	code, resp, _ := h.Do("POST", "/v1/review/cases/"+key+"/"+action, apiKey, ctype, b)
	if code >= 400 {
		return code, servicetest.DecodeProblem(t, resp).Code
	}
	return code, ""
}

func mustAct(t *testing.T, h *servicetest.Harness, apiKey, key, action string, body any, want int) {
	t.Helper()
	if code, pc := act(t, h, apiKey, key, action, body); code != want {
		t.Fatalf("%s %s: %d %s, want %d", action, key, code, pc, want)
	}
}

// waitReceipt polls the platform's CEB622 receipts of orderNo for status.
func waitReceipt(t *testing.T, h *servicetest.Harness, orderNo, status string) servicetest.Record {
	t.Helper()
	cop := cebtest.CopNo(orderNo)
	var found servicetest.Record
	natstest.Eventually(t, 15*time.Second, func() bool {
		for _, r := range h.Receipts(servicetest.KeyEBP, "limit=500&msgType=CEB622") {
			var v struct {
				CopNo string `json:"copNo"`
			}
			_ = json.Unmarshal(r.Receipt, &v)
			if v.CopNo == cop && r.Status() == status {
				found = r
				return true
			}
		}
		return false
	}, "%s: no CEB622 %s receipt to the platform", orderNo, status)
	return found
}

// auditMessages returns the review entries on CBEC_AUDIT for officer.
func auditMessages(t *testing.T, h *servicetest.Harness, officer string) []review.AuditEntry {
	t.Helper()
	ctx := context.Background()
	c, err := h.JS.OrderedConsumer(ctx, broker.StreamAudit, jetstream.OrderedConsumerConfig{FilterSubjects: []string{"cbec.audit." + officer}})
	if err != nil {
		t.Fatal(err)
	}
	info, err := c.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out []review.AuditEntry
	for range info.NumPending {
		m, err := c.Next(jetstream.FetchMaxWait(5 * time.Second))
		if err != nil {
			t.Fatal(err)
		}
		var e review.AuditEntry
		if err := json.Unmarshal(m.Data(), &e); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

func TestCaseShowsWhatTheOfficerNeeds(t *testing.T) {
	h := newHarness(t)
	key := flagged(t, h, "RV-SHOW-1")
	code, body, _ := h.Do("GET", "/v1/review/cases/"+key, servicetest.KeyOfficer, "", nil)
	if code != http.StatusOK {
		t.Fatalf("%d %s", code, body)
	}
	// Personal data is masked everywhere, the JSON included.
	for _, full := range []string{cebtest.BuyerIDNumber, cebtest.BuyerName, cebtest.BuyerTelephone} {
		if bytes.Contains(body, []byte(full)) {
			t.Errorf("case detail carries %q in full", full)
		}
	}
	var v review.CaseView
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatal(err)
	}
	if v.Status != inventory.StatusReview || !v.Open || v.Claim != nil || len(v.Audit) != 0 {
		t.Errorf("new case: %+v", v)
	}
	if len(v.Hits) == 0 || v.Hits[0].RuleID != "R001" || v.Hits[0].Description == "" {
		t.Errorf("hits %+v, want R001", v.Hits)
	}
	if v.Tax == nil || !v.Tax.Total.IsPositive() {
		t.Errorf("tax %+v", v.Tax)
	}
	if len(v.History) == 0 || v.History[len(v.History)-1].Status != inventory.StatusReview {
		t.Errorf("history %+v", v.History)
	}
	d := v.Documents
	if d == nil {
		t.Fatal("no documents")
	}
	for _, n := range []string{"order", "payment", "waybill", "inventory"} {
		if !d.Present[n] {
			t.Errorf("document %s missing", n)
		}
	}
	var idRow *review.FieldRow
	for i := range d.Fields {
		if d.Fields[i].Field == "buyerIdNumber" {
			idRow = &d.Fields[i]
		}
	}
	if idRow == nil || idRow.Values["order"] != "130*************35" || idRow.Values["payment"] != "130*************35" || idRow.Differ {
		t.Errorf("buyer ID row %+v", idRow)
	}
	if len(d.Lines) != 2 || d.Lines[0].OrderTotal != d.Lines[0].ListTotal {
		t.Errorf("lines %+v", d.Lines)
	}
	q := v.Quota
	if q == nil || q.BuyerID != "130*************35" || q.Year != 2025 || !q.Used.Equal(q.ThisList) || !q.Used.IsPositive() || q.Annual.String() != "26000" {
		t.Errorf("quota %+v", q)
	}
}

func TestReleaseReachesThePlatform(t *testing.T) {
	h := newHarness(t)
	key := flagged(t, h, "RV-REL-1")
	mustAct(t, h, servicetest.KeyOfficer, key, reviewrule.ActionClaim, nil, http.StatusOK)
	mustAct(t, h, servicetest.KeyOfficer, key, reviewrule.ActionRelease, nil, http.StatusAccepted)
	// Until clearance applies it, the case takes no second decision.
	v := waitStatus(t, h, key, inventory.StatusReleased)
	if v.Open || v.Claim != nil {
		t.Errorf("released case still open or claimed: %+v", v)
	}
	r := waitReceipt(t, h, "RV-REL-1", inventory.StatusReleased)
	waitReceipt(t, h, "RV-REL-1", inventory.StatusConcluded)
	if r.Info() == "" {
		t.Error("800 receipt without text")
	}
	// A decided case refuses every decision and claim: 409 -903002.
	for _, a := range []string{reviewrule.ActionRelease, reviewrule.ActionReject, reviewrule.ActionClaim, reviewrule.ActionInspect} {
		code, pc := act(t, h, servicetest.KeySuper, key, a, map[string]string{"reason": "again"})
		if code != http.StatusConflict || pc != string(errcode.ReviewDecided) {
			t.Errorf("%s on a released case: %d %s, want 409 %s", a, code, pc, errcode.ReviewDecided)
		}
	}
	// Audited on CBEC_AUDIT and on the case, with before and after.
	entries := auditMessages(t, h, "OFFICER01")
	if len(entries) != 2 || entries[0].Action != "claim" || entries[1].Action != "release" {
		t.Fatalf("audit %+v", entries)
	}
	rel := entries[1]
	if rel.Case != key || rel.Officer != "OFFICER01" || rel.At.IsZero() || rel.Before.Status != "300" || rel.Before.ClaimedBy != "OFFICER01" ||
		rel.After.Pending != inventory.DecisionRelease || rel.Decision == nil || rel.Decision.Decision != inventory.DecisionRelease {
		t.Errorf("release audit %+v", rel)
	}
	if len(v.Audit) != 2 || v.Audit[1].Action != "release" {
		t.Errorf("case audit %+v", v.Audit)
	}
}

func TestRejectNeedsAReasonAndGivesTheQuotaBack(t *testing.T) {
	h := newHarness(t)
	key := flagged(t, h, "RV-REJ-1")
	mustAct(t, h, servicetest.KeyOfficer, key, reviewrule.ActionClaim, nil, http.StatusOK)
	if code, pc := act(t, h, servicetest.KeyOfficer, key, reviewrule.ActionReject, map[string]string{"reason": "  "}); code != http.StatusBadRequest || pc != string(errcode.BadRequest) {
		t.Fatalf("reject without reason: %d %s", code, pc)
	}
	mustAct(t, h, servicetest.KeyOfficer, key, reviewrule.ActionReject, map[string]string{"reason": "发票与申报价格不符 invoice differs"}, http.StatusAccepted)
	v := waitStatus(t, h, key, inventory.StatusRejected)
	r := waitReceipt(t, h, "RV-REJ-1", inventory.StatusRejected)
	if !strings.HasPrefix(r.Info(), string(errcode.OfficerRejected)) || !strings.Contains(r.Info(), "invoice differs") {
		t.Errorf("100 receipt info %q", r.Info())
	}
	natstest.Eventually(t, 10*time.Second, func() bool {
		q := getCase(t, h, key).Quota
		return q != nil && q.Used.IsZero() && q.ThisList.IsZero()
	}, "quota not given back: %+v", v.Quota)
}

func TestInspectionThenDetentionOrRelease(t *testing.T) {
	h := newHarness(t)
	detain := flagged(t, h, "RV-INS-1")
	release := flagged(t, h, "RV-INS-2")
	for _, key := range []string{detain, release} {
		mustAct(t, h, servicetest.KeyOfficer, key, reviewrule.ActionClaim, nil, http.StatusOK)
		// No inspection result on a list in review.
		if code, pc := act(t, h, servicetest.KeyOfficer, key, reviewrule.ActionInspectionResult, map[string]string{"result": "release"}); code != http.StatusConflict || pc != string(errcode.ReviewStatus) {
			t.Fatalf("result before inspection: %d %s", code, pc)
		}
		mustAct(t, h, servicetest.KeyOfficer, key, reviewrule.ActionInspect, map[string]string{"reason": "check the weight"}, http.StatusAccepted)
		v := waitStatus(t, h, key, inventory.StatusInspect)
		// The officer keeps the claim to record the result.
		if v.Claim == nil || v.Claim.Officer != "OFFICER01" {
			t.Errorf("claim after inspection order: %+v", v.Claim)
		}
		if code, pc := act(t, h, servicetest.KeyOfficer, key, reviewrule.ActionInspect, nil); code != http.StatusConflict || pc != string(errcode.ReviewStatus) {
			t.Errorf("second inspection: %d %s", code, pc)
		}
	}
	waitReceipt(t, h, "RV-INS-1", inventory.StatusInspect)
	for _, bad := range []map[string]string{{"result": "detain", "status": "504"}, {"result": "maybe"}} {
		if code, pc := act(t, h, servicetest.KeyOfficer, detain, reviewrule.ActionInspectionResult, bad); code != http.StatusBadRequest {
			t.Errorf("result %v: %d %s", bad, code, pc)
		}
	}
	mustAct(t, h, servicetest.KeyOfficer, detain, reviewrule.ActionInspectionResult, map[string]string{"result": "detain", "status": "502", "reason": "suspected smuggling"}, http.StatusAccepted)
	mustAct(t, h, servicetest.KeyOfficer, release, reviewrule.ActionInspectionResult, map[string]string{"result": "release"}, http.StatusAccepted)
	waitStatus(t, h, detain, "502")
	waitReceipt(t, h, "RV-INS-1", "502")
	waitStatus(t, h, release, inventory.StatusReleased)
	waitReceipt(t, h, "RV-INS-2", inventory.StatusReleased)
}

func TestClaims(t *testing.T) {
	h := newHarness(t)
	key := flagged(t, h, "RV-CLM-1")
	// Deciding needs the claim.
	if code, pc := act(t, h, servicetest.KeyOfficer, key, reviewrule.ActionRelease, nil); code != http.StatusConflict || pc != string(errcode.ReviewNotClaimant) {
		t.Fatalf("release unclaimed: %d %s", code, pc)
	}
	if code, pc := act(t, h, servicetest.KeyOfficer, key, reviewrule.ActionUnclaim, nil); code != http.StatusConflict || pc != string(errcode.ReviewNotClaimant) {
		t.Fatalf("unclaim unclaimed: %d %s", code, pc)
	}
	mustAct(t, h, servicetest.KeyOfficer, key, reviewrule.ActionClaim, nil, http.StatusOK)
	mustAct(t, h, servicetest.KeyOfficer, key, reviewrule.ActionClaim, nil, http.StatusOK) // renews
	for _, a := range []string{reviewrule.ActionClaim, reviewrule.ActionRelease, reviewrule.ActionUnclaim} {
		if code, pc := act(t, h, KeyOfficer2, key, a, nil); code != http.StatusConflict || pc != string(errcode.ReviewClaimed) {
			t.Errorf("%s by another officer: %d %s", a, code, pc)
		}
	}
	// An officer's queue hides a case another officer holds.
	if n := len(list(t, h, KeyOfficer2, "").Cases); n != 0 {
		t.Errorf("OFFICER02 sees %d cases held by OFFICER01", n)
	}
	// Released, the claim is free again.
	mustAct(t, h, servicetest.KeyOfficer, key, reviewrule.ActionUnclaim, nil, http.StatusOK)
	mustAct(t, h, KeyOfficer2, key, reviewrule.ActionClaim, nil, http.StatusOK)
	// A claim expires after reviewClaimTTL (30 m).
	h.Clock.Advance(31 * time.Minute)
	mustAct(t, h, servicetest.KeyOfficer, key, reviewrule.ActionClaim, nil, http.StatusOK)
	if v := getCase(t, h, key); v.Claim == nil || v.Claim.Officer != "OFFICER01" || !v.Claim.Until.Equal(servicetest.Start.Add(61*time.Minute).UTC()) {
		t.Errorf("claim after expiry %+v", v.Claim)
	}
	// Only a supervisor reassigns; the target must be an officer.
	if code, pc := act(t, h, servicetest.KeyOfficer, key, reviewrule.ActionReassign, map[string]string{"officer": "OFFICER02"}); code != http.StatusForbidden {
		t.Errorf("officer reassigns: %d %s", code, pc)
	}
	if code, _ := act(t, h, servicetest.KeySuper, key, reviewrule.ActionReassign, map[string]string{"officer": "1500000001"}); code != http.StatusBadRequest {
		t.Errorf("reassign to a platform: %d", code)
	}
	mustAct(t, h, servicetest.KeySuper, key, reviewrule.ActionReassign, map[string]string{"officer": "OFFICER02"}, http.StatusOK)
	if v := getCase(t, h, key); v.Claim == nil || v.Claim.Officer != "OFFICER02" || v.Claim.By != "SUPER01" {
		t.Errorf("reassigned claim %+v", v.Claim)
	}
	// A supervisor sees every case and decides without the claim.
	if n := len(list(t, h, servicetest.KeySuper, "claimedBy=OFFICER02").Cases); n != 1 {
		t.Errorf("supervisor sees %d cases claimed by OFFICER02", n)
	}
	mustAct(t, h, servicetest.KeySuper, key, reviewrule.ActionRelease, nil, http.StatusAccepted)
	waitStatus(t, h, key, inventory.StatusReleased)
	entries := auditMessages(t, h, "SUPER01")
	if len(entries) != 2 || entries[0].Action != "reassign" || entries[0].Target != "OFFICER02" || entries[0].Before.ClaimedBy != "OFFICER01" || entries[0].After.ClaimedBy != "OFFICER02" {
		t.Errorf("supervisor audit %+v", entries)
	}
}

func TestNotes(t *testing.T) {
	h := newHarness(t)
	key := flagged(t, h, "RV-NOTE-1")
	if code, _ := act(t, h, servicetest.KeyOfficer, key, reviewrule.ActionNotes, map[string]string{"text": ""}); code != http.StatusBadRequest {
		t.Errorf("empty note: %d", code)
	}
	if code, _ := act(t, h, servicetest.KeyOfficer, key, reviewrule.ActionNotes, map[string]any{"text": "x", "extra": 1}); code != http.StatusBadRequest {
		t.Errorf("unknown field: %d", code)
	}
	mustAct(t, h, servicetest.KeyOfficer, key, reviewrule.ActionNotes, map[string]string{"text": "called the platform"}, http.StatusOK)
	mustAct(t, h, KeyOfficer2, key, reviewrule.ActionNotes, map[string]string{"text": "second opinion"}, http.StatusOK)
	v := getCase(t, h, key)
	if len(v.Notes) != 2 || v.Notes[0].Officer != "OFFICER01" || v.Notes[1].Text != "second opinion" || len(v.Audit) != 2 || v.Audit[1].Note != "second opinion" {
		t.Errorf("notes %+v audit %+v", v.Notes, v.Audit)
	}
}

// TestClaimRace has two officers claim the same cases at the same instant:
// exactly one wins each case and the other is told it is taken.
func TestClaimRace(t *testing.T) {
	h := newHarness(t)
	var keys []string
	for i := range 4 {
		keys = append(keys, flagged(t, h, fmt.Sprintf("RV-RACE-%d", i)))
	}
	for _, key := range keys {
		start := make(chan struct{})
		var wg sync.WaitGroup
		codes := make([]int, 2)
		problems := make([]string, 2)
		for i, k := range []string{servicetest.KeyOfficer, KeyOfficer2} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				codes[i], problems[i] = act(t, h, k, key, reviewrule.ActionClaim, nil)
			}()
		}
		close(start)
		wg.Wait()
		won, lost := 0, 0
		for i := range codes {
			switch {
			case codes[i] == http.StatusOK:
				won++
			case codes[i] == http.StatusConflict && problems[i] == string(errcode.ReviewClaimed):
				lost++
			}
		}
		if won != 1 || lost != 1 {
			t.Errorf("%s: claims answered %v %v, want one 200 and one 409 %s", key, codes, problems, errcode.ReviewClaimed)
		}
		if v := getCase(t, h, key); len(v.Audit) != 1 {
			t.Errorf("%s: %d audit entries, want the winner's only", key, len(v.Audit))
		}
	}
}

// TestDecisionRace has the claimant and a supervisor decide at once: one
// decision goes to clearance, the other gets 409 -903002.
func TestDecisionRace(t *testing.T) {
	h := newHarness(t)
	key := flagged(t, h, "RV-DRACE-1")
	mustAct(t, h, servicetest.KeyOfficer, key, reviewrule.ActionClaim, nil, http.StatusOK)
	start := make(chan struct{})
	var wg sync.WaitGroup
	codes := make([]int, 2)
	problems := make([]string, 2)
	for i, c := range []struct{ key, action string }{{servicetest.KeyOfficer, reviewrule.ActionRelease}, {servicetest.KeySuper, reviewrule.ActionReject}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			codes[i], problems[i] = act(t, h, c.key, key, c.action, map[string]string{"reason": "race"})
		}()
	}
	close(start)
	wg.Wait()
	oneWon := codes[0] == http.StatusAccepted && codes[1] == http.StatusConflict ||
		codes[1] == http.StatusAccepted && codes[0] == http.StatusConflict
	if !oneWon {
		t.Fatalf("decisions answered %v %v", codes, problems)
	}
	for i := range codes {
		if codes[i] == http.StatusConflict && problems[i] != string(errcode.ReviewDecided) {
			t.Errorf("loser's code %s, want %s", problems[i], errcode.ReviewDecided)
		}
	}
	want := inventory.StatusReleased
	if codes[1] == http.StatusAccepted {
		want = inventory.StatusRejected
	}
	waitStatus(t, h, key, want)
	if v := getCase(t, h, key); len(v.Audit) != 2 {
		t.Errorf("audit %+v", v.Audit)
	}
}

func list(t *testing.T, h *servicetest.Harness, apiKey, query string) review.ListResponse {
	t.Helper()
	code, b, _ := h.Do("GET", "/v1/review/cases?"+query, apiKey, "", nil)
	if code != http.StatusOK {
		t.Fatalf("list %s: %d %s", query, code, b)
	}
	var l review.ListResponse
	if err := json.Unmarshal(b, &l); err != nil {
		t.Fatal(err)
	}
	return l
}

// mixedQueue makes three cases named prefix-1, -2 and -3: a, requested
// first and left waiting; gap later b, claimed by OFFICER01, and c,
// released by OFFICER01.
func mixedQueue(t *testing.T, h *servicetest.Harness, prefix string, gap time.Duration) (a, b, c string) {
	t.Helper()
	a = flagged(t, h, prefix+"-1")
	h.Clock.Advance(gap)
	b = flagged(t, h, prefix+"-2")
	c = flagged(t, h, prefix+"-3")
	mustAct(t, h, servicetest.KeyOfficer, c, reviewrule.ActionClaim, nil, http.StatusOK)
	mustAct(t, h, servicetest.KeyOfficer, c, reviewrule.ActionRelease, nil, http.StatusAccepted)
	waitStatus(t, h, c, inventory.StatusReleased)
	mustAct(t, h, servicetest.KeyOfficer, b, reviewrule.ActionClaim, nil, http.StatusOK)
	return a, b, c
}

func TestListFiltersAndCounts(t *testing.T) {
	h := newHarness(t)
	a, b, c := mixedQueue(t, h, "RV-LIST", 20*time.Minute)

	keys := func(l review.ListResponse) []string {
		var out []string
		for _, v := range l.Cases {
			out = append(out, v.Key)
		}
		return out
	}
	cases := []struct {
		query string
		want  []string
	}{
		{"", []string{a, b}},
		{"status=open", []string{a, b}},
		{"status=300", []string{a, b}},
		{"status=800", []string{c}},
		{"status=closed", []string{c}},
		{"status=all", []string{a, b, c}},
		{"platform=" + cebtest.EbpCode, []string{a, b}},
		{"platform=9999999999", nil},
		{"rule=R001", []string{a, b}},
		{"rule=R005", nil},
		{"minAgeMinutes=15", []string{a}},
		{"claimedBy=me", []string{b}},
		{"claimedBy=OFFICER01", []string{b}},
		{"claimedBy=none", []string{a}},
	}
	for _, tc := range cases {
		got := keys(list(t, h, servicetest.KeyOfficer, tc.query))
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("%q: %v, want %v", tc.query, got, tc.want)
		}
	}
	// The open queue counts the open cases only; a listing that reads the
	// closed ones counts them too.
	l := list(t, h, servicetest.KeyOfficer, "")
	if _, closed := l.Counts["closed"]; l.Counts["300"] != 2 || l.Counts["open"] != 2 || closed {
		t.Errorf("open counts %v", l.Counts)
	}
	l = list(t, h, servicetest.KeyOfficer, "status=all")
	if l.Counts["300"] != 2 || l.Counts["800"] != 1 || l.Counts["open"] != 2 || l.Counts["closed"] != 1 || l.Counts["all"] != 3 {
		t.Errorf("counts %v", l.Counts)
	}
	// OFFICER02 does not see b (OFFICER01 holds it) nor c (decided by another).
	if got := keys(list(t, h, KeyOfficer2, "status=all")); len(got) != 1 || got[0] != a {
		t.Errorf("OFFICER02 sees %v", got)
	}
	for _, q := range []string{"minAgeMinutes=x", "limit=0", "limit=501", "limit=x", "after=not-a-cursor", "after=" + strings.Repeat("A", 500)} {
		if code, _, _ := h.Do("GET", "/v1/review/cases?"+q, servicetest.KeyOfficer, "", nil); code != http.StatusBadRequest {
			t.Errorf("bad %s: %d", q, code)
		}
	}
	// Pages: oldest request first (a, then b and c of the same minute by
	// key), each page's next cursor leading to the following one; the
	// counts stay those of the whole queue.
	want := []string{a, b, c}
	slices.Sort(want[1:])
	for _, size := range []int{1, 2, 3, 5} {
		var got []string
		after := ""
		for page := 0; ; page++ {
			l := list(t, h, servicetest.KeyOfficer, fmt.Sprintf("status=all&limit=%d&after=%s", size, after))
			if len(l.Cases) > size || l.Counts["all"] != 3 || page > 3 {
				t.Fatalf("limit %d page %d: %d cases, counts %v", size, page, len(l.Cases), l.Counts)
			}
			got = append(got, keys(l)...)
			if l.Next == "" {
				break
			}
			after = l.Next
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("limit %d: pages give %v, want %v", size, got, want)
		}
	}
	// The desk links the next page, keeping the filters.
	d := signIn(t, h, servicetest.KeySuper)
	resp, err := d.client.Get(h.URL + "/review/?status=all&limit=2")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	m := regexp.MustCompile(`id="next-page" href="([^"]+)"|href="([^"]+)" id="next-page"`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("desk queue of 3 cases by 2 without a next-page link:\n%s", page)
	}
	next := html.UnescapeString(string(m[1]) + string(m[2]))
	if !strings.Contains(next, "status=all") || !strings.Contains(next, "limit=2") || !strings.Contains(next, "after=") {
		t.Fatalf("next-page link %q", next)
	}
	resp, err = d.client.Get(h.URL + next)
	if err != nil {
		t.Fatal(err)
	}
	page, _ = io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if !strings.Contains(string(page), `data-key="`+want[2]+`"`) || strings.Contains(string(page), `data-key="`+want[0]+`"`) || strings.Contains(string(page), `id="next-page"`) {
		t.Fatalf("second desk page:\n%s", page)
	}
}

// TestEventsAreIdempotent republishes the review request of a decided
// list, as a replay after the duplicate window would: the case stays
// decided.
func TestEventsAreIdempotent(t *testing.T) {
	h := newHarness(t)
	key := flagged(t, h, "RV-IDEM-1")
	ctx := context.Background()
	s, err := h.JS.Stream(ctx, broker.StreamEvents)
	if err != nil {
		t.Fatal(err)
	}
	req, err := s.GetLastMsgForSubject(ctx, broker.EventSubject("review", "requested"))
	if err != nil {
		t.Fatal(err)
	}
	mustAct(t, h, servicetest.KeyOfficer, key, reviewrule.ActionClaim, nil, http.StatusOK)
	mustAct(t, h, servicetest.KeyOfficer, key, reviewrule.ActionRelease, nil, http.StatusAccepted)
	waitStatus(t, h, key, inventory.StatusReleased)
	if _, err := h.JS.Publish(ctx, req.Subject, req.Data); err != nil {
		t.Fatal(err)
	}
	// Wait for the consumer to pass the copy, then look at the case.
	waitConsumerIdle(t, h)
	if v := getCase(t, h, key); v.Status != inventory.StatusReleased || v.Open {
		t.Errorf("replayed request reopened the case: %s", v.Status)
	}
}

func TestAuthorization(t *testing.T) {
	h := newHarness(t)
	key := flagged(t, h, "RV-AUTH-1")
	others := []string{servicetest.KeyEBP, servicetest.KeyEBC, servicetest.KeyPay, servicetest.KeyLogistics,
		servicetest.KeyAgent, servicetest.KeyWarehouse, servicetest.KeyOperator}
	for _, k := range others {
		for _, req := range []struct{ method, path string }{
			{"GET", "/v1/review/cases"},
			{"GET", "/v1/review/cases/" + key},
			{"POST", "/v1/review/cases/" + key + "/claim"},
			{"POST", "/v1/review/cases/" + key + "/release"},
		} {
			code, b, _ := h.Do(req.method, req.path, k, "", nil)
			if code != http.StatusForbidden || servicetest.DecodeProblem(t, b).Code != string(errcode.Forbidden) {
				t.Errorf("%s %s %s: %d %s, want 403", k, req.method, req.path, code, b)
			}
		}
		if code := signIn(t, h, k).status; code != http.StatusForbidden {
			t.Errorf("desk sign-in with %s: %d, want 403", k, code)
		}
	}
	for _, path := range []string{"/v1/review/cases", "/v1/review/cases/" + key} {
		if code, _, _ := h.Do("GET", path, "", "", nil); code != http.StatusUnauthorized {
			t.Errorf("no key %s: %d", path, code)
		}
		if code, _, _ := h.Do("GET", path, "wrong-key", "", nil); code != http.StatusUnauthorized {
			t.Errorf("unknown key %s: %d", path, code)
		}
	}
	if code, _, _ := h.Do("GET", "/v1/review/cases/inv.nope.nope", servicetest.KeyOfficer, "", nil); code != http.StatusNotFound {
		t.Errorf("unknown case: %d", code)
	}
	// The desk without a session sends a browser to sign in.
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(h.URL + "/review/")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/review/login" {
		t.Errorf("desk without session: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}

	// An officer's session: the cookie is HttpOnly, SameSite=Strict and
	// expires; POSTs need the session's CSRF token.
	s := signIn(t, h, servicetest.KeyOfficer)
	if s.status != http.StatusSeeOther {
		t.Fatalf("officer sign-in: %d", s.status)
	}
	ck := s.cookie
	if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.MaxAge != int(review.SessionTTL/time.Second) {
		t.Fatalf("session cookie %+v", ck)
	}
	csrf := s.csrf(t, "/review/cases/"+key)
	post := func(path string, form url.Values, hdr ...string) (int, string) {
		req, _ := http.NewRequest("POST", h.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := s.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode >= 400 {
			return resp.StatusCode, servicetest.DecodeProblem(t, b).Code
		}
		return resp.StatusCode, ""
	}
	for _, bad := range []string{"", "wrong", csrf + "x"} {
		if code, pc := post("/review/cases/"+key+"/claim", url.Values{"csrf": {bad}}); code != http.StatusForbidden || pc != string(errcode.ReviewCSRF) {
			t.Errorf("desk claim with csrf %q: %d %s", bad, code, pc)
		}
		if code, pc := post("/v1/review/cases/"+key+"/claim", nil, review.CSRFHeader, bad); code != http.StatusForbidden || pc != string(errcode.ReviewCSRF) {
			t.Errorf("API claim on the session with csrf %q: %d %s", bad, code, pc)
		}
	}
	if code, _ := post("/review/cases/"+key+"/claim", url.Values{"csrf": {csrf}}); code != http.StatusSeeOther {
		t.Errorf("desk claim with the token: %d", code)
	}
	if code, _ := post("/v1/review/cases/"+key+"/unclaim", nil, review.CSRFHeader, csrf); code != http.StatusOK {
		t.Errorf("API unclaim on the session with the token: %d", code)
	}
	// Signed out, the session is gone from every replica.
	if code, _ := post("/review/logout", url.Values{"csrf": {csrf}}); code != http.StatusSeeOther {
		t.Errorf("sign out: %d", code)
	}
	req, _ := http.NewRequest("GET", h.URL+"/v1/review/cases", nil)
	req.AddCookie(ck)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("old session after sign-out: %d", resp.StatusCode)
	}
	// A session expires after SessionTTL of the service clock.
	s2 := signIn(t, h, servicetest.KeySuper)
	h.Clock.Advance(review.SessionTTL + time.Minute)
	req, _ = http.NewRequest("GET", h.URL+"/v1/review/cases", nil)
	req.AddCookie(s2.cookie)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("expired session: %d", resp.StatusCode)
	}
	// A forged sign-in form (no token of the sign-in page) is refused.
	resp, err = http.PostForm(h.URL+"/review/login", url.Values{"key": {servicetest.KeyOfficer}})
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("sign-in without the form token: %d", resp.StatusCode)
	}
}

// deskSession is a cookie-jar client signed in to the desk.
type deskSession struct {
	client *http.Client
	status int
	cookie *http.Cookie
	base   string
}

var (
	tokenField = regexp.MustCompile(`name="token" value="([^"]+)"`)
	csrfField  = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
)

// signIn signs in with key through the sign-in form.
func signIn(t *testing.T, h *servicetest.Harness, key string) deskSession {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	s := deskSession{base: h.URL, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	resp, err := s.client.Get(h.URL + "/review/login")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	m := tokenField.FindSubmatch(b)
	if m == nil {
		t.Fatalf("sign-in page without token: %s", b)
	}
	resp, err = s.client.PostForm(h.URL+"/review/login", url.Values{"key": {key}, "token": {string(m[1])}})
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	s.status = resp.StatusCode
	for _, c := range resp.Cookies() {
		if c.Name == review.SessionCookie {
			s.cookie = c
		}
	}
	return s
}

// csrf reads the session's CSRF token from a desk page.
func (s deskSession) csrf(t *testing.T, path string) string {
	t.Helper()
	resp, err := s.client.Get(s.base + path)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	m := csrfField.FindSubmatch(b)
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("%s: %d, no csrf field", path, resp.StatusCode)
	}
	return string(m[1])
}
