// Package report turns gem's results into pictures and tables: one
// self-contained HTML file per report, with every chart drawn by gonum/plot
// and inlined as SVG, so that it opens anywhere without a network, and each
// chart optionally as a PNG file.
//
// An evaluation report (EvaluationPage, of what Evaluate gathers) is a
// tearsheet of one configuration on the model of quantstats and pyfolio:
// the equity curves of the base and stress runs against the BTC+ETH
// benchmark on a log scale with the regime posterior as a ribbon under
// them, the drawdowns and the worst episodes, returns by year against the
// benchmark, the rolling Sharpe ratio and volatility, exposure and stale
// value, the holdings, each token's contribution, the trades (with a CSV
// file beside the page), the monthly returns, the metric table and the
// parameters that differ from the defaults. A ledger report (LedgerPage)
// shows a search: the best score so far against the trial number per
// command, the selection statistics (a section that package selection
// computes from the trials' daily returns, LedgerOptions.Selection), the
// honesty statistics (trial counts, rejections, rank stability under fee
// stress) with what a backtest can and cannot prove, the score against
// each parameter that varies and a heatmap over two parameters, and, when
// gem search --compare kept one beside the ledger, the regret of search
// methods against the optimum of a block (LedgerOptions.Comparison). Summarize
// reads a ledger as program.md's keep-or-revert loop (gem keep marks,
// probes, seed replicates) and Draft writes the shutdown report it asks of
// an agent.
//
// Files:
//   - page.go: Page, Section, Table and File, and the HTML, PNG and file
//     writers.
//   - chart.go: Chart, SVG and PNG rendering, stacked figures with aligned
//     x axes, the report's fonts and colours.
//   - ticks.go: axis tickers for dates, log scales and percentages.
//   - series.go: drawdowns, monthly returns and holding weights of a run.
//   - tearsheet.go: the tearsheet's computations: DrawdownEpisodes,
//     Rolling, ComputeExposure, ComputeAttribution and TradesCSV (the
//     harness's recorded fills).
//   - tearsheetpage.go: the tearsheet's tables and charts.
//   - evaluate.go: Evaluate, a configuration and the benchmark evaluated
//     for the page.
//   - evaluation.go: Evaluation and EvaluationPage.
//   - groups.go: comparable groups of ledger rows and their parameters.
//   - ledgerpage.go: LedgerOptions, LedgerPage and ParsePair.
//   - regret.go: the regret section: median and interquartile regret
//     against evaluations per method (an optimum.Comparison), and its table.
//   - honesty.go: Honesty and ComputeHonesty.
//   - summary.go: Summary, Summarize (adoptions, probes, replicates over
//     seeds, neighbouring values), Keep and KeepMark, the markdown escapes.
//   - draft.go: Draft, the shutdown report in ShutdownSections (every field
//     from the ledger or git escaped), MainGroup, Noise, WriteSummary.
//   - commits.go: ReadCommits, the git commits paired with the keeps.
package report
