package render

import (
	"fmt"
	"io"
	"math"

	"gem/harness"
	"gem/ledger"
	"gem/strategy"
	"gem/trial"
)

// Fold writes one walk-forward fold on one line: its windows, how many
// configurations were tried, the selection's in-sample and out-of-sample
// scores and its changes from the defaults.
func Fold(w io.Writer, f trial.Fold) {
	o := f.OutOfSample
	fmt.Fprintf(w, "fold train %s test %s: %d tried, in-sample %s, out-of-sample %s (ann %.2f%%, dd %.2f%%): %s\n", f.Train, f.Test, f.Tried,
		ledger.FormatFloat(f.InSample), ledger.FormatFloat(o.Score), o.Base.AnnualizedReturnPct, o.Base.MaxDrawdownPct, Label(f.Best.Params))
}

// WalkForward writes a walk-forward run's summary: the chained
// out-of-sample run, the mean in-sample score of the folds' selections
// (over those not rejected, with the count of rejected ones), and the
// benchmark on the same days of p, the run's panel.
//
//	mean = Σ InSample / #finite, over the folds with a finite InSample (0 when none)
func WalkForward(w io.Writer, res *trial.WalkResult, p *harness.Panel) {
	mean, finite := 0.0, 0
	for _, f := range res.Folds {
		if !math.IsInf(f.InSample, 0) {
			mean += f.InSample
			finite++
		}
	}
	mean /= float64(max(finite, 1))
	o, b := res.OOS, res.Benchmark
	fmt.Fprintf(w, "\nout-of-sample (chained, %d days)  score %s  ann %.2f%%  dd %.2f%%  sharpe %.3f\n", len(o.BaseRun.Values), ledger.FormatFloat(o.Score), o.Base.AnnualizedReturnPct, o.Base.MaxDrawdownPct, o.Base.SharpeRatio)
	fmt.Fprintf(w, "in-sample (mean of the folds' best)  score %s  (%d of %d folds' best rejected)\n", ledger.FormatFloat(mean), len(res.Folds)-finite, len(res.Folds))
	fmt.Fprintf(w, "benchmark %s, same days  score %s  ann %.2f%%  dd %.2f%%\n", strategy.BenchmarkBasket(p), ledger.FormatFloat(b.Score), b.Base.AnnualizedReturnPct, b.Base.MaxDrawdownPct)
}
