package levmar

import "math"

// Settings mirror the tolerances and limits of MINPACK's lmdif.
//
// The zero value is not valid (Factor must be positive); start from
// DefaultSettings, which returns scipy.optimize.leastsq's defaults.
type Settings struct {
	// Ftol stops the iteration (Info 1) when both the actual and the
	// predicted relative reductions of the sum of squares are at most Ftol.
	Ftol float64
	// Xtol stops the iteration (Info 2) when the relative error between
	// two consecutive scaled iterates is at most Xtol:
	//	delta <= Xtol * ‖D x‖
	Xtol float64
	// Gtol stops the iteration (Info 4) when the cosine of the angle
	// between f(x) and any column of the Jacobian is at most Gtol in
	// absolute value.
	Gtol float64
	// Epsfcn sets the forward-difference step:
	//	h_j = sqrt(max(Epsfcn, epsmch)) * |x_j|   (or sqrt(...) if x_j == 0)
	// where epsmch = 2.22044604926e-16 is MINPACK's machine precision
	// constant (a decimal literal, slightly above 2^-52, so it is the one
	// used when Epsfcn is 2^-52).
	Epsfcn float64
	// Factor sets the initial step bound:
	//	delta = Factor * ‖D x0‖   (or Factor if that is zero)
	Factor float64
	// MaxFev stops the iteration (Info 5) once the number of calls of f,
	// including those of the finite-difference Jacobian, reaches MaxFev.
	// Zero means 200*(n+1), leastsq's default. Note that curve_fit passes
	// maxfev=5000 explicitly for method="lm" when none is given.
	MaxFev int
}

// DefaultSettings returns the defaults of scipy.optimize.leastsq:
//
//	Ftol = Xtol = 1.49012e-8, Gtol = 0, Epsfcn = 2^-52 (float64 machine
//	epsilon), Factor = 100, MaxFev = 0 (meaning 200*(n+1)).
//
// Diagonal scaling is always automatic (lmdif mode 1): D starts as the column
// norms of the first Jacobian and each entry only ever increases.
func DefaultSettings() Settings {
	return Settings{
		Ftol:   1.49012e-8,
		Xtol:   1.49012e-8,
		Gtol:   0,
		Epsfcn: 0x1p-52,
		Factor: 100,
		MaxFev: 0,
	}
}

// Result reports how Solve ended.
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
	// Info 0 (improper input) is never returned: Solve panics instead.
	// scipy's curve_fit treats 1..4 as success and raises otherwise.
	Info int
	// Nfev is the number of calls of f, counting the n calls of every
	// finite-difference Jacobian, as lmdif counts them (leastsq's
	// infodict["nfev"]).
	Nfev int
	// Fnorm is the Euclidean norm of f at the returned x.
	Fnorm float64
}

// Workspace holds the scratch memory of Solve and FitExponential, so that
// repeated calls do not allocate. The zero value is ready to use; it grows to
// the largest problem seen and is then reused. A Workspace must not be used
// by two goroutines at once.
type Workspace struct {
	buf  []float64
	ipvt []int

	fvec, wa4, fjac          []float64 // m, m, m×n
	diag, qtf, wa1, wa2, wa3 []float64 // n
	lmwork1, lmwork2         []float64 // n, lmpar's scratch

	exp expWork // FitExponential's scratch
}

// reserve carves the slices of w for an m×n problem, growing buf if needed.
func (w *Workspace) reserve(m, n int) {
	need := 2*m + m*n + 7*n
	if cap(w.buf) < need {
		w.buf = make([]float64, need)
	}
	if cap(w.ipvt) < n {
		w.ipvt = make([]int, n)
	}
	b := w.buf[:need]
	w.fvec, b = carve(b, m)
	w.wa4, b = carve(b, m)
	w.fjac, b = carve(b, m*n)
	w.diag, b = carve(b, n)
	w.qtf, b = carve(b, n)
	w.wa1, b = carve(b, n)
	w.wa2, b = carve(b, n)
	w.wa3, b = carve(b, n)
	w.lmwork1, b = carve(b, n)
	w.lmwork2, _ = carve(b, n)
}

// carve splits the first k elements off b.
func carve(b []float64, k int) (head, rest []float64) {
	return b[:k:k], b[k:]
}

