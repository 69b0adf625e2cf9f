package report

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"gonum.org/v1/plot"
)

// dateTicks marks an axis whose values are days since 1970-01-01 (as
// harness.Date counts them) at calendar boundaries: years over long spans,
// quarters over a few years, months over shorter ones. Ticks fall on the
// first of the month, so a chart's labels do not depend on where its data
// start.
type dateTicks struct{}

func (dateTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return nil
	}
	day := func(x float64) time.Time { return time.Unix(int64(math.Floor(x))*86400, 0).UTC() }
	a, b := day(lo), day(hi)
	span := hi - lo
	step, labelEvery, format := 1, 1, "2006-01" // months
	switch {
	case span > 6*365:
		step, labelEvery, format = 12, 12, "2006"
	case span > 2*365:
		step, labelEvery, format = 3, 12, "2006"
	case span > 240:
		step, labelEvery, format = 1, 3, "2006-01"
	}
	var ticks []plot.Tick
	t := time.Date(a.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	for ; !t.After(b); t = t.AddDate(0, step, 0) {
		if t.Before(a) {
			continue
		}
		tk := plot.Tick{Value: float64(t.Unix() / 86400)}
		if (int(t.Month())-1)%labelEvery == 0 {
			tk.Label = t.Format(format)
		}
		ticks = append(ticks, tk)
	}
	return ticks
}

// logTicks marks a logarithmic axis at every integer multiple of a power of
// ten, labelled at 1, 2, 3, 5 and 7 times powers of ten when the range spans
// about a decade, at 1, 2 and 5 times up to three decades and at powers of
// ten only beyond; under a factor of five it falls back to evenly spaced
// ticks. Labels are compact: 500, 2k,
// 1.5M.
type logTicks struct{}

func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(lo > 0) || !(hi >= lo) || math.IsInf(hi, 0) {
		return nil
	}
	decades := math.Log10(hi / lo)
	if decades < 0.7 {
		// Under a factor of five, evenly spaced ticks read better.
		ticks := plot.DefaultTicks{}.Ticks(lo, hi)
		for i := range ticks {
			if ticks[i].Label != "" {
				ticks[i].Label = compact(ticks[i].Value)
			}
		}
		return ticks
	}
	var ticks []plot.Tick
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
		base := math.Pow(10, e)
		for m := 1; m < 10; m++ {
			v := base * float64(m)
			if v < lo*(1-1e-9) || v > hi*(1+1e-9) {
				continue
			}
			tk := plot.Tick{Value: v}
			if m == 1 || decades < 3 && (m == 2 || m == 5) || decades < 1.2 && (m == 3 || m == 7) {
				tk.Label = compact(v)
			}
			ticks = append(ticks, tk)
		}
	}
	return ticks
}

// compact formats a positive number with a k or M suffix: 500, 2k, 1.5M.
func compact(v float64) string {
	switch {
	case v >= 1e6:
		return strconv.FormatFloat(v/1e6, 'g', 3, 64) + "M"
	case v >= 1e3:
		return strconv.FormatFloat(v/1e3, 'g', 3, 64) + "k"
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

// percentTicks marks a linear axis whose values are fractions with labels
// in percent.
type percentTicks struct{}

func (percentTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi >= lo) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return nil // gonum's default ticker never returns on a NaN range
	}
	ticks := plot.DefaultTicks{}.Ticks(lo*100, hi*100)
	for i := range ticks {
		ticks[i].Value /= 100
		if ticks[i].Label != "" {
			ticks[i].Label = fmt.Sprintf("%g%%", math.Round(ticks[i].Value*1e6)/1e4)
		}
	}
	return ticks
}

// nominalTicks labels the integer positions 0..len(names)-1.
func nominalTicks(names []string) plot.ConstantTicks {
	t := make(plot.ConstantTicks, len(names))
	for i, n := range names {
		t[i] = plot.Tick{Value: float64(i), Label: n}
	}
	return t
}
