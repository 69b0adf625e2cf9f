package search

import (
	"math"
	"math/rand/v2"

	"gem/space"
)

// TPE is the tree-structured Parzen estimator of J. Bergstra, R. Bardenet,
// Y. Bengio and B. Kégl, "Algorithms for hyper-parameter optimization",
// NeurIPS 2011, in its multivariate form (one joint kernel density over all
// parameters, as in S. Falkner, A. Klein and F. Hutter, "BOHB: robust and
// efficient hyperparameter optimization at scale", ICML 2018, and Optuna's
// TPESampler with multivariate=True).
//
// After a startup of QMC points it splits the trials told so far into the
// best γ(n) ("below", good) and the rest ("above", bad; rejected trials are
// always bad and never enter a density as numbers), fits a Parzen estimator
// l(x) to the good and g(x) to the bad, draws candidates from l and proposes
// the one that maximises l(x)/g(x), which is equivalent to maximising
// expected improvement under the TPE model (Bergstra et al. 2011, eq. 3):
//
//	γ(n) = min(⌈Gamma·n⌉, MaxGood)
//	l(x) = Σ_j w_j Π_d k_jd(x_d) / Σ_j w_j   (one component per good trial, plus the prior)
//
// In the unit encoding, a numeric coordinate's kernel is a Gaussian
// truncated to [0, 1] (its mass over the level's bin for a discrete ordered
// parameter), centred on the trial with the multivariate bandwidth
// 0.2·n^(−1/(D+4)), clipped to [1/min(100, n+1), 1] (Optuna's rule for D
// searched parameters and n trials in the estimator); the prior component is
// centred at 0.5 with width 1. A nominal coordinate (Categorical, Bool) has
// smoothed counts: the trial's level with weight 1 plus PriorWeight spread
// evenly over the levels. Trial weights are Optuna's: equal for the newest
// 25, a linear ramp from 1/n for older ones.
//
// A batch is proposed with the constant liar (Optuna's constant_liar): each
// proposal of the batch joins the bad trials while the rest is drawn.
type TPE struct {
	h    *history
	seq  *sobol
	rng  *rand.Rand
	set  TPESettings
	free int // searched coordinates (D)
}

// TPESettings configure a TPE. The zero value of a field takes the default
// given with it.
type TPESettings struct {
	Startup     int     // QMC points before the model (10)
	Candidates  int     // draws from l(x) per proposal (24)
	Gamma       float64 // fraction of trials counted good (0.1)
	MaxGood     int     // most trials counted good (25)
	PriorWeight float64 // weight of the prior component and of the nominal smoothing (1)
}

// NewTPE returns a TPE over s; seed decides every random draw.
func NewTPE(s *space.Space, seed uint64, set TPESettings) *TPE {
	set.Startup = orInt(set.Startup, 10)
	set.Candidates = orInt(set.Candidates, 24)
	set.MaxGood = orInt(set.MaxGood, 25)
	if set.Gamma == 0 {
		set.Gamma = 0.1
	}
	if set.PriorWeight == 0 {
		set.PriorWeight = 1
	}
	if set.Gamma < 0 || set.Gamma > 1 || set.PriorWeight < 0 || set.Startup < 0 || set.Candidates < 0 || set.MaxGood < 0 {
		panic("search: TPE settings out of range")
	}
	h := newHistory(s)
	rng := newRand(seed, 0x7e9e)
	t := &TPE{h: h, seq: newSobol(h, rng), rng: rng, set: set}
	for _, d := range h.dims {
		if !d.fixed {
			t.free++
		}
	}
	return t
}

