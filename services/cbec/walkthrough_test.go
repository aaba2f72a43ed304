package main

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cbec/cbec/pkg/tooltest"
)

// TestSignedWalkThrough runs the README's "Signed messages" block as it is
// written, with bash and curl, with this test binary standing in for cbec
// (the CBEC variable the block honours): keygen, a parties file requiring
// signatures, an unsigned order refused, a changed one refused, a signed
// one accepted, and customs' signed receipts verified.
func TestSignedWalkThrough(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a whole cbec (-short)")
	}
	curl := tooltest.Need(t, "curl")
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile("(?s)## Signed messages\n.*?```sh\n(.*?)```").FindSubmatch(readme)
	if block == nil {
		t.Fatal("README has no Signed messages block")
	}
	script := string(block[1])
	// Another port than the README's, free now, so that a cbec the reader
	// runs on 8081 does not meet this one.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	script = strings.ReplaceAll(script, "127.0.0.1:8081", addr)
	if shared := os.Getenv("CBEC_SHARED"); shared != "" {
		script = strings.ReplaceAll(script, "S=../shared/", "S="+shared+"/")
	}

	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// cbec is this binary with its arguments in CBEC_TEST_CHILD_ARGS.
	wrapper := filepath.Join(t.TempDir(), "cbec")
	if err := os.WriteFile(wrapper, []byte("#!/bin/sh\n"+
		"args=$(printf '%s\\037' \"$@\")\n"+
		childArgs+"=\"${args%?}\" exec "+exe+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", "-euo", "pipefail", "-c", script)
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(), "CBEC="+wrapper, "PATH="+filepath.Dir(curl)+":"+os.Getenv("PATH"))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("the walk-through failed: %v\n%s", err, out.String())
	}
	// The three submissions' answers, in the README's order, then the
	// verification and the count of receipts it let through.
	got := out.String()
	for _, want := range []string{"400\n400\n202\n", "signature verified: http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3", "\n1\n"} {
		if !strings.Contains(got, want) {
			t.Fatalf("output lacks %q:\n%s", want, got)
		}
	}
}
