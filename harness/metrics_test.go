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
