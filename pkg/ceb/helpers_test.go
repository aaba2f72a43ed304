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
	"github.com/cbec/cbec/pkg/tooltest"
)

// sharedDir finds ../shared next to the module root (the directory holding
// go.mod), or CBEC_SHARED when set. The official schemas and samples live
// there; without them the conformance tests cannot run, so it fails.
func sharedDir(t testing.TB) string {
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

// schema is one official XSD and the message types this package models
// from it.
type schema struct {
	name  string // "import" or "export": the XSD file and samples folder
	types []ceb.MsgType
}

// schemas are the two business XSDs; tests that check against the XSD
// run over this table.
var schemas = []schema{
	{"import", ceb.ImportMsgTypes()},
	{"export", ceb.ExportMsgTypes()},
}

// xsdFile is the path of the official XSD named name ("import", "export").
func xsdFile(t *testing.T, name string) string {
	return filepath.Join(sharedDir(t), "ceb", "xsd", name+".xsd")
}

// schemaOf is the name of the XSD defining message type typ.
func schemaOf(typ ceb.MsgType) string {
	if typ.IsExport() {
		return "export"
	}
	return "import"
}

// xmllint fails the test unless data, a message of type typ, validates
// against its official XSD.
func xmllint(t *testing.T, typ ceb.MsgType, name string, data []byte) {
	t.Helper()
	if out, err := runXmllint(t, schemaOf(typ), name, data); err != nil {
		t.Errorf("%s does not validate against %s.xsd: %v\n%s", name, schemaOf(typ), err, out)
	}
}

// runXmllint runs xmllint --schema <xsd>.xsd on data.
func runXmllint(t *testing.T, xsd, name string, data []byte) ([]byte, error) {
	t.Helper()
	bin := tooltest.Need(t, "xmllint")
	file := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return exec.Command(bin, "--noout", "--schema", xsdFile(t, xsd), file).CombinedOutput()
}

// at is a fixed receipt time: 2025-03-10 10:00:00.123 in China.
var at = time.Date(2025, 3, 10, 2, 0, 0, 123_000_000, time.UTC)

// fixtures returns a valid message of every modelled type, built from
// cebtest documents and NewReceipt. Declarations whose XSD requires
// ds:Signature carry the cebtest placeholder so that they also pass
// xmllint; Validate does not need it. Receipts get the preNo, invtNo and
// billNo that customs would assign where their XSD requires them.
func fixtures(t *testing.T) map[ceb.MsgType]*ceb.Message {
	t.Helper()
	const orderNo = "ORD-20250310-0001"
	o, p, l, i := cebtest.Set(orderNo)
	invtNo := cebtest.InvtNo(orderNo)
	c := cebtest.Cancel(i, invtNo)
	r := cebtest.Refund(i, invtNo)
	preNo := cebtest.PreNo(orderNo)

	eo, er, el, ei := cebtest.ExportSet(orderNo)
	eInvtNo := cebtest.ExportInvtNo(orderNo)
	ePreNo := cebtest.ExportPreNo(orderNo)
	sa := cebtest.SummaryApply(eInvtNo)

	ms := map[ceb.MsgType]*ceb.Message{}
	decls := []ceb.Declaration{o, p, l, i, c, r,
		eo, er, el, cebtest.Arrival(el), cebtest.Departure(el), ei, cebtest.ExportCancel(ei, eInvtNo), sa}
	for _, d := range decls {
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
		case *ceb.ArrivalReturn:
			rc.PreNo = cebtest.ExportPreNo(d.GUID())
		case *ceb.DepartureReturn:
			rc.PreNo = cebtest.ExportPreNo(d.GUID())
		case *ceb.ExportInventoryReturn:
			rc.PreNo, rc.InvtNo = ePreNo, eInvtNo
		case *ceb.ExportInvtCancelReturn:
			rc.PreNo = ePreNo
		case *ceb.SummaryReturn:
			rc.PreNo, rc.SumNo = cebtest.ExportPreNo(d.GUID()), cebtest.SumNo(eInvtNo)
		}
		ms[rc.MsgType()] = cebtest.Message(rc)
	}
	orig := []byte("<CEB999Message/>")
	ms[ceb.CEB900] = cebtest.Message(ceb.NewFormatReceipt(cebtest.GUID("900"), "MSG-1", "CEB999Message", orig, "-1", "unknown message type", at))
	ms[ceb.CEB792] = cebtest.Message(cebtest.SummaryResult(ei, eInvtNo))
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
