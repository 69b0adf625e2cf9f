package search

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"gem/space"
)

// proposals runs m on f and returns its proposals as text, in order.
func proposals(t *testing.T, m Method, f func(space.Assignment) float64, budget, batch int) []string {
	t.Helper()
	as, _ := run(t, m, f, budget, batch)
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.String()
	}
	return out
}

// TestReproducible: a seed fixes every proposal, and a different seed
// changes them.
func TestReproducible(t *testing.T) {
	p := mixed()
	for _, mc := range allMethods[:5] {
		t.Run(mc.name, func(t *testing.T) {
			a := proposals(t, mc.make(p.space, 7), p.f, 40, 3)
			b := proposals(t, mc.make(p.space, 7), p.f, 40, 3)
			c := proposals(t, mc.make(p.space, 8), p.f, 40, 3)
			if len(a) != 40 {
				t.Fatalf("%d proposals, want 40", len(a))
			}
			if !slices.Equal(a, b) {
				t.Errorf("two runs with seed 7 differ")
			}
			if slices.Equal(a, c) {
				t.Errorf("seeds 7 and 8 propose the same")
			}
		})
	}
}

// TestDistinctUntilExhausted: on a finite space of 4·3·2 = 24 assignments
// every method proposes each at most once, all 24 within a budget of 100,
// and then an empty batch.
func TestDistinctUntilExhausted(t *testing.T) {
	s := space.New(
		intParam("i", 0, 3, 0),
		space.Param{Name: "c", Kind: space.Categorical, Choices: []string{"x", "y", "z"}, Default: space.StringValue("x")},
		space.Param{Name: "b", Kind: space.Bool},
	)
	f := func(a space.Assignment) float64 {
		if a.Value(0).I == 3 && a.Value(2).B {
			return math.Inf(-1)
		}
		y := float64(a.Value(0).I)
		if a.Value(1).S == "y" {
			y += 0.5
		}
		return y
	}
	for _, mc := range allMethods[:5] {
		for _, batch := range []int{1, 5} {
			t.Run(mc.name, func(t *testing.T) {
				m := mc.make(s, 3)
				got := proposals(t, m, f, 100, batch)
				if len(got) != 24 {
					t.Errorf("batch %d: %d proposals, want 24", batch, len(got))
				}
				seen := map[string]bool{}
				for _, a := range got {
					if seen[a] {
						t.Errorf("batch %d: %s proposed twice", batch, a)
					}
					seen[a] = true
				}
				if as, err := m.Ask(batch); err != nil || len(as) != 0 {
					t.Errorf("batch %d: after exhaustion Ask gave %d, %v; want an empty batch", batch, len(as), err)
				}
			})
		}
	}
}

// TestBatchOrder: the order in which a batch is evaluated does not change
// the next proposals, and batches of 1 and of 4 both run to the budget.
func TestBatchOrder(t *testing.T) {
	p := branin()
	for _, mc := range allMethods[:5] {
		t.Run(mc.name, func(t *testing.T) {
			forward := func(batch []space.Assignment) []float64 {
				ys := make([]float64, len(batch))
				for i, a := range batch {
					ys[i] = p.f(a)
				}
				return ys
			}
			var texts [2][]string
			for k := range texts {
				m := mc.make(p.space, 5)
				for len(texts[k]) < 30 {
					as, err := m.Ask(4)
					if err != nil || len(as) == 0 {
						t.Fatalf("Ask: %v, %d proposals", err, len(as))
					}
					ys := make([]float64, len(as))
					if k == 0 {
						ys = forward(as)
					} else {
						// Evaluate from the last to the first.
						for i := len(as) - 1; i >= 0; i-- {
							ys[i] = p.f(as[i])
						}
					}
					if err := m.Tell(ys); err != nil {
						t.Fatal(err)
					}
					for _, a := range as {
						texts[k] = append(texts[k], a.String())
					}
				}
			}
			if !slices.Equal(texts[0], texts[1]) {
				t.Errorf("evaluation order changed the proposals")
			}
		})
	}
}

