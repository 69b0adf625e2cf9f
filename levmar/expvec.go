package levmar

import "math"

// The O(m) stages of FitExponential's solver (exp2.go): the model at a
// trial point, the forward-difference Jacobian, and the two Householder
// steps of qrfac with lmdif's Qᵀfvec. Each has a plain Go version and, on
// amd64 with AVX2 and FMA (useAVX), a version in the assembly kernels of
// exp_amd64.s, which work on blocks of four elements: pointKernel computes
// the model and the Jacobian at a trial point together, qrKernel the
// Householder steps. Both versions compute the same values with the same
// operations in the same order: packed operations round every lane exactly
// like the scalar ones, and the sums are accumulated one element at a time
// in element order either way (TestVectorKernels compares them).
//
// Each norm is computed, as enorm computes it for vectors whose components
// are all zero or in its intermediate range, as the square root of the
// plain sum of squares; the loops test each square against rdwarfSq and the
// sum against fl(agiant²), and leave the vector to enorm itself when a test
// fails (see rdwarfSq).

// stepOf is fdjac2's step for the parameter x: eps·|x|, or eps if that is 0.
func stepOf(x float64) float64 {
	h := float64(epsDiff * math.Abs(x))
	if h == 0 {
		h = epsDiff
	}
	return h
}

// normOf returns enorm(v) given the sum of squares sq of v in order,
// whether some square was at most rdwarfSq without its component being 0,
// and ag2 = fl(agiant²) for len(v) components.
func normOf(sq float64, small bool, ag2 float64, v []float64) float64 {
	if !small && sq < ag2 {
		return math.Sqrt(sq)
	}
	return enorm(v)
}

// trial sets tp_i = t1^i and the residuals wv_i = t0·tp_i − y_i of a trial
// point and returns enorm(wv). With the vector kernels it also computes
// ahead of time the Jacobian that lmdif needs if the point is accepted (see
// jacobian) into c0 and c1, and sets s.tjOK and the columns' norms s.tn0 and
// s.tn1: it runs along the chain of powers in the time the chain takes.
func (s *expState) trial(t0, t1 float64) float64 {
	y := s.y
	m := len(y)
	tp, wv := s.tp[:m], s.wv[:m]
	s.tjOK = false
	if useAVX {
		h1 := stepOf(t1)
		if b1 := t1 + h1; chainSafe(t1, m) && chainSafe(b1, m) {
			return s.pointAVX(t0, t1, h1, b1)
		}
	}

	// intPowers' chains, run block by block without its range checks when
	// chainSafe allows it (otherwise the powers come from intPowers first);
	// each block of powers is used as soon as it is stored, so that the
	// chains' latency overlaps the rest of the work.
	fast := chainSafe(t1, m)
	if !fast {
		intPowers(tp, t1)
	}
	var h0c, l0c, h1c, l1c, h2c, l2c, h3c, l3c, bh, bl float64
	if fast {
		h2c = float64(t1 * t1)
		l2c = math.FMA(t1, t1, -h2c)
		h3c, l3c = ddMul(h2c, l2c, t1, 0)
		bh, bl = ddMul(h2c, l2c, h2c, l2c)
		h0c, l0c = 1.0, 0.0
		h1c, l1c = t1, 0.0
		tp[0], tp[1], tp[2], tp[3] = h0c, h1c, h2c, h3c
	}
	sf := 0.0
	small := false
	for i := 0; i < m; i += 4 {
		if j := i + 4; fast && j < m {
			h0c, l0c = ddMul(h0c, l0c, bh, bl)
			h1c, l1c = ddMul(h1c, l1c, bh, bl)
			h2c, l2c = ddMul(h2c, l2c, bh, bl)
			h3c, l3c = ddMul(h3c, l3c, bh, bl)
			storeBlock(tp, j, h0c, h1c, h2c, h3c)
		}
		for k := i; k < min(i+4, m); k++ {
			f := float64(t0*tp[k]) - y[k]
			wv[k] = f
			qf := float64(f * f)
			if qf <= rdwarfSq && f != 0 {
				small = true
			}
			sf += qf
		}
	}
	return normOf(sf, small, s.ag2, wv)
}

