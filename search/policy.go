package search

import (
	"math"
	"math/rand/v2"

	"gem/space"
)

// Policy is the seed's sketch of a learned search: from the history of
// (parameters, score) pairs it learns which parameter is worth editing next,
// and edits that one parameter of the incumbent (the best trial so far).
//
// The choice is a multi-armed bandit with one arm per parameter, played by
// Thompson sampling (W. R. Thompson, "On the likelihood that one unknown
// probability exceeds another in view of the evidence of two samples",
// Biometrika 25 (1933) 285-294; O. Chapelle and L. Li, "An empirical
// evaluation of Thompson sampling", NeurIPS 2011): an arm's credit is a
// Beta posterior over the chance that an edit of its parameter improves on
// the incumbent, with counts discounted by Discount at every play so that a
// parameter already tuned loses its credit (a non-stationary bandit):
//
//	θ_p ~ Beta(1 + s_p, 1 + f_p),  edit p* = argmax_p θ_p
//	s_p ← Discount·s_p + [score > incumbent],  f_p ← Discount·f_p + [score ≤ incumbent]
//
// The edit moves p*'s unit coordinate by a Gaussian step whose scale adapts
// per parameter by the 1/5 success rule (I. Rechenberg, "Evolutionsstrategie",
// 1973: ×e^0.8 on success, ×e^−0.2 on failure, so it holds at a 20% success
// rate), at least one level for a discrete parameter; a nominal parameter
// (Categorical, Bool) takes another level at random.
//
// The first proposal is the space's defaults (the configuration a one-at-a-
// time sweep starts from; a default outside its parameter's search domain
// moves to the nearest end, or to the middle level), then Startup QMC points, and QMC points for as
// long as no trial has a finite score. A batch is up to n edits of the same
// incumbent, each arm drawn anew. Edits of one parameter cannot cross a
// valley that two parameters must cross together; TPE, CMAES and GP can.
type Policy struct {
	h     *history
	seq   *sobol
	rng   *rand.Rand
	set   PolicySettings
	free  []int
	arms  []policyArm
	edits []policyEdit // per waiting proposal
}

// PolicySettings configure a Policy. The zero value of a field takes the
// default given with it.
type PolicySettings struct {
	Startup  int     // QMC points after the defaults (0)
	Step     float64 // initial step scale in the unit encoding (0.25)
	Discount float64 // credit kept per play of an arm (0.95)
}

type policyArm struct {
	s, f float64 // discounted successes and failures
	step float64
}

// policyEdit is what a waiting proposal was: an edit of arm (−1: not an
// edit) measured against the incumbent's score.
type policyEdit struct {
	arm  int
	base float64
}

// NewPolicy returns a Policy over s; seed decides every random draw.
func NewPolicy(s *space.Space, seed uint64, set PolicySettings) *Policy {
	if set.Step == 0 {
		set.Step = 0.25
	}
	if set.Discount == 0 {
		set.Discount = 0.95
	}
	if set.Startup < 0 || set.Step < 0 || set.Discount < 0 || set.Discount > 1 {
		panic("search: Policy settings out of range")
	}
	h := newHistory(s)
	rng := newRand(seed, 0x9011)
	p := &Policy{h: h, seq: newSobol(h, rng), rng: rng, set: set}
	for i, d := range h.dims {
		if !d.fixed {
			p.free = append(p.free, i)
			p.arms = append(p.arms, policyArm{step: set.Step})
		}
	}
	return p
}

// Ask returns up to n proposals.
func (p *Policy) Ask(n int) ([]space.Assignment, error) {
	p.h.ask(n)
	p.edits = p.edits[:0]
	for len(p.h.wait) < n && !p.h.exhausted() {
		pt, e, ok := p.next()
		if !ok {
			break
		}
		p.h.propose(pt)
		p.edits = append(p.edits, e)
	}
	return p.h.batch(), nil
}

