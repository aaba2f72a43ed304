package demo_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/ceb/cebtest"
)

var update = flag.Bool("update", false, "rewrite the demo documents")

// InvtNoPlaceholder stands for the import list number in the return
// applications: customs gives it at 120, so the README's walk-through
// reads it from the list's state and puts it in before posting.
const InvtNoPlaceholder = "@INVTNO@"

// files are the README's walk-through documents, by path under
// deploy/demo, each built with pkg/ceb/cebtest, the builders the tests
// decide: the import of order.json… (DEMO-0001), the return walk-through's
// own import of DEMO-R001 with its two return applications, and the 9610
// export DEMO-E001 from order to departure with the month's summary
// application.
func files() map[string]any {
	out := map[string]any{}
	o, p, l, i := cebtest.Set("DEMO-0001")
	out["order.json"], out["payment.json"], out["waybill.json"], out["inventory.json"] = o, p, l, i

	// The return: released on 2025-03-10 (the documents' date), applied for
	// on day 30 — the last day — for the two cans of line 1; then, on day
	// 45, an application for line 2 that comes too late.
	o, p, l, i = cebtest.Set("DEMO-R001")
	out["return/order.json"], out["return/payment.json"], out["return/waybill.json"], out["return/inventory.json"] = o, p, l, i
	r := cebtest.Refund(i, InvtNoPlaceholder)
	r.InvtRefundHead.AppTime = "20250409180000"
	r.InvtRefundList = r.InvtRefundList[:1]
	out["return/return.json"] = r
	late := cebtest.Refund(i, InvtNoPlaceholder)
	late.InvtRefundHead.Guid = cebtest.GUID("refund-late", i.InventoryHead.OrderNo)
	late.InvtRefundHead.AppTime = "20250424170000"
	late.InvtRefundList = late.InvtRefundList[1:]
	out["return/return-late.json"] = late

	// The export: declared on 2025-03-10, its goods at the site that day,
	// gone the next morning; the March summary applied for on 1 April.
	eo, er, el, ei := cebtest.ExportSet("DEMO-E001")
	out["export/order.json"], out["export/receipt.json"], out["export/waybill.json"], out["export/inventory.json"] = eo, er, el, ei
	out["export/arrival.json"] = cebtest.Arrival(el)
	out["export/departure.json"] = cebtest.Departure(el)
	s := cebtest.SummaryApply()
	s.SummaryApplyHead.AppTime = "20250401100000"
	s.SummaryApplyHead.StartTime, s.SummaryApplyHead.EndTime = "20250301000000", "20250331235959"
	out["export/summary.json"] = s
	return out
}

// TestDemoDocumentsAreTheFixtures keeps the README's walk-through documents
// identical to the cebtest builders that the tests decide: if the fixtures
// change, run `go test ./deploy/demo/ -update`.
func TestDemoDocumentsAreTheFixtures(t *testing.T) {
	fs := files()
	names := make([]string, 0, len(fs))
	for name := range fs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		want, err := json.MarshalIndent(fs[name], "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, '\n')
		if *update {
			if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(name, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from its cebtest fixture; run go test ./deploy/demo/ -update", name)
		}
	}
}

// TestDemoDocumentsAreValid checks every demo document as the gateway
// does (ceb.ValidateDocument) once the return's list number is filled in,
// so that the walk-through's posts are accepted whole.
func TestDemoDocumentsAreValid(t *testing.T) {
	for name, doc := range files() {
		if r, ok := doc.(*ceb.InvtRefund); ok {
			r.InvtRefundHead.InvtNo = cebtest.InvtNo(r.InvtRefundHead.OrderNo)
		}
		if errs := ceb.ValidateDocument(doc.(ceb.Document), name); len(errs) > 0 {
			t.Errorf("%s: %v", name, errs)
		}
	}
}
