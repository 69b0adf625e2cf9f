package regime

import (
	"math"
	"math/rand/v2"
	"testing"
)

// permutations calls f with every permutation of 0..n-1 (Heap's algorithm).
func permutations(n int, f func([]int)) {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	var gen func(int)
	gen = func(k int) {
		if k == 1 {
			f(p)
			return
		}
		for i := 0; i < k; i++ {
			gen(k - 1)
			if k%2 == 0 {
				p[i], p[k-1] = p[k-1], p[i]
			} else {
				p[0], p[k-1] = p[k-1], p[0]
			}
		}
	}
	gen(n)
}

// TestAssignBruteForce checks the Hungarian method against enumeration of
// every permutation on random cost matrices, ties included.
func TestAssignBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	for trial := 0; trial < 300; trial++ {
		n := 1 + trial%6
		cost := make([][]float64, n)
		for i := range cost {
			cost[i] = make([]float64, n)
			for j := range cost[i] {
				if trial%3 == 0 {
					cost[i][j] = float64(rng.IntN(3)) // many ties
				} else {
					cost[i][j] = rng.NormFloat64() * 10
				}
			}
		}
		best := math.Inf(1)
		permutations(n, func(p []int) {
			var c float64
			for i, j := range p {
				c += cost[i][j]
			}
			best = min(best, c)
		})
		col := assign(cost)
		seen := make([]bool, n)
		var c float64
		for i, j := range col {
			if j < 0 || j >= n || seen[j] {
				t.Fatalf("trial %d: assign = %v is not a permutation", trial, col)
			}
			seen[j] = true
			c += cost[i][j]
		}
		if math.Abs(c-best) > 1e-9 {
			t.Fatalf("trial %d (n=%d): assignment cost %v, want the minimum %v", trial, n, c, best)
		}
	}
}

func TestMatchLabels(t *testing.T) {
	prev := []stateSummary{{-0.3, 4}, {0.05, 1}, {0.2, 2}}
	for _, tc := range []struct {
		name string
		cur  []stateSummary
		want []int
	}{
		// The volatile state's mean rose past the others: sorting by mean
		// would make it the bull; matching keeps it where it was.
		{"overtaken", []stateSummary{{-0.1, 1.1}, {0.15, 2.1}, {0.3, 3.8}}, []int{2, 0, 1}},
		{"unchanged", prev, []int{0, 1, 2}},
		// Two identical new states: keeping the labels is optimal too.
		{"tie", []stateSummary{{0, 2}, {0, 2}, {0, 2}}, []int{0, 1, 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := matchLabels(prev, tc.cur, 1)
			for j := range got {
				if got[j] != tc.want[j] {
					t.Fatalf("matchLabels = %v, want %v", got, tc.want)
				}
			}
		})
	}
}

// swapSeries returns 1,200 days of a two-state market whose calm state
// (sd 1) has the higher mean in the first 600 days and the lower one in the
// last 600, while the volatile state (sd 4) does the opposite: sorted by
// mean, the two labels swap once a fit's window holds only the second half.
func swapSeries() []float64 {
	m := &Model{
		K: 2, Emission: Gaussian,
		Init:  []float64{0.5, 0.5},
		Trans: [][]float64{{0.98, 0.02}, {0.02, 0.98}},
		Mean:  []float64{-0.4, 0.3},
		Var:   []float64{16, 1},
	}
	a, _ := m.Sample(600, 71)
	m.Mean = []float64{0.6, -0.3}
	b, _ := m.Sample(600, 72)
	return append(a, b...)
}

// TestWalkerMatchLabels walks swapSeries with and without label matching:
// sorted by mean the volatile state's label changes between refits, matched
// it stays state 0 at every refit.
func TestWalkerMatchLabels(t *testing.T) {
	obs := swapSeries()
	volatile := func(m *Model) int { return argmax(m.Var) }
	for _, match := range []bool{false, true} {
		ws := DefaultWalkSettings()
		ws.Fit.K = 2
		ws.Fit.Restarts = 4
		ws.MinObservations, ws.RefitInterval, ws.Window = 300, 30, 400
		ws.MatchLabels = match
		post, rep := WalkForward(obs, ws)
		checkRows(t, "WalkForward", post[rep.FirstDay:])
		if volatile(rep.Models[0]) != 0 {
			t.Fatalf("first fit: volatile state %d, want 0 (lower mean); model %+v", volatile(rep.Models[0]), rep.Models[0])
		}
		swapped := 0
		for _, m := range rep.Models {
			if volatile(m) != 0 {
				swapped++
			}
		}
		t.Logf("MatchLabels=%t: %d of %d fits have the volatile state elsewhere than 0", match, swapped, len(rep.Models))
		if match && swapped != 0 {
			t.Errorf("MatchLabels: the volatile state left label 0 in %d fits, want 0", swapped)
		}
		if !match && volatile(rep.Final()) != 1 {
			t.Errorf("sorted by mean: final volatile state %d, want 1 (the data must make raw labels swap)", volatile(rep.Final()))
		}
	}
}

