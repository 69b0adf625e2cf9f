package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"gem/dataio"
	"gem/ledger"
	"gem/synth"
)

// watchedBuffer is a buffer that signals when its text first matches a
// pattern.
type watchedBuffer struct {
	mu    sync.Mutex
	b     bytes.Buffer
	re    *regexp.Regexp
	ready chan struct{}
}

func newWatched(pattern string) *watchedBuffer {
	return &watchedBuffer{re: regexp.MustCompile(pattern), ready: make(chan struct{})}
}

func (w *watchedBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.b.Write(p)
	if w.re != nil && w.re.String() != "" && w.re.Match(w.b.Bytes()) {
		w.re = nil
		close(w.ready)
	}
	return n, err
}

func (w *watchedBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// interrupted is the outcome of a command stopped by SIGINT.
type interrupted struct {
	code           int
	stdout, stderr string
}

// interruptRun is a command to interrupt: once its stdout or stderr
// matches ready (or readyCh closes, when set), wait delay, send SIGINT, and
// a second one after again when again >= 0.
type interruptRun struct {
	args, env    []string
	ready        string
	readyCh      <-chan struct{}
	delay, again time.Duration
}

// interrupt runs bin as run says and returns how it ended. It fails when
// the command ends by itself before the interrupt or does not end within
// two minutes of it.
func interrupt(t *testing.T, bin string, run interruptRun) interrupted {
	t.Helper()
	args := run.args
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), run.env...)
	out, errOut := newWatched(run.ready), newWatched(run.ready)
	cmd.Stdout, cmd.Stderr = out, errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case <-out.ready:
	case <-errOut.ready:
	case <-run.readyCh:
	case err := <-exited:
		t.Fatalf("%v ended (%v) before it was ready:\n%s%s", args, err, out.String(), errOut.String())
	case <-time.After(2 * time.Minute):
		cmd.Process.Kill()
		t.Fatalf("%v never got ready", args)
	}
	time.Sleep(run.delay)
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatalf("%v ended before the interrupt; make it longer:\n%s", args, out.String())
	}
	if run.again >= 0 {
		time.Sleep(run.again)
		cmd.Process.Signal(syscall.SIGINT)
	}
	var err error
	select {
	case err = <-exited:
	case <-time.After(2 * time.Minute):
		cmd.Process.Kill()
		t.Fatalf("%v still running two minutes after the interrupt:\n%s", args, errOut.String())
	}
	r := interrupted{stdout: out.String(), stderr: errOut.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	default:
		t.Fatal(err)
	}
	return r
}

// checkInterrupted asserts exit status 130 and no panic.
func checkInterrupted(t *testing.T, what string, r interrupted) {
	t.Helper()
	if r.code != exitInterrupted {
		t.Errorf("%s: exit status %d, want %d; stderr:\n%s", what, r.code, exitInterrupted, r.stderr)
	}
	if strings.Contains(r.stderr, "panic") || strings.Contains(r.stderr, "goroutine ") {
		t.Errorf("%s panicked:\n%s", what, r.stderr)
	}
}

// checkWhole asserts that a ledger is whole: every line a row, no torn
// line, no row twice.
func checkWhole(t *testing.T, what, path string) int {
	t.Helper()
	lines := ledgerLines(t, path)
	if lines == nil {
		return 0
	}
	rows, problems, err := ledger.Read(path)
	if err != nil || len(problems) != 0 || len(rows) != len(lines) {
		t.Errorf("%s: ledger.Read: %d rows of %d lines, problems %v, %v", what, len(rows), len(lines), problems, err)
	}
	keys := map[string]bool{}
	for _, r := range rows {
		if keys[r.Key()] {
			t.Errorf("%s: configuration %s recorded twice", what, r.Params)
		}
		keys[r.Key()] = true
	}
	return len(rows)
}

// TestInterruptSweeps interrupts the built-in phased plan, locally and
// distributed, 20 times each at random moments (fixed seeds), one time in
// four with a second interrupt soon after the first: every run exits 130
// without a panic and leaves a whole ledger.
// interruptRuns is how many sweeps TestInterruptSweeps interrupts per
// mode; every second run is interrupted twice. The default keeps the
// package's test time short; a stress run asks for more:
//
//	go test ./cmd/gem -run TestInterruptSweeps -args -interrupt-runs 40
var interruptRuns = flag.Int("interrupt-runs", 4, "sweeps TestInterruptSweeps interrupts per mode")

