package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"strconv"
	"text/tabwriter"

	"github.com/spf13/pflag"

	"gem/ledger"
	"gem/trial"
)

// seedParam is the parameter --seeds varies: the regime model's random
// start.
const seedParam = "hmm.seed"

// seedFlags is --seeds: evaluate each configuration under several random
// starts of the regime model.
type seedFlags struct{ k int }

func (s *seedFlags) register(fs *pflag.FlagSet) {
	fs.IntVar(&s.k, "seeds", 0, "evaluate under K regime-model seeds (hmm.seed = its value, +1, ...) and report the median, spread and share rejected; 0 for one run")
}

// MaxSeeds bounds --seeds.
const maxSeeds = 1000

// seedSpecs returns spec under k consecutive values of hmm.seed, its own
// first.
func seedSpecs(spec trial.Spec, k int) ([]trial.Spec, error) {
	if k < 1 || k > maxSeeds {
		return nil, fmt.Errorf("--seeds %d: want 1 to %d", k, maxSeeds)
	}
	v, err := spec.Params.Get(seedParam)
	if err != nil {
		return nil, fmt.Errorf("--seeds: strategy %s has no %s parameter (only the ensemble has a regime model)", spec.Strategy, seedParam)
	}
	out := make([]trial.Spec, k)
	for i := range out {
		a, err := spec.Params.Set(seedParam, strconv.FormatInt(v.I+int64(i), 10))
		if err != nil {
			return nil, fmt.Errorf("--seeds: %w", err)
		}
		out[i] = spec
		out[i].Params = a
	}
	return out, nil
}

// spread summarises the scores of one configuration over seeds. −Inf (a
// rejected seed) ranks below every other score.
type spread struct {
	N, Rejected                             int
	Median, Q1, Q3, Min, Max, Interquartile float64
}

// spreadOf summarises scores; the quartiles interpolate linearly between
// order statistics (numpy's default, "type 7"), and a quartile next to a
// rejected seed is −Inf.
func spreadOf(scores []float64) spread {
	s := slices.Clone(scores)
	slices.Sort(s)
	sp := spread{N: len(s), Min: s[0], Max: s[len(s)-1],
		Median: quantile(s, 0.5), Q1: quantile(s, 0.25), Q3: quantile(s, 0.75)}
	sp.Interquartile = sp.Q3 - sp.Q1
	if math.IsNaN(sp.Interquartile) { // −Inf − (−Inf)
		sp.Interquartile = math.Inf(1)
	}
	for _, x := range s {
		if math.IsInf(x, -1) {
			sp.Rejected++
		}
	}
	return sp
}

// quantile is the q-quantile of sorted, interpolating linearly between the
// order statistics around (n−1)·q.
func quantile(sorted []float64, q float64) float64 {
	h := float64(len(sorted)-1) * q
	lo := int(h)
	f := h - float64(lo)
	if f == 0 || lo+1 >= len(sorted) {
		return sorted[lo]
	}
	if math.IsInf(sorted[lo], -1) {
		return sorted[lo]
	}
	return sorted[lo] + f*(sorted[lo+1]-sorted[lo])
}

// scoreText writes a score, −Inf as "-inf" and +Inf as "inf".
func scoreText(x float64) string {
	if math.IsInf(x, 1) {
		return "inf"
	}
	return ledger.FormatFloat(x)
}

// String writes the spread on one line.
func (sp spread) String() string {
	f := scoreText
	return fmt.Sprintf("median %s  interquartile [%s, %s] (width %s)  min %s  max %s  rejected %d of %d (%.0f%%)",
		f(sp.Median), f(sp.Q1), f(sp.Q3), f(sp.Interquartile), f(sp.Min), f(sp.Max), sp.Rejected, sp.N, 100*float64(sp.Rejected)/float64(sp.N))
}

// runSeeds runs spec under k seeds through pool (every trial to its
// ledger) on this machine's cores and returns the results in seed order.
func runSeeds(ctx context.Context, pool *trial.Pool, specs []trial.Spec) ([]*trial.Result, error) {
	if _, ok := pool.Exec.(trial.Local); ok {
		pool.Exec = trial.Local{Workers: runtime.NumCPU()}
	}
	res := make([]*trial.Result, len(specs))
	err := pool.Run(ctx, specs, func(i int, r *trial.Result) { res[i] = r })
	return res, err
}

// eval is gem eval --seeds: the configuration under k seeds, each seed's
// score and the spread.
func (s *seedFlags) eval(ctx context.Context, w io.Writer, pool *trial.Pool, desc string, spec trial.Spec, asJSON bool) error {
	specs, err := seedSpecs(spec, s.k)
	if err != nil {
		return err
	}
	res, err := runSeeds(ctx, pool, specs)
	if err != nil {
		return err
	}
	scores := make([]float64, len(res))
	for i, r := range res {
		scores[i] = r.Score()
	}
	sp := spreadOf(scores)
	first, _ := specs[0].Params.Get(seedParam) // seedSpecs checked it
	if asJSON {
		type seedJSON struct {
			Seed      int64     `json:"seed"`
			Score     jsonScore `json:"score"`
			Rejection string    `json:"rejection,omitempty"`
			Key       string    `json:"key"`
		}
		out := struct {
			Strategy      string     `json:"strategy"`
			Fill          string     `json:"fill"`
			Changes       string     `json:"changes"`
			Seeds         []seedJSON `json:"seeds"`
			Median        jsonScore  `json:"median"`
			Q1            jsonScore  `json:"q1"`
			Q3            jsonScore  `json:"q3"`
			Interquartile jsonScore  `json:"interquartile"`
			Min           jsonScore  `json:"min"`
			Max           jsonScore  `json:"max"`
			Rejected      int        `json:"rejected"`
			RejectedShare float64    `json:"rejected_share"`
		}{Strategy: spec.Strategy, Fill: spec.Fill.String(), Changes: spec.Params.Changes(),
			Median: jsonScore(sp.Median), Q1: jsonScore(sp.Q1), Q3: jsonScore(sp.Q3), Interquartile: jsonScore(sp.Interquartile),
			Min: jsonScore(sp.Min), Max: jsonScore(sp.Max), Rejected: sp.Rejected, RejectedShare: float64(sp.Rejected) / float64(sp.N)}
		for i, r := range res {
			out.Seeds = append(out.Seeds, seedJSON{first.I + int64(i), jsonScore(r.Score()), r.Row.Rejection, r.Row.Key()})
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	fmt.Fprintf(w, "%s\n%s, %s fills, %s, %d regime-model seeds (%s %d..%d)\n\n", desc, spec.Strategy, spec.Fill,
		describeChanges(spec.Params), s.k, seedParam, first.I, first.I+int64(s.k)-1)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "%s\tscore\tann %%\tdd %%\tsharpe\trejection\n", seedParam)
	for i, r := range res {
		b := r.Row.Base
		fmt.Fprintf(tw, "%d\t%s\t%.2f\t%.2f\t%.3f\t%s\n", first.I+int64(i), ledger.FormatFloat(r.Score()), b.AnnualizedReturnPct, b.MaxDrawdownPct, b.SharpeRatio, r.Row.Rejection)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nscore over %d seeds: %s\n", sp.N, sp)
	return nil
}
