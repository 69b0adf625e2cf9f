package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gem/harness"
	"gem/ledger"
	"gem/selection"
	"gem/trial"
)

// TestLedgerReturnsExport: the CSV export of two swept trials holds, for
// each day of the panel after the first, v_d/v_(d-1) − 1 of the base run of
// an independent evaluation of the same configuration, under its key.
func TestLedgerReturnsExport(t *testing.T) {
	data := writeCandles(t)
	dir := t.TempDir()
	lpath := filepath.Join(dir, "ledger.tsv")
	if code, _, errOut := gem(t, "sweep", "--data", data, "--strategy", "specialist", "--param", "top_n", "--values", "1,3", "--ledger", lpath); code != 0 {
		t.Fatalf("sweep: exit %d: %s", code, errOut)
	}
	out := filepath.Join(dir, "returns.csv")
	if code, stdout, errOut := gem(t, "ledger", "returns", "--ledger", lpath, "--out", out); code != 0 || !strings.Contains(stdout, "2 trials") {
		t.Fatalf("ledger returns: exit %d, %q, %s", code, stdout, errOut)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	df := dataFlags{paths: []string{data}}
	p, _, err := df.load(os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	env := trial.NewEnv(p, "test")
	if len(recs) != p.NumDays() || recs[0][0] != "date" || len(recs[0]) != 3 {
		t.Fatalf("%d rows × %d columns, want a header and %d days × (date + 2 trials)", len(recs), len(recs[0]), p.NumDays()-1)
	}
	for j, params := range []string{"top_n=1", "top_n=3"} {
		spec, err := trial.ParseSpec("specialist", "causal", "", params)
		if err != nil {
			t.Fatal(err)
		}
		r, err := trial.Evaluate(context.Background(), env, spec)
		if err != nil {
			t.Fatal(err)
		}
		if recs[0][j+1] != r.Row.Key() {
			t.Fatalf("column %d is %s, want the key of %s, %s", j+1, recs[0][j+1], params, r.Row.Key())
		}
		v := r.Eval.BaseRun.Values
		for d := 1; d < len(v); d++ {
			row := recs[d]
			if row[0] != p.Dates[d].String() {
				t.Fatalf("row %d dated %s, want %s", d, row[0], p.Dates[d])
			}
			got, err := strconv.ParseFloat(row[j+1], 64)
			if want := v[d]/v[d-1] - 1; err != nil || math.Abs(got-want) > 1e-14 {
				t.Fatalf("%s on %s: %q, want %v", params, row[0], row[j+1], want)
			}
		}
	}
	if code, _, errOut := gem(t, "ledger", "returns", "--ledger", lpath); code != 1 || !strings.Contains(errOut, "--out") {
		t.Errorf("without --out: exit %d, %q", code, errOut)
	}
}

// writeTrials writes a ledger and a returns file of hand-made trials: each
// series covers days [from, from+n) with the given return function.
func writeTrials(t *testing.T, dir string, trials []handTrial, bench *handTrial) string {
	t.Helper()
	lpath := filepath.Join(dir, "ledger.tsv")
	lg, _, err := ledger.Open(lpath)
	if err != nil {
		t.Fatal(err)
	}
	rf, _, err := ledger.OpenReturns(ledger.ReturnsPath(lpath))
	if err != nil {
		t.Fatal(err)
	}
	defer lg.Close()
	defer rf.Close()
	write := func(h handTrial, key string) {
		s := &ledger.Series{Key: key}
		for i := range h.n {
			s.Days = append(s.Days, h.from+harness.Date(i))
			s.Returns = append(s.Returns, h.ret(i))
		}
		if err := rf.Append(s); err != nil {
			t.Fatal(err)
		}
	}
	for _, h := range trials {
		row := &ledger.Row{Command: "sweep", Strategy: "specialist", Fill: "causal", Params: h.params, Harness: harness.Fingerprint(), Data: "00000000000000d1"}
		if err := lg.Append(row); err != nil {
			t.Fatal(err)
		}
		write(h, row.Key())
	}
	if bench != nil {
		write(*bench, trial.BenchmarkKey("causal", "", harness.Fingerprint(), "00000000000000d1"))
	}
	return lpath
}

type handTrial struct {
	params string
	from   harness.Date
	n      int
	ret    func(i int) float64
}

// wave is a deterministic, non-constant return sequence.
func wave(scale, phase float64) func(int) float64 {
	return func(i int) float64 { return scale * math.Sin(0.7*float64(i)+phase) }
}

// TestLedgerStats: on hand-made trials whose days overlap on 2021-01-01 +
// 10..699 (690 days: the second starts 10 days late, the third ends 5
// days early), stats uses exactly those days, names the trial with the
// planted edge as the best, finds its SPA p-value against a flat
// benchmark near 0, and reports the rank correlation between 2021 and 2022.
func TestLedgerStats(t *testing.T) {
	start, _ := harness.ParseDate("2021-01-01")
	edge := func(i int) float64 { return 0.002 + wave(0.01, 0)(i) }
	trials := []handTrial{
		{"top_n=1", start, 705, wave(0.01, 1)},
		{"top_n=2", start + 10, 700, edge},
		{"top_n=3", start, 700, wave(0.01, 2)},
		{"top_n=4", start, 720, wave(0.01, 3)},
	}
	bench := handTrial{"", start - 5, 800, wave(0.001, 4)}
	lpath := writeTrials(t, t.TempDir(), trials, &bench)
	code, out, errOut := gem(t, "ledger", "stats", "--ledger", lpath, "--json")
	if code != 0 {
		t.Fatalf("stats: exit %d: %s", code, errOut)
	}
	var st map[string]any
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	for _, f := range []string{"pbo", "deflated_sharpe", "effective_trials", "spa_pvalue", "reality_check_pvalue"} {
		if _, ok := st[f].(float64); !ok {
			t.Errorf("field %s = %v, want a number", f, st[f])
		}
	}
	key2 := (&ledger.Row{Strategy: "specialist", Fill: "causal", Params: "top_n=2", Harness: harness.Fingerprint(), Data: "00000000000000d1"}).Key()
	if st["days"] != 690.0 || st["from"] != (start+10).String() || st["to"] != (start+699).String() || st["configurations"] != 4.0 {
		t.Errorf("days %v from %v to %v configurations %v; want 690 from %s to %s, 4", st["days"], st["from"], st["to"], st["configurations"], start+10, start+699)
	}
	if st["judged_key"] != key2 || st["spa_best_key"] != key2 {
		t.Errorf("judged %v, SPA best %v; want the planted edge %s", st["judged_key"], st["spa_best_key"], key2)
	}
	if p := st["spa_pvalue"].(float64); p > 0.01 {
		t.Errorf("SPA p-value %v with a planted edge of 0.2%% a day, want near 0", p)
	}
	if yr, _ := st["year_ranks"].([]any); len(yr) != 1 || yr[0].(map[string]any)["from"] != "2021" || yr[0].(map[string]any)["to"] != "2022" {
		t.Errorf("year ranks %v, want 2021 → 2022", st["year_ranks"])
	}
	code, out, _ = gem(t, "ledger", "stats", "--ledger", lpath)
	if code != 0 || !strings.Contains(out, "690 days in common") || !strings.Contains(out, "Verdict: ") {
		t.Errorf("text output: exit %d\n%s", code, out)
	}
	key3 := (&ledger.Row{Strategy: "specialist", Fill: "causal", Params: "top_n=3", Harness: harness.Fingerprint(), Data: "00000000000000d1"}).Key()
	code, out, _ = gem(t, "ledger", "stats", "--ledger", lpath, "--json", "--key", key3)
	json.Unmarshal([]byte(out), &st)
	if code != 0 || st["judged_key"] != key3 || st["judged_by"] != "--key" {
		t.Errorf("--key: exit %d, judged %v by %v", code, st["judged_key"], st["judged_by"])
	}
	if dsr := st["deflated_sharpe"].(float64); dsr > 0.5 {
		t.Errorf("deflated Sharpe of a zero-mean wave %v, want at most 1/2", dsr)
	}

	// Without the benchmark: the other statistics, SPA null with a note.
	lpath = writeTrials(t, t.TempDir(), trials, nil)
	code, out, _ = gem(t, "ledger", "stats", "--ledger", lpath, "--json")
	st = nil
	json.Unmarshal([]byte(out), &st)
	if code != 0 || st["spa_pvalue"] != nil || st["pbo"] == nil || !strings.Contains(out, "no benchmark returns") {
		t.Errorf("no benchmark: exit %d\n%s", code, out)
	}
}

// TestLedgerStatsHostile: a returns file of garbage, a missing one, and a
// key that is not there are errors, never panics.
func TestLedgerStatsHostile(t *testing.T) {
	start, _ := harness.ParseDate("2021-01-01")
	dir := t.TempDir()
	lpath := writeTrials(t, dir, []handTrial{{"top_n=1", start, 50, wave(0.01, 0)}}, nil)
	if code, _, errOut := gem(t, "ledger", "stats", "--ledger", lpath, "--key", "0123456789abcdef"); code != 1 || !strings.Contains(errOut, "no such trial") {
		t.Errorf("unknown key: exit %d, %q", code, errOut)
	}
	rpath := ledger.ReturnsPath(lpath)
	os.WriteFile(rpath, []byte("GEMRET1\n\xff\xff\xff\xff garbage"), 0o644)
	if code, _, errOut := gem(t, "ledger", "stats", "--ledger", lpath); code != 1 || !strings.Contains(errOut, "has daily returns") || !strings.Contains(errOut, "skipped") {
		t.Errorf("garbage returns: exit %d, %q", code, errOut)
	}
	os.Remove(rpath)
	if code, _, errOut := gem(t, "ledger", "returns", "--ledger", lpath, "--out", filepath.Join(dir, "x.csv")); code != 1 || !strings.Contains(errOut, "no returns file") {
		t.Errorf("no returns file: exit %d, %q", code, errOut)
	}
}

func TestYearPeriods(t *testing.T) {
	day := func(s string) harness.Date { d, _ := harness.ParseDate(s); return d }
	span := func(from, to string) []harness.Date {
		var ds []harness.Date
		for d := day(from); d <= day(to); d++ {
			ds = append(ds, d)
		}
		return ds
	}
	for _, c := range []struct {
		from, to string
		bounds   []int
		names    string
	}{
		// 2020-12-01..2023-01-10: December 2020 (31 days) joins 2021, the 10
		// days of 2023 join 2022.
		{"2020-12-01", "2023-01-10", []int{31 + 365}, "2020-2021 2022-2023"},
		// 2020-10-01..2022-03-31: 92 days of 2020, all of 2021, 90 of 2022.
		{"2020-10-01", "2022-03-31", []int{92, 92 + 365}, "2020 2021 2022"},
		{"2021-01-01", "2021-12-31", nil, ""},
	} {
		bounds, names := selection.YearPeriods(span(c.from, c.to))
		if strings.Join(names, " ") != c.names || len(bounds) != len(c.bounds) {
			t.Errorf("%s..%s: %v %v, want %v %q", c.from, c.to, bounds, names, c.bounds, c.names)
			continue
		}
		for i := range bounds {
			if bounds[i] != c.bounds[i] {
				t.Errorf("%s..%s: bounds %v, want %v", c.from, c.to, bounds, c.bounds)
			}
		}
	}
}

// TestEvalSeeds: gem eval --seeds 3 records three trials (and their
// returns), and its median is the middle of the three scores it prints.
func TestEvalSeeds(t *testing.T) {
	data := writeCandles(t)
	lpath := filepath.Join(t.TempDir(), "ledger.tsv")
	code, out, errOut := gem(t, "eval", "--data", data, "--strategy", "ensemble", "--set", "hmm.min_observations=30", "--seeds", "3", "--json", "--ledger", lpath)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res struct {
		Seeds []struct {
			Seed  int64
			Score *float64
			Key   string
		}
		Median   *float64
		Rejected int
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || len(res.Seeds) != 3 {
		t.Fatalf("%v: %s", err, out)
	}
	var scores []float64
	for i, s := range res.Seeds {
		if s.Seed != int64(1+i) {
			t.Errorf("seed %d is %d, want %d", i, s.Seed, 1+i)
		}
		x := math.Inf(-1)
		if s.Score != nil {
			x = *s.Score
		}
		scores = append(scores, x)
	}
	lo, hi := min(scores[0], scores[1], scores[2]), max(scores[0], scores[1], scores[2])
	mid := scores[0] + scores[1] + scores[2] - lo - hi
	if math.IsInf(lo, -1) {
		mid = scores[0]
		for _, x := range scores {
			if x != lo && x != hi {
				mid = x
			}
		}
	}
	if got := math.Inf(-1); res.Median != nil {
		got = *res.Median
		if got != mid {
			t.Errorf("median %v, want the middle of %v", got, scores)
		}
	}
	rows, _, _ := ledger.Read(lpath)
	series, _, _ := ledger.ReadReturns(ledger.ReturnsPath(lpath))
	if len(rows) != 3 || len(series) != 4 {
		t.Errorf("%d rows and %d series, want 3 and 3 + the benchmark", len(rows), len(series))
	}
	if code, _, errOut := gem(t, "eval", "--data", data, "--strategy", "specialist", "--seeds", "3", "--ledger", "-"); code != 1 || !strings.Contains(errOut, "hmm.seed") {
		t.Errorf("specialist --seeds: exit %d, %q", code, errOut)
	}
}

// TestSweepSeeds: a sweep with --seeds 2 prints one line per configuration
// with its spread, records two trials per configuration, and its Best is
// the configuration with the higher median.
func TestSweepSeeds(t *testing.T) {
	data := writeCandles(t)
	lpath := filepath.Join(t.TempDir(), "ledger.tsv")
	code, out, errOut := gem(t, "sweep", "--data", data, "--strategy", "ensemble", "--set", "hmm.min_observations=30",
		"--param", "bull.top_n", "--values", "1,3", "--seeds", "2", "--ledger", lpath, "--workers", "2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var medians []float64
	var labels []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "bull.top_n=") {
			f := strings.Fields(l)
			labels = append(labels, f[0])
			x, err := parseScore(f[indexOf(f, "median")+1])
			if err != nil {
				t.Fatal(err)
			}
			medians = append(medians, x)
		}
	}
	if len(medians) != 2 || !strings.Contains(out, "rejected") {
		t.Fatalf("want two configuration lines with their spread:\n%s", out)
	}
	best := labels[0]
	if medians[1] > medians[0] {
		best = labels[1]
	}
	if !strings.Contains(out, "Best: "+best+" ") {
		t.Errorf("Best is not %s (medians %v):\n%s", best, medians, out)
	}
	if rows, _, _ := ledger.Read(lpath); len(rows) != 4 {
		t.Errorf("%d rows, want 2 configurations × 2 seeds", len(rows))
	}
}

func indexOf(f []string, s string) int {
	for i, x := range f {
		if x == s {
			return i
		}
	}
	return -1
}

func parseScore(s string) (float64, error) {
	if s == "-inf" {
		return math.Inf(-1), nil
	}
	return strconv.ParseFloat(s, 64)
}

// TestCompare: A against itself differs by exactly 0 on every seed and
// day; A against B differs on each seed by the difference of the scores
// that gem eval gives each with that seed.
func TestCompare(t *testing.T) {
	data := writeCandles(t)
	lpath := filepath.Join(t.TempDir(), "ledger.tsv")
	common := []string{"--data", data, "--set", "hmm.min_observations=30", "--seeds", "2", "--ledger", lpath}
	code, out, errOut := gem(t, append([]string{"compare", "--a", "", "--b", ""}, common...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "mean A − B 0.0000% a day") || !strings.Contains(out, "do not tell them apart") {
		t.Errorf("A against itself:\n%s", out)
	}
	code, out, errOut = gem(t, append([]string{"compare", "--a", "bull.top_n=1,ranging.top_n=1", "--b", "bull.top_n=4"}, common...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for seed := 1; seed <= 2; seed++ {
		var scores [2]float64
		for i, set := range [][]string{{"bull.top_n=1", "ranging.top_n=1"}, {"bull.top_n=4"}} {
			args := []string{"eval", "--data", data, "--strategy", "ensemble", "--set", "hmm.min_observations=30", "--set", "hmm.seed=" + strconv.Itoa(seed), "--json", "--ledger", "-"}
			for _, s := range set {
				args = append(args, "--set", s)
			}
			code, js, errOut := gem(t, args...)
			if code != 0 {
				t.Fatalf("eval: %s", errOut)
			}
			var r struct{ Score *float64 }
			json.Unmarshal([]byte(js), &r)
			scores[i] = math.Inf(-1)
			if r.Score != nil {
				scores[i] = *r.Score
			}
		}
		want := strings.Join([]string{strconv.Itoa(seed), ledger.FormatFloat(scores[0]), ledger.FormatFloat(scores[1]), selection.ScoreDiff(scores[0], scores[1])}, " ")
		found := false
		for _, l := range strings.Split(out, "\n") {
			if strings.Join(strings.Fields(l), " ") == want {
				found = true
			}
		}
		if !found {
			t.Errorf("no line %q in\n%s", want, out)
		}
	}
	if rows, _, _ := ledger.Read(lpath); len(rows) != 8 {
		t.Errorf("%d ledger rows, want 2 comparisons × 2 sides × 2 seeds", len(rows))
	}
}

// TestLedgerStatsData: without the benchmark's returns in the file, stats
// evaluates the benchmark on --data (which must be the trials' data) and
// gets the same SPA p-value as with the returns the sweep stored.
func TestLedgerStatsData(t *testing.T) {
	data := writeCandles(t)
	dir := t.TempDir()
	lpath := filepath.Join(dir, "ledger.tsv")
	if code, _, errOut := gem(t, "sweep", "--data", data, "--strategy", "specialist", "--param", "top_n", "--values", "1,2,3", "--ledger", lpath); code != 0 {
		t.Fatalf("sweep: exit %d: %s", code, errOut)
	}
	spa := func(args ...string) any {
		t.Helper()
		code, out, errOut := gem(t, append([]string{"ledger", "stats", "--ledger", lpath, "--json"}, args...)...)
		if code != 0 {
			t.Fatalf("stats %v: exit %d: %s", args, code, errOut)
		}
		var st map[string]any
		if err := json.Unmarshal([]byte(out), &st); err != nil {
			t.Fatal(err)
		}
		return st["spa_pvalue"]
	}
	stored := spa()
	if _, ok := stored.(float64); !ok {
		t.Fatalf("spa_pvalue %v with the stored benchmark, want a number", stored)
	}
	rpath := ledger.ReturnsPath(lpath)
	series, _, _ := ledger.ReadReturns(rpath)
	os.Remove(rpath)
	rf, _, err := ledger.OpenReturns(rpath)
	if err != nil {
		t.Fatal(err)
	}
	for i := range series[1:] { // the first is the benchmark's
		rf.Append(&series[1+i])
	}
	rf.Close()
	if got := spa(); got != nil {
		t.Errorf("spa_pvalue %v without the benchmark, want null", got)
	}
	if got := spa("--data", data); got != stored {
		t.Errorf("spa_pvalue %v with --data, want %v as with the stored benchmark", got, stored)
	}
	if code, _, errOut := gem(t, "ledger", "stats", "--ledger", lpath, "--data", data, "--tokens", "BTC,ETH"); code != 1 || !strings.Contains(errOut, "fingerprint") {
		t.Errorf("other data: exit %d, %q", code, errOut)
	}
}
