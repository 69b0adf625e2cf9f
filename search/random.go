package search

import (
	"math"
	"math/rand/v2"

	"gem/space"
)

// Random draws distinct assignments of its space uniformly at random: each
// discrete parameter one of its Levels, each continuous one FromUnit of a
// uniform draw. The draws depend on the seed alone (PCG), so a search is
// repeatable; a finite space smaller than the budget is exhausted without
// repeats, and then Random proposes nothing more.
type Random struct {
	s    *space.Space
	rng  *rand.Rand
	seen map[string]bool
	size int // distinct assignments of a finite space; MaxInt when infinite
	batch
}

// NewRandom returns random search of s seeded by seed. Every parameter of s
// must be searchable.
func NewRandom(s *space.Space, seed uint64) *Random {
	size := 1
	for i := range s.Len() {
		p := s.Param(i)
		if !p.Searchable() {
			panic("search: parameter " + p.Name + " is not searchable")
		}
		if n := p.Levels(); n > 0 {
			size = mulSat(size, n)
		} else {
			size = math.MaxInt
		}
	}
	return &Random{s: s, rng: rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)), seen: map[string]bool{}, size: size}
}

// Ask implements Method.
func (m *Random) Ask(n int) ([]space.Assignment, error) {
	if err := m.asking(); err != nil {
		return nil, err
	}
	var out []space.Assignment
	for tries := 0; len(out) < n && len(m.seen) < m.size && tries < 100*n+100; tries++ {
		a := m.draw()
		if key := a.String(); !m.seen[key] {
			m.seen[key] = true
			out = append(out, a)
		}
	}
	m.pending = len(out)
	return out, nil
}

// draw returns one assignment drawn uniformly.
func (m *Random) draw() space.Assignment {
	a := m.s.Defaults()
	for i := range m.s.Len() {
		p := m.s.Param(i)
		var v space.Value
		if n := p.Levels(); n > 0 {
			v = p.Level(m.rng.IntN(n))
		} else {
			v = p.FromUnit(m.rng.Float64())
		}
		var err error
		if a, err = a.With(i, v); err != nil {
			panic("search: a drawn value is invalid: " + err.Error())
		}
	}
	return a
}
