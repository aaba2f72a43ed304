package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/webhook"
	"github.com/cbec/cbec/services/webhooks"
)

// RunReceive is `cbec receive`: a webhook endpoint for trying webhooks on
// one machine. It checks each delivery's signature with the secret in a
// file (read at every delivery, so that it may be written after the
// receiver starts: the secret comes with the registration's answer), prints
// one line per delivery and answers 204, or 401 when the signature does not
// verify. It is a development tool: a real receiver verifies the same way
// (webhook.Verify, or client.VerifyWebhook) and queues the work.
func RunReceive(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("cbec receive", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:9090", "address to listen on")
	secretFile := fs.String("secret-file", "", "file holding the subscription's secret (the \"secret\" of POST /v1/webhooks's answer); required")
	fs.Usage = func() {
		_, _ = fmt.Fprint(fs.Output(), `usage: cbec receive --secret-file FILE [--addr 127.0.0.1:9090]

A local webhook endpoint for trying webhooks (docs/webhooks.md): it verifies
each delivery's Cbec-Signature with the secret in FILE, prints one line per
delivery and answers 204 (401 when the signature does not verify). Register
it with a cbec started with --webhook-allow-http --webhook-allow-private.

`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *secretFile == "" {
		return errors.New("receive: --secret-file is required")
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("receive: %w", err)
	}
	var mu sync.Mutex // one delivery's lines together
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 16<<20))
		if err != nil {
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		line := receivedLine(*secretFile, r.Header, body)
		mu.Lock()
		_, _ = fmt.Fprintln(stdout, line)
		mu.Unlock()
		if strings.Contains(line, "signature refused") {
			http.Error(w, "signature refused", http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})}
	_, _ = fmt.Fprintf(stderr, "cbec receive: listening on http://%s/\n", ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return srv.Shutdown(sctx)
	case err := <-errc:
		return err
	}
}

// receivedLine verifies one delivery and says what it holds: its id, and
// each receipt's type, business key and status.
func receivedLine(secretFile string, h http.Header, body []byte) string {
	id := h.Get(webhooks.HeaderDelivery)
	secret, err := os.ReadFile(secretFile)
	if err == nil {
		err = webhook.Verify([]byte(strings.TrimSpace(string(secret))), h.Get(webhook.SignatureHeader), body, time.Now(), 0)
	}
	if err != nil {
		return fmt.Sprintf("delivery %s: signature refused: %v", id, err)
	}
	var docs []ceb.Document
	if strings.HasPrefix(h.Get("Content-Type"), "application/json") {
		var d webhooks.Delivery
		if err := json.Unmarshal(body, &d); err != nil {
			return fmt.Sprintf("delivery %s: signature verified; not a delivery: %v", id, err)
		}
		for _, rec := range d.Receipts {
			doc, err := rec.Document()
			if err != nil {
				return fmt.Sprintf("delivery %s: signature verified; %v", id, err)
			}
			docs = append(docs, doc)
		}
	} else {
		m, err := ceb.DecodeXML(unwrapDxp(body))
		if err != nil {
			return fmt.Sprintf("delivery %s: signature verified; not a CEB message: %v", id, err)
		}
		docs = m.Documents
	}
	var b strings.Builder
	fmt.Fprintf(&b, "delivery %s: signature verified;", id)
	// The steps of one document that travel together print as one entry:
	// CEB622 C17040068576620144 120 399 800.
	last := ""
	for _, d := range docs {
		head := fmt.Sprintf(" %s %s", d.MsgType(), receiptSubject(d))
		if head != last {
			b.WriteString(head)
			last = head
		}
		b.WriteString(" " + ceb.ReceiptStatus(d))
	}
	return b.String()
}

// receiptSubject names what a receipt answers: its order, waybill or
// payment number, or its list's enterprise number (copNo, which every step
// of a list carries, unlike invtNo), whichever it carries first.
func receiptSubject(d ceb.Document) string {
	b, err := json.Marshal(d)
	if err != nil {
		return "?"
	}
	var fields map[string]any
	_ = json.Unmarshal(b, &fields)
	for _, k := range []string{"orderNo", "logisticsNo", "payTransactionId", "copNo", "invtNo"} {
		if v, ok := fields[k].(string); ok && v != "" {
			return v
		}
	}
	return "?"
}

// unwrapDxp returns the CEB message a signed DxpMsg envelope carries, or
// body itself when it is not one (cbec signs receipts only with
// --signing-key).
func unwrapDxp(body []byte) []byte {
	if !ceb.IsDxpMsg(body) {
		return body
	}
	env, err := ceb.DecodeDxpMsg(body)
	if err != nil {
		return body
	}
	return env.Data
}
