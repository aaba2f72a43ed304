package clock

import (
	"testing"
	"time"
)

func TestSettableMovesWithWallClock(t *testing.T) {
	c := NewSettable()
	target := time.Date(2030, 3, 15, 10, 0, 0, 0, Shanghai)
	c.Set(target)
	got := c.Now()
	if got.Before(target) || got.Sub(target) > time.Second {
		t.Fatalf("Now() = %v, want just after %v", got, target)
	}
	c.Advance(24 * time.Hour)
	if d := c.Now().Sub(target); d < 24*time.Hour || d > 24*time.Hour+time.Second {
		t.Fatalf("after Advance, offset from target = %v", d)
	}
}

func TestFixedOnlyMovesWhenTold(t *testing.T) {
	at := time.Date(2024, 3, 15, 0, 0, 0, 0, Shanghai)
	c := NewFixed(at)
	first := c.Now()
	if !first.Equal(at) || !c.Now().Equal(first) {
		t.Fatal("fixed clock moved by itself")
	}
	c.Advance(time.Hour)
	if !c.Now().Equal(at.Add(time.Hour)) {
		t.Fatalf("Advance: %v", c.Now())
	}
	c.Set(at)
	if !c.Now().Equal(at) {
		t.Fatalf("Set: %v", c.Now())
	}
}

func TestShanghaiIsUTCPlus8(t *testing.T) {
	_, off := time.Date(2024, 7, 1, 0, 0, 0, 0, Shanghai).Zone()
	if off != 8*3600 {
		t.Fatalf("offset %d", off)
	}
}
