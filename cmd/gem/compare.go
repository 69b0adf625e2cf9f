package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"gem/render"
	"gem/selection"
)

func newCompareCmd() *cobra.Command {
	var r runFlags
	var a, b string
	cmd := command("compare", "Is configuration A better than B, beyond the noise of the regime model's seed?",
		`Evaluate two configurations, A and B (each a list of name=value changes on top
of the defaults and --set values), under the same --seeds regime-model seeds
(hmm.seed = its value, +1, ...), and report their difference paired over the
same seeds and the same days, against the noise:

  - per seed, the score of A, of B and A − B; each side's median, spread and
    share rejected; the difference of the medians beside the seed noise (the
    wider of the two interquartile widths);
  - the daily returns, averaged over the seeds and paired day by day: the
    mean of A − B with a 95% Student-t interval (which treats the days as
    independent; momentum portfolios' returns are mildly autocorrelated, so
    read it as a lower bound on the uncertainty).

Every trial lands in the ledger under the command "compare". A strategy
without a regime model runs once per side.`,
		`  gem compare --a "bull.top_n=20" --b "bull.top_n=10" --seeds 5
  gem compare --a "hmm.restarts=40 hmm.refit_restarts=2" --b "" --seeds 8 --data ../shared/data/binance_spot_1d_panel_merged.csv.gz`)
	cmd.PreRunE = r.prepare(true)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		c := selection.Comparison{Base: r.base}
		for i, changes := range []string{a, b} {
			var err error
			if c.Specs[i], err = selection.Side(r.base, changes, r.seeds); err != nil {
				return fmt.Errorf("--%c: %w", 'a'+i, err)
			}
		}
		pool, desc, err := r.open(cmd)
		if err != nil {
			return err
		}
		defer pool.Close()
		if err := c.Run(cmd.Context(), pool); err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "%s\n%s\n", desc, render.Setup(pool.Env.Panel, r.base))
		c.Write(cmd.OutOrStdout())
		return nil
	}
	r.register(cmd.Flags())
	cmd.Flags().StringVar(&a, "a", "", `configuration A: changes "name=value ..." (spaces or commas between them; "" for the base)`)
	cmd.Flags().StringVar(&b, "b", "", "configuration B, as --a")
	cmd.Flags().IntVar(&r.seeds, "seeds", 5, "regime-model seeds each configuration is evaluated under")
	return cmd
}
