package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"gem/harness"
	"gem/ledger"
	"gem/report"
	"gem/strategy"
)

func newReportCmd() *cobra.Command {
	var data dataFlags
	var strat strategyFlags
	var ledgerPath, out, pngDir, pair string
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Write an HTML report of an evaluation or of a ledger",
		Long: `Write one self-contained HTML file (charts inlined as SVG, nothing fetched
from the network) that shows either one evaluation or a whole ledger.

Without --ledger, report evaluates one configuration, as gem eval does (the
same --data, --strategy, --set and --fill flags), with the BTC+ETH benchmark
under the same harness, and shows: the equity curve against the benchmark on
a log scale with the ensemble's regime posterior as a ribbon under it, the
drawdowns, the holdings over time as stacked weights, a heatmap of monthly
returns, and the metric table. It records nothing in the ledger.

With --ledger, report shows the trials of a ledger: the best score so far
against the trial number for each command, the score against each parameter
that varies, a heatmap of the score over two parameters (--pair, or the pair
tried in the most combinations), the honesty statistics (trials, rejections,
rank stability under fee stress, the deflated Sharpe ratio) and the
keep-or-revert summary.

--png DIR also writes each chart as DIR/NAME.png.`,
		Example: `  gem report --out results/eval.html
  gem report --data ../shared/golden/majors_2022_2023.csv --set hmm.min_observations=60 --out eval.html --png charts/
  gem report --ledger results/ledger.tsv --out results/ledger.html`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return errors.New("report needs --out FILE.html")
			}
			var page *report.Page
			var err error
			if ledgerPath != "" {
				for _, f := range []string{"data", "strategy", "set", "fill", "seed"} {
					if cmd.Flags().Changed(f) {
						return fmt.Errorf("--%s does not apply to a ledger report (--ledger)", f)
					}
				}
				page, err = ledgerReport(ledgerPath, pair)
			} else {
				if pair != "" {
					return errors.New("--pair applies to a ledger report (--ledger) only")
				}
				page, err = evalReport(cmd, &data, &strat)
			}
			if err != nil {
				return err
			}
			if err := page.WriteFile(out); err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "wrote %s (%d charts)\n", out, len(page.Charts()))
			if pngDir != "" {
				files, err := page.WritePNGs(pngDir)
				if err != nil {
					return err
				}
				fmt.Fprintf(w, "wrote %d PNG files to %s\n", len(files), pngDir)
			}
			return nil
		},
	}
	data.register(cmd.Flags())
	strat.register(cmd.Flags())
	cmd.Flags().StringVar(&ledgerPath, "ledger", "", "report on this ledger file instead of evaluating a configuration")
	cmd.Flags().StringVar(&out, "out", "", "HTML file to write")
	cmd.Flags().StringVar(&pngDir, "png", "", "also write each chart as a PNG file into this directory")
	cmd.Flags().StringVar(&pair, "pair", "", "the two parameters of a ledger report's heatmap, name1,name2")
	return cmd
}

// evalReport evaluates the configuration the flags describe, and the
// benchmark beside it, and builds their report.
func evalReport(cmd *cobra.Command, data *dataFlags, strat *strategyFlags) (*report.Page, error) {
	cfg, fill, err := strat.config()
	if err != nil {
		return nil, err
	}
	p, desc, err := data.load(cmd.ErrOrStderr())
	if err != nil {
		return nil, err
	}
	ctx := cmd.Context()
	cache := strategy.NewCache()
	win, err := strat.win.Days(p)
	if err != nil {
		return nil, err
	}
	hc := harness.Config{Fill: fill, RecordHoldings: true, Window: win}
	var first harness.Strategy // the instance of the base run
	res, err := harness.Evaluate(ctx, p, func() harness.Strategy {
		s := cfg.New(cache)
		if first == nil {
			first = s
		}
		return s
	}, hc)
	if err != nil {
		return nil, err
	}
	in := &report.Evaluation{
		Title:       fmt.Sprintf("%s, %s fills", cfg.Name(), fill),
		Description: desc,
		Params:      strategy.Assign(cfg).String(),
		Dates:       p.Dates[win.From:win.To],
		Result:      res,
	}
	for i := range p.Series {
		in.Tokens = append(in.Tokens, p.Series[i].Token)
	}
	if cfg.Name() != "benchmark" {
		bench := &strategy.BenchmarkConfig{}
		if in.Benchmark, err = harness.Evaluate(ctx, p, func() harness.Strategy { return bench.New(cache) }, hc); err != nil {
			return nil, err
		}
	}
	if ens, ok := first.(*strategy.Ensemble); ok {
		in.Posteriors, in.Regimes = ens.Stats.Posteriors, ens.Stats.Regimes
	}
	return report.EvaluationPage(in)
}

// ledgerReport reads a ledger and builds its report.
func ledgerReport(path, pair string) (*report.Page, error) {
	rows, problems, err := ledger.Read(path)
	if err != nil {
		return nil, err
	}
	opt := report.LedgerOptions{Path: path, Skipped: len(problems), Harness: harness.Fingerprint()}
	if pair != "" {
		a, b, ok := strings.Cut(pair, ",")
		if !ok || a == "" || b == "" {
			return nil, fmt.Errorf("--pair %q: want name1,name2", pair)
		}
		opt.Pair = [2]string{strings.TrimSpace(a), strings.TrimSpace(b)}
	}
	return report.LedgerPage(rows, opt)
}