// pointAVX is trial with the vector kernel, which also computes the
// Jacobian at the point (h1 = stepOf(t1), b1 = t1 + h1); state has set the
// kernel's constants rdSq and zero. The chains of t1 and of b1 are set up
// here as intPowers sets them up.
func (s *expState) pointAVX(t0, t1, h1, b1 float64) float64 {
	h0 := stepOf(t0)
	a := s.args
	a.y, a.wv, a.c0, a.c1 = &s.y[0], &s.wv[0], &s.c0[0], &s.c1[0]
	a.m = len(s.y)
	h2 := float64(t1 * t1)
	l2 := math.FMA(t1, t1, -h2)
	h3, l3 := ddMul(h2, l2, t1, 0)
	bh, bl := ddMul(h2, l2, h2, l2)
	a.th = [4]float64{1, t1, h2, h3}
	a.tl = [4]float64{0, 0, l2, l3}
	a.bh = [4]float64{bh, bh, bh, bh}
	a.bl = [4]float64{bl, bl, bl, bl}
	g2 := float64(b1 * b1)
	k2 := math.FMA(b1, b1, -g2)
	g3, k3 := ddMul(g2, k2, b1, 0)
	ch, cl := ddMul(g2, k2, g2, k2)
	a.qh = [4]float64{1, b1, g2, g3}
	a.ql = [4]float64{0, 0, k2, k3}
	a.ch = [4]float64{ch, ch, ch, ch}
	a.cl = [4]float64{cl, cl, cl, cl}
	a0p := t0 + h0
	a.t0 = [4]float64{t0, t0, t0, t0}
	a.a0p = [4]float64{a0p, a0p, a0p, a0p}
	a.h0 = [4]float64{h0, h0, h0, h0}
	a.h1 = [4]float64{h1, h1, h1, h1}
	a.sf, a.s0, a.s1 = 0, 0, 0
	pointKernel(a)
	smallJ := a.smallJ != 0
	s.tjOK = true
	s.tn0, s.tn1 = normOf(a.s0, smallJ, s.ag2, s.c0), normOf(a.s1, smallJ, s.ag2, s.c1)
	return normOf(a.sf, a.smallF != 0, s.ag2, s.wv)
}

// jacobian is fdjac2 at (x0, x1), whose powers and residuals are in pw and
// fv: it sets
//
//	c0_i = ((x0+h0)·pw_i − y_i − fv_i) / h0        h0 = stepOf(x0)
//	c1_i = (x0·(x1+h1)^i − y_i − fv_i) / h1        h1 = stepOf(x1)
//
// and returns enorm(c0) and enorm(c1). The powers (x1+h1)^i come from a
// chain run block by block as in trial, parked in c1 until their element is
// done.
func (s *expState) jacobian(x0, x1 float64) (n0, n1 float64) {
	h0 := stepOf(x0)
	h1 := stepOf(x1)
	a0p := x0 + h0
	b1 := x1 + h1

	y := s.y
	m := len(y)
	pw, fv, c0, c1 := s.pw[:m], s.fv[:m], s.c0[:m], s.c1[:m]
	s0, s1 := 0.0, 0.0
	small := false
	fast := chainSafe(b1, m)
	if !fast {
		intPowers(c1, b1)
	}
	var h0c, l0c, h1c, l1c, h2c, l2c, h3c, l3c, bh, bl float64
	if fast {
		h2c = float64(b1 * b1)
		l2c = math.FMA(b1, b1, -h2c)
		h3c, l3c = ddMul(h2c, l2c, b1, 0)
		bh, bl = ddMul(h2c, l2c, h2c, l2c)
		h0c, l0c = 1.0, 0.0
		h1c, l1c = b1, 0.0
		c1[0], c1[1], c1[2], c1[3] = h0c, h1c, h2c, h3c
	}
	for i := 0; i < m; i += 4 {
		if j := i + 4; fast && j < m {
			h0c, l0c = ddMul(h0c, l0c, bh, bl)
			h1c, l1c = ddMul(h1c, l1c, bh, bl)
			h2c, l2c = ddMul(h2c, l2c, bh, bl)
			h3c, l3c = ddMul(h3c, l3c, bh, bl)
			storeBlock(c1, j, h0c, h1c, h2c, h3c)
		}
		for k := i; k < min(i+4, m); k++ {
			yk, f := y[k], fv[k]
			d0 := (float64(a0p*pw[k]) - yk - f) / h0
			d1 := (float64(x0*c1[k]) - yk - f) / h1
			c0[k], c1[k] = d0, d1
			q0, q1 := float64(d0*d0), float64(d1*d1)
			if (q0 <= rdwarfSq && d0 != 0) || (q1 <= rdwarfSq && d1 != 0) {
				small = true
			}
			s0 += q0
			s1 += q1
		}
	}
	return normOf(s0, small, s.ag2, c0), normOf(s1, small, s.ag2, c1)
}

// storeBlock sets dst[j..j+3] to v0..v3, as far as dst goes.
func storeBlock(dst []float64, j int, v0, v1, v2, v3 float64) {
	if j+4 <= len(dst) {
		d := dst[j : j+4 : j+4]
		d[0], d[1], d[2], d[3] = v0, v1, v2, v3
		return
	}
	switch len(dst) - j {
	case 3:
		dst[j+2] = v2
		fallthrough
	case 2:
		dst[j+1] = v1
		fallthrough
	case 1:
		dst[j] = v0
	}
}

