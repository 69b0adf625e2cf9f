// Package strategy is gem's modifiable interior: the strategies the harness
// backtests, each a harness.Strategy that decides once a day whether to hold
// or to rebalance and to which book.
//
//   - The GEM Specialist fits every token's trend (exponential or linear),
//     filters and ranks the fits by momentum, and weights the top N by
//     inverse ATR; it rebalances by the reference's Trigger.
//   - The Ensemble runs one specialist per state of a regime Detector (the
//     HMM of package regime by default) on a market series, follows the
//     leading one or blends them by posterior, and scales the book by
//     risk-off gates.
//   - The Benchmark buys BTC and ETH half and half and holds them.
//   - LongShort is the Ensemble with the bear specialist's short side on:
//     it shorts the falling fits, scaled by the bear posterior, at a
//     gross exposure of its choosing (a book of perps).
//   - Weights replays an externally computed book of signed weights.
//
// Fits, rankings and regime posteriors are shared between runs and
// configurations through a Cache; a cached value depends only on data up to
// its day, so sharing keeps causality and bit-identical results.
//
// Files and their roles:
//
//	doc.go         this overview.
//	strategy.go    Config (a named strategy with its parameters), Names, New.
//	space.go       the typed parameter spaces declared by the param struct
//	               tags: Assign, Configure, Build.
//	trigger.go     Trigger and SignalsFire, the reference's rule for when to
//	               rebalance.
//	specialist.go  Params and the GEM Specialist: filters, top N, weights.
//	fit.go         Fit, the trend fits and their R², momentum, the ATR.
//	cache.go       Cache: the fit tables by day (each day only the tokens
//	               fitted on it) and the momentum rankings.
//	ensemble.go    EnsembleParams, EnsembleStats and the Ensemble: the regime
//	               call, the meta-allocator and the risk-off gates.
//	regime.go      Detector, the regime models (regime.model), the names and
//	               specialists of the states, the cached regime series.
//	market.go      the market series a detector watches (hmm.market) and the
//	               trend gate's moving average.
//	benchmark.go   the BTC+ETH buy-and-hold Benchmark.
//	longshort.go   ShortParams, the bear specialist's short side and the
//	               long/short book of the ensemble; LongShortConfig.
//	weights.go     Book (a CSV date,token,weight of signed targets) and the
//	               Weights strategy that replays it through the harness.
//	tape.go        Tape and RecordTape: a family of ensembles' regime calls,
//	               specialist books and trend tests recorded once per day, and
//	               ensembles replayed from them (package optimum).
//
// Tests: golden_test.go (every reference score and equity curve, bit for
// bit), trigger_test.go, ensemble_test.go (the allocator's invariants,
// causality), regime_test.go (detectors of 2 to 4 states, the market series,
// data without BTC), space_test.go (every parameter declared),
// longshort_test.go (the short side on known trends, the long/short
// formula), tape_test.go (replayed ensembles against live ones, bit for
// bit), weights_test.go (the book reader on hostile input, a replay by hand, the
// funding alone on the real perp data), bench_test.go
// (the ensemble on the merged panel, the specialist on the golden datasets,
// BenchmarkScale: cost against tokens and days).
package strategy
