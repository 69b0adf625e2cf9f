package trial

import (
	"context"
	"time"

	"gem/ledger"
	"gem/strategy"
)

// Baseline is the configuration of the first of rows (in ledger order)
// whose strategy is name and which was recorded at or after since: every
// parameter as that row has it, so that a session's starting point can be
// re-created after the defaults changed. ok is false when no row qualifies.
func Baseline(rows []ledger.Row, since time.Time, name string) (c strategy.Config, ok bool, err error) {
	for _, r := range rows {
		if r.Strategy == name && !r.Time.Before(since) {
			c, err := strategy.Build(r.Strategy, r.Params)
			return c, err == nil, err
		}
	}
	return nil, false, nil
}

// Collect runs specs through p and returns their results in slot order,
// with the error of Run (after an interrupt, the results of the trials not
// reported are nil).
func (p *Pool) Collect(ctx context.Context, specs []Spec) ([]*Result, error) {
	res := make([]*Result, len(specs))
	err := p.Run(ctx, specs, func(i int, r *Result) { res[i] = r })
	return res, err
}
