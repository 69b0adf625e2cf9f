package levmar

import "math"

// FitExponential fits
//
//	y_i ≈ a0 * a1^x_i,   x_i = i = 0..len(y)-1
//
// by Levenberg–Marquardt from (a0, a1), exactly as scipy's
// curve_fit(lambda x, a0, a1: a0 * a1**x, x, y, p0=(a0, a1), method="lm", maxfev=5000)
// does: unweighted residuals model − y, scipy.optimize.leastsq's default
// tolerances (ftol = xtol = 1.49012e-8, gtol = 0, epsfcn = 2^-52,
// factor = 100) with MaxFev 5000. It
// returns the fitted parameters and MINPACK's Info and Nfev.
//
// It runs lmdif specialised to this model (exp2.go): the same floating
// point operations in the same order as MINPACK's general lmdif with the
// model as f (Solve, the tests' oracle in solve_test.go), so its results
// are those of lmdif bit for bit, only faster.
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
	if len(y) < 2 {
		panic("levmar: FitExponential needs at least 2 observations")
	}
	if work == nil {
		work = &Workspace{}
	}
	return fitExp(y, a0, a1, work)
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

// chainSafe reports whether intPowers' range checks cannot fail for the
// powers b^0..b^(n+3), so that its double-double chain may run without them
// and give exactly intPowers' values: |log2 |b^i|| <= (n+4)·log2Bound(b) <
// 900 keeps every power, and every intermediate of the chain, far inside
// (2^-960, 2^1000). It also requires n >= 8, below which intPowers itself is
// as fast.
func chainSafe(b float64, n int) bool {
	return n >= 8 && float64(n+4)*log2Bound(b) < 900
}

// log2Bound returns an upper bound of |log2 |b||, at most a few times too
// large, or +Inf (or NaN) when b is zero, subnormal, infinite or NaN.
func log2Bound(b float64) float64 {
	a := math.Abs(b)
	switch math.Float64bits(a) >> 52 {
	case 1023: // a in [1, 2): ln a <= a - 1, and 1/ln 2 < 1.5.
		return 1.5 * (a - 1)
	case 1022: // a in [1/2, 1): -ln a <= (1 - a)/a <= 2(1 - a), and 2/ln 2 < 3.
		return 3 * (1 - a)
	}
	return log2BoundFar(a)
}

// log2BoundFar is log2Bound for a = |b| outside [1/2, 2).
//
//go:noinline
func log2BoundFar(a float64) float64 {
	e := int(math.Float64bits(a)>>52) - 1023 // a in [2^e, 2^(e+1)) when normal
	switch {
	case e == -1023 || e == 1024:
		return math.Inf(1)
	case e > 0:
		return float64(e + 1)
	default:
		return float64(-e)
	}
}

// powTail sets dst[i] = math.Pow(b, i) for i >= from.
func powTail(dst []float64, b float64, from int) {
	for i := from; i < len(dst); i++ {
		dst[i] = math.Pow(b, float64(i))
	}
}
