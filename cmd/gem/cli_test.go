package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gem/ledger"
)

const goldenDir = "../../../shared/golden"

func needGolden(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(goldenDir, "reference_scores.tsv")); err != nil {
		t.Skipf("golden reference files not found at %s (they live in ../shared, outside the repository): %v", goldenDir, err)
	}
}

// gem runs the CLI in-process and returns its exit status and output.
func gem(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// referenceRow returns a row of reference_scores.tsv as a map.
func referenceRow(t *testing.T, dataset, config string) map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join(goldenDir, "reference_scores.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan()
	header := strings.Split(sc.Text(), "\t")
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		if fields[0] == dataset && fields[1] == config {
			row := map[string]string{}
			for i, h := range header {
				row[h] = fields[i]
			}
			return row
		}
	}
	t.Fatalf("no reference row %s/%s", dataset, config)
	return nil
}

// TestEvalReferenceJSON: the acceptance command prints the
// reference's default result on safehaven_2022.
func TestEvalReferenceJSON(t *testing.T) {
	needGolden(t)
	code, out, errOut := gem(t, "eval", "--data", filepath.Join(goldenDir, "safehaven_2022.csv"),
		"--strategy", "specialist", "--fill", "reference", "--json", "--ledger", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got struct {
		Score     any                `json:"score"`
		Rejection string             `json:"rejection"`
		Base      map[string]float64 `json:"base"`
		Stress    map[string]float64 `json:"stress"`
		Params    map[string]any     `json:"params"`
		Harness   string             `json:"harness"`
		Data      string             `json:"data"`
		Holdings  []struct {
			Token string
			Value float64
		} `json:"final_holdings"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("output is not one JSON object: %v\n%s", err, out)
	}
	want := referenceRow(t, "safehaven_2022", "defaults")
	// The final holdings are worth at most the final value (the rest is cash).
	held := 0.0
	for _, h := range got.Holdings {
		held += h.Value
	}
	if got.Holdings == nil || held > got.Base["final_value"]*(1+1e-12) {
		t.Errorf("final holdings %v worth %v, final value %v", got.Holdings, held, got.Base["final_value"])
	}
	// A rejected configuration's score is null (not a string a filter could
	// compare), with the reason beside it.
	if want["score"] != "-inf" || got.Score != nil || got.Rejection == "" {
		t.Errorf("score %v (rejection %q), want null for the reference's %q, with a reason", got.Score, got.Rejection, want["score"])
	}
	for _, run := range []string{"base", "stress"} {
		m := got.Base
		if run == "stress" {
			m = got.Stress
		}
		for _, k := range []string{"total_return_pct", "annualized_return_pct", "max_drawdown_pct", "sharpe_ratio",
			"sortino_ratio", "calmar_ratio", "rebalance_count", "hhi", "final_value"} {
			w, _ := strconv.ParseFloat(want[run+"_"+k], 64)
			if m[k] != w {
				t.Errorf("%s %s = %v, want %v", run, k, m[k], w)
			}
		}
	}
	if got.Params["top_n"] != 5.0 || got.Harness == "" || got.Data == "" {
		t.Errorf("params/fingerprints missing: top_n %v harness %q data %q", got.Params["top_n"], got.Harness, got.Data)
	}
}

// TestSweepReference: a one-parameter sweep prints one line per candidate,
// the best, and Done; every candidate lands in the ledger with the
// reference's score.
func TestSweepReference(t *testing.T) {
	needGolden(t)
	ledgerPath := filepath.Join(t.TempDir(), "ledger.tsv")
	values := []string{"3", "7", "14", "21"}
	code, out, errOut := gem(t, "sweep", "--data", filepath.Join(goldenDir, "safehaven_2022.csv"), "--strategy", "specialist",
		"--fill", "reference", "--param", "rebalance_cooldown", "--values", strings.Join(values, ","), "--ledger", ledgerPath)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var cands, best, done []string
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, "rebalance_cooldown="):
			cands = append(cands, l)
		case strings.HasPrefix(l, "Best:"):
			best = append(best, l)
		case strings.HasPrefix(l, "Done."):
			done = append(done, l)
		}
	}
	if len(cands) != 4 || len(best) != 1 || len(done) != 1 {
		t.Fatalf("got %d candidate, %d Best and %d Done lines, want 4, 1, 1:\n%s", len(cands), len(best), len(done), out)
	}
	for i, v := range values {
		if !strings.HasPrefix(cands[i], "rebalance_cooldown="+v+" ") {
			t.Errorf("line %d = %q, want candidate %s in order", i, cands[i], v)
		}
	}
	// Reference scores: 3 → 0.0480, 7 and 14 → -inf, 21 → 0.0676 (the best).
	if !strings.HasPrefix(best[0], "Best: rebalance_cooldown=21 score=0.06755629311130874") {
		t.Errorf("got %q, want the reference's best, cooldown 21 with 0.06755629311130874", best[0])
	}
	rows, problems, err := ledger.Read(ledgerPath)
	skipped := len(problems)
	if err != nil || skipped != 0 || len(rows) != 4 {
		t.Fatalf("ledger: %d rows, %d skipped, err %v; want 4, 0, nil", len(rows), skipped, err)
	}
	for i, v := range values {
		want := referenceRow(t, "safehaven_2022", "rebalance_cooldown_"+v)["score"]
		if got := ledger.FormatFloat(rows[i].Score); got != want {
			t.Errorf("ledger row %d score %s, want %s", i, got, want)
		}
	}
}

// TestBadInvocations: mistakes exit 1 with a message that helps.
func TestBadInvocations(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown parameter", []string{"eval", "--set", "nope=1"}, "gem params"},
		{"misspelt parameter", []string{"eval", "--set", "bull.top_m=3"}, "did you mean bull.top_n"},
		{"hex float", []string{"eval", "--strategy", "specialist", "--set", "r2_threshold=0x1p-3"}, "not a decimal number"},
		{"infinite cap", []string{"eval", "--strategy", "specialist", "--set", "momentum_cap=Inf"}, "not a decimal number"},
		{"seed beyond int64", []string{"eval", "--set", "hmm.seed=9223372036854775808"}, "out of the int64 range"},
		{"zero workers", []string{"sweep", "--strategy", "specialist", "--param", "top_n", "--values", "1,2", "--workers", "0"}, "at least 1"},
		{"negative workers", []string{"search", "--workers", "-1"}, "at least 1"},
		{"repeated value", []string{"sweep", "--strategy", "specialist", "--param", "top_n", "--values", "1,2,1"}, "lists the value 1 twice"},
		{"malformed set", []string{"eval", "--set", "top_n"}, "want name=value"},
		{"out of range", []string{"eval", "--strategy", "specialist", "--set", "top_n=0"}, "below the minimum 1"},
		{"not a number", []string{"eval", "--strategy", "specialist", "--set", "r2_threshold=abc"}, `"abc" is not a decimal number`},
		{"bad choice", []string{"eval", "--set", "hmm.emission=cauchy"}, "not one of gaussian, student_t"},
		{"unknown strategy", []string{"eval", "--strategy", "magic"}, "unknown strategy"},
		{"bad fill", []string{"eval", "--fill", "tomorrow"}, "unknown fill mode"},
		{"missing file", []string{"eval", "--data", "/nonexistent/candles.csv"}, "/nonexistent/candles.csv"},
		{"sweep without values", []string{"sweep", "--param", "top_n"}, "sweep needs --param NAME and --values"},
		{"sweep unknown parameter", []string{"sweep", "--strategy", "specialist", "--param", "nope", "--values", "1,2"}, "unknown parameter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := gem(t, tt.args...)
			if code != 1 || !strings.Contains(errOut, tt.want) || !strings.HasPrefix(errOut, "gem: ") {
				t.Errorf("exit %d, stderr %q; want exit 1 and a message containing %q", code, errOut, tt.want)
			}
		})
	}
}

func TestPhasedDryRun(t *testing.T) {
	code, out, errOut := gem(t, "sweep", "--plan", "phased", "--dry-run")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"Phase hmm (grid): 48 configurations", "Phase bull (grid): 36", "Phase bear (grid): 36",
		"Phase ranging (grid): 36", "Phase verify (one_at_a_time)", "hmm.refit_interval=3 hmm.hard_switch_threshold=0.6 hmm.min_observations=30"} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run output lacks %q", want)
		}
	}
}

// TestRunMergedPanel: the main job completes on the real merged panel (467
// tokens, 2017-2026, with its gaps, close-only rows and reused tickers) and
// prints finite metrics.
func TestRunMergedPanel(t *testing.T) {
	t.Parallel() // in-process, no global state: runs beside the process-level tests
	path := "../../../shared/data/binance_spot_1d_panel_merged.csv.gz"
	if _, err := os.Stat(path); err != nil {
		t.Skipf("real data not found at %s (it lives in ../shared, outside the repository): %v", path, err)
	}
	code, out, errOut := gem(t, "run", "--data", path, "--json", "--ledger", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got struct {
		Base, Stress map[string]float64
		Ensemble     struct {
			HMMRefits    int            `json:"hmm_refits"`
			RegimeDays   map[string]int `json:"regime_days"`
			TokensFitted int            `json:"tokens_fitted"`
		}
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("output is not JSON: %v", err)
	}
	for _, m := range []map[string]float64{got.Base, got.Stress} {
		for k, v := range m {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Errorf("%s = %v, want finite", k, v)
			}
		}
	}
	if got.Ensemble.HMMRefits < 100 || got.Ensemble.TokensFitted < 400 || len(got.Ensemble.RegimeDays) != 3 {
		t.Errorf("ensemble stats %+v: want hundreds of refits, 400+ tokens fitted and three regimes", got.Ensemble)
	}
}

// TestSearch: a random search evaluates its budget of distinct
// configurations, records them under "search", and repeats itself exactly
// with the same seed.
func TestSearch(t *testing.T) {
	t.Parallel() // in-process, no global state: runs beside the process-level tests
	needGolden(t)
	data := filepath.Join(goldenDir, "majors_2022_2023.csv")
	run := func(seed string) (string, []ledger.Row) {
		path := filepath.Join(t.TempDir(), "ledger.tsv")
		code, out, errOut := gem(t, "search", "--data", data, "--budget", "6", "--search-seed", seed, "--ledger", path)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		rows, _, err := ledger.Read(path)
		if err != nil {
			t.Fatal(err)
		}
		return out, rows
	}
	out, rows := run("3")
	if len(rows) != 6 || rows[0].Command != "search" || !strings.Contains(out, "\nBest: ") || !strings.Contains(out, "\nDone. 6 configurations") {
		t.Fatalf("%d rows (command %q), output:\n%s", len(rows), rows[0].Command, out)
	}
	again, _ := run("3")
	other, _ := run("4")
	body := func(s string) string { return s[:strings.Index(s, "\nDone.")] }
	if body(again) != body(out) {
		t.Error("the same seed gave another search")
	}
	if body(other) == body(out) {
		t.Error("another seed gave the same search")
	}
}

// TestSearchMethodsRepeatable: each learned method proposes the same trials
// for the same seed whatever the number of workers.
func TestSearchMethodsRepeatable(t *testing.T) {
	path := filepath.Join(goldenDir, "safehaven_2022.csv")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("golden data not found at %s: %v", path, err)
	}
	trialLines := func(out string) string {
		var keep []string
		for _, l := range strings.Split(out, "\n") {
			if strings.Contains(l, "  score=") || strings.HasPrefix(l, "Best:") {
				keep = append(keep, l)
			}
		}
		return strings.Join(keep, "\n")
	}
	for _, m := range []string{"tpe", "gp", "cmaes", "qmc", "policy"} {
		var first string
		for _, w := range []string{"1", "2"} {
			code, out, errOut := gem(t, "search", "--method", m, "--budget", "12", "--batch", "4", "--space", "all", "--strategy", "specialist",
				"--data", path, "--ledger", "-", "--workers", w, "--search-seed", "3")
			if code != 0 {
				t.Fatalf("%s: exit %d: %s", m, code, errOut)
			}
			got := trialLines(out)
			if strings.Count(got, "  score=") != 12 {
				t.Fatalf("%s: %d trials:\n%s", m, strings.Count(got, "  score="), out)
			}
			if first == "" {
				first = got
			} else if got != first {
				t.Errorf("%s: workers=2 proposed other trials than workers=1:\n%s\n---\n%s", m, got, first)
			}
		}
	}
}
