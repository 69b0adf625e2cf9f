package regime

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/optimize"
)

// HSMMFitSettings configures FitHSMM.
type HSMMFitSettings struct {
	// K is the number of states (≥ 2), D the largest duration with its own
	// hazard (≥ 1) and Duration the family of the state durations.
	K, D     int
	Duration Duration
	// MaxIter is the maximum number of EM iterations; Tol the convergence
	// tolerance on the relative change of the log-likelihood, as in
	// FitSettings.
	MaxIter int
	Tol     float64
	// VarFloor is the smallest admissible state variance as a fraction of
	// the sample variance; an M-step below it fails the fit.
	VarFloor float64
	// Start configures the Gaussian HMM fitted for a cold start (no warm
	// model): its K must equal K and its emission must be Gaussian.
	Start FitSettings
}

// DefaultHSMMFitSettings returns three states with negative binomial
// durations, D = 30, at most 300 EM iterations, tolerance 1e-8, a variance
// floor of 1e-4 times the sample variance and the HMM's DefaultFitSettings
// (10 starts) for cold starts.
func DefaultHSMMFitSettings() HSMMFitSettings {
	return HSMMFitSettings{
		K: 3, D: 30, Duration: NegBinomial,
		MaxIter: 300, Tol: 1e-8, VarFloor: 1e-4,
		Start: DefaultFitSettings(),
	}
}

func (s HSMMFitSettings) check() {
	switch {
	case s.K < 2:
		panic(fmt.Sprintf("regime: HSMMFitSettings.K = %d, want ≥ 2", s.K))
	case s.D < 1:
		panic(fmt.Sprintf("regime: HSMMFitSettings.D = %d, want ≥ 1", s.D))
	case s.Duration < NegBinomial || s.Duration > Geometric:
		panic(fmt.Sprintf("regime: unknown duration family %v", s.Duration))
	case s.MaxIter < 1:
		panic(fmt.Sprintf("regime: HSMMFitSettings.MaxIter = %d, want ≥ 1", s.MaxIter))
	case !(s.Tol >= 0) || math.IsInf(s.Tol, 0):
		panic(fmt.Sprintf("regime: HSMMFitSettings.Tol = %v, want finite ≥ 0", s.Tol))
	case !(s.VarFloor > 0) || math.IsInf(s.VarFloor, 0):
		panic(fmt.Sprintf("regime: HSMMFitSettings.VarFloor = %v, want finite > 0", s.VarFloor))
	case s.Start.K != s.K || s.Start.Emission != Gaussian:
		panic("regime: HSMMFitSettings.Start must fit a Gaussian HMM with K states")
	}
	s.Start.check()
}

// HSMMFitReport describes a call to FitHSMM.
type HSMMFitReport struct {
	Iter      int     // EM iterations of the HSMM.
	StartIter int     // EM iterations of the HMM of a cold start (all starts).
	LogLik    float64 // Log-likelihood of the returned model.
	Converged bool    // False if MaxIter was reached first.
}

// ErrHSMMFit is returned, wrapped, by FitHSMM when no model could be fitted.
var ErrHSMMFit = errors.New("regime: HSMM fit failed")

// FitHSMM estimates an HSMM for obs by maximum likelihood with the EM
// algorithm on the expanded chain (Guédon 2003; Yu 2010, §3; in the
// hazard parametrisation of Langrock & Zucchini 2011), from the warm model
// if given and otherwise from a Gaussian HMM fitted by Fit with s.Start,
// converted to geometric durations of the same means (see hsmmFromHMM).
//
// The E-step is the scaled forward-backward pass over the K·D expanded
// states; it yields the expected number of segments of state k that end on
// their r-th day, L_k(r), and that go on, G_k(r) (the last, right-censored
// segment contributes only goings-on), the expected transitions between
// segments and the state occupancies. The M-step is
//
//	Init_k = γ_0(k),   Trans[k][j] ∝ Σ_t ξ_t(k→j),   μ_k, σ²_k weighted moments,
//
// and for the durations the maximiser of
//
//	Q_k(θ) = Σ_{r=1..D} L_k(r) log c_θ(r) + G_k(r) log(1 - c_θ(r)),
//
// in closed form for Geometric (c = ΣL/(ΣL+ΣG)) and by Nelder-Mead over
// log λ (Poisson) or (log r, logit p) (NegBinomial) from the current
// value, which makes the iteration a generalised EM: it never lowers the
// likelihood. EM stops when the relative gain is below s.Tol or after
// s.MaxIter iterations (the model is then returned, Converged false).
//
// FitHSMM returns an error wrapping ErrHSMMFit if the observations have
// zero variance, the HMM of a cold start fails, or a variance falls below
// the floor. It panics if the settings are invalid, obs has fewer than 2K
// observations or a non-finite one, or warm does not match the settings.
func FitHSMM(obs []float64, s HSMMFitSettings, warm *HSMM) (*HSMM, HSMMFitReport, error) {
	s.check()
	checkObs(obs)
	if len(obs) < minObs(s.K) {
		panic(fmt.Sprintf("regime: %d observations, want at least %d for K = %d", len(obs), minObs(s.K), s.K))
	}
	if warm != nil {
		warm.mustValidate()
		if warm.K != s.K || warm.D != s.D || warm.Duration != s.Duration {
			panic("regime: warm-start HSMM does not match the fit settings")
		}
	}
	var w hsmmWork
	return w.fit(obs, s, warm, s.MaxIter)
}

