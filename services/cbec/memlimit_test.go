package main

import (
	"errors"
	"testing"
)

func TestMemoryLimitFollowsWhatTheProcessMayUse(t *testing.T) {
	gib := int64(1) << 30
	share := func(n int64) int64 { return int64(float64(n) * MemoryShare) }
	meminfo := "MemTotal:       25165824 kB\nMemFree:         1000 kB\n" // 24 GiB
	for _, c := range []struct {
		name  string
		files map[string]string
		want  int64
	}{
		{"machine", map[string]string{"/proc/meminfo": meminfo, "/sys/fs/cgroup/memory.max": "max\n"}, share(24 * gib)},
		{"cgroup v2", map[string]string{"/proc/meminfo": meminfo, "/sys/fs/cgroup/memory.max": "4294967296\n"}, share(4 * gib)},
		{"cgroup v1", map[string]string{"/proc/meminfo": meminfo, "/sys/fs/cgroup/memory/memory.limit_in_bytes": "8589934592\n"}, share(8 * gib)},
		{"cgroup v1 unlimited", map[string]string{"/proc/meminfo": meminfo, "/sys/fs/cgroup/memory/memory.limit_in_bytes": "9223372036854771712\n"}, share(24 * gib)},
		{"small container", map[string]string{"/proc/meminfo": meminfo, "/sys/fs/cgroup/memory.max": "536870912\n"}, MinMemoryLimit},
		{"nothing readable", map[string]string{}, MinMemoryLimit},
	} {
		read := func(name string) ([]byte, error) {
			if v, ok := c.files[name]; ok {
				return []byte(v), nil
			}
			return nil, errors.New("no such file")
		}
		if got := MemoryLimit(read); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
	if systemMemoryLimit() < MinMemoryLimit {
		t.Fatal("this machine's limit is below the least")
	}
}
