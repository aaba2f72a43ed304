package ceb_test

import (
	"bytes"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/ceb/cebtest"
)

// sharedDir finds ../shared next to the module root (the directory holding
// go.mod), or CBEC_SHARED when set. The official schemas and samples live
// there; without them the conformance tests cannot run, so it fails.
func sharedDir(t *testing.T) string {
	t.Helper()
	if dir := os.Getenv("CBEC_SHARED"); dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "ceb", "xsd", "import.xsd")); err != nil {
			t.Fatalf("CBEC_SHARED=%s: %v", dir, err)
		}
		return dir
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			shared := filepath.Join(dir, "..", "shared")
			if _, err := os.Stat(filepath.Join(shared, "ceb", "xsd", "import.xsd")); err != nil {
				t.Fatalf("shared folder not found next to the module root %s (set CBEC_SHARED): %v", dir, err)
			}
			return shared
		}
		if filepath.Dir(dir) == dir {
			t.Fatalf("no go.mod above %s", wd)
		}
	}
}

func importXSD(t *testing.T) string {
	return filepath.Join(sharedDir(t), "ceb", "xsd", "import.xsd")
}

// xmllint fails the test unless data validates against the official
// import XSD.
func xmllint(t *testing.T, name string, data []byte) {
	t.Helper()
	if out, err := runXmllint(t, name, data); err != nil {
		t.Errorf("%s does not validate against import.xsd: %v\n%s", name, err, out)
	}
}

// runXmllint runs xmllint --schema import.xsd on data.
func runXmllint(t *testing.T, name string, data []byte) ([]byte, error) {
	t.Helper()
	bin, err := exec.LookPath("xmllint")
	if err != nil {
		t.Fatalf("xmllint is required to check messages against the XSD: %v", err)
	}
	file := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return exec.Command(bin, "--noout", "--schema", importXSD(t), file).CombinedOutput()
}

// at is a fixed receipt time: 2025-03-10 10:00:00.123 in China.
var at = time.Date(2025, 3, 10, 2, 0, 0, 123_000_000, time.UTC)

// fixtures returns a valid message of every modelled type, built from
// cebtest documents and NewReceipt. Declarations whose XSD requires
// ds:Signature carry the cebtest placeholder so that they also pass
// xmllint; Validate does not need it.
func fixtures(t *testing.T) map[ceb.MsgType]*ceb.Message {
	t.Helper()
	o, p, l, i := cebtest.Set("ORD-20250310-0001")
	invtNo := cebtest.InvtNo(o.OrderHead.OrderNo)
	c := cebtest.Cancel(i, invtNo)
	r := cebtest.Refund(i, invtNo)
	preNo := cebtest.PreNo(o.OrderHead.OrderNo)

	ms := map[ceb.MsgType]*ceb.Message{}
	for _, d := range []ceb.Declaration{o, p, l, i, c, r} {
		m := cebtest.Message(d)
		switch d.MsgType() {
		case ceb.CEB621, ceb.CEB623, ceb.CEB625:
			m.Signature = cebtest.Signature
		}
		ms[d.MsgType()] = m

		rc := ceb.NewReceipt(d, "120", "入库成功", at)
		switch rc := rc.(type) {
		case *ceb.InventoryReturn:
			rc.PreNo, rc.InvtNo = preNo, invtNo
		case *ceb.InvtCancelReturn:
			rc.PreNo = preNo
		case *ceb.InvtRefundReturn:
			rc.PreNo = preNo
		}
		ms[rc.MsgType()] = cebtest.Message(rc)
	}
	orig := []byte("<CEB999Message/>")
	ms[ceb.CEB900] = cebtest.Message(ceb.NewFormatReceipt(cebtest.GUID("900"), "MSG-1", "CEB999Message", orig, "-1", "unknown message type", at))
	for _, typ := range ceb.MsgTypes() {
		if ms[typ] == nil {
			t.Fatalf("no fixture for %s", typ)
		}
		if errs := ceb.Validate(ms[typ]); len(errs) > 0 {
			t.Fatalf("fixture %s is invalid: %v", typ, errs)
		}
	}
	return ms
}

func encode(t *testing.T, m *ceb.Message) []byte {
	t.Helper()
	b, err := ceb.EncodeXML(m)
	if err != nil {
		t.Fatalf("EncodeXML(%s): %v", m.Type, err)
	}
	return b
}

// cutElement removes from data the first element whose local-name path
// below the root is path, e.g. ["Order", "OrderHead", "orderNo"].
func cutElement(data []byte, path []string) ([]byte, bool) {
	d := xml.NewDecoder(bytes.NewReader(data))
	var stack []string
	for {
		off := d.InputOffset()
		tok, err := d.Token()
		if err != nil {
			return nil, false
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			stack = append(stack, tok.Name.Local)
			if len(stack) > 1 && strings.Join(stack[1:], "/") == strings.Join(path, "/") {
				if err := d.Skip(); err != nil {
					return nil, false
				}
				end := d.InputOffset()
				return append(bytes.Clone(data[:off]), data[end:]...), true
			}
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		}
	}
}

// leaf is the last element name of a FieldError path, without index.
func leaf(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		path = path[i+1:]
	}
	name, _, _ := strings.Cut(path, "[")
	return name
}
