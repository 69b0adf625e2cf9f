package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"text/tabwriter"

	"github.com/spf13/pflag"

	"gem/ledger"
	"gem/search"
	"gem/space"
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

// curve is a run's best score after each distinct evaluation.
type curve []float64

// at is the best score within the first n evaluations (the last one when
// the method stopped proposing before n).
func (c curve) at(n int) float64 {
	if len(c) == 0 {
		return math.Inf(-1)
	}
	return c[min(n, len(c))-1]
}

// reach is the number of evaluations the run needed to score at least
// target, 0 when it never did.
func (c curve) reach(target float64) int {
	for i, v := range c {
		if v >= target {
			return i + 1
		}
	}
	return 0
}

// errEnough stops a run once its curve is long enough.
var errEnough = errors.New("enough evaluations")

// run drives m on b until it made budget distinct evaluations (a
// configuration proposed again is not evaluated again, as the runtime's
// ledger would skip it) or stopped proposing, and returns its curve.
func (b *block) run(ctx context.Context, m search.Method, budget, batch int) (curve, error) {
	var c curve
	seen := map[string]bool{}
	best := math.Inf(-1)
	_, err := search.Drive(ctx, m, 50*budget, batch, func(_ context.Context, as []space.Assignment) ([]float64, error) {
		scores := make([]float64, len(as))
		for i, a := range as {
			v, err := b.score(a)
			if err != nil {
				return nil, err
			}
			scores[i] = v
			full, _ := b.base.Overlay(a)
			if k := full.String(); !seen[k] {
				seen[k] = true
				best = max(best, v)
				c = append(c, best)
			}
		}
		if len(c) >= budget {
			return scores, errEnough
		}
		return scores, nil
	})
	if err != nil && !errors.Is(err, errEnough) {
		return nil, err
	}
	return c[:min(len(c), budget)], nil
}

// runCompare evaluates the block through pool around spec, then runs every
// method on it (the evaluations read from the block's table: the same
// scores a direct evaluation gives) and prints the regret table.
func (f *compareFlags) run(ctx context.Context, out io.Writer, pool *trial.Pool, spec trial.Spec, batch int) error {
	if len(f.budgets) == 0 || slices.Min(f.budgets) < 1 || slices.Max(f.budgets) > 100_000 {
		return fmt.Errorf("--budgets must be a list of budgets from 1 to 100000")
	}
	if f.seeds < 1 || f.seeds > 1000 {
		return fmt.Errorf("--compare-seeds must be from 1 to 1000")
	}
	budgets := slices.Sorted(slices.Values(f.budgets))
	budgets = slices.Compact(budgets)
	top := budgets[len(budgets)-1]
	b, err := f.block.exhaust(ctx, out, pool, spec)
	if err != nil {
		return err
	}
	if math.IsInf(b.optimum, -1) {
		return fmt.Errorf("every configuration of the block is rejected: no optimum to measure regret against")
	}
	fmt.Fprintf(out, "Optimum of the block (%d configurations): %s score=%s\n", len(b.table), b.best.Changes(), ledger.FormatFloat(b.optimum))
	type row struct {
		name   string
		curves []curve
	}
	ph, err := search.NewPhased(b.plan, b.base)
	if err != nil {
		return err
	}
	c, err := b.run(ctx, ph, top, batch)
	if err != nil {
		return fmt.Errorf("phased: %w", err)
	}
	rows := []row{{"phased", []curve{c}}}
	for _, name := range search.MethodNames() {
		r := row{name: name}
		for seed := range uint64(f.seeds) {
			m, err := search.NewMethod(name, b.space, seed+1)
			if err != nil {
				return err
			}
			c, err := b.run(ctx, m, top, batch)
			if err != nil {
				return fmt.Errorf("%s seed %d: %w", name, seed+1, err)
			}
			r.curves = append(r.curves, c)
		}
		rows = append(rows, r)
	}
	if f.optuna != "" {
		r := row{name: "optuna-tpe"}
		for seed := range f.seeds {
			c, err := b.optuna(ctx, f.optuna, top, seed+1)
			if err != nil {
				return fmt.Errorf("optuna seed %d: %w", seed+1, err)
			}
			r.curves = append(r.curves, c)
		}
		rows = append(rows, r)
	}
	target := b.optimum - 0.05*math.Abs(b.optimum)
	fmt.Fprintf(out, "\nRegret (optimum − best found) by evaluations: median [q25, q75] over %d seeds (phased: one deterministic run); batches of %d\n", f.seeds, batch)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "method")
	for _, n := range budgets {
		fmt.Fprintf(tw, "\t%d", n)
	}
	fmt.Fprintf(tw, "\tevals to within 5%% (median, runs reaching it)\n")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s", r.name)
		for _, n := range budgets {
			reg := make([]float64, len(r.curves))
			for i, c := range r.curves {
				reg[i] = b.optimum - c.at(n)
			}
			fmt.Fprintf(tw, "\t%s [%s, %s]", regretText(quantile(reg, 0.5)), regretText(quantile(reg, 0.25)), regretText(quantile(reg, 0.75)))
		}
		need := make([]float64, len(r.curves))
		hit := 0
		for i, c := range r.curves {
			need[i] = math.Inf(1)
			if k := c.reach(target); k > 0 {
				need[i] = float64(k)
				hit++
			}
		}
		med := quantile(need, 0.5)
		medText := fmt.Sprintf(">%d", top)
		if !math.IsInf(med, 1) {
			medText = fmt.Sprintf("%g", med)
		}
		fmt.Fprintf(tw, "\t%s (%d/%d)\n", medText, hit, len(r.curves))
	}
	return tw.Flush()
}

// regretText prints a regret to four decimals, "inf" when nothing scored.
func regretText(v float64) string {
	if math.IsInf(v, 1) {
		return "inf"
	}
	return fmt.Sprintf("%.4f", v)
}

// quantile is the q-quantile of xs by linear interpolation between order
// statistics (NumPy's default), +Inf values allowed.
func quantile(xs []float64, q float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	pos := q * float64(len(s)-1)
	lo := int(math.Floor(pos))
	hi := min(lo+1, len(s)-1)
	frac := pos - float64(lo)
	if frac == 0 || s[lo] == s[hi] {
		return s[lo]
	}
	return s[lo] + frac*(s[hi]-s[lo])
}
