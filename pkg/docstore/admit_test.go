package docstore

import (
	"encoding/json"
	"slices"
	"testing"
)

func TestMetaReadsSeqAndPrevWithoutTheDocument(t *testing.T) {
	for _, e := range []Entry{
		{MsgType: "CEB311", Party: "P", Seq: 42, Hash: "h", Doc: json.RawMessage(`{"big":"document"}`)},
		{MsgType: "CEB311", Party: "P", Seq: 7, Prev: []uint64{3, 5}, Hash: "h", Doc: json.RawMessage(`{}`)},
	} {
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		seq, prev, err := meta(b)
		if err != nil || seq != e.Seq || !slices.Equal(prev, e.Prev) {
			t.Fatalf("meta(%s) = %d %v %v", b, seq, prev, err)
		}
	}
	// A truncated document after the fields is never read.
	seq, _, err := meta([]byte(`{"msgType":"CEB311","party":"P","seq":9,"hash":"x","doc":{"unterminated`))
	if err != nil || seq != 9 {
		t.Fatalf("meta stops at hash: %d %v", seq, err)
	}
	if _, _, err := meta([]byte(`not json`)); err == nil {
		t.Fatal("garbage accepted")
	}
}
