package regime

import "math"

// Bounds on the Student-t degrees of freedom estimated by Fit. The lower
// bound keeps the variance finite; above the upper bound the t density is
// indistinguishable from the Gaussian for daily-return sample sizes.
const (
	dfMin = 2.01
	dfMax = 200.0
)

// mstepStudent completes the M-step for Student-t emissions with the two
// conditional maximisation steps of the ECM algorithm for t mixtures (Peel &
// McLachlan 2000, §5-6; Liu & Rubin 1995, §4), using the HMM state
// posteriors γ_t(i) in place of the mixture responsibilities. With the E-step
// weights u_ti = (ν_i+1)/(ν_i + δ²_ti) computed at the current parameters:
//
// CM-step 1, location and squared scale:
//
//	μ_i  = Σ_t γ_t(i) u_ti x_t / Σ_t γ_t(i) u_ti
//	σ²_i = Σ_t γ_t(i) u_ti (x_t - μ_i)² / Σ_t γ_t(i)
//
// CM-step 2, degrees of freedom: ν_i is the root of (Peel & McLachlan 2000,
// eq. 30)
//
//	log(ν/2) - ψ(ν/2) + 1 + (1/n_i) Σ_t γ_t(i) (log u_ti - u_ti)
//	         + ψ((ν_i+1)/2) - log((ν_i+1)/2) = 0,    n_i = Σ_t γ_t(i),
//
// found by safeguarded Newton iteration (dfRoot) and restricted to
// [dfMin, dfMax]. The left-hand side decreases in ν, so the root, or the
// bound it lies beyond, maximises the expected complete-data log-likelihood
// over the interval and each iteration remains a generalised EM step.
func (w *workspace) mstepStudent(m *Model, centre, floor float64) bool {
	for i := 0; i < m.K; i++ {
		n, su := w.occ[i], w.su[i]
		if !(n >= minOccupancy) || !(su > 0) {
			return false
		}
		mu := w.s1[i] / su
		v := (w.s2[i] - mu*w.s1[i]) / n
		if !(v >= floor) || math.IsInf(v, 0) || math.IsNaN(mu) {
			return false
		}
		old := m.DF[i]
		h := (old + 1) / 2
		c := 1 + w.slu[i]/n + digamma(h) - math.Log(h)
		if math.IsNaN(c) || math.IsInf(c, 0) {
			return false
		}
		m.Mean[i] = centre + mu
		m.Var[i] = v
		m.DF[i] = dfRoot(c, old)
	}
	return true
}

// dfRoot returns the root in [dfMin, dfMax] of the decreasing function
//
//	f(ν)  = log(ν/2) - ψ(ν/2) + c
//	f'(ν) = 1/ν - ψ'(ν/2)/2
//
// or the bound nearer to the root when f does not change sign on the
// interval. It combines Newton's method with bisection (Press et al. 2007,
// §9.4, rtsafe), starting from guess, and stops when the step is below 1e-12
// relative.
func dfRoot(c, guess float64) float64 {
	f := func(v float64) float64 { return math.Log(v/2) - digamma(v/2) + c }
	lo, hi := dfMin, dfMax
	if f(lo) <= 0 {
		return lo
	}
	if f(hi) >= 0 {
		return hi
	}
	x := guess
	if !(x > lo && x < hi) {
		x = math.Sqrt(lo * hi)
	}
	for iter := 0; iter < 100; iter++ {
		fx := f(x)
		if fx == 0 {
			return x
		}
		if fx > 0 {
			lo = x
		} else {
			hi = x
		}
		d := 1/x - trigamma(x/2)/2
		xn := x - fx/d
		if !(xn > lo && xn < hi) {
			xn = 0.5 * (lo + hi)
		}
		if math.Abs(xn-x) <= 1e-12*x {
			return xn
		}
		x = xn
	}
	return x
}
