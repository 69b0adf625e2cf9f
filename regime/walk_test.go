package regime

import (
	"math"
	"math/rand/v2"
	"testing"
)

func walkTestSettings() WalkSettings {
	ws := DefaultWalkSettings()
	ws.RefitInterval = 7
	ws.MinObservations = 90
	ws.Fit.Restarts = 4
	return ws
}

// TestWalkForwardCausal checks that the posterior of day t does not change
// when the observations after t are altered.
func TestWalkForwardCausal(t *testing.T) {
	obs, _ := benchModel().Sample(420, 5)
	ws := walkTestSettings()
	base, rep := WalkForward(obs, ws)
	if rep.Refits == 0 {
		t.Fatalf("no successful fit: %+v", rep)
	}
	rng := rand.New(rand.NewPCG(9, 9))
	for _, day := range []int{0, 88, 89, 90, 95, 96, 150, 201, 333, 418} {
		alt := append([]float64(nil), obs...)
		for i := day + 1; i < len(alt); i++ {
			alt[i] = 10 * rng.NormFloat64() // much wilder future
		}
		post, _ := WalkForward(alt, ws)
		for u := 0; u <= day; u++ {
			if (post[u] == nil) != (base[u] == nil) {
				t.Fatalf("future altered after day %d: post[%d] nil = %t, want %t", day, u, post[u] == nil, base[u] == nil)
			}
			for k := range base[u] {
				if post[u][k] != base[u][k] {
					t.Fatalf("future altered after day %d: post[%d][%d] = %v, want %v (bit-identical)", day, u, k, post[u][k], base[u][k])
				}
			}
		}
	}
}

// TestWalkForwardFilter checks that every posterior is the filtered
// distribution of the model fitted last, computed on the data up to that day.
func TestWalkForwardFilter(t *testing.T) {
	obs, _ := benchModel().Sample(300, 6)
	ws := walkTestSettings()
	post, rep := WalkForward(obs, ws)
	first := ws.MinObservations - 1
	if rep.FirstDay != first || rep.FailedFits != 0 {
		t.Fatalf("got FirstDay %d, FailedFits %d; want %d, 0", rep.FirstDay, rep.FailedFits, first)
	}
	if want := (len(obs) - first + ws.RefitInterval - 1) / ws.RefitInterval; rep.Refits != want || len(rep.Models) != want {
		t.Fatalf("got %d refits (%d models), want %d", rep.Refits, len(rep.Models), want)
	}
	for u := 0; u < first; u++ {
		if post[u] != nil {
			t.Fatalf("post[%d] = %v before the first fit, want nil", u, post[u])
		}
	}
	for j, day := range rep.RefitDays {
		if day != first+j*ws.RefitInterval {
			t.Fatalf("refit %d on day %d, want %d", j, day, first+j*ws.RefitInterval)
		}
		end := len(obs)
		if j+1 < len(rep.RefitDays) {
			end = rep.RefitDays[j+1]
		}
		m := rep.Models[j]
		filtered, _ := m.Forward(nil, obs[:end])
		for u := day; u < end; u++ {
			for k := range post[u] {
				if post[u][k] != filtered[u][k] {
					t.Fatalf("post[%d][%d] = %v, want %v (forward pass of the model fitted on day %d)", u, k, post[u][k], filtered[u][k], day)
				}
			}
		}
	}
	checkRows(t, "WalkForward", post[first:])
}

func TestWalkForwardShort(t *testing.T) {
	obs, _ := benchModel().Sample(50, 1)
	post, rep := WalkForward(obs, walkTestSettings())
	if len(post) != len(obs) || rep.FirstDay != -1 || rep.Refits != 0 {
		t.Fatalf("got %d rows, FirstDay %d, %d refits; want %d, -1, 0", len(post), rep.FirstDay, rep.Refits, len(obs))
	}
	for u, row := range post {
		if row != nil {
			t.Fatalf("post[%d] = %v, want nil", u, row)
		}
	}
}

// checkRows checks that every row is a probability vector: finite,
// non-negative entries summing to one within 1e-12.
func checkRows(t *testing.T, what string, rows [][]float64) {
	t.Helper()
	const sumTol = 1e-12
	for u, row := range rows {
		var s float64
		for k, v := range row {
			if !(v >= 0) || math.IsInf(v, 0) {
				t.Fatalf("%s: row %d entry %d = %v, want finite ≥ 0", what, u, k, v)
			}
			s += v
		}
		if math.Abs(s-1) > sumTol {
			t.Fatalf("%s: row %d sums to %.17g, want 1 ± %g", what, u, s, sumTol)
		}
	}
}

// TestWalkerMatchesWalkForward checks that stepping a Walker reproduces
// WalkForward's rows and report bit for bit, for both emission families.
func TestWalkerMatchesWalkForward(t *testing.T) {
	for _, m := range []*Model{benchModel(), studentModel()} {
		obs, _ := m.Sample(260, 31)
		ws := walkTestSettings()
		ws.Fit.Emission = m.Emission
		post, rep := WalkForward(obs, ws)
		wk := NewWalker(ws)
		for u, x := range obs {
			p := wk.Step(x)
			if (p == nil) != (post[u] == nil) {
				t.Fatalf("%v day %d: walker posterior nil = %t, WalkForward nil = %t", m.Emission, u, p == nil, post[u] == nil)
			}
			for k := range p {
				if p[k] != post[u][k] {
					t.Fatalf("%v day %d state %d: walker %v, WalkForward %v", m.Emission, u, k, p[k], post[u][k])
				}
			}
		}
		got := wk.Report()
		if wk.Len() != len(obs) || got.Refits != rep.Refits || got.FailedFits != rep.FailedFits ||
			got.FailedStarts != rep.FailedStarts || got.EMIter != rep.EMIter || got.WarmLost != rep.WarmLost ||
			got.FirstDay != rep.FirstDay || !sameModel(got.Final(), rep.Final()) {
			t.Errorf("%v: walker report %+v, WalkForward report %+v", m.Emission, got, rep)
		}
		checkRows(t, m.Emission.String()+" WalkForward", post[rep.FirstDay:])
	}
}
