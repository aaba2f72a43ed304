package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/natstest"
	"github.com/cbec/cbec/pkg/receipt"
	"github.com/cbec/cbec/pkg/webhook"
	"github.com/cbec/cbec/services/webhooks"
)

// lockedBuffer is an io.Writer the receiver and the test share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestReceiveVerifiesEachDelivery runs `cbec receive` and posts it a
// delivery signed with the secret in its file, then one signed otherwise.
func TestReceiveVerifiesEachDelivery(t *testing.T) {
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "secret")
	if err := os.WriteFile(secretFile, []byte("00ff\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := "127.0.0.1:" + freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	var out lockedBuffer
	done := make(chan error, 1)
	go func() {
		done <- RunReceive(ctx, []string{"--addr", addr, "--secret-file", secretFile}, &out, &bytes.Buffer{})
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()

	rec := `{"returnStatus":"800","copNo":"C1","ebpCode":"1500000001","orderNo":"","guid":"G"}`
	body, _ := json.Marshal(webhooks.Delivery{Subscription: "ab", Next: 7,
		Receipts: []receipt.Record{{Cursor: 7, MsgType: ceb.CEB622, Receipt: json.RawMessage(rec)}}})
	post := func(secret string) int {
		req, _ := http.NewRequest("POST", "http://"+addr+"/", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(webhooks.HeaderDelivery, "ab-7")
		req.Header.Set(webhook.SignatureHeader, webhook.Sign([]byte(secret), time.Now(), body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0
		}
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	natstest.Eventually(t, 5*time.Second, func() bool { return post("00ff") == http.StatusNoContent }, "a signed delivery accepted")
	if got := out.String(); !strings.Contains(got, "delivery ab-7: signature verified; CEB622 C1 800") {
		t.Fatalf("printed %q", got)
	}
	if code := post("other"); code != http.StatusUnauthorized {
		t.Fatalf("a delivery signed with another secret: %d", code)
	}
	if got := out.String(); !strings.Contains(got, "delivery ab-7: signature refused: webhook: signature does not match") {
		t.Fatalf("printed %q", got)
	}
}
