package search

import (
	"fmt"
	"math"

	"gem/space"
)

// PhaseResult is a phase's winner.
type PhaseResult struct {
	Phase  string
	Winner space.Assignment // the baseline when every candidate was rejected
	Score  float64          // −Inf when every candidate was rejected
	Tried  int
}

// Phased runs a Plan as a Method: each phase's candidates around the current
// baseline (a grid, or the baseline and each parameter varied alone), the
// best finite score (the first among equals) becoming the baseline of the
// next phase; a phase whose every candidate is rejected keeps the baseline.
// Its assignments are in the base's full space, streamed phase by phase, so
// memory does not grow with a phase's size. OnPhase and OnResult, when set,
// are called as each phase starts (with its size, an upper bound for a
// one-at-a-time phase) and ends.
type Phased struct {
	OnPhase  func(name string, size int)
	OnResult func(PhaseResult)

	phases  []phase
	base    space.Assignment // the current baseline
	k       int              // current phase
	cur     *cursor          // its candidates not yet asked; nil between phases
	batch   []space.Assignment
	tried   int
	best    space.Assignment
	score   float64
	results []PhaseResult
}

// NewPhased checks plan against base's space and returns the method.
func NewPhased(plan Plan, base space.Assignment) (*Phased, error) {
	phases, err := plan.check(base.Space())
	if err != nil {
		return nil, err
	}
	if _, err := plan.Size(base); err != nil {
		return nil, err
	}
	return &Phased{phases: phases, base: base, k: -1}, nil
}

// Results lists the winners of the phases finished so far.
func (m *Phased) Results() []PhaseResult { return m.results }

// Best is the baseline after the phases finished so far: the plan's winner
// once it is done.
func (m *Phased) Best() space.Assignment { return m.base }

// Ask implements Method.
func (m *Phased) Ask(n int) ([]space.Assignment, error) {
	if len(m.batch) > 0 {
		return nil, fmt.Errorf("search: Ask before the last batch was told")
	}
	if m.cur == nil {
		if m.k+1 >= len(m.phases) {
			return nil, nil
		}
		m.k++
		m.cur = newCursor(&m.phases[m.k], m.base)
		m.tried, m.score = 0, math.Inf(-1)
		if m.OnPhase != nil {
			m.OnPhase(m.phases[m.k].name, m.phases[m.k].size())
		}
	}
	for len(m.batch) < n {
		a, ok := m.cur.next()
		if !ok {
			break
		}
		m.batch = append(m.batch, a)
	}
	return m.batch, nil
}

// Tell implements Method.
func (m *Phased) Tell(scores []float64) error {
	if len(scores) != len(m.batch) {
		return fmt.Errorf("search: told %d scores for a batch of %d", len(scores), len(m.batch))
	}
	for i, s := range scores {
		if !math.IsNaN(s) && s > m.score { // the first among equals wins; −Inf never does
			m.best, m.score = m.batch[i], s
		}
	}
	m.tried += len(scores)
	m.batch = m.batch[:0:0]
	if !m.cur.exhausted() {
		return nil
	}
	m.cur = nil
	res := PhaseResult{Phase: m.phases[m.k].name, Winner: m.base, Score: math.Inf(-1), Tried: m.tried}
	if m.best.Space() != nil {
		m.base = m.best
		res.Winner, res.Score = m.best, m.score
	}
	m.best = space.Assignment{}
	m.results = append(m.results, res)
	if m.OnResult != nil {
		m.OnResult(res)
	}
	return nil
}

// Each calls fn with every configuration of every phase of the plan around
// base, in order, as a dry run lists them: phases after the first around
// base too (when run, they start from the earlier winners). It streams, so
// a plan of millions of configurations needs no memory for them; fn returns
// false to stop.
func (p Plan) Each(base space.Assignment, fn func(ph PhaseInfo, a space.Assignment) bool) error {
	if _, err := p.Size(base); err != nil {
		return err
	}
	phases, _ := p.check(base.Space())
	for i := range phases {
		q := &phases[i]
		info := PhaseInfo{Name: q.name, Grid: q.grid, Size: q.size()}
		for _, j := range q.params {
			info.Params = append(info.Params, base.Space().Param(j).Name)
		}
		c := newCursor(q, base)
		for a, ok := c.next(); ok; a, ok = c.next() {
			if !fn(info, a) {
				return nil
			}
		}
	}
	return nil
}

// PhaseInfo describes a checked phase for Each.
type PhaseInfo struct {
	Name   string
	Grid   bool     // a grid; otherwise one at a time
	Size   int      // its configurations (an upper bound one at a time)
	Params []string // the parameters it varies, in the plan's order
}

// cursor walks a phase's candidates around a baseline: for a grid, every
// combination (the last parameter fastest); otherwise the baseline, then
// each parameter's values other than the baseline's.
type cursor struct {
	q      *phase
	base   space.Assignment
	idx    []int // grid: the odometer; one at a time: [parameter, value]
	begun  bool
	done   bool
	ahead  space.Assignment // a candidate exhausted() looked ahead to
	peeked bool
}

// exhausted reports whether next has no more candidates.
func (c *cursor) exhausted() bool {
	if !c.peeked {
		c.ahead, c.peeked = c.step(), true
	}
	return c.ahead.Space() == nil
}

// next returns the next candidate, or false after the last.
func (c *cursor) next() (space.Assignment, bool) {
	if c.peeked {
		c.peeked = false
		return c.ahead, c.ahead.Space() != nil
	}
	a := c.step()
	return a, a.Space() != nil
}

func newCursor(q *phase, base space.Assignment) *cursor {
	c := &cursor{q: q, base: base, idx: make([]int, max(2, len(q.params)))}
	return c
}

func (c *cursor) set(a space.Assignment, i int, v space.Value) space.Assignment {
	b, err := a.With(i, v)
	if err != nil {
		panic("search: a checked plan value is invalid: " + err.Error())
	}
	return b
}

// step computes the next candidate; its space is nil after the last.
func (c *cursor) step() space.Assignment {
	if c.done {
		return space.Assignment{}
	}
	q := c.q
	if !q.grid {
		if !c.begun {
			c.begun = true
			return c.base
		}
		for j := c.idx[0]; j < len(q.params); j, c.idx[1] = j+1, 0 {
			c.idx[0] = j
			i := q.params[j]
			par := c.base.Space().Param(i)
			for ; c.idx[1] < len(q.values[j]); c.idx[1]++ {
				if v := q.values[j][c.idx[1]]; !par.Equal(v, c.base.Value(i)) {
					c.idx[1]++
					return c.set(c.base, i, v)
				}
			}
		}
		c.done = true
		return space.Assignment{}
	}
	if c.begun {
		// Advance the odometer, last parameter fastest.
		j := len(q.params) - 1
		for ; j >= 0; j-- {
			if c.idx[j]++; c.idx[j] < len(q.values[j]) {
				break
			}
			c.idx[j] = 0
		}
		if j < 0 {
			c.done = true
			return space.Assignment{}
		}
	}
	c.begun = true
	a := c.base
	for j, i := range q.params {
		a = c.set(a, i, q.values[j][c.idx[j]])
	}
	return a
}