func orInt(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// Ask returns up to n proposals.
func (t *TPE) Ask(n int) ([]space.Assignment, error) {
	t.h.ask(n)
	for len(t.h.wait) < n {
		p, ok := t.next()
		if !ok {
			break
		}
		t.h.propose(p)
	}
	return t.h.batch(), nil
}

// Tell records the scores of the last batch.
func (t *TPE) Tell(scores []float64) error {
	_, err := t.h.tell(scores)
	return err
}

// next draws one proposal: QMC during the startup or while no trial has a
// finite score, the best of the candidates drawn from l(x) otherwise.
func (t *TPE) next() (point, bool) {
	if t.h.exhausted() {
		return point{}, false
	}
	_, scored := t.h.best()
	if len(t.h.told)+len(t.h.wait) < t.set.Startup || !scored {
		return t.seq.fresh(t.h, t.rng)
	}
	good, bad := t.split()
	l := t.parzen(good)
	g := t.parzen(bad)
	var (
		bestP     point
		bestRatio = math.Inf(-1)
		found     bool
	)
	u := make([]float64, len(t.h.dims))
	for tries := 0; tries < 4*t.set.Candidates && (tries < t.set.Candidates || !found); tries++ {
		l.sample(u, t.rng)
		p := t.h.decode(u)
		if !t.h.fresh(p) {
			continue
		}
		if r := l.logPDF(p.u) - g.logPDF(p.u); !found || r > bestRatio {
			bestP, bestRatio, found = p, r, true
		}
	}
	if !found {
		return t.h.randomUnseen(t.rng)
	}
	return bestP, true
}

// split returns the unit coordinates of the good and the bad trials, each
// in the order told, the waiting batch counted bad (the constant liar).
func (t *TPE) split() (good, bad [][]float64) {
	told := t.h.told
	ys := make([]float64, len(told))
	finite := 0
	for i, tr := range told {
		ys[i] = tr.score
		if !math.IsInf(tr.score, -1) {
			finite++
		}
	}
	nGood := min(int(math.Ceil(t.set.Gamma*float64(len(told)))), t.set.MaxGood, finite)
	nGood = max(nGood, 1)
	isGood := make([]bool, len(told))
	for _, i := range rankOrder(ys)[:nGood] {
		isGood[i] = true
	}
	for i, tr := range told {
		if isGood[i] {
			good = append(good, tr.u)
		} else {
			bad = append(bad, tr.u)
		}
	}
	for _, tr := range t.h.wait {
		bad = append(bad, tr.u)
	}
	return good, bad
}

// parzenEstimator is a mixture of product kernels in the unit encoding: one
// component per trial and a last one, the prior.
//
// Its log density is evaluated for many candidates, so each component's
// terms that do not depend on the candidate are summed once (c). A discrete
// ordered coordinate's bin mass is taken as the density at the bin's centre
// times its width w when the bandwidth is at least 2w (the midpoint rule,
// relative error about (z²−1)·w²/(24σ²) ≤ 1% within two bandwidths), and
// exactly otherwise.
type parzenEstimator struct {
	dims    []dim
	mu      [][]float64 // [component][coordinate]: the centre (numeric) or the unit coordinate of the level (nominal)
	sigma   []float64   // numeric bandwidth per component (the prior's is 1)
	cumW    []float64   // cumulative weights for sampling
	c       []float64   // per component: log weight plus every constant term
	exact   [][]int     // per component: the ordered discrete coordinates whose mass is exact
	nominal float64     // smoothing weight of nominal kernels
}

// parzen fits the estimator to the trials xs (in the order told).
func (t *TPE) parzen(xs [][]float64) *parzenEstimator {
	n := len(xs)
	pe := &parzenEstimator{dims: t.h.dims, nominal: t.set.PriorWeight}
	ws := tpeWeights(n)
	ws = append(ws, t.set.PriorWeight)
	prior := make([]float64, len(t.h.dims))
	for i := range prior {
		prior[i] = 0.5
	}
	pe.mu = append(append(pe.mu, xs...), prior)
	sig := 0.2 * math.Pow(float64(max(n, 1)), -1/float64(t.free+4))
	sig = min(max(sig, 1/min(100, float64(n+1))), 1)
	pe.sigma = make([]float64, n+1)
	for j := range pe.sigma {
		pe.sigma[j] = sig
	}
	pe.sigma[n] = 1
	total := 0.0
	for _, w := range ws {
		total += w
	}
	pe.cumW = make([]float64, len(ws))
	pe.c = make([]float64, len(ws))
	pe.exact = make([][]int, len(ws))
	acc := 0.0
	w0 := pe.nominal
	// A nominal kernel of a trial gives its level (w0/L + 1)/(w0 + 1) and
	// every other level (w0/L)/(w0 + 1); the prior's gives each 1/L.
	for j, w := range ws {
		acc += w / total
		pe.cumW[j] = acc
		c := math.Log(w / total)
		mu, sg := pe.mu[j], pe.sigma[j]
		for i, d := range pe.dims {
			switch {
			case d.fixed:
			case d.nominal:
				L := float64(d.levels)
				if j == n {
					c -= math.Log(L)
				} else {
					c += math.Log(w0 / L / (1 + w0))
				}
			default:
				c -= logNormalMass((0-mu[i])/sg, (1-mu[i])/sg)
				if d.levels > 0 && sg < 2/float64(d.levels) {
					pe.exact[j] = append(pe.exact[j], i)
					continue
				}
				c -= math.Log(sg) + 0.5*math.Log(2*math.Pi)
				if d.levels > 0 {
					c -= math.Log(float64(d.levels))
				}
			}
		}
		pe.c[j] = c
	}
	return pe
}

// tpeWeights are Optuna's default trial weights: all 1 below 25 trials,
// else a ramp from 1/n to 1 over the oldest n−25 and 1 for the newest 25.
func tpeWeights(n int) []float64 {
	w := make([]float64, n, n+1)
	ramp := n - 25
	for i := range w {
		w[i] = 1
		if i < ramp && ramp > 1 {
			w[i] = 1/float64(n) + (1-1/float64(n))*float64(i)/float64(ramp-1)
		}
	}
	return w
}

// sample draws a point of the mixture into u.
func (pe *parzenEstimator) sample(u []float64, rng *rand.Rand) {
	r := rng.Float64()
	j := 0
	for j < len(pe.cumW)-1 && pe.cumW[j] <= r {
		j++
	}
	mu, sig := pe.mu[j], pe.sigma[j]
	for i, d := range pe.dims {
		switch {
		case d.fixed:
			u[i] = 0.5
		case d.nominal:
			// The trial's level with weight 1, every level PriorWeight/L.
			L := float64(d.levels)
			if j == len(pe.mu)-1 || rng.Float64()*(1+pe.nominal) < pe.nominal {
				u[i] = (float64(rng.IntN(d.levels)) + 0.5) / L
			} else {
				u[i] = mu[i]
			}
		default:
			a := normalCDF((0 - mu[i]) / sig)
			b := normalCDF((1 - mu[i]) / sig)
			p := a + rng.Float64()*(b-a)
			u[i] = min(max(mu[i]+sig*normalQuantile(p), 0), math.Nextafter(1, 0))
		}
	}
}

// logPDF is the log density of the mixture at u (for discrete coordinates,
// the log probability of u's level).
func (pe *parzenEstimator) logPDF(u []float64) float64 {
	terms := make([]float64, len(pe.mu))
	prior := len(pe.mu) - 1
	for j, mu := range pe.mu {
		s := pe.c[j]
		sig := pe.sigma[j]
		exact := pe.exact[j]
		for i, d := range pe.dims {
			switch {
			case d.fixed:
			case d.nominal:
				if j != prior && math.Abs(u[i]-mu[i]) < 0.5/float64(d.levels) {
					// (w0/L + 1)/(w0/L) = 1 + L/w0.
					s += math.Log1p(float64(d.levels) / pe.nominal)
				}
			case len(exact) > 0 && exact[0] == i:
				exact = exact[1:]
				L := float64(d.levels)
				lo := math.Floor(u[i]*L) / L
				s += logNormalMass((lo-mu[i])/sig, (lo+1/L-mu[i])/sig)
			default:
				z := (u[i] - mu[i]) / sig
				s -= 0.5 * z * z
			}
		}
		terms[j] = s
	}
	return logSumExp(terms)
}

func normalCDF(z float64) float64 { return 0.5 * math.Erfc(-z/math.Sqrt2) }

func normalQuantile(p float64) float64 {
	p = min(max(p, 1e-300), 1-1e-16)
	return -math.Sqrt2 * math.Erfcinv(2*p)
}

// logNormalMass is log(Φ(b) − Φ(a)) for a < b, accurate in both tails.
func logNormalMass(a, b float64) float64 {
	if a > 0 { // the upper tail: use the symmetric lower one
		a, b = -b, -a
	}
	m := normalCDF(b) - normalCDF(a)
	if m > 1e-300 {
		return math.Log(m)
	}
	// Far in the lower tail (b < −37): Φ(z) ≈ φ(z)/|z|, so the mass is
	// dominated by its upper end.
	return -0.5*b*b - 0.5*math.Log(2*math.Pi) - math.Log(-b) + math.Log1p(-math.Exp(-0.5*(a*a-b*b))*b/a)
}

func logSumExp(xs []float64) float64 {
	m := math.Inf(-1)
	for _, x := range xs {
		m = max(m, x)
	}
	if math.IsInf(m, -1) {
		return m
	}
	s := 0.0
	for _, x := range xs {
		s += math.Exp(x - m)
	}
	return m + math.Log(s)
}

// Warm records trials evaluated before (a ledger being resumed), as if
// they had been proposed and told: the method models them and never
// proposes them again. It must not be called while a batch is waiting.
func (t *TPE) Warm(as []space.Assignment, scores []float64) error {
	_, err := t.h.warm(as, scores)
	return err
}
