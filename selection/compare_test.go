package selection

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"gem/harness"
	"gem/ledger"
	"gem/strategy"
	"gem/trial"
)

// TestMeanInterval: d = 1, 2, 3, 4 has mean 2.5, s = 1.290994 and
// t(0.975, 3) = 3.182446 (tables), so the interval is 2.5 ± 3.182446·0.645497 = 2.5 ± 2.054260.
func TestMeanInterval(t *testing.T) {
	iv, err := MeanInterval([]float64{1, 2, 3, 4})
	if err != nil || iv.N != 4 || math.Abs(iv.Mean-2.5) > 1e-12 || math.Abs(iv.Lo-0.445740) > 1e-5 || math.Abs(iv.Hi-4.554260) > 1e-5 {
		t.Errorf("got %+v, %v; want 2.5 in [0.445740, 4.554260]", iv, err)
	}
	for _, d := range [][]float64{nil, {1}} {
		if _, err := MeanInterval(d); err == nil {
			t.Errorf("%v gave an interval", d)
		}
	}
}

// series is a returns series on the given days (as day numbers from
// 2024-01-01) with the given returns.
func series(days []int, returns ...float64) *ledger.Series {
	s := &ledger.Series{Key: "0123456789abcdef", Returns: returns}
	d0, _ := harness.ParseDate("2024-01-01")
	for _, d := range days {
		s.Days = append(s.Days, d0+harness.Date(d))
	}
	return s
}

func result(score float64, r *ledger.Series) *trial.Result {
	return &trial.Result{Row: ledger.Row{Score: score}, Returns: r}
}

// TestDailyDifference: on the days every trial has (2 and 3), the mean of
// A's seeds minus the mean of B's, by hand: day 2 (0.2+0)/2 − (0.1+0)/2 =
// 0.05, day 3 (0.3+0.1)/2 − (0.1+0)/2 = 0.15.
func TestDailyDifference(t *testing.T) {
	c := Comparison{Results: [2][]*trial.Result{
		{result(0, series([]int{1, 2, 3}, 0.1, 0.2, 0.3)), result(0, series([]int{1, 2, 3}, 0.3, 0, 0.1))},
		{result(0, series([]int{2, 3, 4}, 0.1, 0.1, 0.1)), result(0, series([]int{2, 3}, 0, 0))},
	}}
	d, err := c.DailyDifference()
	if err != nil || len(d) != 2 || math.Abs(d[0]-0.05) > 1e-15 || math.Abs(d[1]-0.15) > 1e-15 {
		t.Errorf("got %v, %v; want [0.05 0.15]", d, err)
	}
	c.Results[1][0].Returns = nil
	if _, err := c.DailyDifference(); err == nil {
		t.Error("a trial without returns gave a difference")
	}
}

