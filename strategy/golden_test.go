package strategy_test

import (
	"bufio"
	"context"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gem/harness"
	"gem/strategy"
)

// goldenDir is the reference implementation's published output, kept outside
// the repository (../shared/golden beside the checkout).
const goldenDir = "../../shared/golden"

var goldenDatasets = map[string]string{
	"safehaven_2022":   "safehaven_2022.csv",
	"majors_2022_2023": "majors_2022_2023.csv",
	"gaps_2022":        "gaps_2022.csv",
}

func needGolden(t testing.TB) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(goldenDir, "reference_scores.tsv")); err != nil {
		t.Skipf("golden reference files not found at %s (they live in ../shared, outside the repository): %v", goldenDir, err)
	}
}

// readTSV reads a tab-separated file with a header into maps.
func readTSV(t testing.TB, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	var header []string
	var rows []map[string]string
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		if header == nil {
			header = fields
			continue
		}
		row := make(map[string]string, len(header))
		for i, h := range header {
			if i < len(fields) {
				row[h] = fields[i]
			}
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// paramsFromOverrides applies the reference's JSON overrides to the defaults.
func paramsFromOverrides(t testing.TB, overrides string) strategy.Params {
	t.Helper()
	c, err := strategy.New("specialist")
	if err != nil {
		t.Fatal(err)
	}
	a, err := strategy.Assign(c).ApplyJSON([]byte(overrides))
	if err != nil {
		t.Fatalf("overrides %q: %v", overrides, err)
	}
	if c, err = strategy.Configure(c, a); err != nil {
		t.Fatal(err)
	}
	return c.(*strategy.SpecialistConfig).P
}

var panels = map[string]*harness.Panel{}

func goldenPanel(t testing.TB, dataset string) *harness.Panel {
	t.Helper()
	if p := panels[dataset]; p != nil {
		return p
	}
	p, err := harness.LoadFiles(filepath.Join(goldenDir, goldenDatasets[dataset]))
	if err != nil {
		t.Fatal(err)
	}
	panels[dataset] = p
	return p
}

func parseRef(t testing.TB, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("bad reference number %q", s)
	}
	return v
}

func metricFields(m harness.Metrics) map[string]float64 {
	return map[string]float64{
		"total_return_pct": m.TotalReturnPct, "annualized_return_pct": m.AnnualizedReturnPct,
		"max_drawdown_pct": m.MaxDrawdownPct, "sharpe_ratio": m.SharpeRatio, "sortino_ratio": m.SortinoRatio,
		"calmar_ratio": m.CalmarRatio, "rebalance_count": float64(m.RebalanceCount), "hhi": m.HHI,
		"final_value": m.FinalValue,
	}
}

// TestGoldenScores checks all 123 rows of reference_scores.tsv in reference
// mode: the score bit for bit (−Inf exactly where the reference has it) and
// every base and stress metric within 1e-9 relative.
func TestGoldenScores(t *testing.T) {
	needGolden(t)
	rows := readTSV(t, filepath.Join(goldenDir, "reference_scores.tsv"))
	if len(rows) != 123 {
		t.Fatalf("reference_scores.tsv has %d rows, want 123", len(rows))
	}
	cache := strategy.NewCache()
	inexact := map[string]int{} // metrics within tolerance but not bit-identical
	defer func() { t.Logf("metrics not bit-identical (within 1e-9): %v", inexact) }()
	for _, row := range rows {
		name := row["dataset"] + "/" + row["config_id"]
		t.Run(name, func(t *testing.T) {
			p := goldenPanel(t, row["dataset"])
			params := paramsFromOverrides(t, row["overrides"])
			ev, err := harness.Evaluate(context.Background(), p, func() harness.Strategy { return strategy.NewSpecialist(params, cache) }, harness.Config{Fill: harness.Reference})
			if err != nil {
				t.Fatal(err)
			}
			want := parseRef(t, row["score"])
			if math.Float64bits(ev.Score) != math.Float64bits(want) && !(ev.Score == 0 && want == 0) {
				t.Errorf("score = %v, want %v", ev.Score, want)
			}
			for prefix, m := range map[string]harness.Metrics{"base_": ev.Base, "stress_": ev.Stress} {
				for k, got := range metricFields(m) {
					want := parseRef(t, row[prefix+k])
					if d := relDiff(got, want); d > 1e-9 {
						t.Errorf("%s%s = %v, want %v (rel diff %.3g)", prefix, k, got, want, d)
					}
					if got != want {
						inexact[prefix+k]++
					}
				}
			}
		})
	}
}

func relDiff(got, want float64) float64 {
	if got == want {
		return 0
	}
	return math.Abs(got-want) / math.Max(math.Abs(want), 1e-300)
}

// TestGoldenEquity checks every day of each reference_equity_*.tsv file: the
// snapshot value and cash bit for bit, and the rebalance days.
func TestGoldenEquity(t *testing.T) {
	needGolden(t)
	configs := map[string]string{
		"defaults":             `{}`,
		"joint1":               `{"fit_window":60,"momentum_cap":0.5,"r2_threshold":0.3,"top_n":3}`,
		"rebalance_cooldown_3": `{"rebalance_cooldown":3}`,
	}
	files, _ := filepath.Glob(filepath.Join(goldenDir, "reference_equity_*.tsv"))
	if len(files) != 6 {
		t.Fatalf("found %d reference_equity files, want 6", len(files))
	}
	for _, file := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(file), "reference_equity_"), ".tsv")
		t.Run(name, func(t *testing.T) {
			var dataset, config string
			for ds := range goldenDatasets {
				if strings.HasPrefix(name, ds+"_") {
					dataset, config = ds, strings.TrimPrefix(name, ds+"_")
				}
			}
			p := goldenPanel(t, dataset)
			s := strategy.NewSpecialist(paramsFromOverrides(t, configs[config]), nil)
			run, err := harness.Backtest(context.Background(), p, s, harness.Config{Fill: harness.Reference, FeeRate: harness.FeeRate, InitialCapital: harness.InitialCapital})
			if err != nil {
				t.Fatal(err)
			}
			rows := readTSV(t, file)
			if len(rows) != len(run.Values) {
				t.Fatalf("%d days, want %d", len(run.Values), len(rows))
			}
			rebalanced := map[int]bool{}
			for _, r := range run.Rebalances {
				rebalanced[r.Day] = true
			}
			bad := 0
			for d, row := range rows {
				wantV, wantC := parseRef(t, row["total_value"]), parseRef(t, row["cash"])
				if run.Values[d] != wantV || run.Cash[d] != wantC || rebalanced[d] != (row["rebalance"] == "1") {
					if bad < 5 {
						t.Errorf("%s: value %v cash %v rebalance %v, want %v %v %s", row["date"], run.Values[d], run.Cash[d], rebalanced[d], wantV, wantC, row["rebalance"])
					}
					bad++
				}
			}
			if bad > 0 {
				t.Errorf("%d of %d days differ", bad, len(rows))
			}
		})
	}
}
