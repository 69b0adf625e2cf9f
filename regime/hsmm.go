package regime

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mathext"
)

// Duration selects the family of the state durations (sojourn times, in
// days, d ≥ 1) of an HSMM. Every family is shifted by one: the number of
// days after the first, n = d-1 ≥ 0, follows the named distribution.
type Duration int

const (
	// NegBinomial durations: n ~ NB(Size, Prob), the number of failures
	// before the Size-th success of Bernoulli(Prob) trials,
	//	P(n) = Γ(n+r)/(Γ(r) n!) p^r (1-p)^n,   E[d] = 1 + r(1-p)/p.
	NegBinomial Duration = iota
	// Poisson durations: n ~ Poisson(Rate), E[d] = 1 + λ.
	Poisson
	// Geometric durations: n ~ Geometric(Prob), P(d) = p (1-p)^(d-1), the
	// durations of an HMM with self-transition probability 1-p; the
	// negative binomial with Size 1.
	Geometric
)

// String returns the name of the duration family.
func (d Duration) String() string {
	switch d {
	case NegBinomial:
		return "NegBinomial"
	case Poisson:
		return "Poisson"
	case Geometric:
		return "Geometric"
	default:
		return fmt.Sprintf("Duration(%d)", int(d))
	}
}

// HSMM is a K-state hidden semi-Markov model (explicit-duration HMM) with
// Gaussian emissions: the state sequence is a sequence of segments; a
// segment in state k lasts d days with probability P_k(d), emits
// x ~ N(Mean[k], Var[k]) independently on each of them, and is followed by a
// segment in state j with probability Trans[k][j] (Trans[k][k] = 0). The
// first segment's state is drawn from Init (Yu 2010, §2; Bulla & Bulla 2006
// for returns).
//
// Durations are represented by their hazards c_k(r) = P(d = r | d ≥ r):
// P_k(d) is the Duration family's for d ≤ D and the hazard is constant
// beyond, c_k(r) = c_k(D) for r > D, so the tail is geometric (Langrock &
// Zucchini 2011). The model is then an HMM on the K·D states (k, r), r the
// days spent in the current segment (capped at D):
//
//	(k, r) → (k, min(r+1, D))   with probability 1 - c_k(r)
//	(k, r) → (j, 1)             with probability c_k(r)·Trans[k][j]
//
// which is how it is filtered, smoothed and fitted. With Geometric
// durations the hazard is constant and the HSMM is exactly the HMM with
// self-transitions 1-Prob[k] and off-diagonal transitions
// Prob[k]·Trans[k][j].
type HSMM struct {
	K int
	// D is the largest duration with its own hazard, ≥ 1.
	D        int
	Duration Duration

	Init  []float64   // Distribution of the first segment's state, len K.
	Trans [][]float64 // Row-stochastic K×K with a zero diagonal (K ≥ 2).

	Mean, Var []float64 // Gaussian emission per state.

	// Duration parameters per state: Size and Prob for NegBinomial, Prob
	// for Geometric, Rate for Poisson. The slices of the other families
	// are ignored.
	Size, Prob, Rate []float64
}

// newHSMM returns a zero-valued HSMM with every slice allocated.
func newHSMM(k, d int, f Duration) *HSMM {
	m := &HSMM{
		K: k, D: d, Duration: f,
		Init: make([]float64, k), Trans: make([][]float64, k),
		Mean: make([]float64, k), Var: make([]float64, k),
		Size: make([]float64, k), Prob: make([]float64, k), Rate: make([]float64, k),
	}
	for i := range m.Trans {
		m.Trans[i] = make([]float64, k)
	}
	return m
}

// Clone returns a deep copy of m.
func (m *HSMM) Clone() *HSMM {
	c := newHSMM(m.K, m.D, m.Duration)
	copy(c.Init, m.Init)
	for i := range c.Trans {
		copy(c.Trans[i], m.Trans[i])
	}
	copy(c.Mean, m.Mean)
	copy(c.Var, m.Var)
	copy(c.Size, m.Size)
	copy(c.Prob, m.Prob)
	copy(c.Rate, m.Rate)
	return c
}

