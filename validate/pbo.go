package validate

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/combin"
)

// PBOConfig configures PBO. The zero value is the paper's setting: 16
// blocks, configurations ranked by their Sharpe ratio.
type PBOConfig struct {
	// Blocks is S, the number of blocks of consecutive days the history is
	// cut into: even, from 2 to MaxPBOBlocks. 0 means 16. PBO evaluates
	// all C(S, S/2) splits (12,870 for S = 16).
	Blocks int
	// Performance ranks the configurations on each half; nil means Sharpe.
	Performance Performance
}

// MaxPBOBlocks is the largest number of blocks PBO accepts: C(24, 12) is
// 2,704,156 splits.
const MaxPBOBlocks = 24

// Thresholds below which PBOResult.Warnings says the answer is unstable.
const (
	// pboMinConfigs: with N configurations the relative rank ω takes only
	// N values, so the logits are coarse and PBO moves in steps.
	pboMinConfigs = 10
	// pboMinBlockDays: a block shorter than about a trading month makes
	// each half's performance, and so its ranking, mostly noise.
	pboMinBlockDays = 20
)

// PBOResult is the outcome of combinatorially symmetric cross-validation.
type PBOResult struct {
	// PBO is the probability of backtest overfitting: the share of splits
	// in which the configuration best in sample ranks at or below the
	// median out of sample (logit ≤ 0).
	PBO float64
	// Logits holds λ_c for each split c, in the lexicographic order of the
	// in-sample block sets ({0..S/2−1} first).
	Logits []float64
	// InSample and OutOfSample are, for each split in the same order, the
	// performance of the in-sample best configuration in sample and out of
	// sample.
	InSample, OutOfSample []float64
	// Slope and Intercept fit the performance degradation by least squares,
	// OutOfSample ≈ Intercept + Slope·InSample; a negative slope is the
	// paper's symptom of overfitting. NaN when InSample is constant.
	Slope, Intercept float64
	// ProbOOSLoss is the share of splits in which the in-sample best has a
	// negative out-of-sample performance (a loss, for Sharpe).
	ProbOOSLoss float64
	// Splits is C(S, S/2), Blocks is S, and MinBlockDays the length of the
	// shortest block.
	Splits, Blocks, MinBlockDays int
	// Warnings name the reasons the answer may be unstable (too few
	// configurations, too few days per block); empty when there are none.
	Warnings []string
}

