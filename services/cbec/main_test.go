package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cbec/cbec/pkg/natstest"
)

// startMain runs the whole program on random ports with its data in dir.
func startMain(t *testing.T, dir string, extra ...string) *Main {
	t.Helper()
	args := append([]string{"--http-addr", "127.0.0.1:0", "--nats-listen", "", "--data-dir", dir, "--log-level", "debug"}, extra...)
	cfg, err := ParseConfig(args, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	m := NewMain(cfg, io.Discard, os.Stderr)
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	return m
}

func do(t *testing.T, method, url, key, ctype string, body []byte, hdr ...string) (int, []byte, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(method, url, bytes.NewReader(body))
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header
}

type receiptsPage struct {
	Receipts []struct {
		Cursor  uint64          `json:"cursor"`
		MsgType string          `json:"msgType"`
		Receipt json.RawMessage `json:"receipt"`
	} `json:"receipts"`
	Next uint64 `json:"next"`
}

func readReceipts(t *testing.T, base, key string) receiptsPage {
	t.Helper()
	code, b, _ := do(t, "GET", base+"/v1/receipts?limit=500", key, "", nil)
	if code != 200 {
		t.Fatalf("receipts: %d %s", code, b)
	}
	var p receiptsPage
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSmoke(t *testing.T) {
	dir := t.TempDir()
	m := startMain(t, dir)
	defer m.Close(context.Background())
	body, _ := os.ReadFile("../../../shared/ceb/samples/import/CEB311Message.xml")
	code, b, _ := do(t, "POST", m.HTTPURL()+"/v1/ceb", "demo-platform", "application/xml", body)
	if code != 202 {
		t.Fatalf("%d %s", code, b)
	}
	natstest.Eventually(t, 5*time.Second, func() bool {
		return len(readReceipts(t, m.HTTPURL(), "demo-platform").Receipts) > 0
	}, "receipt: %s", strings.TrimSpace(string(b)))
}
