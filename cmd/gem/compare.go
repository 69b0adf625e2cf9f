package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"gonum.org/v1/gonum/stat/distuv"

	"gem/ledger"
	"gem/selection"
	"gem/trial"
)

func newCompareCmd() *cobra.Command {
	var data dataFlags
	var strat strategyFlags
	var lf ledgerFlags
	var a, b string
	var k, workers int
	cmd := &cobra.Command{
		Use:   "compare",
		Short: "Is configuration A better than B, beyond the noise of the regime model's seed?",
		Long: `Evaluate two configurations, A and B (each a list of name=value changes on top
of the defaults and --set values), under the same --seeds regime-model seeds
(hmm.seed = its value, +1, ...), and report their difference paired over the
same seeds and the same days, against the noise:

  - per seed, the score of A, of B and A − B; each side's median, spread and
    share rejected; the difference of the medians beside the seed noise (the
    wider of the two interquartile widths);
  - the daily returns, averaged over the seeds and paired day by day: the
    mean of A − B with a 95% Student-t interval (which treats the days as
    independent; momentum portfolios' returns are mildly autocorrelated, so
    read it as a lower bound on the uncertainty).

Every trial lands in the ledger under the command "compare". A strategy
without a regime model runs once per side.`,
		Example: `  gem compare --a "bull.top_n=20" --b "bull.top_n=10" --seeds 5
  gem compare --a "hmm.restarts=40 hmm.refit_restarts=2" --b "" --seeds 8 --data ../shared/data/binance_spot_1d_panel_merged.csv.gz`,
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
			base := strat.spec(cfg, fill)
			var sides [2][]trial.Spec
			for i, changes := range []string{a, b} {
				s, err := applyChanges(base, changes)
				if err != nil {
					return fmt.Errorf("--%c: %w", 'a'+i, err)
				}
				if _, err := s.Params.Get(trial.SeedParam); err != nil {
					sides[i] = []trial.Spec{s}
				} else if sides[i], err = trial.SeedSpecs(s, k); err != nil {
					return err
				}
			}
			pool, desc, err := openPool(cmd.Context(), cmd.ErrOrStderr(), &data, &lf, workers, "compare")
			if err != nil {
				return err
			}
			defer pool.Close()
			if err := checkData(cfg, pool.Env.Panel); err != nil {
				return err
			}
			n := len(sides[0])
			res, err := runSeeds(cmd.Context(), pool, append(sides[0], sides[1]...))
			if err != nil {
				return err
			}
			c := comparison{A: res[:n], B: res[n:]}
			c.write(cmd.OutOrStdout(), desc, describeWindow(pool.Env.Panel, base.Window), base, sides)
			return nil
		},
	}
	data.register(cmd.Flags())
	strat.register(cmd.Flags())
	lf.register(cmd.Flags())
	cmd.Flags().StringVar(&a, "a", "", `configuration A: changes "name=value ..." (spaces or commas between them; "" for the base)`)
	cmd.Flags().StringVar(&b, "b", "", "configuration B, as --a")
	cmd.Flags().IntVar(&k, "seeds", 5, "regime-model seeds each configuration is evaluated under")
	cmd.Flags().IntVar(&workers, "workers", runtime.NumCPU(), "parallel evaluations (at least 1)")
	return cmd
}

// applyChanges sets the "name=value ..." changes (separated by spaces or
// commas) on spec's parameters.
func applyChanges(spec trial.Spec, changes string) (trial.Spec, error) {
	a := spec.Params
	for _, kv := range strings.FieldsFunc(changes, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		name, value, ok := strings.Cut(kv, "=")
		if !ok {
			return spec, fmt.Errorf("%q: want name=value (gem params lists the names)", kv)
		}
		var err error
		if a, err = a.Set(name, value); err != nil {
			return spec, err
		}
	}
	s := spec
	s.Params = a
	if _, err := s.Config(); err != nil {
		return spec, err
	}
	return s, nil
}

// comparison is two configurations' trials, seed by seed.
type comparison struct{ A, B []*trial.Result }

// pairedInterval is the mean of paired differences with its 95% Student-t
// interval:
//
//	d̄ ± t_{0.975, n−1} · s / √n,  s² = Σ (d_i − d̄)² / (n − 1)
type pairedInterval struct {
	N            int
	Mean, Lo, Hi float64
}

// meanInterval returns the mean of d and its 95% t-interval; it needs at
// least two values.
func meanInterval(d []float64) (pairedInterval, error) {
	n := len(d)
	if n < 2 {
		return pairedInterval{}, errors.New("fewer than two paired days")
	}
	mean := 0.0
	for _, x := range d {
		mean += x
	}
	mean /= float64(n)
	ss := 0.0
	for _, x := range d {
		ss += (x - mean) * (x - mean)
	}
	se := math.Sqrt(ss/float64(n-1)) / math.Sqrt(float64(n))
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}.Quantile(0.975)
	return pairedInterval{N: n, Mean: mean, Lo: mean - t*se, Hi: mean + t*se}, nil
}

