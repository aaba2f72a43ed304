package receipt

import (
	"testing"
)

func TestReceiptsReadsBothMessageShapes(t *testing.T) {
	for _, c := range []struct {
		body string
		want int
		ok   bool
	}{
		{`[{"returnStatus":"2"},{"returnStatus":"120"}]`, 2, true},
		{`[{"returnStatus":"120"}]`, 1, true},
		{` {"returnStatus":"120"}`, 1, true}, // stored by an earlier version
		{`"120"`, 0, false},
		{``, 0, false},
	} {
		rs, err := splitReceipts([]byte(c.body))
		if (err == nil) != c.ok || len(rs) != c.want {
			t.Errorf("splitReceipts(%q) = %d receipts, %v", c.body, len(rs), err)
		}
	}
}
