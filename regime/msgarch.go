package regime

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/optimize"
)

// MSGARCH is a K-state Markov-switching GARCH(1,1) model in the form of
// Haas, Mittnik & Paolella (2004): the state S_t is a Markov chain with
// transition matrix Trans, started from the uniform distribution (so that
// the likelihood's gradient stays simple; over a window of months the
// start does not matter), and each state k carries its own GARCH(1,1) variance process, all of them
// driven by the observed series,
//
//	x_t | S_t = k  ~  μ_k + σ_k,t η_t,   η_t iid, E η = 0, Var η = 1
//	σ²_k,t = ω_k + α_k (x_t-1 - μ_k)² + β_k σ²_k,t-1,   σ²_k,0 = Var0,
//
// so that, unlike Gray's (1996) or Klaassen's (2002) models, a state's
// variance does not depend on the path of past states and the likelihood
// is computed exactly by the forward filter, with no collapsing. (HMP
// (2004) use one mean for all states; here the deviation driving state k's
// recursion is from its own mean μ_k, still a function of the data only.)
// The innovations η are standard normal (Gaussian) or Student-t with DF > 2
// degrees of freedom scaled to unit variance (StudentT), one DF for all
// states.
type MSGARCH struct {
	K          int
	Innovation Emission

	Trans                    [][]float64 // Row-stochastic K×K.
	Mean, Omega, Alpha, Beta []float64   // Per state; ω > 0, α, β ≥ 0, α + β < 1.
	DF                       float64     // Student-t degrees of freedom (> 2); ignored for Gaussian.
	Var0                     float64     // σ²_k,0 of every state (> 0): the fit window's sample variance.
}

func newMSGARCH(k int, e Emission) *MSGARCH {
	m := &MSGARCH{K: k, Innovation: e, Trans: make([][]float64, k),
		Mean: make([]float64, k), Omega: make([]float64, k), Alpha: make([]float64, k), Beta: make([]float64, k)}
	for i := range m.Trans {
		m.Trans[i] = make([]float64, k)
	}
	return m
}

// Clone returns a deep copy of m.
func (m *MSGARCH) Clone() *MSGARCH {
	c := newMSGARCH(m.K, m.Innovation)
	for i := range c.Trans {
		copy(c.Trans[i], m.Trans[i])
	}
	copy(c.Mean, m.Mean)
	copy(c.Omega, m.Omega)
	copy(c.Alpha, m.Alpha)
	copy(c.Beta, m.Beta)
	c.DF, c.Var0 = m.DF, m.Var0
	return c
}

// Validate reports whether m is well formed: K ≥ 1, consistent lengths,
// rows of Trans probability vectors (within 1e-8), finite means, ω > 0,
// α, β ≥ 0 with α + β < 1, Var0 > 0 and, for Student-t innovations,
// 2 < DF < ∞.
func (m *MSGARCH) Validate() error {
	if m == nil {
		return errors.New("regime: nil MSGARCH")
	}
	k := m.K
	if k < 1 || !m.Innovation.valid() {
		return fmt.Errorf("regime: MSGARCH has K = %d and innovation %v", k, m.Innovation)
	}
	if len(m.Trans) != k || len(m.Mean) != k || len(m.Omega) != k || len(m.Alpha) != k || len(m.Beta) != k {
		return fmt.Errorf("regime: MSGARCH parameter lengths do not match K = %d", k)
	}
	for i, row := range m.Trans {
		if len(row) != k {
			return fmt.Errorf("regime: transition row %d has length %d, want %d", i, len(row), k)
		}
		if err := checkDist(row, fmt.Sprintf("transition row %d", i)); err != nil {
			return err
		}
		if math.IsNaN(m.Mean[i]) || math.IsInf(m.Mean[i], 0) {
			return fmt.Errorf("regime: non-finite mean in state %d", i)
		}
		o, a, b := m.Omega[i], m.Alpha[i], m.Beta[i]
		if !(o > 0) || math.IsInf(o, 0) || !(a >= 0) || !(b >= 0) || !(a+b < 1) {
			return fmt.Errorf("regime: GARCH parameters (ω %v, α %v, β %v) of state %d out of range", o, a, b, i)
		}
	}
	if !(m.Var0 > 0) || math.IsInf(m.Var0, 0) {
		return fmt.Errorf("regime: MSGARCH Var0 = %v, want positive and finite", m.Var0)
	}
	if m.Innovation == StudentT && (!(m.DF > 2) || math.IsInf(m.DF, 0)) {
		return fmt.Errorf("regime: MSGARCH degrees of freedom %v, want finite > 2", m.DF)
	}
	return nil
}

