package main

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"gem/harness"
	"gem/lookahead"
	"gem/strategy"
)

func newCheckCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "check", Short: "Check strategies for look-ahead"}
	cmd.AddCommand(newCheckLookaheadCmd())
	return cmd
}

func newCheckLookaheadCmd() *cobra.Command {
	var data dataFlags
	var strat strategyFlags
	var lc lookahead.Config
	cmd := &cobra.Command{
		Use:   "lookahead",
		Short: "Test that a strategy's decisions never depend on later data",
		Long: `Rerun the backtest with every candle dated on or after a day t scaled by random
factors (log-uniform in [1/2, 2]), for a sample of days t, and compare the decisions
(rebalance days and target weights) with the unperturbed run's.

With causal fills the decision filled on day t uses data through t-1, so every
decision filled on or before t must be unchanged; any change is a look-ahead leak
(exit status 1). With reference fills the decision filled at day t's close sees that
close, so changes are expected: when perturbing from t+1 on leaves them unchanged, the
leak is the reference's known same-close look-ahead, reported as such (exit status 0);
anything further is a leak (exit status 1).`,
		Example: `  gem check lookahead
  gem check lookahead --strategy specialist --fill reference --days 10 --data ../shared/golden/majors_2022_2023.csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, fill, err := strat.config()
			if err != nil {
				return err
			}
			p, desc, err := data.load(cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "%s\n%s, %s fills, %s\n", desc, cfg.Name(), fill, describeChanges(strategy.Assign(cfg)))
			lc.Fill = fill
			r, err := lookahead.Check(cmd.Context(), p, func(*harness.Panel) harness.Strategy { return cfg.New(strategy.NewCache()) }, lc)
			if err != nil {
				return err
			}
			if err := r.WriteText(out); err != nil {
				return err
			}
			return r.Err()
		},
	}
	data.register(cmd.Flags())
	strat.register(cmd.Flags())
	cmd.Flags().IntVar(&lc.Days, "days", 20, "number of days t to sample")
	cmd.Flags().Uint64Var(&lc.Seed, "sample-seed", 1, "seed of the sampled days and the perturbations")
	cmd.Flags().IntVar(&lc.Workers, "workers", runtime.NumCPU(), "perturbed backtests run at once")
	return cmd
}
