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
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cbec/cbec/deploy"
	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/ceb/cebtest"
	"github.com/cbec/cbec/pkg/docstore"
	"github.com/cbec/cbec/pkg/httpapi"
	"github.com/cbec/cbec/pkg/natstest"
	"github.com/cbec/cbec/services/servicetest"
)

// The columns of the access matrix: each role of the demo parties, by the
// demo key of a party holding it (deploy/parties.yaml), then no key and a
// key no party has.
var matrixRoles = []struct{ role, key string }{
	{"ebp", "demo-ebp"},                // 1500000001, the demo declaration's platform
	{"ebc", "demo-ebc"},                // 1500000002, its e-commerce enterprise
	{"agent", "demo-agent"},            // 1500000005, its declaring agent
	{"pay", "demo-pay"},                // 1500000003, its payment company
	{"logistics", "demo-logistics-cq"}, // 1500000004, its logistics company
	{"warehouse", "demo-warehouse"},    // 5000000001, operates CQ-XY-RC01
	{"officer", "demo-officer"},
	{"supervisor", "demo-supervisor"},
	{"operator", "demo-operator"},
	{"no key", ""},
	{"unknown key", "no-party-has-this-key"},
}

// Outcomes of a cell.
const (
	ok   = "ok"  // 2xx: done, or read
	page = "303" // the desk sends a browser without a session to sign in, or on after a form
	e401 = "401" // no key, or an unknown one
	e403 = "403" // the role may not do this (problem -900403)
	e404 = "404" // not found, or another party's: the same answer on purpose
)

