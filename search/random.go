package search

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"gem/strategy"
)

// Space is the joint search space of a plan: every parameter any phase
// varies, with the union of its values, in order of first appearance.
func (p Plan) Space() []Param {
	var space []Param
	index := map[string]int{}
	for _, ph := range p.Phases {
		for _, prm := range ph.Params {
			i, ok := index[prm.Name]
			if !ok {
				i = len(space)
				index[prm.Name] = i
				space = append(space, Param{Name: prm.Name})
			}
			for _, v := range prm.Values {
				if !containsValue(space[i].Values, v) {
					space[i].Values = append(space[i].Values, v)
				}
			}
		}
	}
	return space
}

func containsValue(vs []any, v any) bool {
	for _, w := range vs {
		if fmt.Sprint(w) == fmt.Sprint(v) {
			return true
		}
	}
	return false
}

// Random draws up to budget distinct configurations around base, each
// parameter of space set to one of its values uniformly at random. The
// draws are a function of seed alone (PCG), so a search is repeatable; it
// stops early when the space has fewer distinct configurations than budget.
func Random(space []Param, base strategy.Config, budget int, seed uint64) ([]Candidate, error) {
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	size := 1
	for _, prm := range space {
		if len(prm.Values) == 0 {
			return nil, fmt.Errorf("search: parameter %s has no values", prm.Name)
		}
		size = min(size*len(prm.Values), 1<<30)
	}
	seen := map[string]bool{}
	var out []Candidate
	for tries := 0; len(out) < min(budget, size) && tries < 100*budget; tries++ {
		c := base.Clone()
		labels := make([]string, len(space))
		for i, prm := range space {
			v := fmt.Sprint(prm.Values[rng.IntN(len(prm.Values))])
			if err := strategy.SetParam(c.Params(), prm.Name, v); err != nil {
				return nil, err
			}
			labels[i] = prm.Name + "=" + v
		}
		label := strings.Join(labels, " ")
		if seen[label] {
			continue
		}
		seen[label] = true
		if err := c.Validate(); err != nil {
			return nil, fmt.Errorf("search: %s: %w", label, err)
		}
		out = append(out, Candidate{Config: c, Label: label})
	}
	return out, nil
}
