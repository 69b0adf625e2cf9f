package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"gem/harness"
	"gem/ledger"
	"gem/strategy"
)

// trial is one configuration to evaluate and, once done, its result.
type trial struct {
	cfg  strategy.Config
	eval *harness.Evaluation
	base harness.Strategy // the strategy instance of the base run
	row  ledger.Row
	// resumed is set when the trial was not run because the ledger already
	// has it; row then holds the recorded result.
	resumed bool
}

// score is the trial's score, evaluated or recorded.
func (t *trial) score() float64 {
	if t.eval != nil {
		return t.eval.Score
	}
	return t.row.Score
}

// evaluate runs one configuration and fills in its ledger row.
func (t *trial) evaluate(ctx context.Context, p *harness.Panel, fill harness.FillMode, cache *strategy.Cache, command string) error {
	start := time.Now()
	t.base = nil
	ev, err := harness.Evaluate(ctx, p, func() harness.Strategy {
		s := t.cfg.New(cache)
		if t.base == nil {
			t.base = s
		}
		return s
	}, harness.Config{Fill: fill})
	if err != nil {
		return err
	}
	t.eval = ev
	t.row = ledger.Row{
		Time: time.Now(), Command: command, Strategy: t.cfg.Name(), Fill: fill.String(),
		Params: strategy.ParamsString(t.cfg.Params()), Score: ev.Score, Rejection: ev.Rejection,
		Base: ev.Base, Stress: ev.Stress, Harness: ev.Harness, Data: ev.Data,
		Seconds: time.Since(start).Seconds(),
	}
	return nil
}

// ledgerFlags choose where trials are recorded.
type ledgerFlags struct {
	path   string
	resume bool
}

// open opens the ledger, telling the user when a torn line was repaired.
func (l *ledgerFlags) open(stderr io.Writer) (*ledger.Ledger, error) {
	if l.path == "" || l.path == "-" {
		return nil, nil
	}
	lg, repaired, err := ledger.Open(l.path)
	if err != nil {
		return nil, err
	}
	if repaired {
		fmt.Fprintf(stderr, "gem: %s: cut off a torn last line left by an interrupted run\n", l.path)
	}
	return lg, nil
}

// done returns the trials already in the ledger by key, for --resume.
func (l *ledgerFlags) done() (map[string]ledger.Row, error) {
	if !l.resume || l.path == "" || l.path == "-" {
		return map[string]ledger.Row{}, nil
	}
	return ledger.Index(l.path)
}

// errInterrupted reports a run stopped by a signal after finishing the trials in flight.
var errInterrupted = errors.New("interrupted: stopped after the trials in flight, which are in the ledger; rerun with --resume to continue")

// pool evaluates trials on a bounded set of workers. Results land in each
// trial's own slot; report is called for trial i only after trials 0..i−1
// were reported, so output and ledger order do not depend on the number of
// workers. Trials whose key is in done are reported without running, marked
// resumed and carrying the recorded row. On cancellation the trials in flight finish and are recorded,
// and errInterrupted is returned.
type pool struct {
	panel   *harness.Panel
	fill    harness.FillMode
	cache   *strategy.Cache
	workers int
	command string
	ledger  *ledger.Ledger
	done    map[string]ledger.Row
	// remote, when set, sends the trials to gem workers through NATS
	// (worker.go) instead of evaluating them here; what is reported and
	// recorded is the same.
	remote *remote

	// best is the best finite score of the trials this pool has run, over
	// all its batches, for the progress display (progress.go); valid when
	// scored is set.
	best   float64
	scored bool
}

func (pl *pool) run(ctx context.Context, trials []*trial, report func(i int, t *trial)) error {
	type done struct {
		i   int
		err error
	}
	var next atomic.Int64
	results := make(chan done)
	var wg sync.WaitGroup
	local := max(1, min(pl.workers, len(trials)))
	if pl.remote != nil {
		local = 0
		wg.Go(func() { pl.remote.run(ctx, pl, trials, func(i int, err error) { results <- done{i, err} }) })
	}
	for range local {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(trials) {
					return
				}
				t := trials[i]
				var err error
				if r, ok := pl.done[pl.key(t)]; ok {
					t.row, t.resumed = r, true
				} else {
					// A started trial finishes even when ctx is cancelled, so that
					// it is recorded: an interrupt stops after the trials in flight.
					err = t.evaluate(context.WithoutCancel(ctx), pl.panel, pl.fill, pl.cache, pl.command)
				}
				results <- done{i, err}
			}
		})
	}
	go func() { wg.Wait(); close(results) }()
	prog := pl.startProgress(ctx, trials)
	finished := make([]bool, len(trials))
	var firstErr error
	record := func(t *trial) {
		if t.eval != nil && pl.ledger != nil {
			if err := pl.ledger.Append(&t.row); err != nil && firstErr == nil {
				firstErr = err
			}
		}
	}
	reported := 0
	for d := range results {
		if d.err != nil && firstErr == nil {
			firstErr = d.err
		}
		if d.i < 0 { // an error of the remote run as a whole
			continue
		}
		finished[d.i] = true
		pl.trialProgress(prog, trials[d.i], d.err)
		for reported < len(trials) && finished[reported] {
			record(trials[reported])
			report(reported, trials[reported])
			reported++
		}
	}
	prog.finish()
	// After an interrupt, trials that finished beyond the first one that never
	// started are still recorded.
	for i := reported; i < len(trials); i++ {
		if finished[i] {
			record(trials[i])
		}
	}
	if firstErr != nil {
		return firstErr
	}
	if reported < len(trials) {
		return errInterrupted
	}
	return nil
}

// key is the ledger key a trial will have, known before it runs.
func (pl *pool) key(t *trial) string {
	r := ledger.Row{Strategy: t.cfg.Name(), Fill: pl.fill.String(), Params: strategy.ParamsString(t.cfg.Params()),
		Harness: harness.Fingerprint(), Data: pl.panel.Fingerprint()}
	return r.Key()
}

// openPool loads the data, opens the ledger and reads the trials already in
// it (for --resume), and returns a pool that records command's trials there.
// The caller closes pl.ledger; desc describes the data.
func openPool(stderr io.Writer, data *dataFlags, lf *ledgerFlags, fill harness.FillMode, workers int, command string) (pl *pool, desc string, err error) {
	p, desc, err := data.load(stderr)
	if err != nil {
		return nil, "", err
	}
	lg, err := lf.open(stderr)
	if err != nil {
		return nil, "", err
	}
	done, err := lf.done()
	if err != nil {
		lg.Close()
		return nil, "", err
	}
	return &pool{panel: p, fill: fill, cache: strategy.NewCache(), workers: workers, command: command, ledger: lg, done: done}, desc, nil
}
