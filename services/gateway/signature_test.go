package gateway_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/nats-io/nats.go"

	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/ceb/cebtest"
	"github.com/cbec/cbec/pkg/dsig"
	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/svc"
	"github.com/cbec/cbec/pkg/tooltest"
	"github.com/cbec/cbec/services/gateway"
	"github.com/cbec/cbec/services/servicetest"
)

// signer is a party's SM2 key, its certificate valid for a month around
// the harness clock's start.
func signer(t *testing.T, code string) (*dsig.Signer, []byte) {
	t.Helper()
	keyPEM, certPEM, err := dsig.GenerateSM2(code, servicetest.Start.AddDate(0, 0, -15), servicetest.Start.AddDate(0, 0, 15))
	if err != nil {
		t.Fatal(err)
	}
	s, err := dsig.LoadSigner(keyPEM, certPEM)
	if err != nil {
		t.Fatal(err)
	}
	return s, certPEM
}

func encode(t *testing.T, docs ...ceb.Document) []byte {
	t.Helper()
	m := cebtest.Message(docs...)
	if m.Type == ceb.CEB621 {
		m.Signature = nil
	}
	b, err := ceb.EncodeXML(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sign(t *testing.T, s *dsig.Signer, doc []byte) []byte {
	t.Helper()
	b, err := s.Sign(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSignaturesAreVerifiedAtIntake runs each outcome of the check over
// HTTP: the platform 1500000001 has a certificate and the optional policy,
// the declaring agent 1500000005 a certificate and the required policy,
// the payment company 1500000003 none.
func TestSignaturesAreVerifiedAtIntake(t *testing.T) {
	ebp, ebpCert := signer(t, cebtest.EbpCode)
	agent, agentCert := signer(t, cebtest.AgentCode)
	h := servicetest.New(t, servicetest.WithSignatures(
		map[string][]byte{cebtest.EbpCode: ebpCert, cebtest.AgentCode: agentCert}, cebtest.AgentCode))
	post := func(key string, body []byte) (int, servicetest.Problem, []byte) {
		t.Helper()
		code, b, _ := h.Do("POST", "/v1/ceb", key, "application/xml", body)
		var p servicetest.Problem
		_ = json.Unmarshal(b, &p)
		return code, p, b
	}
	refused := func(name, key string, body []byte, want errcode.Code) {
		t.Helper()
		code, p, b := post(key, body)
		if code != http.StatusBadRequest || p.Code != string(want) {
			t.Fatalf("%s: %d %s, want 400 %s", name, code, b, want)
		}
	}
	accepted := func(name, key string, body []byte) {
		t.Helper()
		if code, _, b := post(key, body); code != http.StatusAccepted {
			t.Fatalf("%s: %d %s, want 202", name, code, b)
		}
	}

	o, _, _, i := cebtest.Set("SIG-1")
	signedOrder := sign(t, ebp, encode(t, o))
	// Changed after signing: the order's goods value.
	tampered := bytes.Replace(signedOrder, []byte("<goodsValue>"), []byte("<goodsValue>1"), 1)
	if bytes.Equal(tampered, signedOrder) {
		t.Fatal("goodsValue not found")
	}
	refused("content changed", servicetest.KeyEBP, tampered, errcode.SignatureMismatch)
	refused("signed by another party", servicetest.KeyEBP, sign(t, agent, encode(t, o)), errcode.SignatureInvalid)
	// Nothing of the refused messages was stored: the order signed as sent
	// is a first declaration, not a different document under a used key.
	accepted("signed by the platform", servicetest.KeyEBP, signedOrder)

	o2, p2, _, _ := cebtest.Set("SIG-2")
	accepted("unsigned, optional policy", servicetest.KeyEBP, encode(t, o2))
	// A party without a certificate: its placeholder signature is passed
	// through unchecked, as before signatures were checked.
	withPlaceholder := cebtest.Message(p2)
	withPlaceholder.Signature = cebtest.Signature
	b, err := ceb.EncodeXML(withPlaceholder)
	if err != nil {
		t.Fatal(err)
	}
	accepted("no certificate registered", servicetest.KeyPay, b)

	// The agent's signatures are required.
	refused("unsigned list", servicetest.KeyAgent, encode(t, i), errcode.SignatureRequired)
	code, _, body := h.SubmitJSON("inventories", servicetest.KeyAgent, i)
	if p := servicetest.DecodeProblem(t, body); code != http.StatusBadRequest || p.Code != string(errcode.SignatureRequired) {
		t.Fatalf("JSON from a party whose signatures are required: %d %s", code, body)
	}
	signedList := sign(t, agent, encode(t, i))
	refused("list changed", servicetest.KeyAgent, bytes.Replace(signedList, []byte("<orderNo>"), []byte("<orderNo>X"), 1), errcode.InventorySignature)
	h.Clock.Set(servicetest.Start.AddDate(0, 1, 0))
	code, p, _ := post(servicetest.KeyAgent, signedList)
	if code != http.StatusBadRequest || p.Code != string(errcode.InventorySignature) || !bytes.Contains([]byte(p.Detail), []byte("1002")) {
		t.Fatalf("expired certificate: %d %+v", code, p)
	}
	h.Clock.Set(servicetest.Start)
	accepted("signed list", servicetest.KeyAgent, signedList)

	// The gateway counts each outcome.
	mfs, err := h.Env.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() == "cbec_gateway_signatures_total" {
			for _, m := range mf.GetMetric() {
				got[m.GetLabel()[0].GetValue()] = m.GetCounter().GetValue()
			}
		}
	}
	want := map[string]float64{"verified": 2, "failed": 4, "refused": 2, "unsigned": 1, "unchecked": 1}
	for r, n := range want {
		if got[r] != n {
			t.Errorf("cbec_gateway_signatures_total{result=%q} = %v, want %v", r, got[r], n)
		}
	}
}

// TestSignaturesOverNATS checks the same policy on the micro endpoint.
func TestSignaturesOverNATS(t *testing.T) {
	agent, agentCert := signer(t, cebtest.AgentCode)
	h := servicetest.New(t, servicetest.WithSignatures(map[string][]byte{cebtest.AgentCode: agentCert}, cebtest.AgentCode))
	_, _, _, i := cebtest.Set("SIG-NATS")
	request := func(body []byte, msgType string) *nats.Msg {
		t.Helper()
		req := nats.NewMsg(gateway.SubmitSubject)
		req.Data = body
		req.Header.Set("Authorization", "Bearer "+servicetest.KeyAgent)
		if msgType != "" {
			req.Header.Set(gateway.HeaderMsgType, msgType)
		}
		return microRequest(t, h, req)
	}
	jsonBody, _ := json.Marshal(i)
	if got := request(jsonBody, "CEB621").Header.Get("Nats-Service-Error-Code"); got != string(errcode.SignatureRequired) {
		t.Fatalf("JSON: error code %q", got)
	}
	signed := sign(t, agent, encode(t, i))
	if got := request(bytes.Replace(signed, []byte("<orderNo>"), []byte("<orderNo>X"), 1), "").Header.Get("Nats-Service-Error-Code"); got != string(errcode.InventorySignature) {
		t.Fatalf("changed list: error code %q", got)
	}
	var r gateway.SubmitResponse
	if resp := request(signed, ""); json.Unmarshal(resp.Data, &r) != nil || r.Accepted != 1 {
		t.Fatalf("signed list: %s", resp.Data)
	}
}

// TestReceiptsAsXMLAreSignedInADxpEnvelope: with a signing key, each XML
// page of receipts is a DxpMsg envelope addressed to the reader, signed by
// customs, valid against terminal.xsd, carrying a CEB receipt message
// valid against import.xsd.
func TestReceiptsAsXMLAreSignedInADxpEnvelope(t *testing.T) {
	customs, customsCert := signer(t, "CUSTOMS")
	h := servicetest.New(t, func(env *svc.Env) { env.Signer = customs })
	o, _, _, _ := cebtest.Set("SIGNED-RECEIPT")
	h.MustSubmit("orders", servicetest.KeyEBP, o)
	h.WaitReceipts(servicetest.KeyEBP, "", 1)
	code, body, _ := h.Do("GET", "/v1/receipts", servicetest.KeyEBP, "", nil, "Accept", "application/xml")
	if code != http.StatusOK || !ceb.IsDxpMsg(body) {
		t.Fatalf("%d %s", code, body)
	}
	certs, err := dsig.ParseCertificates(customsCert)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dsig.Verify(body, dsig.Options{Certificates: certs, Now: servicetest.Start}); err != nil {
		t.Fatalf("customs' signature: %v", err)
	}
	env, err := ceb.DecodeDxpMsg(body)
	if err != nil {
		t.Fatal(err)
	}
	m, err := ceb.DecodeXML(env.Data)
	if err != nil {
		t.Fatal(err)
	}
	if env.MsgType != ceb.CEB312 || m.Type != ceb.CEB312 || len(m.Documents) != 1 || env.ReceiverIDs[0] != cebtest.EbpCode || env.CopMsgID != m.GUID {
		t.Fatalf("envelope %+v carries %s with %d documents", env, m.Type, len(m.Documents))
	}
	// A changed receipt no longer verifies: the signature covers it.
	changed := bytes.Replace(body, []byte("<dxp:ReceiverId>"+cebtest.EbpCode), []byte("<dxp:ReceiverId>1500000009"), 1)
	if _, err := dsig.Verify(changed, dsig.Options{Certificates: certs, Now: servicetest.Start}); err == nil {
		t.Fatal("a changed envelope verified")
	}
	xmllint := tooltest.Need(t, "xmllint")
	xsd := "../../../shared/ceb/xsd/"
	if d := os.Getenv("CBEC_SHARED"); d != "" {
		xsd = d + "/ceb/xsd/"
	}
	dir := t.TempDir()
	for name, c := range map[string]struct {
		doc    []byte
		schema string
	}{"envelope.xml": {body, "terminal.xsd"}, "receipt.xml": {env.Data, "import.xsd"}} {
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, c.doc, 0o600); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(xmllint, "--noout", "--schema", xsd+c.schema, f).CombinedOutput(); err != nil {
			t.Fatalf("%s against %s: %v\n%s", name, c.schema, err, out)
		}
	}
}
