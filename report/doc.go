// Package report turns gem's results into pictures and tables: one
// self-contained HTML file per report, with every chart drawn by gonum/plot
// and inlined as SVG, so that it opens anywhere without a network, and each
// chart optionally as a PNG file.
//
// An evaluation report (EvaluationPage) shows one configuration: the equity
// curve against the BTC+ETH benchmark on a log scale with the regime
// posterior as a ribbon under it, the drawdowns, the holdings as stacked
// weights, a heatmap of monthly returns and the metric table. A ledger
// report (LedgerPage) shows a search: the best score so far against the
// trial number per command, the score against each parameter that varies, a
// heatmap over two parameters, and the honesty statistics (trial counts,
// rejections, rank stability under fee stress, the deflated Sharpe ratio)
// with what a backtest can and cannot prove. Summarize reads a ledger as
// program.md's keep-or-revert loop (gem keep marks, probes, seed
// replicates) and Draft writes the shutdown report it asks of an agent.
//
// Files:
//   - page.go: Page, Section and Table, and the HTML and PNG writers.
//   - chart.go: Chart, SVG and PNG rendering, stacked figures with aligned
//     x axes, the report's fonts and colours.
//   - ticks.go: axis tickers for dates, log scales and percentages.
//   - series.go: drawdowns, monthly returns and holding weights of a run.
//   - evaluation.go: Evaluation and EvaluationPage.
//   - groups.go: comparable groups of ledger rows and their parameters.
//   - ledgerpage.go: LedgerOptions and LedgerPage.
//   - honesty.go: Honesty, ComputeHonesty and DeflatedSharpe.
//   - summary.go: Summary, Summarize (adoptions, probes, replicates over
//     seeds, neighbouring values), Keep and KeepMark, the markdown escapes.
//   - draft.go: Draft, the shutdown report in ShutdownSections (every field
//     from the ledger or git escaped), MainGroup, Noise, WriteSummary.
//   - commits.go: ReadCommits, the git commits paired with the keeps.
package report
