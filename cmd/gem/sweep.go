package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"runtime"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"gem/ledger"
	"gem/search"
	"gem/strategy"
)

func newSweepCmd() *cobra.Command {
	var data dataFlags
	var strat strategyFlags
	var lf ledgerFlags
	var param, values, plan string
	var workers int
	var dryRun bool
	var distributed bool
	var natsURL, natsListen string
	cmd := &cobra.Command{
		Use:   "sweep",
		Short: "Sweep one parameter, or run a phased plan",
		Long: `Sweep one parameter over a list of values (--param, --values), every other
parameter at its default or --set value; or run a phased plan (--plan phased,
or a plan file in JSON or YAML): each phase evaluates a grid, or one-at-a-time
variations, around the current baseline and locks its winner in before the
next phase.

The built-in phased plan is the published one for the ensemble: phase 1 the
HMM (refit_interval x hard_switch_threshold x min_observations, 48
configurations), then each specialist's top_n x r2_threshold x
rebalance_cooldown (36 each, one specialist at a time), then verification of
the combined winners, each specialist parameter varied alone.

Prints one line per candidate in order, each phase's winner, then lines
starting "Best:" and "Done."; appends one ledger row per configuration.
Candidates run in parallel; what is printed and recorded does not depend on
--workers. Interrupt (Ctrl-C) stops after the candidates in flight; --resume
skips configurations already in the ledger with the same harness and data.`,
		Example: `  gem sweep --strategy specialist --param top_n --values 1,3,5,10
  gem sweep --plan phased --dry-run
  gem sweep --plan phased --data ../shared/data/binance_spot_1d_panel_merged.csv.gz
  gem sweep --plan myplan.yaml --resume`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if plan != "" && !cmd.Flags().Changed("strategy") {
				strat.name = "ensemble"
			}
			base, fill, err := strat.config()
			if err != nil {
				return err
			}
			var pl search.Plan
			switch {
			case plan == "phased":
				pl = search.PhasedPlan()
			case plan != "":
				if pl, err = search.LoadPlan(plan); err != nil {
					return err
				}
			case param == "" || values == "":
				return fmt.Errorf("sweep needs --param NAME and --values v1,v2,... or --plan; parameters: %s", strings.Join(strategy.ParamNames(base.Params()), ", "))
			default:
				vals := make([]any, 0)
				for _, v := range strings.Split(values, ",") {
					vals = append(vals, strings.TrimSpace(v))
				}
				pl = search.Plan{Phases: []search.Phase{{Name: param, Mode: "grid", Params: []search.Param{{Name: param, Values: vals}}}}}
			}
			total, err := pl.Size(base) // checks every phase before anything runs
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if dryRun {
				return printPlan(out, pl, base)
			}
			pool, desc, err := openPool(cmd.ErrOrStderr(), &data, &lf, fill, workers, "sweep")
			if err != nil {
				return err
			}
			defer pool.ledger.Close()
			fmt.Fprintf(out, "%s\n%s, %s fills, %d phase(s), about %d configurations, %d workers\n", desc, base.Name(), fill, len(pl.Phases), total, workers)
			start := time.Now()
			if distributed || natsURL != "" {
				stop, err := pool.distribute(cmd.Context(), cmd.ErrOrStderr(), natsURL, natsListen)
				if err != nil {
					return err
				}
				defer stop()
			}
			r := &sweepRun{out: out, pool: pool, multi: len(pl.Phases) > 1}
			best, runErr := pl.Run(cmd.Context(), base, r.evaluate, func(res search.PhaseResult) {
				if r.multi {
					fmt.Fprintf(out, "Phase %s winner: %s score=%s (%d configurations)\n", res.Phase, res.Winner.Label, ledger.FormatFloat(res.Score), res.Tried)
				}
			})
			if r.best != nil {
				label := r.bestLabel
				if r.multi {
					label = changedParams(best, base)
				}
				fmt.Fprintf(out, "Best: %s score=%s\n", label, ledger.FormatFloat(r.best.score()))
			}
			if runErr != nil {
				return runErr
			}
			fmt.Fprintf(out, "Done. %d configurations (%d not run again: already in the ledger or earlier in this plan) in %.1fs\n", r.count, r.resumed, time.Since(start).Seconds())
			return nil
		},
	}
	data.register(cmd.Flags())
	strat.register(cmd.Flags())
	cmd.Flags().StringVar(&param, "param", "", "parameter to sweep")
	cmd.Flags().StringVar(&values, "values", "", "comma-separated values to try")
	cmd.Flags().StringVar(&plan, "plan", "", `"phased" for the built-in published plan, or a plan file (JSON or YAML); the strategy defaults to ensemble`)
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "list the configurations without running them")
	cmd.Flags().IntVar(&workers, "workers", runtime.NumCPU(), "parallel evaluations")
	cmd.Flags().BoolVar(&distributed, "distributed", false, "share the candidates with gem workers on other machines through an embedded NATS server (its URL is printed on stderr); --workers local workers take part too")
	cmd.Flags().StringVar(&natsListen, "nats-listen", "", "address of the embedded NATS server, HOST:PORT (default: 127.0.0.1, a random port)")
	cmd.Flags().StringVar(&natsURL, "nats", "", "distribute through this NATS server (nats://HOST:PORT) instead of an embedded one")
	cmd.Flags().StringVar(&lf.path, "ledger", "results/ledger.tsv", `ledger file ("-" for none)`)
	cmd.Flags().BoolVar(&lf.resume, "resume", false, "skip configurations already in the ledger (same harness and data)")
	return cmd
}

