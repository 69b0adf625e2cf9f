package validate

import (
	"math"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// Effective is an estimate of the number of independent trials among
// correlated ones.
type Effective struct {
	// Trials is the effective number of independent trials, the
	// participation ratio of the correlation matrix (see EffectiveTrials):
	// between 1 and Configs. It is the figure to pass to DeflatedSharpe.
	Trials float64
	// Configs is N, the raw number of trials, and Constant how many of
	// them have constant returns (they count together as one trial).
	Configs, Constant int
	// AverageCorrelation is ρ̄, the mean correlation over distinct pairs of
	// the M non-constant trials (NaN with fewer than two), and
	// AverageCorrelationTrials the interpolation ρ̄ + (1 − ρ̄)·M between one
	// trial (ρ̄ = 1) and M (ρ̄ = 0), plus one if some trials are constant.
	// It ignores the structure of the correlations (four groups of five
	// clones give 16, not 4, and a trial and its negation 3); it is reported
	// for comparison only.
	AverageCorrelation, AverageCorrelationTrials float64
}

// EffectiveTrials estimates how many independent trials the N columns of
// returns (T days × N trials) amount to, from the eigenvalues λ_i of the
// correlation matrix R of the M non-constant trials, by their
// participation ratio (Bretherton, Widmann, Dymnikov, Wallace and Bladé,
// "The effective number of spatial degrees of freedom of a time-varying
// field", Journal of Climate 12(7), 1999):
//
//	N_eff = (Σ λ_i)² / Σ λ_i² = M² / Σ_ij R_ij²    (+1 if some trials are constant)
//
// N identical trials give 1, N uncorrelated ones N, and k uncorrelated
// groups of perfect clones k. A trial and its negation count once. On
// finite samples independent trials give about N / (1 + (N − 1)/(T − 1)),
// since each estimated R_ij² has mean about 1/(T − 1); a factor common to
// all trials (the market) lowers N_eff sharply, so with strongly
// correlated trials compare with AverageCorrelationTrials.
//
// It returns an error if there are fewer than 3 days or if the matrix is
// ragged or holds a bad return (an *InputError).
func EffectiveTrials(returns [][]float64) (Effective, error) {
	t, n, err := checkMatrix(returns, 3, 1, "returns")
	if err != nil {
		return Effective{}, err
	}
	moments := make([]Moments, n)
	for _, row := range returns {
		for c, r := range row {
			moments[c].add(r)
		}
	}
	var cols []int
	for c, m := range moments {
		if m.variance() > 0 {
			cols = append(cols, c)
		}
	}
	res := Effective{Configs: n, Constant: n - len(cols), AverageCorrelation: math.NaN()}
	// The constant trials are one trial, counted once in both estimates.
	base := 0.0
	if res.Constant > 0 {
		base = 1
	}
	res.Trials, res.AverageCorrelationTrials = base, base
	m := len(cols)
	if m == 0 {
		return res, nil
	}
	x := mat.NewDense(t, m, nil)
	for d, row := range returns {
		for j, c := range cols {
			x.Set(d, j, row[c])
		}
	}
	var corr mat.SymDense
	stat.CorrelationMatrix(&corr, x, nil)
	var sumSq, sumOff float64
	for i := range m {
		for j := range m {
			r := corr.At(i, j)
			sumSq += r * r
			if i != j {
				sumOff += r
			}
		}
	}
	res.Trials += float64(m) * float64(m) / sumSq
	if m > 1 {
		res.AverageCorrelation = sumOff / float64(m*(m-1))
		res.AverageCorrelationTrials += res.AverageCorrelation + (1-res.AverageCorrelation)*float64(m)
	} else {
		res.AverageCorrelationTrials++
	}
	return res, nil
}
