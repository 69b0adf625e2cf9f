// Package trial is gem's trial runtime: what one trial is (Spec), how it is
// evaluated into a ledger row (Evaluate), and how many run (Pool) — with
// bounded parallelism, results reported in slot order whatever the number
// of workers, trials already in the ledger resumed rather than rerun, and an
// interrupt that stops after the trials in flight. Where the trials run is
// an Executor: Local runs them on this machine's goroutines; package cluster
// sends them to gem workers through NATS JetStream. Commands only wire flags
// to it and print.
//
// Files and their roles:
//
//	doc.go       this overview.
//	spec.go      Spec, Env, Result and Evaluate: one trial; DailyReturns,
//	             the daily returns of its base run kept beside the ledger.
//	options.go   Options, a trial's choices as the flags give them
//	             (strategy, --set, fill, scoring window, weights book),
//	             and CheckData.
//	resume.go    Resumable: the rows of a ledger by their trial key, keys
//	             recomputed in the current parameter space so that a new
//	             parameter at its default does not change them.
//	find.go      Find: the ledger's trials of one configuration (gem ledger
//	             find), each row read in the current parameter space.
//	pool.go      Executor, Local and Pool: many trials, each recorded in the
//	             ledger with its daily returns in the returns file (and the
//	             benchmark's once per data and fill mode, BenchmarkKey).
//	search.go    Search: a search method driven through a pool, each
//	             proposal under one seed or several (ranked by the median).
//	seeds.go     SeedSpecs, Spread and SpreadOf: a configuration under K
//	             regime-model seeds and the spread of its scores.
//	bench.go     Measure: the timing behind gem bench.
//	suite.go     RunSuite and PeakRSS: what gem bench measures.
//	baseline.go  Baseline, a session's starting configuration from the
//	             ledger; Beside, the benchmark an ensemble's result shows.
//	records.go   Pool.Open: a pool's ledger, returns file and resumed
//	             trials; Pool.Collect, its results in slot order; Pool.Seeds,
//	             one configuration under several seeds.
package trial