func TestInterruptSweeps(t *testing.T) {
	t.Parallel() // subprocesses only: no state shared with other tests
	if testing.Short() {
		t.Skip("builds the binary and runs interrupted sweeps")
	}
	bin := buildGem(t)
	// A universe on which the phased plan takes several seconds even on a
	// quiet machine, so that every interrupt lands inside the sweep.
	cfg := synth.DefaultConfig()
	cfg.Tokens, cfg.Days = 100, 1000
	data := filepath.Join(t.TempDir(), "synth.csv")
	if err := dataio.Write(data, synth.Generate(cfg)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		extra []string
	}{
		{"phased", nil},
		{"distributed", []string{"--distributed", "--ack-wait", "5s"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // most of a run is waiting for its interrupt
			rng := rand.New(rand.NewPCG(10, uint64(len(tc.extra))))
			rows := 0
			for i := range *interruptRuns {
				path := filepath.Join(t.TempDir(), "ledger.tsv")
				args := append([]string{"sweep", "--plan", "phased", "--data", data, "--workers", "2", "--ledger", path}, tc.extra...)
				delay := time.Duration(rng.Int64N(int64(time.Second)))
				again := time.Duration(-1)
				if i%2 == 1 {
					again = time.Duration(rng.Int64N(int64(300 * time.Millisecond)))
				}
				what := fmt.Sprintf("run %d (interrupt after %v, again after %v)", i, delay.Round(time.Millisecond), again.Round(time.Millisecond))
				r := interrupt(t, bin, interruptRun{args: args, ready: `workers\n`, delay: delay, again: again})
				checkInterrupted(t, what, r)
				rows += checkWhole(t, what, path)
				if strings.Contains(r.stdout, "Done.") {
					t.Errorf("%s: printed Done. although interrupted", what)
				}
				if strings.Contains(r.stdout, "score=0.000000 ") && !strings.Contains(r.stdout, "score=0.000000  ann=0.00%") {
					t.Errorf("%s: a trial line with a zero score:\n%s", what, r.stdout)
				}
			}
			t.Logf("%d rows recorded over %d interrupted runs", rows, *interruptRuns)
		})
	}
}

// TestInterruptCommands interrupts the other long commands once each: they
// stop with exit status 130 and no panic.
func TestInterruptCommands(t *testing.T) {
	t.Parallel() // subprocesses only: no state shared with other tests
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildGem(t)
	data := synthCSV(t)
	dir := t.TempDir()

	t.Run("search", func(t *testing.T) {
		path := filepath.Join(dir, "search.tsv")
		r := interrupt(t, bin, interruptRun{args: []string{"search", "--budget", "500", "--data", data, "--workers", "2", "--ledger", path},
			ready: `workers\n`, delay: 500 * time.Millisecond, again: -1})
		checkInterrupted(t, "search", r)
		checkWhole(t, "search", path)
	})
	t.Run("eval", func(t *testing.T) {
		// The built-in synthetic universe: an evaluation (about 0.7 s) long
		// enough to stop in the middle; eval prints nothing before its end.
		started := make(chan struct{})
		time.AfterFunc(300*time.Millisecond, func() { close(started) })
		r := interrupt(t, bin, interruptRun{args: []string{"eval", "--ledger", filepath.Join(dir, "eval.tsv")},
			readyCh: started, again: -1})
		checkInterrupted(t, "eval", r)
	})
	t.Run("check lookahead", func(t *testing.T) {
		r := interrupt(t, bin, interruptRun{args: []string{"check", "lookahead", "--days", "200", "--data", data},
			ready: `fills`, delay: 300 * time.Millisecond, again: -1})
		checkInterrupted(t, "check lookahead", r)
	})
	t.Run("data fetch", func(t *testing.T) {
		requested := make(chan struct{})
		var once sync.Once
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			once.Do(func() { close(requested) })
			<-r.Context().Done() // a server that never answers
		}))
		defer srv.Close()
		args := []string{"data", "fetch", "binance", "--symbols", "BTCUSDT", "--base-url", srv.URL, "--out", filepath.Join(dir, "fetch.csv")}
		r := interrupt(t, bin, interruptRun{args: args, readyCh: requested, delay: 100 * time.Millisecond, again: -1})
		checkInterrupted(t, "data fetch", r)
	})
}
