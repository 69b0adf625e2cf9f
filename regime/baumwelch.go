package regime

import "math"

// workspace holds the buffers of the Baum-Welch algorithm for a sequence of
// up to cap(alpha)/K observations. It is reused across EM iterations,
// restarts and walk-forward refits so that a fit allocates only its models.
type workspace struct {
	k   int
	em  emitter
	c   chain
	sq  squarem
	b   []float64 // n×K: log b_k(x_t), then b̃_k(t) after the forward pass
	alp []float64 // n×K: α̂_t(k) = P(S_t = k | x_0..x_t)
	u   []float64 // n×K Student-t weights u_tk
	lu  []float64 // n×K Student-t log u_tk - u_tk

	beta, next, w []float64 // K
	xi            []float64 // K×K: Σ_t ξ_t(i,j) / Trans[i][j]
	g0            []float64 // γ_0
	occ           []float64 // Σ_t γ_t(k)
	s1, s2        []float64 // Σ_t γ_t(k) w_tk y_t and Σ_t γ_t(k) w_tk y_t², y_t = x_t - centre
	su            []float64 // Σ_t γ_t(k) u_tk (Student-t)
	slu           []float64 // Σ_t γ_t(k) (log u_tk - u_tk) (Student-t)
}

// grow returns s resliced to length n, reallocated with at least double the
// capacity if it is too small, so that the buffers of a Walker, which grow
// by a few observations per fit, are reallocated O(log n) times.
func grow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n, max(n, 2*cap(s)))
	}
	return s[:n]
}

// reset sizes w for n observations, K states and emission e.
func (w *workspace) reset(n, k int, e Emission) {
	w.k = k
	w.b = grow(w.b, n*k)
	w.alp = grow(w.alp, n*k)
	if e == StudentT {
		w.u = grow(w.u, n*k)
		w.lu = grow(w.lu, n*k)
	}
	w.beta = grow(w.beta, k)
	w.next = grow(w.next, k)
	w.w = grow(w.w, k)
	w.xi = grow(w.xi, k*k)
	w.g0 = grow(w.g0, k)
	w.occ = grow(w.occ, k)
	w.s1 = grow(w.s1, k)
	w.s2 = grow(w.s2, k)
	w.su = grow(w.su, k)
	w.slu = grow(w.slu, k)
}

// forward runs the forward pass of m over obs into w.alp and w.b and returns
// the log-likelihood. For Student-t emissions it also stores the E-step
// weights in w.u and w.lu.
func (w *workspace) forward(m *Model, obs []float64) float64 {
	k := m.K
	w.em.set(m)
	w.c.set(m)
	ll := newLogLik()
	var prev []float64
	student := m.Emission == StudentT
	for t, x := range obs {
		lb := w.b[t*k : (t+1)*k : (t+1)*k]
		if student {
			w.em.logDensityWeights(lb, w.u[t*k:(t+1)*k], w.lu[t*k:(t+1)*k], x)
		} else {
			w.em.logDensity(lb, x)
		}
		a := w.alp[t*k : (t+1)*k : (t+1)*k]
		ll.add(forwardStep(a, prev, &w.c, lb))
		prev = a
	}
	return ll.value()
}

