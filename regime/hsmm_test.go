package regime

import (
	"math"
	"testing"
)

// geometricHSMM returns the HSMM that is the HMM h written with explicit
// durations (Langrock & Zucchini 2011, §2): a segment of state k lasts a
// geometric number of days with P(leave) = 1 - Γ_kk and is followed by state
// j ≠ k with probability Γ_kj / (1 - Γ_kk).
func geometricHSMM(h *Model, d int, f Duration) *HSMM {
	k := h.K
	m := &HSMM{K: k, D: d, Duration: f, Init: h.Init, Mean: h.Mean, Var: h.Var,
		Size: make([]float64, k), Prob: make([]float64, k), Rate: make([]float64, k)}
	for i, row := range h.Trans {
		m.Trans = append(m.Trans, make([]float64, k))
		for j, p := range row {
			if j != i {
				m.Trans[i][j] = p / (1 - row[i])
			}
		}
		m.Size[i], m.Prob[i] = 1, 1-row[i]
	}
	return m
}

// TestHSMMGeometricIsHMM checks that an HSMM with geometric durations has
// the likelihood and filtered probabilities of the HMM it rewrites, for
// several D, and that the negative binomial with Size 1 (whose hazards come
// from the incomplete beta function) is the same geometric law.
func TestHSMMGeometricIsHMM(t *testing.T) {
	h := benchModel()
	obs, _ := h.Sample(3000, 12)
	want, wantLL := h.Forward(nil, obs)
	for _, f := range []Duration{Geometric, NegBinomial} {
		for _, d := range []int{1, 2, 7, 40} {
			m := geometricHSMM(h, d, f)
			got, ll := m.Forward(nil, obs)
			if math.Abs(ll-wantLL) > 1e-9*math.Abs(wantLL) {
				t.Errorf("%v D=%d: loglik %.12f, want the HMM's %.12f (rel tol 1e-9)", f, d, ll, wantLL)
			}
			if dd, at := maxAbsDiff(got, want); dd > 1e-9 {
				t.Errorf("%v D=%d: filtered max |HSMM-HMM| = %.3g on day %d, want ≤ 1e-9", f, d, dd, at)
			}
		}
	}
}

// TestDurLogHazards compares the hazards with a direct evaluation: the pmf
// from math.Lgamma and the survival summed over the next 4,000 days.
func TestDurLogHazards(t *testing.T) {
	for _, tc := range []struct {
		f                Duration
		size, prob, rate float64
		d                int
	}{
		{Poisson, 0, 0, 4.5, 30},
		{Poisson, 0, 0, 60, 30},
		{Poisson, 0, 0, 0.2, 5},
		{NegBinomial, 2.5, 0.1, 0, 30},
		{NegBinomial, 0.4, 0.05, 0, 20},
		{NegBinomial, 30, 0.7, 0, 10},
	} {
		logpmf := func(n int) float64 {
			x := float64(n)
			if tc.f == Poisson {
				lg, _ := math.Lgamma(x + 1)
				return x*math.Log(tc.rate) - tc.rate - lg
			}
			a, _ := math.Lgamma(x + tc.size)
			b, _ := math.Lgamma(tc.size)
			c, _ := math.Lgamma(x + 1)
			return a - b - c + tc.size*math.Log(tc.prob) + x*math.Log1p(-tc.prob)
		}
		surv := func(r int) float64 { // P(d > r) = P(n ≥ r)
			var s float64
			for n := r; n < r+4000; n++ {
				s += math.Exp(logpmf(n))
			}
			return s
		}
		logc, log1c := make([]float64, tc.d), make([]float64, tc.d)
		durLogHazards(logc, log1c, tc.f, tc.size, tc.prob, tc.rate)
		for r := 1; r <= tc.d; r++ {
			sPrev := surv(r - 1)
			if sPrev < 1e-200 {
				continue
			}
			c := math.Exp(logpmf(r-1)) / sPrev
			c1 := surv(r) / sPrev
			if math.Abs(math.Exp(logc[r-1])-c) > 1e-10*math.Max(c, 1e-3) || math.Abs(math.Exp(log1c[r-1])-c1) > 1e-10*math.Max(c1, 1e-3) {
				t.Errorf("%v(%v,%v,%v) r=%d: hazard %.15g / %.15g, want %.15g / %.15g", tc.f, tc.size, tc.prob, tc.rate, r,
					math.Exp(logc[r-1]), math.Exp(log1c[r-1]), c, c1)
			}
		}
	}
}

// recoveryHSMM is a two-state HSMM of persistent regimes: a volatile bear
// of mean duration 1 + 2·0.9/0.1 = 19 days and a calm bull of 1 + 3·0.95/0.05
// = 58 days.
func recoveryHSMM(f Duration) *HSMM {
	m := &HSMM{K: 2, D: 60, Duration: f,
		Init:  []float64{0.5, 0.5},
		Trans: [][]float64{{0, 1}, {1, 0}},
		Mean:  []float64{-0.5, 0.3},
		Var:   []float64{16, 2},
		Size:  []float64{2, 3},
		Prob:  []float64{0.1, 0.05},
		Rate:  []float64{18, 57},
	}
	return m
}

