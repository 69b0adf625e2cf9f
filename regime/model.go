package regime

import (
	"errors"
	"fmt"
	"math"
	"sort"
)

// Emission selects the state-conditional distribution of an observation.
type Emission int

const (
	// Gaussian emissions: x | S=k ~ N(Mean[k], Var[k]).
	Gaussian Emission = iota
	// StudentT emissions: x | S=k ~ t(Mean[k], Var[k], DF[k]), a location-scale
	// Student-t with location Mean[k], scale² Var[k] and DF[k] degrees of freedom.
	StudentT
)

// String returns the name of the emission family.
func (e Emission) String() string {
	switch e {
	case Gaussian:
		return "Gaussian"
	case StudentT:
		return "StudentT"
	default:
		return fmt.Sprintf("Emission(%d)", int(e))
	}
}

func (e Emission) valid() bool { return e == Gaussian || e == StudentT }

// Model is a K-state hidden Markov model with univariate emissions.
//
// The state sequence S_0, S_1, ... is a Markov chain with
//
//	P(S_0 = k)               = Init[k]
//	P(S_t = j | S_t-1 = i)   = Trans[i][j]
//
// and, given the states, the observations are independent with density
// b_k(x) = f(x; Mean[k], Var[k], DF[k]) for S_t = k (Rabiner 1989, §III).
//
// Models returned by Fit have their states sorted by Mean, ascending, so
// that for K = 3 state 0 is the bear, 1 the ranging and 2 the bull regime.
type Model struct {
	K        int
	Emission Emission

	Init  []float64   // Initial distribution, len K.
	Trans [][]float64 // Row-stochastic K×K, Trans[i][j] = P(next=j | cur=i).

	// Mean and Var are the per-state mean and variance for Gaussian
	// emissions, and the per-state location and squared scale for Student-t
	// emissions (the variance of which is Var·DF/(DF-2) for DF > 2).
	Mean, Var []float64

	// DF holds the per-state Student-t degrees of freedom. It is nil for
	// Gaussian emissions.
	DF []float64
}

// probTol is the tolerance on the sums of Init and of the rows of Trans
// accepted by Validate.
const probTol = 1e-8

// Validate reports whether m is a well-formed model: consistent lengths,
// finite parameters, Init and the rows of Trans non-negative and summing to
// one within 1e-8, positive variances and, for Student-t emissions, positive
// degrees of freedom.
func (m *Model) Validate() error {
	if m == nil {
		return errors.New("regime: nil model")
	}
	k := m.K
	if k < 1 {
		return fmt.Errorf("regime: model has K = %d states", k)
	}
	if !m.Emission.valid() {
		return fmt.Errorf("regime: unknown emission %v", m.Emission)
	}
	if len(m.Init) != k || len(m.Trans) != k || len(m.Mean) != k || len(m.Var) != k {
		return fmt.Errorf("regime: model parameter lengths do not match K = %d", k)
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
	}
	for i := 0; i < k; i++ {
		if math.IsNaN(m.Mean[i]) || math.IsInf(m.Mean[i], 0) {
			return fmt.Errorf("regime: non-finite mean in state %d", i)
		}
		if !(m.Var[i] > 0) || math.IsInf(m.Var[i], 0) {
			return fmt.Errorf("regime: variance %v in state %d is not positive and finite", m.Var[i], i)
		}
	}
	switch m.Emission {
	case Gaussian:
		if m.DF != nil {
			return errors.New("regime: Gaussian model has non-nil DF")
		}
	case StudentT:
		if len(m.DF) != k {
			return fmt.Errorf("regime: Student-t model has %d degrees of freedom, want %d", len(m.DF), k)
		}
		for i, v := range m.DF {
			if !(v > 0) || math.IsInf(v, 0) {
				return fmt.Errorf("regime: degrees of freedom %v in state %d is not positive and finite", v, i)
			}
		}
	}
	return nil
}

func checkDist(p []float64, what string) error {
	var s float64
	for _, v := range p {
		if !(v >= 0) || math.IsInf(v, 0) {
			return fmt.Errorf("regime: %s has invalid probability %v", what, v)
		}
		s += v
	}
	if math.Abs(s-1) > probTol {
		return fmt.Errorf("regime: %s sums to %v, want 1", what, s)
	}
	return nil
}

// mustValidate panics with the Validate message when m is malformed.
func (m *Model) mustValidate() {
	if err := m.Validate(); err != nil {
		panic(err.Error())
	}
}

// newModel returns a zero-valued model with all slices allocated.
func newModel(k int, e Emission) *Model {
	m := &Model{
		K:        k,
		Emission: e,
		Init:     make([]float64, k),
		Trans:    make([][]float64, k),
		Mean:     make([]float64, k),
		Var:      make([]float64, k),
	}
	flat := make([]float64, k*k)
	for i := range m.Trans {
		m.Trans[i] = flat[i*k : (i+1)*k : (i+1)*k]
	}
	if e == StudentT {
		m.DF = make([]float64, k)
	}
	return m
}

