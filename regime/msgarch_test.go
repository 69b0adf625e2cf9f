package regime

import (
	"math"
	"testing"
)

// TestMSGARCHOneStateIsGARCH checks the one-state filter's likelihood
// against a direct evaluation of the GARCH(1,1) likelihood.
func TestMSGARCHOneStateIsGARCH(t *testing.T) {
	obs, _ := benchModel().Sample(1000, 9)
	for _, e := range []Emission{Gaussian, StudentT} {
		m := &MSGARCH{K: 1, Innovation: e, Trans: [][]float64{{1}},
			Mean: []float64{0.1}, Omega: []float64{0.4}, Alpha: []float64{0.08}, Beta: []float64{0.9},
			DF: 5, Var0: 9}
		_, got := m.Forward(nil, obs)
		var want float64
		h := m.Var0
		for t, x := range obs {
			if t > 0 {
				d := obs[t-1] - 0.1
				h = 0.4 + 0.08*d*d + 0.9*h
			}
			d := x - 0.1
			if e == Gaussian {
				want += -0.5*math.Log(2*math.Pi*h) - d*d/(2*h)
			} else {
				// Student-t with 5 degrees of freedom and variance h: scale² h·3/5.
				s2 := h * 3 / 5
				lg1, _ := math.Lgamma(3)
				lg0, _ := math.Lgamma(2.5)
				want += lg1 - lg0 - 0.5*math.Log(5*math.Pi*s2) - 3*math.Log(1+d*d/(5*s2))
			}
		}
		if math.Abs(got-want) > 1e-9*math.Abs(want) {
			t.Errorf("%v: loglik %.12f, want %.12f", e, got, want)
		}
	}
}

// TestMSGARCHConstantIsHMM checks that with α = β = 0 and ω = Var0 the
// model is the Gaussian HMM with equal variances started at the uniform
// distribution.
func TestMSGARCHConstantIsHMM(t *testing.T) {
	h := benchModel()
	obs, _ := h.Sample(2000, 4)
	m := &MSGARCH{K: 3, Innovation: Gaussian, Trans: h.Trans, Mean: h.Mean,
		Omega: []float64{5, 5, 5}, Alpha: []float64{0, 0, 0}, Beta: []float64{0, 0, 0}, Var0: 5}
	hm := h.Clone()
	hm.Var = []float64{5, 5, 5}
	copy(hm.Init, []float64{1. / 3, 1. / 3, 1. / 3})
	want, wantLL := hm.Forward(nil, obs)
	got, ll := m.Forward(nil, obs)
	if math.Abs(ll-wantLL) > 1e-9*math.Abs(wantLL) {
		t.Errorf("loglik %.12f, want the HMM's %.12f", ll, wantLL)
	}
	if d, at := maxAbsDiff(got, want); d > 1e-12 {
		t.Errorf("filtered max |MSGARCH-HMM| = %.3g on day %d", d, at)
	}
}

// TestMSGARCHGradient compares the exact gradient with central
// differences of the log-likelihood, for both innovation families.
func TestMSGARCHGradient(t *testing.T) {
	for _, e := range []Emission{Gaussian, StudentT} {
		truth := recoveryMSGARCH(e)
		truth.K = 3
		truth.Trans = [][]float64{{0.9, 0.06, 0.04}, {0.03, 0.95, 0.02}, {0.1, 0.1, 0.8}}
		truth.Mean = append(truth.Mean, 0.5)
		truth.Omega = append(truth.Omega, 0.3)
		truth.Alpha = append(truth.Alpha, 0.1)
		truth.Beta = append(truth.Beta, 0.6)
		obs, _ := truth.Sample(500, 2)
		x := packMSGARCH(truth)
		var g msgarchGrad
		m := truth.Clone()
		ll := func(x []float64) float64 { unpackMSGARCH(m, x); return g.logLik(m, obs, nil) }
		grad := make([]float64, len(x))
		unpackMSGARCH(m, x)
		g.logLik(m, obs, grad)
		for i := range x {
			const h = 1e-5
			xp := append([]float64(nil), x...)
			xm := append([]float64(nil), x...)
			xp[i] += h
			xm[i] -= h
			num := (ll(xp) - ll(xm)) / (2 * h)
			if math.Abs(grad[i]-num) > 1e-5*math.Max(1, math.Abs(num)) {
				t.Errorf("%v: ∂ℓ/∂x[%d] = %.8g, central difference %.8g", e, i, grad[i], num)
			}
		}
	}
}

