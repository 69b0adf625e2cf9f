package search

import (
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"

	"gem/space"
)

// GP is Bayesian optimisation with a Gaussian-process surrogate and the
// expected-improvement criterion (D. R. Jones, M. Schonlau and W. J. Welch,
// "Efficient global optimization of expensive black-box functions", J. Global
// Optim. 13 (1998) 455-492; C. E. Rasmussen and C. K. I. Williams, "Gaussian
// processes for machine learning", MIT Press 2006, algorithm 2.1 and §5.4).
//
// The surrogate models the standardised scores with a Matérn 5/2 kernel with
// one length scale per parameter (automatic relevance determination) on the
// unit encoding; a nominal parameter (Categorical, Bool) contributes distance
// 1 between different levels and 0 otherwise:
//
//	k(x, x') = s² (1 + √5 r + 5r²/3) exp(−√5 r),  r² = Σ_p δ_p(x, x')²/ℓ_p²
//
// Its hyperparameters (ℓ_p, s² and the noise variance σ²) maximise the log
// marginal likelihood plus weak log-normal priors (log ℓ_p ~ N(log 0.5,
// 1.5²), log s² ~ N(0, 1), log σ² ~ N(log 1e-4, 3²)) by at most 20 L-BFGS
// steps, warm-started from the last fit, on at most FitMax trials (the best
// half and the most recent), refitted whenever the number of trials has grown
// by a fifth. Between fits the Cholesky factor grows by one row per trial, so
// a proposal costs O(n²) per candidate rather than O(n³).
//
// Rejected trials are imputed with the worst finite score told so far: the
// model learns that their region is poor without a separate classifier, and
// no infinite value enters it.
//
// A proposal maximises log EI (accurate where EI underflows), with the
// incumbent the best standardised score y*, over Candidates uniform points
// and Local Gaussian perturbations of the best trials and of the best
// candidates (discrete parameters snapped to their levels, assignments
// proposed before skipped); the posterior variance, the O(n²) part, is
// computed only for candidates whose EI bound (at the variance the nearest
// trial alone leaves) can still win:
//
//	EI(x) = σ(x) h((μ(x) − y*)/σ(x)),  h(z) = φ(z) + z Φ(z)
//
// A batch is proposed with the kriging believer (D. Ginsbourger, R. Le Riche
// and L. Carraro, "Kriging is well-suited to parallelize optimization", 2010):
// each proposal joins the data with its posterior mean as its score while
// the rest of the batch is chosen.
type GP struct {
	h     *history
	seq   *sobol
	rng   *rand.Rand
	set   GPSettings
	free  []int      // searched coordinates
	order []int      // the coordinate of each feature: numeric ones, then nominal
	nNum  int        // numeric features
	theta []float64  // log ℓ_p for each free coordinate, log s², log σ²
	next  int        // refit when this many trials are told
	chol  cholFactor // of the kernel matrix of the told trials, then the waiting batch
	ready bool       // chol holds the told trials under the current hyperparameters
	fant  []float64  // kriging-believer scores of the waiting batch (standardised)
}

// GPSettings configure a GP. The zero value of a field takes the default
// given with it.
type GPSettings struct {
	Startup    int // QMC points before the model (10)
	Candidates int // uniform candidates per proposal (64)
	Local      int // local candidates per proposal (32)
	FitMax     int // most trials the hyperparameter fit uses (100)
}

