// Package search is gem's search driver, part of the modifiable interior: it
// decides which configurations to evaluate next. Evaluation itself (the
// harness, the worker pool, the ledger) happens elsewhere: a Method only
// proposes assignments of a typed parameter space (package space) and is told
// their scores, so a method cannot touch how trials are scored, and the same
// method runs on one core, a local pool or NATS workers.
//
// Files, one method each after the first two:
//
//	doc.go      this overview.
//	method.go   Method, the ask/tell interface, and Drive, the loop that
//	            runs one under a budget in batches.
//	plan.go     phased plans (each phase a grid or one-at-a-time variation
//	            around the current baseline), the built-in published plan,
//	            plan files in JSON or YAML, their checks and limits, and a
//	            plan's joint space.
//	restrict.go Plan.Restrict: a plan confined to some parameters (a block
//	            of its joint space, and its phased sweep on that block).
//	named.go    NamedPlan, NamedSpace and Named: the plans, spaces and
//	            methods a command names by a word or a file; SweepPlan, a
//	            one-parameter sweep.
//	phased.go   Phased: a plan as a method, streamed phase by phase, each
//	            phase's winner locked in before the next.
//	grid.go     Grid: every combination of a discrete space.
//	random.go   Random: distinct uniform draws, repeatable per seed.
//	qmc.go      QMC: a scrambled Sobol sequence (the learned methods'
//	            startup too); qmc_joekuo.go, its direction numbers.
//	tpe.go      TPE: multivariate tree-structured Parzen estimator.
//	cmaes.go    CMAES: CMA-ES with IPOP restarts and a margin for
//	            discrete parameters.
//	gp.go       GP: Gaussian-process surrogate with expected improvement.
//	policy.go   Policy: a bandit that learns which parameter to edit next.
//	history.go  what the learned methods share: the unit encoding of a
//	            space, the told trials, distinct proposals, and the warm
//	            start (Warm: trials of a resumed ledger).
//
// Adding a method is one new file: a type with Ask and Tell and a
// constructor taking the space and a seed.
package search