// Clone returns a deep copy of m.
func (m *Model) Clone() *Model {
	c := newModel(m.K, m.Emission)
	c.copyFrom(m)
	return c
}

// copyFrom copies the parameters of src into m, which must have the same
// shape.
func (m *Model) copyFrom(src *Model) {
	copy(m.Init, src.Init)
	for i := range m.Trans {
		copy(m.Trans[i], src.Trans[i])
	}
	copy(m.Mean, src.Mean)
	copy(m.Var, src.Var)
	copy(m.DF, src.DF)
}

// sortByMean relabels the states of m so that Mean is ascending (see
// permute). Ties keep their original order.
func (m *Model) sortByMean() {
	m.permute(meanOrder(m.Mean))
}

// meanOrder returns the permutation that sorts mean ascending, ties in
// their original order: state a of the sorted model is state perm[a].
func meanOrder(mean []float64) []int {
	perm := make([]int, len(mean))
	for i := range perm {
		perm[i] = i
	}
	sort.SliceStable(perm, func(a, b int) bool { return mean[perm[a]] < mean[perm[b]] })
	return perm
}

// permute relabels the states of m so that new state a is old state
// perm[a], permuting Init, the rows and columns of Trans, Mean, Var and DF
// consistently.
func (m *Model) permute(perm []int) {
	if isIdentity(perm) {
		return
	}
	old := m.Clone()
	for a, pa := range perm {
		m.Init[a] = old.Init[pa]
		m.Mean[a] = old.Mean[pa]
		m.Var[a] = old.Var[pa]
		if m.DF != nil {
			m.DF[a] = old.DF[pa]
		}
		for b, pb := range perm {
			m.Trans[a][b] = old.Trans[pa][pb]
		}
	}
}

// isIdentity reports whether perm maps every index to itself.
func isIdentity(perm []int) bool {
	for i, p := range perm {
		if p != i {
			return false
		}
	}
	return true
}

// summaries returns each state's mean and standard deviation (of a
// Student-t emission with DF ≤ 2, whose variance is infinite, its scale),
// for label matching.
func (m *Model) summaries() []stateSummary {
	s := make([]stateSummary, m.K)
	for k := range s {
		v := m.Var[k]
		if m.DF != nil && m.DF[k] > 2 {
			v *= m.DF[k] / (m.DF[k] - 2)
		}
		s[k] = stateSummary{m.Mean[k], math.Sqrt(v)}
	}
	return s
}

// numParams returns the number of free parameters of m: K-1 initial
// probabilities, K(K-1) transition probabilities, K means, K variances and,
// for Student-t emissions, K degrees of freedom.
func (m *Model) numParams() int {
	k := m.K
	p := k - 1 + k*(k-1) + 2*k
	if m.DF != nil {
		p += k
	}
	return p
}

// Stationary returns the stationary distribution of Trans, computed by power
// iteration from the uniform distribution (at most 100000 steps, stopping
// when successive iterates differ by less than 1e-15 in every element). For
// chains that are not ergodic the result depends on that starting point.
func (m *Model) Stationary() []float64 {
	m.mustValidate()
	return stationary(m.Trans)
}

// stationary is Stationary for the row-stochastic matrix trans.
func stationary(trans [][]float64) []float64 {
	k := len(trans)
	p := make([]float64, k)
	q := make([]float64, k)
	for i := range p {
		p[i] = 1 / float64(k)
	}
	for iter := 0; iter < 100000; iter++ {
		for j := range q {
			q[j] = 0
		}
		for i, a := range p {
			for j, t := range trans[i] {
				q[j] += a * t
			}
		}
		var s, d float64
		for _, v := range q {
			s += v
		}
		for j := range q {
			q[j] /= s
			d = math.Max(d, math.Abs(q[j]-p[j]))
		}
		p, q = q, p
		if d < 1e-15 {
			break
		}
	}
	return p
}

// checkObs panics if any observation is not finite.
func checkObs(obs []float64) {
	for t, x := range obs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			panic(fmt.Sprintf("regime: observation %d is not finite (%v)", t, x))
		}
	}
}

// useRows returns dst if it is non-nil, panicking unless it has n rows of
// length k, or a newly allocated n×k matrix backed by a single slice.
func useRows(dst [][]float64, n, k int) [][]float64 {
	if dst == nil {
		flat := make([]float64, n*k)
		dst = make([][]float64, n)
		for t := range dst {
			dst[t] = flat[t*k : (t+1)*k : (t+1)*k]
		}
		return dst
	}
	if len(dst) != n {
		panic(fmt.Sprintf("regime: destination has %d rows, want %d", len(dst), n))
	}
	for t, row := range dst {
		if len(row) != k {
			panic(fmt.Sprintf("regime: destination row %d has length %d, want %d", t, len(row), k))
		}
	}
	return dst
}