// PBO estimates the probability of backtest overfitting by combinatorially
// symmetric cross-validation (Bailey, Borwein, López de Prado and Zhu,
// "The probability of backtest overfitting", Journal of Computational
// Finance 20(4), 2017). returns is the T×N matrix of daily returns, one row
// per day, one column per configuration. The T days are cut into S blocks
// of consecutive days, block s covering days ⌊sT/S⌋ to ⌊(s+1)T/S⌋−1. For
// every set J of S/2 blocks (in sample; its complement J̄ out of sample):
//
//	n*  = argmax_n R_n(J)                     the in-sample best (lowest index on ties)
//	ω_c = rank of R̄_{n*}(J̄) among R̄(J̄) / (N + 1)    rank 1 = worst, ties share their mean rank
//	λ_c = ln(ω_c / (1 − ω_c))
//	PBO = #{c : λ_c ≤ 0} / C(S, S/2)
//
// where R and R̄ are cfg.Performance over the days of J and J̄. Each
// block's Moments are computed once, so a split costs O(N·S), not O(N·T),
// and a split and its mirror image (J and J̄ swapped) share one pass: PBO
// takes O(C(S, S/2)·N·S) time and O(C(S, S/2) + S·N) memory.
//
// It returns an error if S is not even or outside 2..MaxPBOBlocks, if
// there are fewer than 2 configurations or 2·S days, if cfg.Performance
// returns NaN, or if the matrix is ragged or holds a bad return (an
// *InputError).
func PBO(returns [][]float64, cfg PBOConfig) (PBOResult, error) {
	s := cfg.Blocks
	if s == 0 {
		s = 16
	}
	if s < 2 || s%2 != 0 || s > MaxPBOBlocks {
		return PBOResult{}, fmt.Errorf("validate: PBO needs an even number of blocks from 2 to %d, got %d", MaxPBOBlocks, s)
	}
	perf := cfg.Performance
	if perf == nil {
		perf = Sharpe
	}
	t, n, err := checkMatrix(returns, 2*s, 2, "returns")
	if err != nil {
		return PBOResult{}, err
	}

	// blocks[b*n+c] holds configuration c's moments over block b.
	blocks := make([]Moments, s*n)
	minDays := t
	for b := range s {
		lo, hi := b*t/s, (b+1)*t/s
		minDays = min(minDays, hi-lo)
		bm := blocks[b*n : (b+1)*n]
		for _, row := range returns[lo:hi] {
			for c, r := range row {
				bm[c].add(r)
			}
		}
	}

	splits := combin.Binomial(s, s/2)
	res := PBOResult{
		Logits:       make([]float64, splits),
		InSample:     make([]float64, splits),
		OutOfSample:  make([]float64, splits),
		Splits:       splits,
		Blocks:       s,
		MinBlockDays: minDays,
	}
	if n < pboMinConfigs {
		res.Warnings = append(res.Warnings, fmt.Sprintf("only %d configurations: the out-of-sample rank takes %d values, so PBO is coarse (want at least %d)", n, n, pboMinConfigs))
	}
	if minDays < pboMinBlockDays {
		res.Warnings = append(res.Warnings, fmt.Sprintf("only %d days per block: each half's ranking is mostly noise (want at least %d; use fewer blocks or more days)", minDays, pboMinBlockDays))
	}

	var overfit, losses int
	// record stores split c, whose halves have performances isPerf and
	// oosPerf.
	record := func(c int, isPerf, oosPerf []float64) {
		best := 0
		for j, p := range isPerf {
			if p > isPerf[best] {
				best = j
			}
		}
		omega := meanRank(oosPerf, best) / float64(n+1)
		lambda := math.Log(omega / (1 - omega))
		if lambda <= 0 {
			overfit++
		}
		if oosPerf[best] < 0 {
			losses++
		}
		res.Logits[c], res.InSample[c], res.OutOfSample[c] = lambda, isPerf[best], oosPerf[best]
	}

	// In lexicographic order the complement of the i-th set of S/2 blocks
	// is the (C−1−i)-th (complementing reverses the order of the sets'
	// indicator vectors), and the first C/2 sets are those holding block 0:
	// each pass computes a set and its complement, two splits.
	inSample := make([]bool, s)
	is, oos := make([]Moments, n), make([]Moments, n)
	isPerf, oosPerf := make([]float64, n), make([]float64, n)
	comb := make([]int, s/2)
	gen := combin.NewCombinationGenerator(s, s/2)
	for i := 0; i < splits/2 && gen.Next(); i++ {
		gen.Combination(comb)
		clear(inSample)
		for _, b := range comb {
			inSample[b] = true
		}
		clear(is)
		clear(oos)
		for b := range s {
			dst := oos
			if inSample[b] {
				dst = is
			}
			for c, m := range blocks[b*n : (b+1)*n] {
				dst[c] = dst[c].plus(m)
			}
		}
		for c := range n {
			isPerf[c], oosPerf[c] = perf(is[c]), perf(oos[c])
			if math.IsNaN(isPerf[c]) || math.IsNaN(oosPerf[c]) {
				return PBOResult{}, fmt.Errorf("validate: configuration %d's performance is NaN in split %d", c, i)
			}
		}
		record(i, isPerf, oosPerf)
		record(splits-1-i, oosPerf, isPerf)
	}
	res.PBO = float64(overfit) / float64(splits)
	res.ProbOOSLoss = float64(losses) / float64(splits)
	res.Intercept, res.Slope = stat.LinearRegression(res.InSample, res.OutOfSample, nil, false)
	if constant(res.InSample) {
		res.Intercept, res.Slope = math.NaN(), math.NaN()
	}
	return res, nil
}

// meanRank returns the rank of xs[i] among xs, 1 for the smallest, ties
// sharing their mean rank.
func meanRank(xs []float64, i int) float64 {
	var below, equal int
	for _, x := range xs {
		switch {
		case x < xs[i]:
			below++
		case x == xs[i]:
			equal++
		}
	}
	return float64(below) + float64(equal+1)/2
}

// constant reports whether all of xs are equal.
func constant(xs []float64) bool {
	for _, x := range xs {
		if x != xs[0] {
			return false
		}
	}
	return true
}
