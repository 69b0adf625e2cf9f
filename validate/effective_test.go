package validate

import (
	"math"
	"strings"
	"testing"
)

// clones returns a T×(k·m) matrix: k independent noise series, each
// repeated m times as positive affine copies a·x + b (correlation exactly 1
// within a group).
func clones(t, k, m int, seed uint64) [][]float64 {
	base := noise(t, k, 0.01, seed)
	out := make([][]float64, t)
	for d, row := range base {
		for g := range k {
			for c := range m {
				out[d] = append(out[d], (1+0.5*float64(c))*row[g]+0.0001*float64(c))
			}
		}
	}
	return out
}

func TestEffectiveTrials(t *testing.T) {
	const days = 5000
	negated := noise(days, 1, 0.01, 3)
	for d := range negated {
		negated[d] = append(negated[d], -negated[d][0])
	}
	withFlat := noise(days, 3, 0.01, 4)
	for d := range withFlat {
		withFlat[d] = append(withFlat[d], 0, 0)
	}
	// Independent trials: E[R_ij²] ≈ 1/(T−1) off the diagonal, so
	// N_eff ≈ N/(1 + (N−1)/(T−1)). k groups of m clones: Σ R_ij² is k·m²
	// within the groups plus k(k−1)·m²/(T−1) across them, so
	// N_eff ≈ (km)²/(k·m² + k(k−1)·m²/(T−1)), k up to sampling error.
	indep := 20 / (1 + 19/float64(days-1))
	groups := 400 / (100 + 12*25/float64(days-1))
	tests := []struct {
		name    string
		returns [][]float64
		want    float64
		tol     float64 // relative; the sampling spread of Σ R_ij² is about 2% of its cross terms here
		avgCorr float64 // want AverageCorrelationTrials = ρ̄ + (1 − ρ̄)·M (+1 if flat), within 0.05·N
	}{
		{"10 identical", clones(days, 1, 10, 1), 1, 1e-9, 1},
		{"20 independent", noise(days, 20, 0.01, 2), indep, 0.01, 20},
		{"4 groups of 5 clones", clones(days, 4, 5, 5), groups, 0.01, 16}, // ρ̄ = 4/19: 4/19 + 15/19·20
		{"a trial and its negation", negated, 1, 1e-9, 3},                 // ρ̄ = −1: −1 + 2·2
		{"3 independent and 2 flat", withFlat, 1 + 3/(1+2/float64(days-1)), 0.01, 4},
	}
	for _, tt := range tests {
		got, err := EffectiveTrials(tt.returns)
		if err != nil {
			t.Fatal(err)
		}
		if !near(got.Trials, tt.want, tt.tol) {
			t.Errorf("%s: got %v effective trials, want %v", tt.name, got.Trials, tt.want)
		}
		if got.Configs != len(tt.returns[0]) {
			t.Errorf("%s: got %d configurations, want %d", tt.name, got.Configs, len(tt.returns[0]))
		}
		if math.Abs(got.AverageCorrelationTrials-tt.avgCorr) > 0.05*float64(got.Configs) {
			t.Errorf("%s: ρ̄ estimate %v, want %v", tt.name, got.AverageCorrelationTrials, tt.avgCorr)
		}
	}
}

func TestEffectiveTrialsBadInput(t *testing.T) {
	tests := []struct {
		name    string
		returns [][]float64
		want    string
	}{
		{"nil", nil, "0 days"},
		{"two days", noise(2, 3, 0.01, 1), "2 days"},
		{"no configurations", [][]float64{{}, {}, {}}, "0 configurations"},
		{"NaN", [][]float64{{0.01, 0.02}, {0.01, math.NaN()}, {0.03, 0.01}}, "day 1, configuration 1"},
	}
	for _, tt := range tests {
		_, err := EffectiveTrials(tt.returns)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got error %v, want one containing %q", tt.name, err, tt.want)
		}
	}
	// All trials flat: one trial, no correlation.
	flat := [][]float64{{0, 0}, {0, 0}, {0, 0}}
	got, err := EffectiveTrials(flat)
	if err != nil || got.Trials != 1 || got.Constant != 2 || !math.IsNaN(got.AverageCorrelation) {
		t.Errorf("all flat: got %+v, %v; want 1 trial, 2 constant, NaN correlation", got, err)
	}
}