func (m *MSGARCH) mustValidate() {
	if err := m.Validate(); err != nil {
		panic(err.Error())
	}
}

// msgarchFilter is the forward filter of an MSGARCH: the filtered state
// distribution and every state's conditional variance.
type msgarchFilter struct {
	m       *MSGARCH
	c       chain
	h       []float64 // σ²_k,t of the last day filtered
	post    []float64
	prev    []float64
	lb      []float64
	prevX   float64
	n       int
	lastLog float64 // log p(x_t | x_0..x_t-1) = m_t + log s_t
	lastS   float64 // s_t (see forwardStep); f.lb holds b̃ after step
	// Innovation constants: the log-density of x given the variance h is
	// lc - ½ log h - half·log(1 + (x-μ)²/(s·h)) for Student-t and
	// lc - ½ log h - (x-μ)²/(2h) for Gaussian innovations.
	lc, half, s float64
}

func newMSGARCHFilter(m *MSGARCH) *msgarchFilter {
	f := &msgarchFilter{h: make([]float64, m.K), post: make([]float64, m.K),
		prev: make([]float64, m.K), lb: make([]float64, m.K)}
	f.setModel(m)
	return f
}

// setModel sets the filter's model, positioned before the first
// observation.
func (f *msgarchFilter) setModel(m *MSGARCH) {
	f.m = m
	f.c.set(&Model{K: m.K, Init: uniform(m.K), Trans: m.Trans})
	f.n = 0
	if m.Innovation == StudentT {
		nu := m.DF
		a, _ := math.Lgamma((nu + 1) / 2)
		b, _ := math.Lgamma(nu / 2)
		f.lc = a - b - 0.5*math.Log(math.Pi*(nu-2))
		f.half, f.s = (nu+1)/2, nu-2
	} else {
		f.lc = -0.5 * math.Log(2*math.Pi)
	}
}

// step filters observation x and returns P(S_t = k | x_0..x_t), leaving
// the log one-step predictive density log p(x_t | x_0..x_t-1) in lastLog.
func (f *msgarchFilter) step(x float64) []float64 {
	m := f.m
	for i := range f.h {
		if f.n == 0 {
			f.h[i] = m.Var0
		} else {
			d := f.prevX - m.Mean[i]
			f.h[i] = m.Omega[i] + m.Alpha[i]*d*d + m.Beta[i]*f.h[i]
		}
		d := x - m.Mean[i]
		if m.Innovation == StudentT {
			f.lb[i] = f.lc - 0.5*math.Log(f.h[i]) - f.half*math.Log(1+d*d/(f.s*f.h[i]))
		} else {
			f.lb[i] = f.lc - 0.5*math.Log(f.h[i]) - 0.5*d*d/f.h[i]
		}
	}
	var prev []float64
	if f.n > 0 {
		copy(f.prev, f.post)
		prev = f.prev
	}
	predict(f.post, prev, &f.c)
	s, mt := update(f.post, f.lb)
	f.lastS = s
	f.lastLog = mt + math.Log(s)
	f.prevX = x
	f.n++
	return f.post
}