// NewGP returns a GP over s; seed decides every random draw.
func NewGP(s *space.Space, seed uint64, set GPSettings) *GP {
	set.Startup = orInt(set.Startup, 10)
	set.Candidates = orInt(set.Candidates, 64)
	set.Local = orInt(set.Local, 32)
	set.FitMax = orInt(set.FitMax, 100)
	if set.Startup < 0 || set.Candidates < 0 || set.Local < 0 || set.FitMax < 2 {
		panic("search: GP settings out of range")
	}
	h := newHistory(s)
	rng := newRand(seed, 0x6a9b)
	g := &GP{h: h, seq: newSobol(h, rng), rng: rng, set: set}
	for i, d := range h.dims {
		if !d.fixed {
			g.free = append(g.free, i)
		}
	}
	for _, i := range g.free {
		if !h.dims[i].nominal {
			g.order = append(g.order, i)
		}
	}
	g.nNum = len(g.order)
	for _, i := range g.free {
		if h.dims[i].nominal {
			g.order = append(g.order, i)
		}
	}
	g.theta = make([]float64, len(g.free)+2)
	for k := range g.free {
		g.theta[k] = math.Log(0.5)
	}
	g.theta[len(g.free)+1] = math.Log(1e-4)
	return g
}

// Ask returns up to n proposals.
func (g *GP) Ask(n int) ([]space.Assignment, error) {
	g.h.ask(n)
	_, scored := g.h.best()
	for len(g.h.wait) < n && !g.h.exhausted() {
		if len(g.h.told) < g.set.Startup || !scored {
			p, ok := g.seq.fresh(g.h, g.rng)
			if !ok {
				break
			}
			g.h.propose(p)
			continue
		}
		if len(g.h.wait) == 0 {
			g.prepare()
		}
		p, ok := g.propose()
		if !ok {
			break
		}
		g.h.propose(p)
	}
	return g.h.batch(), nil
}

// Tell records the scores of the last batch. The factor keeps the batch's
// rows: the kernel does not depend on the scores.
func (g *GP) Tell(scores []float64) error {
	if _, err := g.h.tell(scores); err != nil {
		return err
	}
	g.fant = g.fant[:0]
	return nil
}

// prepare refits the hyperparameters when due and brings the factor up to
// the told trials.
func (g *GP) prepare() {
	n := len(g.h.told)
	if !g.ready || n >= g.next || g.chol.n != n {
		if n >= g.next {
			g.fit()
			g.next = n + max(1, n/5)
		}
		g.factor(g.h.told)
	}
}

// features are the coordinates the kernel sees, in g.order: the unit
// coordinate of a numeric parameter, the level index of a nominal one.
func (g *GP) features(u []float64) []float64 {
	f := make([]float64, len(g.order))
	for k, i := range g.order {
		f[k] = u[i]
		if d := g.h.dims[i]; d.nominal {
			f[k] = math.Floor(u[i] * float64(d.levels))
		}
	}
	return f
}

// scaledDist2 is r² between feature rows a and b under length scales inv2
// (1/ℓ_p², in feature order), with per-feature terms in parts when it is
// not nil.
func (g *GP) scaledDist2(a, b, inv2, parts []float64) float64 {
	r2 := 0.0
	if parts == nil {
		for k := range g.nNum {
			d := a[k] - b[k]
			r2 += d * d * inv2[k]
		}
		for k := g.nNum; k < len(a); k++ {
			if a[k] != b[k] {
				r2 += inv2[k]
			}
		}
		return r2
	}
	for k := range a {
		d2 := 1.0
		if k < g.nNum {
			d := a[k] - b[k]
			d2 = d * d
		} else if a[k] == b[k] {
			d2 = 0
		}
		parts[k] = d2 * inv2[k]
		r2 += parts[k]
	}
	return r2
}

// matern52 is (1 + √5 r + 5r²/3) exp(−√5 r).
func matern52(r2 float64) float64 {
	r := math.Sqrt(5 * r2)
	return (1 + r + r*r/3) * math.Exp(-r)
}

// hyper unpacks θ into 1/ℓ_p², s² and the noise variance.
func (g *GP) hyper(theta []float64) (inv2 []float64, s2, noise float64) {
	d := len(g.free)
	inv2 = make([]float64, d)
	for k := range d {
		inv2[k] = math.Exp(-2 * theta[k])
	}
	return inv2, math.Exp(theta[d]), math.Exp(theta[d+1]) + 1e-8
}

