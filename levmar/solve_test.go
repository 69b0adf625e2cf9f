package levmar

import "math"

// This file holds the general solver, MINPACK's lmdif for any model, which
// only tests reach: it is the oracle that FitExponential's specialised
// solver (exp2.go) is checked against, bit for bit, and what the MINPACK test
// problems against scipy (levmar_test.go) exercise. Its building blocks
// fdjac2, qrfac (with column pivoting), lmpar and qrsolv follow the
// published algorithm statement by statement, in the same order of floating
// point operations, because the point of the package is to land on the same
// iterates (and therefore the same nfev and info) as the Fortran code.
//
// Matrices are stored column-major with leading dimension ld, so element
// (i, j) of a matrix a lives at a[i+j*ld], as in Fortran.

// p05 is qrfac's column-norm downdate threshold.
const p05 = 0.05

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

// solveWork holds the scratch memory of Solve. The zero value is ready to
// use; it grows to the largest problem seen and is then reused.
type solveWork struct {
	buf  []float64
	ipvt []int

	fvec, wa4, fjac          []float64 // m, m, m×n
	diag, qtf, wa1, wa2, wa3 []float64 // n
	lmwork1, lmwork2         []float64 // n, lmpar's scratch
}

// reserve carves the slices of w for an m×n problem, growing buf if needed.
func (w *solveWork) reserve(m, n int) {
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
func Solve(f func(x, fvec []float64), m int, x []float64, s *Settings, work *solveWork) Result {
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
		work = &solveWork{}
	}
	work.reserve(m, n)
	return lmdif(f, m, x, &set, maxfev, work)
}

