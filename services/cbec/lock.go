package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// lockFile is the name of the data directory's lock, beside the store.
const lockFile = "cbec.lock"

// ErrDataDirInUse is the error of a second process on one data directory.
var ErrDataDirInUse = errors.New("data directory in use")

// lockDataDir takes an advisory lock on dir for as long as the process
// lives (or until release), so that two processes never run one JetStream
// store: the second would corrupt what the first acknowledged. The lock
// file holds the holder's PID, which the refusal names. The kernel drops
// the lock when the process dies, even by kill -9, so a crash never leaves
// a stale lock behind.
func lockDataDir(dir string) (release func(), err error) {
	path := filepath.Join(dir, lockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("data dir lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		b, _ := os.ReadFile(path)
		_ = f.Close()
		holder := strings.TrimSpace(string(b))
		if _, perr := strconv.Atoi(holder); perr != nil {
			holder = "unknown"
		}
		return nil, fmt.Errorf("%w: %s is locked by another cbec process (pid %s); stop it or choose another --data-dir", ErrDataDirInUse, dir, holder)
	}
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		_ = f.Close()
	}, nil
}
