package regime

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

func sameModel(a, b *Model) bool {
	if a.K != b.K || a.Emission != b.Emission {
		return false
	}
	eq := func(x, y []float64) bool {
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if math.Float64bits(x[i]) != math.Float64bits(y[i]) {
				return false
			}
		}
		return true
	}
	for i := range a.Trans {
		if !eq(a.Trans[i], b.Trans[i]) {
			return false
		}
	}
	return eq(a.Init, b.Init) && eq(a.Mean, b.Mean) && eq(a.Var, b.Var) && eq(a.DF, b.DF)
}

// TestFitDeterministic checks that the same inputs and seed give a
// bit-identical model, and that the seed matters.
func TestFitDeterministic(t *testing.T) {
	for _, m := range []*Model{benchModel(), studentModel()} {
		obs, _ := m.Sample(1000, 4)
		s := DefaultFitSettings()
		s.Emission = m.Emission
		s.Restarts = 3
		a, ra, err := Fit(obs, s, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, rb, err := Fit(obs, s, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !sameModel(a, b) || !reflect.DeepEqual(ra, rb) {
			t.Errorf("%v: two fits with seed %d differ:\n%+v\n%+v", m.Emission, s.Seed, a, b)
		}
		s.Seed++
		s.Restarts = 1
		c, _, err := Fit(obs, s, nil)
		if err == nil && sameModel(a, c) {
			t.Errorf("%v: fits with different seeds are bit-identical", m.Emission)
		}
	}
	obs, _ := benchModel().Sample(300, 2)
	ws := walkTestSettings()
	p1, r1 := WalkForward(obs, ws)
	p2, r2 := WalkForward(obs, ws)
	if !reflect.DeepEqual(p1, p2) || r1.EMIter != r2.EMIter || !sameModel(r1.Final(), r2.Final()) {
		t.Errorf("two WalkForward runs differ")
	}
}

func TestFitSortedAndWarm(t *testing.T) {
	m := benchModel()
	obs, _ := m.Sample(3000, 12)
	s := DefaultFitSettings()
	s.Restarts = 3
	got, rep, err := Fit(obs, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := got.Validate(); err != nil {
		t.Fatalf("fitted model invalid: %v", err)
	}
	for k := 1; k < got.K; k++ {
		if got.Mean[k] < got.Mean[k-1] {
			t.Fatalf("means not ascending: %v", got.Mean)
		}
	}
	// A warm start at the optimum converges at once and wins.
	s.Restarts = 3
	again, rep2, err := Fit(obs, s, got)
	if err != nil {
		t.Fatal(err)
	}
	if rep2.Best != 0 || rep2.Iter > 3 || rep2.LogLik < rep.LogLik-1e-6*math.Abs(rep.LogLik) {
		t.Errorf("warm start at optimum: best %d after %d iterations, loglik %.8f; want start 0, ≤ 3 iterations, ≥ %.8f",
			rep2.Best, rep2.Iter, rep2.LogLik, rep.LogLik)
	}
	for k := range got.Mean {
		if math.Abs(again.Mean[k]-got.Mean[k]) > 1e-3 {
			t.Errorf("warm refit moved Mean[%d] from %v to %v", k, got.Mean[k], again.Mean[k])
		}
	}
	// The warm model is not modified.
	if !sameModel(got, got.Clone()) {
		t.Error("clone differs")
	}
}

func TestFitShortRuns(t *testing.T) {
	obs, _ := benchModel().Sample(2000, 13)
	s := DefaultFitSettings()
	_, rf, err := Fit(obs, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.ShortIter = 10
	_, rs, err := Fit(obs, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("full: loglik %.6f, %d iterations in all; short runs: loglik %.6f, %d iterations in all",
		rf.LogLik, rf.TotalIter, rs.LogLik, rs.TotalIter)
	if rs.TotalIter >= rf.TotalIter {
		t.Errorf("short runs took %d iterations, want fewer than %d", rs.TotalIter, rf.TotalIter)
	}
	if math.Abs(rs.LogLik-rf.LogLik) > 1e-3 {
		t.Errorf("short runs reached loglik %.6f, full runs %.6f; want within 1e-3", rs.LogLik, rf.LogLik)
	}
}

func TestFitFailures(t *testing.T) {
	obs, _ := benchModel().Sample(500, 14)
	for _, tc := range []struct {
		name    string
		obs     []float64
		edit    func(*FitSettings)
		kind    func(FitReport) int
		wantErr bool
	}{
		{
			name: "not converged", obs: obs,
			edit:    func(s *FitSettings) { s.MaxIter = 2; s.Restarts = 3 },
			kind:    func(r FitReport) int { return r.NotConverged },
			wantErr: true,
		},
		{
			name: "collapsed", obs: []float64{0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 0, 0, 0, 0},
			edit:    func(s *FitSettings) { s.Restarts = 3 },
			kind:    func(r FitReport) int { return r.Collapsed },
			wantErr: true,
		},
		{
			name: "constant", obs: []float64{2, 2, 2, 2, 2, 2, 2},
			edit:    func(s *FitSettings) {},
			kind:    func(r FitReport) int { return 0 },
			wantErr: true,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := DefaultFitSettings()
			tc.edit(&s)
			m, rep, err := Fit(tc.obs, s, nil)
			if tc.wantErr != (err != nil) {
				t.Fatalf("got error %v, want error %t", err, tc.wantErr)
			}
			if err != nil && (!errors.Is(err, ErrNoFit) || m != nil) {
				t.Errorf("got model %v and error %v, want nil and ErrNoFit", m, err)
			}
			if tc.name != "constant" && (tc.kind(rep) != s.Restarts || rep.Failed != s.Restarts) {
				t.Errorf("report %+v: want all %d starts failed as %s", rep, s.Restarts, tc.name)
			}
		})
	}
}

// TestPanics checks that caller mistakes panic with a "regime: " message.
func TestPanics(t *testing.T) {
	good := benchModel()
	bad := func(edit func(*Model)) *Model {
		m := good.Clone()
		edit(m)
		return m
	}
	obs := []float64{0.1, -0.2, 0.3, 0.5, -1, 2, 0.4}
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"trans row sum", func() { bad(func(m *Model) { m.Trans[1][1] += 0.1 }).Forward(nil, obs) }},
		{"negative variance", func() { bad(func(m *Model) { m.Var[0] = -1 }).Smooth(nil, obs) }},
		{"init length", func() { bad(func(m *Model) { m.Init = m.Init[:2] }).NewFilter() }},
		{"gaussian with df", func() { bad(func(m *Model) { m.DF = []float64{3, 3, 3} }).Forward(nil, obs) }},
		{"student without df", func() { bad(func(m *Model) { m.Emission = StudentT }).Forward(nil, obs) }},
		{"NaN observation", func() { good.Forward(nil, []float64{1, math.NaN()}) }},
		{"Inf filter step", func() { good.NewFilter().Step(math.Inf(1)) }},
		{"dst shape", func() { good.Forward(make([][]float64, 2), obs) }},
		{"fit K", func() { s := DefaultFitSettings(); s.K = 0; Fit(obs, s, nil) }},
		{"fit restarts", func() { s := DefaultFitSettings(); s.Restarts = 0; Fit(obs, s, nil) }},
		{"fit too short", func() { Fit(obs[:5], DefaultFitSettings(), nil) }},
		{"fit warm mismatch", func() { s := DefaultFitSettings(); s.Emission = StudentT; Fit(obs, s, good) }},
		{"walk interval", func() { ws := DefaultWalkSettings(); ws.RefitInterval = 0; WalkForward(obs, ws) }},
		{"walk min obs", func() { ws := DefaultWalkSettings(); ws.MinObservations = 3; WalkForward(obs, ws) }},
		{"sample length", func() { good.Sample(-1, 1) }},
		{"walker NaN", func() { NewWalker(DefaultWalkSettings()).Step(math.NaN()) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				r := recover()
				msg, ok := r.(string)
				if !ok || !strings.HasPrefix(msg, "regime: ") {
					t.Errorf("got panic %#v, want a string starting with %q", r, "regime: ")
				}
			}()
			tc.f()
		})
	}
}
