package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"gem/render"
	"gem/search"
)

// planBatch is how many of a plan's configurations are handed to the pool at
// once: enough to keep every worker busy, few enough that a huge phase is
// streamed. What a plan proposes does not depend on it.
const planBatch = 4096

func newSweepCmd() *cobra.Command {
	var r runFlags
	var param, values, plan string
	var dryRun bool
	cmd := command("sweep", "Sweep one parameter, or run a phased plan",
		`Sweep one parameter over a list of values (--param, --values), every other
parameter at its default or --set value; or run a phased plan (--plan): each
phase evaluates a grid, or one-at-a-time variations, around the current
baseline and locks its winner in before the next phase. The built-in plan is
the published one for the ensemble: the HMM (48 configurations), then each
specialist's top_n x r2_threshold x rebalance_cooldown (36 each), then each
specialist parameter varied alone around the winners (--dry-run lists it).

Prints one line per configuration in order (the parameters that differ from
the defaults, the score and the main metrics), each phase's winner, then
"Best:" (the best so far) and "Done."; appends one ledger row per
configuration. A plan is checked and counted before anything runs (a
parameter named twice, a repeated value or more than 10 million
configurations is refused).`,
		`  gem sweep --strategy specialist --param top_n --values 1,3,5,10
  gem sweep --plan phased --dry-run
  gem sweep --plan phased --data ../shared/data/binance_spot_1d_panel_merged.csv.gz
  gem sweep --plan myplan.yaml --resume`)
	cmd.PreRunE = func(cmd *cobra.Command, args []string) error { return r.prepare(plan != "")(cmd, args) }
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		pl, err := search.SweepPlan(param, values)
		if plan != "" {
			pl, err = search.NamedPlan(plan)
		}
		if err != nil {
			return err
		}
		total, err := pl.Size(r.base.Params) // checks every phase before anything runs
		if err != nil {
			return err
		}
		out := cmd.OutOrStdout()
		if dryRun {
			return render.Plan(out, pl, r.base.Params)
		}
		m, err := search.NewPhased(pl, r.base.Params)
		if err != nil {
			return err
		}
		pool, desc, err := r.open(cmd)
		if err != nil {
			return err
		}
		defer pool.Close()
		fmt.Fprintf(out, "%s\n%s, %d phase(s), about %d configurations, %d workers\n", desc, render.Setup(pool.Env.Panel, r.base), len(pl.Phases), total, r.workers)
		if len(pl.Phases) > 1 {
			render.Phases(out, m)
		}
		return r.search(cmd, pool, r.base, m, 0, planBatch, render.Shown(pl)...)
	}
	r.register(cmd.Flags())
	cmd.Flags().StringVar(&param, "param", "", "parameter to sweep")
	cmd.Flags().StringVar(&values, "values", "", "comma-separated values to try")
	cmd.Flags().StringVar(&plan, "plan", "", `"phased" for the built-in published plan, or a plan file (JSON or YAML); the strategy defaults to ensemble`)
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "list the configurations without running them")
	r.dist.register(cmd.Flags())
	cmd.Flags().IntVar(&r.seeds, "seeds", 0, seedsUsage)
	return cmd
}
