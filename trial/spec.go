package trial

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gem/harness"
	"gem/ledger"
	"gem/space"
	"gem/strategy"
)

// Spec is one trial: a strategy, its fill mode, its parameters and its
// scoring window.
type Spec struct {
	Strategy string
	Fill     harness.FillMode
	Params   space.Assignment // an assignment of the strategy's space
	Window   Window
}

// Window is a scoring window by dates, inclusive; a zero end is open. The
// zero Window scores the whole data.
type Window struct{ From, To harness.Date }

// ParseWindow reads "FROM..TO" (either side may be empty), as String writes.
func ParseWindow(s string) (Window, error) {
	var w Window
	if s == "" {
		return w, nil
	}
	from, to, ok := strings.Cut(s, "..")
	if !ok {
		return w, fmt.Errorf("window %q: want FROM..TO", s)
	}
	var err error
	if from != "" {
		if w.From, err = harness.ParseDate(from); err != nil {
			return w, fmt.Errorf("window start: %w", err)
		}
	}
	if to != "" {
		if w.To, err = harness.ParseDate(to); err != nil {
			return w, fmt.Errorf("window end: %w", err)
		}
	}
	if w.From != 0 && w.To != 0 && w.To < w.From {
		return w, fmt.Errorf("window %s ends before it starts", s)
	}
	return w, nil
}

// String is "FROM..TO" (a side empty when open), or "" for the whole data.
func (w Window) String() string {
	if w == (Window{}) {
		return ""
	}
	var from, to string
	if w.From != 0 {
		from = w.From.String()
	}
	if w.To != 0 {
		to = w.To.String()
	}
	return from + ".." + to
}

// Days returns the window as calendar days of p, an error when p has no day
// in it.
func (w Window) Days(p *harness.Panel) (harness.Window, error) {
	from, to := 0, p.NumDays()
	if w.From != 0 {
		from, _ = slices.BinarySearch(p.Dates, w.From)
	}
	if w.To != 0 {
		to, _ = slices.BinarySearch(p.Dates, w.To+1)
	}
	if from >= to {
		return harness.Window{}, fmt.Errorf("the scoring window %s has no day of the data (%s..%s)", w, p.Dates[0], p.Dates[p.NumDays()-1])
	}
	return harness.Window{From: from, To: to}, nil
}

// NewSpec returns the spec of a configuration.
func NewSpec(c strategy.Config, fill harness.FillMode) Spec {
	return Spec{Strategy: c.Name(), Fill: fill, Params: strategy.Assign(c)}
}

// ParseSpec builds a spec from its text form (a ledger row's or a wire
// message's strategy, fill, window and "name=value ..." parameters;
// parameters not named take their defaults).
func ParseSpec(strat, fill, window, params string) (Spec, error) {
	c, err := strategy.Build(strat, params)
	if err != nil {
		return Spec{}, err
	}
	f, err := harness.ParseFillMode(fill)
	if err != nil {
		return Spec{}, err
	}
	w, err := ParseWindow(window)
	if err != nil {
		return Spec{}, err
	}
	s := NewSpec(c, f)
	s.Window = w
	return s, nil
}

// Config returns the spec's strategy configuration, validated.
func (s Spec) Config() (strategy.Config, error) {
	c, err := strategy.New(s.Strategy)
	if err != nil {
		return nil, err
	}
	return strategy.Configure(c, s.Params)
}

// Env is what evaluating trials needs: the panel and the cache of fits and
// regime posteriors shared by every trial on it.
type Env struct {
	Panel   *harness.Panel
	Cache   *strategy.Cache
	Command string // recorded in each row: eval, sweep, search ...
	// Book is the target book the weights strategy replays (nil: none).
	Book *strategy.Book
}

// NewEnv returns an environment for trials of command on p, with a fresh
// cache.
func NewEnv(p *harness.Panel, command string) *Env {
	return &Env{Panel: p, Cache: strategy.NewCache(), Command: command}
}

// Key is the ledger key the spec's row will have on env's data under the
// current harness.
func (e *Env) Key(s Spec) string {
	name := s.Strategy
	if name == "weights" && e.Book != nil {
		name += "@" + e.Book.Hash // one key per book replayed
	}
	return ledger.Key(name, s.Fill.String(), s.Window.String(), s.Params.String(), harness.Fingerprint(), e.Panel.Fingerprint())
}

// Result is a finished trial: its ledger row, and for a trial evaluated
// here its evaluation and the strategy instance of its base run.
type Result struct {
	Row     ledger.Row
	Returns *ledger.Series      // the base run's daily returns; nil for a resumed trial
	Eval    *harness.Evaluation // nil for a resumed or remote trial
	Base    harness.Strategy    // nil for a resumed or remote trial
	Resumed bool                // taken from the ledger, not run
}

// Score is the trial's score.
func (r *Result) Score() float64 { return r.Row.Score }

// Evaluate runs the spec's base and stress backtests on env and returns its
// result.
func Evaluate(ctx context.Context, env *Env, s Spec) (*Result, error) {
	cfg, err := s.Config()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.Params.Changes(), err)
	}
	if w, ok := cfg.(*strategy.WeightsConfig); ok {
		if env.Book == nil {
			return nil, fmt.Errorf("the weights strategy has no book (gem eval --strategy weights --weights FILE)")
		}
		w.Book = env.Book
	}
	win, err := s.Window.Days(env.Panel)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	res := &Result{}
	ev, err := harness.Evaluate(ctx, env.Panel, func() harness.Strategy {
		st := cfg.New(env.Cache)
		if res.Base == nil {
			res.Base = st
		}
		return st
	}, harness.Config{Fill: s.Fill, Window: win})
	if err != nil {
		return nil, err
	}
	res.Eval = ev
	res.Row = ledger.Row{
		Time: time.Now(), Command: env.Command, Strategy: s.Strategy, Fill: s.Fill.String(), Window: s.Window.String(),
		Params: s.Params.String(), Score: ev.Score, Rejection: ev.Rejection,
		Base: ev.Base, Stress: ev.Stress, Harness: ev.Harness, Data: ev.Data,
		Seconds: time.Since(start).Seconds(),
	}
	res.Returns = DailyReturns(res.Row.Key(), env.Panel.Dates[ev.BaseRun.First:], ev.BaseRun.Values)
	return res, nil
}

// DailyReturns is the series of daily returns of a run whose snapshot
// values are values, values[t] taken on days[t] (the panel's calendar from
// the run's first day, harness.Run.First: a scoring window's returns start
// the day after its first day): the return realised on
// days[t], t ≥ 1, is
//
//	r_t = (v_t − v_{t−1}) / v_{t−1}
//
// by harness.Return, as harness.ComputeMetrics computes the returns of the
// Sharpe ratio (0 from a value of 0). It is nil with fewer than two values. It panics if values has
// more entries than days.
func DailyReturns(key string, days []harness.Date, values []float64) *ledger.Series {
	if len(values) > len(days) {
		panic(fmt.Sprintf("trial: %d values for %d days", len(values), len(days)))
	}
	if len(values) < 2 {
		return nil
	}
	s := &ledger.Series{Key: key, Days: days[1:len(values):len(values)], Returns: make([]float64, len(values)-1)}
	for t := 1; t < len(values); t++ {
		s.Returns[t-1] = harness.Return(values[t-1], values[t])
	}
	return s
}
