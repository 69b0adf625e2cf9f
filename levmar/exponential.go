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
// The model is evaluated as numpy does, a0 * pow(a1, x_i) − y_i, with
// pow(a1, i) correctly rounded (see Powers). glibc's pow is correctly rounded
// on all but about 0.1% of such elements; Go's math.Pow is off by up to
// hundreds of ulps for i in the hundreds. numpy's AVX-512 SIMD pow, which the
// Python reference used, is 1 ulp off on about a quarter of them; that moves
// the fits by up to about 3e-10 relative in a1 and 5e-9 in a0, and can,
// rarely, change Info (2 versus 3).
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
			fvec[i] = float64(b0*pw[i]) - v
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

// Powers sets dst[i] = b^i for i = 0..len(dst)-1, correctly rounded (see
// intPowers for the rare exception). This is what numpy computes for
// b ** np.arange(len(dst)) with glibc's pow, up to glibc's rare misroundings;
// use it to evaluate a fitted curve the way FitExponential does. Go's
// math.Pow(b, i) differs from it by up to hundreds of ulps for large i.
func Powers(dst []float64, b float64) { intPowers(dst, b) }

// intPowers sets dst[i] = b^i, rounded to nearest from an accurate value.
//
// The powers are products in double-double arithmetic (a value is an
// unevaluated sum hi + lo). With B = b^4 and four interleaved chains, which
// keeps the floating point units busy instead of waiting on one dependency
// chain, each step is
//
//	ph = fl(hi*Bhi),  pl = fma(hi, Bhi, -ph) + (hi*Blo + lo*Bhi)
//	hi' = fl(ph + pl),  lo' = pl - (hi' - ph)
//
// so b^i carries a relative error of a few times (i/4)·2^-104 before its
// final rounding, and hi' = fl(ph + pl) is the correctly rounded b^i except
// when b^i lies within that distance of a rounding midpoint (never seen in
// tests against exact arithmetic). Where the chain would leave the normal
// range (or b is not finite or zero) the remaining powers come from math.Pow.
func intPowers(dst []float64, b float64) {
	n := len(dst)
	if n == 0 {
		return
	}
	dst[0] = 1 // pow(b, 0) is 1 for every b, NaN included.
	if n == 1 {
		return
	}
	dst[1] = b
	if n == 2 {
		return
	}
	if !inDDRange(b) {
		powTail(dst, b, 2)
		return
	}
	h2 := float64(b * b)
	l2 := math.FMA(b, b, -h2)
	h3, l3 := ddMul(h2, l2, b, 0)
	bh, bl := ddMul(h2, l2, h2, l2)
	if !inDDRange(h2) || !inDDRange(h3) || !inDDRange(bh) {
		powTail(dst, b, 2)
		return
	}
	dst[2] = h2
	if n > 3 {
		dst[3] = h3
	}
	// Chains k = 0..3 hold b^(i+k).
	h0, l0 := 1.0, 0.0
	h1, l1 := b, 0.0
	for i := 4; i < n; i += 4 {
		h0, l0 = ddMul(h0, l0, bh, bl)
		h1, l1 = ddMul(h1, l1, bh, bl)
		h2, l2 = ddMul(h2, l2, bh, bl)
		h3, l3 = ddMul(h3, l3, bh, bl)
		if !inDDRange(h0) || !inDDRange(h1) || !inDDRange(h2) || !inDDRange(h3) {
			powTail(dst, b, i)
			return
		}
		switch n - i {
		default:
			dst[i+3] = h3
			fallthrough
		case 3:
			dst[i+2] = h2
			fallthrough
		case 2:
			dst[i+1] = h1
			fallthrough
		case 1:
			dst[i] = h0
		}
	}
}

// ddMul returns the double-double product of (ah + al) and (bh + bl),
// renormalised.
func ddMul(ah, al, bh, bl float64) (hi, lo float64) {
	ph := float64(ah * bh)
	pl := math.FMA(ah, bh, -ph) + (float64(ah*bl) + float64(al*bh))
	hi = ph + pl
	lo = pl - (hi - ph)
	return hi, lo
}

// inDDRange reports whether |v| is far enough inside the normal range for
// the double-double products above to stay exact in their low parts.
func inDDRange(v float64) bool {
	a := math.Abs(v)
	return a > 0x1p-960 && a < 0x1p1000
}

// powTail sets dst[i] = math.Pow(b, i) for i >= from.
func powTail(dst []float64, b float64, from int) {
	for i := from; i < len(dst); i++ {
		dst[i] = math.Pow(b, float64(i))
	}
}
