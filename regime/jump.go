package regime

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// JumpFeatures is the number of features of a day (see jumpFeatures).
const JumpFeatures = 6

// JumpFitSettings configures FitJump.
type JumpFitSettings struct {
	// K is the number of states, 2 to 127.
	K int
	// Lambda is the penalty on each change of state, in units of the loss
	// ½‖y - θ‖² of standardised features, ≥ 0; 0 is k-means.
	Lambda float64
	// Windows are the lengths, in days, of the two trailing windows of the
	// local mean and standard deviation features, each ≥ 2.
	Windows [2]int
	// Restarts is the number of starts (the warm start included when
	// given), MaxIter the most alternations of a start, Seed the seed of
	// the random starts (start r uses PCG(Seed+r, pcgStream)).
	Restarts, MaxIter int
	Seed              uint64
	// VarFloor is the smallest admissible state variance of the implied
	// HMM, as a fraction of the sample variance of the observations.
	VarFloor float64
}

// DefaultJumpFitSettings returns three states, a jump penalty of 10,
// trailing windows of 3 and 10 days, 10 starts of at most 50 alternations,
// seed 1 and a variance floor of 1e-4. On a simulated persistent two-state
// market (TestJumpReturnsRecovery) these windows and penalty decode the
// states best among windows (2,6), (3,10), (6,14), (5,20) and penalties 5 to
// 30; on the BTC reference series the walk's regimes last about 50 days.
func DefaultJumpFitSettings() JumpFitSettings {
	return JumpFitSettings{K: 3, Lambda: 10, Windows: [2]int{3, 10}, Restarts: 10, MaxIter: 50, Seed: 1, VarFloor: 1e-4}
}

func (s JumpFitSettings) check() {
	switch {
	case s.K < 2 || s.K > math.MaxInt8:
		panic(fmt.Sprintf("regime: JumpFitSettings.K = %d, want 2..127", s.K))
	case !(s.Lambda >= 0) || math.IsInf(s.Lambda, 0):
		panic(fmt.Sprintf("regime: JumpFitSettings.Lambda = %v, want finite ≥ 0", s.Lambda))
	case s.Windows[0] < 2 || s.Windows[1] < 2:
		panic(fmt.Sprintf("regime: JumpFitSettings.Windows = %v, want each ≥ 2", s.Windows))
	case s.Restarts < 1 || s.MaxIter < 1:
		panic(fmt.Sprintf("regime: JumpFitSettings.Restarts = %d, MaxIter = %d, want ≥ 1", s.Restarts, s.MaxIter))
	case !(s.VarFloor > 0) || math.IsInf(s.VarFloor, 0):
		panic(fmt.Sprintf("regime: JumpFitSettings.VarFloor = %v, want finite > 0", s.VarFloor))
	}
}

// JumpModel is a fitted statistical jump model (Nystrup, Lindström &
// Madsen 2020; Bemporad et al. 2018): K centroids θ_k of standardised
// daily features, and the jump penalty λ. The state sequence of features
// y_0..y_n-1 is the minimiser of
//
//	Σ_t ½‖y_t - θ_{s_t}‖² + λ Σ_t 1[s_t ≠ s_t-1].
//
// Implied is the HMM that the state sequence of the fit implies (Nystrup et
// al. 2020, §3: the jump model as an estimator of an HMM with persistent
// states): each state's Gaussian mean and variance of the observations on
// its days, the transition frequencies of the sequence (with one
// pseudo-count per transition) and the state frequencies as Init. It
// supplies the predictive densities, the BIC and the summaries of label
// matching.
type JumpModel struct {
	K      int
	Lambda float64
	// Centroid[k] is θ_k, in standardised units: feature j of a day is
	// (f_j - Centre[j]) / Scale[j].
	Centroid      [][]float64
	Centre, Scale []float64
	Implied       *Model
}

// jumpFeatures stores in dst the features of the last day of obs (obs ends
// on that day): the observation, its absolute value, and the mean and
// standard deviation (population) of the observations in each trailing
// window (as many as there are when obs is shorter), the causal ("left")
// local features of Nystrup et al. (2020, 2021).
func jumpFeatures(dst, obs []float64, windows [2]int) {
	x := obs[len(obs)-1]
	dst[0], dst[1] = x, math.Abs(x)
	for i, w := range windows {
		seg := obs[max(0, len(obs)-w):]
		m, v := meanVar(seg)
		dst[2+2*i], dst[3+2*i] = m, math.Sqrt(v)
	}
}

