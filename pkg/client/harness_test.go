package client_test

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/cbec/cbec/services/servicetest"
)

// server is the cbec the examples talk to: the gateway, clearance,
// returns, review and export services on a real embedded NATS server,
// behind a real HTTP server with the binary's middleware, its clock fixed
// at servicetest.Start.
var server *servicetest.Harness

func TestMain(m *testing.M) {
	tb := &mainTB{}
	server = servicetest.New(tb)
	code := m.Run()
	tb.close()
	os.Exit(code)
}

// mainTB stands in for a test where there is none (TestMain, whose server
// the examples share): a failure panics, cleanups run at close. The nil
// embedded interface only supplies testing.TB's unexported method; every
// method the harness calls is defined here.
type mainTB struct {
	testing.TB
	cleanups []func()
	dirs     []string
}

func (m *mainTB) Helper()                         {}
func (m *mainTB) Name() string                    { return "client examples" }
func (m *mainTB) Failed() bool                    { return false }
func (m *mainTB) Context() context.Context        { return context.Background() }
func (m *mainTB) Cleanup(f func())                { m.cleanups = append(m.cleanups, f) }
func (m *mainTB) Log(args ...any)                 {}
func (m *mainTB) Logf(format string, args ...any) {}
func (m *mainTB) Error(args ...any)               { panic(fmt.Sprint(args...)) }
func (m *mainTB) Errorf(f string, args ...any)    { panic(fmt.Sprintf(f, args...)) }
func (m *mainTB) Fatal(args ...any)               { panic(fmt.Sprint(args...)) }
func (m *mainTB) Fatalf(f string, args ...any)    { panic(fmt.Sprintf(f, args...)) }

func (m *mainTB) TempDir() string {
	d, err := os.MkdirTemp("", "cbec-client-")
	if err != nil {
		panic(err)
	}
	m.dirs = append(m.dirs, d)
	return d
}

func (m *mainTB) close() {
	for i := len(m.cleanups) - 1; i >= 0; i-- {
		m.cleanups[i]()
	}
	for _, d := range m.dirs {
		_ = os.RemoveAll(d)
	}
}
