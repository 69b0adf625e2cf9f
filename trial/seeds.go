package trial

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"gem/ledger"
)

// SeedParam is the parameter that SeedSpecs varies: the regime model's
// random start.
const SeedParam = "hmm.seed"

// MaxSeeds bounds the number of seeds SeedSpecs accepts.
const MaxSeeds = 1000

// SeedSpecs returns spec under k consecutive values of hmm.seed, its own
// first. It fails for k outside 1..MaxSeeds and for a strategy without a
// regime model.
func SeedSpecs(spec Spec, k int) ([]Spec, error) {
	if k < 1 || k > MaxSeeds {
		return nil, fmt.Errorf("--seeds %d: want 1 to %d", k, MaxSeeds)
	}
	v, err := spec.Params.Get(SeedParam)
	if err != nil {
		return nil, fmt.Errorf("--seeds: strategy %s has no %s parameter (only the ensemble has a regime model)", spec.Strategy, SeedParam)
	}
	out := make([]Spec, k)
	for i := range out {
		a, err := spec.Params.Set(SeedParam, strconv.FormatInt(v.I+int64(i), 10))
		if err != nil {
			return nil, fmt.Errorf("--seeds: %w", err)
		}
		out[i] = spec
		out[i].Params = a
	}
	return out, nil
}

// Spread summarises the scores of one configuration over seeds. −Inf (a
// rejected seed) ranks below every other score; Interquartile is +Inf when
// the first quartile is −Inf.
type Spread struct {
	N, Rejected                             int
	Median, Q1, Q3, Min, Max, Interquartile float64
}

// SpreadOf summarises scores (at least one); the quartiles interpolate
// linearly between the order statistics around (n−1)·q (numpy's default,
// "type 7"), and a quantile next to a rejected seed is −Inf.
func SpreadOf(scores []float64) Spread {
	s := slices.Clone(scores)
	slices.Sort(s)
	sp := Spread{N: len(s), Min: s[0], Max: s[len(s)-1],
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

// quantile is the q-quantile of sorted.
func quantile(sorted []float64, q float64) float64 {
	h := float64(len(sorted)-1) * q
	lo := int(h)
	f := h - float64(lo)
	if f == 0 || lo+1 >= len(sorted) || math.IsInf(sorted[lo], -1) {
		return sorted[lo]
	}
	return sorted[lo] + f*(sorted[lo+1]-sorted[lo])
}

// ScoreText writes a score as the ledger does, and +Inf as "inf".
func ScoreText(x float64) string {
	if math.IsInf(x, 1) {
		return "inf"
	}
	return ledger.FormatFloat(x)
}

// String writes the spread on one line.
func (sp Spread) String() string {
	f := ScoreText
	return fmt.Sprintf("median %s  interquartile [%s, %s] (width %s)  min %s  max %s  rejected %d of %d (%.0f%%)",
		f(sp.Median), f(sp.Q1), f(sp.Q3), f(sp.Interquartile), f(sp.Min), f(sp.Max), sp.Rejected, sp.N, 100*float64(sp.Rejected)/float64(sp.N))
}