// accessMatrix is the expected outcome of every route for every role, in
// the columns of matrixRoles. A route registered without its row fails the
// test, and so does a row of no route.
//
// The requests (matrixRequests) name the seeded data of the demo parties:
// the demo declaration (deploy/demo, released), its tax bill, its list's
// returns, an export list of the same parties, a case held for review. The
// payment and logistics companies of the declaration are not its readers:
// a declaration, its tax bill and its returns belong to the platform, the
// enterprise and the agent (and customs). Submissions name the demo
// platform 1500000001 as sender, so only the ebp column may send them.
// Warehouse events name CQ-XY-RC01 and a waybill without a return: its
// operator gets the 404 of "no return in progress", every other party 403.
// Review actions name a case that does not exist: officers get its 404,
// everyone else is refused before.
var accessMatrix = map[string][11]string{
	//                                                      ebp   ebc   agent pay   logi  wareh offic super opera nokey unkno
	"POST /v1/ceb":                                           {ok, e403, e403, e403, e403, e403, e403, e403, e403, e401, e401},
	"POST /v1/import/{kind}":                                 {ok, e403, e403, e403, e403, e403, e403, e403, e403, e401, e401},
	"POST /v1/export/{kind}":                                 {ok, e403, e403, e403, e403, e403, e403, e403, e403, e401, e401},
	"GET /v1/receipts":                                       {ok, ok, ok, ok, ok, ok, ok, ok, ok, e401, e401},
	"GET /v1/import/inventories/{ebpCode}/{orderNo}":         {ok, ok, ok, e404, e404, e404, ok, ok, ok, e401, e401},
	"GET /v1/import/inventories/{ebpCode}/{orderNo}/taxbill": {ok, ok, ok, e404, e404, e404, ok, ok, ok, e401, e401},
	"POST /v1/admin/clock":                                   {e403, e403, e403, e403, e403, e403, e403, e403, ok, e401, e401},
	"POST /v1/returns/arrivals":                              {e403, e403, e403, e403, e403, e404, e403, e403, e403, e401, e401},
	"POST /v1/returns/sortings":                              {e403, e403, e403, e403, e403, e404, e403, e403, e403, e401, e401},
	"POST /v1/returns/shipments":                             {e403, e403, e403, e403, e403, e404, e403, e403, e403, e401, e401},
	"GET /v1/returns/lists/{agentCode}/{invtNo}":             {ok, ok, ok, e404, e404, e404, ok, ok, ok, e401, e401},
	"GET /v1/returns/warehouses":                             {ok, ok, ok, ok, ok, ok, ok, ok, ok, e401, e401},
	"POST /v1/returns/warehouses":                            {e403, e403, e403, e403, e403, e403, e403, e403, ok, e401, e401},
	"POST /v1/returns/warehouses/{code}/deactivate":          {e403, e403, e403, e403, e403, e403, e403, e403, ok, e401, e401},
	"GET /v1/export/lists/{ebpCode}/{orderNo}":               {ok, ok, ok, e404, e404, e404, ok, ok, ok, e401, e401},
	"GET /v1/export/summaries":                               {ok, ok, ok, ok, ok, ok, ok, ok, ok, e401, e401},
	"GET /v1/review/cases":                                   {e403, e403, e403, e403, e403, e403, ok, ok, e403, e401, e401},
	"GET /v1/review/cases/{key}":                             {e403, e403, e403, e403, e403, e403, ok, ok, e403, e401, e401},
	"POST /v1/review/cases/{key}/claim":                      {e403, e403, e403, e403, e403, e403, e404, e404, e403, e401, e401},
	"POST /v1/review/cases/{key}/unclaim":                    {e403, e403, e403, e403, e403, e403, e404, e404, e403, e401, e401},
	"POST /v1/review/cases/{key}/release":                    {e403, e403, e403, e403, e403, e403, e404, e404, e403, e401, e401},
	"POST /v1/review/cases/{key}/reject":                     {e403, e403, e403, e403, e403, e403, e404, e404, e403, e401, e401},
	"POST /v1/review/cases/{key}/inspect":                    {e403, e403, e403, e403, e403, e403, e404, e404, e403, e401, e401},
	"POST /v1/review/cases/{key}/inspection-result":          {e403, e403, e403, e403, e403, e403, e404, e404, e403, e401, e401},
	"POST /v1/review/cases/{key}/notes":                      {e403, e403, e403, e403, e403, e403, e404, e404, e403, e401, e401},
	"POST /v1/review/cases/{key}/reassign":                   {e403, e403, e403, e403, e403, e403, e404, e404, e403, e401, e401},
	"POST /v1/review/bulk/release":                           {e403, e403, e403, e403, e403, e403, ok, ok, e403, e401, e401},
	"POST /v1/review/officers/{code}/reassign":               {e403, e403, e403, e403, e403, e403, e403, ok, e403, e401, e401},
	"POST /v1/review/index/rebuild":                          {e403, e403, e403, e403, e403, e403, e403, ok, ok, e401, e401},
	"POST /review/bulk/release":                              {e403, e403, e403, e403, e403, e403, ok, ok, e403, e401, e401},
	"POST /review/officers/reassign":                         {e403, e403, e403, e403, e403, e403, e403, ok, e403, e401, e401},
	"GET /review/{$}":                                        {e403, e403, e403, e403, e403, e403, ok, ok, e403, page, e401},
	"GET /review/login":                                      {ok, ok, ok, ok, ok, ok, ok, ok, ok, ok, ok},
	"POST /review/login":                                     {e403, e403, e403, e403, e403, e403, page, page, e403, e401, e401},
	"POST /review/logout":                                    {e403, e403, e403, e403, e403, e403, page, page, e403, e401, e401},
	"GET /review/cases/{key}":                                {e403, e403, e403, e403, e403, e403, ok, ok, e403, page, e401},
	"GET /review/cases/{key}/{action}":                       {e403, e403, e403, e403, e403, e403, ok, ok, e403, page, e401},
	"POST /review/cases/{key}/{action}":                      {e403, e403, e403, e403, e403, e403, e404, e404, e403, e401, e401},
	"GET /review/static/{file}":                              {ok, ok, ok, ok, ok, ok, ok, ok, ok, ok, ok},
	"POST /v1/webhooks":                                      {ok, ok, ok, ok, ok, ok, ok, ok, ok, e401, e401},
	"GET /v1/webhooks":                                       {ok, ok, ok, ok, ok, ok, ok, ok, ok, e401, e401},
	"GET /v1/webhooks/{id}":                                  {ok, e404, e404, e404, e404, e404, e404, e404, e404, e401, e401},
	"DELETE /v1/webhooks/{id}":                               {e404, e404, e404, e404, e404, e404, e404, e404, e404, e401, e401},
	"GET /v1/admin/webhooks":                                 {e403, e403, e403, e403, e403, e403, e403, e403, ok, e401, e401},
	"POST /v1/admin/webhooks/{id}/unblock":                   {e403, e403, e403, e403, e403, e403, e403, e403, ok, e401, e401},
	"POST /v1/admin/rules/backtest":                          {e403, e403, e403, e403, e403, e403, e403, ok, ok, e401, e401},
	"GET /v1/admin/rules":                                    {e403, e403, e403, e403, e403, e403, e403, ok, ok, e401, e401},
	"POST /v1/admin/rules":                                   {e403, e403, e403, e403, e403, e403, e403, e403, e404, e401, e401},
	"GET /review/rules/backtest":                             {e403, e403, e403, e403, e403, e403, e403, ok, ok, page, e401},
	"POST /review/rules/backtest":                            {e403, e403, e403, e403, e403, e403, e403, ok, ok, page, e401},
	"GET /healthz":                                           {ok, ok, ok, ok, ok, ok, ok, ok, ok, ok, ok},
	"GET /readyz":                                            {ok, ok, ok, ok, ok, ok, ok, ok, ok, ok, ok},
	"GET /metrics":                                           {ok, ok, ok, ok, ok, ok, ok, ok, ok, ok, ok},
}

