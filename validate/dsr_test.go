package validate

import (
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// The numerical example of Bailey and López de Prado, "The deflated Sharpe
// ratio" (Journal of Portfolio Management 40(5), 2014), section "A
// numerical example": after N = 100 independent trials whose annualised
// Sharpe ratios have variance 1/2, the best has an annualised Sharpe ratio
// of 2.5 over five years of daily returns (T = 1,250, 250 days a year),
// skewness -3 and kurtosis 10. The paper reports SR₀ = 0.1132 (per day)
// and DSR = 0.9004, and that N = 46 trials would have given DSR = 0.9505.
// (The figures were located with public reproductions of the example, e.g.
// the pypbo and quantstrat test suites, which quote the paper.)
const (
	paperDays          = 1250
	paperYear          = 250.0
	paperTrials        = 100
	paperVarAnnual     = 0.5
	paperSharpeAnnual  = 2.5
	paperSkew          = -3.0
	paperKurtosis      = 10.0
	paperSR0           = 0.1132
	paperDSR           = 0.9004
	paperTrials46      = 46
	paperDSR46         = 0.9505
	paperRoundingError = 5e-5 // the paper prints four decimals
)

func TestDeflatedSharpePaperExample(t *testing.T) {
	variance := paperVarAnnual / paperYear // per-day variance of the trials' Sharpe ratios
	sr := paperSharpeAnnual / math.Sqrt(paperYear)
	sr0 := ExpectedMaxSharpe(paperTrials, variance)
	if math.Abs(sr0-paperSR0) > paperRoundingError {
		t.Errorf("SR₀: got %.6f, want %.4f", sr0, paperSR0)
	}
	dsr := ProbabilisticSharpe(sr, sr0, paperDays, paperSkew, paperKurtosis)
	if math.Abs(dsr-paperDSR) > paperRoundingError {
		t.Errorf("DSR: got %.6f, want %.4f", dsr, paperDSR)
	}
	dsr46 := ProbabilisticSharpe(sr, ExpectedMaxSharpe(paperTrials46, variance), paperDays, paperSkew, paperKurtosis)
	if math.Abs(dsr46-paperDSR46) > paperRoundingError {
		t.Errorf("DSR with %d trials: got %.6f, want %.4f", paperTrials46, dsr46, paperDSR46)
	}
}

// TestProbabilisticSharpePaperExample reproduces the example of Bailey and
// López de Prado, "The Sharpe ratio efficient frontier" (Journal of Risk
// 15(2), 2012): an annualised Sharpe ratio of 1.585 from 24 monthly returns
// with skewness -2.448 and kurtosis 10.164 has PSR(0) = 0.913.
func TestProbabilisticSharpePaperExample(t *testing.T) {
	psr := ProbabilisticSharpe(1.585/math.Sqrt(12), 0, 24, -2.448, 10.164)
	if math.Abs(psr-0.913) > 5e-4 {
		t.Errorf("PSR: got %.5f, want 0.913", psr)
	}
}

func TestExpectedMaxSharpe(t *testing.T) {
	// One trial selects nothing.
	if got := ExpectedMaxSharpe(1, 0.3); got != 0 {
		t.Errorf("one trial: got %v, want 0", got)
	}
	// Two trials: Φ⁻¹(1/2) = 0, so SR₀ = √V·γ·Φ⁻¹(1 − 1/(2e)).
	want := math.Sqrt(0.04) * eulerGamma * distuv.UnitNormal.Quantile(1-1/(2*math.E))
	if got := ExpectedMaxSharpe(2, 0.04); !near(got, want, 1e-15) {
		t.Errorf("two trials: got %v, want %v", got, want)
	}
	// The approximation tracks the expected maximum of N standard normals,
	// 1.5388, 2.5076 and 3.2414 for N = 10, 100 and 1,000 (tables of normal
	// order statistics, e.g. Harter, "Expected values of normal order
	// statistics", Biometrika 48, 1961). Bailey and López de Prado call it
	// accurate for N ≫ 1: the error must be under 0.04 and shrink with N.
	last := math.Inf(1)
	for _, c := range []struct{ n, want float64 }{{10, 1.5388}, {100, 2.5076}, {1000, 3.2414}} {
		e := math.Abs(ExpectedMaxSharpe(c.n, 1) - c.want)
		if e > 0.04 || e >= last {
			t.Errorf("N = %v: error %v against %v, want under 0.04 and under %v", c.n, e, c.want, last)
		}
		last = e
	}
	// More trials raise the bar.
	if ExpectedMaxSharpe(1000, 1) <= ExpectedMaxSharpe(100, 1) {
		t.Error("SR₀ does not grow with the number of trials")
	}
}

// TestDeflatedSharpeTwoPointReturns checks the assembly on returns whose
// moments are known by hand: column c alternates μ_c ± σ, so its mean is
// μ_c, its population variance σ², its sample variance σ²·T/(T−1), its
// skewness 0 and its kurtosis 1 (a symmetric two-point distribution).
func TestDeflatedSharpeTwoPointReturns(t *testing.T) {
	const days, sigma = 500, 0.01
	mus := []float64{0.001, 0.0015, 0.0005}
	m := make([][]float64, days)
	for d := range m {
		sign := float64(1 - 2*(d%2))
		for _, mu := range mus {
			m[d] = append(m[d], mu+sign*sigma)
		}
	}
	res, err := DeflatedSharpe(m, 0)
	if err != nil {
		t.Fatal(err)
	}
	sd := sigma * math.Sqrt(days/(days-1.0))
	srs := []float64{mus[0] / sd, mus[1] / sd, mus[2] / sd}
	mean := (srs[0] + srs[1] + srs[2]) / 3
	var v float64
	for _, s := range srs {
		v += (s - mean) * (s - mean) / 2
	}
	if res.Best != 1 || !near(res.Sharpe, srs[1], 1e-9) || math.Abs(res.Skewness) > 1e-9 || !near(res.Kurtosis, 1, 1e-9) {
		t.Errorf("got best %d SR %v skew %v kurt %v, want 1 %v 0 1", res.Best, res.Sharpe, res.Skewness, res.Kurtosis, srs[1])
	}
	if res.Trials != 3 || !near(res.Variance, v, 1e-9) || res.Days != days {
		t.Errorf("got trials %v variance %v days %d, want 3 %v %d", res.Trials, res.Variance, res.Days, v, days)
	}
	// Kurtosis 1 and skewness 0 make the radicand 1: PSR = Φ((SR − b)·√(T−1)).
	z := distuv.UnitNormal
	if want := z.CDF(srs[1] * math.Sqrt(days-1)); !near(res.PSR, want, 1e-9) {
		t.Errorf("PSR: got %v, want %v", res.PSR, want)
	}
	sr0 := math.Sqrt(v) * ((1-eulerGamma)*z.Quantile(1-1/3.0) + eulerGamma*z.Quantile(1-1/(3*math.E)))
	if want := z.CDF((srs[1] - sr0) * math.Sqrt(days-1)); !near(res.ExpectedMax, sr0, 1e-9) || !near(res.DSR, want, 1e-9) {
		t.Errorf("SR₀ %v DSR %v, want %v %v", res.ExpectedMax, res.DSR, sr0, want)
	}
	// Deflating for more trials lowers the DSR; a single trial is the PSR.
	more, _ := DeflatedSharpe(m, 300)
	one, _ := DeflatedSharpe(m, 1)
	if !(more.DSR < res.DSR) || one.DSR != one.PSR {
		t.Errorf("DSR for 300 trials %v (want < %v); for one trial %v (want PSR %v)", more.DSR, res.DSR, one.DSR, one.PSR)
	}
}

func TestDeflatedSharpeBadInput(t *testing.T) {
	flat := make([][]float64, 10)
	for d := range flat {
		flat[d] = []float64{0, 0}
	}
	tests := []struct {
		name    string
		returns [][]float64
		trials  float64
		want    string
	}{
		{"nil", nil, 0, "0 days"},
		{"two days", noise(2, 3, 0.01, 1), 0, "2 days"},
		{"NaN trials", noise(20, 3, 0.01, 1), math.NaN(), "non-negative number of trials"},
		{"negative trials", noise(20, 3, 0.01, 1), -1, "non-negative number of trials"},
		{"constant", flat, 0, "constant"},
		{"ragged", [][]float64{{0.01, 0.02}, {0.01}, {0.03, 0.01}}, 0, "day 1"},
	}
	for _, tt := range tests {
		_, err := DeflatedSharpe(tt.returns, tt.trials)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got error %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}