// Solve minimises the sum of squares
//
//	‖f(x)‖² = Σ_i f_i(x)²,   i = 0..m-1
//
// by the Levenberg–Marquardt method of MINPACK's lmdif (Moré 1978), with a
// forward-difference Jacobian, automatic variable scaling and the trust-region
// update of lmdif, starting from x and overwriting it with the result. f must
// fill fvec (length m) with the residuals at x (length n = len(x)); it must not
// modify x or keep either slice. f is called at x itself, at x with one
// component perturbed (the Jacobian) and at trial points.
//
// The sequence of floating point operations follows lmdif, lmpar, qrfac,
// qrsolv, fdjac2 and enorm, so when f returns the same values as the Python
// residual function, Solve returns bit for bit the x, Info and Nfev of
// scipy.optimize.leastsq (and of curve_fit with method="lm").
//
// s nil means DefaultSettings. work may be nil, in which case scratch memory
// is allocated. Solve panics if len(x) == 0, m < len(x), or a setting is out of
// range (negative or NaN tolerance, Factor <= 0, MaxFev < 0).
func Solve(f func(x, fvec []float64), m int, x []float64, s *Settings, work *Workspace) Result {
	n := len(x)
	if n == 0 {
		panic("levmar: no parameters")
	}
	if m < n {
		panic("levmar: fewer residuals than parameters")
	}
	var set Settings
	if s == nil {
		set = DefaultSettings()
	} else {
		set = *s
	}
	if !(set.Ftol >= 0) || !(set.Xtol >= 0) || !(set.Gtol >= 0) {
		panic("levmar: negative or NaN tolerance")
	}
	if !(set.Factor > 0) {
		panic("levmar: Factor must be positive")
	}
	if math.IsNaN(set.Epsfcn) {
		panic("levmar: Epsfcn is NaN")
	}
	if set.MaxFev < 0 {
		panic("levmar: negative MaxFev")
	}
	maxfev := set.MaxFev
	if maxfev == 0 {
		maxfev = 200 * (n + 1)
	}
	if work == nil {
		work = &Workspace{}
	}
	work.reserve(m, n)
	return lmdif(f, m, x, &set, maxfev, work)
}