// targets are the standardised scores of trials (rejected ones imputed with
// the worst finite score).
func targets(trials []record) []float64 {
	lo, sum, sq, n := math.Inf(1), 0.0, 0.0, 0
	for _, t := range trials {
		if !math.IsInf(t.score, -1) {
			lo = min(lo, t.score)
		}
	}
	y := make([]float64, len(trials))
	for i, t := range trials {
		y[i] = t.score
		if math.IsInf(t.score, -1) {
			y[i] = lo
		}
		sum += y[i]
		n++
	}
	mean := sum / float64(n)
	for _, v := range y {
		sq += (v - mean) * (v - mean)
	}
	sd := math.Sqrt(sq / float64(n))
	if !(sd > 0) {
		sd = 1
	}
	for i := range y {
		y[i] = (y[i] - mean) / sd
	}
	return y
}

// fit maximises the penalised log marginal likelihood on at most FitMax
// trials.
func (g *GP) fit() {
	told := g.h.told
	sub := told
	if len(told) > g.set.FitMax {
		ys := make([]float64, len(told))
		for i, t := range told {
			ys[i] = t.score
		}
		take := make([]bool, len(told))
		for _, i := range rankOrder(ys)[:g.set.FitMax/2] {
			take[i] = true
		}
		extra := g.set.FitMax - g.set.FitMax/2
		for i := len(told) - 1; i >= 0 && extra > 0; i-- {
			if !take[i] {
				take[i] = true
				extra--
			}
		}
		sub = nil
		for i, t := range told {
			if take[i] {
				sub = append(sub, t)
			}
		}
	}
	xs := make([][]float64, len(sub))
	for i, t := range sub {
		xs[i] = g.features(t.u)
	}
	y := targets(sub)
	var lastX []float64
	var lastF float64
	lastG := make([]float64, len(g.theta))
	eval := func(theta []float64) {
		if slices.Equal(theta, lastX) {
			return
		}
		lastX = slices.Clone(theta)
		lastF = g.nlml(theta, xs, y, lastG)
	}
	prob := optimize.Problem{
		Func: func(theta []float64) float64 { eval(theta); return lastF },
		Grad: func(grad, theta []float64) { eval(theta); copy(grad, lastG) },
	}
	start := g.nlml(g.theta, xs, y, nil)
	res, _ := optimize.Minimize(prob, slices.Clone(g.theta), &optimize.Settings{MajorIterations: 20}, &optimize.LBFGS{})
	if res == nil || !(res.F < start) {
		return
	}
	for k, v := range res.X {
		if math.IsNaN(v) {
			return
		}
		res.X[k] = min(max(v, -12), 8)
	}
	g.theta = res.X
}

