package regime

import (
	"math"
	"testing"
)

func TestDigammaTrigamma(t *testing.T) {
	const euler = 0.57721566490153286061
	for _, tc := range []struct {
		name      string
		got, want float64
		tol       float64
	}{
		{"ψ(1)", digamma(1), -euler, 1e-14},
		{"ψ(1/2)", digamma(0.5), -euler - 2*math.Ln2, 1e-14},
		{"ψ(10)", digamma(10), -euler + 7129.0/2520, 1e-14}, // H_9
		// ψ(x) = -1/x - γ + ζ(2)x - ζ(3)x² + ζ(4)x³ - ...
		{"ψ(1e-3)", digamma(1e-3), -1e3 - euler + 1.6449340668482264e-3 - 1.2020569031595943e-6 + 1.0823232337111382e-9, 1e-14},
		{"ψ(100)", digamma(100), 4.6001618527380874, 1e-14},
		{"ψ'(1)", trigamma(1), math.Pi * math.Pi / 6, 1e-13},
		{"ψ'(1/2)", trigamma(0.5), math.Pi * math.Pi / 2, 1e-13},
		{"ψ'(100)", trigamma(100), 0.010050166663333571, 1e-15},
	} {
		if math.Abs(tc.got-tc.want) > tc.tol*math.Max(1, math.Abs(tc.want)) {
			t.Errorf("%s: got %.17g, want %.17g (tol %g)", tc.name, tc.got, tc.want, tc.tol)
		}
	}
	// ψ is the derivative of lnΓ and ψ' that of ψ (central differences).
	for _, x := range []float64{1.005, 2.5, 7.3, 9.99, 10.01, 55, 180} {
		const h = 1e-5
		lg := func(x float64) float64 { v, _ := math.Lgamma(x); return v }
		if d := (lg(x+h) - lg(x-h)) / (2 * h); math.Abs(d-digamma(x)) > 1e-8 {
			t.Errorf("ψ(%v): got %.12g, want d lnΓ/dx = %.12g", x, digamma(x), d)
		}
		if d := (digamma(x+h) - digamma(x-h)) / (2 * h); math.Abs(d-trigamma(x)) > 1e-7 {
			t.Errorf("ψ'(%v): got %.12g, want dψ/dx = %.12g", x, trigamma(x), d)
		}
	}
}

func TestDFRoot(t *testing.T) {
	f := func(v, c float64) float64 { return math.Log(v/2) - digamma(v/2) + c }
	for _, want := range []float64{2.5, 4, 7.5, 30, 150} {
		c := -(math.Log(want/2) - digamma(want/2))
		for _, guess := range []float64{dfMin, 5, dfMax, 0} {
			got := dfRoot(c, guess)
			if math.Abs(got-want) > 1e-9*want {
				t.Errorf("dfRoot(c for ν=%v, guess %v): got %.12g (f = %.3g), want %v", want, guess, got, f(got, c), want)
			}
		}
	}
	if got := dfRoot(-1e-9, 10); got != dfMax {
		t.Errorf("dfRoot beyond upper bound: got %v, want %v", got, dfMax)
	}
	if got := dfRoot(-5, 10); got != dfMin {
		t.Errorf("dfRoot below lower bound: got %v, want %v", got, dfMin)
	}
}

// TestStudentDensity checks the Student-t log-density against direct
// evaluation and its normalisation by quadrature.
func TestStudentDensity(t *testing.T) {
	m := studentModel()
	var em emitter
	em.set(m)
	lb := make([]float64, 3)
	u := make([]float64, 3)
	lu := make([]float64, 3)
	for _, x := range []float64{-20, -1, 0, 0.3, 4, 50} {
		em.logDensity(lb, x)
		lb2 := make([]float64, 3)
		em.logDensityWeights(lb2, u, lu, x)
		for k := 0; k < 3; k++ {
			nu, s2 := m.DF[k], m.Var[k]
			d2 := (x - m.Mean[k]) * (x - m.Mean[k]) / s2
			want := math.Gamma((nu+1)/2) / (math.Gamma(nu/2) * math.Sqrt(nu*math.Pi*s2)) * math.Pow(1+d2/nu, -(nu+1)/2)
			if math.Abs(math.Exp(lb[k])-want) > 1e-13*want || lb[k] != lb2[k] {
				t.Errorf("state %d x=%v: density %.15g / %.15g, want %.15g", k, x, math.Exp(lb[k]), math.Exp(lb2[k]), want)
			}
			wu := (nu + 1) / (nu + d2)
			if math.Abs(u[k]-wu) > 1e-14*wu || math.Abs(lu[k]-(math.Log(wu)-wu)) > 1e-13 {
				t.Errorf("state %d x=%v: weights %v %v, want %v %v", k, x, u[k], lu[k], wu, math.Log(wu)-wu)
			}
		}
	}
	// ∫ b_k = 1 (trapezoid on a wide grid; the tails beyond ±2000 are < 1e-5).
	for k := 0; k < 3; k++ {
		var s float64
		const h = 0.01
		for x := -2000.0; x <= 2000; x += h {
			em.logDensity(lb, x)
			s += math.Exp(lb[k]) * h
		}
		if math.Abs(s-1) > 1e-4 {
			t.Errorf("state %d: density integrates to %v, want 1 ± 1e-4", k, s)
		}
	}
}

func TestSample(t *testing.T) {
	m := studentModel()
	const n = 200000
	obs, states := m.Sample(n, 77)
	freq := make([]float64, m.K)
	sum := make([]float64, m.K)
	for i, s := range states {
		freq[s]++
		sum[s] += obs[i]
	}
	st := m.Stationary()
	for k := range freq {
		if got := freq[k] / n; math.Abs(got-st[k]) > 0.02 {
			t.Errorf("state %d frequency: got %.4f, want %.4f ± 0.02", k, got, st[k])
		}
		if got := sum[k] / freq[k]; math.Abs(got-m.Mean[k]) > 0.1 {
			t.Errorf("state %d mean: got %.4f, want %.4f ± 0.1", k, got, m.Mean[k])
		}
	}
	// Gamma(a, 1) variates have mean and variance a.
	rng := rngFor(3)
	for _, a := range []float64{0.4, 1, 2.25, 50} {
		var s, s2 float64
		const m = 100000
		for i := 0; i < m; i++ {
			g := gammaVariate(rng, a)
			s += g
			s2 += g * g
		}
		mean := s / m
		v := s2/m - mean*mean
		if math.Abs(mean-a) > 0.02*a || math.Abs(v-a) > 0.05*a {
			t.Errorf("Gamma(%v): mean %.4f variance %.4f, want %v ± 2%% and ± 5%%", a, mean, v, a)
		}
	}
}
