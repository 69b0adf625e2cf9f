package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOptimumCommand: gem optimum on the bull block of majors_2022_2023
// (36 configurations, the rest at the defaults, 2023 scored) prints the
// optimum, confirmed by its direct evaluation.
func TestOptimumCommand(t *testing.T) {
	needGolden(t)
	data := filepath.Join(goldenDir, "majors_2022_2023.csv")
	code, out, errOut := gem(t, "optimum", "--data", data, "--fix", "defaults", "--block", "bull", "--score-from", "2023-01-01", "--ledger", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"Optimum: ", "(the direct evaluation agrees)", "Done. 36 configurations of the block (bull, others fixed at defaults;"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for _, bad := range [][]string{{"--block", "moon"}, {"--fix", "later"}, {"--strategy", "specialist"}, {"--workers", "0"}} {
		args := append([]string{"optimum", "--data", data, "--ledger", "-"}, bad...)
		if code, _, errOut := gem(t, args...); code == 0 || errOut == "" {
			t.Errorf("%v: exit %d, stderr %q", bad, code, errOut)
		}
	}
}

// TestCompareSmallBlock: on the bull block (36 configurations) a budget of
// 36 distinct evaluations covers it, so the phased sweep and random search
// have zero regret there, whatever the seed.
func TestCompareSmallBlock(t *testing.T) {
	needGolden(t)
	data := filepath.Join(goldenDir, "majors_2022_2023.csv")
	dir := t.TempDir()
	ledgerPath := filepath.Join(dir, "ledger.tsv")
	code, out, errOut := gem(t, "search", "--compare", "--data", data, "--fix", "defaults", "--block", "bull", "--compare-seeds", "2", "--budgets", "5,36", "--ledger", ledgerPath)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "Optimum of the block (36 configurations)") {
		t.Fatalf("no optimum line:\n%s", out)
	}
	for _, m := range []string{"phased", "random", "qmc", "tpe", "cmaes", "gp", "policy"} {
		var line string
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, m+" ") {
				line = l
			}
		}
		if line == "" {
			t.Fatalf("no row for %s:\n%s", m, out)
		}
		if (m == "phased" || m == "random") && !strings.Contains(line, "0.0000 [0.0000, 0.0000]  ") {
			t.Errorf("%s: nonzero regret at 36 evaluations of 36: %s", m, line)
		}
	}
	// The comparison kept beside the ledger is charted by gem report.
	if !strings.Contains(out, "Comparison for gem report --ledger "+ledgerPath+": "+ledgerPath+".compare.json\n") {
		t.Errorf("no line naming the comparison file:\n%s", out)
	}
	html := filepath.Join(dir, "ledger.html")
	if code, _, errOut := gem(t, "report", "--ledger", ledgerPath, "--out", html); code != 0 {
		t.Fatalf("report: exit %d: %s", code, errOut)
	}
	if b, err := os.ReadFile(html); err != nil || !strings.Contains(string(b), "Regret against the optimum") || !strings.Contains(string(b), `data-chart="regret"`) {
		t.Errorf("the ledger report lacks the regret section (%v)", err)
	}
	for _, bad := range [][]string{{"--block", "moon"}, {"--fix", "later"}, {"--budgets", "0"}, {"--compare-seeds", "0"}, {"--block", ""}} {
		args := append([]string{"search", "--compare", "--data", data, "--ledger", "-"}, bad...)
		if code, _, errOut := gem(t, args...); code == 0 || errOut == "" {
			t.Errorf("%v: exit %d, stderr %q", bad, code, errOut)
		}
	}
}