// TestTellRejectsBadScores: NaN, +Inf and a wrong count are errors; Ask
// without n ≥ 1 or before the last batch was told panics.
func TestTellRejectsBadScores(t *testing.T) {
	p := branin()
	for _, mc := range allMethods[:5] {
		t.Run(mc.name, func(t *testing.T) {
			m := mc.make(p.space, 1)
			as, err := m.Ask(2)
			if err != nil || len(as) != 2 {
				t.Fatalf("Ask: %v, %d proposals", err, len(as))
			}
			for _, bad := range [][]float64{{1}, {1, 2, 3}, {math.NaN(), 1}, {1, math.Inf(1)}} {
				if err := m.Tell(bad); err == nil {
					t.Errorf("Tell(%v) accepted", bad)
				}
			}
			mustPanic(t, "Ask before Tell", func() { m.Ask(1) })
			if err := m.Tell([]float64{math.Inf(-1), 0}); err != nil {
				t.Fatal(err)
			}
			mustPanic(t, "Ask(0)", func() { m.Ask(0) })
		})
	}
}

func mustPanic(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if r := recover(); r == nil {
			t.Errorf("%s did not panic", what)
		} else if !strings.HasPrefix(r.(string), "search: ") {
			t.Errorf("%s panicked with %q, want a search: message", what, r)
		}
	}()
	f()
}

// TestOddSpaces: a parameter with one level, one not searched, an integer
// range too wide to enumerate and a log-scaled float; every proposal is in
// the domain and the unsearched parameter keeps its default.
func TestOddSpaces(t *testing.T) {
	s := space.New(
		space.Param{Name: "one", Kind: space.Int, Default: space.IntValue(1), Min: space.IntValue(0), Max: space.IntValue(9),
			Values: []space.Value{space.IntValue(5)}},
		space.Param{Name: "fixed", Kind: space.Float, Default: space.FloatValue(0.5), Min: space.FloatValue(0), Max: space.FloatValue(1),
			Lo: space.FloatValue(0.2), Hi: space.FloatValue(0.2)},
		intParam("wide", math.MinInt64/2, math.MaxInt64/2, 0),
		space.Param{Name: "log", Kind: space.LogFloat, Default: space.FloatValue(1), Min: space.FloatValue(1e-9), Max: space.FloatValue(1e9),
			Lo: space.FloatValue(1e-9), Hi: space.FloatValue(1e9)},
	)
	f := func(a space.Assignment) float64 {
		return -math.Abs(float64(a.Value(2).I)/1e18) - math.Abs(math.Log10(a.Value(3).F)-3)
	}
	for _, mc := range allMethods[:5] {
		t.Run(mc.name, func(t *testing.T) {
			as, ys := run(t, mc.make(s, 2), f, 40, 4)
			if len(as) != 40 {
				t.Fatalf("%d proposals, want 40", len(as))
			}
			for _, a := range as {
				if a.Value(0).I != 5 || a.Value(1).F != 0.5 {
					t.Fatalf("%s: want one=5 fixed=0.5", a)
				}
				for i := range s.Len() {
					if err := s.Param(i).Check(a.Value(i)); err != nil {
						t.Fatalf("%s: %v", a, err)
					}
				}
			}
			if b := bestOf(ys); math.IsNaN(b) || b < -6 {
				t.Errorf("best %v, want a finite score above -6 (the log term alone ranges over 0..12)", b)
			}
		})
	}
}

