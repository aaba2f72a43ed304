package export_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/ceb/cebtest"
	"github.com/cbec/cbec/pkg/clock"
	"github.com/cbec/cbec/pkg/errcode"
	exportrule "github.com/cbec/cbec/pkg/export"
	"github.com/cbec/cbec/pkg/natstest"
	"github.com/cbec/cbec/pkg/tooltest"
	"github.com/cbec/cbec/services/export"
	st "github.com/cbec/cbec/services/servicetest"
)

type set struct {
	o *ceb.ExportOrder
	r *ceb.Receipts
	l *ceb.ExportLogistics
	i *ceb.ExportInventory
}

func newSet(orderNo string) set {
	o, r, l, i := cebtest.ExportSet(orderNo)
	return set{o, r, l, i}
}

func submit(h *st.Harness, s set) {
	h.T.Helper()
	submitExport(h, "orders", st.KeyEBP, s.o)
	submitExport(h, "receipts", st.KeyPay, s.r)
	submitExport(h, "waybills", st.KeyLogistics, s.l)
	submitExport(h, "inventories", st.KeyAgent, s.i)
}

func submitExport(h *st.Harness, kind, key string, doc any) {
	h.T.Helper()
	body, _ := json.Marshal(doc)
	code, b, _ := h.Do("POST", "/v1/export/"+kind, key, "application/json", body)
	if code != http.StatusAccepted {
		h.T.Fatalf("export %s: %d %s", kind, code, b)
	}
}

func list(h *st.Harness, orderNo string) export.List {
	h.T.Helper()
	code, b, _ := h.Do("GET", "/v1/export/lists/"+cebtest.EbpCode+"/"+orderNo, st.KeyAgent, "", nil)
	if code == http.StatusNotFound {
		return export.List{}
	}
	if code != http.StatusOK {
		h.T.Fatalf("list: %d %s", code, b)
	}
	var l export.List
	if err := json.Unmarshal(b, &l); err != nil {
		h.T.Fatal(err)
	}
	return l
}

func waitList(h *st.Harness, orderNo string, status string) export.List {
	h.T.Helper()
	var l export.List
	natstest.Eventually(h.T, 10*time.Second, func() bool {
		l = list(h, orderNo)
		return l.Status == status || l.Status == exportrule.StatusRejected && status != exportrule.StatusRejected
	}, "%s: status %s", orderNo, status)
	if l.Status != status {
		h.T.Fatalf("%s: %s %s %+v", orderNo, l.Status, l.Code, l.History)
	}
	return l
}

func TestExportFlowFromOrderToClosed(t *testing.T) {
	h := st.New(t)
	s := newSet("EXP-FLOW")
	submit(h, s)
	waitList(h, "EXP-FLOW", exportrule.StatusAccepted)
	submitExport(h, "arrivals", st.KeyLogistics, cebtest.Arrival(s.l))
	waitList(h, "EXP-FLOW", exportrule.StatusReleased)
	// The release's receipts are stored just after the state that says
	// 800; a logistics company departs on the 800 receipt, not on a state
	// read a millisecond after the change (docs/openapi.yaml, receipts:
	// order one declaration's by returnTime).
	h.WaitReceipts(st.KeyAgent, "msgType=CEB604", 3)
	submitExport(h, "departures", st.KeyLogistics, cebtest.Departure(s.l))
	l := waitList(h, "EXP-FLOW", exportrule.StatusClosed)
	if len(l.InvtNo) != 18 || l.ReleasedAt.IsZero() || l.DepartedAt.IsZero() {
		t.Fatalf("list %+v", l)
	}
	// An arrival that names no site (loctNo is optional) reads as a
	// sentence, not with a dangling space.
	for _, step := range l.History {
		if step.Info != strings.TrimSpace(step.Info) {
			t.Errorf("step %s: info %q has surrounding space", step.Status, step.Info)
		}
	}
	recs := h.WaitReceipts(st.KeyAgent, "msgType=CEB604", 4)
	var got []string
	for _, r := range recs {
		got = append(got, r.Status())
	}
	if strings.Join(got, ",") != "2,120,800,899" {
		t.Fatalf("CEB604 receipts %v", got)
	}
	for _, q := range []string{"msgType=CEB304", "msgType=CEB506", "msgType=CEB508", "msgType=CEB510"} {
		key := st.KeyLogistics
		if q == "msgType=CEB304" {
			key = st.KeyEBP
		}
		if n := len(h.WaitReceipts(key, q, 1)); n != 1 {
			t.Errorf("%s: %d receipts", q, n)
		}
	}
	// Cancelling a departed list is refused.
	submitExport(h, "cancellations", st.KeyAgent, cebtest.ExportCancel(s.i, l.InvtNo))
	cr := h.WaitReceipts(st.KeyAgent, "msgType=CEB606", 1)
	if cr[0].Status() != "100" || !strings.HasPrefix(cr[0].Info(), string(errcode.CancelForbidden)) {
		t.Fatalf("cancellation of a closed list: %s %s", cr[0].Status(), cr[0].Info())
	}
}

