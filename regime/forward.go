package regime

import "math"

// forwardStep advances the scaled forward recursion (Rabiner 1989, eqs. 19-20
// and §V.A) by one observation x_t:
//
//	p_t(j)  = Init[j]                        t = 0
//	p_t(j)  = Σ_i α̂_t-1(i) Trans[i][j]       t > 0
//	c_t     = Σ_j p_t(j) b_j(x_t)
//	α̂_t(j)  = p_t(j) b_j(x_t) / c_t         = P(S_t = j | x_0..x_t)
//
// so that log P(x_0..x_T-1) = Σ_t log c_t. To stay finite for any finite
// observation the densities are shifted in log space: with
// m_t = max{log b_j(x_t) : p_t(j) > 0},
//
//	b̃_j(t) = exp(log b_j(x_t) - m_t)   (0 where p_t(j) = 0)
//	s_t    = Σ_j p_t(j) b̃_j(t),   log c_t = m_t + log s_t
//
// prev is α̂_t-1 (nil at t = 0), lb holds log b_j(x_t) on entry and b̃_j(t)
// on return (the backward pass reuses it) and dst receives α̂_t. The return
// values are s_t ∈ (0, 1] and m_t; the caller accumulates the
// log-likelihood with a logLik.
//
// If x_t has zero density (in floating point) in every state with p_t(j) > 0
// — which for finite x happens only when (x-μ)²/σ² overflows — the
// observation is treated as missing: b̃_j(t) = 1 for p_t(j) > 0, α̂_t = p_t,
// and m_t = -Inf.
func forwardStep(dst, prev []float64, c *chain, lb []float64) (s, mt float64) {
	predict(dst, prev, c)
	if len(dst) == 3 && dst[0] > 0 && dst[1] > 0 && dst[2] > 0 {
		if mx := max(lb[0], lb[1], lb[2]); mx > math.Inf(-1) {
			shift3(lb, mx)
			return update3(dst, lb), mx
		}
	}
	return update(dst, lb)
}

// predict stores the one-step prediction p_t in dst: Init at t = 0 (prev
// nil), otherwise prev·Trans.
func predict(dst, prev []float64, c *chain) {
	k := len(dst)
	switch {
	case prev == nil:
		copy(dst, c.init)
	case k == 3:
		a0, a1, a2 := prev[0], prev[1], prev[2]
		t := c.trans[:9]
		dst[0] = a0*t[0] + a1*t[3] + a2*t[6]
		dst[1] = a0*t[1] + a1*t[4] + a2*t[7]
		dst[2] = a0*t[2] + a1*t[5] + a2*t[8]
	default:
		for j := range dst {
			dst[j] = 0
		}
		for i, a := range prev[:k] {
			for j, p := range c.trans[i*k : (i+1)*k] {
				dst[j] += a * p
			}
		}
	}
}

// shift3 replaces the three log-densities in lb by exp(lb[j] - mx), mx their
// maximum; exp(0) = 1 exactly, so this equals the shift done by update when
// every state is a priori possible.
func shift3(lb []float64, mx float64) {
	lb[0], lb[1], lb[2] = exp(lb[0]-mx), exp(lb[1]-mx), exp(lb[2]-mx)
}

// update3 is update for K = 3 when every p_t(j) is positive and bt holds
// the shifted densities b̃_j(t); it returns s_t. Free of data-dependent
// branches, it gives the same result as update.
func update3(dst, bt []float64) float64 {
	a0, a1, a2 := dst[0]*bt[0], dst[1]*bt[1], dst[2]*bt[2]
	s := a0 + a1 + a2
	if s >= tiny {
		inv := 1 / s
		dst[0], dst[1], dst[2] = a0*inv, a1*inv, a2*inv
		return s
	}
	dst[0], dst[1], dst[2] = a0, a1, a2
	normalise(dst, s)
	return s
}

// update turns the prediction p_t in dst into the filtered distribution α̂_t
// given the log-densities lb, which it replaces by b̃(t), and returns s_t and
// m_t as documented on forwardStep.
func update(dst, lb []float64) (s, mt float64) {
	lb = lb[:len(dst)]
	mx := math.Inf(-1)
	arg := -1
	for j, p := range dst {
		if p > 0 && lb[j] > mx {
			mx, arg = lb[j], j
		}
	}
	if arg < 0 {
		for j, p := range dst {
			if p > 0 {
				lb[j] = 1
			} else {
				lb[j] = 0
			}
			s += p
		}
	} else {
		for j, p := range dst {
			var e float64
			switch {
			case j == arg:
				e = 1
			case p > 0:
				e = exp(lb[j] - mx)
			}
			lb[j] = e
			a := p * e
			dst[j] = a
			s += a
		}
	}
	normalise(dst, s)
	return s, mx
}

// tiny bounds the normalising constants that are inverted before use; below
// it 1/s could overflow.
const tiny = 1e-290

// normalise divides p by its sum s > 0.
func normalise(p []float64, s float64) {
	if s < tiny {
		for j := range p {
			p[j] /= s
		}
		return
	}
	inv := 1 / s
	for j := range p {
		p[j] *= inv
	}
}

