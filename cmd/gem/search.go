package main

import (
	"fmt"
	"runtime"
	"time"

	"github.com/spf13/cobra"

	"gem/ledger"
	"gem/search"
)

func newSearchCmd() *cobra.Command {
	var data dataFlags
	var strat strategyFlags
	var lf ledgerFlags
	var plan string
	var budget, workers int
	var seed uint64
	cmd := &cobra.Command{
		Use:   "search",
		Short: "Random search of the joint parameter space under a budget",
		Long: `Search the joint space of a plan's parameters (every parameter any phase
varies, with all the values the plan gives it) by drawing --budget distinct
configurations at random, every parameter at once, instead of one phase at a
time. The draws depend on --search-seed alone, so a search is repeatable.
Prints one line per configuration, then the best; every configuration lands in
the ledger under the command "search", so gem report --ledger can compare its
best-so-far with the phased sweep's.

The more configurations a search tries, the more its best score is inflated by
selection: judge the winner on held-out data.`,
		Example: `  gem search --budget 200
  gem search --plan myplan.yaml --budget 50 --search-seed 7 --data ../shared/data/binance_spot_1d_panel_merged.csv.gz`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !cmd.Flags().Changed("strategy") {
				strat.name = "ensemble"
			}
			base, fill, err := strat.config()
			if err != nil {
				return err
			}
			pl := search.PhasedPlan()
			if plan != "phased" {
				if pl, err = search.LoadPlan(plan); err != nil {
					return err
				}
			}
			cands, err := search.Random(pl.Space(), base, budget, seed)
			if err != nil {
				return err
			}
			pool, desc, err := openPool(cmd.ErrOrStderr(), &data, &lf, fill, workers, "search")
			if err != nil {
				return err
			}
			defer pool.ledger.Close()
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "%s\n%s, %s fills, random search: %d configurations of %d parameters (seed %d), %d workers\n",
				desc, base.Name(), fill, len(cands), len(pl.Space()), seed, workers)
			start := time.Now()
			r := &sweepRun{out: out, pool: pool}
			_, runErr := r.evaluate(cmd.Context(), "random", cands)
			if r.best != nil {
				fmt.Fprintf(out, "Best: %s score=%s\n", r.bestLabel, ledger.FormatFloat(r.best.score()))
			}
			if runErr != nil {
				return runErr
			}
			fmt.Fprintf(out, "Done. %d configurations (%d not run again: already in the ledger) in %.1fs\n", r.count, r.resumed, time.Since(start).Seconds())
			return nil
		},
	}
	data.register(cmd.Flags())
	strat.register(cmd.Flags())
	cmd.Flags().StringVar(&plan, "plan", "phased", `the plan whose parameters and values span the space: "phased" (the built-in plan) or a plan file`)
	cmd.Flags().IntVar(&budget, "budget", 100, "number of distinct configurations to evaluate")
	cmd.Flags().Uint64Var(&seed, "search-seed", 1, "seed of the random draws")
	cmd.Flags().IntVar(&workers, "workers", runtime.NumCPU(), "parallel evaluations")
	cmd.Flags().StringVar(&lf.path, "ledger", "results/ledger.tsv", `ledger file ("-" for none)`)
	cmd.Flags().BoolVar(&lf.resume, "resume", false, "skip configurations already in the ledger (same harness and data)")
	return cmd
}
