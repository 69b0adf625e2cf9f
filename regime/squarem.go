package regime

import "math"

// iterate runs EM on ru until it converges, fails or has taken limit
// iterations (M-steps) in total. Reaching limit < s.MaxIter pauses ru (it
// stays running and can be resumed); reaching s.MaxIter is a failure.
//
// Convergence is declared when one EM step, from θ to M(θ), increases the
// log-likelihood by less than s.Tol·max(1, |ℓ(θ)|); with acceleration, when
// one SQUAREM cycle does, which is a stricter test because a cycle gains at
// least as much as its first EM step.
//
// With s.Accelerate, iterations are grouped in cycles of the SQUAREM scheme
// S3 of Varadhan & Roland (2008), "Simple and globally convergent methods for
// accelerating the convergence of any EM algorithm", Scand. J. Statist. 35:
// from θ0, with M the EM map,
//
//	θ1 = M(θ0),  θ2 = M(θ1),  r = θ1 - θ0,  v = θ2 - 2θ1 + θ0
//	α  = min(-1, -‖r‖/‖v‖)
//	θ' = θ0 - 2α r + α² v
//	θ0 ← M(θ')            if ℓ(θ') ≥ ℓ(θ1), else θ0 ← θ2,
//
// on the parameters θ = (Trans, Mean, log Var, log DF) (see pack; Init is
// taken from θ2). α = -1 gives θ' = θ2; the step is halved towards it while
// a transition probability would become non-positive, and the fallback
// keeps the log-likelihood non-decreasing from cycle to cycle.
// A cycle needs three iterations; with fewer left before limit, plain EM
// steps are taken.
func (w *workspace) iterate(ru *run, obs []float64, centre, floor float64, s FitSettings, limit int) {
	tol := func(prev, ll float64) bool { return ll-prev < s.Tol*math.Max(1, math.Abs(prev)) }
	for {
		ll := w.estep(ru.m, obs, centre)
		if math.IsNaN(ll) || math.IsInf(ll, 0) {
			ru.st = failNonFinite
			return
		}
		if ru.paused {
			// The statistics of ru.m were overwritten by other starts;
			// ll repeats the log-likelihood already checked.
			ru.paused = false
		} else {
			ru.prevLL, ru.ll = ru.ll, ll
			if ru.iter > 0 && tol(ru.prevLL, ll) {
				ru.st = converged
				return
			}
			if ru.iter >= limit {
				if limit >= s.MaxIter {
					ru.st = failNotConverged
				} else {
					ru.paused = true
				}
				return
			}
		}
		if !s.Accelerate || limit-ru.iter < 3 {
			if !w.mstep(ru.m, centre, floor) {
				ru.st = failCollapsed
				return
			}
			ru.iter++
			continue
		}

		// SQUAREM cycle from θ0 = ru.m, whose statistics are current.
		w.sq.reset(ru.m)
		p0, p1, p2 := w.sq.p0, w.sq.p1, w.sq.p2
		pack(p0, ru.m)
		if !w.mstep(ru.m, centre, floor) {
			ru.st = failCollapsed
			return
		}
		ru.iter++
		ll1 := w.estep(ru.m, obs, centre)
		if math.IsNaN(ll1) || math.IsInf(ll1, 0) {
			ru.st = failNonFinite
			return
		}
		pack(p1, ru.m)
		if !w.mstep(ru.m, centre, floor) {
			ru.st = failCollapsed
			return
		}
		ru.iter++
		pack(p2, ru.m)
		var rr, vv float64
		for i := range p0 {
			r := p1[i] - p0[i]
			v := p2[i] - 2*p1[i] + p0[i]
			rr += r * r
			vv += v * v
		}
		alpha := -math.Sqrt(rr / vv)
		if !(alpha < -1) || math.IsInf(alpha, 0) {
			continue // θ' = θ2 = ru.m
		}
		w.sq.m2.copyFrom(ru.m)
		// Halve the step towards α = -1 (θ' = θ2) until every transition
		// probability stays positive: EM cannot leave an exact zero.
		px := w.sq.px
		for {
			feasible := true
			for i := range p0 {
				r := p1[i] - p0[i]
				v := p2[i] - 2*p1[i] + p0[i]
				px[i] = p0[i] - 2*alpha*r + alpha*alpha*v
				if i < ru.m.K*ru.m.K && !(px[i] > 0) && p2[i] > 0 {
					feasible = false
				}
			}
			if feasible {
				break
			}
			alpha = (alpha - 1) / 2
			if alpha > -1.01 {
				copy(px, p2)
				break
			}
		}
		unpack(ru.m, px)
		llx := w.estep(ru.m, obs, centre)
		if !(llx >= ll1) || math.IsInf(llx, 0) || !w.mstep(ru.m, centre, floor) {
			ru.m.copyFrom(w.sq.m2) // reject the extrapolation: θ0 = θ2
			continue
		}
		ru.iter++
	}
}

// squarem holds the parameter vectors of a SQUAREM cycle.
type squarem struct {
	p0, p1, p2 []float64
	px         []float64
	m2         *Model
}

func (sq *squarem) reset(m *Model) {
	n := packLen(m)
	sq.p0, sq.p1, sq.p2 = grow(sq.p0, n), grow(sq.p1, n), grow(sq.p2, n)
	sq.px = grow(sq.px, n)
	if sq.m2 == nil || sq.m2.K != m.K || sq.m2.Emission != m.Emission {
		sq.m2 = newModel(m.K, m.Emission)
	}
}

func packLen(m *Model) int { return m.K*m.K + 2*m.K + len(m.DF) }

// pack stores the free parameters of m except Init in the form extrapolated
// by SQUAREM: Trans[i][j] row-major, then Mean[k] and log Var[k] for each
// state, then log DF[k].
func pack(dst []float64, m *Model) {
	i := 0
	for _, row := range m.Trans {
		for _, p := range row {
			dst[i] = p
			i++
		}
	}
	for k := range m.Mean {
		dst[i] = m.Mean[k]
		dst[i+1] = math.Log(m.Var[k])
		i += 2
	}
	for _, v := range m.DF {
		dst[i] = math.Log(v)
		i++
	}
}

// unpack is the inverse of pack; rows of Trans are renormalised and DF is
// clamped to [dfMin, dfMax].
func unpack(m *Model, src []float64) {
	i := 0
	for _, row := range m.Trans {
		var s float64
		for j := range row {
			row[j] = math.Max(0, src[i+j]) // negative only by rounding
			s += row[j]
		}
		for j := range row {
			row[j] /= s
		}
		i += len(row)
	}
	for k := range m.Mean {
		m.Mean[k] = src[i]
		m.Var[k] = math.Exp(src[i+1])
		i += 2
	}
	for k := range m.DF {
		m.DF[k] = math.Min(dfMax, math.Max(dfMin, math.Exp(src[i])))
		i++
	}
}