func TestExportChecksRejectWithTheirCodes(t *testing.T) {
	h := st.New(t)
	cases := []struct {
		name   string
		code   errcode.Code
		mutate func(s *set)
	}{
		{"prohibited goods", errcode.ExportProhibited, func(s *set) {
			for n := range s.i.InventoryList {
				s.i.InventoryList[n].Gcode = "9301100000"
			}
		}},
		{"simplified declaration of goods with an export duty", errcode.ExportSimplified, func(s *set) {
			s.i.InventoryHead.StatisticsFlag = "A"
			s.i.InventoryList[0].Gcode = "7202110000"
		}},
		{"no producer or seller", errcode.ExportParties, func(s *set) { s.i.InventoryHead.OwnerCode = " " }},
		{"charge differs from the order", errcode.ExportCharge, func(s *set) { s.r.Charge = ceb.MustAmount("1.00") }},
	}
	for n, c := range cases {
		s := newSet("EXP-REJ-" + string(rune('A'+n)))
		c.mutate(&s)
		submit(h, s)
		l := waitList(h, s.o.OrderHead.OrderNo, exportrule.StatusRejected)
		if info := l.History[len(l.History)-1].Info; !strings.Contains(info, string(c.code)+": ") {
			t.Errorf("%s: %s %+v", c.name, l.Code, l.History)
		}
	}
}

func TestExportCancellationBeforeDeparture(t *testing.T) {
	h := st.New(t)
	s := newSet("EXP-CAN")
	submit(h, s)
	l := waitList(h, "EXP-CAN", exportrule.StatusAccepted)
	submitExport(h, "cancellations", st.KeyAgent, cebtest.ExportCancel(s.i, l.InvtNo))
	waitList(h, "EXP-CAN", exportrule.StatusCancelled)
	recs := h.WaitReceipts(st.KeyAgent, "msgType=CEB606", 2)
	if recs[0].Status() != "120" || recs[1].Status() != "399" {
		t.Fatalf("CEB606 %s %s", recs[0].Status(), recs[1].Status())
	}
	// Its arrival no longer releases it.
	submitExport(h, "arrivals", st.KeyLogistics, cebtest.Arrival(s.l))
	h.WaitReceipts(st.KeyLogistics, "msgType=CEB508", 1)
	if got := list(h, "EXP-CAN").Status; got != exportrule.StatusCancelled {
		t.Fatalf("arrival revived a cancelled list: %s", got)
	}
}

// TestMonthlySummaryDeclaration releases B lists in March 2025, has the
// month-end sweep compute the summary due by 15 April, shows it overdue
// after that, and declares it with a CEB701.
func TestMonthlySummaryDeclaration(t *testing.T) {
	h := st.New(t)
	var sets []set
	for _, o := range []string{"SUM-1", "SUM-2", "SUM-3"} {
		s := newSet(o)
		submit(h, s)
		waitList(h, o, exportrule.StatusAccepted)
		sets = append(sets, s)
	}
	var ls []*ceb.ExportLogistics
	for _, s := range sets {
		ls = append(ls, s.l)
	}
	submitExport(h, "arrivals", st.KeyLogistics, cebtest.Arrival(ls...))
	var invtNos []string
	for _, s := range sets {
		invtNos = append(invtNos, waitList(h, s.o.OrderHead.OrderNo, exportrule.StatusReleased).InvtNo)
	}
	x := h.Export.(*export.Export)
	summaries := func(query string) []export.Declaration {
		code, b, _ := h.Do("GET", "/v1/export/summaries?"+query, st.KeyEBC, "", nil) // the consignor
		if code != http.StatusOK {
			t.Fatalf("summaries: %d %s", code, b)
		}
		var r export.SummariesResponse
		_ = json.Unmarshal(b, &r)
		return r.Summaries
	}
	h.Clock.Set(time.Date(2025, 4, 1, 2, 0, 0, 0, clock.Shanghai))
	if err := x.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	var due []export.Declaration
	natstest.Eventually(t, 5*time.Second, func() bool { due = summaries("month=2025-03"); return len(due) == 1 }, "summary due")
	if due[0].Status != exportrule.SummaryDue || due[0].Overdue || len(due[0].Lists) != 3 || due[0].Consignor != cebtest.EbcCode {
		t.Fatalf("due summary %+v", due[0])
	}
	if want := time.Date(2025, 4, 16, 0, 0, 0, 0, clock.Shanghai); !due[0].Due.Equal(want) {
		t.Fatalf("due %v, want the end of 15 April", due[0].Due)
	}
	h.Clock.Set(time.Date(2025, 4, 16, 0, 0, 0, 0, clock.Shanghai))
	if over := summaries("overdue=true"); len(over) != 1 {
		t.Fatalf("overdue summaries %d", len(over))
	}
	apply := cebtest.SummaryApply(invtNos...)
	submitExport(h, "summaries", st.KeyAgent, apply)
	res := h.WaitReceipts(st.KeyAgent, "msgType=CEB792", 1)
	var result ceb.SummaryResult
	if err := json.Unmarshal(res[0].Receipt, &result); err != nil {
		t.Fatal(err)
	}
	if len(result.SummaryResultList) != 6 { // 3 lists × 2 lines
		t.Fatalf("CEB792 lines %d", len(result.SummaryResultList))
	}
	if r := h.WaitReceipts(st.KeyAgent, "msgType=CEB702", 1); r[0].Status() != "120" {
		t.Fatalf("CEB702 %s %s", r[0].Status(), r[0].Info())
	}
	natstest.Eventually(t, 5*time.Second, func() bool {
		s := summaries("month=2025-03")
		return len(s) == 1 && s[0].Status == exportrule.SummaryDeclared && !s[0].Overdue
	}, "declared summary")
}

