// Package regime detects market regimes with a K-state hidden Markov model
// (HMM) on a daily return series, typically percent log returns
// 100·ln(close_t/close_t-1), with Gaussian or Student-t emissions.
//
// For gem the model has three states, ordered by mean: 0 = bear,
// 1 = ranging, 2 = bull. WalkForward refits the model walk-forward and
// returns, for each day, the filtered state probabilities that a strategy
// may use for a decision on that day; they depend on the observations up to
// and including that day only.
//
// Files and their roles:
//
//	doc.go         this overview.
//	model.go       Model, Emission, validation, cloning, relabelling by mean,
//	               stationary distribution.
//	emission.go    state-conditional log-densities (Gaussian, Student-t) and
//	               the Student-t E-step weights.
//	exp.go         table-driven exponential used by the recursions.
//	forward.go     scaled forward algorithm: Forward and the incremental
//	               Filter.
//	smooth.go      backward pass and forward-backward smoothing: Smooth.
//	baumwelch.go   E-step (expected sufficient statistics) and M-step of the
//	               Baum-Welch algorithm.
//	studentt.go    ECM conditional maximisation steps for Student-t emissions,
//	               with the degrees of freedom found by 1-D root finding.
//	digamma.go     digamma and trigamma functions.
//	squarem.go     the EM iteration: convergence test and SQUAREM
//	               acceleration.
//	fit.go         Fit: maximum likelihood from several deterministic starts.
//	walker.go      Walker: the walk-forward detector, one observation at a
//	               time (scheduled warm-started refits, filtering between).
//	stat.go        Stat, the named figures a detector reports (Walker.Stats).
//	walk.go        WalkSettings, WalkReport and WalkForward, the detector
//	               run over a whole series.
//	sample.go      simulation of a model, for tests and experiments.
//
// Conventions. Caller mistakes (malformed models or settings, non-finite
// observations, wrongly shaped destinations) panic with messages starting
// "regime: "; runtime failures of estimation are returned as errors. Nothing
// in the package reads a clock, logs, or uses a global random source: random
// starts and simulations use math/rand/v2 PCG generators seeded by the
// caller, so equal inputs give bit-identical results.
//
// References:
//
//	L. E. Baum, T. Petrie, G. Soules, N. Weiss (1970). A maximization
//	  technique occurring in the statistical analysis of probabilistic
//	  functions of Markov chains. Ann. Math. Statist. 41(1).
//	L. R. Rabiner (1989). A tutorial on hidden Markov models and selected
//	  applications in speech recognition. Proc. IEEE 77(2).
//	C. Liu, D. B. Rubin (1995). ML estimation of the t distribution using EM
//	  and its extensions, ECM and ECME. Statistica Sinica 5.
//	D. Peel, G. J. McLachlan (2000). Robust mixture modelling using the t
//	  distribution. Statistics and Computing 10.
//	R. Varadhan, C. Roland (2008). Simple and globally convergent methods for
//	  accelerating the convergence of any EM algorithm. Scand. J. Statist. 35.
//	C. Biernacki, G. Celeux, G. Govaert (2003). Choosing starting values for
//	  the EM algorithm for getting the highest likelihood in multivariate
//	  Gaussian mixture models. Comput. Statist. Data Anal. 41.
//	P. T. P. Tang (1989). Table-driven implementation of the exponential
//	  function in IEEE floating-point arithmetic. ACM TOMS 15(2).
//	G. Marsaglia, W. W. Tsang (2000). A simple method for generating gamma
//	  variables. ACM TOMS 26(3).
//	M. Abramowitz, I. A. Stegun (1964). Handbook of Mathematical Functions.
//	I. Visser, M. Speekenbrink (2010). depmixS4: an R package for hidden
//	  Markov models. J. Statist. Software 36(7) (convergence criterion).
package regime
