package search

import (
	"math/bits"
	"math/rand/v2"

	"gem/space"
)

// QMC proposes the points of a scrambled Sobol sequence, mapped onto the
// space through the unit encoding: a space-filling design that covers every
// low-dimensional projection far more evenly than independent draws. The
// learned methods (TPE, CMAES, GP) open with it.
//
// The sequence is I. M. Sobol', "On the distribution of points in a cube and
// the approximate evaluation of integrals", USSR Comput. Math. Math. Phys. 7
// (1967) 86-112, in Gray-code order (Antonov and Saleev 1979), with the
// direction numbers of Joe and Kuo (2008) for the first 256 searched
// parameters (further ones are drawn independently and uniformly). It is
// scrambled by a random linear matrix scramble and a digital shift
// (Matoušek, "On the L2-discrepancy for anchored boxes", J. Complexity 14
// (1998) 527-556), which keep its net structure and make it a
// randomised QMC design, a function of the seed:
//
//	x_{i+1} = x_i XOR V_c,  c = the index of the lowest zero bit of i
//	V_k = m_k 2^(32-k),  m_k = 2a_1 m_{k-1} XOR ... XOR 2^(s-1) a_{s-1} m_{k-s+1} XOR 2^s m_{k-s} XOR m_{k-s}
//
// In a discrete space a point that maps onto an assignment already
// proposed is skipped; once skips dominate, QMC draws the assignments not yet
// proposed at random, and it stops (an empty batch) when none is left.
type QMC struct {
	h   *history
	seq *sobol
	rng *rand.Rand
}

// NewQMC returns a QMC design over s; seed picks its scramble.
func NewQMC(s *space.Space, seed uint64) *QMC {
	h := newHistory(s)
	rng := newRand(seed, 0x51c0)
	return &QMC{h: h, seq: newSobol(h, rng), rng: rng}
}

// Ask returns the next up to n points of the design.
func (q *QMC) Ask(n int) ([]space.Assignment, error) {
	q.h.ask(n)
	for len(q.h.wait) < n {
		p, ok := q.seq.fresh(q.h, q.rng)
		if !ok {
			break
		}
		q.h.propose(p)
	}
	return q.h.batch(), nil
}

// Tell records the scores of the last batch; they do not change the design.
func (q *QMC) Tell(scores []float64) error {
	_, err := q.h.tell(scores)
	return err
}

// sobol is a scrambled Sobol sequence over the searched coordinates of a
// history's space.
type sobol struct {
	coords []int        // the unit coordinates it drives, in order
	v      [][32]uint32 // scrambled direction numbers per coordinate
	x      []uint32     // the current point
	i      uint32       // points drawn
	skips  int          // consecutive points that mapped onto seen assignments
}

// newSobol makes the scrambled sequence for h's searched coordinates; rng
// draws the scramble (and later the coordinates past the table).
func newSobol(h *history, rng *rand.Rand) *sobol {
	q := &sobol{}
	for i, d := range h.dims {
		if !d.fixed {
			q.coords = append(q.coords, i)
		}
	}
	q.v = make([][32]uint32, min(len(q.coords), len(joeKuo)+1))
	q.x = make([]uint32, len(q.v))
	for j := range q.v {
		v := directions(j)
		// Linear matrix scramble: row r of a random lower-triangular
		// binary matrix with unit diagonal, applied to each V_k's bits
		// (most significant first).
		var rows [32]uint32
		for r := range rows {
			diag := uint32(1) << (31 - r)
			rows[r] = diag | (rng.Uint32() &^ (diag<<1 - 1) &^ diag)
		}
		for k := range v {
			var w uint32
			for r := range rows {
				w |= uint32(bits.OnesCount32(rows[r]&v[k])&1) << (31 - r)
			}
			q.v[j][k] = w
		}
		q.x[j] = rng.Uint32() // the digital shift
	}
	return q
}

// directions returns V_1..V_32 of dimension j+1 (j = 0: the first, all
// m_k = 1).
func directions(j int) [32]uint32 {
	var v [32]uint32
	if j == 0 {
		for k := range v {
			v[k] = 1 << (31 - k)
		}
		return v
	}
	jk := joeKuo[j-1]
	s := len(jk.m)
	m := make([]uint32, 32)
	copy(m, jk.m)
	for k := s; k < 32; k++ {
		// m_k from the s previous, the polynomial's inner bits a_1..a_{s-1}.
		w := m[k-s] ^ m[k-s]<<s
		for l := 1; l < s; l++ {
			if jk.poly>>(s-l)&1 == 1 {
				w ^= m[k-l] << l
			}
		}
		m[k] = w
	}
	for k := range v {
		v[k] = m[k] << (31 - k)
	}
	return v
}

// next writes the next point into the searched coordinates of u.
func (q *sobol) next(u []float64, rng *rand.Rand) {
	for j, c := range q.coords {
		if j < len(q.x) {
			u[c] = (float64(q.x[j]) + 0.5) / (1 << 32)
		} else {
			u[c] = rng.Float64()
		}
	}
	c := bits.TrailingZeros32(^q.i)
	for j := range q.x {
		q.x[j] ^= q.v[j][c]
	}
	q.i++
}

// maxSkips is how many consecutive sequence points may map onto assignments
// already proposed before fresh falls back to random unseen ones.
const maxSkips = 256

// fresh returns the next point of the sequence whose assignment was not
// proposed before (after maxSkips misses, a random unseen assignment), or
// false when none is left.
func (q *sobol) fresh(h *history, rng *rand.Rand) (point, bool) {
	if h.exhausted() {
		return point{}, false
	}
	u := make([]float64, len(h.dims))
	for i := range u {
		u[i] = 0.5
	}
	for q.skips < maxSkips {
		q.next(u, rng)
		if p := h.decode(u); h.fresh(p) {
			q.skips = 0
			return p, true
		}
		q.skips++
	}
	return h.randomUnseen(rng)
}

// Warm records trials evaluated before (a ledger being resumed), as if
// they had been proposed and told: the method models them and never
// proposes them again. It must not be called while a batch is waiting.
func (q *QMC) Warm(as []space.Assignment, scores []float64) error {
	_, err := q.h.warm(as, scores)
	return err
}
