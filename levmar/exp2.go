package levmar

import "math"

// This file holds FitExponential's solver: MINPACK's lmdif, fdjac2, qrfac,
// lmpar and qrsolv (whose general form, Solve, lives in solve_test.go as the
// tests' oracle) specialised to the two parameters (a0, a1) of the model
// a0·a1^i with the settings curve_fit uses, written with the same floating
// point operations in the same order, so that the iterates, Nfev and Info
// are bit for bit those of Solve (TestExpMatchesSolve
// and TestLmpar2MatchesLmpar check this on random problems). What changes is
// the bookkeeping:
//
//   - the model is evaluated inline, with the powers a1^i of intPowers'
//     double-double chain computed once per base: at a trial point for its
//     a1 and, for the Jacobian, its a1+h;
//   - the O(m) work is done in a few fused stages (expvec.go): the residuals
//     at a trial point and their norm; the forward-difference Jacobian and
//     its column norms; qrfac's two Householder steps with lmdif's Qᵀfvec.
//     With the vector kernels the Jacobian at a trial point is computed
//     with its residuals, ahead of knowing whether the point is accepted;
//   - values that the generic code computes but never reads for n = 2 (the
//     column norm downdate of qrfac, the Householder vector of the last
//     column, all but the first two elements of Qᵀfvec) are not computed;
//   - the 2×2 triangular algebra of lmpar and qrsolv is written out in
//     scalars, and the column pivoting swaps references instead of data.

// epsDiff is fdjac2's relative step sqrt(max(epsfcn, epsmch)) for
// epsfcn = 2^-52 (scipy's default), computed as fdjac2 computes it.
var epsDiff = math.Sqrt(fmax(0x1p-52, epsmch))

// expWork is FitExponential's scratch memory: six vectors (see expState),
// each padded to a multiple of four elements plus four, so that the vector
// kernels may compute whole blocks of four past the end (see exp_amd64.s).
type expWork struct {
	buf       []float64
	args      pointArgs
	m         int     // the length ag2 and ag2b are for
	ag2, ag2b float64 // see expState
}

// expState is one FitExponential run: y is the data; pw holds
// a1^i for the current a1 and tp for a trial a1; fv holds the residuals at
// the current point and wv is scratch (trial residuals, Qᵀfvec); c0 and c1
// are the Jacobian columns. tjOK tells whether trial has also computed the
// Jacobian at the trial point, with column norms tn0 and tn1.
type expState struct {
	y, pw, tp, fv, wv, c0, c1 []float64
	tjOK                      bool
	tn0, tn1                  float64
	args                      *pointArgs
	ag2, ag2b                 float64 // fl(agiant²) of enorm for m and for m-1 components
}

func (e *expWork) state(y []float64) expState {
	m := len(y)
	p := (m+3)&^3 + 4
	if cap(e.buf) < 6*p {
		e.buf = make([]float64, 6*p)
		e.m = 0
	}
	b := e.buf[:6*p]
	s := expState{
		y:    y,
		pw:   b[0*p : 0*p+m : 1*p],
		tp:   b[1*p : 1*p+m : 2*p],
		fv:   b[2*p : 2*p+m : 3*p],
		wv:   b[3*p : 3*p+m : 4*p],
		c0:   b[4*p : 4*p+m : 5*p],
		c1:   b[5*p : 5*p+m : 6*p],
		args: &e.args,
	}
	// The kernels compute whole blocks of four: they read y's last block
	// masked, and compute in the padding of the other vectors values that
	// are never used (their lanes are left out of every sum and test). The
	// padding starts as zeros, so that this is also cheap arithmetic.
	if e.m != m {
		e.m = m
		clear(b)
		agiant := rgiant / float64(m)
		e.ag2 = float64(agiant * agiant)
		agiant = rgiant / float64(m-1)
		e.ag2b = float64(agiant * agiant)
		e.args.rdSq = [4]float64{rdwarfSq, rdwarfSq, rdwarfSq, rdwarfSq}
		e.args.zero = [4]float64{}
	}
	s.ag2, s.ag2b = e.ag2, e.ag2b
	return s
}