// standardise returns the centre and scale (population standard deviation;
// 1 where it is 0) of each column of the n×p matrix y.
func standardise(y []float64, p int) (centre, scale []float64) {
	n := len(y) / p
	centre, scale = make([]float64, p), make([]float64, p)
	for t := range n {
		for j := range p {
			centre[j] += y[t*p+j]
		}
	}
	for j := range centre {
		centre[j] /= float64(n)
	}
	for t := range n {
		for j := range p {
			d := y[t*p+j] - centre[j]
			scale[j] += d * d
		}
	}
	for j := range scale {
		scale[j] = math.Sqrt(scale[j] / float64(n))
		if !(scale[j] > 0) {
			scale[j] = 1
		}
	}
	return centre, scale
}

// jumpLoss stores ½‖z - θ_k‖² for every state in dst.
func jumpLoss(dst, z []float64, cent [][]float64) {
	for k, c := range cent {
		var s float64
		for j, v := range z {
			d := v - c[j]
			s += d * d
		}
		dst[k] = s / 2
	}
}

// jumpDP returns the state sequence minimising the jump objective for the
// standardised features z (n×p) and centroids cent, and the objective, by
// dynamic programming (Bemporad et al. 2018, Alg. 1; Viterbi 1967):
//
//	V_0(k) = ℓ_0(k),   V_t(k) = ℓ_t(k) + min(V_t-1(k), min_j V_t-1(j) + λ)
//
// and backtracking; O(nK). Ties go to staying, then to the lower state.
// states and back (n×K) are caller-provided scratch.
func jumpDP(states []int, back []int8, z []float64, cent [][]float64, lambda float64) float64 {
	k, p := len(cent), len(cent[0])
	n := len(z) / p
	v, loss := make([]float64, k), make([]float64, k)
	for t := range n {
		jumpLoss(loss, z[t*p:(t+1)*p], cent)
		if t == 0 {
			copy(v, loss)
			continue
		}
		b := argmin(v)
		jump := v[b] + lambda
		for i, stay := range v {
			if stay <= jump {
				back[t*k+i] = int8(i)
				v[i] = stay + loss[i]
			} else {
				back[t*k+i] = int8(b)
				v[i] = jump + loss[i]
			}
		}
	}
	s := argmin(v)
	obj := v[s]
	for t := n - 1; t >= 0; t-- {
		states[t] = s
		if t > 0 {
			s = int(back[t*k+s])
		}
	}
	return obj
}

// argmin returns the index of the smallest element, the first on ties.
func argmin(v []float64) int {
	b := 0
	for i, x := range v {
		if x < v[b] {
			b = i
		}
	}
	return b
}

// ErrJumpFit is returned, wrapped, by FitJump when no start gives a model
// with K non-empty states.
var ErrJumpFit = errors.New("regime: jump model fit failed")