// lmdif is the body of MINPACK's lmdif with mode 1 and nprint 0.
func lmdif(f func(x, fvec []float64), m int, x []float64, s *Settings, maxfev int, w *solveWork) Result {
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

// fdjac2 fills the m×n column-major fjac with the forward-difference
// approximation of the Jacobian of f at x, where fvec = f(x):
//
//	eps = sqrt(max(epsfcn, epsmch))
//	h_j = eps*|x_j|, or eps when that is zero
//	fjac[:, j] = (f(x + h_j e_j) - fvec) / h_j
//
// x is perturbed in place and restored bit for bit. wa (length m) is scratch.
func fdjac2(f func(x, fvec []float64), m int, x, fvec, fjac, wa []float64, epsfcn float64) {
	eps := math.Sqrt(fmax(epsfcn, epsmch))
	for j := range x {
		temp := x[j]
		h := float64(eps * math.Abs(temp))
		if h == 0 {
			h = eps
		}
		x[j] = temp + h
		f(x, wa)
		x[j] = temp
		col := fjac[j*m : j*m+m]
		for i := range col {
			col[i] = (wa[i] - fvec[i]) / h
		}
	}
}

// qrfac computes the Householder QR factorisation with column pivoting of the
// m×n column-major matrix a (leading dimension m, m >= n):
//
//	A P = Q R
//
// On return the lower trapezoid of a holds the Householder vectors (the
// vector of step j is a[j:m, j], scaled so that its first element is
// 1 + |a_jj|/‖a_j‖), the strict upper triangle holds R without its diagonal,
// rdiag holds the diagonal of R, acnorm the norms of the columns of the
// original A (unpivoted order) and ipvt the permutation: column j of A P is
// column ipvt[j] of A. wa (length n) is scratch.
func qrfac(m, n int, a []float64, ipvt []int, rdiag, acnorm, wa []float64) {
	for j := 0; j < n; j++ {
		acnorm[j] = enorm(a[j*m : j*m+m])
		rdiag[j] = acnorm[j]
		wa[j] = rdiag[j]
		ipvt[j] = j
	}
	minmn := min(m, n)
	for j := 0; j < minmn; j++ {
		// Pivot: move the remaining column of largest (updated) norm to j.
		kmax := j
		for k := j; k < n; k++ {
			if rdiag[k] > rdiag[kmax] {
				kmax = k
			}
		}
		if kmax != j {
			cj := a[j*m : j*m+m]
			ck := a[kmax*m : kmax*m+m]
			for i := range cj {
				cj[i], ck[i] = ck[i], cj[i]
			}
			rdiag[kmax] = rdiag[j]
			wa[kmax] = wa[j]
			ipvt[j], ipvt[kmax] = ipvt[kmax], ipvt[j]
		}

		// Householder reflection taking a[j:m, j] to a multiple of e_j.
		cj := a[j*m : j*m+m]
		ajnorm := enorm(cj[j:])
		if ajnorm != 0 {
			if cj[j] < 0 {
				ajnorm = -ajnorm
			}
			for i := j; i < m; i++ {
				cj[i] /= ajnorm
			}
			cj[j] += 1

			// Apply it to the remaining columns and downdate their norms.
			for k := j + 1; k < n; k++ {
				ck := a[k*m : k*m+m]
				sum := 0.0
				for i := j; i < m; i++ {
					sum += float64(cj[i] * ck[i])
				}
				temp := sum / cj[j]
				for i := j; i < m; i++ {
					ck[i] -= float64(temp * cj[i])
				}
				if rdiag[k] != 0 {
					temp = ck[j] / rdiag[k]
					rdiag[k] *= math.Sqrt(fmax(0, 1-float64(temp*temp)))
					r := rdiag[k] / wa[k]
					if !(p05*(r*r) > epsmch) {
						// Too much cancellation in the downdate: recompute.
						rdiag[k] = enorm(ck[j+1 : m])
						wa[k] = rdiag[k]
					}
				}
			}
		}
		rdiag[j] = -ajnorm
	}
}

// lmpar determines the Levenberg–Marquardt parameter. Given the n×n upper
// triangular R of A P = Q R (in the upper triangle of r, leading dimension
// ldr), the permutation ipvt, the positive scaling diag, qtb = first n
// elements of Qᵀb and the step bound delta, it finds par >= 0 such that the
// solution x of
//
//	min ‖ [A; sqrt(par) D] x − [b; 0] ‖
//
// satisfies ‖D x‖ within 10% of delta (or par = 0 if the Gauss–Newton step
// already has ‖D x‖ <= 1.1 delta). par is the starting estimate and the
// result is returned; x receives the step. sdiag receives the diagonal of
// the S of qrsolv; the strict lower triangle of r is overwritten. wa1 and wa2
// (length n) are scratch.
func lmpar(n int, r []float64, ldr int, ipvt []int, diag, qtb []float64, delta, par float64, x, sdiag, wa1, wa2 []float64) float64 {
	// Gauss–Newton direction; least-squares solution if R is singular.
	nsing := n
	for j := 0; j < n; j++ {
		wa1[j] = qtb[j]
		if r[j+j*ldr] == 0 && nsing == n {
			nsing = j
		}
		if nsing < n {
			wa1[j] = 0
		}
	}
	for j := nsing - 1; j >= 0; j-- {
		wa1[j] /= r[j+j*ldr]
		temp := wa1[j]
		col := r[j*ldr:]
		for i := 0; i < j; i++ {
			wa1[i] -= float64(col[i] * temp)
		}
	}
	for j := 0; j < n; j++ {
		x[ipvt[j]] = wa1[j]
	}

	// Evaluate phi at the origin and accept the Gauss–Newton step if small.
	iter := 0
	for j := 0; j < n; j++ {
		wa2[j] = diag[j] * x[j]
	}
	dxnorm := enorm(wa2[:n])
	fp := dxnorm - delta
	if fp <= p1*delta {
		return 0
	}

	// Lower bound parl from the Newton step (only for full rank).
	parl := 0.0
	if nsing >= n {
		for j := 0; j < n; j++ {
			l := ipvt[j]
			wa1[j] = float64(diag[l] * (wa2[l] / dxnorm))
		}
		for j := 0; j < n; j++ {
			col := r[j*ldr:]
			sum := 0.0
			for i := 0; i < j; i++ {
				sum += float64(col[i] * wa1[i])
			}
			wa1[j] = (wa1[j] - sum) / col[j]
		}
		temp := enorm(wa1[:n])
		parl = ((fp / delta) / temp) / temp
	}

	// Upper bound paru.
	for j := 0; j < n; j++ {
		col := r[j*ldr:]
		sum := 0.0
		for i := 0; i <= j; i++ {
			sum += float64(col[i] * qtb[i])
		}
		wa1[j] = sum / diag[ipvt[j]]
	}
	gnorm := enorm(wa1[:n])
	paru := gnorm / delta
	if paru == 0 {
		paru = dwarf / fmin(delta, p1)
	}

	// Clamp the incoming par into [parl, paru].
	par = fmax(par, parl)
	par = fmin(par, paru)
	if par == 0 {
		par = gnorm / dxnorm
	}

	for {
		iter++
		if par == 0 {
			par = fmax(dwarf, p001*paru)
		}
		temp := math.Sqrt(par)
		for j := 0; j < n; j++ {
			wa1[j] = temp * diag[j]
		}
		qrsolv(n, r, ldr, ipvt, wa1, qtb, x, sdiag, wa2)
		for j := 0; j < n; j++ {
			wa2[j] = diag[j] * x[j]
		}
		dxnorm = enorm(wa2[:n])
		temp = fp
		fp = dxnorm - delta

		// Accept par if phi is small enough, or in the exceptional cases
		// (parl == 0 and phi not increasing while negative, or 10 iterations).
		if math.Abs(fp) <= p1*delta || (parl == 0 && fp <= temp && temp < 0) || iter == 10 {
			break
		}

		// Newton correction.
		for j := 0; j < n; j++ {
			l := ipvt[j]
			wa1[j] = float64(diag[l] * (wa2[l] / dxnorm))
		}
		for j := 0; j < n; j++ {
			wa1[j] /= sdiag[j]
			temp = wa1[j]
			col := r[j*ldr:]
			for i := j + 1; i < n; i++ {
				wa1[i] -= float64(col[i] * temp)
			}
		}
		temp = enorm(wa1[:n])
		parc := ((fp / delta) / temp) / temp

		if fp > 0 {
			parl = fmax(parl, par)
		}
		if fp < 0 {
			paru = fmin(paru, par)
		}
		par = fmax(parl, par+parc)
	}
	return par
}

// qrsolv solves, in the least-squares sense,
//
//	[A; D] x = [b; 0]
//
// given A P = Q R (R in the upper triangle of r), the diagonal D as diag,
// and qtb = first n elements of Qᵀb. It eliminates D from [R; Pᵀ D P] with
// Givens rotations, giving the upper triangular S with Sᵀ S = Pᵀ(AᵀA + DD)P:
// the strict upper triangle of S is returned transposed in the strict lower
// triangle of r, its diagonal in sdiag. The upper triangle of r (including
// its diagonal) is preserved. wa (length n) is scratch.
func qrsolv(n int, r []float64, ldr int, ipvt []int, diag, qtb, x, sdiag, wa []float64) {
	// Copy R's strict upper triangle into the lower one (S starts as Rᵀ),
	// keep R's diagonal in x and Qᵀb in wa.
	for j := 0; j < n; j++ {
		for i := j; i < n; i++ {
			r[i+j*ldr] = r[j+i*ldr]
		}
		x[j] = r[j+j*ldr]
		wa[j] = qtb[j]
	}

	for j := 0; j < n; j++ {
		l := ipvt[j]
		if diag[l] != 0 {
			for k := j; k < n; k++ {
				sdiag[k] = 0
			}
			sdiag[j] = diag[l]

			// Eliminating this row of D touches only one extra element of
			// (Qᵀb, 0), which starts at zero.
			qtbpj := 0.0
			for k := j; k < n; k++ {
				if sdiag[k] == 0 {
					continue
				}
				ck := r[k*ldr:]
				var sin, cos float64
				if !(math.Abs(ck[k]) >= math.Abs(sdiag[k])) {
					cotan := ck[k] / sdiag[k]
					sin = p5 / math.Sqrt(p25+float64(p25*cotan*cotan))
					cos = sin * cotan
				} else {
					tan := sdiag[k] / ck[k]
					cos = p5 / math.Sqrt(p25+float64(p25*tan*tan))
					sin = cos * tan
				}
				ck[k] = float64(cos*ck[k]) + float64(sin*sdiag[k])
				temp := float64(cos*wa[k]) + float64(sin*qtbpj)
				qtbpj = float64(-sin*wa[k]) + float64(cos*qtbpj)
				wa[k] = temp
				for i := k + 1; i < n; i++ {
					temp = float64(cos*ck[i]) + float64(sin*sdiag[i])
					sdiag[i] = float64(-sin*ck[i]) + float64(cos*sdiag[i])
					ck[i] = temp
				}
			}
		}
		sdiag[j] = r[j+j*ldr]
		r[j+j*ldr] = x[j]
	}

	// Back-substitute S z = wa; least-squares solution if S is singular.
	nsing := n
	for j := 0; j < n; j++ {
		if sdiag[j] == 0 && nsing == n {
			nsing = j
		}
		if nsing < n {
			wa[j] = 0
		}
	}
	for j := nsing - 1; j >= 0; j-- {
		col := r[j*ldr:]
		sum := 0.0
		for i := j + 1; i < nsing; i++ {
			sum += float64(col[i] * wa[i])
		}
		wa[j] = (wa[j] - sum) / sdiag[j]
	}
	for j := 0; j < n; j++ {
		x[ipvt[j]] = wa[j]
	}
}
