// Command mutate is cbec's mutation check: it makes small changes to the
// source of the rule packages — a comparison's boundary moved (> to >=,
// GreaterThan to GreaterThanOrEqual), a condition negated, + for -, && for
// ||, a constant moved by one, a rounding dropped — and runs each
// package's own tests against each change (a mutant). A mutant the tests
// do not notice has survived: the tests would miss that bug.
//
//	go run ./pkg/internal/mutate                 # the rule packages (see defaultPackages)
//	go run ./pkg/internal/mutate ./pkg/tax       # one package
//	go run ./pkg/internal/mutate -list ./pkg/tax # its mutants, without running anything
//
// Mutants reach the compiler through go test -overlay: the work tree is
// never written. Mutants on statements no test executes are reported as not
// covered without running. A survivor that no test can kill, because it
// changes nothing observable (an equivalent mutant), is listed with its
// reason in equivalent.txt; the command exits 1 while any other survives.
// docs/architecture.md ("Mutation testing") reports the score.
//
// It is not a maintained tool such as gremlins because those mutate Go's
// operators only, and the rules of cbec compare and add money with
// shopspring/decimal's methods (GreaterThan, Add, Round) and dates with
// time.Time's (Before, After), where the bugs worth catching are.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"time"
)

// defaultPackages are the customs rules whose mutation score
// docs/architecture.md reports.
var defaultPackages = []string{"./pkg/tax", "./pkg/limit", "./pkg/quota", "./pkg/identity", "./pkg/refund", "./pkg/inventory", "./pkg/export"}

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "mutate:", err)
		os.Exit(1)
	}
}

// errSurvivors is returned when a mutant survived that equivalent.txt does
// not explain.
var errSurvivors = errors.New("mutants survived (see above): add a test that kills each, or explain it in equivalent.txt")

