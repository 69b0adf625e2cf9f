package regime

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Sample simulates n steps of m with a PCG generator seeded with
// (seed, pcgStream) and returns the observations and the hidden states.
//
// States are drawn by inversion of Init and the rows of Trans. A Student-t
// observation is drawn as a normal scale mixture (Liu & Rubin 1995, §2),
//
//	x = μ + σ z / √w,   z ~ N(0,1),   w ~ Gamma(ν/2, rate ν/2),
//
// with the gamma variate from Marsaglia & Tsang (2000).
// Sample panics if m is not valid or n is negative.
func (m *Model) Sample(n int, seed uint64) (obs []float64, states []int) {
	m.mustValidate()
	if n < 0 {
		panic(fmt.Sprintf("regime: Sample length %d is negative", n))
	}
	rng := rand.New(rand.NewPCG(seed, pcgStream))
	obs = make([]float64, n)
	states = make([]int, n)
	sd := make([]float64, m.K)
	for k, v := range m.Var {
		sd[k] = math.Sqrt(v)
	}
	s := draw(rng, m.Init)
	for t := range obs {
		if t > 0 {
			s = draw(rng, m.Trans[s])
		}
		states[t] = s
		z := rng.NormFloat64()
		if m.Emission == StudentT {
			nu := m.DF[s]
			z /= math.Sqrt(gammaVariate(rng, nu/2) / (nu / 2))
		}
		obs[t] = m.Mean[s] + sd[s]*z
	}
	return obs, states
}

// draw returns an index drawn from the probability vector p.
func draw(rng *rand.Rand, p []float64) int {
	u := rng.Float64()
	var c float64
	for i, v := range p {
		c += v
		if u < c {
			return i
		}
	}
	// Rounding: return the last state with positive probability.
	for i := len(p) - 1; i > 0; i-- {
		if p[i] > 0 {
			return i
		}
	}
	return 0
}

// gammaVariate returns a Gamma(a, 1) variate by the method of Marsaglia &
// Tsang (2000), with the boost Gamma(a) = Gamma(a+1)·U^(1/a) for a < 1:
//
//	d = a - 1/3,  c = 1/√(9d)
//	repeat: z ~ N(0,1), v = (1 + c z)³, u ~ U(0,1)
//	until v > 0 and log u < z²/2 + d - d v + d log v
//	return d v
func gammaVariate(rng *rand.Rand, a float64) float64 {
	if a < 1 {
		u := rng.Float64()
		return gammaVariate(rng, a+1) * math.Pow(u, 1/a)
	}
	d := a - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		z := rng.NormFloat64()
		v := 1 + c*z
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := rng.Float64()
		if math.Log(u) < 0.5*z*z+d-d*v+d*math.Log(v) {
			return d * v
		}
	}
}
