package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"gem/dataio"
	"gem/ledger"
	"gem/synth"
)

// synthCSV writes a small synthetic universe (40 tokens, two years) as a
// long CSV and returns its path: data for CLI tests that does not depend on
// ../shared and on which one trial takes a fraction of a second.
func synthCSV(t *testing.T) string {
	t.Helper()
	cfg := synth.DefaultConfig()
	cfg.Tokens, cfg.Days = 40, 730
	path := filepath.Join(t.TempDir(), "synth.csv")
	if err := dataio.Write(path, synth.Generate(cfg)); err != nil {
		t.Fatal(err)
	}
	return path
}

// asGem is the environment variable under which the test binary is gem:
// the process-level tests run this binary with it set, so that no separate
// build of gem is needed.
const asGem = "GEM_TEST_BINARY_IS_GEM"

// TestMain runs gem's main when the test binary was started as gem (see
// asGem), and the tests otherwise.
func TestMain(m *testing.M) {
	if os.Getenv(asGem) == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// buildGem returns the path of a gem binary for the process-level tests:
// this test binary, which is gem when started with asGem set (it sets it
// in its own environment, which every child inherits).
func buildGem(t *testing.T) string {
	t.Helper()
	bin, err := os.Executable()
	if err != nil {
		t.Skipf("cannot find the test binary to run as gem: %v", err)
	}
	os.Setenv(asGem, "1") // the test binary itself looked at it only at its start
	return bin
}

// ledgerRows returns the data lines of a ledger file, failing on a line
// that is not newline-terminated.
func ledgerLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		t.Fatal(err)
	}
	if len(b) > 0 && b[len(b)-1] != '\n' {
		t.Fatalf("%s ends in a torn line: %q", path, b[max(0, len(b)-80):])
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	return lines[1:]
}

// waitRows polls the ledger until it has at least n rows.
func waitRows(t *testing.T, path string, n int, cmd *exec.Cmd) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		b, _ := os.ReadFile(path)
		if bytes.Count(b, []byte("\n")) >= n+1 {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
	cmd.Process.Kill()
	t.Fatalf("the ledger never reached %d rows", n)
}

// checkLedger asserts that the ledger holds every configuration exactly
// once and no torn or foreign line.
func checkLedger(t *testing.T, path string, values []string) {
	t.Helper()
	lines := ledgerLines(t, path)
	rows, problems, err := ledger.Read(path)
	skipped := len(problems)
	if err != nil || skipped != 0 || len(rows) != len(lines) {
		t.Fatalf("ledger.Read: %d rows of %d lines, %d skipped, %v", len(rows), len(lines), skipped, err)
	}
	seen := map[string]int{}
	var got []string
	for _, r := range rows {
		seen[r.Key()]++
		for _, kv := range strings.Fields(r.Params) {
			if v, ok := strings.CutPrefix(kv, "fit_window="); ok {
				got = append(got, v)
			}
		}
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("configuration %s recorded %d times", k, n)
		}
	}
	slices.Sort(got)
	want := slices.Clone(values)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("ledger has fit_window %v, want each of %v once", got, want)
	}
}

// TestCrashSafety runs gem sweep as a subprocess and kills it: with SIGKILL
// mid-run (then with a torn half line appended, as a crash in the middle of
// a write would leave), a rerun with --resume completes the sweep with every
// configuration in the ledger exactly once; with SIGINT it stops after the
// trials in flight, exits non-zero saying so, and leaves an intact ledger.
func TestCrashSafety(t *testing.T) {
	t.Parallel() // subprocesses only: no state shared with other tests
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildGem(t)
	data := synthCSV(t)
	var values []string
	for v := 20; v < 80; v++ {
		values = append(values, fmt.Sprint(v))
	}
	sweep := func(ledgerPath string, extra ...string) *exec.Cmd {
		args := append([]string{"sweep", "--data", data, "--strategy", "specialist", "--param", "fit_window",
			"--values", strings.Join(values, ","), "--workers", "2", "--ledger", ledgerPath}, extra...)
		return exec.Command(bin, args...)
	}
	resume := func(t *testing.T, ledgerPath string, recorded int) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		cmd := sweep(ledgerPath, "--resume")
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("resume: %v\n%s", err, stderr.String())
		}
		if want := fmt.Sprintf("Done. %d configurations (%d not run again", len(values), recorded); !strings.Contains(stdout.String(), want) {
			t.Errorf("resume printed %q, want %q", lastLine(stdout.String()), want)
		}
		checkLedger(t, ledgerPath, values)
		return stderr.String()
	}

	t.Run("SIGKILL then resume", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "ledger.tsv")
		cmd := sweep(path)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		waitRows(t, path, 5, cmd)
		cmd.Process.Signal(syscall.SIGKILL)
		err := cmd.Wait()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			t.Fatalf("got %v, want death by SIGKILL (did the sweep finish first?)", err)
		}
		recorded := len(ledgerLines(t, path))
		if recorded >= len(values) {
			t.Fatalf("all %d rows were recorded before the kill; make the sweep longer", recorded)
		}
		f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString("2026-01-01T00:00:00Z\tsweep\tspecialist\tcausal\t0123")
		f.Close()
		stderr := resume(t, path, recorded)
		if !strings.Contains(stderr, "torn last line") {
			t.Errorf("resume did not report the torn line; stderr:\n%s", stderr)
		}
	})

	t.Run("SIGINT stops cleanly", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "ledger.tsv")
		var stdout, stderr bytes.Buffer
		cmd := sweep(path)
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		waitRows(t, path, 3, cmd)
		cmd.Process.Signal(syscall.SIGINT)
		err := cmd.Wait()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != exitInterrupted {
			t.Fatalf("got %v, want exit status 130", err)
		}
		if !strings.Contains(stderr.String(), "gem: interrupted: stopped after the trials in flight") {
			t.Errorf("stderr %q, want it to say the run was interrupted", stderr.String())
		}
		lines := ledgerLines(t, path)
		if len(lines) >= len(values) {
			t.Fatalf("all %d rows were recorded before the interrupt; make the sweep longer", len(lines))
		}
		// Intact: every line parses, no configuration twice, and stdout
		// printed one line per recorded trial, in order.
		rows, problems, err := ledger.Read(path)
		skipped := len(problems)
		if err != nil || skipped != 0 || len(rows) != len(lines) {
			t.Fatalf("ledger.Read: %d rows of %d lines, %d skipped, %v", len(rows), len(lines), skipped, err)
		}
		keys := map[string]bool{}
		for _, r := range rows {
			if keys[r.Key()] {
				t.Errorf("configuration %s recorded twice", r.Params)
			}
			keys[r.Key()] = true
		}
		resume(t, path, len(rows))
	})
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
