package levmar

import "math"

// FitExponential fits
//
//	y_i ≈ a0 * a1^x_i,   x_i = i = 0..len(y)-1
//
// by Solve from (a0, a1), exactly as scipy's
// curve_fit(lambda x, a0, a1: a0 * a1**x, x, y, p0=(a0, a1), method="lm", maxfev=5000)
// does: unweighted residuals model − y, DefaultSettings with MaxFev 5000. It
// returns the fitted parameters and MINPACK's Info and Nfev.
//
// The result is returned whatever Info is. curve_fit raises when Info is not
// in 1..4 (for example 5 when maxfev is reached); a caller reproducing it must
// treat that as a failed fit, as well as non-finite parameters.
//
// The model is evaluated as numpy does, a0 * pow(a1, x_i) − y_i. pow(a1, i)
// for the integer abscissae is computed as a correctly rounded power (an
// error-free product chain in double-double arithmetic, falling back to
// math.Pow only near overflow or underflow). glibc's pow is correctly rounded
// in all but rare cases, so this matches it; numpy's AVX-512 SIMD pow can
// differ from it by 1 ulp on some elements, which moves fits by about 1e-10
// relative and can, rarely, change Nfev or Info.
//
// work may be nil. FitExponential panics if len(y) < 2.
func FitExponential(y []float64, a0, a1 float64, work *Workspace) (fa0, fa1 float64, res Result) {
	m := len(y)
	if m < 2 {
		panic("levmar: FitExponential needs at least 2 observations")
	}
	if work == nil {
		work = &Workspace{}
	}
	pc := &work.pow
	pc.reset(m)
	set := DefaultSettings()
	set.MaxFev = 5000
	p := work.params[:]
	p[0], p[1] = a0, a1
	res = Solve(func(x, fvec []float64) {
		b0 := x[0]
		pw := pc.powers(x[1])
		for i, v := range y {
			fvec[i] = b0*pw[i] - v
		}
	}, m, p, &set, work)
	return p[0], p[1], res
}

// powCache keeps a1^i (i = 0..len(p)-1) for the last base asked for. Solve
// evaluates the model at the same a1 for the base point and the a0 column of
// the Jacobian, so this saves a third of the power evaluations.
type powCache struct {
	base  float64
	valid bool
	p     []float64
}

// reset sizes the cache for m points and invalidates it.
func (c *powCache) reset(m int) {
	if cap(c.p) < m {
		c.p = make([]float64, m)
	}
	c.p = c.p[:m]
	c.valid = false
}

// powers returns b^i for i = 0..len(c.p)-1, computing them if b differs (as
// a bit pattern) from the cached base.
func (c *powCache) powers(b float64) []float64 {
	if c.valid && math.Float64bits(c.base) == math.Float64bits(b) {
		return c.p
	}
	intPowers(c.p, b)
	c.base, c.valid = b, true
	return c.p
}

// intPowers sets dst[i] = b^i, rounded to nearest from an accurate value.
//
// The powers are built by repeated multiplication in double-double
// arithmetic: with b^(i-1) ≈ hi + lo,
//
//	ph = fl(hi*b),  pl = fma(hi, b, -ph) + lo*b   (ph + pl ≈ b^i to ~2^-104)
//	hi = fl(ph + pl),  lo = pl - (hi - ph)
//
// so after i steps the relative error of hi + lo is about i·2^-104 and
// fl(ph + pl) is the correctly rounded b^i except when b^i lies within that
// distance of a rounding midpoint. Where the chain would leave the normal
// range (or b is not finite) the remaining powers come from math.Pow.
func intPowers(dst []float64, b float64) {
	if len(dst) == 0 {
		return
	}
	dst[0] = 1 // pow(b, 0) is 1 for every b, NaN included.
	if len(dst) == 1 {
		return
	}
	dst[1] = b
	const lowest, highest = 0x1p-960, 0x1p1000
	ab := math.Abs(b)
	if !(ab > lowest && ab < highest) {
		for i := 2; i < len(dst); i++ {
			dst[i] = math.Pow(b, float64(i))
		}
		return
	}
	hi, lo := b, 0.0
	for i := 2; i < len(dst); i++ {
		ph := hi * b
		pl := math.FMA(hi, b, -ph)
		pl += lo * b
		hi = ph + pl
		lo = pl - (hi - ph)
		if a := math.Abs(hi); !(a > lowest && a < highest) {
			for k := i; k < len(dst); k++ {
				dst[k] = math.Pow(b, float64(k))
			}
			return
		}
		dst[i] = hi
	}
}
