package trial

import (
	"context"
	"time"

	"gem/ledger"
	"gem/strategy"
)

// Baseline is the configuration of the first row of the ledger at path (in
// ledger order) whose strategy is name and which was recorded at or after
// since: every parameter as that row has it, so that a session's starting
// point can be re-created after the defaults changed. ok is false when no
// row qualifies.
func Baseline(path string, since time.Time, name string) (c strategy.Config, ok bool, err error) {
	rows, _, err := ledger.Read(path)
	if err != nil {
		return nil, false, err
	}
	for _, r := range rows {
		if r.Strategy == name && !r.Time.Before(since) {
			c, err := strategy.Build(r.Strategy, r.Params)
			return c, err == nil, err
		}
	}
	return nil, false, nil
}

// Beside returns the evaluation of the BTC+ETH benchmark with the fill mode
// and scoring window of s on env, which the results of an ensemble (the
// ensemble and longshort strategies) show beside them; nil for any other
// strategy.
func Beside(ctx context.Context, env *Env, s Spec) (*Result, error) {
	if s.Strategy != "ensemble" && s.Strategy != "longshort" {
		return nil, nil
	}
	return Evaluate(ctx, env, benchmarkSpec(s))
}