// Forward runs the filter over obs and returns the filtered state
// probabilities filtered[t][k] = P(S_t = k | obs[0..t]) and the exact
// log-likelihood. dst is used as in Model.Forward. Forward panics if m is
// not valid or an observation is not finite.
func (m *MSGARCH) Forward(dst [][]float64, obs []float64) (filtered [][]float64, loglik float64) {
	m.mustValidate()
	checkObs(obs)
	dst = useRows(dst, len(obs), m.K)
	f := newMSGARCHFilter(m)
	for t, x := range obs {
		copy(dst[t], f.step(x))
		loglik += f.lastLog
	}
	return dst, loglik
}

// Sample simulates n days of m with a PCG generator seeded with
// (seed, pcgStream): the state chain from the uniform distribution and
// x_t = μ_k + σ_k,t η_t, every state's variance recursion advanced each day;
// a Student-t η is a normal scale mixture (see Model.Sample) scaled to unit
// variance. It returns the observations and the states and panics if m is
// not valid or n is negative.
func (m *MSGARCH) Sample(n int, seed uint64) (obs []float64, states []int) {
	m.mustValidate()
	if n < 0 {
		panic(fmt.Sprintf("regime: Sample length %d is negative", n))
	}
	rng := rand.New(rand.NewPCG(seed, pcgStream))
	obs, states = make([]float64, n), make([]int, n)
	h := make([]float64, m.K)
	s := draw(rng, uniform(m.K))
	for t := range obs {
		if t > 0 {
			s = draw(rng, m.Trans[s])
		}
		for i := range h {
			if t == 0 {
				h[i] = m.Var0
			} else {
				d := obs[t-1] - m.Mean[i]
				h[i] = m.Omega[i] + m.Alpha[i]*d*d + m.Beta[i]*h[i]
			}
		}
		z := rng.NormFloat64()
		if m.Innovation == StudentT {
			z /= math.Sqrt(gammaVariate(rng, m.DF/2) / (m.DF / 2))
			z *= math.Sqrt((m.DF - 2) / m.DF)
		}
		states[t] = s
		obs[t] = m.Mean[s] + math.Sqrt(h[s])*z
	}
	return obs, states
}

// MSGARCHFitSettings configures FitMSGARCH.
type MSGARCHFitSettings struct {
	// K is the number of states and Innovation the innovation family
	// (Gaussian or StudentT).
	K          int
	Innovation Emission
	// MaxIter bounds the BFGS iterations of a fit.
	MaxIter int
	// Start configures the Gaussian HMM fitted for a cold start; its K
	// must equal K.
	Start FitSettings
}

// DefaultMSGARCHFitSettings returns three states with Student-t
// innovations, at most 200 BFGS iterations and DefaultFitSettings for the
// HMM of a cold start.
func DefaultMSGARCHFitSettings() MSGARCHFitSettings {
	return MSGARCHFitSettings{K: 3, Innovation: StudentT, MaxIter: 200, Start: DefaultFitSettings()}
}

func (s MSGARCHFitSettings) check() {
	switch {
	case s.K < 1 || !s.Innovation.valid():
		panic(fmt.Sprintf("regime: MSGARCHFitSettings.K = %d, Innovation = %v", s.K, s.Innovation))
	case s.MaxIter < 1:
		panic(fmt.Sprintf("regime: MSGARCHFitSettings.MaxIter = %d, want ≥ 1", s.MaxIter))
	case s.Start.K != s.K || s.Start.Emission != Gaussian:
		panic("regime: MSGARCHFitSettings.Start must fit a Gaussian HMM with K states")
	}
	s.Start.check()
}

// MSGARCHFitReport describes a call to FitMSGARCH.
type MSGARCHFitReport struct {
	Iter      int     // BFGS iterations.
	Evals     int     // Log-likelihood evaluations, gradients included.
	StartIter int     // EM iterations of the HMM of a cold start.
	LogLik    float64 // Log-likelihood of the returned model.
}

// ErrMSGARCHFit is returned, wrapped, by FitMSGARCH when no model could be
// fitted.
var ErrMSGARCHFit = errors.New("regime: MSGARCH fit failed")