// TestKnownOptima runs each method on Branin (2-D), Hartmann-6 and the mixed
// integer problem over seeds 1..9 and checks the median regret (the known
// maximum minus the best score found) against a tolerance, and against
// random search (NewRandom) at the same budget, whose median regret must be
// at least twice the method's.
//
// The tolerances sit at two to three times the worst median the methods
// reach (Branin at 60 evaluations: CMA-ES 0.10, the policy 0.086, TPE 0.043,
// GP 0.0017; Hartmann-6 at 120: CMA-ES 0.29, TPE 0.21, GP 0.059, the policy
// 0.021; mixed at 200: TPE 0.21, CMA-ES 0.049, GP 0.040, the policy 2e-5),
// so that a change in floating-point rounding does not flip them, and well
// below random search's median (0.58, 1.21 and 4.49): on Branin a regret
// under 0.25 means landing near the bottom of one of the three minima's
// basins, which 60 uniform draws mostly miss.
func TestKnownOptima(t *testing.T) {
	if testing.Short() {
		t.Skip("runs each method 27 times")
	}
	type want struct {
		p      problem
		budget int
		tol    float64
	}
	cases := []want{{branin(), 60, 0.25}, {hartmann6(), 120, 0.6}, {mixed(), 200, 0.5}}
	methods := append(slices.Clone(learned), allMethods[4])
	for _, c := range cases {
		random := median(regrets(t, allMethods[5], c.p, c.budget, 1, 9))
		for _, mc := range methods {
			t.Run(c.p.name+"/"+mc.name, func(t *testing.T) {
				r := regrets(t, mc, c.p, c.budget, 1, 9)
				got := median(r)
				t.Logf("median regret %.4g at %d evaluations (random search: %.4g); per seed %.3g", got, c.budget, random, r)
				if got > c.tol {
					t.Errorf("median regret %.4g, want ≤ %g", got, c.tol)
				}
				if 2*got > random {
					t.Errorf("median regret %.4g, want at most half random search's %.4g", got, random)
				}
			})
		}
	}
}

// oneAtATime is the seed's sweep: from the defaults, each parameter in turn
// over its levels (11 even steps for a continuous one), the best locked in
// before the next.
func oneAtATime(s *space.Space, f func(space.Assignment) float64) (space.Assignment, float64, int) {
	base := s.Defaults()
	best := f(base)
	evals := 1
	for i := range s.Len() {
		p := s.Param(i)
		n := p.Levels()
		if n == 0 {
			n = 11
		}
		for k := range n {
			u := (float64(k) + 0.5) / float64(n)
			if p.Levels() == 0 {
				u = float64(k) / float64(n-1)
			}
			a, err := base.With(i, p.FromUnit(u))
			if err != nil {
				panic(err)
			}
			if a.Equal(base) {
				continue
			}
			evals++
			if y := f(a); y > best {
				best = y
				base = a
			}
		}
	}
	return base, best, evals
}

// TestPlantedInteraction: a and b pay only when moved together. The
// one-at-a-time sweep from the defaults leaves both at 0 (each alone scores
// worse) and scores at most 0.05, the distractors' gain; TPE, GP and CMA-ES
// find the ridge |a − b| ≤ 2 with min(a, b) ≥ 10 (score ≥ 1) in the median
// of five seeds, at 100 evaluations.
func TestPlantedInteraction(t *testing.T) {
	p := planted()
	a, best, evals := oneAtATime(p.space, p.f)
	t.Logf("one at a time: %s scores %.4g after %d evaluations", a, best, evals)
	if a.Value(0).I != 0 || a.Value(1).I != 0 || best > 0.05+1e-12 {
		t.Errorf("the sweep reached %s (%.4g); want a = b = 0 and at most 0.05", a, best)
	}
	for _, mc := range learned {
		t.Run(mc.name, func(t *testing.T) {
			var bests []float64
			for seed := range uint64(5) {
				_, ys := run(t, mc.make(p.space, seed+1), p.f, 100, 1)
				bests = append(bests, bestOf(ys))
			}
			if m := median(bests); m < 1 {
				t.Errorf("median best %.4g over seeds 1..5 (%.3g), want ≥ 1", m, bests)
			}
		})
	}
}

