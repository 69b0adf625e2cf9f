package search

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"gem/space"
)

// CMAES is the covariance matrix adaptation evolution strategy of N. Hansen,
// "The CMA evolution strategy: a tutorial", arXiv:1604.00772 (2016), the
// (μ/μ_w, λ)-CMA-ES with positive recombination weights, run in the unit
// encoding of the space and restarted with a doubled population when it
// converges (IPOP: A. Auger and N. Hansen, "A restart CMA evolution strategy
// with increasing population size", CEC 2005).
//
// Mixed spaces follow CMA-ES with margin (R. Hamano, S. Saito, M. Nomura and
// S. Shirakawa, "CMA-ES with margin: lower-bounding marginal probability for
// mixed-integer black-box optimization", GECCO 2022) in a simplified form: a
// discrete coordinate of L levels (integers, value lists, and Categorical
// and Bool through their level bins) is sampled continuously and evaluated
// at the level whose bin it falls in, and a diagonal scaling A keeps its
// standard deviation at least the one that leaves a level's bin with
// probability α = 1/(D·λ) from its centre:
//
//	x = m + σ·A·y,  y ~ N(0, C)
//	A_ii = max(1, 1/(2L·z_{1−α}·σ·√C_ii))
//
// Samples outside [0, 1] are drawn again (up to 10 times) and then
// mirrored into it; the update uses the repaired point. Rejected trials rank
// below every finite one. A sample that falls on an assignment already
// evaluated takes the known score instead of being proposed again, so a
// generation can be partly or wholly free.
//
// A batch is (the rest of) one generation: Ask(n) returns at most
// min(n, λ) assignments, and the next generation is drawn once the whole
// current one is told. Defaults, from the tutorial (D searched parameters):
//
//	λ = 4 + ⌊3 ln D⌋,  μ = ⌊λ/2⌋,  w_i ∝ ln((λ+1)/2) − ln i
//	c_σ = (μ_eff+2)/(D+μ_eff+5),  d_σ = 1 + 2 max(0, √((μ_eff−1)/(D+1)) − 1) + c_σ
//	c_c = (4+μ_eff/D)/(D+4+2μ_eff/D),  c_1 = 2/((D+1.3)²+μ_eff)
//	c_μ = min(1−c_1, 2(μ_eff−2+1/μ_eff)/((D+2)²+μ_eff))
type CMAES struct {
	h     *history
	seq   *sobol
	rng   *rand.Rand
	set   CMAESSettings
	known map[string]float64 // told scores by assignment
	free  []int              // the searched coordinates
	st    *cmaState
	gen   []cmaSample
	idle  int // consecutive generations without a new assignment
}

// CMAESSettings configure a CMAES. The zero value of a field takes the
// default given with it.
type CMAESSettings struct {
	Startup int     // QMC points before the first generation; the best is its mean (λ)
	Sigma   float64 // initial step size in the unit encoding (0.2)
	Lambda  int     // population of the first run (4 + ⌊3 ln D⌋)
}

// NewCMAES returns a CMAES over s; seed decides every random draw.
func NewCMAES(s *space.Space, seed uint64, set CMAESSettings) *CMAES {
	h := newHistory(s)
	rng := newRand(seed, 0xc3a5)
	c := &CMAES{h: h, seq: newSobol(h, rng), rng: rng, known: map[string]float64{}}
	for i, d := range h.dims {
		if !d.fixed {
			c.free = append(c.free, i)
		}
	}
	set.Lambda = orInt(set.Lambda, 4+int(3*math.Log(float64(max(len(c.free), 1)))))
	set.Startup = orInt(set.Startup, set.Lambda)
	if set.Sigma == 0 {
		set.Sigma = 0.2
	}
	if set.Lambda < 2 || set.Sigma < 0 || set.Startup < 0 {
		panic("search: CMA-ES settings out of range")
	}
	c.set = set
	return c
}

// cmaSample is one member of a generation.
type cmaSample struct {
	x     []float64 // the repaired point in the searched coordinates
	p     point     // what it maps to
	state int       // sampleNew: to propose; sampleWaiting: asked; sampleScored
	copy  int       // index of the same-generation sample it duplicates, or -1
	score float64
}

