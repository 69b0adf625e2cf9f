package levmar

import "math"

// This file holds MINPACK-1's machine constants, its dmax1/dmin1 and enorm,
// shared by FitExponential's solver (exp2.go) and the general solver the
// tests check it against (solve_test.go). enorm follows the published
// algorithm statement by statement, in the same order of floating point
// operations, because the point of the package is to land on the same
// iterates (and therefore the same nfev and info) as the Fortran code.

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
