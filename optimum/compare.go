package optimum

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"gem/search"
	"gem/space"
)

// Curve is a search run's best score after each of its distinct
// evaluations.
type Curve []float64

// At is the best score within the first n evaluations (the last one when
// the run stopped proposing before n; −Inf for an empty curve).
func (c Curve) At(n int) float64 {
	if len(c) == 0 {
		return math.Inf(-1)
	}
	return c[min(n, len(c))-1]
}

// Reach is the number of evaluations the run needed to score at least
// target, 0 when it never did.
func (c Curve) Reach(target float64) int {
	for i, v := range c {
		if v >= target {
			return i + 1
		}
	}
	return 0
}

// errEnough stops a run once its curve is long enough.
var errEnough = errors.New("enough evaluations")

// Search drives m on the table until it made budget distinct evaluations
// (a configuration proposed again is not evaluated again, as the runtime's
// ledger would skip it) or stopped proposing, in batches of batch, and
// returns its curve. A proposal outside the block is an error.
func (t *Table) Search(ctx context.Context, m search.Method, budget, batch int) (Curve, error) {
	var c Curve
	seen := map[int]bool{}
	best := math.Inf(-1)
	_, err := search.Drive(ctx, m, 50*budget, batch, func(_ context.Context, as []space.Assignment) ([]float64, error) {
		scores := make([]float64, len(as))
		for k, a := range as {
			i, err := t.Block.Index(a)
			if err != nil {
				return nil, err
			}
			scores[k] = t.Scores[i]
			if !seen[i] {
				seen[i] = true
				best = max(best, scores[k])
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

// Method is one row of a comparison: a method's curves, one per seed.
type Method struct {
	Name   string
	Curves []Curve
}

// Comparison is the regret of search methods on a block against its
// optimum.
type Comparison struct {
	Optimum float64
	Budgets []int // increasing
	Seeds   int
	Batch   int
	Methods []Method
}

// External runs an external optimiser on the table for budget evaluations
// under seed and returns its curve.
type External func(ctx context.Context, t *Table, budget, seed int) (Curve, error)

// Compare runs, on the table, the phased sweep of plan (the phased plan
// restricted to the block) around the block's base, then every method of
// search.MethodNames for seeds 1..seeds, then each external optimiser by
// name, each up to the largest budget. It is an error for every
// configuration to be rejected: there is no optimum to measure against.
func Compare(ctx context.Context, t *Table, plan search.Plan, budgets []int, seeds, batch int, external map[string]External) (*Comparison, error) {
	if err := CheckCompare(budgets, seeds); err != nil {
		return nil, err
	}
	_, opt := t.Optimum()
	if math.IsInf(opt, -1) {
		return nil, fmt.Errorf("every configuration of the block is rejected: no optimum to measure regret against")
	}
	budgets = slices.Compact(slices.Sorted(slices.Values(budgets)))
	top := budgets[len(budgets)-1]
	cmp := &Comparison{Optimum: opt, Budgets: budgets, Seeds: seeds, Batch: batch}
	ph, err := search.NewPhased(plan, t.Block.Base())
	if err != nil {
		return nil, err
	}
	c, err := t.Search(ctx, ph, top, batch)
	if err != nil {
		return nil, fmt.Errorf("phased: %w", err)
	}
	cmp.Methods = append(cmp.Methods, Method{"phased", []Curve{c}})
	for _, name := range search.MethodNames() {
		r := Method{Name: name}
		for seed := range uint64(seeds) {
			m, err := search.NewMethod(name, t.Block.Space(), seed+1)
			if err != nil {
				return nil, err
			}
			c, err := t.Search(ctx, m, top, batch)
			if err != nil {
				return nil, fmt.Errorf("%s seed %d: %w", name, seed+1, err)
			}
			r.Curves = append(r.Curves, c)
		}
		cmp.Methods = append(cmp.Methods, r)
	}
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range external {
			if !yield(k) {
				return
			}
		}
	}) {
		r := Method{Name: name}
		for seed := range seeds {
			c, err := external[name](ctx, t, top, seed+1)
			if err != nil {
				return nil, fmt.Errorf("%s seed %d: %w", name, seed+1, err)
			}
			r.Curves = append(r.Curves, c)
		}
		cmp.Methods = append(cmp.Methods, r)
	}
	return cmp, nil
}

// CheckCompare refuses budgets and seeds Compare cannot run: budgets from
// 1 to 100,000 (at least one), seeds from 1 to 1,000.
func CheckCompare(budgets []int, seeds int) error {
	if len(budgets) == 0 || slices.Min(budgets) < 1 || slices.Max(budgets) > 100_000 {
		return fmt.Errorf("the budgets must be a list of budgets from 1 to 100000")
	}
	if seeds < 1 || seeds > 1000 {
		return fmt.Errorf("the seeds must be from 1 to 1000")
	}
	return nil
}

// Regret is the quartiles over seeds of a method's regret (optimum − best
// found) within n evaluations.
func (c *Comparison) Regret(m Method, n int) (q25, median, q75 float64) {
	reg := make([]float64, len(m.Curves))
	for i, cv := range m.Curves {
		reg[i] = c.Optimum - cv.At(n)
	}
	return Quantile(reg, 0.25), Quantile(reg, 0.5), Quantile(reg, 0.75)
}

// Within is the median over seeds of the evaluations a method needed to
// come within 5% of the optimum (+Inf when most runs never did) and the
// number of runs that did.
func (c *Comparison) Within(m Method) (median float64, hit int) {
	target := c.Optimum - 0.05*math.Abs(c.Optimum)
	need := make([]float64, len(m.Curves))
	for i, cv := range m.Curves {
		need[i] = math.Inf(1)
		if k := cv.Reach(target); k > 0 {
			need[i] = float64(k)
			hit++
		}
	}
	return Quantile(need, 0.5), hit
}

// WriteTable prints the regret table (TableRows) under a line saying what
// it is.
func (c *Comparison) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "\nRegret (optimum − best found) by evaluations: median [q25, q75] over %d seeds (phased: one deterministic run); batches of %d\n", c.Seeds, c.Batch)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	header, rows := c.TableRows()
	for _, r := range append([][]string{header}, rows...) {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}

// TableRows is the regret table as text cells: a header (method, each
// budget, the evaluations to within 5%) and per method the median [q25,
// q75] regret at each budget and the median evaluations to within 5% with
// the runs that got there.
func (c *Comparison) TableRows() (header []string, rows [][]string) {
	header = []string{"method"}
	for _, n := range c.Budgets {
		header = append(header, strconv.Itoa(n))
	}
	header = append(header, "evals to within 5% (median, runs reaching it)")
	for _, m := range c.Methods {
		row := []string{m.Name}
		for _, n := range c.Budgets {
			lo, med, hi := c.Regret(m, n)
			row = append(row, fmt.Sprintf("%s [%s, %s]", regretText(med), regretText(lo), regretText(hi)))
		}
		med, hit := c.Within(m)
		medText := fmt.Sprintf(">%d", c.Budgets[len(c.Budgets)-1])
		if !math.IsInf(med, 1) {
			medText = fmt.Sprintf("%g", med)
		}
		rows = append(rows, append(row, fmt.Sprintf("%s (%d/%d)", medText, hit, len(m.Curves))))
	}
	return header, rows
}

// regretText prints a regret to four decimals, "inf" when nothing scored.
func regretText(v float64) string {
	if math.IsInf(v, 1) {
		return "inf"
	}
	return fmt.Sprintf("%.4f", v)
}

// Quantile is the q-quantile of xs by linear interpolation between order
// statistics (NumPy's default), +Inf values allowed. It panics on an empty
// xs.
func Quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		panic("optimum: Quantile of nothing")
	}
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
