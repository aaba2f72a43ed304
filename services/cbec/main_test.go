package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emmansun/gmsm/smx509"

	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/dsig"
	"github.com/cbec/cbec/pkg/natstest"
	"github.com/cbec/cbec/pkg/tooltest"
)

// startMain runs the whole program on random ports with its data in dir.
func startMain(t *testing.T, dir string, extra ...string) *Main {
	t.Helper()
	return runMain(t, append([]string{"--http-addr", "127.0.0.1:0", "--nats-listen", "", "--data-dir", dir, "--log-level", "warn"}, extra...)...)
}

// runMain runs the program with args (no environment), logging to stderr;
// the caller closes it.
func runMain(t *testing.T, args ...string) *Main {
	t.Helper()
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

// sharedDir finds ../shared beside the repository (CBEC_SHARED overrides).
var packNo = regexp.MustCompile(`(<(?:ceb:)?)packNo>\d+<`)

func sharedDir(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("CBEC_SHARED"); d != "" {
		return d
	}
	d := "../../../shared"
	if _, err := os.Stat(d + "/ceb/samples/import"); err != nil {
		t.Fatalf("official samples not found beside the repository: %v", err)
	}
	return d
}

// sample reads an official import sample with two placeholders corrected, as
// the README's walk-through does: the CEB311/621 buyer ID fails the GB 11643
// checksum, and packNo must be 1 where the samples say 6000.
func sample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(sharedDir(t) + "/ceb/samples/import/" + name)
	if err != nil {
		t.Fatal(err)
	}
	b = bytes.ReplaceAll(b, []byte("130681136250023332"), []byte("130681196205023335"))
	return packNo.ReplaceAll(b, []byte("${1}packNo>1<"))
}

// TestEndToEndSurvivesRestart runs the whole program, submits the four
// official import samples, stops it, starts it again on the same data
// directory and reads the same receipts.
func TestEndToEndSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	m := startMain(t, dir)
	submissions := []struct {
		file, key string
		accepted  int
	}{
		// The samples repeat business keys: a copy of a document is
		// accepted again (stored once), another document under a key
		// taken is a duplicate.
		{"CEB311Message.xml", "demo-platform", 6},
		{"CEB411Message.xml", "demo-pay-sample", 10},
		{"CEB511Message.xml", "demo-logistics", 1},
		{"CEB621Message.xml", "demo-platform", 5},
	}
	for _, s := range submissions {
		code, b, _ := do(t, "POST", m.HTTPURL()+"/v1/ceb", s.key, "application/xml", sample(t, s.file))
		if code != http.StatusAccepted {
			t.Fatalf("%s: %d %s", s.file, code, b)
		}
		var r struct{ Accepted int }
		_ = json.Unmarshal(b, &r)
		if r.Accepted != s.accepted {
			t.Fatalf("%s: accepted %d, want %d: %s", s.file, r.Accepted, s.accepted, b)
		}
	}
	// 1105910159 gets the order's 120 and the two inventories' 2.
	want := map[string]int{"demo-platform": 3, "demo-pay-sample": 2, "demo-logistics": 1, "demo-ebp-sample": 2}
	before := map[string]receiptsPage{}
	for key, n := range want {
		natstest.Eventually(t, 10*time.Second, func() bool {
			before[key] = readReceipts(t, m.HTTPURL(), key)
			return len(before[key].Receipts) >= n
		}, "%s: %d receipts", key, n)
		if len(before[key].Receipts) != n {
			t.Fatalf("%s: %d receipts, want %d", key, len(before[key].Receipts), n)
		}
	}
	if err := m.Close(context.Background()); err != nil {
		t.Fatalf("close: %v", err)
	}

	m = startMain(t, dir)
	defer m.Close(context.Background())
	for key, page := range before {
		after := readReceipts(t, m.HTTPURL(), key)
		a, _ := json.Marshal(after)
		b, _ := json.Marshal(page)
		if !bytes.Equal(a, b) {
			t.Fatalf("%s: receipts changed across restart:\nbefore %s\nafter  %s", key, b, a)
		}
	}
	// The restart re-processed nothing: no receipt was added.
	// And the duplicate guard survived it: the same orders are accepted
	// again, another order under their number is a duplicate.
	order := sample(t, "CEB311Message.xml")
	code, b, _ := do(t, "POST", m.HTTPURL()+"/v1/ceb", "demo-platform", "application/xml", order)
	if code != http.StatusAccepted || !strings.Contains(string(b), `"accepted":6,`) {
		t.Fatalf("resubmission after restart: %d %s", code, b)
	}
	other := bytes.Replace(order, []byte("<ceb:goodsValue>14000<"), []byte("<ceb:goodsValue>14001<"), 1)
	code, b, _ = do(t, "POST", m.HTTPURL()+"/v1/ceb", "demo-platform", "application/xml", other)
	if code != http.StatusAccepted || !strings.Contains(string(b), `"accepted":5,`) || !strings.Contains(string(b), "-301010") {
		t.Fatalf("another order after restart: %d %s", code, b)
	}
}