// FitMSGARCH estimates an MSGARCH for obs by maximum likelihood: BFGS
// (gonum/optimize) with the exact gradient (msgarchGrad) on the
// unconstrained parameters
//
//	μ_k,  log ω_k,  (α_k, β_k) = (e^a, e^b)/(1 + e^a + e^b),
//	Trans[i][j] = e^l_ij / Σ_j e^l_ij  with l_ii = 0,   DF = 2 + e^d,
//
// which keep every iterate inside the stationary region, from the warm
// model if given and otherwise from a Gaussian HMM fitted by Fit with
// s.Start (its means and transitions, α = 0.05, β = 0.9 and ω of the
// state's variance, DF = 8). Var0 is the sample variance of obs. At most
// maxIter iterations are run (s.MaxIter for FitMSGARCH); the best point
// found is returned when the line search stalls.
//
// FitMSGARCH returns an error wrapping ErrMSGARCHFit if the observations
// have zero variance, the cold start's HMM fails or the optimum is not
// finite. It panics if the settings are invalid, obs has fewer than 2K
// observations or a non-finite one, or warm does not match.
func FitMSGARCH(obs []float64, s MSGARCHFitSettings, warm *MSGARCH) (*MSGARCH, MSGARCHFitReport, error) {
	s.check()
	checkObs(obs)
	if len(obs) < minObs(s.K) {
		panic(fmt.Sprintf("regime: %d observations, want at least %d for K = %d", len(obs), minObs(s.K), s.K))
	}
	if warm != nil {
		warm.mustValidate()
		if warm.K != s.K || warm.Innovation != s.Innovation {
			panic("regime: warm-start MSGARCH does not match the fit settings")
		}
	}
	var w workspace
	return fitMSGARCH(&w, obs, s, warm, s.MaxIter)
}

// fitMSGARCH is FitMSGARCH with a workspace for the cold start's HMM and an
// iteration bound.
func fitMSGARCH(w *workspace, obs []float64, s MSGARCHFitSettings, warm *MSGARCH, maxIter int) (*MSGARCH, MSGARCHFitReport, error) {
	rep := MSGARCHFitReport{LogLik: math.NaN()}
	_, variance := meanVar(obs)
	if !(variance > 0) {
		return nil, rep, fmt.Errorf("%w: observations have zero variance", ErrMSGARCHFit)
	}
	var m *MSGARCH
	if warm != nil {
		m = warm.Clone()
	} else {
		h, hrep, err := fit(w, obs, s.Start, nil)
		rep.StartIter = hrep.TotalIter
		if err != nil {
			return nil, rep, fmt.Errorf("%w: cold start: %w", ErrMSGARCHFit, err)
		}
		m = newMSGARCH(s.K, s.Innovation)
		for i := range s.K {
			copy(m.Trans[i], h.Trans[i])
			m.Mean[i], m.Alpha[i], m.Beta[i] = h.Mean[i], 0.05, 0.9
			m.Omega[i] = h.Var[i] * 0.05
		}
		m.DF = 8
	}
	m.Var0 = variance
	var g msgarchGrad
	trial := m.Clone()
	eval := func(grad, x []float64) float64 {
		rep.Evals++
		unpackMSGARCH(trial, x)
		ll := g.logLik(trial, obs, grad)
		if math.IsNaN(ll) || math.IsInf(ll, 0) {
			return math.Inf(1)
		}
		for i := range grad {
			grad[i] = -grad[i]
		}
		return -ll
	}
	x0 := packMSGARCH(m)
	f0 := eval(nil, x0)
	// BFGS asks for the value and then the gradient at each point: one
	// pass computes both, kept for the last point.
	var lastX, lastG []float64
	var lastF float64
	at := func(x []float64) {
		if lastX == nil || !slices.Equal(x, lastX) {
			lastG = grow(lastG, len(x))
			lastF = eval(lastG, x)
			lastX = append(lastX[:0], x...)
		}
	}
	res, _ := optimize.Minimize(optimize.Problem{
		Func: func(x []float64) float64 { at(x); return lastF },
		Grad: func(grad, x []float64) { at(x); copy(grad, lastG) },
	}, x0, &optimize.Settings{
		MajorIterations:   maxIter,
		GradientThreshold: 1e-3,
		Converger:         &optimize.FunctionConverge{Absolute: 1e-9, Relative: 1e-9, Iterations: 2},
	}, &optimize.BFGS{})
	best, fbest := x0, f0
	if res != nil && res.F < fbest {
		best, fbest = res.X, res.F
		rep.Iter = res.Stats.MajorIterations
	}
	if math.IsInf(fbest, 1) {
		return nil, rep, fmt.Errorf("%w: non-finite log-likelihood", ErrMSGARCHFit)
	}
	unpackMSGARCH(m, best)
	if err := m.Validate(); err != nil {
		return nil, rep, fmt.Errorf("%w: %w", ErrMSGARCHFit, err)
	}
	rep.LogLik = -fbest
	return m, rep, nil
}

