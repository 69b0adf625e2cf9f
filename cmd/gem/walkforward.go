package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"gem/render"
	"gem/search"
	"gem/trial"
)

func newWalkForwardCmd() *cobra.Command {
	var r runFlags
	var plan, method, spaceArg string
	var train, test, budget, batch int
	var anchored bool
	var seed uint64
	cmd := command("walkforward", "Walk-forward optimisation: select on each training window, score on the next test window",
		`Select a configuration on each training window (--train days, rolling, or from
the first day with --anchored) with a plan (--plan, default the published
phased plan) or a search method (--method, --budget, --space), score the
selection on the --test days that follow (warm: fits and the regime model see
all the data before), and roll on by --test days. --score-from/--score-to
bound the test windows. Prints each fold, then the chained out-of-sample run
beside the mean in-sample score and the BTC+ETH benchmark on the same days.
Every trial lands in the ledger with its training window.`,
		`  gem walkforward --data ../shared/data/binance_spot_1d_panel_merged.csv.gz --train 730 --test 180 --score-from 2021-01-01`)
	cmd.PreRunE = r.prepare(true)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		newMethod, _, err := search.Named(plan, method, spaceArg, seed, r.base.Params)
		if err != nil {
			return err
		}
		if method == "" {
			budget = 0 // a plan runs whole
		}
		pool, desc, err := r.open(cmd)
		if err != nil {
			return err
		}
		defer pool.Close()
		out, mode := cmd.OutOrStdout(), map[bool]string{false: "rolling", true: "anchored"}[anchored]
		fmt.Fprintf(out, "%s\n%s, %s fills, %s, %s training windows of %d days, test windows of %d days\n", desc, r.base.Strategy, r.base.Fill, render.Changes(r.base.Params), mode, train, test)
		wf := &trial.WalkForward{Pool: pool, Base: r.base, Method: newMethod, Budget: budget, Batch: batch, Train: train, Test: test, Anchored: anchored,
			From: r.strat.win.From, To: r.strat.win.To, OnFold: func(f trial.Fold) { render.Fold(out, f) }}
		res, err := wf.Run(cmd.Context())
		if err != nil {
			return err
		}
		render.WalkForward(out, res, pool.Env.Panel)
		return nil
	}
	r.register(cmd.Flags())
	cmd.Flags().IntVar(&train, "train", 730, "days of each training window")
	cmd.Flags().IntVar(&test, "test", 180, "days of each test window")
	cmd.Flags().BoolVar(&anchored, "anchored", false, "training windows all start at the data's first day")
	cmd.Flags().StringVar(&plan, "plan", "phased", `the plan that selects on each training window: "phased" or a plan file`)
	cmd.Flags().StringVar(&method, "method", "", "select with this search method instead of the plan (random, qmc, tpe, cmaes, gp, policy)")
	cmd.Flags().StringVar(&spaceArg, "space", "plan", `with --method: "plan", "all" or a space file`)
	cmd.Flags().IntVar(&budget, "budget", 100, "with --method: evaluations per training window")
	cmd.Flags().IntVar(&batch, "batch", 8, "configurations proposed at once")
	cmd.Flags().Uint64Var(&seed, "search-seed", 1, "with --method: the search's seed")
	return cmd
}
