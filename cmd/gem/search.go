package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"gem/render"
	"gem/search"
)

func newSearchCmd() *cobra.Command {
	var r runFlags
	var plan, method, spaceArg string
	var budget, batch int
	var seed uint64
	var cmpf compareFlags
	cmd := command("search", "Search the joint parameter space under a budget (random, qmc, tpe, cmaes, gp, policy)",
		`Search a joint parameter space with --budget evaluations, every parameter at
once instead of one phase at a time. The space (--space) is, by default, the
plan's: every parameter any phase of --plan varies, with all the values it
gives it, as categories; "all" is every searchable parameter over its
declared range (gem params), the ablation switches included.

--method picks the search: random (uniform draws), qmc (scrambled Sobol), tpe
(multivariate tree-structured Parzen estimator), cmaes (CMA-ES with integer
margins), gp (Gaussian-process surrogate with expected improvement), policy (a
bandit over which parameter to edit next). Proposals come in batches of
--batch and depend on --search-seed and the scores told, so a search is
repeatable. Prints one line per configuration, then the best; every
configuration lands in the ledger under the command "search", so gem report
--ledger can compare its best-so-far with the phased sweep's.

The more configurations a search tries, the more its best score is inflated by
selection: judge the winner on held-out data.`,
		`  gem search --budget 200
  gem search --plan myplan.yaml --budget 50 --search-seed 7 --data ../shared/data/binance_spot_1d_panel_merged.csv.gz`)
	cmd.PreRunE = r.prepare(true)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if budget < 1 || batch < 1 {
			return fmt.Errorf("--budget and --batch must be at least 1")
		}
		newMethod, sp, err := search.Named(plan, method, spaceArg, seed, r.base.Params)
		if err == nil && sp == nil { // no method: the plan, which gem sweep runs
			err = fmt.Errorf("--method: want one of %s", strings.Join(search.MethodNames(), ", "))
		}
		if err != nil && !cmpf.enabled { // --compare takes neither --method nor --space
			return err
		}
		pool, desc, err := r.open(cmd)
		if err != nil {
			return err
		}
		defer pool.Close()
		out := cmd.OutOrStdout()
		if cmpf.enabled {
			fmt.Fprintf(out, "%s\n%s, %s fills%s\n", desc, r.base.Strategy, r.base.Fill, render.Window(pool.Env.Panel, r.base.Window))
			return cmpf.run(cmd.Context(), out, pool, r.base, batch, r.lf.path)
		}
		m, _ := newMethod() // Named made one
		fmt.Fprintf(out, "%s\n%s, %s search: up to %d configurations of %d parameters (seed %d, batches of %d), %d workers\n",
			desc, render.Setup(pool.Env.Panel, r.base), method, budget, sp.Len(), seed, batch, r.workers)
		return r.search(cmd, pool, r.base, m, budget, batch)
	}
	r.register(cmd.Flags())
	cmd.Flags().StringVar(&plan, "plan", "phased", `the plan whose parameters and values span the space: "phased" (the built-in plan) or a plan file`)
	cmd.Flags().IntVar(&budget, "budget", 100, "number of distinct configurations to evaluate")
	cmd.Flags().IntVar(&batch, "batch", 8, "configurations proposed at once (what is proposed does not depend on --workers)")
	cmd.Flags().StringVar(&method, "method", "random", "search method: "+strings.Join(search.MethodNames(), ", "))
	cmd.Flags().StringVar(&spaceArg, "space", "plan", `the space: "plan" (the --plan's joint space), "all" (every searchable parameter), or a JSON file: a list of {name, search_min, search_max} or {name, values}`)
	cmd.Flags().Uint64Var(&seed, "search-seed", 1, "seed of the random draws")
	r.dist.register(cmd.Flags())
	cmpf.register(cmd.Flags())
	cmd.Flags().IntVar(&r.seeds, "seeds", 0, seedsUsage)
	return cmd
}