// fitExp is lmdif (mode 1, scipy's default tolerances, MaxFev 5000) for
// f_i = a0·a1^i − y_i, specialised as described at the top of this file.
func fitExp(y []float64, a0, a1 float64, work *Workspace) (float64, float64, Result) {
	const (
		ftol   = 1.49012e-8
		xtol   = 1.49012e-8
		gtol   = 0.0
		factor = 100.0
		maxfev = 5000
	)
	s := work.exp.state(y)

	x0, x1 := a0, a1
	info := 0
	fnorm := s.trial(x0, x1)
	s.pw, s.tp = s.tp, s.pw
	s.fv, s.wv = s.wv, s.fv
	jacOK, jn0, jn1 := s.tjOK, s.tn0, s.tn1
	nfev := 1

	par := 0.0
	iter := 1
	var xnorm, delta float64
	var temp float64
	var diag0, diag1 float64

	for {
		acn0, acn1 := jn0, jn1
		if !jacOK {
			acn0, acn1 = s.jacobian(x0, x1)
		}
		nfev += 2

		// qrfac with column pivoting. a is the pivot column, b the other.
		a, b := s.c0, s.c1
		ip0, ip1 := 0, 1
		ajnorm := acn0
		if acn1 > acn0 {
			a, b = b, a
			ip0, ip1 = 1, 0
			ajnorm = acn1
		}
		if ajnorm != 0 && a[0] < 0 {
			ajnorm = -ajnorm
		}
		qtf0, ajnorm1, qtf1 := s.qr(a, b, ajnorm)
		rdiag0 := -ajnorm
		r01 := b[0]
		rdiag1 := -ajnorm1
		r00, r11 := rdiag0, rdiag1

		if iter == 1 {
			diag0, diag1 = acn0, acn1
			if acn0 == 0 {
				diag0 = 1
			}
			if acn1 == 0 {
				diag1 = 1
			}
			xnorm = enorm2(diag0*x0, diag1*x1)
			delta = factor * xnorm
			if delta == 0 {
				delta = factor
			}
		}

		// Norm of the scaled gradient.
		gnorm := 0.0
		if fnorm != 0 {
			acl := sel(ip0, acn0, acn1)
			if acl != 0 {
				sum := 0.0
				sum += float64(r00 * (qtf0 / fnorm))
				gnorm = fmax(gnorm, math.Abs(sum/acl))
			}
			acl = sel(ip1, acn0, acn1)
			if acl != 0 {
				sum := 0.0
				sum += float64(r01 * (qtf0 / fnorm))
				sum += float64(r11 * (qtf1 / fnorm))
				gnorm = fmax(gnorm, math.Abs(sum/acl))
			}
		}
		if gnorm <= gtol {
			info = 4
		}
		if info != 0 {
			break
		}

		diag0 = fmax(diag0, acn0)
		diag1 = fmax(diag1, acn1)

		r := tri2{r00: r00, r01: r01, r11: r11, ip0: ip0, ip1: ip1}
		for {
			var st0, st1 float64
			par, st0, st1 = r.lmpar(diag0, diag1, qtf0, qtf1, delta, par)

			// Step p = -wa1, trial point x + p and its scaled length (after
			// the evaluation, which does not need it).
			st0 = -st0
			t0 := x0 + st0
			st1 = -st1
			t1 := x1 + st1
			fnorm1 := s.trial(t0, t1)
			nfev++
			pnorm := enorm2(diag0*st0, diag1*st1)
			if iter == 1 {
				delta = fmin(delta, pnorm)
			}

			actred := -1.0
			if p1*fnorm1 < fnorm {
				rr := fnorm1 / fnorm
				actred = 1 - float64(rr*rr)
			}

			// Scaled predicted reduction and directional derivative.
			w0 := 0.0
			temp = sel(ip0, st0, st1)
			w0 += float64(r00 * temp)
			w1 := 0.0
			temp = sel(ip1, st0, st1)
			w0 += float64(r01 * temp)
			w1 += float64(r11 * temp)
			temp1 := enorm2(w0, w1) / fnorm
			temp2 := (math.Sqrt(par) * pnorm) / fnorm
			prered := float64(temp1*temp1) + temp2*temp2/p5
			dirder := -(float64(temp1*temp1) + float64(temp2*temp2))

			ratio := 0.0
			if prered != 0 {
				ratio = actred / prered
			}

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

			if !(ratio < p0001) {
				x0, x1 = t0, t1
				s.pw, s.tp = s.tp, s.pw
				s.fv, s.wv = s.wv, s.fv
				jacOK, jn0, jn1 = s.tjOK, s.tn0, s.tn1
				xnorm = enorm2(diag0*x0, diag1*x1)
				fnorm = fnorm1
				iter++
			}

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
				return x0, x1, Result{Info: info, Nfev: nfev, Fnorm: fnorm}
			}

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
				return x0, x1, Result{Info: info, Nfev: nfev, Fnorm: fnorm}
			}

			if !(ratio < p0001) {
				break
			}
		}
	}
	return x0, x1, Result{Info: info, Nfev: nfev, Fnorm: fnorm}
}