// qr is qrfac's two Householder steps for the pivot column a (signed norm
// ajnorm) and the other column b, with lmdif's Qᵀfvec: it returns the first
// two elements of Qᵀfvec and the signed norm ajnorm1 of the reflected b[1:]
// (rdiag[1] = -ajnorm1). a and b are overwritten; wv receives Qᵀfvec after
// the first reflection.
func (s *expState) qr(a, b []float64, ajnorm float64) (qtf0, ajnorm1, qtf1 float64) {
	fv, wv := s.fv, s.wv
	switch {
	case ajnorm == 0:
		// a is zero: no reflection, and Qᵀfvec starts as fvec.
		copy(wv, fv)
		qtf0 = wv[0]
		ajnorm1 = enorm(b[1:])
	case useAVX:
		q := qrArgs{a: &a[0], b: &b[0], fv: &fv[0], wv: &wv[0], m: len(a), aj: ajnorm, rdSq: rdwarfSq, ag2: s.ag2b}
		qrKernel(&q)
		switch q.status {
		case 0:
			return q.qtf0, q.aj1, q.qtf1
		case 1:
			ajnorm1 = enorm(b[1:])
		case 2:
			ajnorm1 = q.bnorm
		}
		qtf0 = q.qtf0
	default:
		qtf0, ajnorm1 = householder(a, b, fv, wv, ajnorm, s.ag2b)
	}
	if ajnorm1 != 0 && b[1] < 0 {
		ajnorm1 = -ajnorm1
	}
	return qtf0, ajnorm1, qtSecond(b, wv, ajnorm1)
}

// householder applies qrfac's first step to the pivot column a with signed
// norm ajnorm != 0 and to the other column b, and the first reflection of
// lmdif's Qᵀfvec to fv, written to wv. It returns the first element of
// Qᵀfvec and enorm(b[1:]) of the reflected b (ag2 is fl(agiant²) for
// len(b)-1 components). a receives the Householder vector, b its reflection.
func householder(a, b, fv, wv []float64, ajnorm, ag2 float64) (qtf0, bnorm float64) {
	m := len(a)
	b = b[:m]
	fv = fv[:m]
	wv = wv[:m]
	// a /= ajnorm, a[0] += 1, with the dot products a·b and a·fv.
	a0 := a[0] / ajnorm
	a0 += 1
	a[0] = a0
	sab := 0.0
	saf := 0.0
	sab += float64(a0 * b[0])
	saf += float64(a0 * fv[0])
	for i := 1; i < m; i++ {
		v := a[i] / ajnorm
		a[i] = v
		sab += float64(v * b[i])
		saf += float64(v * fv[i])
	}

	// b -= temp·a, wv = fv + t·a (fv itself if a0 is 0, which it cannot
	// be: a0 >= 1 or NaN), and the norm of b[1:].
	temp := sab / a0
	t := -saf / a0
	s2 := 0.0
	small := false
	b[0] -= float64(temp * a[0])
	if a0 == 0 {
		copy(wv, fv)
	} else {
		wv[0] = fv[0] + float64(a[0]*t)
	}
	for i := 1; i < m; i++ {
		ai := a[i]
		v := b[i] - float64(temp*ai)
		b[i] = v
		if a0 != 0 {
			wv[i] = fv[i] + float64(ai*t)
		}
		sq := float64(v * v)
		if sq <= rdwarfSq && v != 0 {
			small = true
		}
		s2 += sq
	}
	return wv[0], normOf(s2, small, ag2, b[1:])
}

// qtSecond applies the second Householder reflection (column b, signed norm
// ajnorm1 of b[1:], not yet normalised) to element 1 of wv, as lmdif's Qᵀfvec
// loop does, and returns it.
func qtSecond(b, wv []float64, ajnorm1 float64) float64 {
	m := len(b)
	wv = wv[:m]
	if ajnorm1 == 0 {
		if b[1] == 0 {
			return wv[1]
		}
		sum := 0.0
		for i := 1; i < m; i++ {
			sum += float64(b[i] * wv[i])
		}
		t := -sum / b[1]
		return wv[1] + float64(b[1]*t)
	}
	b1 := b[1] / ajnorm1
	b1 += 1
	if b1 == 0 {
		return wv[1]
	}
	sum := 0.0
	sum += float64(b1 * wv[1])
	for i := 2; i < m; i++ {
		sum += float64((b[i] / ajnorm1) * wv[i])
	}
	t := -sum / b1
	return wv[1] + float64(b1*t)
}
