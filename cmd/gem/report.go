package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"gem/report"
	"gem/selection"
)

func newReportCmd() *cobra.Command {
	var data dataFlags
	var strat strategyFlags
	var ledgerPath, out, pngDir, pair string
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Write an HTML report of an evaluation or of a ledger",
		Long: `Write one self-contained HTML file (charts inlined as SVG, nothing fetched).
Without --ledger: a tearsheet of one configuration evaluated as gem eval does,
beside the BTC+ETH benchmark (equity of the base and stress runs, drawdowns,
returns by year, rolling Sharpe and volatility, exposure, holdings, each
token's contribution, the trades, also as NAME-trades.csv beside the page).
With --ledger: the search (best score so far, the statistics of selection of
gem ledger stats with a verdict, score by parameter, a heatmap over --pair,
and the regret chart gem search --compare keeps beside the ledger).
--png DIR also writes each chart as DIR/NAME.png.`,
		Example: `  gem report --out results/eval.html
  gem report --data ../shared/golden/majors_2022_2023.csv --set hmm.min_observations=60 --out eval.html --png charts/
  gem report --ledger results/ledger.tsv --out results/ledger.html`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return errors.New("report needs --out FILE.html")
			}
			page, err := buildReport(cmd, &data, &strat, ledgerPath, pair)
			if err != nil {
				return err
			}
			files, err := page.WriteFiles(out, pngDir)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s\n", strings.Join(files, "\nwrote "))
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

// buildReport builds the report of a ledger, or of the evaluation the
// flags describe.
func buildReport(cmd *cobra.Command, data *dataFlags, strat *strategyFlags, ledgerPath, pair string) (*report.Page, error) {
	if ledgerPath != "" {
		for _, f := range []string{"data", "strategy", "set", "fill", "seed", "score-from", "score-to"} {
			if cmd.Flags().Changed(f) {
				return nil, fmt.Errorf("--%s does not apply to a ledger report (--ledger)", f)
			}
		}
		return selection.LedgerReport(ledgerPath, pair)
	}
	if pair != "" {
		return nil, errors.New("--pair applies to a ledger report (--ledger) only")
	}
	cfg, fill, err := strat.config()
	if err != nil {
		return nil, err
	}
	p, desc, err := data.load(cmd.ErrOrStderr())
	if err != nil {
		return nil, err
	}
	e, err := report.Evaluate(cmd.Context(), p, cfg, fill, strat.win, desc)
	if err != nil {
		return nil, err
	}
	return report.EvaluationPage(e)
}
