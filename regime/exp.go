package regime

import "math"

// expTableBits is log2 of the number of entries of expTable.
const expTableBits = 6

// expTable[j] = 2^(j/64).
var expTable = func() (t [1 << expTableBits]float64) {
	for j := range t {
		t[j] = math.Exp2(float64(j) / (1 << expTableBits))
	}
	return t
}()

// exp returns e^x for x ≤ 0, the only arguments the recursions need (log
// densities shifted by their maximum). It is a table-driven evaluation in
// the manner of Tang (1989), "Table-driven implementation of the exponential
// function in IEEE floating-point arithmetic", ACM TOMS 15(2): with N = 64,
//
//	x = (64m + j)·ln2/64 + r,   |r| ≤ ln2/128,   0 ≤ j < 64
//	e^x = 2^m · (T_j + T_j·(r + r²/2 + r³/6 + r⁴/24 + r⁵/120)),   T_j = 2^(j/64)
//
// where ln2/64 is split into a 33-bit head and a tail so that r is exact to
// working precision. The truncation error of the polynomial is below 4e-17
// relative and the result is within a few units in the last place of
// math.Exp (see TestExp). Arguments below -708, whose results are subnormal
// or zero, and NaN are delegated to math.Exp.
func exp(x float64) float64 {
	const (
		n    = 1 << expTableBits
		invL = n / math.Ln2
		// ln2/64 = lnHi + lnLo; lnHi has 33 significant bits, so k·lnHi
		// is exact for |k| < 2^20.
		lnHi = 0x1.62e42fefp-7
		lnLo = math.Ln2/n - lnHi
	)
	if !(x >= -708) || x > 0 {
		return math.Exp(x)
	}
	kf := math.Floor(x*invL + 0.5)
	k := int(kf)
	r := (x - kf*lnHi) - kf*lnLo
	q := r * (1 + r*(0.5+r*(1.0/6+r*(1.0/24+r*(1.0/120))))) // e^r - 1
	j := k & (n - 1)
	m := (k - j) / n // exact: k - j is a multiple of n
	scale := math.Float64frombits(uint64(m+1023) << 52)
	t := expTable[j]
	return scale * (t + t*q)
}
