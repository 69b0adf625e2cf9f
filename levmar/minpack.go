package levmar

import "math"

// This file holds the MINPACK-1 building blocks used by Solve: enorm, fdjac2,
// qrfac (with column pivoting), lmpar and qrsolv. Each one follows the
// published algorithm statement by statement, in the same order of floating
// point operations, because the point of the package is to land on the same
// iterates (and therefore the same nfev and info) as the Fortran code.
//
// Matrices are stored column-major with leading dimension ld, so element
// (i, j) of a matrix a lives at a[i+j*ld], as in Fortran.

// Machine constants exactly as MINPACK's dpmpar returns them for IEEE
// machines. These are the decimal literals of the netlib/scipy dpmpar data
// statements, which are slightly off the exact binary values (for example
// epsmch is 2.22044604926e-16 and not 2^-52 = 2.220446049250313e-16). The
// difference matters: fdjac2 takes sqrt(max(epsfcn, epsmch)), so with
// epsfcn = 2^-52 the finite-difference step is sqrt(epsmch) of this constant.
const (
	epsmch = 2.22044604926e-16
	dwarf  = 2.22507385852e-308
)

// enorm constants: components with magnitude at or below rdwarf, or at or
// above rgiant/n, are accumulated in separately scaled sums.
const (
	rdwarf = 3.834e-20
	rgiant = 1.304e19
)

const (
	p1    = 0.1
	p5    = 0.5
	p25   = 0.25
	p75   = 0.75
	p001  = 0.001
	p0001 = 1.0e-4
	p05   = 0.05
)

// fmax and fmin are the Fortran dmax1/dmin1 of two arguments, written as a
// plain comparison (cheaper than math.Max, and the signed-zero and NaN cases
// never change a decision below).
func fmax(a, b float64) float64 {
	if b > a {
		return b
	}
	return a
}

func fmin(a, b float64) float64 {
	if b < a {
		return b
	}
	return a
}

// enorm returns the Euclidean norm of x, computed as MINPACK does:
//
//	small components (|x_i| <= rdwarf)        summed as (x_i/x3max)^2 scaled by x3max
//	intermediate components                    summed as x_i^2
//	large components (|x_i| >= rgiant/len(x)) summed as (x_i/x1max)^2 scaled by x1max
//
// and then combined. The three-way split changes rounding compared with a
// plain sqrt of the sum of squares, so it is kept exactly.
func enorm(x []float64) float64 {
	// Fast path: while every component is intermediate, only s2 moves, and
	// with s1 = s3 = x3max = 0 the final formula reduces exactly to
	// sqrt(s2). The first component outside that range hands the running s2
	// to the general loop, which then continues as if it had run from the
	// start. Zero components are taken by the fast path too: the general
	// loop would leave every sum unchanged for them (x3max is still 0), and
	// adding 0 to s2 does not change it either; if all are zero, sqrt(0) is
	// the general formula's x3max*sqrt(s3) = 0.
	agiant := rgiant / float64(len(x))
	var s2 float64
	for i, v := range x {
		xabs := math.Abs(v)
		if !intermediate(xabs, agiant) {
			return enormGeneral(x[i:], s2, agiant)
		}
		s2 += float64(xabs * xabs)
	}
	return math.Sqrt(s2)
}

// intermediate reports whether enorm takes a component of magnitude xabs
// into its intermediate sum, or may skip it: a zero component does not
// change any of enorm's sums.
func intermediate(xabs, agiant float64) bool {
	return (xabs > rdwarf || xabs == 0) && xabs < agiant
}

// enormGeneral is enorm's three-sum loop and final combination, started with
// the intermediate sum s2 of the components already seen.
func enormGeneral(x []float64, s2, agiant float64) float64 {
	var s1, s3, x1max, x3max float64
	for _, v := range x {
		xabs := math.Abs(v)
		if xabs > rdwarf && xabs < agiant {
			s2 += float64(xabs * xabs)
			continue
		}
		if xabs <= rdwarf {
			// Small component.
			if xabs <= x3max {
				if xabs != 0 {
					r := xabs / x3max
					s3 += float64(r * r)
				}
			} else {
				r := x3max / xabs
				s3 = 1 + float64(s3*(r*r))
				x3max = xabs
			}
			continue
		}
		// Large component (NaN lands here too, as in the Fortran).
		if xabs <= x1max {
			r := xabs / x1max
			s1 += float64(r * r)
		} else {
			r := x1max / xabs
			s1 = 1 + float64(s1*(r*r))
			x1max = xabs
		}
	}
	if s1 != 0 {
		return x1max * math.Sqrt(s1+(s2/x1max)/x1max)
	}
	if s2 != 0 {
		if s2 >= x3max {
			return math.Sqrt(s2 * (1 + float64((x3max/s2)*(x3max*s3))))
		}
		return math.Sqrt(x3max * ((s2 / x3max) + float64(x3max*s3)))
	}
	return x3max * math.Sqrt(s3)
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