// TestSide: the changes are applied (spaces or commas between them), the
// ensemble runs under k consecutive seeds from its own and the specialist,
// which has no regime model, once; bad changes are errors naming them.
func TestSide(t *testing.T) {
	ens, _ := strategy.New("ensemble")
	base := trial.NewSpec(ens, harness.Causal)
	seed, err := base.Params.Get(trial.SeedParam)
	if err != nil {
		t.Fatal(err)
	}
	specs, err := Side(base, "bull.top_n=20, ranging.top_n=5", 3)
	if err != nil || len(specs) != 3 {
		t.Fatalf("got %d specs, %v; want 3", len(specs), err)
	}
	for i, s := range specs {
		v, _ := s.Params.Get(trial.SeedParam)
		if v.I != seed.I+int64(i) {
			t.Errorf("spec %d: seed %d, want %d", i, v.I, seed.I+int64(i))
		}
		if got, want := s.Params.Diff(base.Params), "bull.top_n=20 ranging.top_n=5"; i == 0 && got != want {
			t.Errorf("changes %q, want %q", got, want)
		}
	}
	spec, _ := strategy.New("specialist")
	if specs, err := Side(trial.NewSpec(spec, harness.Causal), "top_n=3", 5); err != nil || len(specs) != 1 {
		t.Errorf("specialist: %d specs, %v; want one", len(specs), err)
	}
	for _, bad := range []string{"bull.top_n", "nope=1", "bull.top_n=0", "bull.top_n=x"} {
		if _, err := Side(base, bad, 2); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	if _, err := Side(base, "", 0); err == nil {
		t.Error("zero seeds: no error")
	}
}

// TestComparisonWrite: the per-seed rows, the spreads and the verdict
// follow from hand-made scores and returns. A scores 0.3 and 0.5 (median
// 0.4, interquartile width 0.1), B 0.1 and 0.2 (median 0.15, width 0.05):
// the medians differ by 0.25, more than the noise 0.1. A's daily returns
// exceed B's by 0.01 or 0.02 on each of four days: mean 0.015, s =
// √(4·0.005²/3) = 0.0057735, so the 95% interval 0.015 ± 3.182446·0.0057735/2
// = [0.005813, 0.024187] excludes 0.
func TestComparisonWrite(t *testing.T) {
	ens, _ := strategy.New("ensemble")
	base := trial.NewSpec(ens, harness.Causal)
	a, _ := Side(base, "", 2)
	b, _ := Side(base, "bull.top_n=4", 2)
	days := []int{1, 2, 3, 4}
	c := Comparison{Base: base, Specs: [2][]trial.Spec{a, b}, Results: [2][]*trial.Result{
		{result(0.3, series(days, 0.01, 0.02, 0.01, 0.02)), result(0.5, series(days, 0.01, 0.02, 0.01, 0.02))},
		{result(0.1, series(days, 0, 0, 0, 0)), result(0.2, series(days, 0, 0, 0, 0))},
	}}
	seed, _ := base.Params.Get(trial.SeedParam)
	var out strings.Builder
	c.Write(&out)
	got := out.String()
	for _, want := range []string{
		"2 regime-model seeds (hmm.seed " + itoa(seed.I) + ".." + itoa(seed.I+1) + "), the same for A and B",
		"A: the base configuration\nB: bull.top_n=4\n",
		"A ahead on 2 of 2 seeds",
		"paired over 4 days and 2 seeds: mean A − B 1.5000% a day (547.50% a year), 95% interval [0.5813%, 2.4187%]",
		"Verdict: the scores differ by more than the seed noise (A better); the daily returns tell them apart (A better).",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	for i, row := range [][]string{{"0.3", "0.1", "0.2"}, {"0.5", "0.2", "0.3"}} {
		if !hasRow(got, append([]string{itoa(seed.I + int64(i))}, row...)...) {
			t.Errorf("no row %v for seed %d:\n%s", row, seed.I+int64(i), got)
		}
	}
	// Both rejected, and a resumed trial without returns.
	inf := math.Inf(-1)
	c.Results = [2][]*trial.Result{{result(inf, nil), result(inf, nil)}, {result(inf, nil), result(inf, nil)}}
	out.Reset()
	c.Write(&out)
	for _, want := range []string{"difference of the medians n/a", "daily returns: a trial has no daily returns",
		"Verdict: both are rejected on most seeds."} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("all rejected: output lacks %q:\n%s", want, out.String())
		}
	}
}

func itoa(i int64) string { return strconv.FormatInt(i, 10) }

// hasRow reports whether a line of s has the fields want, the last within
// 1e-12 when numeric.
func hasRow(s string, want ...string) bool {
	for _, l := range strings.Split(s, "\n") {
		f := strings.Fields(l)
		if len(f) != len(want) {
			continue
		}
		ok := true
		for i := range f {
			x, errX := strconv.ParseFloat(f[i], 64)
			y, errY := strconv.ParseFloat(want[i], 64)
			if f[i] != want[i] && (errX != nil || errY != nil || math.Abs(x-y) > 1e-12) {
				ok = false
			}
		}
		if ok {
			return true
		}
	}
	return false
}
