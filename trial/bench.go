package trial

import (
	"context"
	"runtime"
	"slices"
	"time"

	"gem/harness"
	"gem/strategy"
)

// Timing is the measured speed of repeated evaluations of one
// configuration.
type Timing struct {
	Runs      int
	Median    time.Duration // of one evaluation (base and stress run)
	Allocs    float64       // heap allocations per evaluation
	TokenDays int           // of the panel; an evaluation walks them twice
}

// EvalsPerSecond is the median rate of evaluations.
func (t Timing) EvalsPerSecond() float64 { return 1 / t.Median.Seconds() }

// TokenDaysPerSecond is the median rate of token-days walked, base and
// stress runs counted.
func (t Timing) TokenDaysPerSecond() float64 { return float64(2*t.TokenDays) / t.Median.Seconds() }

// Measure times runs evaluations of c on p with fill mode fill. Cold runs
// use a fresh cache each (every fit and posterior computed); warm runs share
// one cache, filled by an evaluation before the timed ones, as the trials of
// a sweep do.
func Measure(ctx context.Context, p *harness.Panel, c strategy.Config, fill harness.FillMode, runs int, warm bool) (Timing, error) {
	shared := strategy.NewCache()
	eval := func(cache *strategy.Cache) (time.Duration, error) {
		start := time.Now()
		_, err := harness.Evaluate(ctx, p, func() harness.Strategy { return c.New(cache) }, harness.Config{Fill: fill})
		return time.Since(start), err
	}
	if warm {
		if _, err := eval(shared); err != nil {
			return Timing{}, err
		}
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	times := make([]time.Duration, 0, runs)
	for range runs {
		cache := shared
		if !warm {
			cache = strategy.NewCache()
		}
		d, err := eval(cache)
		if err != nil {
			return Timing{}, err
		}
		times = append(times, d)
	}
	runtime.ReadMemStats(&after)
	return Timing{Runs: runs, Median: Median(times), Allocs: float64(after.Mallocs-before.Mallocs) / float64(runs), TokenDays: p.TokenDays()}, nil
}

// Median is the median of d (0 when empty).
func Median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
