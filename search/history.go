package search

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"gem/space"
)

// history is the bookkeeping every learned method shares: the unit encoding
// of its space, the batch it is waiting to be told, and every trial told so
// far with its score. It also keeps the methods' proposals distinct: an
// assignment once proposed is never proposed again.
//
// The unit encoding gives each parameter one coordinate in [0, 1]
// (space.Param's FromUnit and ToUnit): a continuous range linearly (a
// LogFloat on the log scale), a discrete domain of n levels as n equal bins
// whose centres (k+0.5)/n stand for the levels. A parameter a search may not
// vary (space.Param.Searchable false) stays at its default; one whose domain
// has a single level takes it.
type history struct {
	s     *space.Space
	dims  []dim
	size  float64         // distinct assignments, +Inf when a coordinate is continuous
	seen  map[string]bool // every assignment proposed, by its key
	wait  []record        // the batch asked and not yet told
	told  []record        // in the order told
	base  space.Assignment
	bestI int // index in told of the best finite score, -1 when none
}

// record is one proposal: its assignment, its unit coordinates (bin centres
// for discrete parameters), its key and, once told, its score.
type record struct {
	a     space.Assignment
	u     []float64
	key   string
	score float64
}

// point is a candidate: the values unit coordinates map to, the
// coordinates of those values (bin centres for discrete levels), and the
// key that tells assignments apart. Methods weigh many points and make an
// Assignment only of the one they propose.
type point struct {
	v   []space.Value
	u   []float64
	key string
}

// dim describes one coordinate of the unit encoding.
type dim struct {
	levels  int  // discrete levels, 0 for a continuous range
	nominal bool // unordered levels: a Categorical or a Bool
	fixed   bool // not searched: stays at the default
	wide    bool // an Int range too wide to enumerate, searched as a rounded continuum
}

func newHistory(s *space.Space) *history {
	if s.Len() == 0 {
		panic("search: a method needs a space with at least one parameter")
	}
	h := &history{s: s, dims: make([]dim, s.Len()), size: 1, seen: map[string]bool{}, base: s.Defaults(), bestI: -1}
	for i := range h.dims {
		p := s.Param(i)
		d := dim{levels: p.Levels(), nominal: p.Kind == space.Categorical || p.Kind == space.Bool, fixed: !p.Searchable()}
		switch {
		case d.fixed || d.levels == 1:
			d.fixed, d.levels = true, 1
		case d.levels == 0 && p.Kind == space.Int:
			d.wide = true
		}
		h.dims[i] = d
		if d.levels == 0 {
			h.size = math.Inf(1)
		} else {
			h.size *= float64(d.levels)
		}
	}
	return h
}

// fromUnit is the value of parameter i at unit coordinate u.
func (h *history) fromUnit(i int, u float64) space.Value {
	p := h.s.Param(i)
	switch d := h.dims[i]; {
	case d.fixed && p.Searchable():
		return p.Level(0) // a domain of one level
	case d.fixed:
		return p.Default
	case d.wide:
		u = min(max(u, 0), 1)
		f := math.Round(float64(p.Lo.I) + u*(float64(p.Hi.I)-float64(p.Lo.I)))
		return space.IntValue(min(max(int64(f), p.Lo.I), p.Hi.I))
	}
	return p.FromUnit(u)
}

// toUnit is the unit coordinate of value v of parameter i.
func (h *history) toUnit(i int, v space.Value) float64 {
	p := h.s.Param(i)
	switch d := h.dims[i]; {
	case d.fixed:
		return 0.5
	case d.wide:
		return min(max((float64(v.I)-float64(p.Lo.I))/(float64(p.Hi.I)-float64(p.Lo.I)), 0), 1)
	}
	return p.ToUnit(v)
}

// decode maps unit coordinates onto the point of the values they take.
func (h *history) decode(u []float64) point {
	p := point{v: make([]space.Value, len(u)), u: make([]float64, len(u))}
	for i, x := range u {
		p.v[i] = h.fromUnit(i, x)
		p.u[i] = h.toUnit(i, p.v[i])
	}
	p.key = h.key(p.v)
	return p
}

// key tells assignments apart: their values' text, NUL-separated.
func (h *history) key(vs []space.Value) string {
	var b strings.Builder
	for i, v := range vs {
		if i > 0 {
			b.WriteByte(0)
		}
		b.WriteString(h.s.Param(i).Format(v))
	}
	return b.String()
}

// encode is the unit coordinates of an assignment of h's space.
func (h *history) encode(a space.Assignment) []float64 {
	u := make([]float64, len(h.dims))
	for i := range u {
		u[i] = h.toUnit(i, a.Value(i))
	}
	return u
}

// fresh reports whether p's assignment has not been proposed yet.
func (h *history) fresh(p point) bool { return !h.seen[p.key] }

// exhausted reports whether every assignment of a finite space was proposed.
func (h *history) exhausted() bool { return float64(len(h.seen)) >= h.size }