// Validate reports whether m is well formed: K ≥ 2, D ≥ 1, consistent
// lengths, Init and the rows of Trans probability vectors (within 1e-8)
// with a zero diagonal, finite means, positive finite variances, and
// duration parameters in range: Size > 0 and Prob in (0, 1] for
// NegBinomial, Prob in (0, 1] for Geometric, Rate ≥ 0 for Poisson.
func (m *HSMM) Validate() error {
	if m == nil {
		return errors.New("regime: nil HSMM")
	}
	k := m.K
	switch {
	case k < 2:
		return fmt.Errorf("regime: HSMM has K = %d states, want ≥ 2", k)
	case m.D < 1:
		return fmt.Errorf("regime: HSMM has D = %d, want ≥ 1", m.D)
	case m.Duration < NegBinomial || m.Duration > Geometric:
		return fmt.Errorf("regime: unknown duration family %v", m.Duration)
	case len(m.Init) != k || len(m.Trans) != k || len(m.Mean) != k || len(m.Var) != k:
		return fmt.Errorf("regime: HSMM parameter lengths do not match K = %d", k)
	}
	if err := checkDist(m.Init, "initial distribution"); err != nil {
		return err
	}
	for i, row := range m.Trans {
		if len(row) != k {
			return fmt.Errorf("regime: transition row %d has length %d, want %d", i, len(row), k)
		}
		if err := checkDist(row, fmt.Sprintf("transition row %d", i)); err != nil {
			return err
		}
		if row[i] != 0 {
			return fmt.Errorf("regime: HSMM transition row %d has self-transition %v, want 0", i, row[i])
		}
	}
	for i := 0; i < k; i++ {
		if math.IsNaN(m.Mean[i]) || math.IsInf(m.Mean[i], 0) {
			return fmt.Errorf("regime: non-finite mean in state %d", i)
		}
		if !(m.Var[i] > 0) || math.IsInf(m.Var[i], 0) {
			return fmt.Errorf("regime: variance %v in state %d is not positive and finite", m.Var[i], i)
		}
	}
	param := func(s []float64, name string, ok func(float64) bool) error {
		if len(s) != k {
			return fmt.Errorf("regime: HSMM has %d %s parameters, want %d", len(s), name, k)
		}
		for i, v := range s {
			if !ok(v) {
				return fmt.Errorf("regime: HSMM %s %v in state %d is out of range", name, v, i)
			}
		}
		return nil
	}
	prob := func(v float64) bool { return v > 0 && v <= 1 }
	switch m.Duration {
	case NegBinomial:
		if err := param(m.Size, "Size", func(v float64) bool { return v > 0 && !math.IsInf(v, 0) }); err != nil {
			return err
		}
		return param(m.Prob, "Prob", prob)
	case Geometric:
		return param(m.Prob, "Prob", prob)
	default:
		return param(m.Rate, "Rate", func(v float64) bool { return v >= 0 && !math.IsInf(v, 0) })
	}
}

func (m *HSMM) mustValidate() {
	if err := m.Validate(); err != nil {
		panic(err.Error())
	}
}