// hsmmFromHMM returns the HSMM with the HMM's emissions and initial
// distribution, segment transitions Trans[k][j] ∝ Γ_kj (j ≠ k) and
// durations of mean 1/(1-Γ_kk): exactly geometric for Geometric and
// NegBinomial (Size 1), Poisson with the same mean.
func hsmmFromHMM(h *Model, d int, f Duration) *HSMM {
	k := h.K
	m := newHSMM(k, d, f)
	copy(m.Init, h.Init)
	copy(m.Mean, h.Mean)
	copy(m.Var, h.Var)
	for i, row := range h.Trans {
		out := 1 - row[i]
		for j, p := range row {
			if j != i {
				if out > 0 {
					m.Trans[i][j] = p / out
				} else {
					m.Trans[i][j] = 1 / float64(k-1)
				}
			}
		}
		leave := min(max(out, 1e-6), 1-1e-6)
		m.Size[i], m.Prob[i] = 1, leave
		m.Rate[i] = (1 - leave) / leave
	}
	return m
}

// hsmmWork holds the buffers of the HSMM EM algorithm.
type hsmmWork struct {
	em   emitter
	ch   hsmmChain
	alp  []float64 // n×K×D filtered expanded distributions
	bt   []float64 // n×K shifted densities b̃
	sc   []float64 // n scale factors s_t
	lb   []float64 // K scratch
	mass []float64 // K scratch

	beta, nbeta []float64 // K×D
	g1, la      []float64 // K
	leave, stay []float64 // K×D: L_k(r), G_k(r)
	ntr         []float64 // K×K expected segment transitions
	occ, s1, s2 []float64 // K: Σγ, Σγy, Σγy² with y = x - centre
	g0          []float64 // K
	hmm         workspace
}

func (w *hsmmWork) reset(n, k, d int) {
	w.alp = grow(w.alp, n*k*d)
	w.bt = grow(w.bt, n*k)
	w.sc = grow(w.sc, n)
	w.lb = grow(w.lb, k)
	w.mass = grow(w.mass, k)
	w.beta = grow(w.beta, k*d)
	w.nbeta = grow(w.nbeta, k*d)
	w.g1 = grow(w.g1, k)
	w.la = grow(w.la, k)
	w.leave = grow(w.leave, k*d)
	w.stay = grow(w.stay, k*d)
	w.ntr = grow(w.ntr, k*k)
	w.occ = grow(w.occ, k)
	w.s1 = grow(w.s1, k)
	w.s2 = grow(w.s2, k)
	w.g0 = grow(w.g0, k)
}

// forward runs the filter of m over obs, storing the expanded filtered
// distributions, the shifted densities and the scale factors, and returns
// the log-likelihood.
func (w *hsmmWork) forward(m *HSMM, obs []float64) float64 {
	k, d := m.K, m.D
	hsmmEmitter(&w.em, m)
	w.ch.set(m)
	ll := newLogLik()
	var prev []float64
	for t, x := range obs {
		a := w.alp[t*k*d : (t+1)*k*d]
		w.ch.predict(a, prev)
		lb := w.bt[t*k : (t+1)*k]
		w.em.logDensity(lb, x)
		s, mt := hsmmUpdate(a, lb, w.mass, d)
		w.sc[t] = s
		ll.add(s, mt)
		prev = a
	}
	return ll.value()
}