// sel returns v0 if i is 0 and v1 otherwise.
func sel(i int, v0, v1 float64) float64 {
	if i == 0 {
		return v0
	}
	return v1
}

// rdwarfSq is fl(rdwarf²). The fused norms of FitExponential's solver
// (expvec.go, exp_amd64.s, enorm2) test the squares they sum instead of the
// magnitudes, which is conservative because rounding is monotonic: a square
// above rdwarfSq has |x| > rdwarf, and a sum of squares below fl(agiant²),
// each square being at most the sum, has every |x| < agiant. A component
// whose square is at most rdwarfSq is allowed only if it is 0, which enorm
// skips. When a test fails (or is NaN) the norm is left to enorm itself.
var rdwarfSq = func() float64 { r := rdwarf; return float64(r * r) }()

// enorm2 is enorm of the vector (a, b). It tests the squares rather than
// the magnitudes, conservatively (see rdwarfSq): when both squares are
// above rdwarfSq and below fl(agiant²), both components are intermediate.
func enorm2(a, b float64) float64 {
	qa, qb := float64(a*a), float64(b*b)
	if qa > rdwarfSq && qb > rdwarfSq && qa < agiant2Sq && qb < agiant2Sq {
		s2 := 0.0
		s2 += qa
		s2 += qb
		return math.Sqrt(s2)
	}
	return enormPair(a, b)
}

// agiant2Sq is fl(agiant²) for enorm of two components, agiant computed as
// enorm computes it.
var agiant2Sq = func() float64 {
	n := 2
	g := rgiant / float64(n)
	return float64(g * g)
}()

// enormPair is enorm of the vector (a, b), out of line.
//
//go:noinline
func enormPair(a, b float64) float64 {
	v := [2]float64{a, b}
	return enorm(v[:])
}

// tri2 is the 2×2 upper triangular R of qrfac (r00, r01, r11) with its
// permutation (column j of A P is column ip_j of A), plus r10, the strict
// lower triangle lmpar and qrsolv use as scratch.
type tri2 struct {
	r00, r01, r11, r10 float64
	ip0, ip1           int
}

// lmpar is minpack.go's lmpar for n = 2. d0, d1 are diag, q0, q1 are qtb.
// It returns par and the step x (in the original variable order).
func (r *tri2) lmpar(d0, d1, q0, q1, delta, par float64) (float64, float64, float64) {
	// Gauss–Newton direction.
	nsing := 2
	w0, w1 := q0, q1
	if r.r00 == 0 && nsing == 2 {
		nsing = 0
	}
	if nsing < 2 {
		w0 = 0
	}
	if r.r11 == 0 && nsing == 2 {
		nsing = 1
	}
	if nsing < 2 {
		w1 = 0
	}
	if nsing == 2 {
		w1 /= r.r11
		temp := w1
		w0 -= float64(r.r01 * temp)
	}
	if nsing >= 1 {
		w0 /= r.r00
	}
	x0, x1 := r.unpivot(w0, w1)

	iter := 0
	v0 := d0 * x0
	v1 := d1 * x1
	dxnorm := enorm2(v0, v1)
	fp := dxnorm - delta
	if fp <= p1*delta {
		return 0, x0, x1
	}

	// Lower bound parl.
	parl := 0.0
	if nsing >= 2 {
		w0 = float64(sel(r.ip0, d0, d1) * (sel(r.ip0, v0, v1) / dxnorm))
		w1 = float64(sel(r.ip1, d0, d1) * (sel(r.ip1, v0, v1) / dxnorm))
		sum := 0.0
		w0 = (w0 - sum) / r.r00
		sum = 0.0
		sum += float64(r.r01 * w0)
		w1 = (w1 - sum) / r.r11
		temp := enorm2(w0, w1)
		parl = ((fp / delta) / temp) / temp
	}

	// Upper bound paru.
	sum := 0.0
	sum += float64(r.r00 * q0)
	w0 = sum / sel(r.ip0, d0, d1)
	sum = 0.0
	sum += float64(r.r01 * q0)
	sum += float64(r.r11 * q1)
	w1 = sum / sel(r.ip1, d0, d1)
	gnorm := enorm2(w0, w1)
	paru := gnorm / delta
	if paru == 0 {
		paru = dwarf / fmin(delta, p1)
	}

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
		var sd0, sd1 float64
		x0, x1, sd0, sd1 = r.qrsolv(temp*d0, temp*d1, q0, q1)
		v0 = d0 * x0
		v1 = d1 * x1
		dxnorm = enorm2(v0, v1)
		temp = fp
		fp = dxnorm - delta

		if math.Abs(fp) <= p1*delta || (parl == 0 && fp <= temp && temp < 0) || iter == 10 {
			break
		}

		// Newton correction.
		w0 = float64(sel(r.ip0, d0, d1) * (sel(r.ip0, v0, v1) / dxnorm))
		w1 = float64(sel(r.ip1, d0, d1) * (sel(r.ip1, v0, v1) / dxnorm))
		w0 /= sd0
		temp = w0
		w1 -= float64(r.r10 * temp)
		w1 /= sd1
		temp = enorm2(w0, w1)
		parc := ((fp / delta) / temp) / temp

		if fp > 0 {
			parl = fmax(parl, par)
		}
		if fp < 0 {
			paru = fmin(paru, par)
		}
		par = fmax(parl, par+parc)
	}
	return par, x0, x1
}

