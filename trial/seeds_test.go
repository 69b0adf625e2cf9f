package trial

import (
	"context"
	"math"
	"strconv"
	"strings"
	"testing"

	"gem/search"
)

// TestSpread checks quartiles computed by hand (linear interpolation
// between order statistics at (n−1)·q, numpy's default).
func TestSpread(t *testing.T) {
	inf := math.Inf(-1)
	for _, c := range []struct {
		scores                      []float64
		median, q1, q3, min, max, w float64
		rejected                    int
	}{
		// n = 4: positions 0.75, 1.5, 2.25.
		{[]float64{0.4, 0.1, 0.3, 0.2}, 0.25, 0.175, 0.325, 0.1, 0.4, 0.15, 0},
		// n = 5: positions 1, 2, 3; two rejected seeds.
		{[]float64{0.5, inf, 0.4, inf, 0.5}, 0.4, inf, 0.5, inf, 0.5, math.Inf(1), 2},
		{[]float64{inf, inf}, inf, inf, inf, inf, inf, math.Inf(1), 2},
		{[]float64{0.7}, 0.7, 0.7, 0.7, 0.7, 0.7, 0, 0},
	} {
		sp := SpreadOf(c.scores)
		near := func(a, b float64) bool { return a == b || math.Abs(a-b) < 1e-12 }
		if !near(sp.Median, c.median) || !near(sp.Q1, c.q1) || !near(sp.Q3, c.q3) || sp.Min != c.min || sp.Max != c.max ||
			!near(sp.Interquartile, c.w) || sp.Rejected != c.rejected || sp.N != len(c.scores) {
			t.Errorf("%v: %+v", c.scores, sp)
		}
	}
}

func TestSeedSpecs(t *testing.T) {
	spec, err := ParseSpec("ensemble", "causal", "", "hmm.seed=5")
	if err != nil {
		t.Fatal(err)
	}
	specs, err := SeedSpecs(spec, 3)
	if err != nil || len(specs) != 3 {
		t.Fatalf("%d specs, %v", len(specs), err)
	}
	for i, s := range specs {
		if v, _ := s.Params.Text(SeedParam); v != strconv.Itoa(5+i) {
			t.Errorf("spec %d has %s=%s, want %d", i, SeedParam, v, 5+i)
		}
		if d := s.Params.Diff(spec.Params); i > 0 && d != SeedParam+"="+strconv.Itoa(5+i) {
			t.Errorf("spec %d differs by %q, want only the seed", i, d)
		}
	}
	sp, _ := ParseSpec("specialist", "causal", "", "")
	if _, err := SeedSpecs(sp, 3); err == nil || !strings.Contains(err.Error(), "no hmm.seed") {
		t.Errorf("specialist: %v", err)
	}
	for _, k := range []int{0, -1, MaxSeeds + 1} {
		if _, err := SeedSpecs(spec, k); err == nil {
			t.Errorf("--seeds %d accepted", k)
		}
	}
}

// TestSearchSeeds: with Seeds = 3 a search runs each proposal under three
// seeds, tells the method the median and reports one spread per proposal.
func TestSearchSeeds(t *testing.T) {
	env := testEnv(t)
	base, err := ParseSpec("ensemble", "causal", "", "hmm.min_observations=30")
	if err != nil {
		t.Fatal(err)
	}
	var spreads []Spread
	var trials [][]float64
	s := &Search{Pool: &Pool{Env: env, Exec: Local{Workers: 2}}, Strategy: "ensemble", Fill: base.Fill, Base: base.Params, Seeds: 3,
		OnTrial: func(_ Spec, r *Result) {
			if len(trials) == 0 || len(trials[len(trials)-1]) == 3 {
				trials = append(trials, nil)
			}
			trials[len(trials)-1] = append(trials[len(trials)-1], r.Score())
		},
		OnSeeds: func(_ Spec, s Spread) { spreads = append(spreads, s) }}
	grid, err := search.NewPhased(search.Plan{Phases: []search.Phase{{Name: "n", Mode: "grid", Params: []search.Param{{Name: "bull.top_n", Values: []any{"1", "5"}}}}}}, base.Params)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Run(context.Background(), grid, 0, 8); err != nil {
		t.Fatal(err)
	}
	if len(spreads) != 2 || len(trials) != 2 || s.Count != 2 {
		t.Fatalf("%d spreads, %d trial groups, count %d; want 2 proposals of 3 seeds", len(spreads), len(trials), s.Count)
	}
	for i, sp := range spreads {
		want := SpreadOf(trials[i])
		if sp.Median != want.Median || sp.N != 3 {
			t.Errorf("proposal %d: spread %+v of trials %v", i, sp, trials[i])
		}
	}
	best := 0
	if spreads[1].Median > spreads[0].Median {
		best = 1
	}
	if s.BestScore != spreads[best].Median {
		t.Errorf("best score %v, want the higher median of %v and %v", s.BestScore, spreads[0].Median, spreads[1].Median)
	}
}