// durLogHazards fills logc[r-1] = log c(r) and log1c[r-1] = log(1 - c(r)),
// r = 1..D, for the durations of family f with parameters size, prob and
// rate. With S(r) = P(d > r) the hazard is c(r) = P(d = r)/S(r-1) and
// 1 - c(r) = S(r)/S(r-1); S is summed from the tail downwards,
//
//	S(D) = P(n ≥ D),   S(r-1) = P(d = r) + S(r),
//
// the tail from the regularised incomplete gamma (Poisson:
// P(n ≥ m) = P(m, λ)) and beta (negative binomial: P(n ≥ m) = I_{1-p}(m, r))
// functions, so that no hazard loses precision to cancellation. The
// geometric hazard is Prob exactly.
func durLogHazards(logc, log1c []float64, f Duration, size, prob, rate float64) {
	d := len(logc)
	if f == Geometric {
		lc, l1 := math.Log(prob), math.Log1p(-prob)
		for r := range logc {
			logc[r], log1c[r] = lc, l1
		}
		return
	}
	// logp[r-1] = log P(d = r) = log P(n = r-1), kept in logc.
	var lp, step float64
	var tail float64 // P(n ≥ D) = S(D)
	if f == Poisson {
		lp = -rate
		tail = mathext.GammaIncReg(float64(d), rate)
	} else {
		lp = size * math.Log(prob)
		step = math.Log1p(-prob)
		tail = mathext.RegIncBeta(float64(d), size, 1-prob)
	}
	lrate := math.Log(rate)
	for n := range d {
		logc[n] = lp
		if f == Poisson {
			lp += lrate - math.Log(float64(n+1))
		} else {
			lp += math.Log((float64(n)+size)/float64(n+1)) + step
		}
	}
	// Walk down: s = S(r) on entry of step r, S(r-1) = P(d=r) + S(r).
	ls := math.Log(tail)
	for r := d; r >= 1; r-- {
		lpr := logc[r-1]
		lprev := logAdd(lpr, ls)
		if math.IsInf(lprev, -1) {
			// A segment never lasts r days: end it there (c = 1).
			logc[r-1], log1c[r-1] = 0, math.Inf(-1)
		} else {
			logc[r-1], log1c[r-1] = lpr-lprev, ls-lprev
		}
		ls = lprev
	}
}

// logAdd returns log(e^a + e^b).
func logAdd(a, b float64) float64 {
	if a < b {
		a, b = b, a
	}
	if math.IsInf(a, -1) {
		return a
	}
	return a + math.Log1p(math.Exp(b-a))
}

// durMean returns the mean duration of a hazard sequence c(1..D) with a
// constant hazard beyond D:
//
//	E[d] = Σ_{r=0}^{D-1} S(r) + S(D-1)(1 - c(D))/c(D),   S(r) = Π_{i≤r} (1 - c(i)).
func durMean(c []float64) float64 {
	var e float64
	s := 1.0
	for r := range c {
		e += s
		if r < len(c)-1 {
			s *= 1 - c[r]
		}
	}
	last := c[len(c)-1]
	if last <= 0 {
		return math.Inf(1)
	}
	return e + s*(1-last)/last
}

// hsmmChain holds the hazards of an HSMM in the layout of the recursions:
// c[k·D + r-1] = c_k(r) and c1 = 1 - c.
type hsmmChain struct {
	k, d  int
	c, c1 []float64
	init  []float64
	trans []float64 // K×K row-major
	logc  []float64 // scratch, D
	log1c []float64
}

func (h *hsmmChain) set(m *HSMM) {
	k, d := m.K, m.D
	h.k, h.d = k, d
	h.c = grow(h.c, k*d)
	h.c1 = grow(h.c1, k*d)
	h.init = grow(h.init, k)
	h.trans = grow(h.trans, k*k)
	h.logc = grow(h.logc, d)
	h.log1c = grow(h.log1c, d)
	copy(h.init, m.Init)
	for i, row := range m.Trans {
		copy(h.trans[i*k:(i+1)*k], row)
	}
	for i := range k {
		durLogHazards(h.logc, h.log1c, m.Duration, m.Size[i], m.Prob[i], m.Rate[i])
		for r := range d {
			h.c[i*d+r] = math.Exp(h.logc[r])
			h.c1[i*d+r] = math.Exp(h.log1c[r])
		}
	}
}

// predict stores the one-step prediction over the expanded states in dst:
// the first segment's start (Init, r = 1) when prev is nil, otherwise
// prev pushed through the expanded chain. It returns nothing; the block
// masses are summed by the caller.
func (h *hsmmChain) predict(dst, prev []float64) {
	k, d := h.k, h.d
	for i := range dst {
		dst[i] = 0
	}
	if prev == nil {
		for i := range k {
			dst[i*d] = h.init[i]
		}
		return
	}
	for i := range k {
		a, c, c1 := prev[i*d:(i+1)*d], h.c[i*d:(i+1)*d], h.c1[i*d:(i+1)*d]
		var leave float64
		for r, v := range a {
			leave += v * c[r]
		}
		for j, p := range h.trans[i*k : (i+1)*k] {
			dst[j*d] += leave * p
		}
		out := dst[i*d : (i+1)*d]
		for r := 0; r < d-1; r++ {
			out[r+1] += a[r] * c1[r]
		}
		out[d-1] += a[d-1] * c1[d-1]
	}
}

