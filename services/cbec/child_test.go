package main

import (
	"context"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cbec/cbec/pkg/natstest"
)

// childArgs names the variable that turns this test binary into a cbec
// process with the arguments it holds (separated by \x1f): the chaos tests
// kill such children with SIGKILL, which a process cannot do to itself.
const childArgs = "CBEC_TEST_CHILD_ARGS"

func TestMain(m *testing.M) {
	natstest.ServeIfChild()
	if args := os.Getenv(childArgs); args != "" {
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
		err := Run(ctx, strings.Split(args, "\x1f"), os.Getenv, os.Stdout, os.Stderr)
		stop()
		if err != nil {
			_, _ = io.WriteString(os.Stderr, "cbec child: "+err.Error()+"\n")
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// child is a cbec process run from this test binary.
type child struct {
	t    *testing.T
	args []string
	cmd  *exec.Cmd
}

// startChild runs cbec with args in a process of its own and waits until it
// says it is running.
func startChild(t *testing.T, args ...string) *child {
	t.Helper()
	c := &child{t: t, args: args}
	c.start()
	t.Cleanup(func() { c.kill() })
	return c
}

func (c *child) start() {
	c.t.Helper()
	exe, err := os.Executable()
	if err != nil {
		c.t.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), childArgs+"="+strings.Join(c.args, "\x1f"))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		c.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	c.cmd = cmd
	running := saysRunning(out)
	select {
	case ok := <-running:
		if !ok {
			c.t.Fatalf("cbec child %v exited before running", c.args)
		}
	case <-time.After(60 * time.Second):
		c.t.Fatalf("cbec child %v not running after 60 s", c.args)
	}
}

// kill ends the process with SIGKILL, as a crash or the OOM killer would.
func (c *child) kill() {
	if c.cmd != nil && c.cmd.ProcessState == nil {
		_ = c.cmd.Process.Kill()
		_ = c.cmd.Wait()
	}
}

// stop ends the process with SIGTERM, its orderly shutdown, and fails the
// test if it does not exit cleanly.
func (c *child) stop() {
	c.t.Helper()
	if c.cmd == nil || c.cmd.ProcessState != nil {
		return
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	if err := c.cmd.Wait(); err != nil {
		c.t.Errorf("cbec child %v: %v", c.args, err)
	}
}

// restart kills the process and starts it again with the same arguments.
func (c *child) restart() {
	c.t.Helper()
	c.kill()
	c.start()
}
