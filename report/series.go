package report

import (
	"cmp"
	"math"
	"slices"
	"time"

	"gem/harness"
)

// Drawdowns returns, for each value, its fall from the running peak as a
// fraction at most 0, appended to dst[:0]:
//
//	dd_t = v_t / max_{s<=t} v_s − 1
func Drawdowns(dst, values []float64) []float64 {
	dst = dst[:0]
	peak := math.Inf(-1)
	for _, v := range values {
		peak = max(peak, v)
		dst = append(dst, v/peak-1)
	}
	return dst
}

// MonthlyReturns are the returns of each calendar month of a value series.
type MonthlyReturns struct {
	Years []int // ascending, every year from the first to the last
	// Returns[i][m] is the return of month m+1 of Years[i] as a fraction:
	// the month's last value over the previous month's last value, minus 1
	// (over the series' first value for its first month). NaN for months
	// the series does not cover.
	Returns [][12]float64
	// Annual[i] is the return of Years[i], compounded the same way.
	Annual []float64
}

// ComputeMonthlyReturns computes the monthly returns of values, one per
// date. It panics if the lengths differ.
func ComputeMonthlyReturns(dates []harness.Date, values []float64) MonthlyReturns {
	if len(dates) != len(values) {
		panic("report: ComputeMonthlyReturns: one value per date")
	}
	var m MonthlyReturns
	if len(values) == 0 {
		return m
	}
	ym := func(d harness.Date) (int, int) {
		t := time.Unix(int64(d)*86400, 0).UTC()
		return t.Year(), int(t.Month()) - 1
	}
	y0, _ := ym(dates[0])
	y1, _ := ym(dates[len(dates)-1])
	for y := y0; y <= y1; y++ {
		m.Years = append(m.Years, y)
		var r [12]float64
		for i := range r {
			r[i] = math.NaN()
		}
		m.Returns = append(m.Returns, r)
		m.Annual = append(m.Annual, math.NaN())
	}
	prev := values[0] // the value the current month is measured from
	yearStart := values[0]
	for i, v := range values {
		y, mo := ym(dates[i])
		last := i == len(values)-1
		if !last {
			if ny, nmo := ym(dates[i+1]); ny == y && nmo == mo {
				continue
			}
		}
		// v is the last value of month mo of year y.
		m.Returns[y-y0][mo] = v/prev - 1
		prev = v
		if last || mo == 11 {
			m.Annual[y-y0] = v/yearStart - 1
			yearStart = v
		}
	}
	return m
}

// HoldingWeights are a run's daily portfolio weights, grouped into bands
// for a stacked chart: the largest tokens by average weight, then every
// other token together, then cash.
type HoldingWeights struct {
	Names   []string    // band names: tokens, then "other" (if any), then "cash"
	Weights [][]float64 // Weights[band][day], fractions of the day's value
}

// ComputeHoldingWeights groups the daily holdings of run (recorded with
// harness.Config.RecordHoldings) into at most top token bands plus "other"
// and "cash". tokens names the panel's tokens. It returns false when the
// run has no recorded holdings.
func ComputeHoldingWeights(run *harness.Run, tokens []string, top int) (HoldingWeights, bool) {
	var hw HoldingWeights
	nd := len(run.Values)
	if len(run.Holdings) != nd || nd == 0 {
		return hw, false
	}
	mean := make(map[int]float64)
	for d, hs := range run.Holdings {
		for _, h := range hs {
			mean[h.Token] += h.Value / run.Values[d]
		}
	}
	order := make([]int, 0, len(mean))
	for tok := range mean {
		order = append(order, tok)
	}
	slices.SortFunc(order, func(a, b int) int {
		if c := cmp.Compare(mean[b], mean[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	shown := order[:min(top, len(order))]
	band := make(map[int]int, len(shown))
	for i, tok := range shown {
		band[tok] = i
		hw.Names = append(hw.Names, tokens[tok])
	}
	other := -1
	if len(order) > len(shown) {
		other = len(hw.Names)
		hw.Names = append(hw.Names, "other")
	}
	cash := len(hw.Names)
	hw.Names = append(hw.Names, "cash")
	hw.Weights = make([][]float64, len(hw.Names))
	for i := range hw.Weights {
		hw.Weights[i] = make([]float64, nd)
	}
	for d, hs := range run.Holdings {
		v := run.Values[d]
		for _, h := range hs {
			b, ok := band[h.Token]
			if !ok {
				b = other
			}
			hw.Weights[b][d] += h.Value / v
		}
		hw.Weights[cash][d] = run.Cash[d] / v
	}
	return hw, true
}

// sampleEvery returns the step that keeps at most n of length points.
func sampleEvery(length, n int) int {
	return max(1, (length+n-1)/n)
}

// sampled lists the indices 0, step, 2·step, ... and always the last one.
func sampled(length, step int) []int {
	var idx []int
	for i := 0; i < length; i += step {
		idx = append(idx, i)
	}
	if length > 0 && idx[len(idx)-1] != length-1 {
		idx = append(idx, length-1)
	}
	return idx
}
