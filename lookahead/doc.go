// Package lookahead tests a strategy for look-ahead: whether any decision
// depends on data dated on or after the day it is filled. The harness's View
// makes such a leak impossible for a strategy that only reads its view; this
// package checks that empirically, for strategies that hold other data, and
// shows the one-day leak of the reference fill mode for what it is.
//
// # Files
//
//   - doc.go: this overview.
//   - lookahead.go: Config, Check, Report and Leak; the perturbation and the
//     comparison of decisions.
//   - text.go: Report.WriteText, the report as gem check lookahead prints
//     it, and Report.Err, its verdict.
//   - lookahead_test.go: a deliberately leaky strategy is caught, every
//     built-in strategy passes with causal fills, and the reference fill
//     mode shows only its same-close leak; text_test.go: the printed
//     verdicts of hand-made reports.
//
// # Method
//
// For a sample of days t, Check rebuilds the panel with every candle dated
// t or later scaled by random factors, reruns the backtest
// (harness.Backtest, without holdings) and compares Run.Rebalances, the
// rebalance days and their targets, bit for bit, on fill days up to t. A
// causal decision filled on day t uses data through t−1 only, so nothing
// may change; a reference decision filled at day t's close sees that close,
// and Check tells that known leak from a worse one by perturbing from t+1.
package lookahead
