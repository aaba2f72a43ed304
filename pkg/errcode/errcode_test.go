package errcode

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestHTTPStatus(t *testing.T) {
	cases := []struct {
		code Code
		want int
	}{
		{Unauthenticated, http.StatusUnauthorized},
		{Forbidden, http.StatusForbidden},
		{TooLarge, http.StatusRequestEntityTooLarge},
		{UnsupportedMediaType, http.StatusUnsupportedMediaType},
		{MessageFormat, http.StatusBadRequest},
		{OrderExists, http.StatusConflict},
		{"-621005", http.StatusUnprocessableEntity}, // business rejection not in the table
		{"bogus", http.StatusInternalServerError},
	}
	for _, c := range cases {
		if got := HTTPStatus(c.code); got != c.want {
			t.Errorf("HTTPStatus(%s) = %d, want %d", c.code, got, c.want)
		}
	}
}

func TestOfAndAs(t *testing.T) {
	e := New(OrderExists, "order %s exists", "X1")
	wrapped := fmt.Errorf("intake: %w", e)
	if Of(wrapped) != OrderExists {
		t.Fatalf("Of(wrapped) = %s", Of(wrapped))
	}
	if Of(nil) != "" {
		t.Fatal("Of(nil) must be empty")
	}
	plain := errors.New("disk on fire")
	if got := As(plain); got.Code != Internal || got.Message == plain.Error() {
		t.Fatalf("As(plain) = %+v: must be Internal without leaking the cause", got)
	}
	if got := e.WithDetails(Detail{Path: "Order[0].orderNo"}); len(got.Details) != 1 || len(e.Details) != 0 {
		t.Fatal("WithDetails must copy")
	}
}

func TestCatalogueCodesAreDistinctAndDescribed(t *testing.T) {
	for _, e := range Catalogue() {
		if e.Text == "" || e.HTTP < 400 {
			t.Errorf("%s: incomplete entry %+v", e.Code, e)
		}
	}
}

func TestWrapKeepsTheCauseOutOfTheMessage(t *testing.T) {
	cause := errors.New("nats: timeout")
	e := Wrap(Unavailable, cause, "storage temporarily unavailable; retry later")
	if !errors.Is(e.Cause(), cause) || !errors.Is(e, cause) || Of(fmt.Errorf("x: %w", e)) != Unavailable {
		t.Fatalf("Wrap: %+v", e)
	}
	b, _ := json.Marshal(e)
	if strings.Contains(e.Error(), "nats") || strings.Contains(string(b), "nats") {
		t.Fatalf("the cause leaks: %s / %s", e.Error(), b)
	}
	if got := As(cause); !errors.Is(got.Cause(), cause) {
		t.Fatal("As keeps an uncoded error as the cause")
	}
}
