package review_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/inventory"
	reviewrule "github.com/cbec/cbec/pkg/review"
	"github.com/cbec/cbec/services/review"
	"github.com/cbec/cbec/services/servicetest"
)

// bulk posts a bulk action and decodes its answer.
func bulk(t *testing.T, h *servicetest.Harness, apiKey, path string, body any, want int) review.BulkResponse {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	code, out, _ := h.Do("POST", path, apiKey, "application/json", b)
	if code != want {
		t.Fatalf("%s: %d %s, want %d", path, code, out, want)
	}
	var r review.BulkResponse
	if want == http.StatusOK {
		if err := json.Unmarshal(out, &r); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// results renders a bulk answer as key=done or key=code.
func results(r review.BulkResponse) string {
	var out []string
	for _, x := range r.Results {
		v := string(x.Code)
		if x.Done {
			v = "done:" + x.Pending
		}
		out = append(out, x.Key+"="+v)
	}
	return strings.Join(out, " ")
}

// TestBulkRelease releases several cases of rule R001 at once: each is
// claimed and released on its own, audited one by one, and a case another
// officer holds or that is gone fails alone.
func TestBulkRelease(t *testing.T) {
	h := newHarness(t)
	a := flagged(t, h, "RV-BULK-1")
	b := flagged(t, h, "RV-BULK-2")
	c := flagged(t, h, "RV-BULK-3")
	mustAct(t, h, KeyOfficer2, c, reviewrule.ActionClaim, nil, http.StatusOK)
	mustAct(t, h, servicetest.KeyOfficer, b, reviewrule.ActionClaim, nil, http.StatusOK)
	gone := "inv.1500000001.NO-SUCH-ORDER"

	// Bad requests are refused whole.
	many := make([]string, review.MaxBulk+1)
	for i := range many {
		many[i] = fmt.Sprintf("inv.1500000001.X%d", i)
	}
	for _, body := range []review.BulkReleaseRequest{
		{Keys: []string{a}},
		{Rule: "R001"},
		{Rule: "R001", Keys: many},
		{Rule: "R001", Keys: []string{a, a}},
	} {
		bulk(t, h, servicetest.KeyOfficer, "/v1/review/bulk/release", body, http.StatusBadRequest)
	}
	// A rule that did not hold the cases releases none of them.
	r := bulk(t, h, servicetest.KeyOfficer, "/v1/review/bulk/release", review.BulkReleaseRequest{Rule: "R005", Keys: []string{a}}, http.StatusOK)
	if r.Done != 0 || r.Failed != 1 || r.Results[0].Code != errcode.BadRequest {
		t.Errorf("release by another rule: %s", results(r))
	}

	r = bulk(t, h, servicetest.KeyOfficer, "/v1/review/bulk/release",
		review.BulkReleaseRequest{Rule: "R001", Reason: "value checked against the invoice", Keys: []string{a, b, c, gone}}, http.StatusOK)
	want := fmt.Sprintf("%s=done:release %s=done:release %s=%s %s=%s", a, b, c, errcode.ReviewClaimed, gone, errcode.NotFound)
	if got := results(r); got != want || r.Done != 2 || r.Failed != 2 {
		t.Fatalf("bulk release: %s (done %d, failed %d), want %s", got, r.Done, r.Failed, want)
	}
	waitStatus(t, h, a, inventory.StatusReleased)
	waitStatus(t, h, b, inventory.StatusReleased)
	if v := getCase(t, h, c); v.Status != inventory.StatusReview || v.Claim == nil || v.Claim.Officer != "OFFICER02" {
		t.Errorf("the case OFFICER02 holds changed: %+v", v)
	}
	// One audit entry per step and case: a claimed and released, b (held
	// already) released.
	perCase := map[string][]string{}
	for _, e := range auditMessages(t, h, "OFFICER01") {
		perCase[e.Case] = append(perCase[e.Case], e.Action)
		if e.Action == reviewrule.ActionRelease && e.Reason != "value checked against the invoice" {
			t.Errorf("release of %s audited with reason %q", e.Case, e.Reason)
		}
	}
	if got := strings.Join(perCase[a], ","); got != "claim,release" {
		t.Errorf("audit of %s: %s", a, got)
	}
	if got := strings.Join(perCase[b], ","); got != "claim,release" {
		t.Errorf("audit of %s: %s", b, got)
	}
	if len(perCase[c]) != 0 {
		t.Errorf("OFFICER01 audited on the case OFFICER02 holds: %v", perCase[c])
	}
	// Done twice, the release is refused: already decided.
	r = bulk(t, h, servicetest.KeyOfficer, "/v1/review/bulk/release", review.BulkReleaseRequest{Rule: "R001", Keys: []string{a}}, http.StatusOK)
	if r.Failed != 1 || r.Results[0].Code != errcode.ReviewDecided {
		t.Errorf("second release: %s", results(r))
	}
}

// TestReassignQueue moves every claim of OFFICER01 to OFFICER02, one
// audited reassignment per case; only a supervisor may.
func TestReassignQueue(t *testing.T) {
	h := newHarness(t)
	a := flagged(t, h, "RV-MOVE-1")
	b := flagged(t, h, "RV-MOVE-2")
	c := flagged(t, h, "RV-MOVE-3")
	d := flagged(t, h, "RV-MOVE-4")
	for _, k := range []string{a, b} {
		mustAct(t, h, servicetest.KeyOfficer, k, reviewrule.ActionClaim, nil, http.StatusOK)
	}
	mustAct(t, h, KeyOfficer2, c, reviewrule.ActionClaim, nil, http.StatusOK)
	path := "/v1/review/officers/OFFICER01/reassign"
	bulk(t, h, servicetest.KeyOfficer, path, review.ReassignQueueRequest{Officer: "OFFICER02"}, http.StatusForbidden)
	bulk(t, h, servicetest.KeySuper, path, review.ReassignQueueRequest{Officer: "1500000001"}, http.StatusBadRequest)
	bulk(t, h, servicetest.KeySuper, path, review.ReassignQueueRequest{Officer: "OFFICER01"}, http.StatusBadRequest)

	r := bulk(t, h, servicetest.KeySuper, path, review.ReassignQueueRequest{Officer: "OFFICER02"}, http.StatusOK)
	if got, want := results(r), a+"=done: "+b+"=done:"; got != want || r.Done != 2 {
		t.Fatalf("reassign: %s, want %s", got, want)
	}
	got := keysOf(list(t, h, servicetest.KeySuper, "claimedBy=OFFICER02"))
	if strings.Join(got, ",") != strings.Join([]string{a, b, c}, ",") {
		t.Errorf("OFFICER02 holds %v", got)
	}
	if got := keysOf(list(t, h, servicetest.KeySuper, "claimedBy=none")); len(got) != 1 || got[0] != d {
		t.Errorf("unclaimed after the move: %v", got)
	}
	var moved []string
	for _, e := range auditMessages(t, h, "SUPER01") {
		if e.Action == reviewrule.ActionReassign && e.Target == "OFFICER02" && e.Before.ClaimedBy == "OFFICER01" {
			moved = append(moved, e.Case)
		}
	}
	if strings.Join(moved, ",") != a+","+b {
		t.Errorf("audited reassignments %v", moved)
	}
	// An empty queue moves nothing.
	if r := bulk(t, h, servicetest.KeySuper, path, review.ReassignQueueRequest{Officer: "OFFICER02"}, http.StatusOK); len(r.Results) != 0 {
		t.Errorf("second move: %s", results(r))
	}
}

// keysOf is the keys of a listing's cases.
func keysOf(l review.ListResponse) []string {
	var out []string
	for _, v := range l.Cases {
		out = append(out, v.Key)
	}
	return out
}
