package trial

import (
	"context"
	"fmt"

	"gem/harness"
	"gem/search"
	"gem/space"
)

// Search drives a search method through a pool: each proposal, overlaid on
// Base by name, becomes a trial of Strategy with fill mode Fill. OnTrial,
// when set, sees every trial in slot order. Best is the best trial so far
// (the first among equals).
type Search struct {
	Pool     *Pool
	Strategy string
	Fill     harness.FillMode
	Base     space.Assignment // a full assignment of the strategy's space
	Window   Window
	OnTrial  func(s Spec, r *Result)

	Best     *Result
	BestSpec Spec
	Count    int // trials reported
	Resumed  int // of which taken from the ledger
}

// Run drives m under budget evaluations (0: none) in batches of at most
// batch proposals.
func (s *Search) Run(ctx context.Context, m search.Method, budget, batch int) error {
	_, err := search.Drive(ctx, m, budget, batch, s.evaluate)
	return err
}

// evaluate runs one batch of proposals and returns their scores.
func (s *Search) evaluate(ctx context.Context, batch []space.Assignment) ([]float64, error) {
	specs := make([]Spec, len(batch))
	for i, a := range batch {
		full, err := s.Base.Overlay(a)
		if err != nil {
			return nil, err
		}
		specs[i] = Spec{Strategy: s.Strategy, Fill: s.Fill, Params: full, Window: s.Window}
		if _, err := specs[i].Config(); err != nil {
			return nil, fmt.Errorf("%s: %w", full.Changes(), err)
		}
	}
	scores := make([]float64, len(batch))
	err := s.Pool.Run(ctx, specs, func(i int, r *Result) {
		scores[i] = r.Score()
		s.Count++
		if r.Resumed {
			s.Resumed++
		}
		if s.OnTrial != nil {
			s.OnTrial(specs[i], r)
		}
		if s.Best == nil || r.Score() > s.Best.Score() {
			s.Best, s.BestSpec = r, specs[i]
		}
	})
	return scores, err
}
