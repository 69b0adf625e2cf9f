package search

// Restrict returns the plan with only the parameters keep accepts, in the
// same phases and order; a phase left with no parameter is dropped. The
// phased plan restricted to the bull and bear specialists' parameters is
// the bull × bear block of its joint space: its Space is that block, and
// NewPhased on it is the phased sweep confined to the block.
func (p Plan) Restrict(keep func(name string) bool) Plan {
	var out Plan
	for _, ph := range p.Phases {
		q := Phase{Name: ph.Name, Mode: ph.Mode}
		for _, prm := range ph.Params {
			if keep(prm.Name) {
				q.Params = append(q.Params, prm)
			}
		}
		if len(q.Params) > 0 {
			out.Phases = append(out.Phases, q)
		}
	}
	return out
}