// nlml is the negative log marginal likelihood of y at xs minus the log
// prior of θ, and its gradient in grad (when not nil); +Inf when the kernel
// matrix is not positive definite. Rasmussen and Williams eq. 5.9:
//
//	∂/∂θ_j = −½ tr((ααᵀ − K⁻¹) ∂K/∂θ_j),  α = K⁻¹y
func (g *GP) nlml(theta []float64, xs [][]float64, y, grad []float64) float64 {
	n, d := len(xs), len(g.free)
	inv2, s2, noise := g.hyper(theta)
	k := mat.NewSymDense(n, nil)
	for i := range n {
		for j := i; j < n; j++ {
			v := s2 * matern52(g.scaledDist2(xs[i], xs[j], inv2, nil))
			if i == j {
				v += noise
			}
			k.SetSym(i, j, v)
		}
	}
	var chol mat.Cholesky
	if !chol.Factorize(k) {
		if grad != nil {
			clear(grad)
		}
		return math.Inf(1)
	}
	var alpha mat.VecDense
	if err := chol.SolveVecTo(&alpha, mat.NewVecDense(n, y)); err != nil {
		return math.Inf(1)
	}
	f := 0.5*mat.Dot(&alpha, mat.NewVecDense(n, y)) + 0.5*chol.LogDet() + 0.5*float64(n)*math.Log(2*math.Pi)
	// The priors, as penalties (constants dropped).
	pen := func(x, mu, sd float64) (float64, float64) { z := (x - mu) / sd; return 0.5 * z * z, z / sd }
	dprior := make([]float64, d+2)
	for j := range d {
		p, dp := pen(theta[j], math.Log(0.5), 1.5)
		f += p
		dprior[j] = dp
	}
	p, dp := pen(theta[d], 0, 1)
	f, dprior[d] = f+p, dp
	p, dp = pen(theta[d+1], math.Log(1e-4), 3)
	f, dprior[d+1] = f+p, dp
	if grad == nil {
		return f
	}
	var kinv mat.SymDense
	if err := chol.InverseTo(&kinv); err != nil {
		clear(grad)
		return math.Inf(1)
	}
	copy(grad, dprior)
	parts := make([]float64, d)
	a := alpha.RawVector().Data
	for i := range n {
		for j := i; j < n; j++ {
			w := a[i]*a[j] - kinv.At(i, j) // W_ij
			if j != i {
				w *= 2 // W is symmetric: count (i, j) and (j, i)
			}
			r2 := g.scaledDist2(xs[i], xs[j], inv2, parts)
			r := math.Sqrt(5 * r2)
			e := math.Exp(-r)
			grad[d] -= 0.5 * w * s2 * (1 + r + r*r/3) * e
			if j == i {
				grad[d+1] -= 0.5 * w * (noise - 1e-8)
				continue
			}
			// ∂k/∂log ℓ_p = s² (5/3)(1 + √5 r) exp(−√5 r) δ_p²/ℓ_p².
			c := s2 * 5.0 / 3 * (1 + r) * e
			for q := range d {
				grad[q] -= 0.5 * w * c * parts[q]
			}
		}
	}
	return f
}

// factor computes the Cholesky factor of the kernel matrix of rows under
// the current hyperparameters, adding jitter to the diagonal if needed.
func (g *GP) factor(rows []record) {
	inv2, s2, noise := g.hyper(g.theta)
	n := len(rows)
	xs := make([][]float64, n)
	for i, t := range rows {
		xs[i] = g.features(t.u)
	}
	for jitter := 0.0; jitter <= 1; jitter = max(10*jitter, 1e-8) {
		ok := g.chol.factor(n, func(i, j int) float64 {
			v := s2 * matern52(g.scaledDist2(xs[i], xs[j], inv2, nil))
			if i == j {
				v += noise + jitter
			}
			return v
		})
		if ok {
			g.ready = true
			return
		}
	}
	panic("search: GP kernel matrix not positive definite")
}

// rowsTrials are the trials behind the factor's rows, in order.
func (g *GP) rowsTrials() []record {
	return append(slices.Clip(g.h.told), g.h.wait...)
}

