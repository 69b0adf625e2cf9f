package report

import (
	"context"
	"fmt"

	"gem/harness"
	"gem/strategy"
	"gem/trial"
)

// Evaluate evaluates cfg on p with fill mode fill and scoring window win
// as gem eval does (harness.Evaluate, with the holdings and fills recorded) and,
// unless cfg is the benchmark itself, the BTC+ETH benchmark beside it under
// the same harness configuration, and gathers what EvaluationPage shows:
// the regime posteriors of an ensemble's base run, and the parameters that
// differ from cfg's defaults. description names the data on the page. It
// returns an error when p has no day in win.
func Evaluate(ctx context.Context, p *harness.Panel, cfg strategy.Config, fill harness.FillMode, win trial.Window, description string) (*Evaluation, error) {
	days, err := win.Days(p)
	if err != nil {
		return nil, err
	}
	hc := harness.Config{Fill: fill, Window: days, RecordHoldings: true, RecordFills: true}
	cache := strategy.NewCache()
	var first harness.Strategy // the instance of the base run
	res, err := harness.Evaluate(ctx, p, func() harness.Strategy {
		s := cfg.New(cache)
		if first == nil {
			first = s
		}
		return s
	}, hc)
	if err != nil {
		return nil, err
	}
	e := &Evaluation{Title: fmt.Sprintf("%s, %s fills", cfg.Name(), fill), Description: description, Changes: strategy.Assign(cfg).Changes(), Panel: p, Result: res}
	if cfg.Name() != "benchmark" {
		bench := &strategy.BenchmarkConfig{}
		if e.Benchmark, err = harness.Evaluate(ctx, p, func() harness.Strategy { return bench.New(cache) }, hc); err != nil {
			return nil, err
		}
	}
	if ens, ok := first.(*strategy.Ensemble); ok {
		e.Posteriors, e.Regimes = ens.Stats.Posteriors, ens.Stats.Regimes
	}
	return e, nil
}
