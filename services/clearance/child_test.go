package clearance_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/services/clearance"
	st "github.com/cbec/cbec/services/servicetest"
)

// childNATS names the environment variable that turns this test binary into
// a clearance process connected to the NATS URL it holds (see
// BenchmarkDecideInOwnProcess).
const childNATS = "CBEC_BENCH_CLEARANCE_NATS"

// childCreds names the variable holding the child's credentials file (one
// line clearance:<password>): it connects as the clearance user.
const childCreds = "CBEC_BENCH_CLEARANCE_CREDS"

func TestMain(m *testing.M) {
	if url := os.Getenv(childNATS); url != "" {
		os.Exit(runClearanceChild(url))
	}
	os.Exit(m.Run())
}

// runClearanceChild runs one clearance service over TCP until SIGTERM, as
// a replica on a machine of its own would, with the binary's GOGC.
func runClearanceChild(url string) int {
	debug.SetGCPercent(200)
	fail := func(err error) int { fmt.Fprintln(os.Stderr, "clearance child:", err); return 1 }
	nc, err := broker.Connect("clearance-bench", url, nil, broker.Credentials{File: os.Getenv(childCreds)}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return fail(err)
	}
	defer nc.Close()
	js, err := broker.NewJetStream(nc)
	if err != nil {
		return fail(err)
	}
	env, err := st.NewEnv(nc, js)
	if err != nil {
		return fail(err)
	}
	ctx := context.Background()
	s, err := clearance.New(ctx, env)
	if err != nil {
		return fail(err)
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM)
	if err := s.Start(ctx); err != nil {
		return fail(err)
	}
	if path := os.Getenv("CBEC_BENCH_CHILD_PROFILE"); path != "" {
		if f, err := os.Create(path); err == nil && pprof.StartCPUProfile(f) == nil {
			defer pprof.StopCPUProfile()
		}
	}
	fmt.Println("ready")
	<-stop
	if err := s.Stop(ctx); err != nil {
		return fail(err)
	}
	return 0
}

// BenchmarkDecideInOwnProcess is BenchmarkDecide with the clearance service
// in a process of its own, connected to the harness's NATS server over TCP
// as in a deployment. Besides the rate it reports the CPU time per
// declaration of the clearance process alone (clearance-cpu-ms/decl) and of
// the rest (nats-cpu-ms/decl: the NATS server, with the idle services of
// the harness): on machines of their own, 2,000 ms of CPU a second divided
// by clearance-cpu-ms/decl is what one 2-core clearance replica decides.
// CBEC_BENCH_CHILD_PROFILE=<file> writes the child's CPU profile and
// CBEC_BENCH_PROFILE=<file> this process's (NATS) during the timed part; CBEC_BENCH_CHILD_CPUS=<list>
// pins the child with taskset, so that with this process pinned apart
// (taskset -c 0 ./clearance.test … and CBEC_BENCH_CHILD_CPUS=1) the rate is
// what one core of clearance decides; clearance-cores says how busy it was.
//
//	go test ./services/clearance/ -run '^$' -bench DecideInOwnProcess -benchtime 4000x
func BenchmarkDecideInOwnProcess(b *testing.B) {
	defer debug.SetGCPercent(debug.SetGCPercent(200))
	h := backlog(b)
	if b.Failed() {
		return
	}
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(exe)
	if cpus := os.Getenv("CBEC_BENCH_CHILD_CPUS"); cpus != "" {
		// Pin the clearance process, e.g. to one core while this process
		// (NATS) keeps the other: its rate is then one core's.
		cmd = exec.Command("taskset", "-c", cpus, exe)
	}
	cr := h.Credentials(clearance.Name)
	creds := filepath.Join(b.TempDir(), "clearance.creds")
	if err := os.WriteFile(creds, broker.PasswordFile(cr.User, cr.Password), 0o600); err != nil {
		b.Fatal(err)
	}
	cmd.Env = append(os.Environ(), childNATS+"="+h.Server.ClientURL(), childCreds+"="+creds)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	stopProfile := profileTimed(b)
	start, cpu0 := time.Now(), cpuTime(b)
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill() }()
	if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || strings.TrimSpace(line) != "ready" {
		b.Fatalf("clearance child: %q %v", line, err)
	}
	waitReleased(b, h, b.N)
	elapsed, rest := time.Since(start), cpuTime(b)-cpu0
	stopProfile()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		b.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		b.Fatalf("clearance child: %v", err)
	}
	ps := cmd.ProcessState
	child := ps.UserTime() + ps.SystemTime()
	perDecl := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) / float64(b.N) }
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "decl/s")
	b.ReportMetric(perDecl(child), "clearance-cpu-ms/decl")
	b.ReportMetric(perDecl(rest), "nats-cpu-ms/decl")
	b.ReportMetric(float64(child)/float64(elapsed), "clearance-cores")
}