// TestEmittedReceiptsValidateAgainstTheXSD reads receipts as CEB XML from
// the running program and validates them with xmllint against import.xsd;
// started with --signing-key, each comes in a DxpMsg envelope that carries
// customs' valid signature and validates against terminal.xsd.
func TestEmittedReceiptsValidateAgainstTheXSD(t *testing.T) {
	xmllint := tooltest.Need(t, "xmllint")
	validate := func(t *testing.T, doc []byte, schema string) {
		t.Helper()
		f := t.TempDir() + "/doc.xml"
		if err := os.WriteFile(f, doc, 0o600); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(xmllint, "--noout", "--schema", sharedDir(t)+"/ceb/xsd/"+schema, f).CombinedOutput(); err != nil {
			t.Fatalf("fails %s: %v\n%s\n%s", schema, err, out, doc)
		}
	}
	for _, signed := range []bool{false, true} {
		t.Run(map[bool]string{false: "unsigned", true: "signed"}[signed], func(t *testing.T) {
			dir := t.TempDir()
			var extra []string
			var certs []*smx509.Certificate
			if signed {
				keyPEM, certPEM, err := dsig.GenerateSM2("CUSTOMS", time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
				if err != nil {
					t.Fatal(err)
				}
				if certs, err = dsig.ParseCertificates(certPEM); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(dir+"/key.pem", keyPEM, 0o600); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(dir+"/cert.pem", certPEM, 0o600); err != nil {
					t.Fatal(err)
				}
				extra = []string{"--signing-key", dir + "/key.pem", "--signing-cert", dir + "/cert.pem"}
			}
			m := startMain(t, dir+"/data", extra...)
			defer m.Close(context.Background())
			for _, s := range []struct{ file, key string }{
				{"CEB311Message.xml", "demo-platform"}, {"CEB621Message.xml", "demo-platform"},
				{"CEB411Message.xml", "demo-pay-sample"}, {"CEB511Message.xml", "demo-logistics"},
			} {
				if code, b, _ := do(t, "POST", m.HTTPURL()+"/v1/ceb", s.key, "application/xml", sample(t, s.file)); code != 202 {
					t.Fatalf("%s: %d %s", s.file, code, b)
				}
			}
			for key, n := range map[string]int{"demo-platform": 3, "demo-pay-sample": 2, "demo-logistics": 1} {
				natstest.Eventually(t, 10*time.Second, func() bool { return len(readReceipts(t, m.HTTPURL(), key).Receipts) >= n }, key)
				cursor, types := "0", 0
				for {
					code, b, hdr := do(t, "GET", m.HTTPURL()+"/v1/receipts?after="+cursor, key, "", nil, "Accept", "application/xml")
					if code == http.StatusNoContent {
						break
					}
					if code != http.StatusOK {
						t.Fatalf("%s: %d %s", key, code, b)
					}
					if signed {
						if _, err := dsig.Verify(b, dsig.Options{Certificates: certs, Now: time.Now()}); err != nil {
							t.Fatalf("%s: customs' signature: %v\n%s", key, err, b)
						}
						validate(t, b, "terminal.xsd")
						env, err := ceb.DecodeDxpMsg(b)
						if err != nil {
							t.Fatal(err)
						}
						b = env.Data
					}
					validate(t, b, "import.xsd")
					types++
					cursor = hdr.Get("Cbec-Next-Cursor")
				}
				if types == 0 {
					t.Fatalf("%s: no receipt message validated", key)
				}
			}
		})
	}
}