// sweepRun evaluates a plan's phases through the pool and prints each trial.
type sweepRun struct {
	out       io.Writer
	pool      *pool
	multi     bool
	best      *trial
	bestLabel string
	count     int
	resumed   int
}

func (r *sweepRun) evaluate(ctx context.Context, phase string, cands []search.Candidate) ([]float64, error) {
	if r.multi {
		fmt.Fprintf(r.out, "Phase %s: %d configurations\n", phase, len(cands))
	}
	trials := make([]*trial, len(cands))
	for i, c := range cands {
		trials[i] = &trial{cfg: c.Config}
	}
	scores := make([]float64, len(cands))
	err := r.pool.run(ctx, trials, func(i int, t *trial) {
		scores[i] = t.score()
		r.count++
		if t.resumed {
			r.resumed++
		}
		printTrialLine(r.out, cands[i].Label, t)
		if r.best == nil || t.score() > r.best.score() {
			r.best, r.bestLabel = t, cands[i].Label
		}
	})
	// A configuration repeated in a later phase is not run again.
	for _, t := range trials {
		if t.eval != nil {
			r.pool.done[r.pool.key(t)] = t.row
		}
	}
	return scores, err
}

// printTrialLine prints one trial on one line.
func printTrialLine(w io.Writer, label string, t *trial) {
	b := t.row.Base
	score := ledger.FormatFloat(t.row.Score)
	if !math.IsInf(t.row.Score, 0) {
		score = fmt.Sprintf("%.6f", t.row.Score)
	}
	from := ""
	if t.resumed {
		from = "  (already evaluated)"
	}
	fmt.Fprintf(w, "%s  score=%s  ann=%.2f%%  dd=%.2f%%  calmar=%.3f  sharpe=%.3f  rebalances=%d%s\n",
		label, score, b.AnnualizedReturnPct, b.MaxDrawdownPct, b.CalmarRatio, b.SharpeRatio, b.RebalanceCount, from)
}

// printPlan lists a plan's phases and configurations without running them.
// Later phases are shown around the starting baseline; when run, they start
// from the earlier phases' winners.
func printPlan(w io.Writer, pl search.Plan, base strategy.Config) error {
	total := 0
	for i, ph := range pl.Phases {
		cands, err := ph.Expand(base)
		if err != nil {
			return err
		}
		around := "the defaults and --set values"
		if i > 0 {
			around = "the winners of the earlier phases"
		}
		fmt.Fprintf(w, "Phase %s (%s): %d configurations around %s\n", ph.Name, ph.Mode, len(cands), around)
		for _, c := range cands {
			fmt.Fprintf(w, "  %s\n", c.Label)
		}
		total += len(cands)
	}
	fmt.Fprintf(w, "Total: %d configurations\n", total)
	return nil
}

// describeChanges says which parameters of c differ from the defaults.
func describeChanges(c, defaults strategy.Config) string {
	if d := changedParams(c, defaults); d != "the baseline" {
		return "defaults except " + d
	}
	return "default parameters"
}

// changedParams lists the parameters of c that differ from base.
func changedParams(c, base strategy.Config) string {
	var diff []string
	for _, name := range strategy.ParamNames(c.Params()) {
		v, _ := strategy.GetParam(c.Params(), name)
		if w, _ := strategy.GetParam(base.Params(), name); v != w {
			diff = append(diff, name+"="+v)
		}
	}
	if len(diff) == 0 {
		return "the baseline"
	}
	return strings.Join(diff, " ")
}
