package lookahead

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"

	"gem/harness"
)

// Config sets up a check.
type Config struct {
	// Fill is the fill mode of the backtests.
	Fill harness.FillMode
	// Days is how many days t to sample; zero means 20. Half are drawn
	// from the unperturbed run's rebalance days into positions, where a
	// leak shows most, and the rest uniformly; all days are used when there
	// are fewer.
	Days int
	// Seed seeds the sampling and the perturbations: the same Seed gives
	// the same check.
	Seed uint64
	// Workers is how many perturbed backtests run at once; zero or
	// negative means 1.
	Workers int
}

// NewStrategy returns a fresh strategy for one backtest on p. Built-in
// strategies ignore p; a strategy that holds the panel itself, outside the
// harness's View, is what this package exists to catch.
type NewStrategy func(p *harness.Panel) harness.Strategy

// Leak is a sampled day whose perturbation changed an earlier decision.
type Leak struct {
	// T is the first perturbed calendar day: every candle dated on or after
	// it was scaled.
	T int
	// Day is the fill day of the first decision, at or before T, that
	// changed.
	Day int
	// Want and Got are the rebalances filled on Day in the unperturbed and
	// the perturbed run; nil where that run did not rebalance on Day.
	Want, Got *harness.Rebalance
	// SameClose is set in reference mode when perturbing only from T+1 on
	// leaves every decision through T unchanged: the decision filled at
	// T's close saw T's close, which is the reference's known one-day
	// look-ahead, and nothing further.
	SameClose bool
}

// Report is the outcome of Check.
type Report struct {
	Fill   harness.FillMode
	Dates  []harness.Date // the panel's calendar
	Tokens []string       // the panel's tokens, by index
	Days   []int          // the sampled days t, ascending
	Leaks  []Leak         // one per sampled day that leaked, by T
}

// Clean reports whether no sampled day leaked.
func (r *Report) Clean() bool { return len(r.Leaks) == 0 }

// KnownLeakOnly reports whether there were leaks and every one is the
// reference fill mode's same-close look-ahead.
func (r *Report) KnownLeakOnly() bool {
	if len(r.Leaks) == 0 {
		return false
	}
	for _, l := range r.Leaks {
		if !l.SameClose {
			return false
		}
	}
	return true
}

// ErrNondeterministic is returned when two backtests on the same data
// disagree: the check would report noise as leaks.
var ErrNondeterministic = errors.New("lookahead: two runs of the strategy on the same data differ; it is not deterministic")