// packMSGARCH returns the unconstrained parameters of m (see FitMSGARCH):
// per state μ, log ω, a, b; then the off-diagonal transition logits row by
// row; then d for Student-t.
func packMSGARCH(m *MSGARCH) []float64 {
	k := m.K
	x := make([]float64, 0, 4*k+k*(k-1)+1)
	for i := range k {
		a, b := m.Alpha[i], m.Beta[i]
		r := 1 - a - b
		x = append(x, m.Mean[i], math.Log(m.Omega[i]), math.Log(max(a, 1e-12)/r), math.Log(max(b, 1e-12)/r))
	}
	for i, row := range m.Trans {
		for j, p := range row {
			if j != i {
				x = append(x, math.Log(max(p, 1e-12)/max(row[i], 1e-12)))
			}
		}
	}
	if m.Innovation == StudentT {
		x = append(x, math.Log(m.DF-2))
	}
	return x
}

// unpackMSGARCH sets m's parameters from the unconstrained x (Var0 is
// left alone).
func unpackMSGARCH(m *MSGARCH, x []float64) {
	k := m.K
	for i := range k {
		p := x[4*i : 4*i+4]
		ea, eb := math.Exp(p[2]), math.Exp(p[3])
		z := 1 + ea + eb
		m.Mean[i], m.Omega[i], m.Alpha[i], m.Beta[i] = p[0], math.Exp(p[1]), ea/z, eb/z
	}
	l := x[4*k:]
	for i, row := range m.Trans {
		z := 1.0
		row[i] = 1
		for j := range row {
			if j != i {
				row[j] = math.Exp(l[0])
				z += row[j]
				l = l[1:]
			}
		}
		for j := range row {
			row[j] /= z
		}
	}
	if m.Innovation == StudentT {
		m.DF = 2 + math.Exp(l[0])
	}
}

// summaries returns each state's mean and unconditional standard
// deviation √(ω/(1-α-β)).
func (m *MSGARCH) summaries() []stateSummary {
	s := make([]stateSummary, m.K)
	for k := range s {
		s[k] = stateSummary{m.Mean[k], math.Sqrt(m.Omega[k] / (1 - m.Alpha[k] - m.Beta[k]))}
	}
	return s
}

// permute relabels the states so that new state a is old state perm[a].
func (m *MSGARCH) permute(perm []int) {
	if isIdentity(perm) {
		return
	}
	old := m.Clone()
	for a, pa := range perm {
		m.Mean[a], m.Omega[a], m.Alpha[a], m.Beta[a] = old.Mean[pa], old.Omega[pa], old.Alpha[pa], old.Beta[pa]
		for b, pb := range perm {
			m.Trans[a][b] = old.Trans[pa][pb]
		}
	}
}

// numParams returns the number of free parameters: 4K GARCH and mean
// parameters, K(K-1) transition probabilities and DF for Student-t.
func (m *MSGARCH) numParams() int {
	p := 4*m.K + m.K*(m.K-1)
	if m.Innovation == StudentT {
		p++
	}
	return p
}

