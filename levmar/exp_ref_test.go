package levmar

import "math"

// fitExponentialSolve is FitExponential as it was before its specialised
// solver (exp2.go): the model handed to the generic Solve as a closure, with
// the powers of the last a1 cached. TestExpMatchesSolve and
// BenchmarkFitExponentialSolve compare the two.
func fitExponentialSolve(y []float64, a0, a1 float64, work *solveWork, pc *refPowCache) (fa0, fa1 float64, res Result) {
	m := len(y)
	if m < 2 {
		panic("levmar: FitExponential needs at least 2 observations")
	}
	if work == nil {
		work = &solveWork{}
	}
	pc.reset(m)
	set := DefaultSettings()
	set.MaxFev = 5000
	p := pc.params[:]
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

// refPowCache keeps a1^i (i = 0..len(p)-1) for the last base asked for.
type refPowCache struct {
	params [2]float64
	base   float64
	valid  bool
	p      []float64
}

func (c *refPowCache) reset(m int) {
	if cap(c.p) < m {
		c.p = make([]float64, m)
	}
	c.p = c.p[:m]
	c.valid = false
}

func (c *refPowCache) powers(b float64) []float64 {
	if c.valid && math.Float64bits(c.base) == math.Float64bits(b) {
		return c.p
	}
	intPowers(c.p, b)
	c.base, c.valid = b, true
	return c.p
}
