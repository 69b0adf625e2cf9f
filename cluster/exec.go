package cluster

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"sync"

	"gem/harness"
	"gem/ledger"
	"gem/trial"
)

// Executor runs trials on gem workers through a Coordinator: a
// trial.Executor, so a pool records and reports remote trials exactly as
// local ones.
type Executor struct {
	Coord *Coordinator
	// Verify is the fraction of results, in [0, 1], that are evaluated
	// again here and must match the worker's row bit for bit (score,
	// rejection, every base and stress metric); a mismatch is an error of
	// the trial naming the worker. Which trials are checked depends on the
	// trial's key alone (Sampled), not on timing or workers.
	Verify float64
}

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
		key := env.Key(specs[i])
		if row.Key() != key {
			done(i, nil, fmt.Errorf("worker %s answered for %s %s %s (data %s), not the trial sent", res.Worker, row.Strategy, row.Fill, row.Params, row.Data))
			return
		}
		if Sampled(key, x.Verify) {
			local, err := trial.Evaluate(context.WithoutCancel(ctx), env, specs[i])
			if err != nil {
				done(i, nil, fmt.Errorf("verifying worker %s's result for trial %s: %w", res.Worker, res.ID, err))
				return
			}
			d := Mismatch(&row, &local.Row)
			if d == "" && !sameReturns(res.Returns, local.Returns) {
				d = "daily returns"
			}
			if d != "" {
				done(i, nil, fmt.Errorf("worker %s's result for trial %s differs from its evaluation here: %s; that worker cannot be trusted", res.Worker, res.ID, d))
				return
			}
		}
		done(i, &trial.Result{Row: row, Returns: res.Returns}, nil)
	})
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return nil // interrupted: the trials in flight were reported
	}
	return err
}

// Sampled reports whether the trial with ledger key key is among the
// fraction f checked again: the key, a hash of the trial, read as a number
// in [0, 1), is below f.
func Sampled(key string, f float64) bool {
	if f <= 0 {
		return false
	}
	u, err := strconv.ParseUint(key, 16, 64)
	if err != nil {
		return true // not a key of this ledger: check it
	}
	return float64(u)/(1<<64) < f
}

// Mismatch describes the first difference between the results of two rows
// (score, rejection, then each base and stress metric, compared bit for
// bit), or returns "" when there is none.
func Mismatch(got, want *ledger.Row) string {
	same := func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }
	if !same(got.Score, want.Score) {
		return fmt.Sprintf("score %s, here %s", ledger.FormatFloat(got.Score), ledger.FormatFloat(want.Score))
	}
	if got.Rejection != want.Rejection {
		return fmt.Sprintf("rejection %.60q, here %.60q", got.Rejection, want.Rejection)
	}
	for _, run := range []struct {
		name      string
		got, want *harness.Metrics
	}{{"base", &got.Base, &want.Base}, {"stress", &got.Stress, &want.Stress}} {
		for _, f := range harness.MetricSchema() {
			if g, w := f.Get(run.got), f.Get(run.want); !same(g, w) {
				return fmt.Sprintf("%s %s %s, here %s", run.name, f.Name, ledger.FormatFloat(g), ledger.FormatFloat(w))
			}
		}
	}
	return ""
}

// sameReturns reports whether two series (either may be nil) are equal,
// their returns bit for bit.
func sameReturns(a, b *ledger.Series) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.Key != b.Key || !slices.Equal(a.Days, b.Days) || len(a.Returns) != len(b.Returns) {
		return false
	}
	for i := range a.Returns {
		if math.Float64bits(a.Returns[i]) != math.Float64bits(b.Returns[i]) {
			return false
		}
	}
	return true
}

// Evaluate evaluates a trial taken from the work queue exactly as a local
// pool would (trial.Evaluate), returning its row and daily returns.
func Evaluate(ctx context.Context, env *trial.Env, t *Trial) (ledger.Row, *ledger.Series, error) {
	s, err := trial.ParseSpec(t.Strategy, t.Fill, t.Window, t.Params)
	if err != nil {
		return ledger.Row{}, nil, err
	}
	r, err := trial.Evaluate(ctx, env, s)
	if err != nil {
		return ledger.Row{}, nil, err
	}
	return r.Row, r.Returns, nil
}

// RunWorkers runs n copies of w, named w.Name-1..w.Name-n, that evaluate
// on env (their Data, Harness and Evaluate are set from it), until ctx is
// cancelled or the run is over, and returns their errors joined (nil, or
// ErrRunOver when every worker saw the end of the run).
func RunWorkers(ctx context.Context, w Worker, n int, env *trial.Env) error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wi := w
		wi.Name = fmt.Sprintf("%s-%d", w.Name, i+1)
		wi.Data, wi.Harness = env.Panel.Fingerprint(), harness.Fingerprint()
		wi.Evaluate = func(ctx context.Context, t *Trial) (ledger.Row, *ledger.Series, error) { return Evaluate(ctx, env, t) }
		wg.Go(func() { errs[i] = wi.Run(ctx) })
	}
	wg.Wait()
	over := 0
	for i, err := range errs {
		if errors.Is(err, ErrRunOver) {
			over++
			errs[i] = nil
		}
	}
	if err := errors.Join(errs...); err != nil || over == 0 {
		return err
	}
	return ErrRunOver
}
