package trial

import (
	"context"
	"fmt"

	"gem/harness"
	"gem/search"
	"gem/space"
)

// Search drives a search method through a pool: each proposal, overlaid on
// Base by name, becomes a trial of Strategy with fill mode Fill on Window,
// or with Seeds > 0 that many trials under consecutive regime-model seeds
// (SeedSpecs), the method being told their median score. OnTrial, when set,
// sees every trial in slot order; OnSeeds, with Seeds > 0, each proposal's
// spread once its seeds are in. Best is the best proposal so far (the first
// among equals): its first trial, its spec and its score (the median with
// Seeds > 0).
type Search struct {
	Pool     *Pool
	Strategy string
	Fill     harness.FillMode
	Base     space.Assignment // a full assignment of the strategy's space
	Window   Window
	Seeds    int
	OnTrial  func(s Spec, r *Result)
	OnSeeds  func(s Spec, sp Spread)

	Best      *Result
	BestSpec  Spec
	BestScore float64
	Count     int // proposals reported
	Resumed   int // trials taken from the ledger
}

// Run drives m under budget evaluations (0: none) in batches of at most
// batch proposals.
func (s *Search) Run(ctx context.Context, m search.Method, budget, batch int) error {
	_, err := search.Drive(ctx, m, budget, batch, s.evaluate)
	return err
}

// evaluate runs one batch of proposals and returns their scores.
func (s *Search) evaluate(ctx context.Context, batch []space.Assignment) ([]float64, error) {
	k := max(1, s.Seeds)
	specs := make([]Spec, 0, k*len(batch))
	for _, a := range batch {
		full, err := s.Base.Overlay(a)
		if err != nil {
			return nil, err
		}
		spec := Spec{Strategy: s.Strategy, Fill: s.Fill, Params: full, Window: s.Window}
		if _, err := spec.Config(); err != nil {
			return nil, fmt.Errorf("%s: %w", full.Changes(), err)
		}
		if s.Seeds == 0 {
			specs = append(specs, spec)
			continue
		}
		seeded, err := SeedSpecs(spec, s.Seeds)
		if err != nil {
			return nil, err
		}
		specs = append(specs, seeded...)
	}
	scores := make([]float64, len(batch))
	perSeed := make([]float64, k)
	var first *Result
	err := s.Pool.Run(ctx, specs, func(i int, r *Result) {
		if r.Resumed {
			s.Resumed++
		}
		if s.OnTrial != nil {
			s.OnTrial(specs[i], r)
		}
		if i%k == 0 {
			first = r
		}
		perSeed[i%k] = r.Score()
		if i%k != k-1 {
			return
		}
		spec, score := specs[i-k+1], r.Score()
		if s.Seeds > 0 {
			sp := SpreadOf(perSeed)
			score = sp.Median
			if s.OnSeeds != nil {
				s.OnSeeds(spec, sp)
			}
		}
		scores[i/k] = score
		s.Count++
		if s.Best == nil || score > s.BestScore {
			s.Best, s.BestSpec, s.BestScore = first, spec, score
		}
	})
	return scores, err
}
