// Package regime detects market regimes on a daily return series, typically
// percent log returns 100·ln(close_t/close_t-1), with four detectors: a
// K-state hidden Markov model (HMM) with Gaussian or Student-t emissions, a
// hidden semi-Markov model (HSMM) with explicit state durations, a
// Markov-switching GARCH(1,1) and a statistical jump model.
//
// For gem the models have three states: 0 = bear, 1 = ranging, 2 = bull.
// Every detector is a walker with the same method set — Step(x) consumes
// one observation and returns the posterior over the K states usable for a
// decision on that day (nil before the first fit), Stats() its named
// figures, K() the number of states — and the same causality contract:
// the posterior of day t depends on the observations up to and including
// day t only. Walkers refit on a Schedule, each fit on a bounded trailing
// window so that a walk costs time linear in its length, warm-started from
// the previous fit. The HMM's states are sorted by mean at every fit (the
// reference's convention; WalkSettings.MatchLabels matches them instead);
// the other detectors sort the first fit's states by mean and match every
// later fit's to the previous one by mean and volatility, so that a label
// keeps its meaning across refits. WalkForward runs the HMM walker over a
// whole series.
//
// Every walker reports, besides its own counts, the figures used to choose
// between models: oos_loglik (the sum of one-step-ahead predictive log
// densities after the first fit), bic (of the latest fit, on its window:
// comparable between detectors with equal windows), mean_duration (of the
// most-likely-state path) and model_duration (implied by the latest fit).
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
//	walker.go      Walker: the walk-forward HMM detector, one observation at a
//	               time (scheduled warm-started refits, filtering between).
//	stat.go        Stat, the named figures a detector reports (Walker.Stats).
//	walk.go        WalkSettings, WalkReport and WalkForward, the detector
//	               run over a whole series.
//	walkcore.go    what every walker shares: Schedule (refit days, trailing
//	               window), the bounded history, the day's protocol and
//	               the common figures (oos_loglik, bic, durations).
//	labels.go      label matching across refits: min-cost assignment
//	               (Hungarian method) on mean and log standard deviation.
//	sample.go      simulation of a model, for tests and experiments.
//	hsmm.go        HSMM: explicit durations (negative binomial, Poisson,
//	               geometric) with a geometric tail beyond D, hazards, the
//	               causal filter with the current segment right-censored,
//	               simulation.
//	hsmmfit.go     FitHSMM: EM on the expanded chain, cold-started from
//	               an HMM.
//	hsmmwalk.go    HSMMWalker and HSMMSettings.
//	msgarch.go     MSGARCH: Markov-switching GARCH(1,1) in the Haas,
//	               Mittnik & Paolella form (exact filter, no collapsing),
//	               Gaussian or Student-t innovations, maximum likelihood
//	               by BFGS with the exact gradient, simulation.
//	msgarchwalk.go MSGARCHWalker and MSGARCHSettings.
//	jump.go        statistical jump model: causal features, fit by
//	               coordinate descent and dynamic programming, the implied
//	               HMM, online inference, simulation.
//	jumpwalk.go    JumpWalker and JumpSettings.
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
//	Y. Guédon (2003). Estimating hidden semi-Markov chains from discrete
//	  sequences. J. Comput. Graph. Statist. 12(3).
//	S.-Z. Yu (2010). Hidden semi-Markov models. Artificial Intelligence
//	  174(2).
//	J. Bulla, I. Bulla (2006). Stylized facts of financial time series and
//	  hidden semi-Markov models. Comput. Statist. Data Anal. 51(4).
//	R. Langrock, W. Zucchini (2011). Hidden Markov models with arbitrary
//	  state dwell-time distributions. Comput. Statist. Data Anal. 55(1).
//	S. F. Gray (1996). Modeling the conditional distribution of interest
//	  rates as a regime-switching process. J. Financial Economics 42(1).
//	F. Klaassen (2002). Improving GARCH volatility forecasts with
//	  regime-switching GARCH. Empirical Economics 27(2).
//	M. Haas, S. Mittnik, M. S. Paolella (2004). A new approach to
//	  Markov-switching GARCH models. J. Financial Econometrics 2(4).
//	G. Fiorentini, G. Calzolari, L. Panattoni (1996). Analytic derivatives
//	  and the computation of GARCH estimates. J. Appl. Econometrics 11(4).
//	P. Nystrup, E. Lindström, H. Madsen (2020). Learning hidden Markov
//	  models with persistent states by penalizing jumps. Expert Systems
//	  with Applications 150.
//	P. Nystrup, P. N. Kolm, E. Lindström (2021). Feature selection in jump
//	  models. Expert Systems with Applications 184.
//	A. Bemporad, V. Breschi, D. Piga, S. P. Boyd (2018). Fitting jump
//	  models. Automatica 96.
//	D. Arthur, S. Vassilvitskii (2007). k-means++: the advantages of
//	  careful seeding. Proc. ACM-SIAM SODA.
//	A. J. Viterbi (1967). Error bounds for convolutional codes and an
//	  asymptotically optimum decoding algorithm. IEEE Trans. Inform.
//	  Theory 13(2).
//	H. W. Kuhn (1955). The Hungarian method for the assignment problem.
//	  Naval Research Logistics Quarterly 2.
//	J. Munkres (1957). Algorithms for the assignment and transportation
//	  problems. J. SIAM 5(1).
package regime