// recoveryMSGARCH is a two-state MS-GARCH: a turbulent state with a high,
// reactive variance and a calm, persistent one.
func recoveryMSGARCH(e Emission) *MSGARCH {
	return &MSGARCH{K: 2, Innovation: e,
		Trans: [][]float64{{0.97, 0.03}, {0.015, 0.985}},
		Mean:  []float64{-0.4, 0.2},
		Omega: []float64{1.5, 0.05},
		Alpha: []float64{0.15, 0.05},
		Beta:  []float64{0.75, 0.93},
		DF:    6, Var0: 4,
	}
}

// TestMSGARCHParameterRecovery fits long simulated series cold and compares
// the estimates with the generating parameters.
func TestMSGARCHParameterRecovery(t *testing.T) {
	for _, e := range []Emission{Gaussian, StudentT} {
		t.Run(e.String(), func(t *testing.T) {
			truth := recoveryMSGARCH(e)
			obs, _ := truth.Sample(8000, 13)
			s := DefaultMSGARCHFitSettings()
			s.K, s.Innovation, s.Start.K, s.Start.Restarts = 2, e, 2, 4
			m, rep, err := FitMSGARCH(obs, s, nil)
			if err != nil {
				t.Fatal(err)
			}
			m.permute(meanOrder(m.Mean))
			tv := truth.Clone()
			tv.Var0 = m.Var0
			_, llTrue := tv.Forward(nil, obs)
			t.Logf("loglik %.3f (true parameters %.3f), %d iterations, %d evaluations", rep.LogLik, llTrue, rep.Iter, rep.Evals)
			t.Logf("mean %.3f omega %.3f alpha %.3f beta %.3f trans %.4f df %.2f", m.Mean, m.Omega, m.Alpha, m.Beta, m.Trans, m.DF)
			if rep.LogLik < llTrue-1e-6*math.Abs(llTrue) {
				t.Errorf("loglik %.3f below the true parameters' %.3f", rep.LogLik, llTrue)
			}
			pi := stationary(truth.Trans)
			for k := range 2 {
				// Three standard errors of a mean of the state's days.
				tol := 3 * truth.summaries()[k].sd / math.Sqrt(pi[k]*float64(len(obs)))
				if d := math.Abs(m.Mean[k] - truth.Mean[k]); d > tol {
					t.Errorf("Mean[%d] = %.3f, want %.3f ± %.3f", k, m.Mean[k], truth.Mean[k], tol)
				}
				if d := math.Abs(m.Alpha[k] - truth.Alpha[k]); d > 0.05 {
					t.Errorf("Alpha[%d] = %.3f, want %.3f ± 0.05", k, m.Alpha[k], truth.Alpha[k])
				}
				if d := math.Abs(m.Beta[k] - truth.Beta[k]); d > 0.08 {
					t.Errorf("Beta[%d] = %.3f, want %.3f ± 0.08", k, m.Beta[k], truth.Beta[k])
				}
				ut, um := truth.summaries()[k].sd, m.summaries()[k].sd
				if r := math.Abs(um/ut - 1); r > 0.15 {
					t.Errorf("state %d unconditional sd %.3f, want %.3f ± 15%%", k, um, ut)
				}
				if d := math.Abs(m.Trans[k][k] - truth.Trans[k][k]); d > 0.015 {
					t.Errorf("Trans[%d][%d] = %.4f, want %.4f ± 0.015", k, k, m.Trans[k][k], truth.Trans[k][k])
				}
			}
			if e == StudentT && math.Abs(m.DF/truth.DF-1) > 0.3 {
				t.Errorf("DF = %.2f, want %.2f ± 30%%", m.DF, truth.DF)
			}
		})
	}
}