const (
	sampleNew = iota
	sampleWaiting
	sampleScored
)

// cmaState is one run of the strategy.
type cmaState struct {
	n, lambda, mu              int
	w                          []float64
	mueff, cs, ds, cc, c1, cmu float64
	chiN, sigma                float64
	m, ps, pc, a               []float64
	c                          *mat.SymDense
	b                          *mat.Dense // eigenvectors of C
	d                          []float64  // square roots of C's eigenvalues
	g                          int        // generations
	z                          float64    // z_{1−α} of the margin
}

func newCMAState(m []float64, sigma float64, lambda int) *cmaState {
	n := len(m)
	st := &cmaState{n: n, lambda: lambda, mu: lambda / 2, sigma: sigma, m: m}
	st.w = make([]float64, st.mu)
	sum, sq := 0.0, 0.0
	for i := range st.w {
		st.w[i] = math.Log(float64(lambda+1)/2) - math.Log(float64(i+1))
		sum += st.w[i]
	}
	for i := range st.w {
		st.w[i] /= sum
		sq += st.w[i] * st.w[i]
	}
	nf := float64(n)
	st.mueff = 1 / sq
	st.cs = (st.mueff + 2) / (nf + st.mueff + 5)
	st.ds = 1 + 2*max(0, math.Sqrt((st.mueff-1)/(nf+1))-1) + st.cs
	st.cc = (4 + st.mueff/nf) / (nf + 4 + 2*st.mueff/nf)
	st.c1 = 2 / ((nf+1.3)*(nf+1.3) + st.mueff)
	st.cmu = min(1-st.c1, 2*(st.mueff-2+1/st.mueff)/((nf+2)*(nf+2)+st.mueff))
	st.chiN = math.Sqrt(nf) * (1 - 1/(4*nf) + 1/(21*nf*nf))
	st.ps, st.pc = make([]float64, n), make([]float64, n)
	st.a = make([]float64, n)
	st.c = mat.NewSymDense(n, nil)
	st.b = mat.NewDense(n, n, nil)
	st.d = make([]float64, n)
	for i := range n {
		st.c.SetSym(i, i, 1)
		st.b.Set(i, i, 1)
		st.d[i] = 1
		st.a[i] = 1
	}
	st.z = normalQuantile(1 - 1/(nf*float64(lambda)))
	return st
}

// Ask returns the rest of the current generation, at most n assignments.
func (c *CMAES) Ask(n int) ([]space.Assignment, error) {
	c.h.ask(n)
	spins := 0
	for len(c.h.wait) < n && !c.h.exhausted() {
		if c.st == nil {
			if len(c.h.told)+len(c.h.wait) < c.set.Startup {
				p, ok := c.seq.fresh(c.h, c.rng)
				if !ok {
					break
				}
				c.h.propose(p)
				continue
			}
			if len(c.h.wait) > 0 {
				break // the startup's best is not known yet
			}
			c.start(c.set.Lambda)
		}
		progressed := false
		waiting := false
		for i := range c.gen {
			s := &c.gen[i]
			if s.state == sampleWaiting {
				waiting = true
			}
			if s.state == sampleNew && len(c.h.wait) < n {
				c.h.propose(s.p)
				s.state = sampleWaiting
				progressed, waiting = true, true
			}
		}
		if waiting || progressed {
			break
		}
		if spins++; spins > maxIdleGenerations {
			// A nearly exhausted finite space: the rest of the batch at
			// random among what is left.
			for len(c.h.wait) < n {
				p, ok := c.h.randomUnseen(c.rng)
				if !ok {
					break
				}
				c.h.propose(p)
			}
			break
		}
		c.update() // every sample is scored: the next generation
	}
	return c.h.batch(), nil
}

// maxIdleGenerations bounds the generations one Ask draws without finding
// an assignment not yet proposed; maxLambda bounds the population restarts
// double.
const (
	maxIdleGenerations = 100
	maxLambda          = 4096
)

