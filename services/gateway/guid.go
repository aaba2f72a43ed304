package gateway

import (
	"crypto/rand"
	"fmt"
)

// newGUID returns a random upper-case 36-character guid in the UUID text
// layout, as CEB message roots require.
func newGUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%X-%X-%X-%X-%X", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
