package main

import (
	"fmt"
	"io"
	"math"
	"runtime"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"gem/ledger"
	"gem/strategy"
)

func newSweepCmd() *cobra.Command {
	var data dataFlags
	var strat strategyFlags
	var lf ledgerFlags
	var param, values string
	var workers int
	cmd := &cobra.Command{
		Use:   "sweep",
		Short: "Evaluate one parameter at a time over a list of values",
		Long: `Sweep one parameter over a list of values, every other parameter at its
default or --set value. Prints one line per candidate in the order given, then
the best candidate, and appends one ledger row per candidate. Candidates run
in parallel; what is printed and recorded does not depend on --workers.
Interrupt (Ctrl-C) stops after the candidates in flight; --resume skips
candidates already in the ledger with the same harness and data.`,
		Example: `  gem sweep --param top_n --values 1,3,5,10
  gem sweep --data ../shared/golden/majors_2022_2023.csv --strategy specialist --fill reference --param rebalance_cooldown --values 3,7,14,21`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			base, fill, err := strat.config()
			if err != nil {
				return err
			}
			if param == "" || values == "" {
				return fmt.Errorf("sweep needs --param NAME and --values v1,v2,...; parameters: %s", strings.Join(strategy.ParamNames(base.Params()), ", "))
			}
			var trials []*trial
			for _, v := range strings.Split(values, ",") {
				c := base.Clone()
				if err := strategy.SetParam(c.Params(), param, v); err != nil {
					return err
				}
				if err := c.Validate(); err != nil {
					return fmt.Errorf("%s=%s: %w", param, v, err)
				}
				trials = append(trials, &trial{cfg: c})
			}
			p, desc, err := data.load()
			if err != nil {
				return err
			}
			lg, err := lf.open(cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			if lg != nil {
				defer lg.Close()
			}
			skip, err := lf.doneKeys()
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "%s\nsweeping %s over %s (%s, %s fills, %d workers)\n", desc, param, values, base.Name(), fill, workers)
			start := time.Now()
			pl := &pool{panel: p, fill: fill, cache: strategy.NewCache(), workers: workers, command: "sweep", ledger: lg, skip: skip}
			best, skipped := -1, 0
			runErr := pl.run(cmd.Context(), trials, func(i int, t *trial) {
				v, _ := strategy.GetParam(t.cfg.Params(), param)
				if t.eval == nil {
					skipped++
					fmt.Fprintf(out, "%s=%s  skipped (already in the ledger)\n", param, v)
					return
				}
				printTrialLine(out, param+"="+v, t)
				if best < 0 || t.eval.Score > trials[best].eval.Score {
					best = i
				}
			})
			if best >= 0 {
				v, _ := strategy.GetParam(trials[best].cfg.Params(), param)
				fmt.Fprintf(out, "Best: %s=%s score=%s\n", param, v, ledger.FormatFloat(trials[best].eval.Score))
			}
			if runErr != nil {
				return runErr
			}
			fmt.Fprintf(out, "Done. %d configurations (%d skipped) in %.1fs\n", len(trials), skipped, time.Since(start).Seconds())
			return nil
		},
	}
	data.register(cmd.Flags())
	strat.register(cmd.Flags())
	cmd.Flags().StringVar(&param, "param", "", "parameter to sweep")
	cmd.Flags().StringVar(&values, "values", "", "comma-separated values to try")
	cmd.Flags().IntVar(&workers, "workers", runtime.NumCPU(), "parallel evaluations")
	cmd.Flags().StringVar(&lf.path, "ledger", "results/ledger.tsv", `ledger file ("-" for none)`)
	cmd.Flags().BoolVar(&lf.resume, "resume", false, "skip configurations already in the ledger (same harness and data)")
	return cmd
}

// printTrialLine prints one evaluated trial on one line.
func printTrialLine(w io.Writer, label string, t *trial) {
	b := t.eval.Base
	score := ledger.FormatFloat(t.eval.Score)
	if !math.IsInf(t.eval.Score, 0) {
		score = fmt.Sprintf("%.6f", t.eval.Score)
	}
	fmt.Fprintf(w, "%s  score=%s  ann=%.2f%%  dd=%.2f%%  calmar=%.3f  sharpe=%.3f  rebalances=%d\n",
		label, score, b.AnnualizedReturnPct, b.MaxDrawdownPct, b.CalmarRatio, b.SharpeRatio, b.RebalanceCount)
}