// next draws one proposal.
func (p *Policy) next() (point, policyEdit, bool) {
	none := policyEdit{arm: -1}
	if len(p.h.told)+len(p.h.wait) == 0 {
		// The defaults, each moved into its search domain.
		if d := p.h.decode(p.h.encode(p.h.s.Defaults())); p.h.fresh(d) {
			return d, none, true
		}
	}
	inc, scored := p.h.best()
	if !scored || len(p.h.told)+len(p.h.wait) < 1+p.set.Startup {
		pt, ok := p.seq.fresh(p.h, p.rng)
		return pt, none, ok
	}
	for range 32 {
		k := p.choose()
		u := p.move(inc.u, k)
		if pt := p.h.decode(u); p.h.fresh(pt) {
			return pt, policyEdit{arm: k, base: inc.score}, true
		}
		// A repeat counts as a failed edit: its parameter looks exhausted
		// around the incumbent.
		p.credit(k, false)
	}
	pt, ok := p.h.randomUnseen(p.rng)
	return pt, none, ok
}

// choose draws θ_p for every arm and returns the largest.
func (p *Policy) choose() int {
	best, bestV := 0, -1.0
	for k, arm := range p.arms {
		x := gammaSample(p.rng, 1+arm.s)
		v := x / (x + gammaSample(p.rng, 1+arm.f))
		if v > bestV {
			best, bestV = k, v
		}
	}
	return best
}

// move edits coordinate k of the incumbent's unit coordinates inc.
func (p *Policy) move(inc []float64, k int) []float64 {
	u := append([]float64(nil), inc...)
	i := p.free[k]
	d := p.h.dims[i]
	step := p.arms[k].step * p.rng.NormFloat64()
	switch {
	case d.nominal:
		// Another level, uniformly.
		cur := int(u[i] * float64(d.levels))
		l := p.rng.IntN(d.levels - 1)
		if l >= cur {
			l++
		}
		u[i] = (float64(l) + 0.5) / float64(d.levels)
	case d.levels > 0:
		// At least one level, in the step's direction.
		w := 1 / float64(d.levels)
		if math.Abs(step) < w {
			step = math.Copysign(w, step)
		}
		u[i] = mirror(u[i] + step)
	default:
		u[i] = mirror(u[i] + step)
	}
	return u
}

// credit updates arm k after an edit that did or did not improve.
func (p *Policy) credit(k int, improved bool) {
	arm := &p.arms[k]
	arm.s *= p.set.Discount
	arm.f *= p.set.Discount
	if improved {
		arm.s++
		arm.step = min(arm.step*math.Exp(0.8), 0.5)
	} else {
		arm.f++
		arm.step = max(arm.step*math.Exp(-0.2), 1e-6)
	}
}

// Tell records the scores of the last batch and credits the edits.
func (p *Policy) Tell(scores []float64) error {
	told, err := p.h.tell(scores)
	if err != nil {
		return err
	}
	for j, t := range told {
		if e := p.edits[j]; e.arm >= 0 {
			p.credit(e.arm, t.score > e.base)
		}
	}
	p.edits = p.edits[:0]
	return nil
}

// gammaSample draws from Gamma(shape, 1), shape ≥ 1, by G. Marsaglia and
// W. W. Tsang, "A simple method for generating gamma variables", ACM TOMS 26
// (2000) 363-372.
func gammaSample(rng *rand.Rand, shape float64) float64 {
	d := shape - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := rng.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		if math.Log(rng.Float64()) < 0.5*x*x+d-d*v+d*math.Log(v) {
			return d * v
		}
	}
}

// Warm records trials evaluated before (a ledger being resumed), as if
// they had been proposed and told: the method models them and never
// proposes them again. It must not be called while a batch is waiting.
func (p *Policy) Warm(as []space.Assignment, scores []float64) error {
	_, err := p.h.warm(as, scores)
	return err
}
