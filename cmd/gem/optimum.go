package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"gem/ledger"
	"gem/search"
	"gem/space"
	"gem/trial"
)

func newOptimumCmd() *cobra.Command {
	var data dataFlags
	var strat strategyFlags
	var lf ledgerFlags
	var bf blockFlags
	var workers int
	cmd := &cobra.Command{
		Use:   "optimum",
		Short: "Find the exact best configuration of a block of the phased plan's joint space",
		Long: `Evaluate every configuration of a block of the phased plan's joint space and
print the best: the true optimum on the block, against which a search's regret
(optimum − best found) is measured (gem search --compare).

--block names the plan's groups whose parameters span the block (bull, bear,
ranging: top_n × r2_threshold × rebalance_cooldown, 36 values each; hmm: 48);
the default bull,bear is 1,296 configurations. Every other parameter stays at
the phased sweep's winner (--fix phased, the sweep run first) or at the
defaults and --set values (--fix defaults). Each configuration is a direct
evaluation (the runtime's warm caches shared), recorded in the ledger, so
--resume reuses them.`,
		Example: `  gem optimum --data ../shared/golden/majors_2022_2023.csv --fix defaults --block bull
  gem optimum --data ../shared/data/binance_spot_1d_panel_merged.csv.gz --score-from 2021-01-01 --score-to 2024-12-31`,
		Args: cobra.NoArgs,
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
			pool, desc, err := openPool(cmd.Context(), cmd.ErrOrStderr(), &data, &lf, workers, "optimum")
			if err != nil {
				return err
			}
			defer pool.Ledger.Close()
			if err := checkData(cfg, pool.Env.Panel); err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "%s\n%s, %s fills%s\n", desc, cfg.Name(), fill, describeWindow(pool.Env.Panel, strat.win))
			start := time.Now()
			b, err := bf.exhaust(cmd.Context(), out, pool, strat.spec(cfg, fill))
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "Optimum: %s score=%s\n", b.best.Changes(), ledger.FormatFloat(b.optimum))
			fmt.Fprintf(out, "Done. %d configurations of the block (%s, others fixed at %s) in %.1fs\n", len(b.table), strings.Join(bf.groups, " × "), bf.fix, time.Since(start).Seconds())
			return nil
		},
	}
	cmd.AddCommand(newOptimumServeCmd())
	data.register(cmd.Flags())
	strat.register(cmd.Flags())
	bf.register(cmd.Flags())
	cmd.Flags().IntVar(&workers, "workers", runtime.NumCPU(), "parallel evaluations (at least 1)")
	lf.register(cmd.Flags())
	return cmd
}

// blockFlags choose a block of the phased plan's joint space.
type blockFlags struct {
	groups []string
	fix    string
}

func (f *blockFlags) register(fs *pflag.FlagSet) {
	fs.StringSliceVar(&f.groups, "block", []string{"bull", "bear"}, "the phased plan's groups spanning the block: bull, bear, ranging, hmm")
	fs.StringVar(&f.fix, "fix", "phased", `the parameters outside the block: "phased" (at the phased sweep's winner, run first) or "defaults" (the defaults and --set values)`)
}

// block is an exhaustively evaluated block: its plan (the phased plan
// restricted to it), the full assignment the block's values overlay, its
// space, every configuration's score by its full assignment's text, and the
// best of them (the first among equals, in grid order).
type block struct {
	strategy string
	plan     search.Plan
	base     space.Assignment
	space    *space.Space
	table    map[string]float64
	best     space.Assignment
	optimum  float64
}

// groupNames are the groups of the phased plan a block may name.
var groupNames = []string{"hmm", "bull", "bear", "ranging"}

// exhaust fixes the parameters outside the block (running the phased sweep
// first for --fix phased) and evaluates every configuration of the block
// through pool, around spec.
func (f *blockFlags) exhaust(ctx context.Context, out io.Writer, pool *trial.Pool, spec trial.Spec) (*block, error) {
	if len(f.groups) == 0 {
		return nil, fmt.Errorf("--block names no group (want some of %s)", strings.Join(groupNames, ", "))
	}
	for _, g := range f.groups {
		if !slices.Contains(groupNames, g) {
			return nil, fmt.Errorf("--block: unknown group %q (want some of %s)", g, strings.Join(groupNames, ", "))
		}
	}
	full := search.PhasedPlan()
	b := &block{strategy: spec.Strategy, base: spec.Params, table: map[string]float64{}, optimum: math.Inf(-1)}
	switch f.fix {
	case "defaults":
	case "phased":
		m, err := search.NewPhased(full, spec.Params)
		if err != nil {
			return nil, err
		}
		s := &trial.Search{Pool: pool, Strategy: spec.Strategy, Fill: spec.Fill, Base: spec.Params, Window: spec.Window}
		if err := s.Run(ctx, m, 0, 64); err != nil {
			return nil, err
		}
		b.base = m.Best()
		fmt.Fprintf(out, "Phased sweep: %d configurations, winner %s score=%s\n", s.Count, b.base.Changes(), ledger.FormatFloat(s.Best.Score()))
	default:
		return nil, fmt.Errorf("--fix %q: want phased or defaults", f.fix)
	}
	b.plan = full.Restrict(func(name string) bool {
		g, _, _ := strings.Cut(name, ".")
		return slices.Contains(f.groups, g)
	})
	var err error
	if b.space, err = b.plan.Space(b.base); err != nil {
		return nil, err
	}
	g, err := search.NewGrid(b.space)
	if err != nil {
		return nil, err
	}
	s := &trial.Search{Pool: pool, Strategy: spec.Strategy, Fill: spec.Fill, Base: b.base, Window: spec.Window,
		OnTrial: func(sp trial.Spec, r *trial.Result) {
			b.table[sp.Params.String()] = r.Score()
			if b.best.Space() == nil || r.Score() > b.optimum {
				b.best, b.optimum = sp.Params, r.Score()
			}
		}}
	if err := s.Run(ctx, g, 0, 256); err != nil {
		return nil, err
	}
	return b, nil
}

// score is the recorded score of an assignment of a method on the block
// (of the block's space, or a full assignment), an error when it is outside
// the block.
func (b *block) score(a space.Assignment) (float64, error) {
	full, err := b.base.Overlay(a)
	if err != nil {
		return 0, err
	}
	v, ok := b.table[full.String()]
	if !ok {
		return 0, fmt.Errorf("%s is outside the block", full.Changes())
	}
	return v, nil
}
