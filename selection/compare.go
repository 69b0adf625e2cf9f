package selection

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"text/tabwriter"

	"gonum.org/v1/gonum/stat/distuv"

	"gem/ledger"
	"gem/trial"
)

// Comparison is configuration A against configuration B, both changes of
// one base configuration, each evaluated under the same regime-model seeds
// (gem compare): Specs holds each side's trials seed by seed (A first),
// Results their results in the same order.
type Comparison struct {
	Base    trial.Spec
	Specs   [2][]trial.Spec
	Results [2][]*trial.Result
}

// Side is the trials of one side of a comparison: base with the changes
// "name=value ..." (separated by spaces or commas) applied, under k
// consecutive regime-model seeds from its own (trial.SeedSpecs), or once
// when the strategy has no regime model.
func Side(base trial.Spec, changes string, k int) ([]trial.Spec, error) {
	a := base.Params
	for _, kv := range strings.FieldsFunc(changes, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		name, value, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, fmt.Errorf("%q: want name=value (gem params lists the names)", kv)
		}
		var err error
		if a, err = a.Set(name, value); err != nil {
			return nil, err
		}
	}
	s := base
	s.Params = a
	if _, err := s.Config(); err != nil {
		return nil, err
	}
	if _, err := s.Params.Get(trial.SeedParam); err != nil {
		return []trial.Spec{s}, nil
	}
	return trial.SeedSpecs(s, k)
}

// Run evaluates both sides' trials through pool, in one batch, and keeps
// their results.
func (c *Comparison) Run(ctx context.Context, pool *trial.Pool) error {
	n := len(c.Specs[0])
	res, err := pool.Collect(ctx, append(slices.Clip(c.Specs[0]), c.Specs[1]...))
	c.Results = [2][]*trial.Result{res[:n], res[n:]}
	return err
}

// PairedInterval is the mean of paired differences with its 95% Student-t
// interval:
//
//	d̄ ± t_{0.975, n−1} · s / √n,  s² = Σ (d_i − d̄)² / (n − 1)
type PairedInterval struct {
	N            int
	Mean, Lo, Hi float64
}

// MeanInterval returns the mean of d and its 95% t-interval; it needs at
// least two values.
func MeanInterval(d []float64) (PairedInterval, error) {
	n := len(d)
	if n < 2 {
		return PairedInterval{}, errors.New("fewer than two paired days")
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
	return PairedInterval{N: n, Mean: mean, Lo: mean - t*se, Hi: mean + t*se}, nil
}

// DailyDifference averages, day by day over the seeds, A's daily return
// minus B's, on the days both sides have under every seed (AlignDays). It
// fails when a trial has no daily returns (a resumed one).
func (c *Comparison) DailyDifference() ([]float64, error) {
	var cols []*ledger.Series
	for _, side := range c.Results {
		for _, r := range side {
			if r.Returns == nil {
				return nil, errors.New("a trial has no daily returns")
			}
			cols = append(cols, r.Returns)
		}
	}
	_, m := AlignDays(cols)
	na, nb := len(c.Results[0]), len(c.Results[1])
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

// ScoreDiff is a − b as text (trial.ScoreText); "n/a" when both are −Inf.
func ScoreDiff(a, b float64) string {
	if math.IsInf(a, -1) && math.IsInf(b, -1) {
		return "n/a"
	}
	return trial.ScoreText(a - b)
}

// Write writes the comparison as gem compare prints it after its header:
// the seeds, each side's changes, per seed the scores of A and B and A − B,
// each side's spread, the difference of the medians beside the seed noise
// (the wider of the two interquartile widths), the paired daily returns'
// mean difference with its 95% interval (MeanInterval, which treats the days
// as independent), and a verdict.
func (c *Comparison) Write(w io.Writer) {
	A, B := c.Results[0], c.Results[1]
	k := len(A)
	if first, err := c.Specs[0][0].Params.Get(trial.SeedParam); err == nil && k > 1 {
		fmt.Fprintf(w, "%d regime-model seeds (%s %d..%d), the same for A and B\n", k, trial.SeedParam, first.I, first.I+int64(k)-1)
	}
	for i, name := range []string{"A", "B"} {
		diff := c.Specs[i][0].Params.Diff(c.Base.Params)
		if diff == "" {
			diff = "the base configuration"
		}
		fmt.Fprintf(w, "%s: %s\n", name, diff)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "seed\tscore A\tscore B\tA − B\t\n")
	sa, sb := make([]float64, k), make([]float64, k)
	aBetter := 0
	for i := range k {
		sa[i], sb[i] = A[i].Score(), B[i].Score()
		seed := fmt.Sprint(i + 1)
		if v, err := c.Specs[0][i].Params.Get(trial.SeedParam); err == nil {
			seed = fmt.Sprint(v.I)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\n", seed, ledger.FormatFloat(sa[i]), ledger.FormatFloat(sb[i]), ScoreDiff(sa[i], sb[i]))
		if sa[i] > sb[i] {
			aBetter++
		}
	}
	tw.Flush()
	spA, spB := trial.SpreadOf(sa), trial.SpreadOf(sb)
	fmt.Fprintf(w, "\nA: %s\nB: %s\n", spA, spB)
	noise := max(spA.Interquartile, spB.Interquartile)
	fmt.Fprintf(w, "difference of the medians %s; seed noise (the wider interquartile width) %s; A ahead on %d of %d seeds\n",
		ScoreDiff(spA.Median, spB.Median), trial.ScoreText(noise), aBetter, k)
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
	if d, err := c.DailyDifference(); err != nil {
		fmt.Fprintf(w, "daily returns: %v\n", err)
	} else if iv, err := MeanInterval(d); err != nil {
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

// better names the side a positive difference A − B favours.
func better(d float64) string {
	if d > 0 {
		return "A"
	}
	return "B"
}