// hsmmUpdate turns the prediction in dst (K blocks of D) into the filtered
// distribution given the log-densities lb (len K), which it replaces by the
// shifted densities b̃_k (as update does), and returns s_t and m_t as
// forwardStep does: the log one-step predictive density is m_t + log s_t.
// mass is scratch of length K. An observation with zero density in every
// reachable state is treated as missing (b̃ = 1, m_t = -Inf).
func hsmmUpdate(dst, lb, mass []float64, d int) (s, mt float64) {
	mt = math.Inf(-1)
	for i := range lb {
		var b float64
		for _, v := range dst[i*d : (i+1)*d] {
			b += v
		}
		mass[i] = b
		if b > 0 && lb[i] > mt {
			mt = lb[i]
		}
	}
	for i, l := range lb {
		switch {
		case mass[i] == 0:
			lb[i] = 0
		case math.IsInf(mt, -1):
			lb[i] = 1
		default:
			lb[i] = exp(l - mt)
		}
		s += mass[i] * lb[i]
	}
	inv := 1 / s
	for i, b := range lb {
		f := b * inv
		for r := range dst[i*d : (i+1)*d] {
			dst[i*d+r] *= f
		}
	}
	return s, mt
}

// hsmmEmitter returns an emitter of m's Gaussian densities.
func hsmmEmitter(em *emitter, m *HSMM) {
	em.set(&Model{K: m.K, Emission: Gaussian, Mean: m.Mean, Var: m.Var})
}

// HSMMFilter is the causal forward filter of an HSMM: it holds the filtered
// distribution over the expanded states (k, r), P(S_t = k, R_t = r | x_0..x_t)
// with R_t the days spent so far in the current segment (capped at D), and
// advances it one observation at a time. The current segment is
// right-censored: its probability of going on uses the survival of its
// duration distribution, not its probability of ending on the day.
type HSMMFilter struct {
	em      emitter
	ch      hsmmChain
	alp     []float64 // K×D
	prev    []float64
	lb      []float64
	mass    []float64
	post    []float64 // K
	n       int
	lastLog float64
}

// NewFilter returns a filter for m positioned before the first observation.
// It panics if m is not valid.
func (m *HSMM) NewFilter() *HSMMFilter {
	m.mustValidate()
	f := &HSMMFilter{
		alp: make([]float64, m.K*m.D), prev: make([]float64, m.K*m.D),
		lb: make([]float64, m.K), mass: make([]float64, m.K), post: make([]float64, m.K),
	}
	f.setModel(m)
	return f
}

func (f *HSMMFilter) setModel(m *HSMM) {
	hsmmEmitter(&f.em, m)
	f.ch.set(m)
}

// Step consumes the next observation and returns P(S_t = k | x_0..x_t). The
// slice is owned by the filter and overwritten by the next call. Step
// panics if x is not finite.
func (f *HSMMFilter) Step(x float64) []float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		panic("regime: HSMM filter observation is not finite")
	}
	var prev []float64
	if f.n > 0 {
		f.prev, f.alp = f.alp, f.prev
		prev = f.prev
	}
	f.ch.predict(f.alp, prev)
	f.em.logDensity(f.lb, x)
	s, mt := hsmmUpdate(f.alp, f.lb, f.mass, f.ch.d)
	f.lastLog = mt + math.Log(s)
	f.n++
	f.marginal()
	return f.post
}

// marginal sums the expanded distribution over durations into post.
func (f *HSMMFilter) marginal() {
	d := f.ch.d
	for i := range f.post {
		var s float64
		for _, v := range f.alp[i*d : (i+1)*d] {
			s += v
		}
		f.post[i] = min(s, 1) // rounding of the sum over durations

	}
}

