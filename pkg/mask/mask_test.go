package mask

import "testing"

func TestMask(t *testing.T) {
	cases := []struct{ got, want string }{
		{ID("130681196205023335"), "130*************35"},
		{ID("1234"), "****"},
		{Name("张三丰"), "张**"},
		{Name("张"), "*"},
		{Phone("13800138000"), "138****8000"},
		{Phone(""), ""},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
