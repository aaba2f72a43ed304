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

func TestEntryEncodeMatchesMarshal(t *testing.T) {
	for _, e := range []Entry{
		{MsgType: "CEB311", Party: "P", Seq: 42, Hash: "h", Doc: json.RawMessage(`{"OrderHead":{"orderNo":"O-1"}}`)},
		{MsgType: "CEB311", Party: "P", Seq: 7, Prev: []uint64{3, 5}, Hash: "h"},
	} {
		got, err := e.Encode()
		if err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(e)
		if string(got) != string(want) {
			t.Fatalf("Encode\n %s\nwant\n %s", got, want)
		}
		if seq, prev, err := meta(got); err != nil || seq != e.Seq || !slices.Equal(prev, e.Prev) {
			t.Fatalf("meta of the encoding: %d %v %v", seq, prev, err)
		}
	}
}