// propose picks the candidate of highest log EI and adds it to the factor
// with its posterior mean as a believed score.
func (g *GP) propose() (point, bool) {
	inv2, s2, noise := g.hyper(g.theta)
	rows := g.rowsTrials()
	xs := make([][]float64, len(rows))
	for i, t := range rows {
		xs[i] = g.features(t.u)
	}
	y := targets(g.h.told)
	best := math.Inf(-1)
	for _, v := range y {
		best = max(best, v)
	}
	y = append(y, g.fant...)
	a := g.chol.solve(y)
	u := g.chol.tri()

	type cand struct {
		p          point
		f, k       []float64 // features, kernel column
		mu, ub, ei float64
	}
	var cands []cand
	var top []float64 // the best exact log EI values so far, descending
	// score evaluates log EI at the fresh candidates among us in decreasing
	// order of an upper bound (EI at the variance left by the nearest trial
	// alone, which the posterior's never exceeds), and leaves the rest at
	// −Inf once the bound falls below the keep-th best exact value: the
	// O(n²) variance is only computed where it can matter.
	score := func(us [][]float64, keep int) {
		start := len(cands)
		n := len(xs)
		for _, cu := range us {
			p := g.h.decode(cu)
			if !g.h.fresh(p) {
				continue
			}
			c := cand{p: p, f: g.features(p.u), k: make([]float64, n), ei: math.Inf(-1)}
			for i := range n {
				c.k[i] = s2 * matern52(g.scaledDist2(xs[i], c.f, inv2, nil))
				c.mu += c.k[i] * a[i]
			}
			// Conditioning on the nearest trial alone leaves more variance
			// than conditioning on all: s² − max_i k_i²/(s² + σ²) bounds σ².
			kmax := 0.0
			for _, k := range c.k {
				kmax = max(kmax, k)
			}
			sdUB := math.Sqrt(max(s2-kmax*kmax/(s2+noise), 1e-12*s2))
			c.ub = logEI((c.mu-best)/sdUB) + math.Log(sdUB)
			cands = append(cands, c)
		}
		batch := cands[start:]
		slices.SortStableFunc(batch, func(p, q cand) int { return cmpDesc(p.ub, q.ub) })
		col := make([]float64, n)
		for j := range batch {
			c := &batch[j]
			if len(top) >= keep && c.ub < top[keep-1] {
				break
			}
			// vᵀU = kᵀ (v = U⁻ᵀk) row-wise, so that the solve runs on
			// contiguous rows of U.
			copy(col, c.k)
			blas64.Trsm(blas.Right, blas.NoTrans, 1, u, blas64.General{Rows: 1, Cols: n, Stride: n, Data: col})
			v := s2
			for _, x := range col {
				v -= x * x
			}
			sd := math.Sqrt(max(v, 1e-12*s2))
			c.ei = logEI((c.mu-best)/sd) + math.Log(sd)
			k, _ := slices.BinarySearchFunc(top, c.ei, func(x, t float64) int { return cmpDesc(x, t) })
			top = slices.Insert(top, k, c.ei)
		}
	}
	dim := len(g.h.dims)
	var us [][]float64
	for range g.set.Candidates {
		cu := make([]float64, dim)
		for i := range cu {
			cu[i] = g.rng.Float64()
		}
		us = append(us, cu)
	}
	// Half the local candidates around the best trials, half around the
	// best candidates found so far.
	byScore := rankOrder(y[:len(g.h.told)])
	centres := make([][]float64, 0, 4)
	for _, i := range byScore[:min(4, len(byScore))] {
		centres = append(centres, g.h.told[i].u)
	}
	us = append(us, g.perturb(centres, g.set.Local/2, 0.1)...)
	score(us, len(centres))
	slices.SortStableFunc(cands, func(p, q cand) int { return cmpDesc(p.ei, q.ei) })
	centres = centres[:0]
	for _, c := range cands[:min(4, len(cands))] {
		centres = append(centres, c.p.u)
	}
	score(g.perturb(centres, g.set.Local-g.set.Local/2, 0.03), 1)
	if len(cands) == 0 {
		return g.h.randomUnseen(g.rng)
	}
	pick := 0
	for j := range cands {
		if cands[j].ei > cands[pick].ei {
			pick = j
		}
	}
	c := cands[pick]
	// Kriging believer: extend the factor by the proposal's row.
	col := append(c.k, s2+noise)
	g.fant = append(g.fant, c.mu)
	if !g.chol.extend(col) {
		// A near-duplicate row: refactor with jitter.
		g.factor(append(rows, record{u: c.p.u}))
	}
	return c.p, true
}

// perturb draws count points around centres (in turn): Gaussian steps of
// scale sd on numeric coordinates, and on average one nominal coordinate
// redrawn.
func (g *GP) perturb(centres [][]float64, count int, sd float64) [][]float64 {
	if len(centres) == 0 {
		return nil
	}
	out := make([][]float64, count)
	for j := range out {
		c := centres[j%len(centres)]
		p := slices.Clone(c)
		for _, i := range g.free {
			if g.h.dims[i].nominal {
				if g.rng.IntN(len(g.free)) == 0 {
					p[i] = g.rng.Float64()
				}
				continue
			}
			p[i] = mirror(p[i] + sd*g.rng.NormFloat64())
		}
		out[j] = p
	}
	return out
}

