package receipt

import (
	"crypto/rand"
	"fmt"
	"time"

	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/clock"
	"github.com/cbec/cbec/pkg/dsig"
)

// DxpSender is the DXP node id cbec signs receipt envelopes as.
const DxpSender = "CBEC"

// EncodeXML encodes the leading run of recs of one type as one CEB receipt
// message of at most maxDocs receipts, whole stored messages only (receipts
// sent together share a cursor and are taken together or not at all), and
// returns the cursor of the last message taken. With a signer the message
// travels in a DxpMsg envelope addressed to reader and signed by customs at
// now: the receipts' own schemas have no place for a signature. The HTTP
// receipts API and XML webhooks both answer with it.
func EncodeXML(recs []Record, maxDocs int, reader string, signer *dsig.Signer, now time.Time) (out []byte, next uint64, err error) {
	if len(recs) == 0 {
		return nil, 0, fmt.Errorf("no receipts to encode")
	}
	m := &ceb.Message{Type: recs[0].MsgType, GUID: NewGUID(), Version: "1.0"}
	for i := 0; i < len(recs); {
		j := i + 1
		for j < len(recs) && recs[j].Cursor == recs[i].Cursor {
			j++
		}
		if recs[i].MsgType != m.Type || len(m.Documents) > 0 && len(m.Documents)+j-i > maxDocs {
			break
		}
		for _, rec := range recs[i:j] {
			d, err := rec.Document()
			if err != nil {
				return nil, 0, err
			}
			m.Documents = append(m.Documents, d)
		}
		next = recs[i].Cursor
		i = j
	}
	out, err = ceb.EncodeXML(m)
	if err != nil || signer == nil {
		return out, next, err
	}
	env, err := ceb.EncodeDxpMsg(ceb.DxpMsg{
		CopMsgID: m.GUID, SenderID: DxpSender, ReceiverIDs: []string{dxpID(reader)},
		Created: now.In(clock.Shanghai), MsgType: m.Type, Data: out,
	})
	if err != nil {
		return nil, 0, err
	}
	out, err = signer.Sign(env)
	return out, next, err
}

// NewGUID returns a random upper-case 36-character guid in the UUID text
// layout, as CEB message roots require.
func NewGUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%X-%X-%X-%X-%X", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// dxpID is a party code as a DXP node id, which holds at most 16
// characters: an 18-character unified social credit code keeps its last 16.
func dxpID(code string) string {
	if len(code) > 16 {
		return code[len(code)-16:]
	}
	return code
}