// Tell records the scores of the last batch.
func (c *CMAES) Tell(scores []float64) error {
	told, err := c.h.tell(scores)
	if err != nil {
		return err
	}
	for _, t := range told {
		c.known[t.key] = t.score
	}
	for i := range c.gen {
		s := &c.gen[i]
		if s.state == sampleWaiting {
			s.score, s.state = c.known[s.p.key], sampleScored
		}
	}
	for i := range c.gen {
		if s := &c.gen[i]; s.copy >= 0 {
			s.score, s.state = c.gen[s.copy].score, sampleScored
		}
	}
	return nil
}

// start begins a run of population lambda, centred on the best trial so far
// (the first run) or on a random unseen assignment (a restart).
func (c *CMAES) start(lambda int) {
	m := make([]float64, len(c.free))
	for k := range m {
		m[k] = 0.5
	}
	u := []float64(nil)
	if c.st == nil {
		if b, ok := c.h.best(); ok {
			u = b.u
		}
	} else if p, ok := c.h.randomUnseen(c.rng); ok {
		u = p.u
	}
	for k, i := range c.free {
		if u != nil {
			m[k] = u[i]
		}
	}
	c.st = newCMAState(m, c.set.Sigma, lambda)
	c.margin()
	c.sample()
}

// sample draws a new generation.
func (c *CMAES) sample() {
	st := c.st
	c.gen = c.gen[:0]
	index := map[string]int{}
	fresh := false
	full := make([]float64, len(c.h.dims))
	for k := range st.lambda {
		x := c.draw()
		for i := range full {
			full[i] = 0.5
		}
		for j, i := range c.free {
			full[i] = x[j]
		}
		p := c.h.decode(full)
		s := cmaSample{x: x, p: p, copy: -1}
		key := p.key
		switch y, ok := c.known[key]; {
		case ok:
			s.score, s.state = y, sampleScored
		case index[key] > 0:
			s.copy, s.state = index[key]-1, sampleScored
		default:
			index[key] = k + 1
			fresh = true
		}
		c.gen = append(c.gen, s)
	}
	if fresh {
		c.idle = 0
	} else {
		c.idle++
	}
}

// draw samples one point in [0, 1]^D: redrawn up to 10 times, then mirrored.
func (c *CMAES) draw() []float64 {
	st := c.st
	x := make([]float64, st.n)
	z := make([]float64, st.n)
	for try := 0; ; try++ {
		for i := range z {
			z[i] = c.rng.NormFloat64() * st.d[i]
		}
		inside := true
		for i := range x {
			y := 0.0
			for j := range z {
				y += st.b.At(i, j) * z[j]
			}
			x[i] = st.m[i] + st.sigma*st.a[i]*y
			inside = inside && x[i] >= 0 && x[i] <= 1
		}
		if inside {
			return x
		}
		if try == 9 {
			for i := range x {
				x[i] = mirror(x[i])
			}
			return x
		}
	}
}

// mirror folds x into [0, 1] by reflection at the bounds.
func mirror(x float64) float64 {
	x = math.Mod(math.Abs(x), 2)
	if x > 1 {
		x = 2 - x
	}
	return x
}