func run(args []string, out io.Writer) error {
	w := &report{w: out}
	fs := flag.NewFlagSet("mutate", flag.ContinueOnError)
	workers := fs.Int("workers", max(1, runtime.NumCPU()/2), "mutants tested at once")
	list := fs.Bool("list", false, "list the mutants and exit")
	only := fs.String("only", "", "test only the mutants whose file:line matches this regular expression")
	verbose := fs.Bool("v", false, "print every mutant's result, killed ones too")
	equiv := fs.String("equivalent", defaultEquivalent(), "file of explained equivalent mutants")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var onlyRE *regexp.Regexp
	if *only != "" {
		var err error
		if onlyRE, err = regexp.Compile(*only); err != nil {
			return err
		}
	}
	known, err := readEquivalent(*equiv)
	if err != nil {
		return err
	}
	patterns := fs.Args()
	if len(patterns) == 0 {
		patterns = defaultPackages
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	var rows []summary
	failed := false
	for _, pat := range patterns {
		p, err := Load(".", pat)
		if err != nil {
			return err
		}
		ms := p.Mutants
		if onlyRE != nil {
			ms = filter(ms, func(m Mutant) bool { return onlyRE.MatchString(fmt.Sprintf("%s:%d", m.Rel, m.Line)) })
		}
		if *list {
			for _, m := range ms {
				w.printf("%s\n", m)
			}
			continue
		}
		s, err := mutatePackage(ctx, w, p, ms, known, *workers, *verbose)
		if err != nil {
			return err
		}
		failed = failed || s.Survived+s.NotCovered > 0
		rows = append(rows, s)
	}
	if !*list {
		printSummary(w, rows)
	}
	if w.err != nil {
		return w.err
	}
	if failed {
		return errSurvivors
	}
	return nil
}

// report writes the results and keeps the first write error, returned at
// the end: a report cut short must not pass for a complete one.
type report struct {
	w   io.Writer
	err error
}

func (r *report) printf(format string, args ...any) {
	if r.err == nil {
		_, r.err = fmt.Fprintf(r.w, format, args...)
	}
}

// summary counts one package's results.
type summary struct {
	Pkg                                                          string
	Killed, Survived, NotCovered, NotViable, Equivalent, Mutants int
	Took                                                         time.Duration
}

// Score is killed (timeouts included) over every viable mutant that is not
// an explained equivalent one.
func (s summary) Score() float64 {
	n := s.Killed + s.Survived + s.NotCovered
	if n == 0 {
		return 100
	}
	return 100 * float64(s.Killed) / float64(n)
}

func mutatePackage(ctx context.Context, w *report, p *Package, ms []Mutant, known map[string]string, workers int, verbose bool) (summary, error) {
	start := time.Now()
	tmp, err := os.MkdirTemp("", "cbec-mutate-")
	if err != nil {
		return summary{}, err
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	r := &Runner{Dir: p.Dir, Pkg: p.ImportPath, Tmp: tmp}
	took, cov, err := r.Baseline(ctx)
	if err != nil {
		return summary{}, err
	}
	// A mutant gets ten times the unmutated run, and at least a minute for
	// its build on a busy machine, before it counts as an endless loop.
	r.Timeout = max(time.Minute, 10*took)
	w.printf("%s: %d mutants, tests take %s\n", p.Rel, len(ms), took.Round(time.Millisecond))

	s := summary{Pkg: p.Rel, Mutants: len(ms)}
	results := make([]Result, len(ms))
	jobs := make(chan int)
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	for worker := range workers {
		wg.Go(func() {
			for i := range jobs {
				m := ms[i]
				res := NotCovered
				if cov.Covered(m.File, m.Line, m.Col) {
					var err error
					if res, err = r.Run(ctx, m, p.Sources[m.File], worker); err != nil {
						mu.Lock()
						firstErr = cmp(firstErr, err)
						mu.Unlock()
						continue
					}
				}
				if (res == Survived || res == NotCovered) && known[m.Key()] != "" {
					res = Equivalent
				}
				mu.Lock()
				results[i] = res
				if verbose || res == Survived || res == NotCovered {
					w.printf("%-11s %s\n", res, m)
				}
				mu.Unlock()
			}
		})
	}
	for i := range ms {
		if ctx.Err() != nil {
			break
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return s, firstErr
	}
	if err := ctx.Err(); err != nil {
		return s, err
	}
	for _, res := range results {
		switch res {
		case Killed, TimedOut:
			s.Killed++
		case Survived:
			s.Survived++
		case NotCovered:
			s.NotCovered++
		case NotViable:
			s.NotViable++
		case Equivalent:
			s.Equivalent++
		}
	}
	s.Took = time.Since(start)
	return s, nil
}

func cmp(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func filter(ms []Mutant, keep func(Mutant) bool) []Mutant {
	var out []Mutant
	for _, m := range ms {
		if keep(m) {
			out = append(out, m)
		}
	}
	return out
}

// printSummary writes the scores as a Markdown table, the form
// docs/architecture.md quotes.
func printSummary(w *report, rows []summary) {
	w.printf("\n| package | mutants | killed | survived | not covered | equivalent | not viable | score |\n")
	w.printf("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	var t summary
	for _, s := range rows {
		w.printf("| `%s` | %d | %d | %d | %d | %d | %d | %.1f %% |\n",
			s.Pkg, s.Mutants, s.Killed, s.Survived, s.NotCovered, s.Equivalent, s.NotViable, s.Score())
		t.Mutants += s.Mutants
		t.Killed += s.Killed
		t.Survived += s.Survived
		t.NotCovered += s.NotCovered
		t.Equivalent += s.Equivalent
		t.NotViable += s.NotViable
		t.Took += s.Took
	}
	if len(rows) > 1 {
		w.printf("| all | %d | %d | %d | %d | %d | %d | %.1f %% |\n",
			t.Mutants, t.Killed, t.Survived, t.NotCovered, t.Equivalent, t.NotViable, t.Score())
	}
	w.printf("\nscore = killed / (killed + survived + not covered); took %s\n", t.Took.Round(time.Second))
}

// defaultEquivalent is equivalent.txt beside this command's source, found
// from the working directory (the module root, where go run is run).
func defaultEquivalent() string {
	return filepath.Join("pkg", "internal", "mutate", "equivalent.txt")
}

// readEquivalent reads the explained equivalent mutants: one per line,
// its Key, " -- ", and why no test can tell it from the original. Blank
// lines and lines starting with # are comments. A missing file is empty.
func readEquivalent(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }() // read only: nothing to flush
	known := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, why, ok := strings.Cut(line, " -- ")
		if !ok || strings.TrimSpace(why) == "" {
			return nil, fmt.Errorf("%s:%d: want \"<mutant> -- <why it is equivalent>\"", path, n)
		}
		known[strings.TrimSpace(key)] = strings.TrimSpace(why)
	}
	return known, sc.Err()
}
