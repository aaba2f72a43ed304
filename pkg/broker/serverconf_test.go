package broker

import (
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// TestSyncRendersAsTheServerReadsIt: every policy ParseSync accepts is
// read by nats-server as meant — 2m unquoted would be 2,000,000 seconds —
// and everything else is refused before a server sees it.
func TestSyncRendersAsTheServerReadsIt(t *testing.T) {
	passwords := map[string]string{}
	for _, u := range Users() {
		passwords[u] = "secret-" + u
	}
	base := ServerConfig{StoreDir: t.TempDir(), Passwords: passwords, CalloutIssuer: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}
	for _, tc := range []struct {
		sync     string
		always   bool
		interval time.Duration
	}{
		{SyncAlways, true, 0},
		{DefaultSync, false, time.Second},
		{"2m", false, 2 * time.Minute},
		{"250ms", false, 250 * time.Millisecond},
		{"1h30m", false, 90 * time.Minute},
	} {
		always, interval, err := ParseSync(tc.sync)
		if err != nil || always != tc.always || interval != tc.interval {
			t.Errorf("ParseSync(%q) = %v, %v, %v", tc.sync, always, interval, err)
		}
		c := base
		c.SyncInterval = tc.sync
		text, err := c.Render()
		if err != nil {
			t.Fatalf("%s: %v", tc.sync, err)
		}
		opts := &server.Options{}
		if err := opts.ProcessConfigString(text); err != nil {
			t.Fatalf("%s: nats-server refuses the rendering (or warns): %v", tc.sync, err)
		}
		if opts.SyncAlways != tc.always || (!tc.always && opts.SyncInterval != tc.interval) {
			t.Errorf("%s: the server reads always=%v every %v", tc.sync, opts.SyncAlways, opts.SyncInterval)
		}
	}
	for _, bad := range []string{"", "Always", "never", "2", "0s", "-1s", "$CBEC_SYNC", "1 s"} {
		if _, _, err := ParseSync(bad); err == nil {
			t.Errorf("ParseSync(%q) accepted", bad)
		}
		if bad == "" {
			continue // a ServerConfig without one keeps the server's default
		}
		c := base
		c.SyncInterval = bad
		if _, err := c.Render(); err == nil {
			t.Errorf("ServerConfig with sync_interval %q rendered", bad)
		}
		if err := (EmbeddedConfig{DataDir: t.TempDir(), Sync: bad}).Validate(); err == nil {
			t.Errorf("EmbeddedConfig with Sync %q accepted", bad)
		}
	}
}
