package validate

import (
	"errors"
	"math"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// eulerGamma is the Euler–Mascheroni constant.
const eulerGamma = 0.5772156649015329

// ExpectedMaxSharpe is the expected maximum of the Sharpe ratios of trials
// independent trials whose true Sharpe ratio is zero and whose estimated
// Sharpe ratios have variance variance (Bailey and López de Prado, "The
// deflated Sharpe ratio: correcting for selection bias, backtest
// overfitting and non-normality", Journal of Portfolio Management 40(5),
// 2014, eq. 2; trials need not be an integer, so an effective number of
// trials can be used):
//
//	SR₀ = √variance · ((1 − γ)·Φ⁻¹(1 − 1/N) + γ·Φ⁻¹(1 − 1/(N·e)))
//
// with γ the Euler–Mascheroni constant and Φ the standard normal CDF. It
// is 0 when trials ≤ 1 (nothing was selected) and panics if variance is
// negative or NaN.
func ExpectedMaxSharpe(trials, variance float64) float64 {
	if !(variance >= 0) {
		panic("validate: ExpectedMaxSharpe needs a non-negative variance")
	}
	if trials <= 1 {
		return 0
	}
	z := distuv.UnitNormal
	return math.Sqrt(variance) * ((1-eulerGamma)*z.Quantile(1-1/trials) + eulerGamma*z.Quantile(1-1/(trials*math.E)))
}

// ProbabilisticSharpe is the probabilistic Sharpe ratio: the probability
// that the true Sharpe ratio exceeds benchmark, given the per-period Sharpe
// ratio sr estimated from days returns with skewness skew and kurtosis
// kurtosis (not excess: 3 for normal returns) (Bailey and López de Prado,
// "The Sharpe ratio efficient frontier", Journal of Risk 15(2), 2012; eq. 1
// of the deflated Sharpe ratio paper, 2014):
//
//	PSR = Φ((sr − benchmark)·√(T − 1) / √(1 − skew·sr + (kurtosis − 1)/4·sr²))
//
// The radicand is non-negative for the moments of any sample, since
// kurtosis ≥ 1 + skew²; rounding below 0 is taken as 0, and 0/0 (sr equal
// to benchmark with a zero radicand) gives 1/2. It panics if days < 2.
func ProbabilisticSharpe(sr, benchmark float64, days int, skew, kurtosis float64) float64 {
	if days < 2 {
		panic("validate: ProbabilisticSharpe needs at least 2 days")
	}
	den := math.Sqrt(math.Max(0, 1-skew*sr+(kurtosis-1)/4*sr*sr))
	z := (sr - benchmark) * math.Sqrt(float64(days-1)) / den
	if math.IsNaN(z) {
		return 0.5
	}
	return distuv.UnitNormal.CDF(z)
}

// DSR is the deflated Sharpe ratio of the best of a set of trials.
type DSR struct {
	// Best is the column of the trial with the highest Sharpe ratio
	// (lowest index on ties).
	Best int
	// Sharpe, Skewness and Kurtosis (not excess) describe the best
	// trial's daily returns over Days days: the per-period Sharpe ratio
	// (Sharpe) and the population moments m₃/m₂^1.5 and m₄/m₂².
	Sharpe, Skewness, Kurtosis float64
	Days                       int
	// Trials is the number of independent trials used, and Variance the
	// sample variance (n − 1) of all the trials' per-period Sharpe ratios.
	Trials, Variance float64
	// ExpectedMax is SR₀, the expected maximum per-period Sharpe ratio of
	// Trials skill-less trials (ExpectedMaxSharpe).
	ExpectedMax float64
	// PSR is the probabilistic Sharpe ratio of the best trial against 0,
	// DSR against ExpectedMax: the probability that its true Sharpe ratio
	// beats the best that luck alone would give.
	PSR, DSR float64
}

// DeflatedSharpe computes the deflated Sharpe ratio (Bailey and López de
// Prado 2014) of the trial with the highest Sharpe ratio among the columns
// of returns (T days × N trials), deflated for trials independent trials:
//
//	DSR = PSR(SR₀),  SR₀ = ExpectedMaxSharpe(trials, V[SR_n])
//
// trials is typically EffectiveTrials(returns).Trials, which discounts
// correlated trials; 0 means N. Sharpe ratios are per period, with the
// sample standard deviation (Sharpe).
//
// It returns an error if there are fewer than 3 days, if the matrix is
// ragged or holds a bad return (an *InputError), if trials is negative or
// NaN, or if the best trial's returns are constant (no skewness).
func DeflatedSharpe(returns [][]float64, trials float64) (DSR, error) {
	t, n, err := checkMatrix(returns, 3, 1, "returns")
	if err != nil {
		return DSR{}, err
	}
	if !(trials >= 0) {
		return DSR{}, errors.New("validate: DeflatedSharpe needs a non-negative number of trials")
	}
	if trials == 0 {
		trials = float64(n)
	}
	moments := make([]Moments, n)
	for _, row := range returns {
		for c, r := range row {
			moments[c].add(r)
		}
	}
	srs := make([]float64, n)
	best := 0
	for c, m := range moments {
		srs[c] = Sharpe(m)
		if srs[c] > srs[best] {
			best = c
		}
	}
	variance := 0.0
	if n > 1 {
		variance = stat.Variance(srs, nil)
	}
	if moments[best].variance() == 0 {
		return DSR{}, errors.New("validate: DeflatedSharpe: the best trial's returns are constant")
	}
	col := make([]float64, t)
	for d, row := range returns {
		col[d] = row[best]
	}
	skew, kurt := shapeMoments(col)
	res := DSR{
		Best:     best,
		Sharpe:   srs[best],
		Skewness: skew,
		Kurtosis: kurt,
		Days:     t,
		Trials:   trials,
		Variance: variance,
	}
	res.ExpectedMax = ExpectedMaxSharpe(trials, variance)
	res.PSR = ProbabilisticSharpe(res.Sharpe, 0, t, skew, kurt)
	res.DSR = ProbabilisticSharpe(res.Sharpe, res.ExpectedMax, t, skew, kurt)
	return res, nil
}

// shapeMoments returns the population skewness m₃/m₂^1.5 and kurtosis
// m₄/m₂² of xs, with m_k the k-th central moment, computed on the
// standardised values so that tiny or huge returns neither underflow nor
// overflow. xs must not be constant.
func shapeMoments(xs []float64) (skew, kurt float64) {
	mean := stat.Mean(xs, nil)
	var m2 float64
	for _, x := range xs {
		m2 += (x - mean) * (x - mean)
	}
	n := float64(len(xs))
	sd := math.Sqrt(m2 / n)
	for _, x := range xs {
		z := (x - mean) / sd
		skew += z * z * z
		kurt += z * z * z * z
	}
	return skew / n, kurt / n
}
