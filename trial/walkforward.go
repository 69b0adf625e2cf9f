package trial

import (
	"context"
	"fmt"
	"slices"

	"gem/harness"
	"gem/search"
	"gem/strategy"
)

// WalkForward is walk-forward optimisation: on each training window a search
// selects the best configuration, which is then scored on the test window
// that follows (warm: it sees all the data before that window, as a scoring
// window does); the windows roll on by the test length. Anchored training
// windows all start at the panel's first day; otherwise each is the Train
// days before its test window. Days are the panel's calendar days.
type WalkForward struct {
	Pool *Pool
	Base Spec // the strategy, fill and parameters the searches start from
	// Method returns a fresh search for one training window.
	Method   func() (search.Method, error)
	Budget   int // evaluations per training window (0: until the method stops)
	Batch    int
	Train    int // days of each training window
	Test     int // days of each test window
	Anchored bool
	// From and To bound the test windows (zero: from the first day with
	// Train days before it, to the panel's end).
	From, To harness.Date
	// OnFold, when set, sees each fold as it finishes.
	OnFold func(Fold)
}

// Fold is one training and test window and what it selected.
type Fold struct {
	Train, Test Window
	Best        Spec    // the configuration selected on Train
	InSample    float64 // its score on Train
	Tried       int
	OutOfSample *harness.Evaluation // Best scored on Test
}

// WalkResult is a walk-forward run: its folds, the test windows' runs
// chained into one out-of-sample evaluation, and the benchmark on the same
// days.
type WalkResult struct {
	Folds     []Fold
	OOS       *harness.Evaluation // chained test windows; BaseRun.First is the first test day
	Benchmark *harness.Evaluation // BTC+ETH buy-and-hold over the same days
}

// Run runs every fold.
func (w *WalkForward) Run(ctx context.Context) (*WalkResult, error) {
	p := w.Pool.Env.Panel
	nd := p.NumDays()
	if w.Train < 2 || w.Test < 2 {
		return nil, fmt.Errorf("walk-forward: --train and --test must be at least 2 days")
	}
	if w.Batch < 1 {
		return nil, fmt.Errorf("walk-forward: --batch %d: want at least 1", w.Batch)
	}
	first, last := w.Train, nd
	if w.From != 0 {
		first = max(first, searchDate(p, w.From))
	}
	if w.To != 0 {
		last = min(last, searchDate(p, w.To+1))
	}
	if first >= last {
		return nil, fmt.Errorf("walk-forward: no test day: the data has %d days and the first test window needs %d days of training before it", nd, w.Train)
	}
	res := &WalkResult{}
	window := func(from, to int) Window { return Window{From: p.Dates[from], To: p.Dates[to-1]} }
	for t := first; t < last; t += w.Test {
		trainFrom := t - w.Train
		if w.Anchored {
			trainFrom = 0
		}
		f := Fold{Train: window(trainFrom, t), Test: window(t, min(t+w.Test, last))}
		m, err := w.Method()
		if err != nil {
			return nil, err
		}
		s := &Search{Pool: w.Pool, Strategy: w.Base.Strategy, Fill: w.Base.Fill, Base: w.Base.Params, Window: f.Train}
		if err := s.Run(ctx, m, w.Budget, w.Batch); err != nil {
			return nil, err
		}
		if s.Best == nil {
			return nil, fmt.Errorf("walk-forward: the search proposed nothing on %s", f.Train)
		}
		f.Best, f.InSample, f.Tried = s.BestSpec, s.Best.Score(), s.Count
		f.Best.Window = f.Test
		r, err := Evaluate(ctx, w.Pool.Env, f.Best)
		if err != nil {
			return nil, err
		}
		f.OutOfSample = r.Eval
		res.Folds = append(res.Folds, f)
		if w.OnFold != nil {
			w.OnFold(f)
		}
	}
	var base, stress []*harness.Run
	for _, f := range res.Folds {
		base, stress = append(base, f.OutOfSample.BaseRun), append(stress, f.OutOfSample.StressRun)
	}
	res.OOS = chainEvaluation(p, Chain(base), Chain(stress))
	bench := Spec{Strategy: "benchmark", Fill: w.Base.Fill, Params: (&strategy.BenchmarkConfig{}).Space().Defaults(),
		Window: Window{From: res.Folds[0].Test.From, To: res.Folds[len(res.Folds)-1].Test.To}}
	b, err := Evaluate(ctx, w.Pool.Env, bench)
	if err != nil {
		return nil, err
	}
	res.Benchmark = b.Eval
	return res, nil
}

// searchDate is the index of the first day of p on or after d.
func searchDate(p *harness.Panel, d harness.Date) int {
	i, _ := slices.BinarySearch(p.Dates, d)
	return i
}

// chainEvaluation scores chained base and stress runs as Evaluate would.
func chainEvaluation(p *harness.Panel, base, stress *harness.Run) *harness.Evaluation {
	e := &harness.Evaluation{
		Base: harness.ComputeMetrics(base, p.Dates[base.First:]), Stress: harness.ComputeMetrics(stress, p.Dates[stress.First:]),
		BaseRun: base, StressRun: stress, Harness: harness.Fingerprint(), Data: p.Fingerprint(),
	}
	e.Score, e.Rejection = harness.Score(e.Base, e.Stress)
	return e
}

// Chain joins consecutive runs into one, as if each had started with the
// capital the previous one ended with: values, cash, fees and turnover of
// each run are scaled by the previous runs' growth, and the daily lists are
// concatenated. The runs must cover consecutive days.
func Chain(runs []*harness.Run) *harness.Run {
	out := &harness.Run{First: runs[0].First}
	scale := 1.0
	for k, r := range runs {
		if k > 0 && r.First != runs[k-1].First+len(runs[k-1].Values) {
			panic("trial: Chain of runs that are not consecutive")
		}
		for i, v := range r.Values {
			out.Values = append(out.Values, v*scale)
			out.Cash = append(out.Cash, r.Cash[i]*scale)
		}
		out.HHIs = append(out.HHIs, r.HHIs...)
		for _, s := range r.Stale {
			out.Stale = append(out.Stale, s*scale)
		}
		out.Rebalances = append(out.Rebalances, r.Rebalances...)
		out.StaleSales = append(out.StaleSales, r.StaleSales...)
		out.FeesPaid += r.FeesPaid * scale
		out.Traded += r.Traded * scale
		out.TokensHeld += r.TokensHeld
		out.Final = r.Final
		if n := len(r.Values); n > 0 {
			scale *= r.Values[n-1] / harness.InitialCapital
		}
	}
	return out
}