// chain holds the Markov-chain parameters of a model in the layout used by
// the recursions: Init and Trans flattened row-major.
type chain struct {
	init  []float64
	trans []float64
}

func (c *chain) set(m *Model) {
	k := m.K
	c.init = grow(c.init, k)
	c.trans = grow(c.trans, k*k)
	copy(c.init, m.Init)
	for i, row := range m.Trans {
		copy(c.trans[i*k:(i+1)*k], row)
	}
}

// logLik accumulates log Π_t c_t = Σ_t (m_t + log s_t) from the return
// values of forwardStep, taking one logarithm per run of factors whose
// product stays above 1e-200 rather than one per observation.
type logLik struct {
	sum  float64 // Σ m_t and the logarithms taken so far
	prod float64 // product of the pending s_t
}

func newLogLik() logLik { return logLik{prod: 1} }

func (l *logLik) add(s, mt float64) {
	l.sum += mt
	if s < 1e-100 {
		l.sum += math.Log(s)
		return
	}
	l.prod *= s
	if l.prod < 1e-200 {
		l.sum += math.Log(l.prod)
		l.prod = 1
	}
}

func (l *logLik) value() float64 { return l.sum + math.Log(l.prod) }

// Forward runs the scaled forward algorithm (Rabiner 1989, §III.A and §V.A)
// over obs and returns the filtered state probabilities
//
//	filtered[t][k] = P(S_t = k | obs[0..t])
//
// and the log-likelihood log P(obs[0..len(obs)-1]). If dst is nil a new
// len(obs)×K matrix is allocated; otherwise dst must have len(obs) rows of
// length K and is filled and returned.
//
// Every row of filtered is a probability vector. The log-likelihood is finite
// unless some observation is so far from every reachable state that its
// density underflows to zero even in log space ((x-μ)²/σ² overflows); such an
// observation is treated as missing for the filtered probabilities and the
// log-likelihood is -Inf.
//
// Forward panics if m is not valid or if an observation is NaN or infinite.
func (m *Model) Forward(dst [][]float64, obs []float64) (filtered [][]float64, loglik float64) {
	m.mustValidate()
	checkObs(obs)
	dst = useRows(dst, len(obs), m.K)
	var em emitter
	em.set(m)
	var c chain
	c.set(m)
	lb := make([]float64, m.K)
	var prev []float64
	ll := newLogLik()
	for t, x := range obs {
		em.logDensity(lb, x)
		ll.add(forwardStep(dst[t], prev, &c, lb))
		prev = dst[t]
	}
	return dst, ll.value()
}

// Filter is an incremental forward filter: it holds the filtered state
// distribution P(S_t | x_0..x_t) of a fixed model and advances it one
// observation at a time. The sequence of posteriors returned by Step is
// bit-for-bit the sequence of rows returned by Forward on the same
// observations.
type Filter struct {
	m      *Model
	em     emitter
	c      chain
	post   []float64
	prev   []float64
	lb     []float64
	n      int
	loglik float64
	// lastLog is log c_t of the last Step: the log one-step predictive
	// density log p(x_t | x_0..x_t-1).
	lastLog float64
}

// NewFilter returns a filter for a copy of m, positioned before the first
// observation. It panics if m is not valid.
func (m *Model) NewFilter() *Filter {
	m.mustValidate()
	f := &Filter{
		m:    m.Clone(),
		post: make([]float64, m.K),
		prev: make([]float64, m.K),
		lb:   make([]float64, m.K),
	}
	f.em.set(f.m)
	f.c.set(f.m)
	return f
}

// Step consumes the next observation x and returns the updated filtered
// distribution P(S_t = k | x_0..x_t). The returned slice is owned by the
// filter and is overwritten by the next call to Step.
// Step panics if x is NaN or infinite.
func (f *Filter) Step(x float64) []float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		panic("regime: filter observation is not finite")
	}
	var prev []float64
	if f.n > 0 {
		f.prev, f.post = f.post, f.prev
		prev = f.prev
	}
	f.em.logDensity(f.lb, x)
	s, mt := forwardStep(f.post, prev, &f.c, f.lb)
	f.lastLog = mt + math.Log(s)
	f.loglik += f.lastLog
	f.n++
	return f.post
}

// Len returns the number of observations consumed since the last Reset.
func (f *Filter) Len() int { return f.n }

// LogLik returns the log-likelihood of the observations consumed since the
// last Reset.
func (f *Filter) LogLik() float64 { return f.loglik }

// Posterior returns the current filtered distribution, or nil before the
// first observation. The slice is owned by the filter.
func (f *Filter) Posterior() []float64 {
	if f.n == 0 {
		return nil
	}
	return f.post
}

// Reset positions f before the first observation.
func (f *Filter) Reset() {
	f.n = 0
	f.loglik = 0
}

// setState positions f after n observations with filtered distribution post
// and log-likelihood loglik.
func (f *Filter) setState(post []float64, n int, loglik float64) {
	copy(f.post, post)
	f.n = n
	f.loglik = loglik
}

// setModel replaces the model of f by a copy of m, which must have the same
// number of states and emission family, keeping the current position.
func (f *Filter) setModel(m *Model) {
	f.m.copyFrom(m)
	f.em.set(f.m)
	f.c.set(f.m)
}
