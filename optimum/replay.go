package optimum

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"

	"gem/harness"
	"gem/space"
	"gem/strategy"
	"gem/trial"
)

// Replay scores the configurations of a block of the ensemble's space from
// one strategy.Tape: the regime series of each regime setting and the books
// of each specialist setting the block holds are recorded once, and each
// configuration is then the harness's own base and stress backtests
// (harness.Evaluate) of an ensemble reading them, so that its score is bit
// for bit the score trial.Evaluate gives it.
type Replay struct {
	block *Block
	panel *harness.Panel
	cfg   harness.Config
	conf  strategy.Config
	tape  *strategy.Tape
}

// NewReplay records the tape of block b for trials like spec (its strategy,
// ensemble; its fill mode and scoring window) on env's panel, taking fits and
// regime series from env's cache. It fails for another strategy, a block
// whose parameters are not the strategy's, and a block whose configurations
// read a regime series or specialist book that depends on the parameters of
// two groups (see Block).
func NewReplay(ctx context.Context, env *trial.Env, spec trial.Spec, b *Block) (*Replay, error) {
	if spec.Strategy != "ensemble" {
		return nil, fmt.Errorf("optimum: the replay runs the ensemble, not %s", spec.Strategy)
	}
	conf, err := strategy.New(spec.Strategy)
	if err != nil {
		return nil, err
	}
	win, err := spec.Window.Days(env.Panel)
	if err != nil {
		return nil, err
	}
	r := &Replay{block: b, panel: env.Panel, cfg: harness.Config{Fill: spec.Fill, Window: win}, conf: conf}
	var family []strategy.EnsembleParams
	for _, a := range b.family() {
		p, err := r.params(a)
		if err != nil {
			return nil, err
		}
		family = append(family, p)
	}
	if r.tape, err = strategy.RecordTape(ctx, env.Panel, env.Cache, r.cfg, family); err != nil {
		return nil, err
	}
	return r, nil
}

// Block is the block the replay scores.
func (r *Replay) Block() *Block { return r.block }

// params are the ensemble parameters of a full assignment, validated.
func (r *Replay) params(a space.Assignment) (strategy.EnsembleParams, error) {
	c, err := strategy.Configure(r.conf, a)
	if err != nil {
		return strategy.EnsembleParams{}, fmt.Errorf("%s: %w", a.Changes(), err)
	}
	return *c.Params().(*strategy.EnsembleParams), nil
}

// Evaluate replays configuration i and returns its evaluation.
func (r *Replay) Evaluate(ctx context.Context, i int) (*harness.Evaluation, error) {
	p, err := r.params(r.block.Config(i))
	if err != nil {
		return nil, err
	}
	var runs [2]*strategy.Ensemble
	for k := range runs {
		if runs[k], err = r.tape.Ensemble(p); err != nil {
			return nil, err
		}
	}
	k := 0
	return harness.Evaluate(ctx, r.panel, func() harness.Strategy { k++; return runs[k-1] }, r.cfg)
}

// Table is every configuration's score of a block, in the block's order,
// and the best of them (the first among equals; −Inf scores when every
// configuration is rejected).
type Table struct {
	Block  *Block
	Scores []float64
	Best   int
}

// Optimum returns the best configuration and its score.
func (t *Table) Optimum() (space.Assignment, float64) {
	return t.Block.Config(t.Best), t.Scores[t.Best]
}

// Score is the score of a, an assignment of the block's space or a full
// one (Block.Index).
func (t *Table) Score(a space.Assignment) (float64, error) {
	i, err := t.Block.Index(a)
	if err != nil {
		return 0, err
	}
	return t.Scores[i], nil
}

// Run replays every configuration on workers goroutines (at least 1) and
// returns the table; done, when not nil, is called after each
// configuration with its score, from any worker goroutine. The scores do
// not depend on the number of workers. It stops with ctx's error.
func (r *Replay) Run(ctx context.Context, workers int, done func(score float64)) (*Table, error) {
	scores, err := r.each(ctx, workers, func(ctx context.Context, i int) (float64, error) {
		ev, err := r.Evaluate(ctx, i)
		if err != nil {
			return 0, err
		}
		return ev.Score, nil
	}, done)
	if err != nil {
		return nil, err
	}
	t := &Table{Block: r.block, Scores: scores}
	for i, s := range scores {
		if s > scores[t.Best] {
			t.Best = i
		}
	}
	return t, nil
}

