package report_test

import (
	"fmt"
	"os"
	"time"

	"gem/ledger"
	"gem/report"
)

// The deflated Sharpe ratio of the best of 100 trials: a daily Sharpe ratio
// of 0.1 (1.59 annualised) over five years, when the trials' daily Sharpe
// ratios vary with a standard deviation of 0.032.
func ExampleDeflatedSharpe() {
	dsr, sr0 := report.DeflatedSharpe(0.1, 0.001, 100, 1250)
	fmt.Printf("skill-less best %.4f, probability %.3f\n", sr0, dsr)
	// Output: skill-less best 0.0800, probability 0.759
}

// A baseline and two experiments: the first is kept, the second reverted.
func ExampleWriteSummary() {
	t0 := time.Date(2026, 3, 1, 22, 0, 0, 0, time.UTC)
	row := func(min int, params string, score float64) ledger.Row {
		return ledger.Row{Time: t0.Add(time.Duration(min) * time.Minute), Command: "sweep", Strategy: "specialist",
			Fill: "causal", Params: params, Score: score, Harness: "h", Data: "d", Seconds: 60}
	}
	rows := []ledger.Row{row(1, "top_n=8", 0.10), row(2, "top_n=5", 0.12), row(3, "top_n=3", 0.11)}
	report.WriteSummary(os.Stdout, report.Summarize(rows), report.SummaryOptions{Harness: "h"})
	// Output:
	// # Shutdown report: tables drafted from the ledger
	//
	// ## specialist · causal fills · data d · harness h
	//
	// | | |
	// |---|---|
	// | trials | 3 (sweep 3) |
	// | rejected (score -inf) | 0 (0.0%) |
	// | kept / discarded | 1 / 1 (after the baseline, trial 1) |
	// | score | baseline 0.1000, best 0.1200 (+0.0200) |
	// | runtime | 3m00s wall clock (2026-03-01T22:00:00Z to 2026-03-01T22:03:00Z); 3m00s of evaluation |
	//
	// ### Per parameter
	//
	// | parameter | values tried | winner | score before | score after | delta | trials | kept |
	// |---|---|---|--:|--:|--:|--:|--:|
	// | top_n | 3, 5, 8 | 5 | 0.1000 | 0.1200 | +0.0200 | 2 | 1 |
	//
	// ### Kept experiments
	//
	// | trial | time | command | change | score | delta |
	// |--:|---|---|---|--:|--:|
	// | 2 | 2026-03-01T22:02:00Z | sweep | top_n=5 | 0.1200 | +0.0200 |
	//
	// Best configuration (trial key 633b23fe7a7bd898) differs from the baseline in: `top_n=5`
}
