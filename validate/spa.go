package validate

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// SPAConfig configures SuperiorPredictiveAbility. The zero value draws 1,000
// resamples of mean block length 10 days from seed 0.
type SPAConfig struct {
	// Draws is B, the number of bootstrap resamples, from 10 to
	// MaxSPADraws; 0 means 1,000. The p-values are multiples of 1/B.
	Draws int
	// BlockLength is the mean length in days of the stationary
	// bootstrap's blocks, at least 1 (1 resamples days independently) and
	// at most the number of days; 0 means 10.
	BlockLength float64
	// Seed seeds the PCG generator of the resamples: the same inputs and
	// seed give the same p-values.
	Seed uint64
}

// MaxSPADraws bounds SPAConfig.Draws.
const MaxSPADraws = 1_000_000

// spaStream is the PCG stream of the bootstrap, fixed so that Seed alone
// selects the resamples.
const spaStream = 0x5ba11ce

// SPA is the outcome of Hansen's test for superior predictive ability and
// White's reality check.
type SPA struct {
	// Statistic is Hansen's T_SPA, the largest studentised mean
	// differential (0 if none is positive), and Best the candidate with the
	// largest studentised mean differential, even when negative (lowest
	// index on ties; 0 when every differential is constant).
	Statistic float64
	Best      int
	// PValue is the consistent p-value SPA_c, the one to report;
	// PValueLower and PValueUpper are Hansen's SPA_l and SPA_u bounds.
	PValue, PValueLower, PValueUpper float64
	// RealityCheck is White's statistic max_k √T·d̄_k and
	// RealityCheckPValue its p-value.
	RealityCheck, RealityCheckPValue float64
	// MeanDifferential is d̄_k, each candidate's mean daily return minus the
	// benchmark's.
	MeanDifferential []float64
	// Days, Draws and BlockLength are T, B and the mean block length used.
	Days, Draws int
	BlockLength float64
}

