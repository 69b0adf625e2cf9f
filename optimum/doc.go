// Package optimum finds the exact best configuration of a block of a joint
// space by its structure rather than by evaluating each configuration from
// scratch: an ensemble's specialist books depend only on each specialist's
// own parameters and the shared fits, its regime calls only on the regime
// parameters, so a strategy.Tape records them once (N1 + N2 series for N1 ×
// N2 combinations) and every configuration is replayed through the
// harness's own day loop and bookkeeping (harness.Evaluate) by an ensemble
// reading the tape: bit for bit the score trial.Evaluate gives, since no
// decision or bookkeeping is written twice. What stays per configuration
// is path-dependent and cannot be shared: the trigger (the book against
// the holdings), the cooldowns from the last rebalance, the drawdown gate
// (it reads the account) and the harness's fills and snapshots.
//
// Files and their roles:
//
//	doc.go      this overview.
//	block.go    Block: every combination of a few parameters' values around
//	            a base assignment, numbered in mixed radix (search.Grid's
//	            order); the groups a tape records one setting per value of.
//	plan.go     PlanBlock, the blocks of the phased plan's joint space (48 ×
//	            36³ configurations in all), and PhasedWinner.
//	replay.go   Replay (a block's tape and its replayed evaluations), Run
//	            (the Table of every score), Bound and Best (the optimum from
//	            base runs alone, stress runs only for the best bounds).
//	compare.go  Curve, Table.Search (a search method on the table), Compare
//	            and its regret table, Quantile.
//	comparefile.go  Comparison.Save and LoadComparison: the comparison as
//	            JSON beside the ledger (ComparisonPath), validated on reading.
//	optuna.go   TableFile and Serve (a table answering gem eval --stdin
//	            lines), Optuna (Optuna's TPE driven through it).
//
// Tests: replay_test.go (200 random configurations of the whole joint space
// and 20 with reference fills against trial.Evaluate, bit for bit; Run's
// independence of the workers; Best against Run), compare_test.go (the
// statistics by hand, the table server on hostile lines), comparefile_test.go
// (the file's round trip, hostile files), bench_test.go
// (configurations per second, replayed against direct warm evaluation).
package optimum
