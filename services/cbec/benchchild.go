package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// benchCommand makes the command that runs cbec with args in a process of
// its own: this very binary. Tests replace it (their binary is a test
// binary, which runs cbec through CBEC_TEST_CHILD_ARGS).
var benchCommand = func(args []string) (*exec.Cmd, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	return exec.Command(exe, args...), nil
}

// benchChild is the cbec under measurement: the all-in-one binary with its
// embedded NATS, in a process of its own so that its memory is its own.
type benchChild struct {
	cmd        *exec.Cmd
	httpURL    string
	natsURL    string
	exited     chan struct{}
	stderrTail *tailBuffer
	// gc is the child's garbage collections, read from the gctrace lines
	// on its standard error (the rest goes to stderrTail).
	gc *gcTrace
}

// startBenchChild runs cbec on a fresh store in dir with the sync policy
// (and extra arguments) and waits until it is running.
func startBenchChild(ctx context.Context, dir, sync string, extra []string) (*benchChild, error) {
	httpAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	natsAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	cmd, err := benchCommand(append([]string{"--data-dir", dir, "--http-addr", httpAddr, "--nats-listen", natsAddr,
		"--sync", sync, "--log-level", "error", "--sweep-interval", "1h"}, extra...))
	if err != nil {
		return nil, err
	}
	c := &benchChild{cmd: cmd, httpURL: "http://" + httpAddr, natsURL: "nats://" + natsAddr,
		exited: make(chan struct{}), stderrTail: &tailBuffer{max: 4096}}
	cmd.Env = childEnv(cmd.Env)
	c.gc = &gcTrace{rest: c.stderrTail}
	cmd.Stderr = c.gc
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	c.gc.start = time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	running := saysRunning(out)
	go func() { _ = cmd.Wait(); close(c.exited) }()
	select {
	case ok := <-running:
		if !ok {
			<-c.exited
			return nil, fmt.Errorf("cbec exited before running: %s", c.stderrTail.String())
		}
		return c, nil
	case <-c.exited:
		return nil, fmt.Errorf("cbec exited before running: %s", c.stderrTail.String())
	case <-time.After(60 * time.Second):
		c.stop()
		return nil, errors.New("cbec not running after 60 s")
	case <-ctx.Done():
		c.stop()
		return nil, ctx.Err()
	}
}

// saysRunning reads a cbec process's standard output to its end and
// tells, once, whether the process said it is running (true) or ended its
// output without saying so (false).
func saysRunning(out io.Reader) <-chan bool {
	running := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		said := false
		for sc.Scan() {
			if !said && strings.HasPrefix(sc.Text(), "cbec is running") {
				said = true
				running <- true
			}
		}
		if !said {
			running <- false
		}
	}()
	return running
}

// stop ends the child with SIGTERM (its ordered shutdown), then SIGKILL.
func (c *benchChild) stop() {
	if c.cmd.Process == nil {
		return
	}
	_ = c.cmd.Process.Signal(os.Interrupt)
	select {
	case <-c.exited:
	case <-time.After(35 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.exited
	}
}

// rss is the child's resident set in bytes, from /proc; 0 where /proc is
// not there.
func (c *benchChild) rss() int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(c.cmd.Process.Pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// goroutines reads the child's go_goroutines from its /metrics; 0 when it
// does not answer within 30 s.
func (c *benchChild) goroutines() int {
	client := &http.Client{Timeout: 30 * time.Second}
	resp, err := client.Get(c.httpURL + "/metrics")
	if err != nil {
		return 0
	}
	defer func() { _ = resp.Body.Close() }()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "go_goroutines "); ok {
			n, _ := strconv.ParseFloat(v, 64)
			return int(n)
		}
	}
	return 0
}

// freeAddr is a loopback address with a port free now.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := ln.Addr().String()
	return addr, ln.Close()
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
	max int
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = t.buf[len(t.buf)-t.max:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
