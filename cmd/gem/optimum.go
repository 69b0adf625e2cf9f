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
	"github.com/spf13/pflag"

	"gem/ledger"
	"gem/optimum"
	"gem/progress"
	"gem/search"
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
		Long: `Score every configuration of a block of the phased plan's joint space (--block:
the plan's groups bull, bear, ranging (36 settings each) and hmm (48); all four
are the whole space, 2,239,488) and print the best, against which gem search
--compare measures regret. Outside the block, parameters stay at the phased
sweep's winner (--fix phased, run first) or the defaults and --set values.
Each configuration is replayed from recorded regime series and books (package
optimum); the optimum is evaluated directly into the ledger and must agree.`,
		Example: `  gem optimum --data ../shared/golden/majors_2022_2023.csv --fix defaults --block bull
  gem optimum --data ../shared/data/binance_spot_1d_panel_merged.csv.gz --score-from 2021-01-01 --score-to 2024-12-31`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, out := cmd.Context(), cmd.OutOrStdout()
			start := time.Now()
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
			pool, desc, err := openPool(ctx, cmd.ErrOrStderr(), &data, &lf, workers, "optimum")
			if err != nil {
				return err
			}
			defer pool.Ledger.Close()
			if err := checkData(cfg, pool.Env.Panel); err != nil {
				return err
			}
			fmt.Fprintf(out, "%s\n%s, %s fills%s\n", desc, cfg.Name(), fill, describeWindow(pool.Env.Panel, strat.win))
			spec := strat.spec(cfg, fill)
			r, _, err := bf.replay(ctx, out, pool, spec)
			if err != nil {
				return err
			}
			n := r.Block().Size()
			replayed := time.Now()
			bar := progress.NewCounter(ctx, "optimum", n)
			best, err := r.Best(ctx, workers, bar.Add)
			bar.Stop()
			if err != nil {
				return err
			}
			if best.Eval == nil {
				return fmt.Errorf("every configuration of the block is rejected")
			}
			spec.Params = r.Block().Config(best.Index)
			d := math.NaN()
			if err := pool.Run(ctx, []trial.Spec{spec}, func(_ int, r *trial.Result) { d = r.Score() }); err != nil {
				return err
			}
			if math.Float64bits(d) != math.Float64bits(best.Eval.Score) {
				return fmt.Errorf("the optimum scores %v replayed but %v directly", best.Eval.Score, d)
			}
			fmt.Fprintf(out, "Optimum: %s score=%s (the direct evaluation agrees)\n", spec.Params.Changes(), ledger.FormatFloat(best.Eval.Score))
			fmt.Fprintf(out, "Done. %d configurations of the block (%s, others fixed at %s; %d stress runs) in %.1fs, the block's replay %.1fs\n", n, strings.Join(bf.groups, " × "), bf.fix, best.Full, time.Since(start).Seconds(), time.Since(replayed).Seconds())
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

// replay fixes the parameters outside the block (running the phased sweep
// through pool for --fix phased) and records the block's tape; it returns
// the block's plan too.
func (f *blockFlags) replay(ctx context.Context, out io.Writer, pool *trial.Pool, spec trial.Spec) (*optimum.Replay, search.Plan, error) {
	if f.fix != "phased" && f.fix != "defaults" {
		return nil, search.Plan{}, fmt.Errorf("--fix %q: want phased or defaults", f.fix)
	}
	if _, _, err := optimum.PlanBlock(spec.Params, f.groups); err != nil {
		return nil, search.Plan{}, fmt.Errorf("--block: %w", err)
	}
	if f.fix == "phased" {
		w, n, s, err := optimum.PhasedWinner(ctx, pool, spec)
		if err != nil {
			return nil, search.Plan{}, err
		}
		spec.Params = w
		fmt.Fprintf(out, "Phased sweep: %d configurations, winner %s score=%s\n", n, w.Changes(), ledger.FormatFloat(s))
	}
	b, plan, err := optimum.PlanBlock(spec.Params, f.groups)
	if err != nil {
		return nil, search.Plan{}, err
	}
	r, err := optimum.NewReplay(ctx, pool.Env, spec, b)
	return r, plan, err
}

func newOptimumServeCmd() *cobra.Command {
	var path string
	cmd := &cobra.Command{
		Use:    "serve",
		Short:  "Answer gem eval --stdin lines from a block's table of scores (for external optimisers in gem search --compare)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			t, err := optimum.ReadTableFile(path)
			if err != nil {
				return err
			}
			return t.Serve(cmd.InOrStdin(), cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVar(&path, "table", "", "the table file gem search --compare writes")
	return cmd
}
