package regime

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// FitSettings configures Fit.
type FitSettings struct {
	// K is the number of states.
	K int
	// Emission is the emission family.
	Emission Emission

	// Restarts is the total number of EM starts, including the warm start
	// when one is given.
	Restarts int
	// MaxIter is the maximum number of EM iterations (M-steps) of a start.
	MaxIter int
	// Tol is the convergence tolerance on the relative change of the
	// log-likelihood: a start has converged at iteration i when
	//	ℓ(i) - ℓ(i-1) < Tol·max(1, |ℓ(i-1)|)
	// (the default criterion of depmixS4's em.control). With Accelerate
	// the change is that of a whole SQUAREM cycle, which is at least that
	// of one EM step.
	Tol float64
	// Seed seeds the random starts: start r uses a PCG generator seeded
	// with (Seed+r, 0x9e3779b97f4a7c15).
	Seed uint64
	// VarFloor is the smallest admissible state variance (squared scale
	// for Student-t), as a fraction of the sample variance of the
	// observations. A start whose M-step drives a variance below it has
	// collapsed onto a few observations and counts as failed.
	VarFloor float64

	// Accelerate selects SQUAREM-accelerated EM (Varadhan & Roland 2008;
	// see squarem.go) instead of plain EM iterations. Plain EM increases
	// the log-likelihood at every iteration, accelerated EM at every cycle
	// of three iterations. On the BTC reference series and on simulated
	// series acceleration cuts the iterations to convergence by a factor
	// of 2 to 4 and reaches slightly higher optima; for Student-t
	// emissions, whose degrees of freedom converge slowly under plain ECM,
	// it also avoids most MaxIter failures.
	Accelerate bool

	// ShortIter, when positive and Restarts > 1, selects the short-runs
	// strategy of Biernacki, Celeux & Govaert (2003, "small EM"): every
	// start first runs at most ShortIter iterations, then only the start
	// with the highest log-likelihood is iterated to convergence (the next
	// best if it then fails). Starts that are not continued are neither
	// failed nor converged. Zero runs every start to convergence.
	ShortIter int
}

// DefaultFitSettings returns the settings used by the regime detector: three
// Gaussian states, 10 starts run to convergence, at most 500 EM iterations,
// relative tolerance 1e-8, seed 1, a variance floor of 1e-4 times the
// sample variance and SQUAREM acceleration.
func DefaultFitSettings() FitSettings {
	return FitSettings{
		K:          3,
		Emission:   Gaussian,
		Restarts:   10,
		MaxIter:    500,
		Tol:        1e-8,
		Seed:       1,
		VarFloor:   1e-4,
		Accelerate: true,
	}
}

func (s FitSettings) check() {
	switch {
	case s.K < 1:
		panic(fmt.Sprintf("regime: FitSettings.K = %d, want ≥ 1", s.K))
	case !s.Emission.valid():
		panic(fmt.Sprintf("regime: unknown emission %v", s.Emission))
	case s.Restarts < 1:
		panic(fmt.Sprintf("regime: FitSettings.Restarts = %d, want ≥ 1", s.Restarts))
	case s.MaxIter < 1:
		panic(fmt.Sprintf("regime: FitSettings.MaxIter = %d, want ≥ 1", s.MaxIter))
	case !(s.Tol >= 0) || math.IsInf(s.Tol, 0):
		panic(fmt.Sprintf("regime: FitSettings.Tol = %v, want finite ≥ 0", s.Tol))
	case !(s.VarFloor > 0) || math.IsInf(s.VarFloor, 0):
		panic(fmt.Sprintf("regime: FitSettings.VarFloor = %v, want finite > 0", s.VarFloor))
	case s.ShortIter < 0:
		panic(fmt.Sprintf("regime: FitSettings.ShortIter = %d, want ≥ 0", s.ShortIter))
	}
}

// minObs returns the minimum number of observations Fit accepts for K states.
func minObs(k int) int { return 2 * k }

// FitReport describes the starts of a call to Fit.
type FitReport struct {
	Starts int // Starts attempted.
	Failed int // Starts that failed: NonFinite + Collapsed + NotConverged.

	NonFinite    int // Starts whose log-likelihood became non-finite.
	Collapsed    int // Starts in which a state emptied or its variance fell below the floor.
	NotConverged int // Starts that did not converge within MaxIter iterations.

	Best      int     // Index of the returned start (0 is the warm start when given), -1 if none.
	Iter      int     // EM iterations of the returned start.
	TotalIter int     // EM iterations summed over all starts.
	LogLik    float64 // Log-likelihood of the returned model; NaN if none.
}

// ErrNoFit is returned, wrapped, by Fit when every start failed.
var ErrNoFit = errors.New("regime: every EM start failed")

// pcgStream is the second PCG seed word of the random starts.
const pcgStream = 0x9e3779b97f4a7c15

// status of an EM run.
type status int

const (
	running status = iota
	converged
	failNonFinite
	failCollapsed
	failNotConverged
)

// run is one EM start.
type run struct {
	m      *Model
	ll     float64 // log-likelihood of m
	prevLL float64
	iter   int // M-steps taken
	st     status
	paused bool // stopped at a short-run limit with ll current
}

