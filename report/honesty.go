package report

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"

	"gem/harness"
	"gem/ledger"
)

// Honesty gathers the statistics that say how far a group's best score can
// be trusted. A search that tries many configurations on one history finds
// a high score by luck alone; these numbers size that effect.
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
	// RankCorrelation is Spearman's correlation between the base and the
	// stress scores over configurations where both are finite; NaN with
	// fewer than three.
	RankCorrelation float64
	// Days is the backtests' length in days, recovered from the metrics
	// (0 when it cannot be).
	Days int
	// Sharpe is the best configuration's annualised Sharpe ratio,
	// SharpeNull the expected maximum annualised Sharpe ratio of Configs
	// skill-less configurations with the observed spread of Sharpe ratios,
	// and Deflated the deflated Sharpe ratio: the probability that the best
	// configuration's true Sharpe ratio exceeds SharpeNull. Deflated is NaN
	// when Days is unknown.
	Sharpe, SharpeNull, Deflated float64
}

// ComputeHonesty computes the honesty statistics of a group's rows. Rows
// with the same key count once (the last one).
func ComputeHonesty(rows []ledger.Row) Honesty {
	h := Honesty{Trials: len(rows), Best: math.Inf(-1), RankCorrelation: math.NaN(), Deflated: math.NaN(), SharpeNull: math.NaN(), Sharpe: math.NaN()}
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
		h.RankCorrelation = stat.Correlation(ranks(bs), ranks(ss), nil)
	}

	// Deflated Sharpe ratio.
	h.Sharpe = configs[best].Base.SharpeRatio
	h.Days = backtestDays(configs)
	srs := make([]float64, len(configs))
	for i, r := range configs {
		srs[i] = r.Base.SharpeRatio / math.Sqrt(sharpeDays)
	}
	variance := 0.0
	if len(srs) > 1 {
		variance = stat.Variance(srs, nil)
	}
	if h.Days > 2 {
		dsr, sr0 := DeflatedSharpe(h.Sharpe/math.Sqrt(sharpeDays), variance, h.Configs, h.Days-1)
		h.Deflated, h.SharpeNull = dsr, sr0*math.Sqrt(sharpeDays)
	}
	return h
}

// sharpeDays is the harness's annualisation of Sharpe ratios (√252).
const sharpeDays = 252

// eulerGamma is the Euler–Mascheroni constant.
const eulerGamma = 0.5772156649015329

// DeflatedSharpe is the deflated Sharpe ratio of Bailey and López de Prado
// (2014, "The Deflated Sharpe Ratio", Journal of Portfolio Management 40(5)):
// the probability that the true Sharpe ratio of the best of n trials
// exceeds the maximum expected from n skill-less trials, given its observed
// per-period Sharpe ratio sr over t returns and the variance of the trials'
// per-period Sharpe ratios, assuming normal returns (skewness 0, kurtosis 3):
//
//	sr0 = √variance · ((1−γ)·Φ⁻¹(1 − 1/n) + γ·Φ⁻¹(1 − 1/(n·e)))
//	dsr = Φ((sr − sr0)·√(t − 1) / √(1 + sr²/2))
//
// with γ the Euler–Mascheroni constant; sr0 is 0 when n < 2. It panics if
// t < 2 or n < 1.
func DeflatedSharpe(sr, variance float64, n, t int) (dsr, sr0 float64) {
	if t < 2 || n < 1 {
		panic("report: DeflatedSharpe needs t >= 2 and n >= 1")
	}
	z := distuv.UnitNormal
	if n >= 2 {
		sr0 = math.Sqrt(variance) * ((1-eulerGamma)*z.Quantile(1-1/float64(n)) + eulerGamma*z.Quantile(1-1/(float64(n)*math.E)))
	}
	dsr = z.CDF((sr - sr0) * math.Sqrt(float64(t-1)) / math.Sqrt(1+sr*sr/2))
	return dsr, sr0
}

// backtestDays recovers the number of days of the backtests from their
// total and annualised returns, annual = (1+total)^(365/days) − 1, as the
// median over the rows where it is defined; 0 when it is nowhere.
func backtestDays(rows []*ledger.Row) int {
	var ds []float64
	for _, r := range rows {
		total, annual := r.Base.TotalReturnPct/100, r.Base.AnnualizedReturnPct/100
		if total <= -1 || annual <= -1 || math.Abs(math.Log1p(annual)) < 1e-6 {
			continue
		}
		if d := 365 * math.Log1p(total) / math.Log1p(annual); d > 0 && finite(d) {
			ds = append(ds, d)
		}
	}
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return int(math.Round(ds[len(ds)/2]))
}

// ranks returns the ranks of xs (1 = smallest), ties sharing their mean
// rank.
func ranks(xs []float64) []float64 {
	idx := make([]int, len(xs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case xs[a] < xs[b]:
			return -1
		case xs[a] > xs[b]:
			return 1
		}
		return 0
	})
	r := make([]float64, len(xs))
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && xs[idx[j]] == xs[idx[i]] {
			j++
		}
		mean := float64(i+j+1) / 2 // ranks i+1..j
		for _, k := range idx[i:j] {
			r[k] = mean
		}
		i = j
	}
	return r
}