// logEI is log h(z), h(z) = φ(z) + zΦ(z), accurate for very negative z,
// where h(z) = φ(z)(1 − xR(x)), x = −z, with the Mills ratio R(x) =
// Φ(−x)/φ(x) from its continued fraction (Abramowitz and Stegun 26.2.14):
//
//	R(x) = 1/(x + 1/(x + 2/(x + 3/(x + ...))))
func logEI(z float64) float64 {
	if z > -6 {
		return math.Log(math.Max(normalPDF(z)+z*normalCDF(z), 1e-300))
	}
	x := -z
	t := x
	for k := 60; k >= 1; k-- {
		t = x + float64(k)/t
	}
	return -0.5*z*z - 0.5*math.Log(2*math.Pi) + math.Log(1-x/t)
}

func normalPDF(z float64) float64 { return math.Exp(-0.5*z*z) / math.Sqrt(2*math.Pi) }

// cholFactor is the upper Cholesky factor U (K = UᵀU) of a matrix that
// grows by one row and column at a time: its storage has room for more rows
// than it holds, so extending it writes one new column (O(n²) for the
// triangular solve) instead of copying the factor.
type cholFactor struct {
	n, stride int
	data      []float64
}

func (c *cholFactor) tri() blas64.Triangular {
	return blas64.Triangular{Uplo: blas.Upper, Diag: blas.NonUnit, N: c.n, Stride: max(c.stride, 1), Data: c.data}
}

// reserve makes room for n rows, keeping the factor.
func (c *cholFactor) reserve(n int) {
	if n <= c.stride {
		return
	}
	stride := max(2*n, 16)
	data := make([]float64, stride*stride)
	for i := range c.n {
		copy(data[i*stride+i:i*stride+c.n], c.data[i*c.stride+i:i*c.stride+c.n])
	}
	c.stride, c.data = stride, data
}

// factor factorises the n×n matrix with entries k(i, j), i ≤ j; false when
// it is not positive definite.
func (c *cholFactor) factor(n int, k func(i, j int) float64) bool {
	c.n = 0
	c.reserve(n)
	for i := range n {
		for j := i; j < n; j++ {
			c.data[i*c.stride+j] = k(i, j)
		}
	}
	c.n = n
	if n == 0 {
		return true
	}
	_, ok := lapack64.Potrf(blas64.Symmetric{Uplo: blas.Upper, N: n, Stride: c.stride, Data: c.data})
	if !ok {
		c.n = 0
	}
	return ok
}

// extend adds a row and column whose entries are col (the last one on the
// diagonal); false, leaving the factor as it was, when the result would not
// be positive definite:
//
//	[U c; 0 d],  Uᵀc = col[:n],  d = √(col[n] − cᵀc)
func (c *cholFactor) extend(col []float64) bool {
	n := c.n
	c.reserve(n + 1)
	v := blas64.Vector{N: n, Inc: c.stride, Data: c.data[n:]}
	for i := range n {
		c.data[i*c.stride+n] = col[i]
	}
	if n > 0 {
		blas64.Trsv(blas.Trans, c.tri(), v)
	}
	d2 := col[n]
	for i := range n {
		d2 -= c.data[i*c.stride+n] * c.data[i*c.stride+n]
	}
	if !(d2 > 0) {
		return false
	}
	c.data[n*c.stride+n] = math.Sqrt(d2)
	c.n++
	return true
}

// solve returns K⁻¹y.
func (c *cholFactor) solve(y []float64) []float64 {
	x := slices.Clone(y)
	v := blas64.Vector{N: c.n, Inc: 1, Data: x}
	blas64.Trsv(blas.Trans, c.tri(), v)
	blas64.Trsv(blas.NoTrans, c.tri(), v)
	return x
}

// Warm records trials evaluated before (a ledger being resumed), as if
// they had been proposed and told: the method models them and never
// proposes them again. It must not be called while a batch is waiting.
func (g *GP) Warm(as []space.Assignment, scores []float64) error {
	_, err := g.h.warm(as, scores)
	return err
}
