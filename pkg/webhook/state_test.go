package webhook_test

import (
	"testing"
	"time"

	"github.com/cbec/cbec/pkg/webhook"
)

func TestRetryDelayDoublesUpToMax(t *testing.T) {
	r := webhook.DefaultRetry
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}
	for i, w := range want {
		if got := r.Delay(i + 1); got != w {
			t.Errorf("Delay(%d) = %v, want %v", i+1, got, w)
		}
	}
	if got := r.Delay(12); got != 2048*time.Second {
		t.Errorf("Delay(12) = %v", got)
	}
	if got := r.Delay(13); got != time.Hour {
		t.Errorf("Delay(13) = %v, want the 1h cap", got)
	}
	if got := r.Delay(500); got != time.Hour {
		t.Errorf("Delay(500) = %v", got)
	}
	// The default schedule retries for a day: about 35 attempts.
	var total time.Duration
	n := 0
	for total < r.For {
		n++
		total += r.Delay(n)
	}
	if n < 30 || n > 40 {
		t.Errorf("%d attempts in 24h", n)
	}
}

func TestStateBlocksAfterFailingForTheWindow(t *testing.T) {
	r := webhook.Retry{Base: time.Second, Max: time.Hour, For: 24 * time.Hour}
	t0 := time.Date(2026, 11, 11, 0, 0, 0, 0, time.UTC)
	var s webhook.State
	if s.Failed(t0, "status 500", r) {
		t.Fatal("blocked at the first failure")
	}
	if s.Failed(t0.Add(24*time.Hour-time.Second), "timeout", r) {
		t.Fatal("blocked inside the window")
	}
	if s.Failures != 2 || !s.FailingSince.Equal(t0) || s.LastError != "timeout" {
		t.Fatalf("%+v", s)
	}
	if !s.Failed(t0.Add(24*time.Hour), "timeout", r) || !s.Blocked || !s.BlockedAt.Equal(t0.Add(24*time.Hour)) {
		t.Fatalf("not blocked after 24h: %+v", s)
	}
	s.Unblock("OPERATOR01")
	if s.Blocked || s.Failures != 0 || !s.FailingSince.IsZero() || s.UnblockedBy != "OPERATOR01" {
		t.Fatalf("after unblock: %+v", s)
	}
	// A new run of failures gets the whole window again.
	t1 := t0.Add(48 * time.Hour)
	if s.Failed(t1, "status 502", r) || !s.FailingSince.Equal(t1) {
		t.Fatalf("%+v", s)
	}
	if !s.Succeeded(t1.Add(time.Minute)) || s.Failures != 0 || s.LastError != "" || !s.RecoveredAt.Equal(t1.Add(time.Minute)) {
		t.Fatalf("after success: %+v", s)
	}
	if s.Succeeded(t1.Add(2 * time.Minute)) {
		t.Error("a success after a success changed the state: it would cost a write per delivery")
	}
}
