package main

import (
	"path/filepath"
	"strings"
	"testing"

	"gem/ledger"
	"gem/report"
)

// TestKeepFindBaseline: find says whether a configuration ran (exit 1 when
// not), keep marks a trial so that summarize counts exactly the marked ones
// as kept, and --baseline re-creates the first trial's parameters.
func TestKeepFindBaseline(t *testing.T) {
	data := filepath.Join(goldenDir, "safehaven_2022.csv")
	path := filepath.Join(t.TempDir(), "ledger.tsv")
	for _, n := range []string{"3", "1", "5"} {
		if code, _, errOut := gem(t, "eval", "--strategy", "specialist", "--set", "top_n="+n, "--data", data, "--ledger", path); code != 0 {
			t.Skipf("golden data: %s", errOut)
		}
	}
	if code, out, _ := gem(t, "ledger", "find", "--strategy", "specialist", "--set", "top_n=1", "--ledger", path); code != 0 || strings.Count(out, "\n") != 1 {
		t.Errorf("find top_n=1: exit %d, %q", code, out)
	}
	if code, _, errOut := gem(t, "ledger", "find", "--strategy", "specialist", "--set", "top_n=2", "--ledger", path); code != 1 || !strings.Contains(errOut, "not in the ledger") {
		t.Errorf("find top_n=2: exit %d, %q", code, errOut)
	}
	rows, _, _ := ledger.Read(path)
	if code, out, errOut := gem(t, "keep", rows[2].Key(), "--ledger", path); code != 0 || !strings.Contains(out, "top_n=5") {
		t.Fatalf("keep: exit %d %s %s", code, out, errOut)
	}
	if code, _, _ := gem(t, "keep", "0000000000000000", "--ledger", path); code != 1 {
		t.Errorf("keep of an unknown key: exit %d", code)
	}
	rows, _, _ = ledger.Read(path)
	s := report.Summarize(rows)
	if len(s) != 1 || s[0].Kept != 1 || s[0].Best.Key() != rows[2].Key() || s[0].Best.Command != report.KeepCommand {
		t.Errorf("summary: %d groups, kept %d, best %+v; want the one kept trial", len(s), s[0].Kept, s[0].Best)
	}
	code, out, errOut := gem(t, "eval", "--strategy", "specialist", "--baseline", "2000-01-01", "--data", data, "--ledger", path, "--set", "top_n=9")
	if code != 0 || !strings.Contains(out, "defaults except top_n=3") {
		t.Errorf("baseline: exit %d, %s %s; want the first trial's top_n=3", code, out, errOut)
	}
}
