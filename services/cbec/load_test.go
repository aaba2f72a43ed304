package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cbec/cbec/pkg/ceb/cebtest"
	"github.com/cbec/cbec/services/cbec/load"
)

// TestLoadDispatchAndFlags runs `cbec load` through Run with bad flags: it
// never starts the system and refuses before sending anything.
func TestLoadDispatchAndFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"load", "--rate", "0"}, "--rate"},
		{[]string{"load", "--batch", "101"}, "--batch"},
		{[]string{"load", "--url", "ftp://127.0.0.1"}, "--url"},
		{[]string{"load", "--url", "http://127.0.0.1:8080/v1"}, "--url"},
		{[]string{"load", "--export-share", "0.9", "--near-limit-share", "0.2"}, "exceed"},
		{[]string{"load", "extra"}, "unexpected"},
	} {
		err := Run(context.Background(), c.args, func(string) string { return "" }, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want an error about %s", c.args, err, c.want)
		}
	}
	cfg, err := ParseLoadConfig(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.URL != "http://127.0.0.1:8080" || cfg.Rate != 20 || cfg.Duration != time.Minute || cfg.Batch != 10 ||
		cfg.Keys != (LoadKeys{EBP: "demo-ebp", Pay: "demo-pay", Logistics: "demo-logistics-cq", Agent: "demo-agent", Warehouse: "demo-warehouse"}) {
		t.Errorf("defaults %+v", cfg)
	}
	// Every flag's default is the generator's own.
	if cfg != load.Defaults() {
		t.Errorf("flags' defaults %+v, load.Defaults %+v", cfg, load.Defaults())
	}
}

// TestLoadAgainstTheWholeProgram runs the generator for 5 s against the
// whole program and follows its traffic through the API: declarations
// accepted, released (800), held for review (300) or rejected (100), an
// export list closed after its arrival and departure, a return accepted.
func TestLoadAgainstTheWholeProgram(t *testing.T) {
	m := startMain(t, t.TempDir())
	defer m.Close(context.Background())
	cfg, err := ParseLoadConfig([]string{"--url", m.HTTPURL(), "--rate", "20", "--duration", "5s", "--seed", "7",
		"--near-limit-share", "0.1", "--inconsistent-share", "0.05", "--return-share", "0.3", "--drain", "45s"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	g, err := NewLoad(cfg, &out)
	if err != nil {
		t.Fatal(err)
	}
	s, err := g.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Log(strings.TrimSpace(out.String()))
	if s.Imports < 40 || s.Exports < 3 || s.Accepted < 4*(s.Imports+s.Exports) || s.Rejected != 0 || s.HTTPErrors != 0 {
		t.Fatalf("stats %+v", s)
	}
	if s.Rate() < 10 || s.Rate() > 30 {
		t.Errorf("achieved %.1f declarations/s, asked 20", s.Rate())
	}
	if !strings.Contains(out.String(), "load done") {
		t.Errorf("no final summary: %q", out.String())
	}
	// Every import is decided within the drain, and counted as the bench
	// counts: at its receipt, with its latency from the last 202.
	if s.Decided != s.Imports || s.P99 <= 0 || s.P50 > s.P99 {
		t.Fatalf("imports decided %d of %d, latency p50 %.0f p99 %.0f ms", s.Decided, s.Imports, s.P50, s.P99)
	}
	if s.Released == 0 || s.Reviewed+s.Refused == 0 || s.ExportsClosed == 0 || s.ReturnsAccepted == 0 {
		t.Fatalf("stats %+v", s)
	}

	get := func(path string, v any) {
		t.Helper()
		code, b, _ := do(t, "GET", m.HTTPURL()+path, "demo-agent", "", nil)
		if code != http.StatusOK {
			t.Fatalf("%s: %d %s", path, code, b)
		}
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatal(err)
		}
	}
	type view struct{ Status, InvtNo string }
	var v view
	get("/v1/import/inventories/"+cebtest.EbpCode+"/"+s.Samples["800"][0], &v)
	if v.Status != "800" {
		t.Errorf("released sample: %+v", v)
	}
	held := append(s.Samples["300"], s.Samples["100"]...)
	v = view{}
	get("/v1/import/inventories/"+cebtest.EbpCode+"/"+held[0], &v)
	if v.Status != "300" && v.Status != "100" {
		t.Errorf("reviewed or rejected sample: %+v", v)
	}
	var el view
	get("/v1/export/lists/"+cebtest.EbpCode+"/"+s.Samples["export-closed"][0], &el)
	if el.Status != "899" {
		t.Errorf("export list: %+v", el)
	}
	v = view{}
	get("/v1/import/inventories/"+cebtest.EbpCode+"/"+s.Samples["returned"][0], &v)
	var rl struct {
		Returns []struct{ Status string } `json:"returns"`
	}
	get("/v1/returns/lists/"+cebtest.AgentCode+"/"+v.InvtNo, &rl)
	if len(rl.Returns) != 1 || rl.Returns[0].Status != "accepted" {
		t.Errorf("returns of %s: %+v", v.InvtNo, rl)
	}
}
