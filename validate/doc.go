// Package validate holds the statistics of selection: given the daily
// returns of many trials (configurations) of a search, can the winner be
// trusted, or is it what trying that many would find by chance? Each
// statistic is a pure function of a returns matrix with one row per day and
// one column per trial (the layout of `gem ledger returns`), with its paper
// cited and its formula in the doc comment. Bad data (ragged rows, NaN,
// infinities, too few days) is a returned error, never a panic; every
// random draw comes from a seed argument.
//
// # Files
//
//   - doc.go: this overview.
//   - returns.go: InputError and the checks of a returns matrix; Moments,
//     the additive sums of a run of returns, and the Performance measures
//     on them (Sharpe, MeanReturn, LogGrowth).
//   - pbo.go: PBO, the probability of backtest overfitting by
//     combinatorially symmetric cross-validation (Bailey, Borwein, López de
//     Prado and Zhu 2017), with the performance degradation and the
//     probability of an out-of-sample loss.
//   - dsr.go: DeflatedSharpe, ExpectedMaxSharpe and ProbabilisticSharpe
//     (Bailey and López de Prado 2014).
//   - effective.go: EffectiveTrials, the effective number of independent
//     trials from the correlation matrix of their returns.
//   - spa.go: SuperiorPredictiveAbility, Hansen's (2005) test against a
//     benchmark with the stationary bootstrap (Politis and Romano 1994),
//     and White's (2000) reality check.
//   - rank.go: Spearman, Kendall and PeriodRanks, the rank correlation of
//     configurations between periods.
//   - *_test.go: one test file per statistic (pbo_test.go holds the
//     direct enumeration of every split), example_test.go, fuzz_test.go
//     (every statistic on arbitrary matrices), crosscheck_test.go (runs
//     tools/validate_check.py, skipped without numpy and scipy), and the
//     benchmarks BenchmarkPBO and BenchmarkSPA.
//
// The tests check each statistic against a value that does not come from
// the code under test: a direct enumeration of every CSCV split, the
// numerical example of the deflated Sharpe ratio paper, constructed
// correlation structures, the uniformity of p-values under a null over many
// seeds, and an independent numpy/scipy script (tools/validate_check.py).
package validate