// SuperiorPredictiveAbility tests whether any of K candidates beats a
// benchmark: Hansen's test for superior predictive ability (Hansen, "A test
// for superior predictive ability", Journal of Business & Economic
// Statistics 23(4), 2005) with White's reality check beside it (White, "A
// reality check for data snooping", Econometrica 68(5), 2000). candidates
// is the T×K matrix of the candidates' daily returns (one row per day),
// benchmark the benchmark's T daily returns. The null hypothesis is that no
// candidate's expected differential d_k,t = candidates[t][k] − benchmark[t]
// is positive.
//
// Resamples come from the stationary bootstrap (Politis and Romano, "The
// stationary bootstrap", Journal of the American Statistical Association
// 89(428), 1994): blocks of consecutive days, wrapping around the end, of
// geometric length with mean cfg.BlockLength, each starting on a uniform
// day. With d̄*_k,b the mean differential of resample b:
//
//	ω̂²_k   = (1/B) Σ_b (√T·(d̄*_k,b − d̄_k))²
//	T_SPA  = max(0, max_k √T·d̄_k / ω̂_k)
//	T*_b   = max(0, max_k √T·(d̄*_k,b − g(d̄_k)) / ω̂_k)
//	g_c(x) = x·1{x ≥ −ω̂_k·√(2·log log T / T)},  g_l(x) = max(x, 0),  g_u(x) = x
//	p      = #{b : T*_b ≥ T_SPA} / B
//	RC     = max_k √T·d̄_k,  RC*_b = max_k √T·(d̄*_k,b − d̄_k),  p_RC = #{b : RC*_b ≥ RC} / B
//
// The p-values count ties as exceedances, so that T_SPA = 0 (no candidate
// ahead) gives p = 1 rather than counting the resamples floored at 0 as
// below it. Candidates whose differential is constant (such as the
// benchmark itself) have ω̂ = 0 and are left out of the studentised
// statistics; if all are, Statistic is 0 and the SPA p-values are 1.
//
// Block sums come from prefix sums, so a resample costs O(K·T/L), not
// O(K·T). It returns an error if there are fewer than 10 days, if the
// lengths disagree, if the matrices hold a bad return (an *InputError), or
// if cfg is out of range.
func SuperiorPredictiveAbility(candidates [][]float64, benchmark []float64, cfg SPAConfig) (SPA, error) {
	draws := cfg.Draws
	if draws == 0 {
		draws = 1000
	}
	if draws < 10 || draws > MaxSPADraws {
		return SPA{}, fmt.Errorf("validate: SPA needs from 10 to %d draws, got %d", MaxSPADraws, draws)
	}
	t, k, err := checkMatrix(candidates, 10, 1, "candidates")
	if err != nil {
		return SPA{}, err
	}
	if len(benchmark) != t {
		return SPA{}, fmt.Errorf("validate: benchmark has %d days, candidates %d", len(benchmark), t)
	}
	for d, r := range benchmark {
		if badReturn(r) {
			return SPA{}, &InputError{Day: d, Config: -1, Reason: fmt.Sprintf("benchmark return is %v", r)}
		}
	}
	blockLen := cfg.BlockLength
	if blockLen == 0 {
		blockLen = 10
	}
	if !(blockLen >= 1 && blockLen <= float64(t)) {
		return SPA{}, fmt.Errorf("validate: SPA needs a mean block length from 1 to %d days, got %v", t, cfg.BlockLength)
	}

	// prefix[(i)*k+j] = Σ_{d<i} d_j,d, the running sums of the differentials.
	prefix := make([]float64, (t+1)*k)
	diffs := make([]Moments, k)
	for d, row := range candidates {
		cur, next := prefix[d*k:(d+1)*k], prefix[(d+1)*k:(d+2)*k]
		for j, r := range row {
			x := r - benchmark[d]
			next[j] = cur[j] + x
			diffs[j].add(x)
		}
	}
	total := prefix[t*k:]
	sqrtT := math.Sqrt(float64(t))
	res := SPA{MeanDifferential: make([]float64, k), Days: t, Draws: draws, BlockLength: blockLen}
	for j := range k {
		res.MeanDifferential[j] = total[j] / float64(t)
	}

	// means[b*k+j] is d̄*_j of resample b.
	means := make([]float64, draws*k)
	rng := rand.New(rand.NewPCG(cfg.Seed, spaStream))
	for b := range draws {
		acc := means[b*k : (b+1)*k]
		resample(rng, t, blockLen, func(start, end int) {
			if end <= t {
				addSpan(acc, prefix[start*k:(start+1)*k], prefix[end*k:(end+1)*k])
			} else {
				addSpan(acc, prefix[start*k:(start+1)*k], total)
				addSpan(acc, prefix[:k], prefix[(end-t)*k:(end-t+1)*k])
			}
		})
		for j := range acc {
			acc[j] /= float64(t)
		}
	}

	omega := make([]float64, k)
	res.Best = -1
	bestT := math.Inf(-1)
	res.RealityCheck = math.Inf(-1)
	for j := range k {
		mean := res.MeanDifferential[j]
		res.RealityCheck = math.Max(res.RealityCheck, sqrtT*mean)
		if diffs[j].variance() == 0 {
			continue
		}
		var ss float64
		for b := range draws {
			dev := sqrtT * (means[b*k+j] - mean)
			ss += dev * dev
		}
		omega[j] = math.Sqrt(ss / float64(draws))
		if ts := sqrtT * mean / omega[j]; omega[j] > 0 && ts > bestT {
			bestT, res.Best = ts, j
		}
	}
	if res.Best < 0 {
		res.Best = 0
	}
	res.Statistic = math.Max(0, bestT)

	threshold := math.Sqrt(2 * math.Log(math.Log(float64(t))) / float64(t))
	var exceedC, exceedL, exceedU, exceedRC int
	for b := range draws {
		row := means[b*k : (b+1)*k]
		var tc, tl, tu float64 // the floor at 0 is the zero value
		rc := math.Inf(-1)
		for j, m := range row {
			mean := res.MeanDifferential[j]
			dev := sqrtT * (m - mean)
			rc = math.Max(rc, dev)
			if omega[j] == 0 {
				continue
			}
			gc := mean
			if mean < -omega[j]*threshold {
				gc = 0
			}
			tc = math.Max(tc, sqrtT*(m-gc)/omega[j])
			tl = math.Max(tl, sqrtT*(m-math.Max(mean, 0))/omega[j])
			tu = math.Max(tu, dev/omega[j])
		}
		if tc >= res.Statistic {
			exceedC++
		}
		if tl >= res.Statistic {
			exceedL++
		}
		if tu >= res.Statistic {
			exceedU++
		}
		if rc >= res.RealityCheck {
			exceedRC++
		}
	}
	res.PValue = float64(exceedC) / float64(draws)
	res.PValueLower = float64(exceedL) / float64(draws)
	res.PValueUpper = float64(exceedU) / float64(draws)
	res.RealityCheckPValue = float64(exceedRC) / float64(draws)
	return res, nil
}

// resample draws one stationary-bootstrap resample of t days (Politis and
// Romano 1994) as blocks of consecutive days: each starts on a uniform day
// and has a geometric length of mean blockLen, cut short at t days in all;
// span receives each block as start, end with 0 ≤ start < t and
// start < end ≤ start + t, days ≥ t wrapping around to the start.
func resample(rng *rand.Rand, t int, blockLen float64, span func(start, end int)) {
	logStay := math.Log1p(-1 / blockLen) // log of the chance a block goes on; -Inf when blockLen = 1
	for filled := 0; filled < t; {
		n := 1
		if blockLen > 1 {
			n += int(math.Min(math.Log(1-rng.Float64())/logStay, float64(t)))
		}
		n = min(n, t-filled)
		start := rng.IntN(t)
		span(start, start+n)
		filled += n
	}
}

// addSpan adds hi − lo to acc elementwise: the sums over a span of days
// from two rows of prefix sums.
func addSpan(acc, lo, hi []float64) {
	for j := range acc {
		acc[j] += hi[j] - lo[j]
	}
}
