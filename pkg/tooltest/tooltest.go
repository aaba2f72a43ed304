// Package tooltest finds the programs from Debian that some tests run for
// real: xmllint (CEB XML against the official XSD), chromium (the review
// desk's browser tests), promtool and prometheus (the alert rules and the
// real check of the dashboards), openssl (SM2/SM3 signatures checked both
// ways), curl (the README's walk-throughs run as written), docker-compose
// (docker-compose.yml as Compose v1 reads it). .ci/run installs them.
//
// A test that needs one calls Need. On a machine without the program the
// test is skipped with one line naming the Debian package to install, so
// that `go test ./...` passes with Go alone; with CI=true a missing program
// fails the test instead, because CI must run every test.
// CBEC_<NAME> (CBEC_CHROMIUM, CBEC_XMLLINT, CBEC_DOCKER_COMPOSE, …) names the program's path
// instead of looking it up in PATH.
package tooltest

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// Packages maps each program the tests run to the Debian package that
// provides it.
var Packages = map[string]string{
	"xmllint":    "libxml2-utils",
	"chromium":   "chromium",
	"promtool":   "prometheus",
	"prometheus": "prometheus",
	"openssl":    "openssl",
	"curl":       "curl",
	// Compose v1, for `docker-compose config` of docker-compose.yml.
	"docker-compose": "docker-compose",
}

// Need returns the path of the program name, one of Packages. When it is
// missing the test is skipped with one line saying what to install, or,
// when the environment has CI=true, fails with that line.
func Need(t testing.TB, name string) string {
	t.Helper()
	path, err := Find(name, os.Getenv)
	switch {
	case err == nil:
		return path
	case InCI(os.Getenv):
		t.Fatalf("%v (CI=true: every test must run)", err)
	default:
		t.Skip(err)
	}
	return ""
}

// Find looks the program name up: the path in CBEC_<NAME> if set, else
// PATH. Its error is one line naming the Debian package to install.
func Find(name string, getenv func(string) string) (string, error) {
	pkg, ok := Packages[name]
	if !ok {
		return "", fmt.Errorf("tooltest: unknown program %q", name)
	}
	env := "CBEC_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
	look := name
	if p := getenv(env); p != "" {
		look = p
	}
	path, err := exec.LookPath(look)
	if err != nil {
		if look != name {
			return "", fmt.Errorf("%s not found at %s=%s: apt-get install %s", name, env, look, pkg)
		}
		return "", fmt.Errorf("%s not found: apt-get install %s", name, pkg)
	}
	return path, nil
}

// InCI reports whether the environment says it is CI (CI=true, or any true
// value of strconv.ParseBool).
func InCI(getenv func(string) string) bool {
	ci, _ := strconv.ParseBool(getenv("CI"))
	return ci
}
