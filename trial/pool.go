package trial

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"gem/ledger"
	"gem/strategy"
)

// Executor evaluates specs on env. It calls done exactly once for each spec
// it finishes, in any order and from any goroutine, and returns when every
// spec it started is done. Once ctx is cancelled it starts no new spec; the
// specs in flight finish and are reported. An error of the run as a whole
// (a lost connection) is returned; a spec's own failure goes to done.
type Executor interface {
	Execute(ctx context.Context, env *Env, specs []Spec, done func(i int, r *Result, err error)) error
}

// Local evaluates specs on Workers goroutines of this process (at least
// one), each spec on one goroutine: parallelism is across trials, never
// inside a backtest.
type Local struct{ Workers int }

// Execute implements Executor.
func (l Local) Execute(ctx context.Context, env *Env, specs []Spec, done func(int, *Result, error)) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range max(1, min(l.Workers, len(specs))) {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(specs) {
					return
				}
				// A started trial finishes even when ctx is cancelled, so that
				// it is recorded: an interrupt stops after the trials in flight.
				r, err := Evaluate(context.WithoutCancel(ctx), env, specs[i])
				done(i, r, err)
			}
		})
	}
	wg.Wait()
	return nil
}

// Observer follows a pool's progress; Pool calls it from one goroutine.
type Observer interface {
	// Start announces a batch of n trials to run (not those resumed).
	Start(n int)
	// Finished reports one trial, run or resumed, in completion order.
	Finished(r *Result, err error)
	// Stop ends the batch.
	Stop()
}

// ErrInterrupted reports a run stopped by cancellation after finishing the
// trials in flight.
var ErrInterrupted = errors.New("interrupted: stopped after the trials in flight, which are in the ledger; rerun with --resume to continue")

// Pool runs batches of trials through an executor. Results are reported in
// slot order: report(i, r) is called for trial i only after trials 0..i−1,
// so output and ledger order do not depend on the number of workers or
// machines. A trial whose key is in Done is reported without running,
// marked Resumed and carrying the recorded row; every trial run is added to
// Done, so a configuration repeated in a later batch is not run again.
// Every run trial is appended to Ledger (when set) in slot order, its daily
// returns to Returns (when set) just before its row, so that a row in the
// ledger has its returns unless it was written without them; a resumed
// trial is not written again. Before the first trial of a fill mode and
// scoring window the BTC+ETH benchmark's returns on the pool's data (same
// fill and window) are written to Returns,
// keyed by the benchmark's ledger key (BenchmarkKey), unless the file
// already has them. After an interrupt, trials that finished beyond the
// first one that never started are still recorded, and ErrInterrupted is
// returned.
type Pool struct {
	Env      *Env
	Exec     Executor
	Ledger   *ledger.Ledger
	Returns  *ledger.ReturnsFile
	Done     map[string]ledger.Row
	Observer Observer
}

// BenchmarkKey is the ledger key of the BTC+ETH benchmark with the fill
// mode and scoring window of s on env's data under the current harness: the
// key of its series in a returns file.
func (e *Env) BenchmarkKey(s Spec) string {
	return e.Key(benchmarkSpec(s))
}

// BenchmarkKey is the ledger key of the BTC+ETH benchmark with the named
// fill mode and scoring window under the given harness and data
// fingerprints.
func BenchmarkKey(fill, window, harnessFP, data string) string {
	b := &strategy.BenchmarkConfig{}
	return ledger.Key(b.Name(), fill, window, strategy.Assign(b).String(), harnessFP, data)
}

// benchmarkSpec is the BTC+ETH benchmark with the fill mode and scoring
// window of s.
func benchmarkSpec(s Spec) Spec {
	b := NewSpec(&strategy.BenchmarkConfig{}, s.Fill)
	b.Window = s.Window
	return b
}

// Close closes the pool's ledger and returns file (either may be nil).
func (p *Pool) Close() error {
	return errors.Join(p.Ledger.Close(), p.Returns.Close())
}

// writeBenchmark writes the benchmark's returns with the fill mode and
// window of s on the pool's data unless the returns file has them.
func (p *Pool) writeBenchmark(ctx context.Context, s Spec) error {
	if p.Returns == nil || p.Returns.Has(p.Env.BenchmarkKey(s)) {
		return nil
	}
	r, err := Evaluate(context.WithoutCancel(ctx), p.Env, benchmarkSpec(s))
	if err != nil {
		return fmt.Errorf("benchmark: %w", err)
	}
	return p.Returns.Append(r.Returns)
}

// Run runs specs and reports each in slot order.
func (p *Pool) Run(ctx context.Context, specs []Spec, report func(i int, r *Result)) error {
	if p.Done == nil {
		p.Done = map[string]ledger.Row{}
	}
	results := make([]*Result, len(specs))
	finished := make([]bool, len(specs))
	var todo []Spec
	var slot []int
	for i, s := range specs {
		if row, ok := p.Done[p.Env.Key(s)]; ok {
			results[i], finished[i] = &Result{Row: row, Resumed: true}, true
			continue
		}
		todo = append(todo, s)
		slot = append(slot, i)
	}
	if p.Observer != nil {
		p.Observer.Start(len(todo))
		for i := range results {
			if finished[i] {
				p.Observer.Finished(results[i], nil)
			}
		}
	}
	var firstErr error
	record := func(i int) {
		r := results[i]
		if r == nil || r.Resumed {
			return
		}
		p.Done[p.Env.Key(specs[i])] = r.Row
		if p.Returns != nil && r.Returns != nil {
			err := p.writeBenchmark(ctx, specs[i])
			if err == nil {
				err = p.Returns.Append(r.Returns)
			}
			if err != nil && firstErr == nil {
				firstErr = err
			}
		}
		if p.Ledger != nil {
			if err := p.Ledger.Append(&r.Row); err != nil && firstErr == nil {
				firstErr = err
			}
		}
	}
	reported := 0
	flush := func() {
		for reported < len(specs) && finished[reported] {
			if results[reported] != nil {
				record(reported)
				report(reported, results[reported])
			}
			reported++
		}
	}
	flush()
	type doneMsg struct {
		j   int
		r   *Result
		err error
	}
	msgs := make(chan doneMsg)
	var execErr error
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		execErr = p.exec().Execute(ctx, p.Env, todo, func(j int, r *Result, err error) { msgs <- doneMsg{j, r, err} })
		close(msgs)
	}()
	for m := range msgs {
		i := slot[m.j]
		if m.err != nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("trial %s: %w", specs[i].Params.Changes(), m.err)
				cancel() // start nothing more; the trials in flight finish
			}
			m.r = nil
		}
		if p.Observer != nil {
			p.Observer.Finished(m.r, m.err)
		}
		results[i], finished[i] = m.r, true
		if firstErr == nil {
			flush()
		}
	}
	if p.Observer != nil {
		p.Observer.Stop()
	}
	if firstErr == nil {
		flush()
	}
	for i := reported; i < len(specs); i++ {
		if finished[i] {
			record(i)
		}
	}
	switch {
	case firstErr != nil:
		return firstErr
	case execErr != nil:
		return execErr
	case reported < len(specs):
		return ErrInterrupted
	}
	return nil
}

func (p *Pool) exec() Executor {
	if p.Exec == nil {
		return Local{Workers: 1}
	}
	return p.Exec
}
