package main

import (
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"gem/search"
	"gem/space"
	"gem/strategy"
)

func newSearchCmd() *cobra.Command {
	var data dataFlags
	var strat strategyFlags
	var lf ledgerFlags
	var plan, method, spaceArg string
	var budget, workers, batch int
	var seed uint64
	var dist distFlags
	var seeds seedFlags
	var cmpf compareFlags
	cmd := &cobra.Command{
		Use:   "search",
		Short: "Search the joint parameter space under a budget (random, qmc, tpe, cmaes, gp, policy)",
		Long: `Search a joint parameter space with --budget evaluations, every parameter at
once instead of one phase at a time. The space is, by default, a plan's
(--plan: every parameter any phase varies, with all the values the plan gives
it, as categories); --space all takes every searchable parameter with its
declared range (gem params lists them; the ablation switches included), and
--space FILE a JSON list of {name, search_min, search_max} or {name, values}.

--method picks the search: random (uniform draws), qmc (scrambled Sobol), tpe
(multivariate tree-structured Parzen estimator), cmaes (CMA-ES with integer
margins), gp (Gaussian-process surrogate with expected improvement), policy (a
bandit over which parameter to edit next). Proposals come in batches of
--batch and depend on --search-seed and the scores told, never on --workers,
so a search is repeatable; --resume replays it from the ledger.
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
			if cmpf.enabled {
				pool, desc, err := openPool(cmd.Context(), cmd.ErrOrStderr(), &data, &lf, workers, "search")
				if err != nil {
					return err
				}
				defer pool.Ledger.Close()
				if err := checkData(cfg, pool.Env.Panel); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s\n%s, %s fills%s\n", desc, cfg.Name(), fill, describeWindow(pool.Env.Panel, strat.win))
				return cmpf.run(cmd.Context(), cmd.OutOrStdout(), pool, strat.spec(cfg, fill), batch)
			}
			base := strategy.Assign(cfg)
			pl := search.PhasedPlan()
			if plan != "phased" {
				if pl, err = search.LoadPlan(plan); err != nil {
					return err
				}
			}
			sp, err := searchSpace(spaceArg, pl, base)
			if err != nil {
				return err
			}
			m, err := search.NewMethod(method, sp, seed)
			if err != nil {
				return err
			}
			pool, desc, err := openPool(cmd.Context(), cmd.ErrOrStderr(), &data, &lf, workers, "search")
			if err != nil {
				return err
			}
			defer pool.Close()
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "%s\n%s, %s fills, %s%s, %s search: up to %d configurations of %d parameters (seed %d, batches of %d), %d workers\n",
				desc, cfg.Name(), fill, describeChanges(base), describeWindow(pool.Env.Panel, strat.win), method, budget, sp.Len(), seed, batch, workers)
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
			s := newSearch(out, pool, strat.spec(cfg, fill), seeds.k)
			runErr := s.Run(cmd.Context(), m, budget, batch)
			finish(out, s, start, runErr == nil)
			return runErr
		},
	}
	data.register(cmd.Flags())
	strat.register(cmd.Flags())
	cmd.Flags().StringVar(&plan, "plan", "phased", `the plan whose parameters and values span the space: "phased" (the built-in plan) or a plan file`)
	cmd.Flags().IntVar(&budget, "budget", 100, "number of distinct configurations to evaluate")
	cmd.Flags().IntVar(&batch, "batch", 8, "configurations proposed at once (what is proposed does not depend on --workers)")
	cmd.Flags().StringVar(&method, "method", "random", "search method: "+strings.Join(search.MethodNames(), ", "))
	cmd.Flags().StringVar(&spaceArg, "space", "plan", `the space: "plan" (the --plan's joint space), "all" (every searchable parameter), or a JSON space file`)
	cmd.Flags().Uint64Var(&seed, "search-seed", 1, "seed of the random draws")
	cmd.Flags().IntVar(&workers, "workers", runtime.NumCPU(), "parallel evaluations (at least 1)")
	dist.register(cmd.Flags())
	cmpf.register(cmd.Flags())
	lf.register(cmd.Flags())
	seeds.register(cmd.Flags())
	return cmd
}

// searchSpace is the space --space names: the plan's joint space, every
// searchable parameter, or a space file.
func searchSpace(arg string, pl search.Plan, base space.Assignment) (*space.Space, error) {
	switch arg {
	case "plan":
		return pl.Space(base)
	case "all":
		return search.Searchable(base), nil
	}
	return search.LoadSpace(arg, base)
}
