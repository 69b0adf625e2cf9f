package optimum

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"gem/search"
	"gem/space"
	"gem/trial"
)

// Groups are the phased plan's groups a block may name: hmm (refit
// interval × hard-switch threshold × minimum observations, 48 settings) and
// each specialist (top_n × r2_threshold × rebalance_cooldown, 36 each).
var Groups = []string{"hmm", "bull", "bear", "ranging"}

// PlanBlock returns the block of the phased plan's joint space that the
// named groups span around base (the plan's values, each other parameter at
// base's), and the plan restricted to it (for the phased sweep of the
// block). All four groups are the whole joint space, 48 × 36³ = 2,239,488
// configurations.
func PlanBlock(base space.Assignment, groups []string) (*Block, search.Plan, error) {
	if len(groups) == 0 {
		return nil, search.Plan{}, fmt.Errorf("the block names no group (want some of %s)", strings.Join(Groups, ", "))
	}
	for _, g := range groups {
		if !slices.Contains(Groups, g) {
			return nil, search.Plan{}, fmt.Errorf("unknown group %q (want some of %s)", g, strings.Join(Groups, ", "))
		}
	}
	plan := search.PhasedPlan().Restrict(func(name string) bool {
		g, _, _ := strings.Cut(name, ".")
		return slices.Contains(groups, g)
	})
	s, err := plan.Space(base)
	if err != nil {
		return nil, search.Plan{}, err
	}
	b, err := NewBlock(base, s)
	if err != nil {
		return nil, search.Plan{}, err
	}
	return b, plan, nil
}

// PhasedWinner runs the published phased sweep around spec through pool
// (recorded in its ledger) and returns its winner, the number of
// configurations it ran and the winner's score.
func PhasedWinner(ctx context.Context, pool *trial.Pool, spec trial.Spec) (space.Assignment, int, float64, error) {
	m, err := search.NewPhased(search.PhasedPlan(), spec.Params)
	if err != nil {
		return space.Assignment{}, 0, 0, err
	}
	s := &trial.Search{Pool: pool, Strategy: spec.Strategy, Fill: spec.Fill, Base: spec.Params, Window: spec.Window}
	if err := s.Run(ctx, m, 0, 64); err != nil {
		return space.Assignment{}, 0, 0, err
	}
	return m.Best(), s.Count, s.Best.Score(), nil
}