// setState positions f after n observations with expanded filtered
// distribution alp.
func (f *HSMMFilter) setState(alp []float64, n int) {
	copy(f.alp, alp)
	f.n = n
	f.marginal()
}

// Forward runs the HSMM filter over obs and returns the filtered state
// probabilities filtered[t][k] = P(S_t = k | obs[0..t]) and the
// log-likelihood. dst is used as in Model.Forward. Forward panics if m is
// not valid or an observation is not finite.
func (m *HSMM) Forward(dst [][]float64, obs []float64) (filtered [][]float64, loglik float64) {
	checkObs(obs)
	f := m.NewFilter()
	dst = useRows(dst, len(obs), m.K)
	for t, x := range obs {
		copy(dst[t], f.Step(x))
		loglik += f.lastLog
	}
	return dst, loglik
}

// Sample simulates n days of m with a PCG generator seeded with
// (seed, pcgStream) and returns the observations and the states. It runs
// the expanded chain: each day in a segment that has lasted r days ends it
// with probability c_k(r), the next segment's state drawn from Trans.
// Sample panics if m is not valid or n is negative.
func (m *HSMM) Sample(n int, seed uint64) (obs []float64, states []int) {
	m.mustValidate()
	if n < 0 {
		panic(fmt.Sprintf("regime: Sample length %d is negative", n))
	}
	var ch hsmmChain
	ch.set(m)
	rng := rand.New(rand.NewPCG(seed, pcgStream))
	obs = make([]float64, n)
	states = make([]int, n)
	s, r := draw(rng, m.Init), 1
	for t := range obs {
		states[t] = s
		obs[t] = m.Mean[s] + math.Sqrt(m.Var[s])*rng.NormFloat64()
		if rng.Float64() < ch.c[s*m.D+r-1] {
			s, r = draw(rng, m.Trans[s]), 1
		} else {
			r = min(r+1, m.D)
		}
	}
	return obs, states
}

// meanDuration returns the mean segment length of m, in days: the mean of
// the state durations (durMean) weighted by how often each state's
// segments occur, the stationary distribution of the segment chain Trans
// (found on the lazy chain (I + Trans)/2, which has the same stationary
// distribution and is aperiodic).
func (m *HSMM) meanDuration() float64 {
	var ch hsmmChain
	ch.set(m)
	lazy := make([][]float64, m.K)
	for i, row := range m.Trans {
		lazy[i] = make([]float64, m.K)
		for j, p := range row {
			lazy[i][j] = p / 2
		}
		lazy[i][i] += 0.5
	}
	pi := stationary(lazy)
	var e float64
	for i, p := range pi {
		e += p * durMean(ch.c[i*m.D:(i+1)*m.D])
	}
	return e
}

// summaries returns each state's emission mean and standard deviation.
func (m *HSMM) summaries() []stateSummary {
	s := make([]stateSummary, m.K)
	for k := range s {
		s[k] = stateSummary{m.Mean[k], math.Sqrt(m.Var[k])}
	}
	return s
}

// permute relabels the states so that new state a is old state perm[a].
func (m *HSMM) permute(perm []int) {
	if isIdentity(perm) {
		return
	}
	old := m.Clone()
	for a, pa := range perm {
		m.Init[a], m.Mean[a], m.Var[a] = old.Init[pa], old.Mean[pa], old.Var[pa]
		m.Size[a], m.Prob[a], m.Rate[a] = old.Size[pa], old.Prob[pa], old.Rate[pa]
		for b, pb := range perm {
			m.Trans[a][b] = old.Trans[pa][pb]
		}
	}
}

// numParams returns the number of free parameters: K-1 initial, K(K-2)
// transition (rows of K-1 off-diagonal entries summing to one), 2K
// emission and K or 2K duration parameters.
func (m *HSMM) numParams() int {
	k := m.K
	p := k - 1 + k*(k-2) + 2*k + k
	if m.Duration == NegBinomial {
		p += k
	}
	return p
}