// lmdif is the body of MINPACK's lmdif with mode 1 and nprint 0.
func lmdif(f func(x, fvec []float64), m int, x []float64, s *Settings, maxfev int, w *Workspace) Result {
	n := len(x)
	ftol, xtol, gtol, factor := s.Ftol, s.Xtol, s.Gtol, s.Factor
	fvec, fjac, wa4 := w.fvec, w.fjac, w.wa4
	diag, qtf, wa1, wa2, wa3, ipvt := w.diag, w.qtf, w.wa1, w.wa2, w.wa3, w.ipvt[:n]

	info := 0
	f(x, fvec)
	nfev := 1
	fnorm := enorm(fvec)

	par := 0.0
	iter := 1
	var xnorm, delta float64
	// temp is shared across the step-bound update as in the Fortran, where a
	// NaN actred leaves it holding its previous value.
	var temp float64

	for {
		// Jacobian and its pivoted QR factorisation.
		fdjac2(f, m, x, fvec, fjac, wa4, s.Epsfcn)
		nfev += n
		qrfac(m, n, fjac, ipvt, wa1, wa2, wa3)

		if iter == 1 {
			// Scale by the column norms of the first Jacobian, and set the
			// initial step bound from the scaled starting point.
			for j := 0; j < n; j++ {
				diag[j] = wa2[j]
				if wa2[j] == 0 {
					diag[j] = 1
				}
			}
			for j := 0; j < n; j++ {
				wa3[j] = diag[j] * x[j]
			}
			xnorm = enorm(wa3[:n])
			delta = factor * xnorm
			if delta == 0 {
				delta = factor
			}
		}

		// qtf = first n elements of Qᵀ fvec; put R's diagonal back in fjac.
		copy(wa4, fvec)
		for j := 0; j < n; j++ {
			cj := fjac[j*m : j*m+m]
			if cj[j] != 0 {
				sum := 0.0
				for i := j; i < m; i++ {
					sum += float64(cj[i] * wa4[i])
				}
				t := -sum / cj[j]
				for i := j; i < m; i++ {
					wa4[i] += float64(cj[i] * t)
				}
			}
			cj[j] = wa1[j]
			qtf[j] = wa4[j]
		}

		// Norm of the scaled gradient (the largest cosine between fvec and a
		// Jacobian column).
		gnorm := 0.0
		if fnorm != 0 {
			for j := 0; j < n; j++ {
				l := ipvt[j]
				if wa2[l] != 0 {
					cj := fjac[j*m:]
					sum := 0.0
					for i := 0; i <= j; i++ {
						sum += float64(cj[i] * (qtf[i] / fnorm))
					}
					gnorm = fmax(gnorm, math.Abs(sum/wa2[l]))
				}
			}
		}
		if gnorm <= gtol {
			info = 4
		}
		if info != 0 {
			break
		}

		// Let the scaling grow with the column norms.
		for j := 0; j < n; j++ {
			diag[j] = fmax(diag[j], wa2[j])
		}

		// Inner loop: shrink the trust region until a step is accepted.
		for {
			par = lmpar(n, fjac, m, ipvt, diag, qtf, delta, par, wa1, wa2, w.lmwork1, w.lmwork2)

			// Step p = -wa1, trial point x + p and its scaled length.
			for j := 0; j < n; j++ {
				wa1[j] = -wa1[j]
				wa2[j] = x[j] + wa1[j]
				wa3[j] = diag[j] * wa1[j]
			}
			pnorm := enorm(wa3[:n])
			if iter == 1 {
				delta = fmin(delta, pnorm)
			}

			f(wa2, wa4)
			nfev++
			fnorm1 := enorm(wa4)

			// Scaled actual reduction.
			actred := -1.0
			if p1*fnorm1 < fnorm {
				r := fnorm1 / fnorm
				actred = 1 - float64(r*r)
			}

			// Scaled predicted reduction and directional derivative.
			for j := 0; j < n; j++ {
				wa3[j] = 0
				temp = wa1[ipvt[j]]
				cj := fjac[j*m:]
				for i := 0; i <= j; i++ {
					wa3[i] += float64(cj[i] * temp)
				}
			}
			temp1 := enorm(wa3[:n]) / fnorm
			temp2 := (math.Sqrt(par) * pnorm) / fnorm
			prered := float64(temp1*temp1) + temp2*temp2/p5
			dirder := -(float64(temp1*temp1) + float64(temp2*temp2))

			ratio := 0.0
			if prered != 0 {
				ratio = actred / prered
			}

			// Update the step bound.
			if !(ratio > p25) {
				if actred >= 0 {
					temp = p5
				}
				if actred < 0 {
					temp = p5 * dirder / (dirder + float64(p5*actred))
				}
				if p1*fnorm1 >= fnorm || temp < p1 {
					temp = p1
				}
				delta = temp * fmin(delta, pnorm/p1)
				par /= temp
			} else if !(par != 0 && ratio < p75) {
				delta = pnorm / p5
				par = p5 * par
			}

			// Successful iteration: accept x + p.
			if !(ratio < p0001) {
				for j := 0; j < n; j++ {
					x[j] = wa2[j]
					wa2[j] = diag[j] * x[j]
				}
				copy(fvec, wa4)
				xnorm = enorm(wa2[:n])
				fnorm = fnorm1
				iter++
			}

			// Convergence tests.
			if math.Abs(actred) <= ftol && prered <= ftol && p5*ratio <= 1 {
				info = 1
			}
			if delta <= xtol*xnorm {
				info = 2
			}
			if math.Abs(actred) <= ftol && prered <= ftol && p5*ratio <= 1 && info == 2 {
				info = 3
			}
			if info != 0 {
				return Result{Info: info, Nfev: nfev, Fnorm: fnorm}
			}

			// Termination and tolerances too stringent for the arithmetic.
			if nfev >= maxfev {
				info = 5
			}
			if math.Abs(actred) <= epsmch && prered <= epsmch && p5*ratio <= 1 {
				info = 6
			}
			if delta <= epsmch*xnorm {
				info = 7
			}
			if gnorm <= epsmch {
				info = 8
			}
			if info != 0 {
				return Result{Info: info, Nfev: nfev, Fnorm: fnorm}
			}

			if !(ratio < p0001) {
				break
			}
		}
	}
	return Result{Info: info, Nfev: nfev, Fnorm: fnorm}
}