// FitJump fits a jump model to the observations obs and their features
// feat (len(obs)×JumpFeatures, row t the features of day t, see
// jumpFeatures) by coordinate descent (Nystrup et al. 2020, Alg. 1):
// alternately the state sequence given the centroids (jumpDP) and the
// centroids given the states (each the mean of its days' features), until
// the sequence repeats or s.MaxIter alternations, from s.Restarts starts —
// the warm model's centroids (mapped to this window's standardisation) as
// start 0 when given, otherwise and for the others k-means++ seeding
// (Arthur & Vassilvitskii 2007) — keeping the lowest objective. A state
// that empties keeps its centroid. The returned model's states are in the
// order of the start's; the implied HMM is estimated from the best
// sequence.
//
// FitJump returns an error wrapping ErrJumpFit if the observations have
// zero variance or if in every start a state has no day or a variance below
// the floor. It panics if the settings are invalid or the shapes do not
// match.
func FitJump(obs, feat []float64, s JumpFitSettings, warm *JumpModel) (*JumpModel, error) {
	s.check()
	checkObs(obs)
	n, p := len(obs), JumpFeatures
	if len(feat) != n*p || n < minObs(s.K) {
		panic(fmt.Sprintf("regime: FitJump: %d observations and %d features, want ≥ %d and %d per day", n, len(feat), minObs(s.K), p))
	}
	if warm != nil && warm.K != s.K {
		panic("regime: warm-start jump model does not match the fit settings")
	}
	_, variance := meanVar(obs)
	if !(variance > 0) {
		return nil, fmt.Errorf("%w: observations have zero variance", ErrJumpFit)
	}
	centre, scale := standardise(feat, p)
	z := make([]float64, n*p)
	for t := range n {
		for j := range p {
			z[t*p+j] = (feat[t*p+j] - centre[j]) / scale[j]
		}
	}
	states, best := make([]int, n), make([]int, n)
	back := make([]int8, n*s.K)
	var bestCent [][]float64
	bestObj := math.Inf(1)
	for r := range s.Restarts {
		cent := make([][]float64, s.K)
		for k := range cent {
			cent[k] = make([]float64, p)
		}
		if r == 0 && warm != nil {
			for k, c := range warm.Centroid {
				for j := range p {
					cent[k][j] = (c[j]*warm.Scale[j] + warm.Centre[j] - centre[j]) / scale[j]
				}
			}
		} else {
			kmeansPP(cent, z, rand.New(rand.NewPCG(s.Seed+uint64(r), pcgStream)))
		}
		obj := math.Inf(1)
		for it := 0; it < s.MaxIter; it++ {
			obj = jumpDP(states, back, z, cent, s.Lambda)
			if !centroids(cent, z, states) {
				break // the sequence repeats: the centroids are those of the sequence
			}
		}
		if obj < bestObj && allStates(states, s.K) {
			bestObj = obj
			copy(best, states)
			bestCent = cent
		}
	}
	if bestCent == nil {
		return nil, fmt.Errorf("%w: every start left a state without days", ErrJumpFit)
	}
	m := &JumpModel{K: s.K, Lambda: s.Lambda, Centroid: bestCent, Centre: centre, Scale: scale}
	m.Implied = impliedHMM(obs, best, s.K)
	if err := m.Implied.Validate(); err != nil {
		return nil, fmt.Errorf("%w: implied HMM: %w", ErrJumpFit, err)
	}
	for k, v := range m.Implied.Var {
		if !(v >= s.VarFloor*variance) {
			return nil, fmt.Errorf("%w: state %d has variance %v below the floor", ErrJumpFit, k, v)
		}
	}
	return m, nil
}

// kmeansPP seeds the centroids with k-means++: the first a uniformly drawn
// day, each next one a day drawn with probability proportional to its
// squared distance from the nearest centroid so far.
func kmeansPP(cent [][]float64, z []float64, rng *rand.Rand) {
	p := len(cent[0])
	n := len(z) / p
	d2 := make([]float64, n)
	copy(cent[0], z[rng.IntN(n)*p:])
	for k := 1; k < len(cent); k++ {
		var sum float64
		for t := range n {
			best := math.Inf(1)
			for _, c := range cent[:k] {
				var s float64
				for j, v := range z[t*p : (t+1)*p] {
					d := v - c[j]
					s += d * d
				}
				best = min(best, s)
			}
			d2[t] = best
			sum += best
		}
		u, pick := rng.Float64()*sum, n-1
		for t, v := range d2 {
			if u < v {
				pick = t
				break
			}
			u -= v
		}
		copy(cent[k], z[pick*p:(pick+1)*p])
	}
}

// centroids sets each centroid to the mean of its days' features (an empty
// state keeps its centroid) and reports whether any centroid changed.
func centroids(cent [][]float64, z []float64, states []int) bool {
	p := len(cent[0])
	sum := make([][]float64, len(cent))
	cnt := make([]int, len(cent))
	for k := range sum {
		sum[k] = make([]float64, p)
	}
	for t, k := range states {
		cnt[k]++
		for j, v := range z[t*p : (t+1)*p] {
			sum[k][j] += v
		}
	}
	changed := false
	for k, c := range cent {
		if cnt[k] == 0 {
			continue
		}
		for j := range c {
			v := sum[k][j] / float64(cnt[k])
			if v != c[j] {
				changed = true
			}
			c[j] = v
		}
	}
	return changed
}

// allStates reports whether every state 0..k-1 occurs in states.
func allStates(states []int, k int) bool {
	seen := make([]bool, k)
	for _, s := range states {
		seen[s] = true
	}
	for _, v := range seen {
		if !v {
			return false
		}
	}
	return true
}