// TestSummaryOverATimeWindow declares with startTime/endTime instead of a
// list of invtNos: the consignor's released B lists in the window.
func TestSummaryOverATimeWindow(t *testing.T) {
	h := st.New(t)
	s := newSet("WIN-1")
	submit(h, s)
	waitList(h, "WIN-1", exportrule.StatusAccepted)
	submitExport(h, "arrivals", st.KeyLogistics, cebtest.Arrival(s.l))
	waitList(h, "WIN-1", exportrule.StatusReleased)
	apply := cebtest.SummaryApply()
	apply.SummaryApplyList = nil
	apply.SummaryApplyHead.StartTime, apply.SummaryApplyHead.EndTime = "20250301000000", "20250331235959"
	apply.SummaryApplyHead.SummaryFlag = "2"
	submitExport(h, "summaries", st.KeyAgent, apply)
	res := h.WaitReceipts(st.KeyAgent, "msgType=CEB792", 1)
	var result ceb.SummaryResult
	if err := json.Unmarshal(res[0].Receipt, &result); err != nil {
		t.Fatal(err)
	}
	if len(result.SummaryResultList) != 2 || result.SummaryResultList[0].InvtNo != list(h, "WIN-1").InvtNo {
		t.Fatalf("CEB792 %+v", result.SummaryResultList)
	}
}

// TestEmittedExportXMLValidates reads the export receipts as CEB XML and
// validates each message with xmllint against export.xsd.
func TestEmittedExportXMLValidates(t *testing.T) {
	xmllint := tooltest.Need(t, "xmllint")
	xsd := "../../../shared/ceb/xsd/export.xsd"
	if d := os.Getenv("CBEC_SHARED"); d != "" {
		xsd = d + "/ceb/xsd/export.xsd"
	}
	h := st.New(t)
	s := newSet("XML-1")
	submit(h, s)
	l := waitList(h, "XML-1", exportrule.StatusAccepted)
	submitExport(h, "arrivals", st.KeyLogistics, cebtest.Arrival(s.l))
	waitList(h, "XML-1", exportrule.StatusReleased)
	submitExport(h, "summaries", st.KeyAgent, cebtest.SummaryApply(l.InvtNo))
	h.WaitReceipts(st.KeyAgent, "msgType=CEB792", 1)
	for key, types := range map[string][]string{
		st.KeyAgent:     {"CEB604", "CEB702", "CEB792"},
		st.KeyEBP:       {"CEB304"},
		st.KeyPay:       {"CEB404"},
		st.KeyLogistics: {"CEB506", "CEB508"},
	} {
		for _, typ := range types {
			code, b, _ := h.Do("GET", "/v1/receipts?msgType="+typ, key, "", nil, "Accept", "application/xml")
			if code != http.StatusOK {
				t.Fatalf("%s %s: %d %s", key, typ, code, b)
			}
			f := t.TempDir() + "/m.xml"
			if err := os.WriteFile(f, b, 0o600); err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command(xmllint, "--noout", "--schema", xsd, f).CombinedOutput(); err != nil {
				t.Errorf("%s fails export.xsd: %v\n%s\n%s", typ, err, out, b)
			}
		}
	}
}
