package levmar

// Result reports how a fit ended.
type Result struct {
	// Info is MINPACK lmdif's info code:
	//	1  both actual and predicted relative reductions are at most Ftol
	//	2  relative error between two consecutive iterates is at most Xtol
	//	3  conditions 1 and 2 both hold
	//	4  f(x) is orthogonal to the Jacobian columns to Gtol (also when f(x0) = 0)
	//	5  the number of calls of f reached MaxFev
	//	6  Ftol is too small: no further reduction of the sum of squares is possible
	//	7  Xtol is too small: no further improvement of x is possible
	//	8  Gtol is too small: f(x) is orthogonal to the Jacobian columns to machine precision
	// Info 0 (improper input) is never returned: a fit panics instead.
	// scipy's curve_fit treats 1..4 as success and raises otherwise.
	Info int
	// Nfev is the number of calls of f, counting the n calls of every
	// finite-difference Jacobian, as lmdif counts them (leastsq's
	// infodict["nfev"]).
	Nfev int
	// Fnorm is the Euclidean norm of f at the returned x.
	Fnorm float64
}

// Workspace holds the scratch memory of FitExponential, so that repeated
// calls do not allocate. The zero value is ready to use; it grows to the
// largest problem seen and is then reused. A Workspace must not be used by
// two goroutines at once.
type Workspace struct {
	exp expWork
}
