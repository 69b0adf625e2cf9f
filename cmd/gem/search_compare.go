package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/spf13/pflag"

	"gem/ledger"
	"gem/optimum"
	"gem/progress"
	"gem/trial"
)

// compareFlags ask gem search for the comparison of its methods against the
// optimum of a block of the phased plan's joint space.
type compareFlags struct {
	enabled bool
	block   blockFlags
	budgets []int
	seeds   int
	optuna  string
}

func (f *compareFlags) register(fs *pflag.FlagSet) {
	fs.BoolVar(&f.enabled, "compare", false, "compare the phased sweep, random search and every method against the exact optimum of a block of the phased plan's joint space (--block, --fix), at --budgets over --compare-seeds search seeds; --method and --space are not used")
	f.block.register(fs)
	fs.IntSliceVar(&f.budgets, "budgets", []int{50, 100, 215, 500}, "with --compare: the budgets (evaluations) at which regret is reported")
	fs.IntVar(&f.seeds, "compare-seeds", 10, "with --compare: search seeds per method (1 to 1000)")
	fs.StringVar(&f.optuna, "optuna", "", "with --compare: the path of tools/optuna_tpe.py, to run Optuna's TPE (/usr/bin/python3 with optuna) beside gem's methods")
}

// run scores every configuration of the block (replayed from its tape, bit
// for bit the scores of direct evaluations), then runs every method on it,
// its evaluations read from the table, prints the regret table and keeps
// the comparison beside the ledger for gem report --ledger.
func (f *compareFlags) run(ctx context.Context, out io.Writer, pool *trial.Pool, spec trial.Spec, batch int, ledgerPath string) error {
	if err := optimum.CheckCompare(f.budgets, f.seeds); err != nil {
		return fmt.Errorf("--budgets, --compare-seeds: %w", err)
	}
	r, plan, err := f.block.replay(ctx, out, pool, spec)
	if err != nil {
		return err
	}
	bar := progress.NewCounter(ctx, "optimum", r.Block().Size())
	t, err := r.Run(ctx, pool.Exec.(trial.Local).Workers, bar.Add)
	bar.Stop()
	if err != nil {
		return err
	}
	external := map[string]optimum.External{}
	if f.optuna != "" {
		self, err := os.Executable()
		if err != nil {
			return err
		}
		external["optuna-tpe"] = optimum.Optuna(f.optuna, spec.Strategy, []string{self, "optimum", "serve"})
	}
	best, opt := t.Optimum()
	fmt.Fprintf(out, "Optimum of the block (%d configurations): %s score=%s\n", len(t.Scores), best.Changes(), ledger.FormatFloat(opt))
	c, err := optimum.Compare(ctx, t, plan, f.budgets, f.seeds, batch, external)
	if err != nil {
		return err
	}
	if err := c.WriteTable(out); err != nil || ledgerPath == "-" {
		return err
	}
	if err := c.Save(optimum.ComparisonPath(ledgerPath)); err != nil {
		return err
	}
	_, err = fmt.Fprintf(out, "Comparison for gem report --ledger %s: %s\n", ledgerPath, optimum.ComparisonPath(ledgerPath))
	return err
}
