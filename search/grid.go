package search

import (
	"fmt"

	"gem/space"
)

// maxGridLevels bounds the values of one parameter of a grid.
const maxGridLevels = 1 << 20

// Grid proposes every combination of its space's parameters' Levels, the last
// parameter varying fastest, streamed without holding the grid in memory.
type Grid struct {
	q   phase
	cur *cursor
	batch
}

// NewGrid returns the grid over s, whose parameters must all be discrete.
// A grid of more than MaxConfigurations is refused with its count.
func NewGrid(s *space.Space) (*Grid, error) {
	g := &Grid{q: phase{grid: true}}
	for i := range s.Len() {
		p := s.Param(i)
		n := p.Levels()
		if n == 0 || n > maxGridLevels {
			return nil, fmt.Errorf("grid: parameter %s has no finite list of values (give it values, as a plan does)", p.Name)
		}
		vals := make([]space.Value, n)
		for k := range vals {
			vals[k] = p.Level(k)
		}
		g.q.params = append(g.q.params, i)
		g.q.values = append(g.q.values, vals)
	}
	if n := g.q.size(); n > MaxConfigurations {
		return nil, fmt.Errorf("grid: %s configurations; at most %d can run", countText(n), MaxConfigurations)
	}
	g.cur = newCursor(&g.q, s.Defaults())
	return g, nil
}

// Size is the number of configurations of the grid.
func (g *Grid) Size() int { return g.q.size() }

// Ask implements Method.
func (g *Grid) Ask(n int) ([]space.Assignment, error) {
	if err := g.asking(); err != nil {
		return nil, err
	}
	var out []space.Assignment
	for len(out) < n {
		a, ok := g.cur.next()
		if !ok {
			break
		}
		out = append(out, a)
	}
	g.pending = len(out)
	return out, nil
}
