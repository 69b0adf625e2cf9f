package harness

import (
	"math"
	"testing"
)

// TestAnnualisedByElapsedDays: two rows 300 years apart annualise over the
// 109,574 elapsed days (1900-01-01..2200-01-01 inclusive), not over two
// rows. Expected values by hand, checked with Python:
// (174.87/100)**(365/109574) - 1 = 0.0018633846948370447.
func TestAnnualisedByElapsedDays(t *testing.T) {
	run := &Run{Values: []float64{100, 174.87}, Cash: []float64{100, 174.87}, HHIs: []float64{1, 1}}
	m := ComputeMetrics(run, []Date{-25567, 84006})
	if got, want := m.TotalReturnPct, 74.87; math.Abs(got-want) > 1e-9 {
		t.Errorf("total return %v%%, want %v%%", got, want)
	}
	if got, want := m.AnnualizedReturnPct, 0.18633846948370447; math.Abs(got-want) > 1e-12 {
		t.Errorf("annualised return %v%%, want %v%% (over elapsed days)", got, want)
	}
	// On a calendar without holes the two conventions are one: 366 daily
	// rows are 366 elapsed days.
	v := make([]float64, 366)
	dates := make([]Date, 366)
	for i := range v {
		v[i], dates[i] = 100*math.Pow(1.001, float64(i)), Date(18000+i)
	}
	m = ComputeMetrics(&Run{Values: v, Cash: make([]float64, 366), HHIs: make([]float64, 366)}, dates)
	years := float64(len(v)) / 365 // the reference's count of rows
	if got, want := m.AnnualizedReturnPct, (Pow(1+(v[365]-v[0])/v[0], 1/years)-1)*100; got != want {
		t.Errorf("daily calendar: annualised %v%%, want %v%% (rows = days)", got, want)
	}
}

// TestWipedOutMetrics: an account liquidated to zero on its third day has
// the returns −0.5, −1, 0 (nothing more after zero, not 0/0), so its
// Sharpe and Sortino ratios are finite, by hand: mean −0.5, population
// deviation √(1/6), downside deviation √(1.25/3).
func TestWipedOutMetrics(t *testing.T) {
	run := &Run{Values: []float64{1000, 500, 0, 0}, Cash: make([]float64, 4), HHIs: []float64{1, 1, 1, 1}}
	m := ComputeMetrics(run, []Date{0, 1, 2, 3})
	if got, want := m.SharpeRatio, -0.5/math.Sqrt(1.0/6)*math.Sqrt(252); math.Abs(got-want) > 1e-12 {
		t.Errorf("Sharpe %v, want %v", got, want)
	}
	if got, want := m.SortinoRatio, -0.5/math.Sqrt(1.25/3)*math.Sqrt(252); math.Abs(got-want) > 1e-12 {
		t.Errorf("Sortino %v, want %v", got, want)
	}
	if m.TotalReturnPct != -100 || m.MaxDrawdownPct != -100 {
		t.Errorf("total %v%%, drawdown %v%%; want −100, −100", m.TotalReturnPct, m.MaxDrawdownPct)
	}
}