// unpivot returns (x_0, x_1) with x[ip_j] = w_j.
func (r *tri2) unpivot(w0, w1 float64) (float64, float64) {
	if r.ip0 == 0 {
		return w0, w1
	}
	return w1, w0
}

// qrsolv is minpack.go's qrsolv for n = 2 with diag (e0, e1) and qtb
// (q0, q1). It returns x in the original variable order and sdiag, and
// leaves S's off-diagonal element in r.r10.
func (r *tri2) qrsolv(e0, e1, q0, q1 float64) (x0, x1, sd0, sd1 float64) {
	// S starts as Rᵀ; the diagonal of r is worked on in R00 and R11.
	R00, R11 := r.r00, r.r11
	R10 := r.r01
	wa0, wa1 := q0, q1
	var sdiag0, sdiag1 float64

	// j = 0.
	if dl := sel(r.ip0, e0, e1); dl != 0 {
		sdiag0, sdiag1 = dl, 0
		qtbpj := 0.0
		if sdiag0 != 0 {
			sin, cos := givens(R00, sdiag0)
			R00 = float64(cos*R00) + float64(sin*sdiag0)
			temp := float64(cos*wa0) + float64(sin*qtbpj)
			qtbpj = float64(-sin*wa0) + float64(cos*qtbpj)
			wa0 = temp
			temp = float64(cos*R10) + float64(sin*sdiag1)
			sdiag1 = float64(-sin*R10) + float64(cos*sdiag1)
			R10 = temp
		}
		if sdiag1 != 0 {
			sin, cos := givens(R11, sdiag1)
			R11 = float64(cos*R11) + float64(sin*sdiag1)
			temp := float64(cos*wa1) + float64(sin*qtbpj)
			wa1 = temp
		}
	}
	sdiag0 = R00

	// j = 1.
	if dl := sel(r.ip1, e0, e1); dl != 0 {
		sdiag1 = dl
		qtbpj := 0.0
		if sdiag1 != 0 {
			sin, cos := givens(R11, sdiag1)
			R11 = float64(cos*R11) + float64(sin*sdiag1)
			temp := float64(cos*wa1) + float64(sin*qtbpj)
			wa1 = temp
		}
	}
	sdiag1 = R11
	r.r10 = R10

	// Back substitution.
	nsing := 2
	if sdiag0 == 0 && nsing == 2 {
		nsing = 0
	}
	if nsing < 2 {
		wa0 = 0
	}
	if sdiag1 == 0 && nsing == 2 {
		nsing = 1
	}
	if nsing < 2 {
		wa1 = 0
	}
	if nsing == 2 {
		sum := 0.0
		wa1 = (wa1 - sum) / sdiag1
	}
	if nsing >= 1 {
		sum := 0.0
		if nsing == 2 {
			sum += float64(R10 * wa1)
		}
		wa0 = (wa0 - sum) / sdiag0
	}
	x0, x1 = r.unpivot(wa0, wa1)
	return x0, x1, sdiag0, sdiag1
}

// givens returns qrsolv's rotation eliminating s against rkk.
func givens(rkk, s float64) (sin, cos float64) {
	if !(math.Abs(rkk) >= math.Abs(s)) {
		cotan := rkk / s
		sin = p5 / math.Sqrt(p25+float64(p25*cotan*cotan))
		cos = sin * cotan
	} else {
		tan := s / rkk
		cos = p5 / math.Sqrt(p25+float64(p25*tan*tan))
		sin = cos * tan
	}
	return sin, cos
}
