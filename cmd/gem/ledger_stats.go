package main

import (
	"encoding/json"
	"fmt"
	"gem/selection"

	"github.com/spf13/cobra"

	"gem/harness"
	"gem/ledger"
	"gem/report"
	"gem/trial"
)

func newLedgerStatsCmd() *cobra.Command {
	var sel ledgerSelection
	var opt selection.Options
	var data dataFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "stats",
		Short: "Can the winner be trusted? PBO, deflated Sharpe and SPA of a group of trials",
		Long: `Compute the statistics of selection for a group of comparable ledger trials
(same strategy, fill mode, data and harness; by default the largest group
after --command and --since, or the group of --key) from their daily returns,
kept in the .returns file beside the ledger. The days used are those every
trial of the group has (their intersection); their number is printed.

  pbo                 probability of backtest overfitting by combinatorially
                      symmetric cross-validation (Bailey, Borwein, López de
                      Prado and Zhu 2017), --blocks blocks, configurations
                      ranked by the Sharpe ratio of their daily returns; with
                      the performance degradation (slope of out-of-sample on
                      in-sample Sharpe) and the probability of an
                      out-of-sample loss.
  deflated_sharpe     the deflated Sharpe ratio of the best configuration (by
                      Sharpe ratio; or of --key) (Bailey and López de Prado
                      2014), deflated for effective_trials independent trials
                      estimated from the correlation of the trials' returns
                      (participation ratio); beside it the figures for the
                      average-correlation estimator.
  spa_pvalue          Hansen's test for superior predictive ability of the
  reality_check_...   trials against BTC+ETH buy-and-hold on the same days,
                      stationary bootstrap (--draws, --bootstrap-seed), with
                      White's reality check: small p-values mean some
                      configuration beats the benchmark beyond what trying
                      them all would find by chance.
  year ranks          Spearman's rank correlation of the configurations'
                      Sharpe ratios between consecutive calendar years (does
                      the ranking on one year predict the next?).

The benchmark's daily returns are written to the returns file once per data
fingerprint and fill mode by every command that records trials; for a ledger
written before that, give the data again (--data and the same filters) and
gem evaluates the benchmark on it.`,
		Example: `  gem ledger stats
  gem ledger stats --command sweep --json
  gem ledger stats --key 3f2a9c1d0b4e5f60 --since 2026-03-01`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			warn := func(s string) { fmt.Fprintf(cmd.ErrOrStderr(), "gem: %s\n", s) }
			rows, series, err := sel.read(warn)
			if err != nil {
				return err
			}
			g, err := selection.PickGroup(rows, opt.Key)
			if err != nil {
				return err
			}
			bench := series[trial.BenchmarkKey(g.Fill, g.Window, g.Harness, g.Data)]
			if bench == nil && cmd.Flags().Changed("data") {
				if bench, err = benchmarkOn(cmd, &data, g); err != nil {
					return err
				}
			}
			st, err := selection.Compute(g, series, bench, opt)
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(st)
			}
			st.Write(cmd.OutOrStdout())
			return nil
		},
	}
	sel.register(cmd)
	data.register(cmd.Flags())
	cmd.Flags().StringVar(&opt.Key, "key", "", "the kept configuration's trial key: its group, and the configuration the deflated Sharpe ratio judges")
	cmd.Flags().IntVar(&opt.Blocks, "blocks", 16, "PBO: number of blocks S (even, 2 to 24)")
	cmd.Flags().IntVar(&opt.Draws, "draws", 1000, "SPA: bootstrap resamples")
	cmd.Flags().Float64Var(&opt.BlockLength, "block-length", 10, "SPA: mean block length of the stationary bootstrap, days")
	cmd.Flags().Uint64Var(&opt.Seed, "bootstrap-seed", 0, "SPA: seed of the bootstrap")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return cmd
}

// benchmarkOn evaluates the benchmark on the --data panel, which must be
// the group's data.
func benchmarkOn(cmd *cobra.Command, data *dataFlags, g *report.Group) (*ledger.Series, error) {
	p, _, err := data.load(cmd.ErrOrStderr())
	if err != nil {
		return nil, err
	}
	if p.Fingerprint() != g.Data {
		return nil, fmt.Errorf("--data has fingerprint %s, the trials' data %s: give the same files and filters", p.Fingerprint(), g.Data)
	}
	if g.Harness != harness.Fingerprint() {
		return nil, fmt.Errorf("the trials were run by harness %s, this gem is %s: their benchmark cannot be recomputed", g.Harness, harness.Fingerprint())
	}
	spec, err := trial.ParseSpec("benchmark", g.Fill, g.Window, "")
	if err != nil {
		return nil, err
	}
	r, err := trial.Evaluate(cmd.Context(), trial.NewEnv(p, "stats"), spec)
	if err != nil {
		return nil, err
	}
	return r.Returns, nil
}
