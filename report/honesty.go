package report

import (
	"math"

	"gem/harness"
	"gem/ledger"
	"gem/validate"
)

// Honesty gathers what a group's ledger rows alone say about how far its
// best score can be trusted: counts, the plateau around the best, and the
// ranking under fee stress. The statistics of selection (PBO, the deflated
// Sharpe ratio, SPA), which need the trials' daily returns, are package
// validate's, computed for the ledger page by package selection
// (LedgerOptions.Selection).
type Honesty struct {
	Trials   int     // trials in the group
	Configs  int     // distinct configurations among them (ledger keys)
	Rejected int     // trials scored −Inf
	Best     float64 // the best score
	// NearBest counts the configurations scoring within 10% of the best
	// (of its magnitude): a broad plateau is more believable than a spike.
	NearBest int
	// StressRank is the best configuration's rank (1 = top) among the
	// Ranked configurations with a finite stress score, the score computed
	// from the stress run (fees ×1.5) alone; 0 when it has none.
	StressRank, Ranked int
	// RankCorrelation is Spearman's correlation (validate.Spearman)
	// between the base and the stress scores over configurations where both
	// are finite; NaN with fewer than three.
	RankCorrelation float64
}

// ComputeHonesty computes the honesty statistics of a group's rows. Rows
// with the same key count once (the last one).
func ComputeHonesty(rows []ledger.Row) Honesty {
	h := Honesty{Trials: len(rows), Best: math.Inf(-1), RankCorrelation: math.NaN()}
	last := map[string]int{}
	var keys []string
	for i := range rows {
		k := rows[i].Key()
		if _, ok := last[k]; !ok {
			keys = append(keys, k)
		}
		last[k] = i
		if !finite(rows[i].Score) {
			h.Rejected++
		}
	}
	h.Configs = len(keys)
	configs := make([]*ledger.Row, len(keys))
	for i, k := range keys {
		configs[i] = &rows[last[k]]
	}
	best := -1
	for i, r := range configs {
		if best < 0 || r.Score > configs[best].Score {
			best = i
		}
	}
	if best < 0 {
		return h
	}
	h.Best = configs[best].Score
	if finite(h.Best) {
		for _, r := range configs {
			if finite(r.Score) && h.Best-r.Score <= 0.1*math.Abs(h.Best) {
				h.NearBest++
			}
		}
	}

	// Rank stability under fee stress.
	stress := make([]float64, len(configs))
	var bs, ss []float64
	for i, r := range configs {
		stress[i], _ = harness.Score(r.Stress, r.Stress)
		if finite(stress[i]) {
			h.Ranked++
			if finite(r.Score) {
				bs, ss = append(bs, r.Score), append(ss, stress[i])
			}
		}
	}
	if finite(stress[best]) {
		h.StressRank = 1
		for i, s := range stress {
			if i != best && finite(s) && s > stress[best] {
				h.StressRank++
			}
		}
	}
	if len(bs) >= 3 {
		if rho, err := validate.Spearman(bs, ss); err == nil {
			h.RankCorrelation = rho
		}
	}
	return h
}