// TestWalkerWindow checks that with a trailing window each refit is the fit
// of its window alone: refitting the window's observations from the same
// warm start with the same seed gives the same model, and the posterior
// of the refit day is the forward pass over the window.
func TestWalkerWindow(t *testing.T) {
	obs, _ := benchModel().Sample(500, 8)
	ws := walkTestSettings()
	ws.Window = 150
	post, rep := WalkForward(obs, ws)
	for j := 1; j < len(rep.Models); j++ {
		day := rep.RefitDays[j]
		win := obs[day+1-min(day+1, ws.Window) : day+1]
		s := ws.Fit
		s.Restarts = 1 + ws.WarmRestarts
		s.ShortIter = ws.WarmShortIter
		s.Seed = ws.Fit.Seed + uint64(day)<<20
		m, _, err := Fit(win, s, rep.Models[j-1])
		if err != nil {
			t.Fatalf("refit %d: %v", j, err)
		}
		if !sameModel(m, rep.Models[j]) {
			t.Fatalf("refit on day %d: walker model %+v, want the window's fit %+v", day, rep.Models[j], m)
		}
		f, _ := m.Forward(nil, win)
		for k := range f[len(f)-1] {
			if post[day][k] != f[len(f)-1][k] {
				t.Fatalf("day %d state %d: posterior %v, want %v (forward pass over the window)", day, k, post[day][k], f[len(f)-1][k])
			}
		}
	}
}

// TestNewWalkersMatchLabels walks swapSeries with the other detectors (two
// states, label matching on by default) and checks after every day that
// the state with the higher volatility is still state 0, as at the first
// fit, although sorting by mean would swap it (TestWalkerMatchLabels).
// Only fits that split the days into a calm and a volatile state (standard
// deviations a factor 2 apart) are checked: while its window straddles the
// change the jump model splits them by trend instead (two volatile states
// of opposite means), and no labelling can then keep "calm" calm.
func TestNewWalkersMatchLabels(t *testing.T) {
	obs := swapSeries()
	sch := Schedule{RefitInterval: 30, MinObservations: 300, Window: 400}
	hs := DefaultHSMMSettings()
	hs.Schedule, hs.Fit.K, hs.Fit.Start.K, hs.Fit.Start.Restarts = sch, 2, 2, 4
	ms := DefaultMSGARCHSettings()
	ms.Schedule, ms.Fit.K, ms.Fit.Start.K, ms.Fit.Start.Restarts = sch, 2, 2, 4
	js := DefaultJumpSettings()
	js.Schedule, js.Fit.K = sch, 2
	hw, mw, jw := NewHSMMWalker(hs), NewMSGARCHWalker(ms), NewJumpWalker(js)
	for _, tc := range []struct {
		name string
		w    detectorWalker
		sd   func() []stateSummary // nil before the first fit
	}{
		{"hsmm", hw, func() []stateSummary {
			if hw.Model() == nil {
				return nil
			}
			return hw.Model().summaries()
		}},
		{"msgarch", mw, func() []stateSummary {
			if mw.Model() == nil {
				return nil
			}
			return mw.Model().summaries()
		}},
		{"jump", jw, func() []stateSummary {
			if jw.Model() == nil {
				return nil
			}
			return jw.Model().Implied.summaries()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fits := 0
			var last []stateSummary
			for u, x := range obs {
				tc.w.Step(x)
				s := tc.sd()
				if s == nil || max(s[0].sd, s[1].sd) < 2*min(s[0].sd, s[1].sd) {
					continue
				}
				if len(last) == 0 || s[0] != last[0] || s[1] != last[1] {
					fits++
					last = append(last[:0], s...)
				}
				if !(s[0].sd > s[1].sd) {
					t.Fatalf("day %d: state sds %.3f, %.3f; want the volatile state to stay 0", u, s[0].sd, s[1].sd)
				}
			}
			if fits < 25 {
				t.Errorf("%d distinct calm/volatile fits, want ≥ 25 (31 scheduled)", fits)
			}
			if last[0].mean < last[1].mean {
				t.Errorf("final means %.3f, %.3f: want the volatile state's the higher (the raw labels would swap)", last[0].mean, last[1].mean)
			}
		})
	}
}
