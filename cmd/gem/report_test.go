package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gem/ledger"
)

// TestReportCmd writes an evaluation report (with PNGs) and a ledger report
// from a small data file, and checks the command's refusals.
func TestReportCmd(t *testing.T) {
	data := writeCandles(t)
	dir := t.TempDir()
	evalHTML := filepath.Join(dir, "eval.html")
	code, out, errOut := gem(t, "report", "--data", data, "--set", "hmm.min_observations=60", "--out", evalHTML, "--png", filepath.Join(dir, "png"))
	if code != 0 {
		t.Fatalf("eval report: exit %d: %s", code, errOut)
	}
	charts := []string{"equity", "drawdown", "rolling", "exposure", "holdings", "monthly"}
	want := "wrote " + evalHTML + "\nwrote " + filepath.Join(dir, "eval-trades.csv") + "\n"
	for _, name := range charts {
		want += "wrote " + filepath.Join(dir, "png", name+".png") + "\n"
	}
	if out != want {
		t.Errorf("stdout: got %q, want %q", out, want)
	}
	trades, err := os.ReadFile(filepath.Join(dir, "eval-trades.csv"))
	if err != nil || !strings.HasPrefix(string(trades), "date,token,side,quantity,price,notional,fee,reason\n") || strings.Count(string(trades), "\n") < 3 {
		t.Errorf("trades CSV: %v, %.200q", err, trades)
	}
	html, err := os.ReadFile(evalHTML)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`data-chart="equity"`, `data-chart="holdings"`, "bull regime", "BTC&#43;ETH (base)", `href="eval-trades.csv"`, "Worst drawdowns", "hmm.min_observations=60"} {
		if !strings.Contains(string(html), want) {
			t.Errorf("evaluation report lacks %q", want)
		}
	}
	for _, name := range charts {
		if _, err := os.Stat(filepath.Join(dir, "png", name+".png")); err != nil {
			t.Error(err)
		}
	}

	lpath := filepath.Join(dir, "ledger.tsv")
	if code, _, errOut := gem(t, "sweep", "--data", data, "--strategy", "specialist", "--param", "fit_window", "--values", "10,20,40", "--ledger", lpath); code != 0 {
		t.Fatalf("sweep: exit %d: %s", code, errOut)
	}
	ledgerHTML := filepath.Join(dir, "ledger.html")
	if code, _, errOut := gem(t, "report", "--ledger", lpath, "--out", ledgerHTML); code != 0 {
		t.Fatalf("ledger report: exit %d: %s", code, errOut)
	}
	html, err = os.ReadFile(ledgerHTML)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`data-chart="best-so-far"`, `data-chart="param-fit_window"`, "Selection statistics", "Verdict: ", "deflated Sharpe ratio", "(current)"} {
		if !strings.Contains(string(html), want) {
			t.Errorf("ledger report lacks %q", want)
		}
	}

	errs := []struct {
		name string
		args []string
		want string
	}{
		{"no output", []string{"report"}, "--out"},
		{"data with a ledger", []string{"report", "--ledger", lpath, "--data", data, "--out", ledgerHTML}, "--data does not apply"},
		{"pair without a ledger", []string{"report", "--pair", "a,b", "--out", ledgerHTML}, "--pair applies"},
		{"bad pair", []string{"report", "--ledger", lpath, "--pair", "a", "--out", ledgerHTML}, "want name1,name2"},
		{"missing ledger", []string{"report", "--ledger", filepath.Join(dir, "none.tsv"), "--out", ledgerHTML}, "no such file"},
	}
	for _, e := range errs {
		t.Run(e.name, func(t *testing.T) {
			code, _, errOut := gem(t, e.args...)
			if code != 1 || !strings.Contains(errOut, e.want) {
				t.Errorf("got exit %d, stderr %q; want exit 1 and %q", code, errOut, e.want)
			}
		})
	}
}

// TestLedgerCmds runs summarize and verify on a ledger of a short sweep,
// then adds a row from another harness.
func TestLedgerCmds(t *testing.T) {
	data := writeCandles(t)
	lpath := filepath.Join(t.TempDir(), "ledger.tsv")
	if code, _, errOut := gem(t, "sweep", "--data", data, "--strategy", "specialist", "--param", "fit_window", "--values", "10,20,40", "--ledger", lpath); code != 0 {
		t.Fatalf("sweep: exit %d: %s", code, errOut)
	}

	code, out, errOut := gem(t, "ledger", "summarize", "--ledger", lpath)
	if code != 0 {
		t.Fatalf("summarize: exit %d: %s", code, errOut)
	}
	for _, want := range []string{"# Shutdown report", "| trials | 3 (sweep 3) |", "## 4. Discarded ideas", "| fit_window | 20, 40 |"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = gem(t, "ledger", "summarize", "--ledger", lpath, "--since", "2999-01-01")
	if code != 0 || !strings.Contains(out, "no trials") {
		t.Errorf("summarize --since in the future: exit %d, %q", code, out)
	}
	if code, _, errOut := gem(t, "ledger", "summarize", "--ledger", lpath, "--since", "yesterday"); code != 1 || !strings.Contains(errOut, "--since") {
		t.Errorf("bad --since: exit %d, %q", code, errOut)
	}

	code, out, errOut = gem(t, "ledger", "verify", "--ledger", lpath)
	if code != 0 || !strings.Contains(out, "all 3 rows were produced by the current harness") {
		t.Fatalf("verify: exit %d, stdout %q, stderr %q", code, out, errOut)
	}

	rows, _, err := ledger.Read(lpath)
	if err != nil {
		t.Fatal(err)
	}
	lg, _, err := ledger.Open(lpath)
	if err != nil {
		t.Fatal(err)
	}
	edited := rows[0]
	edited.Harness = "0000000000000000"
	if err := lg.Append(&edited); err != nil {
		t.Fatal(err)
	}
	lg.Close()
	code, out, errOut = gem(t, "ledger", "verify", "--ledger", lpath)
	if code != 1 {
		t.Errorf("verify with a foreign row: exit %d, want 1", code)
	}
	if !strings.Contains(out, "1 of 4 rows") || !strings.Contains(out, "0000000000000000") || !strings.Contains(errOut, "1 rows from another harness") {
		t.Errorf("verify output: stdout %q, stderr %q", out, errOut)
	}
}
