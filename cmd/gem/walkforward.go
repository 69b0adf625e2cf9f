package main

import (
	"fmt"
	"math"
	"runtime"

	"github.com/spf13/cobra"

	"gem/ledger"
	"gem/search"
	"gem/strategy"
	"gem/trial"
)

func newWalkForwardCmd() *cobra.Command {
	var data dataFlags
	var strat strategyFlags
	var lf ledgerFlags
	var plan, method, spaceArg string
	var train, test, budget, batch, workers int
	var anchored bool
	var seed uint64
	cmd := &cobra.Command{
		Use:   "walkforward",
		Short: "Walk-forward optimisation: select on each training window, score on the next test window",
		Long: `Select a configuration on each training window (--train days, rolling, or from
the first day with --anchored) with a plan (--plan, default the published
phased plan) or a search method (--method, --budget, --space), score the
selection on the --test days that follow (warm: fits and the regime model see
all the data before), and roll on by --test days. --score-from/--score-to
bound the test windows. Prints each fold, then the chained out-of-sample run
beside the mean in-sample score and the BTC+ETH benchmark on the same days.
Every trial lands in the ledger with its training window.`,
		Example: `  gem walkforward --data ../shared/data/binance_spot_1d_panel_merged.csv.gz --train 730 --test 180 --score-from 2021-01-01`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !cmd.Flags().Changed("strategy") {
				strat.name = "ensemble"
			}
			if err := checkWorkers(workers); err != nil {
				return err
			}
			cfg, fill, err := strat.config()
			if err != nil {
				return err
			}
			base := strat.spec(cfg, fill)
			pl := search.PhasedPlan()
			if plan != "phased" {
				if pl, err = search.LoadPlan(plan); err != nil {
					return err
				}
			}
			newMethod := func() (search.Method, error) { return search.NewPhased(pl, base.Params) }
			perWindow := 0 // a plan runs whole
			if method != "" {
				sp, err := searchSpace(spaceArg, pl, base.Params)
				if err != nil {
					return err
				}
				if _, err := search.NewMethod(method, sp, seed); err != nil {
					return err
				}
				newMethod = func() (search.Method, error) { return search.NewMethod(method, sp, seed) }
				perWindow = budget
			} else if _, err := newMethod(); err != nil {
				return err
			}
			pool, desc, err := openPool(cmd.Context(), cmd.ErrOrStderr(), &data, &lf, workers, "walkforward")
			if err != nil {
				return err
			}
			defer pool.Ledger.Close()
			if err := checkData(cfg, pool.Env.Panel); err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			mode := "rolling"
			if anchored {
				mode = "anchored"
			}
			fmt.Fprintf(out, "%s\n%s, %s fills, %s, %s training windows of %d days, test windows of %d days\n", desc, cfg.Name(), fill, describeChanges(base.Params), mode, train, test)
			wf := &trial.WalkForward{Pool: pool, Base: base, Method: newMethod, Budget: perWindow, Batch: batch, Train: train, Test: test, Anchored: anchored,
				From: strat.win.From, To: strat.win.To, OnFold: func(f trial.Fold) {
					o := f.OutOfSample
					fmt.Fprintf(out, "fold train %s test %s: %d tried, in-sample %s, out-of-sample %s (ann %.2f%%, dd %.2f%%): %s\n", f.Train, f.Test, f.Tried,
						ledger.FormatFloat(f.InSample), ledger.FormatFloat(o.Score), o.Base.AnnualizedReturnPct, o.Base.MaxDrawdownPct, label(f.Best.Params))
				}}
			res, err := wf.Run(cmd.Context())
			if err != nil {
				return err
			}
			mean, finite := 0.0, 0
			for _, f := range res.Folds {
				if !math.IsInf(f.InSample, 0) {
					mean += f.InSample
					finite++
				}
			}
			mean /= float64(max(finite, 1))
			o, b := res.OOS, res.Benchmark
			fmt.Fprintf(out, "\nout-of-sample (chained, %d days)  score %s  ann %.2f%%  dd %.2f%%  sharpe %.3f\n", len(o.BaseRun.Values), ledger.FormatFloat(o.Score), o.Base.AnnualizedReturnPct, o.Base.MaxDrawdownPct, o.Base.SharpeRatio)
			fmt.Fprintf(out, "in-sample (mean of the folds' best)  score %s  (%d of %d folds' best rejected)\n", ledger.FormatFloat(mean), len(res.Folds)-finite, len(res.Folds))
			fmt.Fprintf(out, "benchmark %s, same days  score %s  ann %.2f%%  dd %.2f%%\n", strategy.BenchmarkBasket(pool.Env.Panel), ledger.FormatFloat(b.Score), b.Base.AnnualizedReturnPct, b.Base.MaxDrawdownPct)
			return nil
		},
	}
	data.register(cmd.Flags())
	strat.register(cmd.Flags())
	cmd.Flags().IntVar(&train, "train", 730, "days of each training window")
	cmd.Flags().IntVar(&test, "test", 180, "days of each test window")
	cmd.Flags().BoolVar(&anchored, "anchored", false, "training windows all start at the data's first day")
	cmd.Flags().StringVar(&plan, "plan", "phased", `the plan that selects on each training window: "phased" or a plan file`)
	cmd.Flags().StringVar(&method, "method", "", "select with this search method instead of the plan (random, qmc, tpe, cmaes, gp, policy)")
	cmd.Flags().StringVar(&spaceArg, "space", "plan", `with --method: "plan", "all" or a space file`)
	cmd.Flags().IntVar(&budget, "budget", 100, "with --method: evaluations per training window")
	cmd.Flags().IntVar(&batch, "batch", 8, "configurations proposed at once")
	cmd.Flags().Uint64Var(&seed, "search-seed", 1, "with --method: the search's seed")
	cmd.Flags().IntVar(&workers, "workers", runtime.NumCPU(), "parallel evaluations (at least 1)")
	lf.register(cmd.Flags())
	return cmd
}