// Fit estimates a K-state hidden Markov model for obs by maximum likelihood
// with the Baum-Welch EM algorithm (Baum et al. 1970; Rabiner 1989, §III.C;
// ECM for Student-t emissions, see mstepStudent; SQUAREM-accelerated when
// s.Accelerate), from s.Restarts
// deterministic starts, and returns the model with the highest
// log-likelihood, its states sorted by mean ascending (index 0 = bear,
// K-1 = bull) so that labels are stable across refits.
//
// If warm is non-nil it is start 0 (it must have s.K states and emission
// s.Emission); the other starts r are random, drawn with seed s.Seed+r: state
// means at the sample mean plus uniform jitter of ±0.5 sample standard
// deviations, variances log-uniform on [0.05, 4] times the sample variance,
// self-transition probabilities uniform on [0.6, 0.98] with the remainder
// split by uniform weights, a uniform initial distribution, and for
// Student-t degrees of freedom log-uniform on [3, 30].
//
// A start fails when its log-likelihood becomes non-finite, when a state
// collapses (see FitSettings.VarFloor) or when it has not converged after
// s.MaxIter iterations; the report counts failures by kind. Fit returns an
// error wrapping ErrNoFit only if every start (every continued start with
// s.ShortIter > 0) failed, or if the observations have zero variance.
//
// Fit panics if the settings are invalid, if obs has fewer than 2K
// observations or a non-finite one, or if warm does not match the settings.
func Fit(obs []float64, s FitSettings, warm *Model) (*Model, FitReport, error) {
	s.check()
	checkObs(obs)
	if len(obs) < minObs(s.K) {
		panic(fmt.Sprintf("regime: %d observations, want at least %d for K = %d", len(obs), minObs(s.K), s.K))
	}
	if warm != nil {
		warm.mustValidate()
		if warm.K != s.K || warm.Emission != s.Emission {
			panic("regime: warm-start model does not match the fit settings")
		}
	}
	var w workspace
	w.reset(len(obs), s.K, s.Emission)
	return fit(&w, obs, s, warm)
}

// fit is Fit with a caller-provided workspace and validated arguments.
func fit(w *workspace, obs []float64, s FitSettings, warm *Model) (*Model, FitReport, error) {
	w.reset(len(obs), s.K, s.Emission)
	rep := FitReport{Starts: s.Restarts, Best: -1, LogLik: math.NaN()}
	mean, variance := meanVar(obs)
	if !(variance > 0) {
		return nil, rep, fmt.Errorf("%w: observations have zero variance", ErrNoFit)
	}
	floor := s.VarFloor * variance

	runs := make([]run, s.Restarts)
	for r := range runs {
		m := newModel(s.K, s.Emission)
		if r == 0 && warm != nil {
			m.copyFrom(warm)
		} else {
			randomStart(m, rand.New(rand.NewPCG(s.Seed+uint64(r), pcgStream)), mean, variance)
		}
		runs[r] = run{m: m, ll: math.NaN()}
	}

	best := -1
	if s.ShortIter > 0 && s.Restarts > 1 {
		limit := min(s.ShortIter, s.MaxIter)
		for r := range runs {
			w.iterate(&runs[r], obs, mean, floor, s, limit)
		}
		// Continue the best short run; fall back to the next best if it fails.
		tried := make([]bool, len(runs))
		for best < 0 {
			cand := -1
			for r := range runs {
				ru := &runs[r]
				if tried[r] || (ru.st != running && ru.st != converged) {
					continue
				}
				if cand < 0 || ru.ll > runs[cand].ll {
					cand = r
				}
			}
			if cand < 0 {
				break
			}
			tried[cand] = true
			ru := &runs[cand]
			if ru.st == running {
				w.iterate(ru, obs, mean, floor, s, s.MaxIter)
			}
			if ru.st == converged {
				best = cand
			}
		}
	} else {
		for r := range runs {
			w.iterate(&runs[r], obs, mean, floor, s, s.MaxIter)
			if runs[r].st == converged && (best < 0 || runs[r].ll > runs[best].ll) {
				best = r
			}
		}
	}
	for r := range runs {
		rep.TotalIter += runs[r].iter
		switch runs[r].st {
		case failNonFinite:
			rep.NonFinite++
		case failCollapsed:
			rep.Collapsed++
		case failNotConverged:
			rep.NotConverged++
		}
	}
	rep.Failed = rep.NonFinite + rep.Collapsed + rep.NotConverged
	if best < 0 {
		return nil, rep, fmt.Errorf("%w: %d non-finite, %d collapsed, %d not converged",
			ErrNoFit, rep.NonFinite, rep.Collapsed, rep.NotConverged)
	}
	b := &runs[best]
	rep.Best, rep.Iter, rep.LogLik = best, b.iter, b.ll
	b.m.sortByMean()
	return b.m, rep, nil
}

// randomStart draws the parameters of m as documented on Fit.
func randomStart(m *Model, rng *rand.Rand, mean, variance float64) {
	k := m.K
	sd := math.Sqrt(variance)
	for i := 0; i < k; i++ {
		m.Init[i] = 1 / float64(k)
		m.Mean[i] = mean + sd*(rng.Float64()-0.5)
		m.Var[i] = variance * math.Exp(math.Log(0.05)+rng.Float64()*math.Log(4/0.05))
		if m.DF != nil {
			m.DF[i] = math.Exp(math.Log(3) + rng.Float64()*math.Log(10))
		}
	}
	for i, row := range m.Trans {
		if k == 1 {
			row[0] = 1
			continue
		}
		stay := 0.6 + 0.38*rng.Float64()
		var s float64
		for j := range row {
			if j != i {
				row[j] = rng.Float64() + 1e-3
				s += row[j]
			}
		}
		for j := range row {
			if j == i {
				row[j] = stay
			} else {
				row[j] *= (1 - stay) / s
			}
		}
	}
}

// meanVar returns the sample mean and the (biased) sample variance of x.
func meanVar(x []float64) (mean, variance float64) {
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	for _, v := range x {
		d := v - mean
		variance += d * d
	}
	return mean, variance / float64(len(x))
}
