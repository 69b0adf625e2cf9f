package main

import (
	"fmt"
	"runtime"
	"time"

	"github.com/spf13/cobra"

	"gem/search"
	"gem/strategy"
)

func newSearchCmd() *cobra.Command {
	var data dataFlags
	var strat strategyFlags
	var lf ledgerFlags
	var plan string
	var budget, workers, batch int
	var seed uint64
	var dist distFlags
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
			if err := checkWorkers(workers); err != nil {
				return err
			}
			if budget < 1 || batch < 1 {
				return fmt.Errorf("--budget and --batch must be at least 1")
			}
			cfg, fill, err := strat.config()
			if err != nil {
				return err
			}
			base := strategy.Assign(cfg)
			pl := search.PhasedPlan()
			if plan != "phased" {
				if pl, err = search.LoadPlan(plan); err != nil {
					return err
				}
			}
			sp, err := pl.Space(base)
			if err != nil {
				return err
			}
			pool, desc, err := openPool(cmd.Context(), cmd.ErrOrStderr(), &data, &lf, workers, "search")
			if err != nil {
				return err
			}
			defer pool.Ledger.Close()
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "%s\n%s, %s fills, %s%s, random search: up to %d configurations of %d parameters (seed %d), %d workers\n",
				desc, cfg.Name(), fill, describeChanges(base), describeWindow(pool.Env.Panel, strat.win), budget, sp.Len(), seed, workers)
			start := time.Now()
			if dist.enabled() {
				stop, err := dist.start(cmd.Context(), cmd.ErrOrStderr(), pool, workers)
				if err != nil {
					return err
				}
				defer stop()
			}
			if err := checkData(cfg, pool.Env.Panel); err != nil {
				return err
			}
			s := newSearch(out, pool, strat.spec(cfg, fill))
			runErr := s.Run(cmd.Context(), search.NewRandom(sp, seed), budget, batch)
			finish(out, s, start, runErr == nil)
			return runErr
		},
	}
	data.register(cmd.Flags())
	strat.register(cmd.Flags())
	cmd.Flags().StringVar(&plan, "plan", "phased", `the plan whose parameters and values span the space: "phased" (the built-in plan) or a plan file`)
	cmd.Flags().IntVar(&budget, "budget", 100, "number of distinct configurations to evaluate")
	cmd.Flags().IntVar(&batch, "batch", 64, "configurations proposed at once (what is proposed does not depend on --workers)")
	cmd.Flags().Uint64Var(&seed, "search-seed", 1, "seed of the random draws")
	cmd.Flags().IntVar(&workers, "workers", runtime.NumCPU(), "parallel evaluations (at least 1)")
	dist.register(cmd.Flags())
	lf.register(cmd.Flags())
	return cmd
}