// propose adds p's assignment (not proposed before) to the batch being
// asked.
func (h *history) propose(p point) {
	if h.seen[p.key] {
		panic("search: proposed " + p.key + " twice")
	}
	h.seen[p.key] = true
	a := h.base
	for i, v := range p.v {
		if h.s.Param(i).Equal(v, a.Value(i)) {
			continue
		}
		b, err := a.With(i, v)
		if err != nil {
			panic("search: unit encoding left the domain: " + err.Error())
		}
		a = b
	}
	h.wait = append(h.wait, record{a: a, u: p.u, key: p.key})
}

// ask starts a batch; it panics if the last one was not told.
func (h *history) ask(n int) {
	if n < 1 {
		panic(fmt.Sprintf("search: Ask(%d), want n ≥ 1", n))
	}
	if len(h.wait) > 0 {
		panic("search: Ask before the last batch was told")
	}
}

// batch returns the assignments of the batch being asked.
func (h *history) batch() []space.Assignment {
	out := make([]space.Assignment, len(h.wait))
	for i, t := range h.wait {
		out[i] = t.a
	}
	return out
}

// tell records the scores of the waiting batch and returns its trials. A
// score must be finite or −Inf (a rejected trial).
func (h *history) tell(scores []float64) ([]record, error) {
	if len(scores) != len(h.wait) {
		return nil, fmt.Errorf("search: told %d scores for a batch of %d", len(scores), len(h.wait))
	}
	for i, y := range scores {
		if math.IsNaN(y) || math.IsInf(y, 1) {
			return nil, fmt.Errorf("search: score %d of the batch is %v, want a finite number or -Inf", i, y)
		}
	}
	start := len(h.told)
	for i, y := range scores {
		h.record(h.wait[i], y)
	}
	h.wait = h.wait[:0]
	return h.told[start:], nil
}

// record appends a told trial.
func (h *history) record(t record, score float64) {
	t.score = score
	h.told = append(h.told, t)
	if !math.IsInf(score, -1) && (h.bestI < 0 || score > h.told[h.bestI].score) {
		h.bestI = len(h.told) - 1
	}
}

// warm records trials evaluated elsewhere (a ledger being resumed) as if
// they had been proposed and told, and returns those it did not know yet
// (a repeat of a known assignment is skipped). Assignments must belong to
// h's space; values outside a parameter's search domain are modelled at its
// nearest end.
func (h *history) warm(as []space.Assignment, scores []float64) ([]record, error) {
	if len(h.wait) > 0 {
		return nil, fmt.Errorf("search: warm start while a batch of %d is waiting to be told", len(h.wait))
	}
	if len(as) != len(scores) {
		return nil, fmt.Errorf("search: warm start with %d assignments and %d scores", len(as), len(scores))
	}
	for i, a := range as {
		if a.Space() != h.s {
			return nil, fmt.Errorf("search: warm-start assignment %d belongs to another space", i)
		}
		if y := scores[i]; math.IsNaN(y) || math.IsInf(y, 1) {
			return nil, fmt.Errorf("search: warm-start score %d is %v, want a finite number or -Inf", i, y)
		}
	}
	start := len(h.told)
	for i, a := range as {
		vs := make([]space.Value, h.s.Len())
		for j := range vs {
			vs[j] = a.Value(j)
		}
		k := h.key(vs)
		if h.seen[k] {
			continue
		}
		h.seen[k] = true
		h.record(record{a: a, u: h.encode(a), key: k}, scores[i])
	}
	return h.told[start:], nil
}

// best returns the trial with the highest finite score, or false.
func (h *history) best() (record, bool) {
	if h.bestI < 0 {
		return record{}, false
	}
	return h.told[h.bestI], true
}

// maxEnumerate bounds the finite spaces randomUnseen enumerates once random
// draws stop finding new assignments.
const maxEnumerate = 1 << 22

// randomUnseen returns a uniformly drawn point not proposed before,
// or false when none is left (or, in a space too big to enumerate, none
// was found in many draws).
func (h *history) randomUnseen(rng *rand.Rand) (point, bool) {
	u := make([]float64, len(h.dims))
	for range 64 {
		for i := range u {
			u[i] = rng.Float64()
		}
		if p := h.decode(u); h.fresh(p) {
			return p, true
		}
	}
	if h.exhausted() || h.size > maxEnumerate {
		return point{}, false
	}
	// Walk the mixed-radix index of every assignment from a random start.
	total := int(h.size)
	start := rng.IntN(total)
	for k := range total {
		idx := (start + k) % total
		for i := len(h.dims) - 1; i >= 0; i-- {
			n := h.dims[i].levels
			u[i] = (float64(idx%n) + 0.5) / float64(n)
			idx /= n
		}
		if p := h.decode(u); h.fresh(p) {
			return p, true
		}
	}
	return point{}, false
}

// rankOrder returns the indices of ys from best (highest) to worst, −Inf
// last, ties in index order.
func rankOrder(ys []float64) []int {
	idx := make([]int, len(ys))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmpDesc(ys[a], ys[b]) })
	return idx
}

// cmpDesc orders a before b when a is larger.
func cmpDesc(a, b float64) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}

// newRand is the PCG stream of a method, a function of its seed and a
// per-method constant so that two methods with one seed draw differently.
func newRand(seed, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, stream))
}
