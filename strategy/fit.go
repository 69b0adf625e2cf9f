package strategy

import (
	"math"

	"gonum.org/v1/gonum/stat"

	"gem/harness"
	"gem/levmar"
)

// Fit is the trend fit of one token on one day.
type Fit struct {
	A1 float64 // growth factor per day (a1 of close ≈ a0·a1^x); 1+slope/level for the linear model
	R2 float64 // coefficient of determination of the fit on the raw closes
	OK bool    // false when the token could not be fitted (fewer than 2 closes)
}

// Momentum is the specialist's ranking signal:
//
//	momentum = R2^k · (a1 − 1) · 100
//
// with k the R² exponent. A negative R² (possible only on a fallback fit)
// raised to a non-integer k is NaN, which fails every filter.
func (f Fit) Momentum(k float64) float64 {
	var p float64
	switch k {
	case 2:
		p = f.R2 * f.R2 // what C's pow(r2, 2) returns: the correctly rounded square
	case 1:
		p = f.R2
	default:
		p = math.Pow(f.R2, k)
	}
	return p * (f.A1 - 1) * 100
}

// FitModel names the trend model fitted to closes.
type FitModel string

const (
	// Exponential fits close ≈ a0·a1^x by least squares in price space,
	// started from the log-linear fit.
	Exponential FitModel = "exponential"
	// Linear fits close ≈ b0 + b1·x by ordinary least squares; its growth
	// factor is 1 + b1/mean(close), the daily slope relative to the level.
	Linear FitModel = "linear"
)

// fitter holds the scratch space of a fit table's fits.
type fitter struct {
	x, sq, pw []float64
	lm        levmar.Workspace
}

// fitCloses fits the model to closes y (x = 0..n−1); lny holds their
// natural logs (used by the exponential model only). abs selects the
// reference's absolute variance floor for R² (SS_tot < 1e-12 gives R² = 0,
// which makes every low-priced token unfittable); otherwise the floor is
// relative to the price level.
func (w *fitter) fitCloses(model FitModel, y, lny []float64, abs bool) (a1, r2, mean float64) {
	n := len(y)
	if cap(w.x) < n {
		w.x = make([]float64, n)
		w.sq = make([]float64, n)
		w.pw = make([]float64, n)
		for i := range w.x {
			w.x[i] = float64(i)
		}
	}
	x, sq, pw := w.x[:n], w.sq[:n], w.pw[:n]
	mean = harness.Mean(y)
	var a0 float64
	switch model {
	case Linear:
		b0, b1 := stat.LinearRegression(x, y, nil, false)
		a0, a1 = b0, b1
		for i := range sq {
			r := y[i] - (b0 + b1*x[i])
			sq[i] = r * r
		}
	default:
		b0, b1 := stat.LinearRegression(x, lny, nil, false)
		i0, i1 := math.Exp(b0), math.Exp(b1)
		f0, f1, res := levmar.FitExponential(y, i0, i1, &w.lm)
		if res.Info < 1 || res.Info > 4 || math.IsNaN(f0) || math.IsInf(f0, 0) || math.IsNaN(f1) || math.IsInf(f1, 0) {
			f0, f1 = i0, i1 // the reference falls back to the log-linear guess
		}
		a0, a1 = f0, f1
		levmar.Powers(pw, a1) // a1^x as C's pow rounds it; math.Pow can be hundreds of ulps off
		for i := range sq {
			r := y[i] - a0*pw[i]
			sq[i] = r * r
		}
	}
	ssRes := harness.PairwiseSum(sq)
	for i, v := range y {
		d := v - mean
		sq[i] = d * d
	}
	ssTot := harness.PairwiseSum(sq)
	floor := 1e-12
	if !abs {
		floor = 1e-12 * float64(n) * mean * mean
	}
	if ssTot < floor {
		r2 = 0
	} else {
		r2 = 1 - ssRes/ssTot
	}
	if model == Linear {
		a1 = 1 + a1/mean
	}
	return a1, r2, mean
}

// atr is the average true range over the last lookback rows of the window,
// divided by the window's mean close:
//
//	TR_i = max(H_i − L_i, |H_i − C_{i−1}|, |L_i − C_{i−1}|)
//	ATR  = (Σ_{i=1}^{lookback−1} TR_i) / (lookback − 1) / mean(close)
//
// Rows without a high or low use |C_i − C_{i−1}|. It is 0 when lookback ≤ 1
// or the mean close is not positive.
func atr(high, low, close []float64, window int, mean float64) float64 {
	n := len(close)
	lookback := min(n, window)
	if lookback <= 1 || !(mean > 0) {
		return 0
	}
	start := n - lookback
	sum := 0.0
	for i := start + 1; i < n; i++ {
		prev := close[i-1]
		h, l := high[i], low[i]
		var tr float64
		if math.IsNaN(h) || math.IsNaN(l) {
			tr = math.Abs(close[i] - prev)
		} else {
			tr = max(h-l, math.Abs(h-prev), math.Abs(l-prev))
		}
		sum += tr
	}
	return sum / float64(lookback-1) / mean
}