// uniform returns the uniform distribution on k states.
func uniform(k int) []float64 {
	p := make([]float64, k)
	for i := range p {
		p[i] = 1 / float64(k)
	}
	return p
}

// msgarchGrad evaluates the log-likelihood of an MSGARCH and its gradient
// with respect to the unconstrained parameters of packMSGARCH, by
// forward-mode differentiation of the filter (the sensitivity equations of
// the recursions, as for GARCH in Fiorentini, Calzolari & Panattoni 1996).
// With p_t the prediction, b_k,t the densities and c_t = Σ_k p_t(k) b_k,t,
// for every natural parameter θ (μ_k, ω_k, α_k, β_k, Trans[i][j], DF):
//
//	∂h_k,t   = ∂ω_k + ∂α_k d²_k,t-1 - 2 α_k d_k,t-1 ∂μ_k + ∂β_k h_k,t-1 + β_k ∂h_k,t-1
//	∂p_t(j)  = Σ_i ∂α̂_t-1(i) Trans[i][j] + α̂_t-1(i) ∂Trans[i][j]
//	∂log c_t = Σ_k (∂p_t(k) + p_t(k) ∂log b_k,t) b_k,t / c_t
//	∂α̂_t(k) = (∂p_t(k) + p_t(k) ∂log b_k,t) b_k,t / c_t - α̂_t(k) ∂log c_t
//
// (d_k,t = x_t - μ_k), then the chain rule through the transformations of
// FitMSGARCH.
type msgarchGrad struct {
	f                   msgarchFilter
	dh, da, dp, dlc, gn []float64
}

