package clearance_test

import (
	"runtime/debug"
	"testing"
	"time"

	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/ceb/cebtest"
	"github.com/cbec/cbec/pkg/dsig"
	st "github.com/cbec/cbec/services/servicetest"
)

// prepareXML encodes the sets' documents as CEB XML messages of 100, dealt
// round-robin to clients platforms; with signers (by API key) each
// message is signed by its sender, before the timer starts.
func prepareXML(b *testing.B, sets []st.Set, clients int, signers map[string]*dsig.Signer) [][]request {
	const batch = 100
	out := make([][]request, clients)
	for k, from := 0, 0; from < len(sets); k, from = k+1, from+batch {
		part := sets[from:min(from+batch, len(sets))]
		add := func(key string, pick func(st.Set) ceb.Document) {
			docs := make([]ceb.Document, len(part))
			for i, s := range part {
				docs[i] = pick(s)
			}
			body, err := ceb.EncodeXML(cebtest.Message(docs...))
			if err != nil {
				b.Fatal(err)
			}
			if s := signers[key]; s != nil {
				if body, err = s.Sign(body); err != nil {
					b.Fatal(err)
				}
			}
			out[k%clients] = append(out[k%clients], request{"", key, len(part), body})
		}
		add(st.KeyEBP, func(s st.Set) ceb.Document { return s.O })
		add(st.KeyPay, func(s st.Set) ceb.Document { return s.P })
		add(st.KeyLogistics, func(s st.Set) ceb.Document { return s.L })
		add(st.KeyAgent, func(s st.Set) ceb.Document { return s.I })
	}
	return out
}

// benchmarkXML is BenchmarkDeclarations with the documents sent as CEB
// XML messages, signed by every party (signatures required of all four)
// or not.
func benchmarkXML(b *testing.B, signed bool) {
	defer debug.SetGCPercent(debug.SetGCPercent(200))
	var opts []st.Option
	signers := map[string]*dsig.Signer{}
	if signed {
		certs := map[string][]byte{}
		for key, code := range map[string]string{st.KeyEBP: cebtest.EbpCode, st.KeyPay: cebtest.PayCode, st.KeyLogistics: cebtest.LogisticsCode, st.KeyAgent: cebtest.AgentCode} {
			keyPEM, certPEM, err := dsig.GenerateSM2(code, st.Start.Add(-time.Hour), st.Start.AddDate(1, 0, 0))
			if err != nil {
				b.Fatal(err)
			}
			if signers[key], err = dsig.LoadSigner(keyPEM, certPEM); err != nil {
				b.Fatal(err)
			}
			certs[code] = certPEM
		}
		opts = append(opts, st.WithSignatures(certs, cebtest.EbpCode, cebtest.PayCode, cebtest.LogisticsCode, cebtest.AgentCode))
	}
	h := st.New(b, opts...)
	timePipeline(b, h, prepareXML(b, sets(b.N), 4, signers))
}

// BenchmarkDeclarationsXML is the whole pipeline with the documents sent
// as unsigned CEB XML, the baseline of BenchmarkDeclarationsSigned.
//
//	go test ./services/clearance/ -run '^$' -bench DeclarationsXML -benchtime 4000x
func BenchmarkDeclarationsXML(b *testing.B) { benchmarkXML(b, false) }

// BenchmarkDeclarationsSigned is the whole pipeline with every party's
// messages signed (SM2/SM3) and verified at intake: the cost of
// signatures on for all parties.
//
//	go test ./services/clearance/ -run '^$' -bench DeclarationsSigned -benchtime 4000x
func BenchmarkDeclarationsSigned(b *testing.B) { benchmarkXML(b, true) }
