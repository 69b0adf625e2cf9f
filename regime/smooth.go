package regime

import "math"

// Smooth runs the forward-backward algorithm (Rabiner 1989, §III.A, eqs.
// 23-27) over obs and returns the smoothed state probabilities
//
//	smoothed[t][k] = P(S_t = k | obs[0..len(obs)-1])
//
// If dst is nil a new len(obs)×K matrix is allocated; otherwise dst must have
// len(obs) rows of length K and is filled and returned.
//
// The forward pass is that of Forward. The backward variables are rescaled
// at every step to have maximum one, which leaves the smoothed probabilities
// unchanged because they are renormalised explicitly:
//
//	β_T-1(i) = 1
//	β_t(i)   ∝ Σ_j Trans[i][j] b̃_j(t+1) β_t+1(j)
//	γ_t(i)   = α̂_t(i) β_t(i) / Σ_j α̂_t(j) β_t(j)
//
// An observation with -Inf log-likelihood contribution is treated as missing
// (see Forward). If the backward variables underflow in every state with
// positive filtered probability (Σ_j α̂_t(j) β_t(j) < 1e-290, which takes
// observations hundreds of standard deviations from every state), smoothed[t]
// falls back to the filtered distribution and the backward recursion
// restarts from one.
//
// Smooth panics if m is not valid or if an observation is NaN or infinite.
func (m *Model) Smooth(dst [][]float64, obs []float64) [][]float64 {
	m.mustValidate()
	checkObs(obs)
	n, k := len(obs), m.K
	dst = useRows(dst, n, k)
	if n == 0 {
		return dst
	}
	alpha := make([]float64, n*k)
	bt := make([]float64, n*k)
	var em emitter
	em.set(m)
	var c chain
	c.set(m)
	var prev []float64
	for t, x := range obs {
		lb := bt[t*k : (t+1)*k]
		em.logDensity(lb, x)
		forwardStep(alpha[t*k:(t+1)*k], prev, &c, lb)
		prev = alpha[t*k : (t+1)*k]
	}

	beta := make([]float64, k)
	next := make([]float64, k)
	w := make([]float64, k)
	for i := range beta {
		beta[i] = 1
	}
	copy(dst[n-1], alpha[(n-1)*k:])
	for t := n - 2; t >= 0; t-- {
		a := alpha[t*k : (t+1)*k]
		z, mx := backwardStep(next, w, a, bt[(t+1)*k:(t+2)*k], beta, c.trans)
		g := dst[t]
		if !(z >= tiny && z <= math.MaxFloat64) {
			copy(g, a)
			for i := range beta {
				beta[i] = 1
			}
			continue
		}
		iz := 1 / z
		imx := 1 / mx
		for i, s := range next {
			g[i] = a[i] * s * iz
			beta[i] = s * imx
		}
	}
	return dst
}

// backwardStep computes, for the step from t+1 back to t, with a = α̂_t,
// b = b̃(t+1) and beta = β_t+1,
//
//	w_j    = b̃_j(t+1) β_t+1(j)
//	next_i = Σ_j Trans[i][j] w_j      (β_t before rescaling)
//
// and returns z = Σ_i α̂_t(i) next_i and max_i next_i.
func backwardStep(next, w, a, b, beta, trans []float64) (z, mx float64) {
	k := len(next)
	if k == 3 {
		w0, w1, w2 := b[0]*beta[0], b[1]*beta[1], b[2]*beta[2]
		w[0], w[1], w[2] = w0, w1, w2
		t := trans[:9]
		n0 := t[0]*w0 + t[1]*w1 + t[2]*w2
		n1 := t[3]*w0 + t[4]*w1 + t[5]*w2
		n2 := t[6]*w0 + t[7]*w1 + t[8]*w2
		next[0], next[1], next[2] = n0, n1, n2
		z = a[0]*n0 + a[1]*n1 + a[2]*n2
		mx = max(n0, n1, n2)
		return z, mx
	}
	w, b, beta, a = w[:k], b[:k], beta[:k], a[:k]
	for j := range w {
		w[j] = b[j] * beta[j]
	}
	for i := range next {
		var s float64
		for j, p := range trans[i*k : (i+1)*k] {
			s += p * w[j]
		}
		next[i] = s
		z += a[i] * s
		if s > mx {
			mx = s
		}
	}
	return z, mx
}
