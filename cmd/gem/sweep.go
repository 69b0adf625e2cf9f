package main

import (
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"gem/harness"
	"gem/ledger"
	"gem/search"
	"gem/space"
	"gem/strategy"
	"gem/trial"
)

// planBatch is how many of a plan's configurations are handed to the pool at
// once: enough to keep every worker busy, few enough that a huge phase is
// streamed. What a plan proposes does not depend on it.
const planBatch = 4096

func newSweepCmd() *cobra.Command {
	var data dataFlags
	var strat strategyFlags
	var lf ledgerFlags
	var param, values, plan string
	var workers int
	var dryRun bool
	var dist distFlags
	var seeds seedFlags
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

Prints one line per configuration in order (the parameters that differ from
the defaults, the score and the main metrics), each phase's winner, then
lines starting "Best:" (the best so far) and "Done."; appends one ledger row
per configuration. Configurations run in parallel; what is printed and
recorded does not depend on --workers. A plan is checked and counted before
anything runs (a parameter named twice, a repeated value or more than 10
million configurations is refused). Interrupt (Ctrl-C) stops after the
configurations in flight (exit 130); --resume skips configurations already in
the ledger with the same harness and data.`,
		Example: `  gem sweep --strategy specialist --param top_n --values 1,3,5,10
  gem sweep --plan phased --dry-run
  gem sweep --plan phased --data ../shared/data/binance_spot_1d_panel_merged.csv.gz
  gem sweep --plan myplan.yaml --resume`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if plan != "" && !cmd.Flags().Changed("strategy") {
				strat.name = "ensemble"
			}
			if err := checkWorkers(workers); err != nil {
				return err
			}
			cfg, fill, err := strat.config()
			if err != nil {
				return err
			}
			base := strategy.Assign(cfg)
			var pl search.Plan
			switch {
			case plan == "phased":
				pl = search.PhasedPlan()
			case plan != "":
				if pl, err = search.LoadPlan(plan); err != nil {
					return err
				}
			case param == "" || values == "":
				return fmt.Errorf("sweep needs --param NAME and --values v1,v2,... or --plan (gem params lists the parameters)")
			default:
				var vals []any
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
			pool, desc, err := openPool(cmd.Context(), cmd.ErrOrStderr(), &data, &lf, workers, "sweep")
			if err != nil {
				return err
			}
			defer pool.Close()
			if err := checkData(cfg, pool.Env.Panel); err != nil {
				return err
			}
			fmt.Fprintf(out, "%s\n%s, %s fills, %s%s, %d phase(s), about %d configurations, %d workers\n", desc, cfg.Name(), fill, describeChanges(base), describeWindow(pool.Env.Panel, strat.win), len(pl.Phases), total, workers)
			start := time.Now()
			if dist.enabled() {
				stop, err := dist.start(cmd.Context(), cmd.ErrOrStderr(), pool, workers)
				if err != nil {
					return err
				}
				defer stop()
			}
			m, err := search.NewPhased(pl, base)
			if err != nil {
				return err
			}
			multi := len(pl.Phases) > 1
			if multi {
				m.OnPhase = func(name string, n int) { fmt.Fprintf(out, "Phase %s: %d configurations\n", name, n) }
				m.OnResult = func(res search.PhaseResult) {
					fmt.Fprintf(out, "Phase %s winner: %s score=%s (%d configurations)\n", res.Phase, label(res.Winner), ledger.FormatFloat(res.Score), res.Tried)
				}
			}
			var show []string
			if !multi {
				for _, prm := range pl.Phases[0].Params {
					show = append(show, prm.Name)
				}
			}
			s := newSearch(out, pool, strat.spec(cfg, fill), seeds.k, show...)
			runErr := s.Run(cmd.Context(), m, 0, planBatch)
			finish(out, s, start, runErr == nil, show...)
			return runErr
		},
	}
	data.register(cmd.Flags())
	strat.register(cmd.Flags())
	cmd.Flags().StringVar(&param, "param", "", "parameter to sweep")
	cmd.Flags().StringVar(&values, "values", "", "comma-separated values to try")
	cmd.Flags().StringVar(&plan, "plan", "", `"phased" for the built-in published plan, or a plan file (JSON or YAML); the strategy defaults to ensemble`)
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "list the configurations without running them")
	cmd.Flags().IntVar(&workers, "workers", runtime.NumCPU(), "parallel evaluations (at least 1)")
	dist.register(cmd.Flags())
	lf.register(cmd.Flags())
	seeds.register(cmd.Flags())
	return cmd
}

// newSearch returns a search through pool around base that prints each trial
// on its own line, naming the parameters in show; with seeds > 0 it
// evaluates each configuration under that many regime-model seeds, prints
// one line per configuration with the spread of its scores and ranks by the
// median.
func newSearch(out io.Writer, pool *trial.Pool, base trial.Spec, seeds int, show ...string) *trial.Search {
	s := &trial.Search{Pool: pool, Strategy: base.Strategy, Fill: base.Fill, Base: base.Params, Window: base.Window, Seeds: seeds}
	if seeds > 0 {
		s.OnSeeds = func(sp trial.Spec, spread trial.Spread) {
			fmt.Fprintf(out, "%s  %s\n", label(sp.Params, show...), spread)
		}
	} else {
		s.OnTrial = func(sp trial.Spec, r *trial.Result) { printTrialLine(out, label(sp.Params, show...), r) }
	}
	return s
}

// finish prints the best so far and, when the run completed, the summary.
func finish(out io.Writer, s *trial.Search, start time.Time, complete bool, show ...string) {
	if s.Best != nil {
		what := "score"
		if s.Seeds > 0 {
			what = fmt.Sprintf("median_score_over_%d_seeds", s.Seeds)
		}
		fmt.Fprintf(out, "Best: %s %s=%s\n", label(s.BestSpec.Params, show...), what, ledger.FormatFloat(s.BestScore))
	}
	if complete {
		fmt.Fprintf(out, "Done. %d configurations (%d not run again: already in the ledger or earlier in this run) in %.1fs\n", s.Count, s.Resumed, time.Since(start).Seconds())
	}
}

// label is a configuration as the parameters named in show (whatever their
// values), then its other changes from the strategy's defaults.
func label(a space.Assignment, show ...string) string {
	var parts []string
	for _, n := range show {
		if v, ok := a.Text(n); ok {
			parts = append(parts, n+"="+v)
		}
	}
	d := a.Defaults()
	for i := range a.Space().Len() {
		p := a.Space().Param(i)
		if !slices.Contains(show, p.Name) && !p.Equal(a.Value(i), d.Value(i)) {
			parts = append(parts, p.Name+"="+p.Format(a.Value(i)))
		}
	}
	if len(parts) == 0 {
		return "defaults"
	}
	return strings.Join(parts, " ")
}

// describeWindow says which days are scored, when not all of them.
func describeWindow(p *harness.Panel, w trial.Window) string {
	if w == (trial.Window{}) {
		return ""
	}
	d, err := w.Days(p)
	if err != nil {
		return ", scoring window " + w.String()
	}
	return fmt.Sprintf(", scored on %s..%s after %d days of warm-up", p.Dates[d.From], p.Dates[d.To-1], d.From)
}

// describeChanges says which parameters differ from the defaults.
func describeChanges(a space.Assignment) string {
	if c := a.Changes(); c != "" {
		return "defaults except " + c
	}
	return "default parameters"
}

// printTrialLine prints one trial on one line.
func printTrialLine(w io.Writer, label string, r *trial.Result) {
	b := r.Row.Base
	score := ledger.FormatFloat(r.Row.Score)
	if !math.IsInf(r.Row.Score, 0) {
		score = fmt.Sprintf("%.6f", r.Row.Score)
	}
	from := ""
	if r.Resumed {
		from = "  (already evaluated)"
	}
	fmt.Fprintf(w, "%s  score=%s  ann=%.2f%%  dd=%.2f%%  calmar=%.3f  sharpe=%.3f  rebalances=%d%s\n",
		label, score, b.AnnualizedReturnPct, b.MaxDrawdownPct, b.CalmarRatio, b.SharpeRatio, b.RebalanceCount, from)
}

// printPlan lists a plan's phases and configurations without running them,
// streamed: each grid configuration as its phase's parameters in the plan's
// order, each one-at-a-time configuration as its change from the baseline.
// Later phases are shown around the starting baseline; when run, they start
// from the earlier phases' winners.
func printPlan(w io.Writer, pl search.Plan, base space.Assignment) error {
	total, cur := 0, ""
	err := pl.Each(base, func(ph search.PhaseInfo, a space.Assignment) bool {
		if ph.Name != cur {
			cur = ph.Name
			mode, size, around := "grid", fmt.Sprint(ph.Size), "the defaults and --set values"
			if !ph.Grid {
				mode, size = "one_at_a_time", fmt.Sprintf("at most %d", ph.Size)
			}
			if total > 0 {
				around = "the winners of the earlier phases"
			}
			fmt.Fprintf(w, "Phase %s (%s): %s configurations around %s\n", ph.Name, mode, size, around)
		}
		var parts []string
		if ph.Grid {
			for _, n := range ph.Params {
				v, _ := a.Text(n)
				parts = append(parts, n+"="+v)
			}
		} else if d := a.Diff(base); d != "" {
			parts = append(parts, d)
		} else {
			parts = append(parts, "baseline")
		}
		fmt.Fprintf(w, "  %s\n", strings.Join(parts, " "))
		total++
		return true
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Total: %d configurations\n", total)
	return nil
}
