package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"text/tabwriter"

	"github.com/spf13/pflag"

	"gem/ledger"
	"gem/trial"
)

// seedFlags is --seeds: evaluate each configuration under several random
// starts of the regime model (trial.SeedSpecs).
type seedFlags struct{ k int }

func (s *seedFlags) register(fs *pflag.FlagSet) {
	fs.IntVar(&s.k, "seeds", 0, "evaluate under K regime-model seeds (hmm.seed = its value, +1, ...) and report the median, spread and share rejected; 0 for one run")
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
	specs, err := trial.SeedSpecs(spec, s.k)
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
	sp := trial.SpreadOf(scores)
	first, _ := specs[0].Params.Get(trial.SeedParam) // seedSpecs checked it
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
	fmt.Fprintf(w, "%s\n%s, %s fills, %s%s, %d regime-model seeds (%s %d..%d)\n\n", desc, spec.Strategy, spec.Fill,
		describeChanges(spec.Params), describeWindow(pool.Env.Panel, spec.Window), s.k, trial.SeedParam, first.I, first.I+int64(s.k)-1)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "%s\tscore\tann %%\tdd %%\tsharpe\trejection\n", trial.SeedParam)
	for i, r := range res {
		b := r.Row.Base
		fmt.Fprintf(tw, "%d\t%s\t%.2f\t%.2f\t%.3f\t%s\n", first.I+int64(i), ledger.FormatFloat(r.Score()), b.AnnualizedReturnPct, b.MaxDrawdownPct, b.SharpeRatio, r.Row.Rejection)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nscore over %d seeds: %s\n", sp.N, sp)
	return nil
}