// impliedHMM returns the Gaussian HMM that the state sequence implies: the
// mean and (population) variance of each state's observations, transition
// probabilities (n_ij + 1) / Σ_j (n_ij + 1) from the counts n_ij of
// consecutive pairs, and the state frequencies as Init.
func impliedHMM(obs []float64, states []int, k int) *Model {
	m := newModel(k, Gaussian)
	cnt := make([]float64, k)
	for i := range m.Trans {
		for j := range m.Trans[i] {
			m.Trans[i][j] = 1
		}
	}
	for t, s := range states {
		cnt[s]++
		m.Mean[s] += obs[t]
		if t > 0 {
			m.Trans[states[t-1]][s]++
		}
	}
	for s := range k {
		m.Mean[s] /= cnt[s]
		m.Init[s] = cnt[s] / float64(len(obs))
	}
	for t, s := range states {
		d := obs[t] - m.Mean[s]
		m.Var[s] += d * d
	}
	for s := range k {
		m.Var[s] /= cnt[s]
		var row float64
		for _, v := range m.Trans[s] {
			row += v
		}
		for j := range m.Trans[s] {
			m.Trans[s][j] /= row
		}
	}
	return m
}

// permute relabels the states so that new state a is old state perm[a].
func (m *JumpModel) permute(perm []int) {
	old := append([][]float64(nil), m.Centroid...)
	for a, pa := range perm {
		m.Centroid[a] = old[pa]
	}
	m.Implied.permute(perm)
}

// Sample simulates n days of the generative reading of m with a PCG
// generator seeded with (seed, pcgStream): the states are a Markov chain
// with Implied's Init and Trans, and the features of a day in state k are
// θ_k plus independent standard normal noise, in standardised units, mapped
// back through Centre and Scale. For a chain that stays with probability q
// and switches uniformly, the jump objective with λ = log(q(K-1)/(1-q)) is
// the negative log posterior of the states up to a constant, so the fit's
// state sequence is their MAP estimate. It returns the features (n×p) and
// the states. Sample panics if n is negative.
func (m *JumpModel) Sample(n int, seed uint64) (feat []float64, states []int) {
	if n < 0 {
		panic(fmt.Sprintf("regime: Sample length %d is negative", n))
	}
	m.Implied.mustValidate()
	rng := rand.New(rand.NewPCG(seed, pcgStream))
	p := len(m.Centre)
	feat, states = make([]float64, n*p), make([]int, n)
	s := draw(rng, m.Implied.Init)
	for t := range n {
		if t > 0 {
			s = draw(rng, m.Implied.Trans[s])
		}
		states[t] = s
		for j, c := range m.Centroid[s] {
			feat[t*p+j] = m.Centre[j] + m.Scale[j]*(c+rng.NormFloat64())
		}
	}
	return feat, states
}

// jumpFilter is the online state inference of a jump model: the forward
// half of jumpDP, V_t(k) kept relative to its minimum.
type jumpFilter struct {
	m    *JumpModel
	v    []float64
	loss []float64
	z    []float64
	post []float64
	n    int
}

func newJumpFilter(m *JumpModel) *jumpFilter {
	return &jumpFilter{m: m, v: make([]float64, m.K), loss: make([]float64, m.K),
		z: make([]float64, JumpFeatures), post: make([]float64, m.K)}
}

// step consumes the features of the next day and returns the posterior
// P_t(k) ∝ exp(-(V_t(k) - min_j V_t(j))): the max-marginals of the last
// state under the Gibbs distribution exp(-objective) of the jump model,
// normalised (see JumpWalker).
func (f *jumpFilter) step(feat []float64) []float64 {
	m := f.m
	for j, v := range feat {
		f.z[j] = (v - m.Centre[j]) / m.Scale[j]
	}
	jumpLoss(f.loss, f.z, m.Centroid)
	if f.n == 0 {
		copy(f.v, f.loss)
	} else {
		b := f.v[argmin(f.v)] + m.Lambda
		for i, v := range f.v {
			f.v[i] = min(v, b) + f.loss[i]
		}
	}
	f.n++
	lo := f.v[argmin(f.v)]
	var s float64
	for i, v := range f.v {
		f.v[i] = v - lo
		f.post[i] = math.Exp(-f.v[i])
		s += f.post[i]
	}
	for i := range f.post {
		f.post[i] /= s
	}
	return f.post
}
