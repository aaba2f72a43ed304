package main

import (
	"context"
	"testing"
	"time"
)

// TestSyncReachesTheEmbeddedServer starts the program with each kind of
// --sync and reads the policy back from the running server's JetStream:
// the setting that decides whether a 202 survives power loss.
func TestSyncReachesTheEmbeddedServer(t *testing.T) {
	for _, tc := range []struct {
		args     []string
		always   bool
		interval time.Duration
	}{
		{nil, false, time.Second}, // the default, broker.DefaultSync
		{[]string{"--sync", "always"}, true, 0},
		{[]string{"--sync", "250ms"}, false, 250 * time.Millisecond},
	} {
		m := startMain(t, t.TempDir(), tc.args...)
		js := m.server.JetStreamConfig()
		_ = m.Close(context.Background())
		if js == nil {
			t.Fatalf("%v: JetStream is not enabled", tc.args)
		}
		if js.SyncAlways != tc.always || (!tc.always && js.SyncInterval != tc.interval) {
			t.Errorf("%v: the server syncs always=%v every %v, want always=%v every %v", tc.args, js.SyncAlways, js.SyncInterval, tc.always, tc.interval)
		}
	}
}
