// Package levmar is a Levenberg–Marquardt least-squares solver that
// reproduces MINPACK's lmdif (Moré 1978; MINPACK-1 user guide, Argonne
// ANL-80-74) as scipy.optimize.leastsq and curve_fit(method="lm") call it:
// forward-difference Jacobian, pivoted QR, the lmpar trust-region parameter
// search and lmdif's step-bound and convergence tests, written from the
// published algorithm with the same order of floating point operations.
//
// FitExponential fits y ≈ a0·a1^x to a series, as the strategy's reference
// does with curve_fit, with lmdif specialised to that model, and Powers gives
// the correctly rounded powers it uses. A Workspace makes repeated fits
// allocation-free. The general solver, Solve (lmdif for any model), is the
// oracle of the tests: it lives in solve_test.go, and FitExponential gives
// bit for bit its results, several times faster.
//
// # Fidelity
//
// With identical residual values, results are bit-identical to scipy 1.10.1
// (Fortran MINPACK), including Info and Nfev. This is tested on MINPACK test
// problems through Solve (testdata/leastsq.tsv) and on all 17261 reference
// fits with a correctly rounded power (TestGoldenFitsCorrectlyRounded).
//
// Products that feed an addition are written float64(x*y) so that the
// compiler may not fuse them into FMA instructions (it does on amd64 with
// GOAMD64=v3 and on arm64), which would change the rounding.
//
// FitExponential evaluates a1^i correctly rounded. The Python reference used
// numpy's AVX-512 SIMD pow, which is 1 ulp off in about a quarter of the
// elements; that alone moves fitted parameters by up to about 3e-10 relative
// in a1 and 5e-9 in a0, and flips ier between 2 and 3 on about 0.4% of the
// reference fits (nfev always agrees). scipy itself shows the same
// differences when run with glibc's pow.
//
// # Files
//
//	doc.go             this overview
//	levmar.go          Result and Workspace
//	minpack.go         MINPACK's machine constants, dmax1/dmin1 and enorm
//	exponential.go     FitExponential and the correctly rounded integer powers
//	exp2.go            FitExponential's solver: lmdif, lmpar and qrsolv for n = 2
//	expvec.go          its O(m) stages: model, Jacobian, Householder steps
//	exp_amd64.go/.s    the same stages as AVX2+FMA kernels, used when available
//	exp_other.go       stubs for other architectures
//	solve_test.go      Solve: Settings and lmdif with fdjac2, qrfac, lmpar and
//	                   qrsolv, for any model; the oracle of the tests
//	levmar_test.go     MINPACK test problems against scipy, unit tests, benchmarks
//	exp_test.go        FitExponential against Solve, the kernels against Go
//	exp_amd64_test.go  the kernels' argument offsets
//	exp_ref_test.go    FitExponential through Solve, as it was, for tests
//	golden_test.go     all fits of ../../shared/golden/reference_fits_*.tsv
//	testdata/          scipy reference results and the scripts that made them
package levmar