// TestRejectedRegion: 80% of the square is rejected (−Inf); every method
// still gets within 0.01 of the maximum (at x = 0.9, y = 0.5) in 60
// evaluations, so rejected trials steer the models without breaking them.
func TestRejectedRegion(t *testing.T) {
	s := space.New(floatParam("x", 0, 1, 0.5), floatParam("y", 0, 1, 0.5))
	f := func(a space.Assignment) float64 {
		x, y := a.Value(0).F, a.Value(1).F
		if x < 0.8 {
			return math.Inf(-1)
		}
		return -(x-0.9)*(x-0.9) - (y-0.5)*(y-0.5)
	}
	for _, mc := range append(slices.Clone(learned), allMethods[4]) {
		t.Run(mc.name, func(t *testing.T) {
			var r []float64
			for seed := range uint64(5) {
				_, ys := run(t, mc.make(s, seed+1), f, 60, 2)
				r = append(r, -bestOf(ys))
			}
			if m := median(r); !(m < 0.01) {
				t.Errorf("median regret %.4g (%.3g), want < 0.01", m, r)
			}
		})
	}
}

// TestDriveStops: Drive ends at the budget, and at an exhausted space.
func TestDriveStops(t *testing.T) {
	s := space.New(intParam("i", 0, 4, 0))
	n, err := Drive(context.Background(), NewTPE(s, 1, TPESettings{}), 100, 2, func(_ context.Context, as []space.Assignment) ([]float64, error) {
		return make([]float64, len(as)), nil
	})
	if err != nil || n != 5 {
		t.Errorf("Drive: %d evaluations, %v; want 5 (the space's size)", n, err)
	}
}

// warmer is a method that takes trials evaluated elsewhere.
type warmer interface {
	Method
	Warm(as []space.Assignment, scores []float64) error
}

