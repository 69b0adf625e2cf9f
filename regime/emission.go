package regime

import "math"

// emitter evaluates the state-conditional log-densities log b_k(x) of a
// model. Per-state constants are computed once by set, so that evaluating an
// observation costs no logarithm for Gaussian emissions and one per state
// for Student-t emissions. log(1 + δ²/ν) is evaluated as math.Log(1+y)
// rather than math.Log1p(y), which is several times slower: for small y this
// loses relative but not absolute accuracy (about 1e-16), and only the
// absolute accuracy of log b_k matters.
//
// Gaussian:
//
//	log b_k(x) = -½ log(2π σ²_k) - ½ (x-μ_k)²/σ²_k
//
// Student-t with ν_k degrees of freedom and δ² = (x-μ_k)²/σ²_k
// (Peel & McLachlan 2000, eq. 2; Liu & Rubin 1995):
//
//	log b_k(x) = lnΓ((ν_k+1)/2) - lnΓ(ν_k/2) - ½ log(π ν_k σ²_k)
//	             - (ν_k+1)/2 · log(1 + δ²/ν_k)
type emitter struct {
	e    Emission
	mean []float64
	inv  []float64 // 1/σ²_k
	c    []float64 // additive constant of log b_k
	// Student-t only.
	half []float64 // (ν_k+1)/2
	nu   []float64 // ν_k
	l1nu []float64 // log(1 + 1/ν_k)
}

func (em *emitter) set(m *Model) {
	k := m.K
	if cap(em.mean) < k {
		em.mean = make([]float64, k)
		em.inv = make([]float64, k)
		em.c = make([]float64, k)
		em.half = make([]float64, k)
		em.nu = make([]float64, k)
		em.l1nu = make([]float64, k)
	}
	em.mean, em.inv, em.c = em.mean[:k], em.inv[:k], em.c[:k]
	em.half, em.nu, em.l1nu = em.half[:k], em.nu[:k], em.l1nu[:k]
	em.e = m.Emission
	copy(em.mean, m.Mean)
	for i, v := range m.Var {
		em.inv[i] = 1 / v
	}
	switch m.Emission {
	case Gaussian:
		for i, v := range m.Var {
			em.c[i] = -0.5 * math.Log(2*math.Pi*v)
		}
	case StudentT:
		for i, v := range m.Var {
			nu := m.DF[i]
			lg1, _ := math.Lgamma((nu + 1) / 2)
			lg0, _ := math.Lgamma(nu / 2)
			em.c[i] = lg1 - lg0 - 0.5*math.Log(math.Pi*nu*v)
			em.half[i] = (nu + 1) / 2
			em.nu[i] = nu
			em.l1nu[i] = math.Log1p(1 / nu)
		}
	}
}

// logDensity stores log b_k(x) in dst[k].
func (em *emitter) logDensity(dst []float64, x float64) {
	mean, inv, c := em.mean, em.inv[:len(em.mean)], em.c[:len(em.mean)]
	dst = dst[:len(mean)]
	if em.e == Gaussian {
		for i, mu := range mean {
			d := x - mu
			dst[i] = c[i] - 0.5*d*d*inv[i]
		}
		return
	}
	half, nu := em.half[:len(mean)], em.nu[:len(mean)]
	for i, mu := range mean {
		d := x - mu
		dst[i] = c[i] - half[i]*math.Log(1+d*d*inv[i]/nu[i])
	}
}

// logDensityWeights is logDensity for Student-t emissions that also stores
// the E-step quantities of the ECM algorithm (Peel & McLachlan 2000, eq. 24):
//
//	u_k   = (ν_k+1) / (ν_k + δ²_k)
//	lu_k  = log u_k - u_k
func (em *emitter) logDensityWeights(dst, u, lu []float64, x float64) {
	k := len(em.mean)
	mean, inv, c := em.mean, em.inv[:k], em.c[:k]
	half, nu, l1nu := em.half[:k], em.nu[:k], em.l1nu[:k]
	dst, u, lu = dst[:k], u[:k], lu[:k]
	for i, mu := range mean {
		d := x - mu
		d2 := d * d * inv[i]
		l := math.Log(1 + d2/nu[i])
		dst[i] = c[i] - half[i]*l
		w := 2 * half[i] / (nu[i] + d2)
		u[i] = w
		lu[i] = l1nu[i] - l - w
	}
}
