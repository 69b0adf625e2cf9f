package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gem/ledger"
)

// TestSummarizeFlags: summarize drafts the report of a sweep with one
// gem keep, with the hold-out from --data and --holdout-from/--holdout-to;
// a bad hold-out date and data other than the trials' are errors.
func TestSummarizeFlags(t *testing.T) {
	data := writeCandles(t)
	lpath := filepath.Join(t.TempDir(), "ledger.tsv")
	if code, _, errOut := gem(t, "sweep", "--data", data, "--strategy", "specialist", "--param", "fit_window", "--values", "10,20,40",
		"--score-to", "2022-08-31", "--ledger", lpath); code != 0 {
		t.Fatalf("sweep: exit %d: %s", code, errOut)
	}
	rows, _, err := ledger.Read(lpath)
	if err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := gem(t, "keep", rows[1].Key(), "--ledger", lpath); code != 0 {
		t.Fatalf("keep: exit %d: %s", code, errOut)
	}
	args := []string{"ledger", "summarize", "--ledger", lpath, "--since", "2000-01-01", "--git", "", "--data", data, "--draws", "50"}
	code, out, errOut := gem(t, append(args, "--holdout-from", "2022-09-01", "--holdout-to", "2022-11-16")...)
	if code != 0 {
		t.Fatalf("summarize: exit %d: %s", code, errOut)
	}
	for _, want := range []string{"## 1. Summary", "| hold-out 2022-09-01..2022-11-16 | baseline ", "## 3. Kept changes",
		"the commits could not be read: no repository given", "| fit_window | 10 | 20 | 1 |", "| PBO |",
		"| baseline | ", "| final | ", "| BTC+ETH | ", "## 9. Honesty"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	if code, _, errOut := gem(t, append(args, "--holdout-from", "2022-13-01")...); code != 1 || !strings.Contains(errOut, "hold-out") {
		t.Errorf("bad --holdout-from: exit %d, %q", code, errOut)
	}
	other := filepath.Join(t.TempDir(), "other.csv")
	b, err := os.ReadFile(data)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(other, []byte(strings.Join(strings.Split(string(b), "\n")[:1000], "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := gem(t, "ledger", "summarize", "--ledger", lpath, "--data", other, "--holdout-from", "2022-09-01"); code != 1 || !strings.Contains(errOut, "fingerprint") {
		t.Errorf("other data: exit %d, %q", code, errOut)
	}
}