// estep runs forward and the backward pass and accumulates the expected
// statistics documented on FitHSMM; it returns the log-likelihood.
//
//	β_T-1(k, r) = 1
//	β_t(k, r)   = c_k(r) Σ_j Trans[k][j] g_t+1(j) β_t+1(j, 1)
//	            + (1 - c_k(r)) g_t+1(k) β_t+1(k, min(r+1, D)),   g_t(j) = b̃_j(t)/s_t
//
// and γ_t(k, r) = α̂_t(k, r) β_t(k, r).
func (w *hsmmWork) estep(m *HSMM, obs []float64, centre float64) float64 {
	k, d := m.K, m.D
	ll := w.forward(m, obs)
	for _, s := range [][]float64{w.leave, w.stay, w.ntr, w.occ, w.s1, w.s2} {
		for i := range s {
			s[i] = 0
		}
	}
	n := len(obs)
	for i := range w.beta[:k*d] {
		w.beta[i] = 1
	}
	accum := func(t int) {
		a := w.alp[t*k*d : (t+1)*k*d]
		y := obs[t] - centre
		for i := range k {
			var g float64
			for r := range d {
				g += a[i*d+r] * w.beta[i*d+r]
			}
			w.occ[i] += g
			w.s1[i] += g * y
			w.s2[i] += g * y * y
			if t == 0 {
				w.g0[i] = g
			}
		}
	}
	accum(n - 1)
	for t := n - 2; t >= 0; t-- {
		bt, inv := w.bt[(t+1)*k:(t+2)*k], 1/w.sc[t+1]
		for j := range k {
			w.g1[j] = bt[j] * inv * w.beta[j*d]
		}
		for i := range k {
			var s float64
			for j, p := range w.ch.trans[i*k : (i+1)*k] {
				s += p * w.g1[j]
			}
			w.la[i] = s
		}
		a := w.alp[t*k*d : (t+1)*k*d]
		for i := range k {
			gi := bt[i] * inv
			c, c1 := w.ch.c[i*d:(i+1)*d], w.ch.c1[i*d:(i+1)*d]
			nb, ob := w.nbeta[i*d:(i+1)*d], w.beta[i*d:(i+1)*d]
			var e float64
			for r := range d {
				lv := c[r] * w.la[i]
				st := c1[r] * gi * ob[min(r+1, d-1)]
				nb[r] = lv + st
				ar := a[i*d+r]
				w.leave[i*d+r] += ar * lv
				w.stay[i*d+r] += ar * st
				e += ar * c[r]
			}
			for j, p := range w.ch.trans[i*k : (i+1)*k] {
				w.ntr[i*k+j] += e * p * w.g1[j]
			}
		}
		w.beta, w.nbeta = w.nbeta, w.beta
		accum(t)
	}
	return ll
}

// mstep replaces m's parameters by the M-step's; it returns false if a
// state's occupancy vanished or its variance fell below floor.
func (w *hsmmWork) mstep(m *HSMM, centre, floor float64) bool {
	k, d := m.K, m.D
	var g0 float64
	for _, v := range w.g0[:k] {
		g0 += v
	}
	for i := range k {
		m.Init[i] = w.g0[i] / g0
		occ := w.occ[i]
		if !(occ > 0) {
			return false
		}
		mu := w.s1[i] / occ
		v := w.s2[i]/occ - mu*mu
		if !(v >= floor) {
			return false
		}
		m.Mean[i], m.Var[i] = centre+mu, v
		var out float64
		row := w.ntr[i*k : (i+1)*k]
		for j, v := range row {
			if j != i {
				out += v
			}
		}
		if out > 0 {
			for j, v := range row {
				if j != i {
					m.Trans[i][j] = v / out
				}
			}
		}
		w.mstepDuration(m, i, w.leave[i*d:(i+1)*d], w.stay[i*d:(i+1)*d])
	}
	return true
}

