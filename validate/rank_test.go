package validate

import (
	"math"
	"strings"
	"testing"
)

func TestRankCorrelations(t *testing.T) {
	inf := math.Inf(1)
	tests := []struct {
		name              string
		x, y              []float64
		spearman, kendall float64
	}{
		// By hand: ranks of x are 1, 2.5, 2.5, 4 and of y 1, 3, 2, 4;
		// Pearson of the ranks is 4.5/√(4.5·5) = 3/√10. Of the six pairs
		// five are concordant and one is tied in x: τ_b = 5/√(5·6).
		{"ties", []float64{1, 2, 2, 3}, []float64{1, 3, 2, 4}, 3 / math.Sqrt(10), 5 / math.Sqrt(30)},
		{"identical order", []float64{0.1, 0.5, 0.2}, []float64{10, 50, 20}, 1, 1},
		{"reversed", []float64{1, 2, 3, 4}, []float64{4, 3, 2, 1}, -1, -1},
		{"infinities rank as values", []float64{-inf, 1, 2, inf}, []float64{0, 1, 2, 3}, 1, 1},
		// x = 1..5, y = 2,1,4,3,5: Σd² = 4, ρ = 1 − 6·4/(5·24) = 0.8;
		// C = 8, D = 2: τ = 6/10.
		{"textbook", []float64{1, 2, 3, 4, 5}, []float64{2, 1, 4, 3, 5}, 0.8, 0.6},
	}
	for _, tt := range tests {
		s, err := Spearman(tt.x, tt.y)
		if err != nil || !near(s, tt.spearman, 1e-12) {
			t.Errorf("%s: Spearman got %v, %v; want %v", tt.name, s, err, tt.spearman)
		}
		k, err := Kendall(tt.x, tt.y)
		if err != nil || !near(k, tt.kendall, 1e-12) {
			t.Errorf("%s: Kendall got %v, %v; want %v", tt.name, k, err, tt.kendall)
		}
	}
	// A constant side has no ranking.
	if s, _ := Spearman([]float64{1, 1, 1}, []float64{1, 2, 3}); !math.IsNaN(s) {
		t.Errorf("Spearman of a constant: got %v, want NaN", s)
	}
	if k, _ := Kendall([]float64{1, 2, 3}, []float64{5, 5, 5}); !math.IsNaN(k) {
		t.Errorf("Kendall of a constant: got %v, want NaN", k)
	}
	for _, bad := range []struct {
		name string
		x, y []float64
		want string
	}{
		{"lengths", []float64{1, 2}, []float64{1}, "2 and 1 values"},
		{"one pair", []float64{1}, []float64{1}, "at least 2"},
		{"NaN", []float64{1, math.NaN()}, []float64{1, 2}, "pair 1 holds NaN"},
	} {
		_, err1 := Spearman(bad.x, bad.y)
		_, err2 := Kendall(bad.x, bad.y)
		for _, err := range []error{err1, err2} {
			if err == nil || !strings.Contains(err.Error(), bad.want) {
				t.Errorf("%s: got error %v, want one containing %q", bad.name, err, bad.want)
			}
		}
	}
}

// TestPeriodRanks: configurations with persistent, well-separated means
// keep their ranking from period to period; noise does not (Spearman near
// 0: its standard deviation over N configurations is about 1/√(N−1)).
func TestPeriodRanks(t *testing.T) {
	const configs = 40
	persistent := noise(600, configs, 0.01, 21)
	for d := range persistent {
		for c := range persistent[d] {
			persistent[d][c] += 0.0005 * float64(c) // Sharpe 0.05·c: 0 to 1.95 per day
		}
	}
	res, err := PeriodRanks(persistent, []int{200, 400}, MeanReturn)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Spearman) != 3 || len(res.Performance[2]) != configs {
		t.Fatalf("got %d periods × %d configurations, want 3 × %d", len(res.Spearman), len(res.Performance[2]), configs)
	}
	for i := range 3 {
		for j := range 3 {
			if s, k := res.Spearman[i][j], res.Kendall[i][j]; s < 0.9 || k < 0.75 || i == j && (s != 1 || k != 1) {
				t.Errorf("persistent edges, periods %d and %d: Spearman %v, Kendall %v", i, j, s, k)
			}
		}
	}
	// Noise: four standard deviations of the Spearman correlation.
	res, err = PeriodRanks(noise(600, configs, 0.01, 22), []int{300}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s := res.Spearman[0][1]; math.Abs(s) > 4/math.Sqrt(configs-1) {
		t.Errorf("noise: Spearman between halves %v, want within %v of 0", s, 4/math.Sqrt(configs-1))
	}
	if res.Spearman[0][1] != res.Spearman[1][0] {
		t.Error("Spearman matrix not symmetric")
	}
}

func TestPeriodRanksBadInput(t *testing.T) {
	m := noise(20, 3, 0.01, 1)
	nanPerf := func(Moments) float64 { return math.NaN() }
	tests := []struct {
		name    string
		returns [][]float64
		periods []int
		perf    Performance
		want    string
	}{
		{"nil", nil, nil, nil, "0 days"},
		{"one configuration", noise(20, 1, 0.01, 1), nil, nil, "1 configurations"},
		{"out of order", m, []int{10, 5}, nil, "period 1"},
		{"one-day period", m, []int{10, 11}, nil, "period 1"},
		{"beyond the end", m, []int{25}, nil, "period 1"},
		{"negative", m, []int{-3}, nil, "period 0"},
		{"NaN performance", m, nil, nanPerf, "is NaN"},
	}
	for _, tt := range tests {
		_, err := PeriodRanks(tt.returns, tt.periods, tt.perf)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got error %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}