// TestHSMMParameterRecovery fits long simulated series, cold (from the
// HMM), and compares the estimates with the generating parameters.
func TestHSMMParameterRecovery(t *testing.T) {
	for _, f := range []Duration{NegBinomial, Poisson} {
		t.Run(f.String(), func(t *testing.T) {
			truth := recoveryHSMM(f)
			obs, _ := truth.Sample(12000, 41)
			s := DefaultHSMMFitSettings()
			s.K, s.D, s.Duration = 2, truth.D, f
			s.Start.K, s.Start.Restarts = 2, 4
			m, rep, err := FitHSMM(obs, s, nil)
			if err != nil {
				t.Fatal(err)
			}
			m.sortByMean()
			_, llTrue := truth.Forward(nil, obs)
			t.Logf("loglik %.3f (true parameters %.3f) after %d iterations; mean %.3f var %.3f size %.3f prob %.4f rate %.2f",
				rep.LogLik, llTrue, rep.Iter, m.Mean, m.Var, m.Size, m.Prob, m.Rate)
			if rep.LogLik < llTrue-1e-6*math.Abs(llTrue) {
				t.Errorf("loglik %.3f below the true parameters' %.3f", rep.LogLik, llTrue)
			}
			var tc, mc hsmmChain
			tc.set(truth)
			mc.set(m)
			for k := range 2 {
				if d := math.Abs(m.Mean[k] - truth.Mean[k]); d > 0.15 {
					t.Errorf("Mean[%d] = %.3f, want %.3f ± 0.15", k, m.Mean[k], truth.Mean[k])
				}
				if r := math.Abs(m.Var[k]/truth.Var[k] - 1); r > 0.08 {
					t.Errorf("Var[%d] = %.3f, want %.3f ± 8%%", k, m.Var[k], truth.Var[k])
				}
				want, got := durMean(tc.c[k*truth.D:(k+1)*truth.D]), durMean(mc.c[k*m.D:(k+1)*m.D])
				if r := math.Abs(got/want - 1); r > 0.15 {
					t.Errorf("state %d mean duration %.2f, want %.2f ± 15%%", k, got, want)
				}
			}
		})
	}
}

// TestHSMMEMMonotone checks that every EM iteration (a generalised EM for
// the duration parameters) does not lower the log-likelihood.
func TestHSMMEMMonotone(t *testing.T) {
	for _, f := range []Duration{NegBinomial, Poisson, Geometric} {
		truth := recoveryHSMM(f)
		obs, _ := truth.Sample(1500, 5)
		m := geometricHSMM(&Model{K: 2, Emission: Gaussian, Init: []float64{0.5, 0.5},
			Trans: [][]float64{{0.9, 0.1}, {0.2, 0.8}}, Mean: []float64{-1, 1}, Var: []float64{4, 4}}, 20, f)
		m.Rate = []float64{9, 4}
		var w hsmmWork
		w.reset(len(obs), 2, m.D)
		centre, _ := meanVar(obs)
		prev := w.estep(m, obs, centre)
		for it := 0; it < 40; it++ {
			if !w.mstep(m, centre, 1e-6) {
				t.Fatalf("%v: M-step %d failed", f, it)
			}
			ll := w.estep(m, obs, centre)
			if ll < prev-1e-9*math.Abs(prev) {
				t.Fatalf("%v: iteration %d lowered the loglik from %.10f to %.10f", f, it, prev, ll)
			}
			prev = ll
		}
	}
}

// TestHSMMWalkerColdFallback plants a warm model whose first state can
// never be occupied (its mean a million standard deviations away): the
// warm refit collapses, and the walker refits cold instead of keeping the
// broken model for every later window.
func TestHSMMWalkerColdFallback(t *testing.T) {
	obs, _ := benchModel().Sample(200, 3)
	s := DefaultHSMMSettings()
	s.Schedule = Schedule{RefitInterval: 10, MinObservations: 100, Window: 150}
	s.Fit.Start.Restarts, s.Fit.D = 3, 10
	w := NewHSMMWalker(s)
	for _, x := range obs[:100] {
		w.Step(x)
	}
	if w.Model() == nil {
		t.Fatal("no first fit")
	}
	w.model.Mean[0], w.model.Var[0] = 1e6, 1e-3
	for _, x := range obs[100:] {
		w.Step(x)
	}
	st := map[string]float64{}
	for _, v := range w.Stats() {
		st[v.Name] = v.Value
	}
	if st["failed_fits"] != 0 || st["refits"] != 11 || w.Model().Mean[0] > 100 {
		t.Errorf("refits %v, failed %v, final means %v: want 11 refits, none failed, the planted state gone", st["refits"], st["failed_fits"], w.Model().Mean)
	}
}