// each computes f for every configuration on workers goroutines, the
// results in block order, calling done after each.
func (r *Replay) each(ctx context.Context, workers int, f func(context.Context, int) (float64, error), done func(float64)) ([]float64, error) {
	if workers < 1 {
		panic("optimum: fewer than one worker")
	}
	n := r.block.Size()
	out := make([]float64, n)
	const chunk = 16
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, workers)
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for w := range workers {
		wg.Go(func() {
			for {
				lo := int(next.Add(chunk)) - chunk
				if lo >= n {
					return
				}
				for i := lo; i < min(lo+chunk, n); i++ {
					v, err := f(wctx, i)
					if err != nil {
						errs[w] = err
						cancel()
						return
					}
					out[i] = v
					if done != nil {
						done(v)
					}
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs { // a worker's own error before those it caused
		if err != nil && !errors.Is(err, context.Canceled) {
			return nil, err
		}
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// cash is the stand-in for the stress run of Bound: all cash, so its Calmar
// ratio is 0 and the score is the base run's alone.
type cash struct{}

func (cash) Decide(_ *harness.View, _ *harness.Account, dst []harness.Target) ([]harness.Target, bool) {
	return dst[:0], false
}

// Bound replays configuration i's base run only and returns its score were
// its stress run accepted: harness.Evaluate with an all-cash stand-in for
// the stress run, whose Calmar ratio of 0 never rejects. Since the stress
// run can only reject (Score), the bound is the configuration's score or it
// is rejected.
func (r *Replay) Bound(ctx context.Context, i int) (float64, error) {
	p, err := r.params(r.block.Config(i))
	if err != nil {
		return 0, err
	}
	e, err := r.tape.Ensemble(p)
	if err != nil {
		return 0, err
	}
	first := true
	ev, err := harness.Evaluate(ctx, r.panel, func() harness.Strategy {
		if first {
			first = false
			return e
		}
		return cash{}
	}, r.cfg)
	if err != nil {
		return 0, err
	}
	return ev.Score, nil
}

// Best is the exact optimum of a block found through Bound: its index and
// evaluation, the bounds, and how many configurations were fully
// evaluated (the best bounds whose stress run was rejected, then the
// optimum).
type Best struct {
	Index  int                 // 0 when every configuration is rejected
	Eval   *harness.Evaluation // nil when every configuration is rejected
	Bounds []float64
	Full   int
}

// Best finds the block's optimum at about half the cost of Run: every
// configuration's Bound on workers goroutines (done called after each),
// then full evaluations in order of decreasing bound (ties in block order)
// until one is accepted. That one is the optimum, the first among equals in
// block order, as Table.Best: an accepted score equals its bound, and every
// configuration of a higher bound was rejected. It is an error for the
// accepted score to differ from its bound.
func (r *Replay) Best(ctx context.Context, workers int, done func(bound float64)) (*Best, error) {
	bounds, err := r.each(ctx, workers, r.Bound, done)
	if err != nil {
		return nil, err
	}
	order := make([]int, len(bounds))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(bounds[b], bounds[a]) })
	best := &Best{Bounds: bounds}
	for _, i := range order {
		if math.IsInf(bounds[i], -1) {
			break
		}
		ev, err := r.Evaluate(ctx, i)
		if err != nil {
			return nil, err
		}
		best.Full++
		if ev.Rejected() {
			continue
		}
		if math.Float64bits(ev.Score) != math.Float64bits(bounds[i]) {
			return nil, fmt.Errorf("optimum: configuration %d scores %v, its bound %v", i, ev.Score, bounds[i])
		}
		best.Index, best.Eval = i, ev
		break
	}
	return best, nil
}
