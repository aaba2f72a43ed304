package tooltest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestFind(t *testing.T) {
	dir := t.TempDir()
	fake := filepath.Join(dir, "xmllint")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

	if p, err := Find("xmllint", env(nil)); err != nil || p != fake {
		t.Errorf("xmllint in PATH: %q %v", p, err)
	}
	for _, c := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"promtool", nil, "promtool not found: apt-get install prometheus"},
		{"chromium", nil, "chromium not found: apt-get install chromium"},
		{"xmllint", map[string]string{"CBEC_XMLLINT": "/nowhere/xmllint"}, "xmllint not found at CBEC_XMLLINT=/nowhere/xmllint: apt-get install libxml2-utils"},
		{"docker", nil, `tooltest: unknown program "docker"`},
	} {
		_, err := Find(c.name, env(c.env))
		if err == nil || err.Error() != c.want || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	if p, err := Find("chromium", env(map[string]string{"CBEC_CHROMIUM": fake})); err != nil || p != fake {
		t.Errorf("CBEC_CHROMIUM: %q %v", p, err)
	}
}

func TestInCI(t *testing.T) {
	for v, want := range map[string]bool{"": false, "true": true, "1": true, "false": false, "yes": false} {
		if got := InCI(func(string) string { return v }); got != want {
			t.Errorf("CI=%q: %v", v, got)
		}
	}
}

// TestNeed runs TestNeedHelper in a child test process without any tool in
// PATH: without CI it skips with the one line, with CI=true it fails.
func TestNeed(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, ci := range []string{"", "true"} {
		cmd := exec.Command(exe, "-test.run", "^TestNeedHelper$", "-test.v")
		cmd.Env = []string{"PATH=" + t.TempDir(), "CI=" + ci, "TOOLTEST_HELPER=1"}
		out, err := cmd.CombinedOutput()
		line := "xmllint not found: apt-get install libxml2-utils"
		switch {
		case ci == "" && (err != nil || !strings.Contains(string(out), "--- SKIP: TestNeedHelper") || !strings.Contains(string(out), line)):
			t.Errorf("without CI: %v\n%s", err, out)
		case ci == "true" && (err == nil || !strings.Contains(string(out), "--- FAIL: TestNeedHelper") ||
			!strings.Contains(string(out), line+" (CI=true: every test must run)")):
			t.Errorf("with CI=true: %v\n%s", err, out)
		}
	}
}

func TestNeedHelper(t *testing.T) {
	if os.Getenv("TOOLTEST_HELPER") != "1" {
		t.Skip("run by TestNeed")
	}
	Need(t, "xmllint")
	t.Fatal("Need returned without the tool")
}