// dailyDifference averages, day by day over the seeds, A's daily return
// minus B's, on the days both sides have under every seed.
func (c *comparison) dailyDifference() ([]float64, error) {
	var cols []*ledger.Series
	for _, side := range [][]*trial.Result{c.A, c.B} {
		for _, r := range side {
			if r.Returns == nil {
				return nil, errors.New("a trial has no daily returns")
			}
			cols = append(cols, r.Returns)
		}
	}
	_, m := selection.AlignDays(cols)
	na, nb := len(c.A), len(c.B)
	d := make([]float64, len(m))
	for t, row := range m {
		sa, sb := 0.0, 0.0
		for _, x := range row[:na] {
			sa += x
		}
		for _, x := range row[na:] {
			sb += x
		}
		d[t] = sa/float64(na) - sb/float64(nb)
	}
	return d, nil
}

func (c *comparison) write(w io.Writer, desc, window string, base trial.Spec, sides [2][]trial.Spec) {
	k := len(c.A)
	fmt.Fprintf(w, "%s\n%s, %s fills, %s%s\n", desc, base.Strategy, base.Fill, describeChanges(base.Params), window)
	if first, err := sides[0][0].Params.Get(trial.SeedParam); err == nil && k > 1 {
		fmt.Fprintf(w, "%d regime-model seeds (%s %d..%d), the same for A and B\n", k, trial.SeedParam, first.I, first.I+int64(k)-1)
	}
	for i, name := range []string{"A", "B"} {
		fmt.Fprintf(w, "%s: %s\n", name, orDefaults(sides[i][0].Params.Diff(base.Params)))
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "seed\tscore A\tscore B\tA − B\t\n")
	sa, sb := make([]float64, k), make([]float64, k)
	aBetter := 0
	for i := range k {
		sa[i], sb[i] = c.A[i].Score(), c.B[i].Score()
		seed := fmt.Sprint(i + 1)
		if v, err := sides[0][i].Params.Get(trial.SeedParam); err == nil {
			seed = fmt.Sprint(v.I)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\n", seed, ledger.FormatFloat(sa[i]), ledger.FormatFloat(sb[i]), scoreDiff(sa[i], sb[i]))
		if sa[i] > sb[i] {
			aBetter++
		}
	}
	tw.Flush()
	spA, spB := trial.SpreadOf(sa), trial.SpreadOf(sb)
	fmt.Fprintf(w, "\nA: %s\nB: %s\n", spA, spB)
	noise := max(spA.Interquartile, spB.Interquartile)
	delta := scoreDiff(spA.Median, spB.Median)
	fmt.Fprintf(w, "difference of the medians %s; seed noise (the wider interquartile width) %s; A ahead on %d of %d seeds\n",
		delta, trial.ScoreText(noise), aBetter, k)
	var verdict []string
	dm := spA.Median - spB.Median
	switch {
	case math.IsInf(spA.Median, -1) && math.IsInf(spB.Median, -1):
		verdict = append(verdict, "both are rejected on most seeds")
	case math.IsNaN(dm) || math.IsInf(dm, 0) || math.Abs(dm) > noise:
		verdict = append(verdict, fmt.Sprintf("the scores differ by more than the seed noise (%s better)", better(dm)))
	default:
		verdict = append(verdict, "the score difference is within the seed noise")
	}
	if d, err := c.dailyDifference(); err != nil {
		fmt.Fprintf(w, "daily returns: %v\n", err)
	} else if iv, err := meanInterval(d); err != nil {
		fmt.Fprintf(w, "daily returns: %v\n", err)
	} else {
		fmt.Fprintf(w, "daily returns, paired over %d days and %d seeds: mean A − B %.4f%% a day (%.2f%% a year), 95%% interval [%.4f%%, %.4f%%]\n",
			iv.N, k, 100*iv.Mean, 100*365*iv.Mean, 100*iv.Lo, 100*iv.Hi)
		if iv.Lo > 0 || iv.Hi < 0 {
			verdict = append(verdict, fmt.Sprintf("the daily returns tell them apart (%s better)", better(iv.Mean)))
		} else {
			verdict = append(verdict, "the daily returns do not tell them apart")
		}
	}
	fmt.Fprintf(w, "\nVerdict: %s.\n", strings.Join(verdict, "; "))
}

// scoreDiff is a − b as text; undefined ("n/a") when both are −Inf.
func scoreDiff(a, b float64) string {
	if math.IsInf(a, -1) && math.IsInf(b, -1) {
		return "n/a"
	}
	return trial.ScoreText(a - b)
}

func better(d float64) string {
	if d > 0 {
		return "A"
	}
	return "B"
}

func orDefaults(diff string) string {
	if diff == "" {
		return "the base configuration"
	}
	return diff
}
