package harness

import (
	"math"
	"math/big"
)

// powPrec is the working precision of Pow, in bits: enough that rounding the
// 53-bit result is decided correctly except within about 2^-110 of a
// midpoint.
const powPrec = 128

// Pow returns x^y for x > 0, correctly rounded to the nearest float64.
//
//	x^y = exp(y · ln x), evaluated in 128-bit arithmetic
//
// The reference annualises returns with C's pow (glibc, correctly rounded in
// practice); Go's math.Pow can be off by a hundred ulps, which moves a score
// in its last digits. Pow is slow (tens of microseconds) and meant for the
// few calls per evaluation that feed the score. Other arguments fall back to
// math.Pow.
func Pow(x, y float64) float64 { return powPrecise(x, y, powPrec) }

func powPrecise(x, y float64, prec uint) float64 {
	if !(x > 0) || math.IsInf(x, 0) || math.IsNaN(y) || math.IsInf(y, 0) || y == 0 || x == 1 {
		return math.Pow(x, y)
	}
	if r := math.Pow(x, y); r == 0 || math.IsInf(r, 0) {
		return r // underflow or overflow: the rounding question does not arise
	}
	l := bigLog(x, prec)
	l.Mul(l, newBig(y, prec))
	r, _ := bigExp(l, prec).Float64()
	return r
}

func newBig(x float64, prec uint) *big.Float { return new(big.Float).SetPrec(prec).SetFloat64(x) }

// bigExp returns e^a by the Taylor series on a/2^8, squared 8 times.
func bigExp(a *big.Float, prec uint) *big.Float {
	const k = 8
	r := new(big.Float).SetPrec(prec).SetMantExp(a, -k)
	sum := newBig(1, prec)
	term := newBig(1, prec)
	for i := 1; i < 200; i++ {
		term.Mul(term, r)
		term.Quo(term, newBig(float64(i), prec))
		sum.Add(sum, term)
		if term.Sign() == 0 || term.MantExp(nil)-sum.MantExp(nil) < -int(prec) {
			break
		}
	}
	for range k {
		sum.Mul(sum, sum)
	}
	return sum
}

// bigLog returns ln x by Halley's iteration on e^l = x, started from
// math.Log(x); each step triples the number of correct bits, so two steps
// take the 53-bit start past 128 bits.
//
//	l ← l + 2·(x − e^l)/(x + e^l)
func bigLog(x float64, prec uint) *big.Float {
	bx := newBig(x, prec)
	l := newBig(math.Log(x), prec)
	num, den := newBig(0, prec), newBig(0, prec)
	for n := 53; n < int(prec)+8; n *= 3 {
		e := bigExp(l, prec)
		num.Sub(bx, e)
		den.Add(bx, e)
		num.Quo(num, den)
		l.Add(l, num.Add(num, num))
	}
	return l
}
