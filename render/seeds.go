package render

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"gem/harness"
	"gem/ledger"
	"gem/trial"
)

// seedsJSON is the object SeedsJSON writes.
type seedsJSON struct {
	Strategy      string     `json:"strategy"`
	Fill          string     `json:"fill"`
	Changes       string     `json:"changes"`
	Seeds         []seedJSON `json:"seeds"`
	Median        Score      `json:"median"`
	Q1            Score      `json:"q1"`
	Q3            Score      `json:"q3"`
	Interquartile Score      `json:"interquartile"`
	Min           Score      `json:"min"`
	Max           Score      `json:"max"`
	Rejected      int        `json:"rejected"`
	RejectedShare float64    `json:"rejected_share"`
}

// seedJSON is one seed's trial.
type seedJSON struct {
	Seed      int64  `json:"seed"`
	Score     Score  `json:"score"`
	Rejection string `json:"rejection,omitempty"`
	Key       string `json:"key"`
}

// seedSpread is the first seed of spec (its own hmm.seed; 0 without one)
// and the spread of the scores of res.
func seedSpread(spec trial.Spec, res []*trial.Result) (int64, trial.Spread) {
	scores := make([]float64, len(res))
	for i, r := range res {
		scores[i] = r.Score()
	}
	first, _ := spec.Params.Get(trial.SeedParam)
	return first.I, trial.SpreadOf(scores)
}

// SeedsJSON writes the trials res of spec under consecutive regime-model
// seeds from spec's own (trial.SeedSpecs; at least one) as one indented JSON
// object: each seed's score, rejection and key, and the spread.
func SeedsJSON(w io.Writer, spec trial.Spec, res []*trial.Result) error {
	first, sp := seedSpread(spec, res)
	out := seedsJSON{Strategy: spec.Strategy, Fill: spec.Fill.String(), Changes: spec.Params.Changes(),
		Median: Score(sp.Median), Q1: Score(sp.Q1), Q3: Score(sp.Q3), Interquartile: Score(sp.Interquartile),
		Min: Score(sp.Min), Max: Score(sp.Max), Rejected: sp.Rejected, RejectedShare: float64(sp.Rejected) / float64(sp.N)}
	for i, r := range res {
		out.Seeds = append(out.Seeds, seedJSON{first + int64(i), Score(r.Score()), r.Row.Rejection, r.Row.Key()})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// Seeds writes the trials res of spec on p under consecutive regime-model
// seeds, as SeedsJSON takes them, as a table (one row per seed) and the
// spread, under desc (the data) and the setup.
func Seeds(w io.Writer, desc string, p *harness.Panel, spec trial.Spec, res []*trial.Result) {
	first, sp := seedSpread(spec, res)
	k := int64(len(res))
	fmt.Fprintf(w, "%s\n%s, %d regime-model seeds (%s %d..%d)\n\n", desc, Setup(p, spec), k, trial.SeedParam, first, first+k-1)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "%s\tscore\tann %%\tdd %%\tsharpe\trejection\n", trial.SeedParam)
	for i, r := range res {
		b := r.Row.Base
		fmt.Fprintf(tw, "%d\t%s\t%.2f\t%.2f\t%.3f\t%s\n", first+int64(i), ledger.FormatFloat(r.Score()), b.AnnualizedReturnPct, b.MaxDrawdownPct, b.SharpeRatio, r.Row.Rejection)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nscore over %d seeds: %s\n", sp.N, sp)
}