// mstepDuration maximises Q_k (see FitHSMM) over state i's duration
// parameters, keeping them unless the optimum improves on them.
func (w *hsmmWork) mstepDuration(m *HSMM, i int, leave, stay []float64) {
	if m.Duration == Geometric {
		var l, g float64
		for r := range leave {
			l += leave[r]
			g += stay[r]
		}
		if l > 0 {
			m.Prob[i] = l / (l + g)
		}
		return
	}
	d := m.D
	logc, log1c := w.ch.logc[:d], w.ch.log1c[:d]
	// q returns -Q for the natural parameters (size, prob, rate).
	q := func(size, prob, rate float64) float64 {
		durLogHazards(logc, log1c, m.Duration, size, prob, rate)
		var s float64
		for r := range d {
			if leave[r] > 0 {
				s += leave[r] * logc[r]
			}
			if stay[r] > 0 {
				s += stay[r] * log1c[r]
			}
		}
		if math.IsNaN(s) {
			return math.Inf(1)
		}
		return -s
	}
	var x0 []float64
	var f func(x []float64) float64
	if m.Duration == Poisson {
		x0 = []float64{math.Log(math.Max(m.Rate[i], 1e-8))}
		f = func(x []float64) float64 {
			if x[0] > 10 || x[0] < -20 {
				return math.Inf(1)
			}
			return q(0, 0, math.Exp(x[0]))
		}
	} else {
		x0 = []float64{math.Log(m.Size[i]), logit(m.Prob[i])}
		f = func(x []float64) float64 {
			if math.Abs(x[0]) > 12 || math.Abs(x[1]) > 30 {
				return math.Inf(1)
			}
			return q(math.Exp(x[0]), logistic(x[1]), 0)
		}
	}
	f0 := f(x0)
	res, _ := optimize.Minimize(optimize.Problem{Func: f}, x0, &optimize.Settings{
		FuncEvaluations: durEvals,
		Converger:       &optimize.FunctionConverge{Absolute: 1e-10, Relative: 1e-10, Iterations: 10},
	}, &optimize.NelderMead{})
	if res == nil || !(res.F < f0) {
		return
	}
	if m.Duration == Poisson {
		m.Rate[i] = math.Exp(res.X[0])
	} else {
		m.Size[i], m.Prob[i] = math.Exp(res.X[0]), logistic(res.X[1])
	}
}

// durEvals bounds the evaluations of Q_k in one duration M-step: from the
// previous iteration's value a few dozen Nelder-Mead steps suffice, and
// as every M-step continues from there the bound delays convergence by a
// few EM iterations at most while the M-step's cost stays that of a few
// E-steps.
const durEvals = 50

func logit(p float64) float64    { return math.Log(p / (1 - p)) }
func logistic(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// fit runs FitHSMM's algorithm with at most maxIter EM iterations.
func (w *hsmmWork) fit(obs []float64, s HSMMFitSettings, warm *HSMM, maxIter int) (*HSMM, HSMMFitReport, error) {
	rep := HSMMFitReport{LogLik: math.NaN()}
	centre, variance := meanVar(obs)
	if !(variance > 0) {
		return nil, rep, fmt.Errorf("%w: observations have zero variance", ErrHSMMFit)
	}
	var m *HSMM
	if warm != nil {
		m = warm.Clone()
	} else {
		h, hrep, err := fit(&w.hmm, obs, s.Start, nil)
		rep.StartIter = hrep.TotalIter
		if err != nil {
			return nil, rep, fmt.Errorf("%w: cold start: %w", ErrHSMMFit, err)
		}
		m = hsmmFromHMM(h, s.D, s.Duration)
	}
	w.reset(len(obs), s.K, s.D)
	floor := s.VarFloor * variance
	ll := w.estep(m, obs, centre)
	for rep.Iter < maxIter {
		if !w.mstep(m, centre, floor) {
			return nil, rep, fmt.Errorf("%w: a state collapsed at iteration %d", ErrHSMMFit, rep.Iter+1)
		}
		rep.Iter++
		prev := ll
		ll = w.estep(m, obs, centre)
		if math.IsNaN(ll) || math.IsInf(ll, 0) {
			return nil, rep, fmt.Errorf("%w: non-finite log-likelihood at iteration %d", ErrHSMMFit, rep.Iter)
		}
		if ll-prev < s.Tol*math.Max(1, math.Abs(prev)) {
			rep.Converged = true
			break
		}
	}
	if err := m.Validate(); err != nil {
		return nil, rep, fmt.Errorf("%w: %w", ErrHSMMFit, err)
	}
	rep.LogLik = ll
	return m, rep, nil
}
