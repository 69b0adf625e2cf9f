package trial

import (
	"context"
	"fmt"
	"time"

	"gem/harness"
	"gem/ledger"
	"gem/space"
	"gem/strategy"
)

// Spec is one trial: a strategy, its fill mode and its parameters.
type Spec struct {
	Strategy string
	Fill     harness.FillMode
	Params   space.Assignment // an assignment of the strategy's space
}

// NewSpec returns the spec of a configuration.
func NewSpec(c strategy.Config, fill harness.FillMode) Spec {
	return Spec{Strategy: c.Name(), Fill: fill, Params: strategy.Assign(c)}
}

// ParseSpec builds a spec from its text form (a ledger row's or a wire
// message's strategy, fill and "name=value ..." parameters; parameters not
// named take their defaults).
func ParseSpec(strat, fill, params string) (Spec, error) {
	c, err := strategy.Build(strat, params)
	if err != nil {
		return Spec{}, err
	}
	f, err := harness.ParseFillMode(fill)
	if err != nil {
		return Spec{}, err
	}
	return NewSpec(c, f), nil
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
}

// NewEnv returns an environment for trials of command on p, with a fresh
// cache.
func NewEnv(p *harness.Panel, command string) *Env {
	return &Env{Panel: p, Cache: strategy.NewCache(), Command: command}
}

// Key is the ledger key the spec's row will have on env's data under the
// current harness.
func (e *Env) Key(s Spec) string {
	return ledger.Key(s.Strategy, s.Fill.String(), s.Params.String(), harness.Fingerprint(), e.Panel.Fingerprint())
}

// Result is a finished trial: its ledger row, and for a trial evaluated
// here its evaluation and the strategy instance of its base run.
type Result struct {
	Row     ledger.Row
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
	start := time.Now()
	res := &Result{}
	ev, err := harness.Evaluate(ctx, env.Panel, func() harness.Strategy {
		st := cfg.New(env.Cache)
		if res.Base == nil {
			res.Base = st
		}
		return st
	}, harness.Config{Fill: s.Fill})
	if err != nil {
		return nil, err
	}
	res.Eval = ev
	res.Row = ledger.Row{
		Time: time.Now(), Command: env.Command, Strategy: s.Strategy, Fill: s.Fill.String(),
		Params: s.Params.String(), Score: ev.Score, Rejection: ev.Rejection,
		Base: ev.Base, Stress: ev.Stress, Harness: ev.Harness, Data: ev.Data,
		Seconds: time.Since(start).Seconds(),
	}
	return res, nil
}
