package cluster

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/nats-io/nats.go"

	"gem/harness"
	"gem/ledger"
	"gem/trial"
)

// Executor runs trials on gem workers through a Coordinator: a
// trial.Executor, so a pool records and reports remote trials exactly as
// local ones.
type Executor struct{ Coord *Coordinator }

// Execute implements trial.Executor. A result whose key is not the trial's
// (another strategy, parameters or data) is an error of that trial.
func (x Executor) Execute(ctx context.Context, env *trial.Env, specs []trial.Spec, done func(int, *trial.Result, error)) error {
	sent := make([]Trial, len(specs))
	for i, s := range specs {
		sent[i] = Trial{Strategy: s.Strategy, Fill: s.Fill.String(), Window: s.Window.String(), Params: s.Params.String(),
			Data: env.Panel.Fingerprint(), Harness: harness.Fingerprint()}
	}
	err := x.Coord.Run(ctx, sent, func(i int, res *Result) {
		if res.Error != "" {
			done(i, nil, errors.New(res.Error))
			return
		}
		row := res.Row
		row.Command = env.Command
		if row.Key() != env.Key(specs[i]) {
			done(i, nil, fmt.Errorf("worker %s answered for %s %s %s (data %s), not the trial sent", res.Worker, row.Strategy, row.Fill, row.Params, row.Data))
			return
		}
		done(i, &trial.Result{Row: row}, nil)
	})
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// Evaluate evaluates a trial taken from the work queue exactly as a local
// pool would (trial.Evaluate).
func Evaluate(ctx context.Context, env *trial.Env, t *Trial) (ledger.Row, error) {
	s, err := trial.ParseSpec(t.Strategy, t.Fill, t.Window, t.Params)
	if err != nil {
		return ledger.Row{}, err
	}
	r, err := trial.Evaluate(ctx, env, s)
	if err != nil {
		return ledger.Row{}, err
	}
	return r.Row, nil
}

// RunWorkers runs n Workers named name-1..name-n on env until ctx is
// cancelled, and returns the first error. done, when set, sees every result.
func RunWorkers(ctx context.Context, nc *nats.Conn, name string, n int, env *trial.Env, done func(*Trial, *Result)) error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		w := &Worker{Conn: nc, Name: fmt.Sprintf("%s-%d", name, i+1), Data: env.Panel.Fingerprint(), Harness: harness.Fingerprint(),
			Evaluate: func(ctx context.Context, t *Trial) (ledger.Row, error) { return Evaluate(ctx, env, t) },
			Done:     done}
		wg.Go(func() { errs[i] = w.Run(ctx) })
	}
	wg.Wait()
	return errors.Join(errs...)
}