// logLik returns the log-likelihood of m on obs and, if grad is non-nil,
// stores its gradient with respect to packMSGARCH's parameters in grad.
func (g *msgarchGrad) logLik(m *MSGARCH, obs []float64, grad []float64) float64 {
	k := m.K
	f := &g.f
	f.h, f.post, f.prev, f.lb = grow(f.h, k), grow(f.post, k), grow(f.prev, k), grow(f.lb, k)
	f.setModel(m)
	if grad == nil {
		var ll float64
		for _, x := range obs {
			f.step(x)
			ll += f.lastLog
		}
		return ll
	}
	// Natural parameters: per state 4 (μ, ω, α, β), then the K² entries of
	// Trans, then DF.
	np := 4*k + k*k + 1
	student := m.Innovation == StudentT
	g.dh = grow(g.dh, k*4)  // ∂h_k / ∂(μ_k, ω_k, α_k, β_k)
	g.da = grow(g.da, k*np) // ∂α̂(k) / ∂θ
	g.dp = grow(g.dp, k*np)
	g.dlc = grow(g.dlc, np) // ∂log c_t / ∂θ
	g.gn = grow(g.gn, np)
	for _, s := range [][]float64{g.dh, g.da, g.gn} {
		for i := range s {
			s[i] = 0
		}
	}
	var dnuC float64 // ∂(lc)/∂ν
	if student {
		nu := m.DF
		dnuC = 0.5*digamma((nu+1)/2) - 0.5*digamma(nu/2) - 0.5/(nu-2)
	}
	var ll float64
	p := make([]float64, k)
	for t, x := range obs {
		prevPost := f.post
		if t > 0 {
			copy(f.prev, f.post)
			prevPost = f.prev
			// ∂h before the variance update of step: uses h_t-1 and x_t-1.
			for i := range k {
				d := f.prevX - m.Mean[i]
				dh := g.dh[i*4 : i*4+4]
				b := m.Beta[i]
				dh[0] = -2*m.Alpha[i]*d + b*dh[0]
				dh[1] = 1 + b*dh[1]
				dh[2] = d*d + b*dh[2]
				dh[3] = f.h[i] + b*dh[3]
			}
		}
		// Prediction and its derivative (before step overwrites post),
		// in contiguous row operations: ∂p_t(j) += Trans[i][j]·∂α̂_t-1(i).
		if t == 0 {
			copy(p, uniform(k))
			for i := range g.dp {
				g.dp[i] = 0
			}
		} else {
			for j := range k {
				p[j] = 0
				for i := range k {
					p[j] += prevPost[i] * m.Trans[i][j]
				}
			}
			for i := range g.dp {
				g.dp[i] = 0
			}
			for i, row := range m.Trans {
				da := g.da[i*np : (i+1)*np]
				for j, tr := range row {
					dp := g.dp[j*np : (j+1)*np]
					for q, v := range da {
						dp[q] += tr * v
					}
					dp[4*k+i*k+j] += prevPost[i]
				}
			}
		}
		f.step(x)
		ll += f.lastLog
		// ∂α̂_t(i) = (∂p_t(i) + p_t(i) ∂log b_i,t)·b_i,t/c_t - α̂_t(i) ∂log c_t,
		// with b/c = b̃/s (b̃ left in f.lb by update) and ∂log b_i,t non-zero
		// only for state i's parameters and DF.
		for q := range g.dlc {
			g.dlc[q] = 0
		}
		for i := range k {
			h, d := f.h[i], x-m.Mean[i]
			var dlh, dlmu, dlnu float64 // ∂log b/∂h, the direct ∂log b/∂μ, ∂log b/∂ν
			if student {
				nu := m.DF
				u := d * d / ((nu - 2) * h)
				dlh = -0.5/h + (nu+1)/2*u/(1+u)/h
				dlmu = (nu + 1) * d / ((nu - 2) * h * (1 + u))
				dlnu = dnuC - 0.5*math.Log1p(u) + (nu+1)*u/(2*(nu-2)*(1+u))
			} else {
				dlh = -0.5/h + 0.5*d*d/(h*h)
				dlmu = d / h
			}
			bc := f.lb[i] / f.lastS
			pb := p[i] * bc
			da, dp := g.da[i*np:(i+1)*np], g.dp[i*np:(i+1)*np]
			for q, v := range dp {
				da[q] = v * bc
			}
			dh := g.dh[i*4 : i*4+4]
			da[4*i] += pb * (dlmu + dlh*dh[0])
			da[4*i+1] += pb * dlh * dh[1]
			da[4*i+2] += pb * dlh * dh[2]
			da[4*i+3] += pb * dlh * dh[3]
			if student {
				da[np-1] += pb * dlnu
			}
			for q, v := range da {
				g.dlc[q] += v
			}
		}
		for i := range k {
			da, a := g.da[i*np:(i+1)*np], f.post[i]
			for q, v := range g.dlc {
				da[q] -= a * v
			}
		}
		for q, v := range g.dlc {
			g.gn[q] += v
		}
	}
	packGrad(grad, m, g.gn)
	return ll
}

// packGrad stores in dst the gradient with respect to packMSGARCH's
// parameters given gn, the gradient with respect to the natural ones
// (layout of msgarchGrad.logLik).
func packGrad(dst []float64, m *MSGARCH, gn []float64) {
	k := m.K
	for i := range k {
		a, b := m.Alpha[i], m.Beta[i]
		ga, gb := gn[4*i+2], gn[4*i+3]
		dst[4*i] = gn[4*i]
		dst[4*i+1] = m.Omega[i] * gn[4*i+1]
		dst[4*i+2] = a*(1-a)*ga - a*b*gb
		dst[4*i+3] = -a*b*ga + b*(1-b)*gb
	}
	o := 4 * k
	for i, row := range m.Trans {
		gr := gn[4*k+i*k : 4*k+(i+1)*k]
		var mean float64
		for j, pj := range row {
			mean += gr[j] * pj
		}
		for j, pj := range row {
			if j != i {
				dst[o] = pj * (gr[j] - mean)
				o++
			}
		}
	}
	if m.Innovation == StudentT {
		dst[o] = (m.DF - 2) * gn[len(gn)-1]
	}
}
