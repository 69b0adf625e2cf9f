package main

import (
	"fmt"
	"io"
	"runtime"
	"strings"

	"github.com/spf13/cobra"

	"gem/harness"
	"gem/lookahead"
	"gem/strategy"
)

func newCheckCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Check strategies for look-ahead",
	}
	cmd.AddCommand(newCheckLookaheadCmd())
	return cmd
}

func newCheckLookaheadCmd() *cobra.Command {
	var data dataFlags
	var strat strategyFlags
	var days, workers int
	var seed uint64
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
			r, err := lookahead.Check(cmd.Context(), p, func(*harness.Panel) harness.Strategy {
				return cfg.New(strategy.NewCache())
			}, lookahead.Config{Fill: fill, Days: days, Seed: seed, Workers: workers})
			if err != nil {
				return err
			}
			return reportLookahead(out, r)
		},
	}
	data.register(cmd.Flags())
	strat.register(cmd.Flags())
	cmd.Flags().IntVar(&days, "days", 20, "number of days t to sample")
	cmd.Flags().Uint64Var(&seed, "sample-seed", 1, "seed of the sampled days and the perturbations")
	cmd.Flags().IntVar(&workers, "workers", runtime.NumCPU(), "perturbed backtests run at once")
	return cmd
}

// reportLookahead prints the outcome and returns an error for a leak.
func reportLookahead(w io.Writer, r *lookahead.Report) error {
	var sampled []string
	for _, d := range r.Days {
		sampled = append(sampled, r.Dates[d].String())
	}
	fmt.Fprintf(w, "perturbed every candle from day t on, for %d days t: %s\n", len(r.Days), strings.Join(sampled, " "))
	for _, l := range r.Leaks {
		fmt.Fprintf(w, "  t=%s: the decision filled on %s changed: was %s, now %s", r.Dates[l.T], r.Dates[l.Day], describeRebalance(r, l.Want), describeRebalance(r, l.Got))
		if l.SameClose {
			fmt.Fprint(w, " (unchanged when perturbing from t+1: same-close)")
		}
		fmt.Fprintln(w)
	}
	switch {
	case r.Clean() && r.Fill == harness.Reference:
		fmt.Fprintln(w, "PASS on the sampled days: no decision changed, though reference fills do see day t's close when they decide; sample more days (--days) to see that leak")
		return nil
	case r.Clean():
		fmt.Fprintf(w, "PASS: no decision filled on or before t changed (%s fills)\n", r.Fill)
		return nil
	case r.KnownLeakOnly():
		fmt.Fprintf(w, "KNOWN LEAK: with reference fills the decision filled at day t's close sees that close (the reference's same-close look-ahead, %d of %d days); nothing looks further ahead. Use --fill causal for honest numbers.\n", len(r.Leaks), len(r.Days))
		return nil
	}
	fmt.Fprintf(w, "FAIL: decisions depend on data from their fill day or later on %d of %d sampled days\n", len(r.Leaks), len(r.Days))
	return fmt.Errorf("look-ahead: %d of %d sampled days leaked (%s fills)", len(r.Leaks), len(r.Days), r.Fill)
}

// describeRebalance is a rebalance's targets in a few words.
func describeRebalance(rep *lookahead.Report, r *harness.Rebalance) string {
	if r == nil {
		return "no rebalance"
	}
	if len(r.Targets) == 0 {
		return "rebalance to cash"
	}
	var parts []string
	for i, t := range r.Targets {
		if i == 5 {
			parts = append(parts, fmt.Sprintf("... (%d targets)", len(r.Targets)))
			break
		}
		parts = append(parts, fmt.Sprintf("%s:%.4f", rep.Tokens[t.Token], t.Weight))
	}
	return "rebalance to " + strings.Join(parts, " ")
}