// TestWarm: trials from a resumed ledger are never proposed again (a
// finite space of 24 warmed with 20 leaves exactly 4 proposals), a warm
// start in the middle of a run is fine, bad warm input is an error, and the
// models use what they are given: TPE and GP warmed with 40 random trials
// of Branin and given 10 proposals of their own reach at most half the
// median regret of random search's 50 (the same 40 and 10 more); a method
// that ignored the warm trials would be left with a 10-point QMC design.
func TestWarm(t *testing.T) {
	s := space.New(
		intParam("i", 0, 3, 0),
		space.Param{Name: "c", Kind: space.Categorical, Choices: []string{"x", "y", "z"}, Default: space.StringValue("x")},
		space.Param{Name: "b", Kind: space.Bool},
	)
	f := func(a space.Assignment) float64 { return float64(a.Value(0).I) }
	grid, err := NewGrid(s)
	if err != nil {
		t.Fatal(err)
	}
	old, err := grid.Ask(20)
	if err != nil || len(old) != 20 {
		t.Fatalf("Grid.Ask: %v, %d", err, len(old))
	}
	ys := make([]float64, len(old))
	for i, a := range old {
		ys[i] = f(a)
	}
	ys[3] = math.Inf(-1)
	for _, mc := range allMethods[:5] {
		t.Run(mc.name, func(t *testing.T) {
			m := mc.make(s, 4).(warmer)
			if err := m.Warm(old, ys); err != nil {
				t.Fatal(err)
			}
			got := proposals(t, m, f, 100, 3)
			if len(got) != 4 {
				t.Errorf("%d proposals after warming with 20 of 24, want 4", len(got))
			}
			for _, g := range got {
				for _, a := range old {
					if g == a.String() {
						t.Errorf("proposed the warmed %s", g)
					}
				}
			}
			// Bad input.
			other := space.New(intParam("i", 0, 3, 0))
			for name, bad := range map[string]func() error{
				"length":        func() error { return m.Warm(old[:2], ys[:1]) },
				"another space": func() error { return m.Warm([]space.Assignment{other.Defaults()}, []float64{1}) },
				"NaN":           func() error { return m.Warm(old[:1], []float64{math.NaN()}) },
			} {
				if bad() == nil {
					t.Errorf("Warm with a bad %s accepted", name)
				}
			}
		})
	}
	// Mid-run, with a batch waiting, and then once told.
	p := mixed()
	for _, mc := range allMethods[:5] {
		t.Run(mc.name+"/mid-run", func(t *testing.T) {
			m := mc.make(p.space, 5).(warmer)
			first, _ := run(t, m, p.f, 15, 4)
			extra, _ := run(t, NewRandom(p.space, 9), p.f, 10, 10)
			as, err := m.Ask(2)
			if err != nil || len(as) == 0 {
				t.Fatalf("Ask: %v, %d", err, len(as))
			}
			if m.Warm(extra, make([]float64, len(extra))) == nil {
				t.Errorf("Warm with a batch waiting accepted")
			}
			m.Tell(make([]float64, len(as)))
			if err := m.Warm(append(extra, first[0]), make([]float64, len(extra)+1)); err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			for _, a := range append(append(first, extra...), as...) {
				seen[a.String()] = true
			}
			more, _ := run(t, m, p.f, 30, 4)
			for _, a := range more {
				if seen[a.String()] {
					t.Fatalf("proposed %s again", a)
				}
				seen[a.String()] = true
			}
		})
	}
	// Random search's 50 trials: the same 40 warm ones and 10 more.
	b := branin()
	var r0 []float64
	for seed := range uint64(5) {
		_, ys := run(t, NewRandom(b.space, 100+seed), b.f, 50, 50)
		r0 = append(r0, b.best-bestOf(ys))
	}
	random := median(r0)
	for _, mc := range learned {
		if mc.name == "cmaes" {
			continue
		}
		t.Run(mc.name+"/uses-warm-trials", func(t *testing.T) {
			var r []float64
			for seed := range uint64(5) {
				old, ys := run(t, NewRandom(b.space, 100+seed), b.f, 40, 40)
				m := mc.make(b.space, seed+1).(warmer)
				if err := m.Warm(old, ys); err != nil {
					t.Fatal(err)
				}
				_, own := run(t, m, b.f, 10, 1)
				r = append(r, b.best-max(bestOf(ys), bestOf(own)))
			}
			t.Logf("median regret %.4g after 40 warm trials and 10 proposals; random search's 50: %.4g", median(r), random)
			if got := median(r); got > random/2 {
				t.Errorf("median regret %.4g (%.3g), want at most half random search's %.4g", got, r, random)
			}
		})
	}
}

// TestExhaustLargerSpace: on 8·8·8 = 512 assignments CMA-ES, TPE, QMC and
// the policy propose every one exactly once and then stop, however few
// assignments their own moves still reach near the end (the GP would too,
// but 512 observations take it seconds).
func TestExhaustLargerSpace(t *testing.T) {
	s := space.New(intParam("a", 0, 7, 0), intParam("b", 0, 7, 0), intParam("c", 0, 7, 0))
	f := func(a space.Assignment) float64 {
		return -math.Abs(float64(a.Value(0).I-3)) - math.Abs(float64(a.Value(1).I-5)) - math.Abs(float64(a.Value(2).I-1))
	}
	for _, mc := range []methodCase{allMethods[0], allMethods[1], allMethods[3], allMethods[4]} {
		t.Run(mc.name, func(t *testing.T) {
			got := proposals(t, mc.make(s, 2), f, 2000, 16)
			seen := map[string]bool{}
			for _, a := range got {
				if seen[a] {
					t.Fatalf("%s proposed twice", a)
				}
				seen[a] = true
			}
			if len(got) != 512 {
				t.Errorf("%d proposals, want all 512", len(got))
			}
		})
	}
}
