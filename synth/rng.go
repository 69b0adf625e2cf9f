package synth

import (
	"math"
	"math/bits"
	"math/rand/v2"
)

// Portability rules for this file and the rest of the package.
//
// The output must be bit-identical on every GOARCH, so the package only uses
// operations whose results IEEE 754 pins down exactly: + - * / and math.Sqrt
// (correctly rounded everywhere), plus math.Floor, math.Frexp, math.Abs and
// integer conversions (exact). It does not call math.Exp, math.Log or
// math.Pow: those have architecture-specific assembly (amd64, arm64, s390x,
// loong64) that may differ from the pure-Go code in the last bit. pexp and
// plog below are portable replacements.
//
// Go may fuse x*y + z into one fused multiply-add on arm64, ppc64, s390x and
// riscv64, which rounds once instead of twice. Every product that feeds an
// addition or subtraction is therefore wrapped in an explicit float64(...)
// conversion, which the spec says forces the rounding and prevents fusion.

const (
	ln2Hi  = 6.93147180369123816490e-01 // high part of ln 2 (k*ln2Hi is exact for |k| < 2^20)
	ln2Lo  = 1.90821492927058770002e-10 // ln 2 - ln2Hi
	invLn2 = 1.44269504088896338700e+00 // 1 / ln 2
)

// pexp is a portable e**x, accurate to a few ulp. It returns +Inf above 709.7
// and 0 below -745, like math.Exp.
func pexp(x float64) float64 {
	switch {
	case x != x:
		return x
	case x > 709.782712893384:
		return math.Inf(1)
	case x < -745.1332191019412:
		return 0
	}
	// x = k ln2 + r with |r| <= ln2/2.
	k := math.Floor(float64(x*invLn2) + 0.5)
	r := (x - float64(k*ln2Hi)) - float64(k*ln2Lo)
	// Taylor series of e**r to r**14/14! (truncation error < 1e-18 relative),
	// by Horner's rule.
	p := float64(r*(1.0/87178291200)) + 1.0/6227020800
	p = float64(p*r) + 1.0/479001600
	p = float64(p*r) + 1.0/39916800
	p = float64(p*r) + 1.0/3628800
	p = float64(p*r) + 1.0/362880
	p = float64(p*r) + 1.0/40320
	p = float64(p*r) + 1.0/5040
	p = float64(p*r) + 1.0/720
	p = float64(p*r) + 1.0/120
	p = float64(p*r) + 1.0/24
	p = float64(p*r) + 1.0/6
	p = float64(p*r) + 1.0/2
	p = float64(p*r) + 1
	p = float64(p*r) + 1
	return scale2(p, int(k))
}

// scale2 returns x * 2**k exactly (up to the final rounding of subnormals).
func scale2(x float64, k int) float64 {
	if k > -1022 && k < 1024 {
		return x * math.Float64frombits(uint64(k+1023)<<52)
	}
	return math.Ldexp(x, k)
}

// plog is a portable natural logarithm, accurate to a few ulp. plog(0) is
// -Inf; a negative or NaN argument gives NaN.
func plog(x float64) float64 {
	switch {
	case x != x || x < 0:
		return math.NaN()
	case x == 0:
		return math.Inf(-1)
	case math.IsInf(x, 1):
		return x
	}
	m, e := math.Frexp(x) // x = m 2**e, m in [0.5, 1)
	if m < math.Sqrt2/2 {
		m *= 2
		e--
	}
	// m in [sqrt(1/2), sqrt(2)): ln m = 2 atanh(s) = 2(s + s**3/3 + s**5/5 + ...)
	// with s = (m-1)/(m+1), |s| <= 0.1716; the series to s**25 is below 1e-18.
	f := m - 1 // exact
	s := f / (2 + f)
	s2 := float64(s * s)
	p := float64(s2*(1.0/25)) + 1.0/23
	p = float64(p*s2) + 1.0/21
	p = float64(p*s2) + 1.0/19
	p = float64(p*s2) + 1.0/17
	p = float64(p*s2) + 1.0/15
	p = float64(p*s2) + 1.0/13
	p = float64(p*s2) + 1.0/11
	p = float64(p*s2) + 1.0/9
	p = float64(p*s2) + 1.0/7
	p = float64(p*s2) + 1.0/5
	p = float64(p*s2) + 1.0/3
	s2p := float64(s2 * p)
	lnm := 2*s + float64(2*s*s2p)
	fe := float64(e)
	return float64(fe*ln2Hi) + (lnm + float64(fe*ln2Lo))
}

// src is a PCG stream (math/rand/v2) with the samplers the model needs.
type src struct {
	pcg   rand.PCG
	spare float64 // second normal from the last polar draw
	has   bool
}

func newSrc(seed, stream uint64) src {
	return src{pcg: *rand.NewPCG(seed, splitmix(stream))}
}

// splitmix is the SplitMix64 finaliser, used to turn small stream numbers
// into well-mixed PCG sequence seeds.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// float returns a uniform number in [0, 1).
func (s *src) float() float64 { return float64(s.pcg.Uint64()>>11) * 0x1p-53 }

// open returns a uniform number in (0, 1).
func (s *src) open() float64 { return float64(s.pcg.Uint64()>>11|1) * 0x1p-53 }

// uniform returns a uniform number in [a, b).
func (s *src) uniform(a, b float64) float64 { return a + float64((b-a)*s.float()) }

// intn returns a uniform integer in [0, n); n must be positive.
func (s *src) intn(n int) int {
	hi, _ := bits.Mul64(s.pcg.Uint64(), uint64(n))
	return int(hi)
}

// bernoulli reports true with probability p.
func (s *src) bernoulli(p float64) bool { return s.float() < p }

// disk returns a point uniform on the open unit disk minus the origin and
// its squared radius w in (0, 1).
func (s *src) disk() (u, v, w float64) {
	for {
		u = float64(2*s.float()) - 1
		v = float64(2*s.float()) - 1
		w = float64(u*u) + float64(v*v)
		if w < 1 && w > 0 {
			return u, v, w
		}
	}
}

// normal returns a standard normal variate (Marsaglia's polar method).
func (s *src) normal() float64 {
	if s.has {
		s.has = false
		return s.spare
	}
	u, v, w := s.disk()
	f := math.Sqrt(-2 * plog(w) / w)
	s.spare, s.has = v*f, true
	return u * f
}

// tdist samples Student's t scaled to unit variance, or a standard normal.
type tdist struct {
	nu    float64 // degrees of freedom; 0 means normal
	expo  float64 // -2/nu
	scale float64 // sqrt((nu-2)/nu), so that the variance is 1
}

func newTDist(nu float64) tdist {
	if !(nu > 2) || math.IsInf(nu, 1) {
		return tdist{}
	}
	return tdist{nu: nu, expo: -2 / nu, scale: math.Sqrt((nu - 2) / nu)}
}

// draw returns one unit-variance variate, by Bailey's polar method for the
// t distribution: with (u, v) uniform on the unit disk and w = u²+v²,
// u·sqrt(nu(w^(-2/nu) - 1)/w) has Student's t distribution with nu degrees
// of freedom.
func (d *tdist) draw(s *src) float64 {
	if d.nu == 0 {
		return s.normal()
	}
	u, _, w := s.disk()
	return u * math.Sqrt(d.nu*(pexp(float64(d.expo*plog(w)))-1)/w) * d.scale
}
