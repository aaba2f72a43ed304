package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"os/exec"
	"strings"
	"testing"
)

func noEnv(string) string { return "" }

// runCmd runs cbec with args as main does, and returns what it printed.
func runCmd(args ...string) (stdout, stderr string, err error) {
	var out, errOut bytes.Buffer
	err = Run(context.Background(), args, noEnv, &out, &errOut)
	return out.String(), errOut.String(), err
}

// TestHelp: -h, --help and help succeed and print the same usage, which
// names every command of the table and every flag of run with its
// environment twin on the flag's line.
func TestHelp(t *testing.T) {
	help, _, err := runCmd("--help")
	if err != nil {
		t.Fatalf("--help: %v", err)
	}
	for _, args := range [][]string{{"-h"}, {"-help"}, {"help"}, {"help", "help"}} {
		if out, _, err := runCmd(args...); err != nil || out != help {
			t.Errorf("%v: %v, printed %q", args, err, out)
		}
	}
	commandsAt := strings.Index(help, "\nCommands:\n")
	if commandsAt < 0 {
		t.Fatalf("no command list:\n%s", help)
	}
	for _, c := range commands(noEnv) {
		if !strings.Contains(help[commandsAt:], "\n  "+c.name+" ") || !strings.Contains(help, c.summary) {
			t.Errorf("help does not list %s:\n%s", c.name, help)
		}
	}
	fs := flag.NewFlagSet("cbec", flag.ContinueOnError)
	registerFlags(fs, &Config{}, new(string))
	lines := strings.Split(help, "\n")
	fs.VisitAll(func(f *flag.Flag) {
		for _, l := range lines {
			if strings.HasPrefix(strings.TrimSpace(l), "--"+f.Name+" ") && strings.HasSuffix(l, " "+EnvName(f.Name)) {
				return
			}
		}
		t.Errorf("help lacks a line with --%s and %s", f.Name, EnvName(f.Name))
	})
	for _, want := range []string{"--log-format string", `(default "text")`, "(default 30s)", "cbec --version"} {
		if !strings.Contains(help, want) {
			t.Errorf("help lacks %q", want)
		}
	}
}

// TestCommandHelp: every command of the table answers -h with its usage
// and success, the same as cbec help <command>; flags before -h do not
// matter.
func TestCommandHelp(t *testing.T) {
	for _, c := range commands(noEnv) {
		out, errOut, err := runCmd(c.name, "-h")
		if err != nil {
			t.Errorf("%s -h: %v", c.name, err)
			continue
		}
		all := out + errOut
		usage := "cbec " + c.name
		if c.name == "run" {
			usage = "usage: cbec [run]"
		}
		if !strings.Contains(all, usage) {
			t.Errorf("%s -h printed no usage of its own: %q", c.name, all)
		}
		if hout, herr, err := runCmd("help", c.name); err != nil || hout+herr != all {
			t.Errorf("help %s: %v, printed %q, want %q", c.name, err, hout+herr, all)
		}
	}
	if out, _, err := runCmd("--log-level", "debug", "--help"); err != nil || !strings.Contains(out, "CBEC_LOG_LEVEL") {
		t.Errorf("--help after a flag: %v, printed %q", err, out)
	}
	for _, args := range [][]string{{"serve"}, {"help", "serve"}, {"help", "load", "bench"}} {
		if _, _, err := runCmd(args...); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}

// TestHelpExitCode runs cbec as a process: --help and a command's -h exit
// 0, a bad flag exits 1 with one line naming the flag and value.
func TestHelpExitCode(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (string, string, error) {
		cmd := exec.Command(exe)
		cmd.Env = append(os.Environ(), childArgs+"="+strings.Join(args, "\x1f"))
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		return out.String(), errOut.String(), err
	}
	for _, args := range [][]string{{"--help"}, {"load", "-h"}, {"--version"}} {
		if out, _, err := run(args...); err != nil || out == "" && args[0] != "load" {
			t.Errorf("cbec %v: %v, printed %q", args, err, out)
		}
	}
	_, errOut, err := run("--log-level", "bogus")
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(errOut, `--log-level "bogus": want debug, info, warn, error`) {
		t.Errorf("--log-level bogus: %v, printed %q", err, errOut)
	}
}
