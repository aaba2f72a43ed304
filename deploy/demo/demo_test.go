package demo_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"testing"

	"github.com/cbec/cbec/pkg/ceb/cebtest"
)

var update = flag.Bool("update", false, "rewrite the demo documents")

// TestDemoDocumentsAreTheFixtures keeps the README's walk-through documents
// identical to the cebtest set that the tests release: if the fixtures
// change, run `go test ./deploy/demo/ -update`.
func TestDemoDocumentsAreTheFixtures(t *testing.T) {
	o, p, l, i := cebtest.Set("DEMO-0001")
	for name, doc := range map[string]any{"order.json": o, "payment.json": p, "waybill.json": l, "inventory.json": i} {
		want, err := json.MarshalIndent(doc, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, '\n')
		if *update {
			if err := os.WriteFile(name, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from cebtest.Set(\"DEMO-0001\"); run go test ./deploy/demo/ -update", name)
		}
	}
}