// update adapts the distribution to the scored generation and draws the
// next one, restarting when the run has converged.
func (c *CMAES) update() {
	st := c.st
	ys := make([]float64, len(c.gen))
	for i, s := range c.gen {
		ys[i] = s.score
	}
	order := rankOrder(ys)
	n := st.n
	// y_i = A⁻¹(x_i − m)/σ for the μ best; y_w their weighted mean.
	y := make([][]float64, st.mu)
	yw := make([]float64, n)
	for k := range st.mu {
		x := c.gen[order[k]].x
		y[k] = make([]float64, n)
		for i := range n {
			y[k][i] = (x[i] - st.m[i]) / (st.sigma * st.a[i])
			yw[i] += st.w[k] * y[k][i]
		}
	}
	for i := range n {
		st.m[i] += st.sigma * st.a[i] * yw[i]
	}
	// p_σ ← (1−c_σ)p_σ + √(c_σ(2−c_σ)μ_eff) C^(−1/2) y_w, C^(−1/2) = B D⁻¹ Bᵀ.
	bty := make([]float64, n)
	for j := range n {
		for i := range n {
			bty[j] += st.b.At(i, j) * yw[i]
		}
		bty[j] /= st.d[j]
	}
	norm := 0.0
	for i := range n {
		v := 0.0
		for j := range n {
			v += st.b.At(i, j) * bty[j]
		}
		st.ps[i] = (1-st.cs)*st.ps[i] + math.Sqrt(st.cs*(2-st.cs)*st.mueff)*v
		norm += st.ps[i] * st.ps[i]
	}
	norm = math.Sqrt(norm)
	st.g++
	hs := norm/math.Sqrt(1-math.Pow(1-st.cs, 2*float64(st.g))) < (1.4+2/float64(n+1))*st.chiN
	hsig, dh := 0.0, st.cc*(2-st.cc)
	if hs {
		hsig, dh = 1, 0
	}
	for i := range n {
		st.pc[i] = (1-st.cc)*st.pc[i] + hsig*math.Sqrt(st.cc*(2-st.cc)*st.mueff)*yw[i]
	}
	// C ← (1 + c_1 δ(h_σ) − c_1 − c_μ) C + c_1 p_c p_cᵀ + c_μ Σ w_i y_i y_iᵀ.
	keep := 1 + st.c1*dh - st.c1 - st.cmu
	for i := range n {
		for j := i; j < n; j++ {
			v := keep*st.c.At(i, j) + st.c1*st.pc[i]*st.pc[j]
			for k := range st.mu {
				v += st.cmu * st.w[k] * y[k][i] * y[k][j]
			}
			st.c.SetSym(i, j, v)
		}
	}
	st.sigma *= math.Exp(st.cs / st.ds * (norm/st.chiN - 1))
	if !c.decompose() || c.converged() {
		c.start(min(2*st.lambda, maxLambda))
		return
	}
	c.margin()
	c.sample()
}

// decompose refreshes B and D from C; false when C is no longer positive
// definite or is ill-conditioned beyond 1e14.
func (c *CMAES) decompose() bool {
	st := c.st
	var eig mat.EigenSym
	if !eig.Factorize(st.c, true) {
		return false
	}
	vals := eig.Values(nil)
	eig.VectorsTo(st.b)
	lo, hi := math.Inf(1), 0.0
	for i, v := range vals {
		if !(v > 0) {
			return false
		}
		st.d[i] = math.Sqrt(v)
		lo, hi = min(lo, v), max(hi, v)
	}
	return hi/lo < 1e14 && !math.IsInf(st.sigma, 0) && st.sigma > 0
}

// converged reports whether the run should restart: its steps are below
// 1e-7 of the unit range in every continuous coordinate (and all discrete
// ones are at their margin), or three generations in a row brought no new
// assignment.
func (c *CMAES) converged() bool {
	if c.idle >= 3 {
		return true
	}
	for k, i := range c.free {
		if c.h.dims[i].levels == 0 && c.st.sigma*c.st.a[k]*math.Sqrt(c.st.c.At(k, k)) > 1e-7 {
			return false
		}
		if c.h.dims[i].levels > 0 && c.st.a[k] == 1 {
			return false
		}
	}
	return true
}

// margin sets A so that each discrete coordinate's standard deviation is
// at least 1/(2L·z_{1−α}).
func (c *CMAES) margin() {
	st := c.st
	for k, i := range c.free {
		st.a[k] = 1
		if L := c.h.dims[i].levels; L > 0 {
			sd := st.sigma * math.Sqrt(st.c.At(k, k))
			st.a[k] = max(1, 1/(2*float64(L)*st.z*sd))
		}
	}
}

// Warm records trials evaluated before (a ledger being resumed), as if
// they had been proposed and told: the method models them and never
// proposes them again. It must not be called while a batch is waiting.
//
// Warm trials are known scores for the samples that fall on them; before
// the first generation they count towards the startup, whose best is the
// first mean.
func (c *CMAES) Warm(as []space.Assignment, scores []float64) error {
	told, err := c.h.warm(as, scores)
	for _, t := range told {
		c.known[t.key] = t.score
	}
	for i := range c.gen {
		if s := &c.gen[i]; s.state == sampleNew {
			if y, ok := c.known[s.p.key]; ok {
				s.score, s.state = y, sampleScored
			}
		}
	}
	return err
}
