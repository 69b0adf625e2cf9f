package regime

import (
	"math"
	"testing"
)

// TestParameterRecovery fits long simulated sequences and compares the
// estimates with the parameters that generated them.
func TestParameterRecovery(t *testing.T) {
	trans := [][]float64{
		{0.97, 0.01, 0.02},
		{0.01, 0.96, 0.03},
		{0.02, 0.03, 0.95},
	}
	for _, tc := range []struct {
		name string
		m    *Model
		seed uint64
		// Tolerances: absolute on means and transition probabilities,
		// relative on variances (squared scales) and degrees of freedom.
		meanTol, varRel, transTol, dfRel float64
	}{
		{
			name: "Gaussian",
			m: &Model{
				K: 3, Emission: Gaussian,
				Init:  []float64{0.3, 0.4, 0.3},
				Trans: trans,
				Mean:  []float64{-1, 0.05, 0.6},
				Var:   []float64{16, 1, 4},
			},
			seed:    101,
			meanTol: 0.1, varRel: 0.06, transTol: 0.01,
		},
		{
			name: "StudentT",
			m: &Model{
				K: 3, Emission: StudentT,
				Init:  []float64{0.3, 0.4, 0.3},
				Trans: trans,
				Mean:  []float64{-1, 0.05, 0.6},
				Var:   []float64{9, 0.6, 2.5},
				DF:    []float64{4, 8, 5},
			},
			seed:    202,
			meanTol: 0.1, varRel: 0.08, transTol: 0.01, dfRel: 0.35,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const n = 20000
			obs, _ := tc.m.Sample(n, tc.seed)
			s := DefaultFitSettings()
			s.Emission = tc.m.Emission
			s.Restarts = 4
			s.MaxIter = 2000
			got, rep, err := Fit(obs, s, nil)
			if err != nil {
				t.Fatalf("Fit: %v", err)
			}
			_, llTrue := tc.m.Forward(nil, obs)
			t.Logf("loglik %.3f (at true parameters %.3f), %d iterations, %d/%d starts failed",
				rep.LogLik, llTrue, rep.Iter, rep.Failed, rep.Starts)
			t.Logf("mean %.4f var %.4f df %.3f", got.Mean, got.Var, got.DF)
			if rep.LogLik < llTrue {
				t.Errorf("loglik: got %.3f, want ≥ %.3f (true parameters)", rep.LogLik, llTrue)
			}
			for k := 0; k < 3; k++ {
				if d := math.Abs(got.Mean[k] - tc.m.Mean[k]); d > tc.meanTol {
					t.Errorf("Mean[%d]: got %.4f, want %.4f ± %g", k, got.Mean[k], tc.m.Mean[k], tc.meanTol)
				}
				if r := math.Abs(got.Var[k]/tc.m.Var[k] - 1); r > tc.varRel {
					t.Errorf("Var[%d]: got %.4f, want %.4f ± %g relative", k, got.Var[k], tc.m.Var[k], tc.varRel)
				}
				for j := 0; j < 3; j++ {
					if d := math.Abs(got.Trans[k][j] - tc.m.Trans[k][j]); d > tc.transTol {
						t.Errorf("Trans[%d][%d]: got %.4f, want %.4f ± %g", k, j, got.Trans[k][j], tc.m.Trans[k][j], tc.transTol)
					}
				}
				if tc.m.DF != nil {
					if r := math.Abs(got.DF[k]/tc.m.DF[k] - 1); r > tc.dfRel {
						t.Errorf("DF[%d]: got %.3f, want %.3f ± %g relative", k, got.DF[k], tc.m.DF[k], tc.dfRel)
					}
				}
			}
		})
	}
}
