package report

import (
	"context"
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	"gem/harness"
	"gem/ledger"
	"gem/strategy"
	"gem/synth"
	"gem/trial"
)

// evalFixture evaluates the ensemble and the benchmark on a small synthetic
// universe (30 tokens, 600 days), once per test binary.
var evalFixture = sync.OnceValues(func() (*Evaluation, error) {
	cfg := synth.DefaultConfig()
	cfg.Tokens, cfg.Days = 30, 600
	p, err := synth.Panel(cfg)
	if err != nil {
		return nil, err
	}
	ens := &strategy.EnsembleConfig{P: strategy.DefaultEnsembleParams()}
	ens.P.Bull.TopN = 7
	return Evaluate(context.Background(), p, ens, harness.Causal, trial.Window{}, "synthetic universe (30 tokens, 600 days)")
})

func testEvaluation(t testing.TB) *Evaluation {
	t.Helper()
	e, err := evalFixture()
	if err != nil {
		t.Fatalf("evaluation fixture: %v", err)
	}
	return e
}

// ledgerFixture is a small made-up ledger: a baseline eval, a one-at-a-time
// sweep of top_n, a 3×3 search over top_n × fit_window with one rejected
// trial, and one row from another harness.
func ledgerFixture() []ledger.Row {
	t0 := time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC)
	var rows []ledger.Row
	add := func(cmd string, topN, fit int, score float64, harnessFP string) {
		annual := score
		if !finite(score) {
			annual = -0.6
		}
		m := harness.Metrics{
			AnnualizedReturnPct: 100 * annual,
			TotalReturnPct:      100 * (math.Pow(1+annual, 600.0/365) - 1),
			SharpeRatio:         0.5 + 2*annual,
			MaxDrawdownPct:      -20,
			CalmarRatio:         annual / 0.2,
		}
		stress := m
		stress.AnnualizedReturnPct -= 5
		stress.CalmarRatio = (annual - 0.05) / 0.2
		rows = append(rows, ledger.Row{
			Time: t0.Add(time.Duration(len(rows)) * time.Minute), Command: cmd, Strategy: "specialist", Fill: "causal",
			Params: fmt.Sprintf("top_n=%d fit_window=%d use_r2_filter=true", topN, fit),
			Score:  score, Base: m, Stress: stress, Harness: harnessFP, Data: "d474d474d474d474", Seconds: 30,
		})
	}
	const h = "aaaabbbbccccdddd"
	add("eval", 8, 30, 0.10, h)
	for _, n := range []int{3, 5, 10, 15} {
		add("sweep", n, 30, 0.10+0.01*float64(n%7), h)
	}
	for _, n := range []int{3, 5, 10} {
		for _, f := range []int{20, 30, 60} {
			s := 0.05 + 0.01*float64(n) + 0.001*float64(f)
			if n == 3 && f == 20 {
				s = math.Inf(-1)
			}
			add("search", n, f, s, h)
		}
	}
	add("eval", 8, 30, 0.2, "0123456789abcdef")
	return rows
}