// matrixCall is one request of a cell.
type matrixCall struct {
	method, path, ctype string
	body                []byte
	// login makes it a desk sign-in with the cell's key in the form
	// rather than a Bearer key.
	login bool
}

// seeded is what the matrix reads: data of the demo parties.
type seeded struct {
	orderNo, invtNo string // the released demo declaration
	exportOrderNo   string
	caseKey         string // held for review
	warehouse       []byte // a warehouse of the operator's rows
	webhook         string // the platform's webhook
}

var matrixSeq atomic.Int64

// fresh is an order number no cell used before.
func fresh(prefix string) string {
	return fmt.Sprintf("%s-%d-%d", prefix, time.Now().UnixNano()%1e9, matrixSeq.Add(1))
}

func jsonBody(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// matrixRequests builds the request of each route's cells.
func matrixRequests(t *testing.T, s seeded) map[string]func() matrixCall {
	t.Helper()
	parcel := jsonBody(t, map[string]any{"warehouseCode": "CQ-XY-RC01", "logisticsCode": cebtest.LogisticsCode, "logisticsNo": "LP-NO-SUCH-RETURN"})
	sorting := jsonBody(t, map[string]any{"warehouseCode": "CQ-XY-RC01", "logisticsCode": cebtest.LogisticsCode, "logisticsNo": "LP-NO-SUCH-RETURN",
		"lines": []map[string]any{{"gnum": 1, "resaleable": true}}})
	noCase := docstore.InventoryKey(cebtest.EbpCode, "NO-SUCH-CASE")
	get := func(path string) func() matrixCall {
		return func() matrixCall { return matrixCall{method: "GET", path: path} }
	}
	reqs := map[string]func() matrixCall{
		"POST /v1/ceb": func() matrixCall {
			o, _, _, _ := cebtest.Set(fresh("MX-XML"))
			b, err := ceb.EncodeXML(cebtest.Message(o))
			if err != nil {
				t.Fatal(err)
			}
			return matrixCall{method: "POST", path: "/v1/ceb", ctype: "application/xml", body: b}
		},
		"POST /v1/import/{kind}": func() matrixCall {
			o, _, _, _ := cebtest.Set(fresh("MX-JSON"))
			return matrixCall{method: "POST", path: "/v1/import/orders", ctype: "application/json", body: jsonBody(t, o)}
		},
		"POST /v1/export/{kind}": func() matrixCall {
			o, _, _, _ := cebtest.ExportSet(fresh("MX-EXP"))
			return matrixCall{method: "POST", path: "/v1/export/orders", ctype: "application/json", body: jsonBody(t, o)}
		},
		"GET /v1/receipts": get("/v1/receipts"),
		"GET /v1/import/inventories/{ebpCode}/{orderNo}":         get("/v1/import/inventories/" + cebtest.EbpCode + "/" + s.orderNo),
		"GET /v1/import/inventories/{ebpCode}/{orderNo}/taxbill": get("/v1/import/inventories/" + cebtest.EbpCode + "/" + s.orderNo + "/taxbill"),
		"POST /v1/admin/clock": func() matrixCall {
			return matrixCall{method: "POST", path: "/v1/admin/clock", ctype: "application/json",
				body: jsonBody(t, map[string]string{"now": time.Now().UTC().Format(time.RFC3339)})}
		},
		"POST /v1/returns/arrivals": func() matrixCall {
			return matrixCall{method: "POST", path: "/v1/returns/arrivals", ctype: "application/json", body: parcel}
		},
		"POST /v1/returns/sortings": func() matrixCall {
			return matrixCall{method: "POST", path: "/v1/returns/sortings", ctype: "application/json", body: sorting}
		},
		"POST /v1/returns/shipments": func() matrixCall {
			return matrixCall{method: "POST", path: "/v1/returns/shipments", ctype: "application/json", body: parcel}
		},
		"GET /v1/returns/lists/{agentCode}/{invtNo}": get("/v1/returns/lists/" + cebtest.AgentCode + "/" + s.invtNo),
		"GET /v1/returns/warehouses":                 get("/v1/returns/warehouses"),
		"POST /v1/returns/warehouses": func() matrixCall {
			return matrixCall{method: "POST", path: "/v1/returns/warehouses", ctype: "application/json", body: s.warehouse}
		},
		"POST /v1/returns/warehouses/{code}/deactivate": func() matrixCall {
			return matrixCall{method: "POST", path: "/v1/returns/warehouses/CQ-MX-RC99/deactivate"}
		},
		"GET /v1/export/lists/{ebpCode}/{orderNo}": get("/v1/export/lists/" + cebtest.EbpCode + "/" + s.exportOrderNo),
		"GET /v1/export/summaries":                 get("/v1/export/summaries"),
		"POST /v1/webhooks": func() matrixCall {
			return matrixCall{method: "POST", path: "/v1/webhooks", ctype: "application/json", body: []byte(`{"url":"https://erp.example.com/cbec"}`)}
		},
		"GET /v1/webhooks":       get("/v1/webhooks"),
		"GET /v1/webhooks/{id}":  get("/v1/webhooks/" + s.webhook),
		"GET /v1/admin/webhooks": get("/v1/admin/webhooks"),
		// Deleting names a webhook no one has: the seeded one stays for
		// the rows after.
		"DELETE /v1/webhooks/{id}": func() matrixCall { return matrixCall{method: "DELETE", path: "/v1/webhooks/0000000000000000"} },
		"POST /v1/admin/webhooks/{id}/unblock": func() matrixCall {
			return matrixCall{method: "POST", path: "/v1/admin/webhooks/" + s.webhook + "/unblock"}
		},
		"POST /v1/admin/rules/backtest": func() matrixCall {
			return matrixCall{method: "POST", path: "/v1/admin/rules/backtest", ctype: "application/json",
				body: jsonBody(t, map[string]any{"rules": string(deploy.Rules), "from": time.Now().Add(-time.Hour), "to": time.Now()})}
		},
		"GET /v1/admin/rules": get("/v1/admin/rules"),
		// Activating names a backtest no one ran: the rules in force stay
		// for the rows after.
		"POST /v1/admin/rules": func() matrixCall {
			return matrixCall{method: "POST", path: "/v1/admin/rules", ctype: "application/json",
				body: jsonBody(t, map[string]any{"rules": string(deploy.Rules), "backtestId": "bt-20200101T000000Z-00000000"})}
		},
		"GET /review/rules/backtest": get("/review/rules/backtest"),
		"POST /review/rules/backtest": func() matrixCall {
			form := url.Values{"rules": {string(deploy.Rules)}, "from": {time.Now().UTC().Add(-time.Hour).Format("2006-01-02T15:04")},
				"to": {time.Now().UTC().Format("2006-01-02T15:04")}}
			return matrixCall{method: "POST", path: "/review/rules/backtest", ctype: "application/x-www-form-urlencoded", body: []byte(form.Encode())}
		},
		"GET /v1/review/cases":             get("/v1/review/cases"),
		"GET /v1/review/cases/{key}":       get("/v1/review/cases/" + s.caseKey),
		"GET /review/{$}":                  get("/review/"),
		"GET /review/login":                get("/review/login"),
		"POST /review/login":               func() matrixCall { return matrixCall{method: "POST", path: "/review/login", login: true} },
		"POST /review/logout":              func() matrixCall { return matrixCall{method: "POST", path: "/review/logout"} },
		"GET /review/cases/{key}":          get("/review/cases/" + s.caseKey),
		"GET /review/cases/{key}/{action}": get("/review/cases/" + s.caseKey + "/release"),
		"POST /review/cases/{key}/{action}": func() matrixCall {
			return matrixCall{method: "POST", path: "/review/cases/" + noCase + "/notes", ctype: "application/x-www-form-urlencoded", body: []byte("text=x")}
		},
		// Bulk work names a case that does not exist and an officer
		// without claims: refused per case, nothing moves.
		"POST /v1/review/bulk/release": func() matrixCall {
			return matrixCall{method: "POST", path: "/v1/review/bulk/release", ctype: "application/json",
				body: jsonBody(t, map[string]any{"rule": "R001", "keys": []string{noCase}})}
		},
		"POST /v1/review/officers/{code}/reassign": func() matrixCall {
			return matrixCall{method: "POST", path: "/v1/review/officers/NO-SUCH-OFFICER/reassign", ctype: "application/json",
				body: jsonBody(t, map[string]any{"officer": "OFFICER01"})}
		},
		"POST /v1/review/index/rebuild": func() matrixCall {
			return matrixCall{method: "POST", path: "/v1/review/index/rebuild"}
		},
		"POST /review/bulk/release": func() matrixCall {
			return matrixCall{method: "POST", path: "/review/bulk/release", ctype: "application/x-www-form-urlencoded", body: []byte("rule=R001&key=" + noCase)}
		},
		"POST /review/officers/reassign": func() matrixCall {
			return matrixCall{method: "POST", path: "/review/officers/reassign", ctype: "application/x-www-form-urlencoded", body: []byte("from=NO-SUCH-OFFICER&officer=OFFICER01")}
		},
		"GET /review/static/{file}": get("/review/static/desk.css"),
		"GET /healthz":              get("/healthz"),
		"GET /readyz":               get("/readyz"),
		"GET /metrics":              get("/metrics"),
	}
	for _, a := range []string{"claim", "unclaim", "release", "reject", "inspect", "inspection-result", "notes", "reassign"} {
		path := "/v1/review/cases/" + noCase + "/" + a
		reqs["POST /v1/review/cases/{key}/"+a] = func() matrixCall { return matrixCall{method: "POST", path: path} }
	}
	return reqs
}

// noRedirects is a client that shows the desk's redirects instead of
// following them.
var noRedirects = &http.Client{
	Timeout:       30 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// send makes the call as key ("" = none) and returns the status, body and
// headers.
func (c matrixCall) send(t *testing.T, base, key string) (int, []byte, http.Header) {
	t.Helper()
	body, ctype := c.body, c.ctype
	if c.login {
		body = []byte(url.Values{"key": {key}, "token": {"matrix-login-token"}}.Encode())
		ctype = "application/x-www-form-urlencoded"
	}
	req, err := http.NewRequest(c.method, base+c.path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if c.login {
		req.AddCookie(&http.Cookie{Name: "cbec_review_login", Value: "matrix-login-token"})
	} else if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header
}

// outcome names a status as the matrix does.
func outcome(status int) string {
	if status >= 200 && status < 300 {
		return ok
	}
	return fmt.Sprint(status)
}

// waitFor polls GET path as key until it answers 200 and cond holds.
func waitFor(t *testing.T, base, path, key string, cond func([]byte) bool, what string) []byte {
	t.Helper()
	var b []byte
	natstest.Eventually(t, 20*time.Second, func() bool {
		var code int
		code, b, _ = matrixCall{method: "GET", path: path}.send(t, base, key)
		return code == http.StatusOK && cond(b)
	}, "%s: last answer %s", what, b)
	return b
}

// seedMatrix submits the data the matrix reads, as the demo parties: the
// demo declaration (released, with its tax bill), an export list, a
// declaration held for review, and a warehouse of the operator's rows.
func seedMatrix(t *testing.T, base string) seeded {
	t.Helper()
	s := seeded{exportOrderNo: "MX-EXPORT-1"}
	post := func(path, key, ctype string, body []byte) {
		t.Helper()
		code, b, _ := matrixCall{method: "POST", path: path, ctype: ctype, body: body}.send(t, base, key)
		if code != http.StatusAccepted && code != http.StatusOK {
			t.Fatalf("seed %s: %d %s", path, code, b)
		}
	}
	for _, d := range []struct{ kind, key, file string }{
		{"orders", "demo-ebp", "order.json"}, {"payments", "demo-pay", "payment.json"},
		{"waybills", "demo-logistics-cq", "waybill.json"}, {"inventories", "demo-agent", "inventory.json"},
	} {
		b, err := os.ReadFile("../../deploy/demo/" + d.file)
		if err != nil {
			t.Fatal(err)
		}
		post("/v1/import/"+d.kind, d.key, "application/json", b)
	}
	s.orderNo = "DEMO-0001"
	var st struct{ Status, InvtNo string }
	b := waitFor(t, base, "/v1/import/inventories/"+cebtest.EbpCode+"/"+s.orderNo, "demo-agent", func(b []byte) bool {
		_ = json.Unmarshal(b, &st)
		return st.Status == "800"
	}, "demo declaration released")
	if st.InvtNo == "" {
		t.Fatalf("released without invtNo: %s", b)
	}
	s.invtNo = st.InvtNo

	eo, er, el, ei := cebtest.ExportSet(s.exportOrderNo)
	post("/v1/export/orders", "demo-ebp", "application/json", jsonBody(t, eo))
	post("/v1/export/receipts", "demo-pay", "application/json", jsonBody(t, er))
	post("/v1/export/waybills", "demo-logistics-cq", "application/json", jsonBody(t, el))
	post("/v1/export/inventories", "demo-agent", "application/json", jsonBody(t, ei))
	waitFor(t, base, "/v1/export/lists/"+cebtest.EbpCode+"/"+s.exportOrderNo, "demo-agent", func([]byte) bool { return true }, "export list")

	held := servicetest.NewSet("MX-HELD-1")
	held.Scale("8.5") // just under the single limit: rule R001 holds it
	post("/v1/import/orders", "demo-ebp", "application/json", jsonBody(t, held.O))
	post("/v1/import/payments", "demo-pay", "application/json", jsonBody(t, held.P))
	post("/v1/import/waybills", "demo-logistics-cq", "application/json", jsonBody(t, held.L))
	post("/v1/import/inventories", "demo-agent", "application/json", jsonBody(t, held.I))
	s.caseKey = docstore.InventoryKey(cebtest.EbpCode, "MX-HELD-1")
	waitFor(t, base, "/v1/review/cases/"+s.caseKey, "demo-officer", func([]byte) bool { return true }, "held case")

	s.warehouse = jsonBody(t, map[string]any{"code": "CQ-MX-RC99", "name": "matrix test warehouse", "zone": "CQ-XY",
		"operatorCode": "5000000001", "creditRating": "general", "filingNo": "MX-FILING-1", "active": false, "kind": "return-center"})
	post("/v1/returns/warehouses", "demo-operator", "application/json", s.warehouse)

	code, b, _ := matrixCall{method: "POST", path: "/v1/webhooks", ctype: "application/json", body: []byte(`{"url":"https://erp.example.com/cbec"}`)}.send(t, base, "demo-ebp")
	var wh struct{ ID string }
	if err := json.Unmarshal(b, &wh); code != http.StatusCreated || err != nil {
		t.Fatalf("seed webhook: %d %s", code, b)
	}
	s.webhook = wh.ID
	return s
}

// TestAccessMatrix starts the whole program, seeds data of the demo parties
// and holds every registered route against accessMatrix, for every role,
// no key and an unknown key. Then every demo party that is not a reader of
// the seeded declaration, export list and returns tries them.
func TestAccessMatrix(t *testing.T) {
	m := startMain(t, t.TempDir(), "--dev-clock", "--auth-fail-rate", "1000", "--auth-fail-burst", "1000")
	defer m.Close(context.Background())
	base := m.HTTPURL()

	patterns := m.router.Patterns()
	for _, p := range patterns {
		if _, ok := accessMatrix[p]; !ok {
			t.Errorf("route %q has no row in accessMatrix: state who may use it", p)
		}
	}
	for p := range accessMatrix {
		if !slices.Contains(patterns, p) {
			t.Errorf("accessMatrix has a row for %q, which no route registers", p)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	s := seedMatrix(t, base)
	reqs := matrixRequests(t, s)
	for _, p := range patterns {
		mk, ok := reqs[p]
		if !ok {
			t.Errorf("%s: no request in matrixRequests", p)
			continue
		}
		for i, col := range matrixRoles {
			want := accessMatrix[p][i]
			code, b, hdr := mk().send(t, base, col.key)
			if got := outcome(code); got != want {
				t.Errorf("%s as %s: %d, want %s: %.300s", p, col.role, code, want, b)
			}
			checkResponse(t, p+" as "+col.role, code, b, hdr)
		}
	}

	// Every demo party that is not a reader of the seeded documents gets
	// the 404 of a missing document, whatever its roles.
	owned := []struct {
		what    string
		path    string
		readers []string
	}{
		{"declaration", "/v1/import/inventories/" + cebtest.EbpCode + "/" + s.orderNo, []string{cebtest.EbpCode, cebtest.EbcCode, cebtest.AgentCode}},
		{"tax bill", "/v1/import/inventories/" + cebtest.EbpCode + "/" + s.orderNo + "/taxbill", []string{cebtest.EbpCode, cebtest.EbcCode, cebtest.AgentCode}},
		{"returns", "/v1/returns/lists/" + cebtest.AgentCode + "/" + s.invtNo, []string{cebtest.EbpCode, cebtest.EbcCode, cebtest.AgentCode}},
		{"export list", "/v1/export/lists/" + cebtest.EbpCode + "/" + s.exportOrderNo, []string{cebtest.EbpCode, cebtest.EbcCode, cebtest.AgentCode}},
	}
	customs := []string{"OFFICER01", "SUPER01", "OPS01"}
	for _, k := range deploy.DemoKeys() {
		for _, o := range owned {
			want := http.StatusNotFound
			if slices.Contains(o.readers, k.Code) || slices.Contains(customs, k.Code) {
				want = http.StatusOK
			}
			code, b, hdr := matrixCall{method: "GET", path: o.path}.send(t, base, k.Key)
			if code != want {
				t.Errorf("%s (%s) reads the %s of 1500000001/%s: %d, want %d: %.300s", k.Key, k.Code, o.what, s.orderNo, code, want, b)
			}
			checkResponse(t, k.Key+" "+o.what, code, b, hdr)
		}
		// Receipts are the caller's own: the declaration's CEB622 goes to
		// its agent alone (and platform and enterprise, when they ask).
		code, b, _ := matrixCall{method: "GET", path: "/v1/receipts?limit=500&msgType=CEB622"}.send(t, base, k.Key)
		if code != http.StatusOK {
			t.Fatalf("%s receipts: %d %s", k.Key, code, b)
		}
		if strings.Contains(string(b), s.orderNo) && k.Code != cebtest.AgentCode && k.Code != cebtest.EbpCode && k.Code != cebtest.EbcCode {
			t.Errorf("%s (%s) reads receipts of the declaration of another party: %.300s", k.Key, k.Code, b)
		}
		// Another warehouse's operator may not report for CQ-XY-RC01.
		if k.Code == "5000000002" {
			code, b, _ := matrixCall{method: "POST", path: "/v1/returns/arrivals", ctype: "application/json",
				body: jsonBody(t, map[string]any{"warehouseCode": "CQ-XY-RC01", "logisticsCode": cebtest.LogisticsCode, "logisticsNo": "LP-NO-SUCH-RETURN"})}.send(t, base, k.Key)
			if code != http.StatusForbidden {
				t.Errorf("%s reports for another operator's warehouse: %d %s", k.Key, code, b)
			}
		}
	}
}

// checkResponse holds every answer to the HTTP hardening rules: a request
// id, and errors as problem documents that carry it.
func checkResponse(t *testing.T, what string, code int, b []byte, hdr http.Header) {
	t.Helper()
	id := hdr.Get(httpapi.HeaderRequestID)
	if !httpapi.ValidRequestID(id) {
		t.Errorf("%s: X-Request-Id %q", what, id)
	}
	if code < 400 {
		return
	}
	if ct := hdr.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Errorf("%s: %d as %q, not a problem document: %.200s", what, code, ct, b)
		return
	}
	var p httpapi.Problem
	if err := json.Unmarshal(b, &p); err != nil || p.Status != code || p.Code == "" || p.RequestID != id {
		t.Errorf("%s: problem %+v (err %v) for %d, request id %q", what, p, err, code, id)
	}
	if code == http.StatusTooManyRequests && hdr.Get("Retry-After") == "" {
		t.Errorf("%s: 429 without Retry-After", what)
	}
}

// TestFailedAuthenticationLimited runs the program with a small limit of
// failed authentications: an address that keeps sending unknown keys gets
// 429 with Retry-After, at the API and at the desk's sign-in, while a valid
// key from the same address goes through.
func TestFailedAuthenticationLimited(t *testing.T) {
	// One token per 100 s: a slow machine does not refill the bucket mid-test.
	m := startMain(t, t.TempDir(), "--auth-fail-rate", "0.01", "--auth-fail-burst", "3")
	defer m.Close(context.Background())
	base := m.HTTPURL()
	receipts := matrixCall{method: "GET", path: "/v1/receipts"}
	for i := range 3 {
		if code, b, _ := receipts.send(t, base, "wrong-key"); code != http.StatusUnauthorized {
			t.Fatalf("failure %d within the burst: %d %s", i+1, code, b)
		}
	}
	code, b, hdr := receipts.send(t, base, "wrong-key")
	if code != http.StatusTooManyRequests || hdr.Get("Retry-After") == "" || !strings.Contains(string(b), "-900429") {
		t.Fatalf("over the limit: %d Retry-After %q %s", code, hdr.Get("Retry-After"), b)
	}
	checkResponse(t, "limited", code, b, hdr)
	if code, _, _ := receipts.send(t, base, ""); code != http.StatusTooManyRequests {
		t.Fatalf("no key over the limit: %d", code)
	}
	login := matrixCall{method: "POST", path: "/review/login", login: true}
	if code, b, hdr := login.send(t, base, "wrong-key"); code != http.StatusTooManyRequests || hdr.Get("Retry-After") == "" {
		t.Fatalf("desk sign-in over the limit: %d %s", code, b)
	}
	// While limited no key of the address is looked at, not even a right
	// one: otherwise the guessing would go on (pkg/httpapi tests the way
	// back once Retry-After has passed, on a clock of their own).
	if code, b, _ := receipts.send(t, base, "demo-agent"); code != http.StatusTooManyRequests {
		t.Fatalf("a valid key from the limited address: %d %s", code, b)
	}
	if code, _, _ := login.send(t, base, "demo-officer"); code != http.StatusTooManyRequests {
		t.Fatalf("an officer's sign-in from the limited address: %d", code)
	}
	// A client's well-formed request id is kept.
	req, _ := http.NewRequest("GET", base+"/healthz", nil)
	req.Header.Set(httpapi.HeaderRequestID, "probe-42")
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get(httpapi.HeaderRequestID); got != "probe-42" {
		t.Fatalf("request id %q, want the client's", got)
	}
}
