package main

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"gem/render"
	"gem/strategy"
	"gem/trial"
)

func newEvalCmd() *cobra.Command {
	return evalCommand("eval", "Score one configuration and print its metrics",
		`Evaluate one strategy configuration: a base backtest (fee 0.30% per side)
and a stress backtest (fee x1.5), both from 10,000 of capital. Prints the score
and both runs' metrics (for the ensemble also its regimes and the BTC+ETH
benchmark), and appends one row to the ledger.`,
		`  gem eval
  gem eval --data ../shared/golden/safehaven_2022.csv --strategy specialist --fill reference --json
  gem eval --strategy specialist --set top_n=3 --set fit_window=60
  gem eval --set bull.top_n=20 --set hmm.hard_switch_threshold=0.7`)
}

func newRunCmd() *cobra.Command {
	cmd := evalCommand("run", "Run the full GEM ensemble at its defaults (the main job)",
		`Run gem's main job: gem eval of the full GEM stack (bull, bear and ranging
specialists gated by an HMM regime detector, a meta-allocator and risk-off
gates) at its defaults, on --data or on the synthetic universe.`,
		`  gem run
  gem run --data ../shared/data/binance_spot_1d_panel_merged.csv.gz
  gem run --set hmm.emission=student_t`)
	cmd.Flags().MarkHidden("strategy")
	return cmd
}

// jsonScore is a score in JSON: −Inf as null.
type jsonScore = render.Score

// evalCommand builds eval and run, which differ only in their words.
func evalCommand(use, short, long, example string) *cobra.Command {
	r := runFlags{workers: runtime.NumCPU()}
	var asJSON, stdin bool
	var baseline string
	cmd := command(use, short, long, example)
	cmd.PreRunE = func(cmd *cobra.Command, args []string) error {
		if use == "run" {
			r.strat.name = "ensemble"
		}
		return r.prepare(false)(cmd, args)
	}
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		spec := r.base
		if baseline != "" {
			var err error
			if r.cfg, err = baselineConfig(r.lf.path, baseline, r.cfg.Name()); err != nil {
				return err
			}
			spec = r.strat.spec(r.cfg, spec.Fill)
		}
		pool, desc, err := r.open(cmd)
		if err != nil {
			return err
		}
		defer pool.Close()
		pool.Observer = nil // a trial or a few: no progress
		ctx, env := cmd.Context(), pool.Env
		if err := r.strat.attachBook(env); err != nil {
			return err
		}
		out := render.Printer{W: cmd.OutOrStdout(), JSON: asJSON, Desc: desc, Panel: env.Panel}
		if r.seeds > 0 {
			res, err := pool.Seeds(ctx, spec, r.seeds)
			if err != nil {
				return err
			}
			return out.Seeds(spec, res)
		}
		bench, err := trial.Beside(ctx, env, spec)
		if err != nil {
			return err
		}
		if stdin {
			return render.EvalLines(ctx, cmd.InOrStdin(), out.W, env, spec, pool.Ledger, bench)
		}
		res, err := pool.Collect(ctx, []trial.Spec{spec})
		if err != nil {
			return err
		}
		return out.Eval(spec, res[0], bench)
	}
	r.data.register(cmd.Flags())
	r.strat.register(cmd.Flags())
	cmd.Flags().StringVar(&r.lf.path, "ledger", "results/ledger.tsv", `ledger file to append the trial to ("-" for none)`)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object instead of the table")
	cmd.Flags().StringVar(&baseline, "baseline", "", "evaluate the session's starting configuration instead: the parameters of the strategy's first ledger trial at or after this time (RFC 3339 or YYYY-MM-DD), exactly as recorded, whatever today's defaults; --set is ignored, the window flags apply")
	cmd.Flags().BoolVar(&stdin, "stdin", false, `read one JSON object of parameters per line (e.g. {"bull.top_n": 15}; the rest at the defaults and --set values) and write one JSON result per line, in order, the data loaded once`)
	cmd.Flags().IntVar(&r.seeds, "seeds", 0, seedsUsage)
	return cmd
}

// baselineConfig is the configuration of the first trial of strategy name
// in the ledger at path recorded at or after since (trial.Baseline).
func baselineConfig(path, since, name string) (strategy.Config, error) {
	t, err := parseSince(since)
	if err != nil {
		return nil, err
	}
	c, ok, err := trial.Baseline(path, t, name)
	if err == nil && !ok {
		err = fmt.Errorf("--baseline: %s has no %s trial at or after %s", path, name, since)
	}
	return c, err
}