// Check tests a strategy for look-ahead. For each sampled day t it reruns
// the backtest with every candle dated t or later scaled by a random factor
// (prices by one factor per candle, log-uniform in [1/2, 2], and the
// volume by another), and compares the decisions (rebalance days and
// targets) filled on days up to t with the unperturbed run's:
//
//	causal fills: the decision filled on day t uses data through t−1, so
//	              decisions filled on days ≤ t must not change;
//	reference:    the decision filled at day t's close sees that close, so
//	              they may; Check then perturbs from t+1 only, and a leak
//	              that disappears is marked SameClose.
//
// Check runs one unperturbed backtest twice first and returns
// ErrNondeterministic when the two differ.
func Check(ctx context.Context, p *harness.Panel, newStrategy NewStrategy, cfg Config) (*Report, error) {
	nd := p.NumDays()
	if nd < 2 {
		return nil, errors.New("lookahead: the panel needs at least two days")
	}
	bt := harness.Config{Fill: cfg.Fill, FeeRate: harness.FeeRate, InitialCapital: harness.InitialCapital}
	base, err := harness.Backtest(ctx, p, newStrategy(p), bt)
	if err != nil {
		return nil, err
	}
	again, err := harness.Backtest(ctx, p, newStrategy(p), bt)
	if err != nil {
		return nil, err
	}
	if _, differ := firstDifference(base.Rebalances, again.Rebalances, nd); differ {
		return nil, ErrNondeterministic
	}
	candles := candlesOf(p)
	r := &Report{Fill: cfg.Fill, Dates: p.Dates, Days: sampleDays(base, nd, cfg)}
	for _, s := range p.Series {
		r.Tokens = append(r.Tokens, s.Token)
	}
	leaks := make([]*Leak, len(r.Days))
	errs := make([]error, len(r.Days))
	var next int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range max(1, min(cfg.Workers, len(r.Days))) {
		wg.Go(func() {
			for ctx.Err() == nil {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= len(r.Days) {
					return
				}
				leaks[i], errs[i] = probe(ctx, p, candles, r.Days[i], base.Rebalances, newStrategy, bt, cfg.Seed)
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for i, l := range leaks {
		if errs[i] != nil {
			return nil, errs[i]
		}
		if l != nil {
			r.Leaks = append(r.Leaks, *l)
		}
	}
	return r, nil
}

// probe perturbs from day t on and compares the decisions through t.
func probe(ctx context.Context, p *harness.Panel, candles []harness.Candle, t int, want []harness.Rebalance, newStrategy NewStrategy, bt harness.Config, seed uint64) (*Leak, error) {
	dates := p.Dates
	run := func(from int) (*harness.Run, error) {
		q, err := harness.NewPanel(perturb(candles, dates[from], seed, uint64(from)))
		if err != nil {
			return nil, fmt.Errorf("lookahead: perturbed panel: %w", err)
		}
		q.InheritMarkets(p)
		return harness.Backtest(ctx, q, newStrategy(q), bt)
	}
	got, err := run(t)
	if err != nil {
		return nil, err
	}
	day, differ := firstDifference(want, got.Rebalances, t)
	if !differ {
		return nil, nil
	}
	l := &Leak{T: t, Day: day, Want: at(want, day), Got: at(got.Rebalances, day)}
	if bt.Fill == harness.Reference {
		l.SameClose = true // perturbing from past the last day changes nothing
		if t+1 < len(dates) {
			later, err := run(t + 1)
			if err != nil {
				return nil, err
			}
			_, differ := firstDifference(want, later.Rebalances, t)
			l.SameClose = !differ
		}
	}
	return l, nil
}

// firstDifference compares the rebalances filled on days up to last and
// returns the first day on which they differ.
func firstDifference(a, b []harness.Rebalance, last int) (int, bool) {
	for i := 0; ; i++ {
		ea := i < len(a) && a[i].Day <= last
		eb := i < len(b) && b[i].Day <= last
		switch {
		case !ea && !eb:
			return 0, false
		case !ea:
			return b[i].Day, true
		case !eb:
			return a[i].Day, true
		case a[i].Day != b[i].Day:
			return min(a[i].Day, b[i].Day), true
		case !sameTargets(a[i].Targets, b[i].Targets):
			return a[i].Day, true
		}
	}
}

func sameTargets(a, b []harness.Target) bool {
	return slices.EqualFunc(a, b, func(x, y harness.Target) bool {
		return x.Token == y.Token && math.Float64bits(x.Weight) == math.Float64bits(y.Weight)
	})
}

// at returns the rebalance filled on day, or nil.
func at(rs []harness.Rebalance, day int) *harness.Rebalance {
	for i := range rs {
		if rs[i].Day == day {
			r := rs[i]
			return &r
		}
	}
	return nil
}

// candlesOf rebuilds the candles of a panel.
func candlesOf(p *harness.Panel) []harness.Candle {
	var out []harness.Candle
	for _, s := range p.Series {
		for j, d := range s.Day {
			out = append(out, harness.Candle{Token: s.Token, Date: p.Dates[d], Open: s.Open[j], High: s.High[j], Low: s.Low[j], Close: s.Close[j], Volume: s.Volume[j]})
		}
	}
	return out
}

// maxPrice is the harness's bound on a price (harness/load.go).
const maxPrice = 1e15

// perturb returns a copy of candles in which every candle dated on or
// after from is scaled: open, high, low and close by one factor, volume by
// another, each log-uniform in [1/2, 2]. The factors depend only on seed,
// stream and the candles, not on the order of work.
func perturb(candles []harness.Candle, from harness.Date, seed, stream uint64) []harness.Candle {
	out := slices.Clone(candles)
	rng := rand.New(rand.NewPCG(seed, stream))
	factor := func() float64 { return math.Exp((2*rng.Float64() - 1) * math.Ln2) }
	for i := range out {
		c := &out[i]
		if c.Date < from {
			continue
		}
		f := factor()
		top := c.Close
		for _, x := range [...]float64{c.Open, c.High, c.Low} {
			if x > top { // false for NaN
				top = x
			}
		}
		if top*f > maxPrice {
			f = maxPrice / top
		}
		c.Open, c.High, c.Low, c.Close = c.Open*f, c.High*f, c.Low*f, c.Close*f
		c.Volume *= factor()
	}
	return out
}

// sampleDays draws the days t: half from the days the unperturbed run
// rebalanced into positions (day 0 excluded: nothing precedes it), the rest
// uniformly from 1..nd-1, without repeats.
func sampleDays(base *harness.Run, nd int, cfg Config) []int {
	n := cfg.Days
	if n <= 0 {
		n = 20
	}
	if n >= nd-1 {
		days := make([]int, nd-1)
		for i := range days {
			days[i] = i + 1
		}
		return days
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x5eed))
	chosen := map[int]bool{}
	var rebal []int
	for _, r := range base.Rebalances {
		if r.Day > 0 && len(r.Targets) > 0 {
			rebal = append(rebal, r.Day)
		}
	}
	rng.Shuffle(len(rebal), func(i, j int) { rebal[i], rebal[j] = rebal[j], rebal[i] })
	for _, d := range rebal[:min(len(rebal), n/2)] {
		chosen[d] = true
	}
	for len(chosen) < n {
		chosen[1+rng.IntN(nd-1)] = true
	}
	days := make([]int, 0, n)
	for d := range chosen {
		days = append(days, d)
	}
	slices.Sort(days)
	return days
}