// estep is the E-step of the Baum-Welch algorithm (Baum et al. 1970;
// Rabiner 1989, §III.C): a forward pass and a backward pass that accumulates
// the expected sufficient statistics
//
//	γ_t(i)   = P(S_t = i | x)                = α̂_t(i) β_t(i) / z_t
//	ξ_t(i,j) = P(S_t = i, S_t+1 = j | x)     = α̂_t(i) Trans[i][j] b̃_j(t+1) β_t+1(j) / z_t
//	z_t      = Σ_i α̂_t(i) β_t(i)
//
// with β as in Smooth, and, with y_t = x_t - centre,
//
//	Gaussian:   occ_i = Σ_t γ_t(i),  s1_i = Σ_t γ_t(i) y_t,  s2_i = Σ_t γ_t(i) y_t²
//	Student-t:  occ_i = Σ_t γ_t(i),  su_i = Σ_t γ_t(i) u_ti,
//	            s1_i = Σ_t γ_t(i) u_ti y_t,  s2_i = Σ_t γ_t(i) u_ti y_t²,
//	            slu_i = Σ_t γ_t(i) (log u_ti - u_ti)
//
// Centring the data on their sample mean keeps the one-pass variance
// s2/occ - (s1/occ)² accurate. estep returns the log-likelihood of x under m;
// a non-finite value means the statistics are not usable.
func (w *workspace) estep(m *Model, obs []float64, centre float64) float64 {
	ll := w.forward(m, obs)
	if math.IsNaN(ll) || math.IsInf(ll, 0) {
		return ll
	}
	k, n := m.K, len(obs)
	student := m.Emission == StudentT
	clear(w.xi)
	clear(w.occ)
	clear(w.s1)
	clear(w.s2)
	clear(w.su)
	clear(w.slu)
	beta, next, wv := w.beta[:k], w.next[:k], w.w[:k]
	xi := w.xi[:k*k]
	for i := range beta {
		beta[i] = 1
	}
	// γ_T-1 = α̂_T-1.
	copy(next, w.alp[(n-1)*k:n*k])
	w.accumulate(next, obs[n-1]-centre, n-1, student)
	for t := n - 2; t >= 0; t-- {
		a := w.alp[t*k : (t+1)*k]
		z, mx := backwardStep(next, wv, a, w.b[(t+1)*k:(t+2)*k], beta, w.c.trans)
		if !(z >= tiny && z <= math.MaxFloat64) {
			// Underflow or overflow of the backward variables (see
			// Smooth); the start fails as non-finite. z ≥ tiny implies
			// mx ≥ tiny.
			return math.NaN()
		}
		iz, imx := 1/z, 1/mx
		if k == 3 {
			a0, a1, a2 := a[0]*iz, a[1]*iz, a[2]*iz
			w0, w1, w2 := wv[0], wv[1], wv[2]
			x := xi[:9]
			x[0] += a0 * w0
			x[1] += a0 * w1
			x[2] += a0 * w2
			x[3] += a1 * w0
			x[4] += a1 * w1
			x[5] += a1 * w2
			x[6] += a2 * w0
			x[7] += a2 * w1
			x[8] += a2 * w2
			n0, n1, n2 := next[0], next[1], next[2]
			beta[0], beta[1], beta[2] = n0*imx, n1*imx, n2*imx
			next[0], next[1], next[2] = a0*n0, a1*n1, a2*n2
		} else {
			for i, s := range next {
				ai := a[i] * iz
				row := xi[i*k : (i+1)*k]
				for j, v := range wv {
					row[j] += ai * v
				}
				beta[i] = s * imx
				next[i] = ai * s // γ_t(i)
			}
		}
		if t > 0 {
			w.accumulate(next, obs[t]-centre, t, student)
		}
	}
	copy(w.g0, next)
	w.accumulate(next, obs[0]-centre, 0, student)
	return ll
}

// accumulate adds the contribution of γ_t, observation y = x_t - centre, to
// the sufficient statistics.
func (w *workspace) accumulate(g []float64, y float64, t int, student bool) {
	k := len(g)
	occ, s1, s2 := w.occ[:k], w.s1[:k], w.s2[:k]
	if !student {
		yy := y * y
		for i, v := range g {
			occ[i] += v
			s1[i] += v * y
			s2[i] += v * yy
		}
		return
	}
	su, slu := w.su[:k], w.slu[:k]
	u, lu := w.u[t*k:(t+1)*k], w.lu[t*k:(t+1)*k]
	for i, v := range g {
		vu := v * u[i]
		occ[i] += v
		su[i] += vu
		s1[i] += vu * y
		s2[i] += vu * y * y
		if v != 0 {
			slu[i] += v * lu[i]
		}
	}
}

// mstep is the M-step of the Baum-Welch algorithm (Rabiner 1989, eqs.
// 40a-c and 53-54) from the statistics of the last estep:
//
//	Init[i]     = γ_0(i)
//	Trans[i][j] = Σ_t ξ_t(i,j) / Σ_j' Σ_t ξ_t(i,j')
//	Gaussian:   Mean[i] = centre + s1_i/occ_i,  Var[i] = s2_i/occ_i - (s1_i/occ_i)²
//
// Student-t emissions use the ECM update of mstepStudent instead of the last
// line. mstep reports false if a state has collapsed: occupancy below
// minOccupancy or variance (squared scale) below floor or not finite; m is
// then left partially updated.
func (w *workspace) mstep(m *Model, centre, floor float64) bool {
	k := m.K
	var s float64
	for _, v := range w.g0[:k] {
		s += v
	}
	for i, v := range w.g0[:k] {
		m.Init[i] = v / s
	}
	for i, row := range m.Trans {
		x := w.xi[i*k : (i+1)*k]
		var s float64
		for j, p := range row {
			s += p * x[j]
		}
		if !(s > 0) || math.IsInf(s, 0) {
			continue // state i never left in expectation: keep its row
		}
		is := 1 / s
		for j, p := range row {
			row[j] = p * x[j] * is
		}
	}
	if m.Emission == StudentT {
		return w.mstepStudent(m, centre, floor)
	}
	for i := 0; i < k; i++ {
		n := w.occ[i]
		if !(n >= minOccupancy) {
			return false
		}
		mu := w.s1[i] / n
		v := w.s2[i]/n - mu*mu
		if !(v >= floor) || math.IsInf(v, 0) || math.IsNaN(mu) {
			return false
		}
		m.Mean[i] = centre + mu
		m.Var[i] = v
	}
	return true
}

// minOccupancy is the expected number of observations below which a state
// counts as empty (collapsed).
const minOccupancy = 1e-6
