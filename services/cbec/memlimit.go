package main

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"strings"
)

// MinMemoryLimit is the least soft limit of the Go heap the binary sets.
const MinMemoryLimit = 1 << 30

// MemoryShare is the share of the memory the process may use that becomes
// the Go heap's soft limit.
const MemoryShare = 0.7

// MemoryLimit is the Go heap's soft limit unless GOMEMLIMIT says otherwise:
// 70 % of the memory the process may use — its cgroup's limit (a
// container's memory), else the machine's — and at least 1 GiB. Past it
// the collector runs as often as it must instead of letting garbage grow
// to GCPercent above the live heap, so RSS stays below what the process
// may use. It scales with the machine because the live heap does with the
// load: the JetStream server's duplicate windows hold 10 minutes of message
// ids, and under a sustained 1,400 declarations a second the all-in-one
// process's live heap passed 1 GiB within three minutes — where the fixed
// 1 GiB limit the binary had before made the collector run without pause
// and the decisions all but stop (docs/performance.md).
func MemoryLimit(read func(string) ([]byte, error)) int64 {
	avail := cgroupLimit(read)
	if avail <= 0 {
		avail = memTotal(read)
	}
	limit := int64(float64(avail) * MemoryShare)
	return max(limit, MinMemoryLimit)
}

// cgroupLimit is the memory limit of the process's cgroup (v2, else v1),
// or 0 when it has none.
func cgroupLimit(read func(string) ([]byte, error)) int64 {
	for _, f := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		b, err := read(f)
		if err != nil {
			continue
		}
		v, err := strconv.ParseInt(string(bytes.TrimSpace(b)), 10, 64)
		// "max" (v2) or a huge number (v1: no limit) say there is none.
		if err != nil || v <= 0 || v >= 1<<60 {
			return 0
		}
		return v
	}
	return 0
}

// memTotal is the machine's memory from /proc/meminfo, or 0.
func memTotal(read func(string) ([]byte, error)) int64 {
	b, err := read("/proc/meminfo")
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
			f := strings.Fields(v)
			if len(f) == 2 && f[1] == "kB" {
				kb, err := strconv.ParseInt(f[0], 10, 64)
				if err == nil {
					return kb * 1024
				}
			}
		}
	}
	return 0
}

// systemMemoryLimit is MemoryLimit of this machine.
func systemMemoryLimit() int64 { return MemoryLimit(os.ReadFile) }
